"""Helpers shared by the CLI commands."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ficnlp.config import Config
from ficnlp.errors import InputError
from ficnlp.model import Analysis


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


def analyze_file(path: str, args: argparse.Namespace) -> Analysis:
    """Analyse the story file ``path`` (``-``: stdin) with the reading options.

    The CLI's argument is always a path: a missing file is an error, never a one-word
    story (unlike :func:`ficnlp.analyze`, which also takes story text).

    Raises:
        InputError: the file is missing or cannot be read as a story.
    """
    from ficnlp.pipeline import analyze_story
    from ficnlp.read import read_story

    config = config_from(args)
    story = read_story(path, format=config.format, encoding=config.encoding, max_bytes=config.max_input_bytes)
    return analyze_story(story, config)


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


def console(file: Any = None, **options: Any) -> Any:
    """A rich ``Console`` on ``file`` (default stdout) that lets a closed pipe end quietly.

    Rich's own console exits with status 1 when the reader of a pipe goes away
    (``ficnlp analyze STORY | head -1``), which the CLI documents as "some stories
    failed". This one sends the rest of the output to the null device and raises
    :class:`BrokenPipeError`, which :func:`ficnlp.cli.main` turns into status 0, the
    convention of Unix filters (Python docs, "Note on SIGPIPE").
    """
    from rich.console import Console

    class _PipeConsole(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise BrokenPipeError

    return _PipeConsole(file=file, **options)
