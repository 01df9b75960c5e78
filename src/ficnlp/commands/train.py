"""``ficnlp train``: rebuild the speaker ranker from PDNC and print its held-out figures.

::

    ficnlp train --shared ../shared [--folds 7] [--out PATH] [--update-docs docs/benchmarks.md | --no-docs]

Reads ``<shared>/data/pdnc``, cross-validates with whole novels held out, prints the
held-out figures (a Markdown table on stdout, progress on stderr), writes the model file
(default: the one shipped in the package, ``ficnlp/data/models/speakers.json``) and
refreshes the ``train`` section of docs/benchmarks.md. Needs the ``train`` extra.
Details: :mod:`ficnlp.train.speakers`, docs/speakers.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources
from pathlib import Path

from ficnlp.commands._common import check_output, write_text
from ficnlp.errors import InputError

DEFAULT_DOCS = "docs/benchmarks.md"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``train`` command."""
    p = sub.add_parser(
        "train",
        help="rebuild the speaker model from PDNC (leave-novels-out cross-validation)",
        description="Train the speaker ranker on PDNC (../shared/data/pdnc) with whole novels held out, print "
        "the held-out figures, write the model file and refresh the 'train' section of docs/benchmarks.md. "
        "Needs the 'train' extra (pip install 'ficnlp[train]').",
    )
    p.add_argument(
        "--shared", default="../shared", help="the shared data folder holding data/pdnc (default: ../shared)"
    )
    p.add_argument("--folds", type=int, default=None, help="leave-novels-out folds (default: 7)")
    p.add_argument(
        "--out",
        default=None,
        help="where to write the model (default: the package's ficnlp/data/models/speakers.json, replaced in place)",
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing --out file")
    p.add_argument(
        "--update-docs",
        metavar="MD",
        default=None,
        help=f"refresh the 'train' section of this Markdown file (default: {DEFAULT_DOCS} when it exists)",
    )
    p.add_argument("--no-docs", action="store_true", help="do not touch any Markdown file")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress lines on stderr")
    p.set_defaults(func=run)


def _package_model_path() -> Path:
    from ficnlp.speaker_model import MODEL_FILE

    return Path(str(resources.files("ficnlp").joinpath(MODEL_FILE)))


def run(args: argparse.Namespace) -> int:
    """``ficnlp train``; returns the exit code."""
    from ficnlp.docsync import update_section
    from ficnlp.train.speakers import DEFAULT_FOLDS, train_markdown, train_speaker_model

    if args.update_docs and args.no_docs:
        raise InputError("--update-docs and --no-docs contradict each other: give one", source="ficnlp train")
    shared = Path(args.shared)
    pdnc = shared / "data" / "pdnc"
    if not (pdnc / "data").is_dir():
        raise InputError(
            f"PDNC not found at {pdnc}: pass --shared DIR, the folder holding data/pdnc (training needs the "
            "PDNC novels, which are not distributed with ficnlp)",
            source=str(shared),
        )
    if args.out is not None:
        out = Path(args.out)
        check_output(str(out), force=args.force, inputs=[])
    else:
        out = _package_model_path()
    docs = None if args.no_docs else args.update_docs or (DEFAULT_DOCS if Path(DEFAULT_DOCS).is_file() else None)

    def say(line: str) -> None:
        if not args.quiet:
            print(f"ficnlp train: {line}", file=sys.stderr, flush=True)

    result = train_speaker_model(pdnc, n_folds=args.folds or DEFAULT_FOLDS, progress=say)
    text = json.dumps(result.model, separators=(",", ":"), sort_keys=False) + "\n"
    write_text(str(out), text)
    say(f"wrote {out} ({len(text.encode()) / 1024:.0f} KiB)")
    command = f"ficnlp train --shared {args.shared}"
    shown = str(out) if args.out is not None else "src/ficnlp/data/models/speakers.json"
    md = train_markdown(result, command=command, model_path=shown, model_bytes=len(text.encode()))
    print(md)
    if docs:
        update_section(docs, "train", md)
        say(f"updated the train section of {docs}")
    return 0
