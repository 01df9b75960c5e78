"""``ficnlp analyze STORY``: analyse a story; a summary on the terminal, JSON on request."""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from ficnlp.commands._common import add_reading_options, analyze_file, check_output, write_text
from ficnlp.commands._common import console as make_console
from ficnlp.model import Analysis


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``analyze`` command."""
    p = sub.add_parser(
        "analyze",
        help="analyse a story (txt, AO3/FanFicFare HTML or EPUB)",
        description="Analyse a story and print a summary; --json writes the full analysis.",
    )
    p.add_argument("story", help="story file (txt, html, epub), or - for stdin")
    p.add_argument("--json", metavar="OUT", help="write the full analysis as JSON (- for stdout)")
    p.add_argument("--html", metavar="OUT", help="write a self-contained HTML report")
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    p.add_argument("--quiet", "-q", action="store_true", help="no summary")
    add_reading_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``analyze``; returns the exit code."""
    for out in (args.json, args.html):
        if out:
            check_output(out, force=args.force, inputs=[args.story])
    analysis = analyze_file(args.story, args)
    if args.json:
        write_text(args.json, analysis.to_json())
    if args.html:
        from ficnlp.write.report import render_report

        write_text(args.html, render_report(analysis))
    if not args.quiet and args.json != "-":
        print_summary(analysis, file=sys.stdout)
    return 0


def print_summary(a: Analysis, file: object = None) -> None:
    """A human-readable summary of an analysis (for the terminal)."""
    from rich.table import Table

    console = make_console(file, highlight=False, soft_wrap=True)
    md = a.story.metadata
    title = md.title or a.story.source.path
    from ficnlp.write.tables import word_count

    words = word_count(a.text)
    console.print(
        f"[bold]{title}[/bold]  ({a.story.source.format}, {words:,} words, encoding {a.story.source.encoding})"
    )
    console.print(
        f"{len(a.chapters)} chapter(s), {len(a.scenes)} scene(s), {len(a.notes)} note(s), "
        f"{len(a.time_skips)} time skip(s), {len(a.lyrics)} lyrics block(s), {len(a.messages)} chat line(s)"
    )
    spoken = Counter(q.speaker_id for q in a.quotes)
    attributed = sum(v for k, v in spoken.items() if k is not None)
    console.print(f"{len(a.quotes)} quotation(s), {attributed} attributed; {len(a.characters)} character(s)")
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("id")
    table.add_column("character")
    table.add_column("aliases")
    table.add_column("gender")
    table.add_column("mentions", justify="right")
    table.add_column("quotes", justify="right")
    for c in sorted(a.characters, key=lambda c: (-spoken.get(c.id, 0), -c.mention_count, c.id))[:25]:
        name = c.name + (" (narrator)" if c.narrator else "")
        table.add_row(c.id, name, ", ".join(c.aliases[:6]), c.gender, str(c.mention_count), str(spoken.get(c.id, 0)))
    console.print(table)
    if a.rating is not None:
        r = a.rating
        declared = f" (declared: {r.declared})" if r.declared else ""
        console.print(
            f"rating estimate: [bold]{r.estimate}[/bold]{declared}; warnings: {', '.join(r.warnings)}; "
            f"advisories: {', '.join(r.advisories) or 'none'}; {len(r.evidence)} evidence span(s)"
        )
