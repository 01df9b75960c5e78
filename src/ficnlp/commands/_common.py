"""Helpers shared by the CLI commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ficnlp.config import Config
from ficnlp.errors import InputError


def add_reading_options(p: argparse.ArgumentParser) -> None:
    """``--format``, ``--encoding`` and ``--quote-style``."""
    p.add_argument(
        "--format", default="auto", choices=["auto", "txt", "html", "epub"], help="input format (default: detect)"
    )
    p.add_argument("--encoding", default=None, help="text encoding, e.g. cp1252 (default: detect)")
    p.add_argument("--quote-style", default="auto", choices=["auto", "double", "single"], help="dialogue quote marks")


def config_from(args: argparse.Namespace) -> Config:
    """A :class:`Config` from the parsed reading options."""
    return Config(format=args.format, encoding=args.encoding, quote_style=args.quote_style)


def check_output(path: str, *, force: bool, inputs: list[str]) -> None:
    """Refuse to overwrite an existing output without ``--force``, or to write over an input.

    Raises:
        InputError: the output exists (without force) or is one of the inputs.
    """
    if path == "-":
        return
    out = Path(path)
    for i in inputs:
        if i != "-" and out.exists() and Path(i).exists() and out.samefile(i):
            raise InputError("refusing to write the output over an input file: choose another path", source=path)
    if out.is_dir():
        raise InputError("the output is a folder: give a file path", source=path)
    if out.exists() and not force:
        raise InputError("the output file exists: pass --force to overwrite it", source=path)


def write_text(path: str, data: str) -> None:
    """Write text to a file (atomically, via a temporary file) or to stdout for ``-``."""
    if path == "-":
        sys.stdout.write(data)
        sys.stdout.flush()
        return
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(data, encoding="utf-8")
    tmp.replace(out)
