"""``ficnlp eval``: score quotations, speakers, addressees and characters against gold data.

Subcommands::

    ficnlp eval pdnc DIR [--novels A,B]          PDNC novels (DIR: ../shared/data/pdnc)
    ficnlp eval litbank DIR [--works A,B]        LitBank quotations (DIR: ../shared/data/litbank)
    ficnlp eval gold FILE.json... [--shared DIR] our own gold files (docs/eval.md)
    ficnlp eval all --shared DIR [--update-docs docs/benchmarks.md]

Each prints a table (rich) to stdout; ``--json OUT`` writes the figures as JSON. The
exit code is 1 when a document could not be analysed or scored.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ficnlp.commands._common import check_output, write_text
from ficnlp.errors import InputError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``eval`` command and its subcommands."""
    p = sub.add_parser(
        "eval",
        help="evaluate quotations and speakers against gold data (PDNC, LitBank, our gold files)",
        description="Evaluate quotation finding, speaker and addressee attribution and character "
        "clustering against gold annotations. Definitions: docs/eval.md.",
    )
    evsub = p.add_subparsers(dest="dataset", metavar="DATASET")
    evsub.required = True

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--json", metavar="OUT", help="write the figures as JSON (- for stdout)")
        q.add_argument(
            "--records",
            metavar="OUT",
            help="write one JSON line per gold quotation (offsets, gold and predicted speakers; no text)",
        )
        q.add_argument("--force", action="store_true", help="overwrite an existing --json file")
        q.add_argument("--quiet", "-q", action="store_true", help="no progress lines on stderr")

    q = evsub.add_parser("pdnc", help="PDNC novels", description="Evaluate on PDNC (../shared/data/pdnc).")
    q.add_argument("dir", help="the PDNC folder (holding data/<Novel>/) or its data/ folder")
    q.add_argument("--novels", metavar="A,B", help="comma-separated novel folder names (default: all)")
    common(q)
    q.set_defaults(func=run_pdnc)

    q = evsub.add_parser(
        "litbank", help="LitBank quotations", description="Evaluate on LitBank quotations (../shared/data/litbank)."
    )
    q.add_argument("dir", help="the LitBank folder (holding quotations/, coref/, original/)")
    q.add_argument(
        "--works", metavar="A,B", help="comma-separated work names, e.g. 1342_pride_and_prejudice (default: all)"
    )
    common(q)
    q.set_defaults(func=run_litbank)

    q = evsub.add_parser(
        "gold", help="our gold files", description="Evaluate on ficnlp gold files (schema ficnlp-gold/1, docs/eval.md)."
    )
    q.add_argument("files", nargs="+", metavar="FILE.json", help="gold files")
    q.add_argument("--shared", default="../shared", help="the folder gold sources are relative to (default: ../shared)")
    common(q)
    q.set_defaults(func=run_gold)

    q = evsub.add_parser(
        "all", help="PDNC, LitBank and our gold files (make eval)", description="Run every evaluation over ../shared."
    )
    q.add_argument("--shared", default="../shared", help="the shared data folder (default: ../shared)")
    q.add_argument(
        "--gold-dir", default="tests/data/eval", help="where *.gold.json files live (default: tests/data/eval)"
    )
    q.add_argument("--update-docs", metavar="MD", help="refresh the 'eval' section of this Markdown file")
    common(q)
    q.set_defaults(func=run_all)


def _console(stream: Any = None) -> Any:
    from ficnlp.commands._common import console

    return console(stream or sys.stdout, highlight=False, width=200)


def _progress(args: argparse.Namespace) -> Any:
    if args.quiet:
        return None

    def show(d: Any) -> None:
        if d.error:
            print(f"ficnlp eval: {d.doc.id}: ERROR {d.error}", file=sys.stderr)
        else:
            f = d.figures()
            spk = f["speaker_accuracy"]
            print(
                f"ficnlp eval: {d.doc.id}: {d.counts.gold_quotes} gold quotes, "
                f"speaker accuracy {'–' if spk is None else f'{spk:.3f}'} ({d.seconds:.1f} s)",
                file=sys.stderr,
            )

    return show


