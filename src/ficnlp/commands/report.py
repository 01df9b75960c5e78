"""``ficnlp report STORY -o report.html``: a self-contained HTML report of one story.

STORY is a story file (txt, html, epub; ``-`` for stdin) or an analysis JSON written by
``ficnlp analyze --json`` (recognised by its ``.json`` suffix), so a saved analysis can be
reported without analysing again.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ficnlp.commands._common import add_reading_options, analyze_file, check_output, write_text
from ficnlp.errors import InputError
from ficnlp.model import Analysis


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``report`` command."""
    p = sub.add_parser(
        "report",
        help="write a self-contained HTML report of a story",
        description="Analyse a story (or read a saved analysis JSON) and write one HTML file that works offline: "
        "the annotated text, characters, dialogue and presence charts, the interaction network and the rating.",
    )
    p.add_argument("story", help="story file (txt, html, epub), - for stdin, or an analysis .json")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="the HTML file to write (- for stdout)")
    p.add_argument("--force", action="store_true", help="overwrite an existing output file")
    add_reading_options(p)
    p.set_defaults(func=run)


def load_analysis(story: str, args: argparse.Namespace) -> Analysis:
    """Analyse ``story``, or read it as a saved analysis when it is a ``.json`` file.

    Raises:
        InputError: the story cannot be read, or the JSON is not a ficnlp analysis.
    """
    if story != "-" and story.lower().endswith(".json"):
        path = Path(story)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read the analysis JSON ({exc.strerror})", source=story) from exc
        return Analysis.from_json(data)
    return analyze_file(story, args)


def run(args: argparse.Namespace) -> int:
    """Run ``report``; returns the exit code."""
    from ficnlp.write.report import render_report

    check_output(args.output, force=args.force, inputs=[args.story])
    write_text(args.output, render_report(load_analysis(args.story, args)))
    return 0
