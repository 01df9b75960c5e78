"""``ficnlp export STORY …``: tables, the character network and BookNLP-style files.

Outputs (any combination, at least one):

* ``--csv DIR``: one CSV per table (``characters.csv``, ``quotations.csv``,
  ``scenes.csv`` … and ``interactions.csv``), see :mod:`ficnlp.write.csv`;
* ``--graphml FILE`` / ``--gexf FILE``: the character network for Gephi, see
  :mod:`ficnlp.write.graph`; ``--network-weight`` picks the edge weight;
* ``--booknlp PREFIX``: ``PREFIX.tokens``, ``PREFIX.entities``, ``PREFIX.quotes``, see
  :mod:`ficnlp.write.booknlp`.

Columns are described in ``docs/exports.md``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ficnlp.commands._common import add_reading_options, check_output
from ficnlp.commands.report import load_analysis
from ficnlp.network import WEIGHTS


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``export`` command."""
    p = sub.add_parser(
        "export",
        help="write CSV tables, GraphML/GEXF networks or BookNLP-style TSV files",
        description="Analyse a story (or read a saved analysis JSON) and export it for other tools.",
    )
    p.add_argument("story", help="story file (txt, html, epub), - for stdin, or an analysis .json")
    p.add_argument("--csv", metavar="DIR", help="write one CSV file per table into DIR")
    p.add_argument("--graphml", metavar="FILE", help="write the character network as GraphML")
    p.add_argument("--gexf", metavar="FILE", help="write the character network as GEXF (Gephi)")
    p.add_argument("--booknlp", metavar="PREFIX", help="write PREFIX.tokens, PREFIX.entities and PREFIX.quotes")
    p.add_argument(
        "--network-weight",
        default="spoke_to",
        choices=WEIGHTS,
        help="edge weight of the network: quotations addressed (spoke_to, default) or shared scenes (co_scenes)",
    )
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    add_reading_options(p)
    p.set_defaults(func=run, parser=p)


def _targets(args: argparse.Namespace) -> list[str]:
    from ficnlp.write.csv import CSV_TABLES

    out = []
    if args.csv:
        out += [str(Path(args.csv) / f"{t}.csv") for t in CSV_TABLES]
    for f in (args.graphml, args.gexf):
        if f:
            out.append(f)
    if args.booknlp:
        out += [f"{args.booknlp}.{ext}" for ext in ("tokens", "entities", "quotes")]
    return out


def run(args: argparse.Namespace) -> int:
    """Run ``export``; returns the exit code."""
    if not (args.csv or args.graphml or args.gexf or args.booknlp):
        args.parser.error("nothing to export: give --csv, --graphml, --gexf and/or --booknlp")
    targets = _targets(args)
    if "-" in targets:
        args.parser.error("export writes files only; - (stdout) is not supported here")
    for t in targets:
        check_output(t, force=args.force, inputs=[args.story])
    a = load_analysis(args.story, args)
    written = []
    if args.csv:
        from ficnlp.write.csv import write_csv

        written += write_csv(a, args.csv)
    if args.graphml:
        from ficnlp.write.graph import write_graphml

        written.append(write_graphml(a, args.graphml, weight=args.network_weight))
    if args.gexf:
        from ficnlp.write.graph import write_gexf

        written.append(write_gexf(a, args.gexf, weight=args.network_weight))
    if args.booknlp:
        from ficnlp.write.booknlp import write_booknlp

        written += write_booknlp(a, args.booknlp)
    for p in written:
        print(f"ficnlp: wrote {p}", file=sys.stderr)
    return 0
