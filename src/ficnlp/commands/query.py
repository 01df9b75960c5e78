"""``ficnlp query OUT_DIR "SQL"``: run DuckDB SQL over the tables of a corpus."""

from __future__ import annotations

import argparse
import csv
import sys
from typing import Any

from ficnlp.errors import InputError

DESCRIPTION = """\
Run an SQL query (DuckDB dialect) over the tables of a corpus folder made by
`ficnlp corpus` (or over a database made with its --duckdb option). Tables: works,
characters, quotations, chapters, scenes, notes, ratings, evidence, errors, inputs.
`end` is an SQL keyword: write "end".

example: each character's share of the dialogue per work
  ficnlp query out "SELECT w.title, q.speaker_name, sum(q.words) AS words,
    round(100.0 * sum(q.words) / sum(sum(q.words)) OVER (PARTITION BY q.work_id), 1) AS pct
    FROM quotations q JOIN works w USING (work_id) WHERE q.speaker_id IS NOT NULL
    GROUP BY w.title, q.work_id, q.speaker_name ORDER BY w.title, words DESC"
"""


def _nonnegative_int(value: str) -> int:
    n = int(value)
    if n < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {n}")
    return n


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``query`` command."""
    p = sub.add_parser(
        "query",
        help="run DuckDB SQL over the tables of a corpus",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("corpus", metavar="OUT_DIR", help="a corpus folder (or a --duckdb database file)")
    p.add_argument("sql", metavar="SQL", help="the query")
    p.add_argument("--csv", metavar="OUT", help="write the result as CSV (- for stdout) instead of a table")
    p.add_argument("--force", action="store_true", help="overwrite an existing --csv file")
    p.add_argument("--max-rows", type=_nonnegative_int, default=50, help="rows shown in the table (default 50; 0: all)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``query``; returns the exit code (2 for a bad query)."""
    import duckdb

    from ficnlp.commands._common import check_output
    from ficnlp.dataset import connect

    if args.csv:
        check_output(args.csv, force=args.force, inputs=[])
    con = connect(args.corpus)
    try:
        try:
            cur = con.execute(args.sql)
        except duckdb.Error as exc:
            raise InputError(f"the query failed: {exc}", source="SQL") from exc
        if cur.description is None:
            return 0
        columns = [d[0] for d in cur.description]
        if args.csv:
            _write_csv(cur, columns, args.csv)
        else:
            _print_table(cur, columns, args.max_rows)
    finally:
        con.close()
    return 0


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join("" if v is None else str(v) for v in value)
    return value


def _write_csv(cur: Any, columns: list[str], path: str) -> None:
    from pathlib import Path

    if path == "-":
        fh = sys.stdout
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fh = open(path, "w", encoding="utf-8", newline="")
    try:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(columns)
        while rows := cur.fetchmany(10_000):
            w.writerows([_cell(v) for v in row] for row in rows)
    finally:
        if fh is not sys.stdout:
            fh.close()


def _print_table(cur: Any, columns: list[str], max_rows: int) -> None:
    from rich.table import Table

    from ficnlp.commands._common import console as make_console

    rows = cur.fetchall() if max_rows == 0 else cur.fetchmany(max_rows + 1)
    more = max_rows != 0 and len(rows) > max_rows
    rows = rows[:max_rows] if more else rows
    console = make_console(sys.stdout, highlight=False, soft_wrap=True)
    cells = [["" if v is None else str(_cell(v)) for v in row] for row in rows]
    if sum(min(len(c), 12) + 3 for c in columns) > console.width:
        # Too many columns for the terminal: one block per row, a line per column (like
        # psql's expanded display), rather than columns squeezed to one letter.
        width = max(len(c) for c in columns)
        for k, row_cells in enumerate(cells):
            console.print(f"[bold]-- row {k + 1}[/bold]")
            for c, v in zip(columns, row_cells, strict=True):
                console.print(f"{c.ljust(width)} | {v}", markup=False)
    else:
        table = Table(show_edge=False, pad_edge=False)
        for c in columns:
            table.add_column(c, min_width=min(len(c), 12), overflow="fold")
        for row_cells in cells:
            table.add_row(*row_cells)
        console.print(table)
    if more:
        print(f"(first {max_rows} rows shown: use --max-rows 0 for all, or --csv)", file=sys.stderr)