def _finish(args: argparse.Namespace, results: list[Any], remarks: list[str], inputs: list[str]) -> int:
    from ficnlp.eval.report import render_console, results_to_json

    # With JSON or records on stdout, the table goes to stderr so stdout stays parseable.
    console = _console(sys.stderr if "-" in (args.json, args.records) else sys.stdout)
    for r in results:
        render_console(r, console, per_document=r.dataset != "litbank" or len(r.documents) <= 10)
        console.print()
    for remark in remarks:
        console.print(remark)
    if args.records:
        from ficnlp.eval.report import records_to_jsonl

        write_text(args.records, records_to_jsonl(results))
    if args.json:
        write_text(
            args.json, json.dumps(results_to_json(results, remarks=remarks), indent=2, ensure_ascii=False) + "\n"
        )
    return 1 if any(r.errors for r in results) else 0


def _check_outputs(args: argparse.Namespace, inputs: list[str]) -> None:
    for out in (args.json, args.records):
        if out:
            check_output(out, force=args.force, inputs=inputs)


def _speaker_model_remarks(results: list[Any]) -> list[str]:
    """Say which speaker-model forest scored the PDNC novels (a fold's forest never saw its novels)."""
    from ficnlp.speaker_model import held_out_summary

    texts = [d.doc.text for r in results for d in r.documents if d.error is None]
    return [f"pdnc {held_out_summary(texts)}"] if texts else []


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def run_pdnc(args: argparse.Namespace) -> int:
    """``ficnlp eval pdnc``; returns the exit code."""
    from ficnlp.eval.pdnc import evaluate_pdnc

    _check_outputs(args, [])
    res = evaluate_pdnc(args.dir, novels=_split(args.novels), progress=_progress(args))
    return _finish(args, [res], _speaker_model_remarks([res]), [args.dir])


def run_litbank(args: argparse.Namespace) -> int:
    """``ficnlp eval litbank``; returns the exit code."""
    from ficnlp.eval.litbank import evaluate_litbank

    _check_outputs(args, [])
    res = evaluate_litbank(args.dir, works=_split(args.works), progress=_progress(args))
    return _finish(args, [res], [], [args.dir])


def run_gold(args: argparse.Namespace) -> int:
    """``ficnlp eval gold``; returns the exit code."""
    from ficnlp.eval.gold import evaluate_gold

    _check_outputs(args, args.files)
    res = evaluate_gold(args.files, shared=args.shared, progress=_progress(args))
    return _finish(args, [res], [], args.files)


def run_all(args: argparse.Namespace) -> int:
    """``ficnlp eval all``: PDNC, LitBank and the gold files; refreshes the docs section."""
    from ficnlp.docsync import update_section
    from ficnlp.eval.gold import evaluate_gold, find_gold_files
    from ficnlp.eval.litbank import evaluate_litbank
    from ficnlp.eval.pdnc import evaluate_pdnc
    from ficnlp.eval.report import results_to_markdown

    shared = Path(args.shared)
    if not shared.is_dir():
        raise InputError(
            "the shared data folder does not exist: pass --shared DIR (it holds data/pdnc and data/litbank)",
            source=str(shared),
        )
    _check_outputs(args, [])
    progress = _progress(args)
    results = []
    remarks = []
    pdnc, litbank = shared / "data" / "pdnc", shared / "data" / "litbank"
    if (pdnc / "data").is_dir():
        results.append(evaluate_pdnc(pdnc, progress=progress))
    else:
        remarks.append(f"pdnc: not found at {pdnc}")
    if (litbank / "quotations").is_dir():
        results.append(evaluate_litbank(litbank, progress=progress))
    else:
        remarks.append(f"litbank: not found at {litbank}")
    remarks += _speaker_model_remarks([r for r in results if r.dataset == "pdnc"])
    gold_files = find_gold_files(args.gold_dir)
    if gold_files:
        results.append(evaluate_gold(gold_files, shared=shared, progress=progress))
    else:
        remarks.append(f"gold: no gold file found in {args.gold_dir} (*.gold.json)")
    code = _finish(args, results, remarks, [])
    if args.update_docs:
        command = "ficnlp eval all --shared " + args.shared + " --update-docs " + args.update_docs
        update_section(args.update_docs, "eval", results_to_markdown(results, command=command, remarks=remarks))
        print(f"ficnlp eval: updated the eval section of {args.update_docs}", file=sys.stderr)
    return code
