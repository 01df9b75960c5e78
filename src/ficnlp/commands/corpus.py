"""``ficnlp corpus INPUTS… -o OUT_DIR``: analyse many stories into a Parquet dataset (resumable)."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import time
from typing import IO, Any

from ficnlp.batch import DEFAULT_BATCH_SIZE, DEFAULT_COMMIT_SECONDS, CorpusProgress, run_corpus
from ficnlp.commands._common import add_reading_options, config_from
from ficnlp.errors import InputError

DESCRIPTION = """\
Analyse every story under INPUTS (files, folders, glob patterns; txt, html, epub) and
write one Parquet table per layer under OUT_DIR (works, characters, quotations, chapters,
scenes, notes, ratings, evidence, plus errors and inputs). Results are committed in
batches; run the same command again to resume after an interruption. Query the result
with `ficnlp query OUT_DIR "SQL"`. See docs/corpus.md.
"""

EPILOG = (
    "exit codes: 0 every work analysed, 1 some works failed (see the errors table), 2 usage error, 3 every work failed"
)


def _positive_int(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _positive_float(value: str) -> float:
    x = float(value)
    if x <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {x}")
    return x


def _nonnegative_float(value: str) -> float:
    x = float(value)
    if x < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {x}")
    return x


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``corpus`` command."""
    p = sub.add_parser(
        "corpus",
        help="analyse many stories into Parquet tables (resumable; local processes or Dask)",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "inputs", nargs="+", metavar="INPUT", help="story files, folders (recursive) or quoted glob patterns"
    )
    p.add_argument("-o", "--out", required=True, metavar="OUT_DIR", help="output folder (new, empty, or one to resume)")
    p.add_argument("--duckdb", metavar="FILE", help="also load every table into this DuckDB database file")
    p.add_argument("--force", action="store_true", help="replace an existing --duckdb file")
    p.add_argument(
        "-j", "--jobs", type=_positive_int, default=None, help="worker processes (default: the number of cores)"
    )
    p.add_argument(
        "--dask", action="store_true", help="run on a Dask LocalCluster of --jobs workers (needs ficnlp[dask])"
    )
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask cluster, e.g. tcp://10.0.0.5:8786")
    p.add_argument(
        "--batch-size",
        type=_positive_int,
        default=DEFAULT_BATCH_SIZE,
        help=f"works per committed batch (default {DEFAULT_BATCH_SIZE})",
    )
    p.add_argument(
        "--commit-seconds",
        type=_positive_float,
        default=DEFAULT_COMMIT_SECONDS,
        help=f"commit at least this often, in seconds (default {DEFAULT_COMMIT_SECONDS:g})",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress display on stderr")
    # Testing aid (docs/corpus.md): each worker sleeps this long after each work, so a test can
    # kill a run between two commits deterministically. Hidden from --help.
    p.add_argument("--delay-per-work", type=_nonnegative_float, default=0.0, help=argparse.SUPPRESS)
    add_reading_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``corpus``; returns the exit code."""
    from pathlib import Path

    if args.duckdb:
        db = Path(args.duckdb)
        if db.exists() and not args.force:
            raise InputError("the DuckDB file exists: pass --force to replace it", source=args.duckdb)
    config = config_from(args)
    if args.dask or args.scheduler:
        # Dask sets its loggers to INFO when imported and logs the cluster's life there;
        # show that only with -vv. (Without Dask, make_engine raises MissingExtraError below.)
        with contextlib.suppress(ImportError):
            import distributed  # noqa: F401

            logging.getLogger("distributed").setLevel(logging.INFO if args.verbose >= 2 else logging.WARNING)
    from ficnlp.engines import make_engine

    engine = make_engine(jobs=args.jobs, dask=args.dask, scheduler=args.scheduler)
    show = None if args.no_progress else _ProgressDisplay(sys.stderr)
    try:
        summary = run_corpus(
            args.inputs,
            args.out,
            config=config,
            engine=engine,
            batch_size=args.batch_size,
            commit_seconds=args.commit_seconds,
            progress=show,
            delay_per_work=args.delay_per_work,
        )
    finally:
        if show is not None:
            show.close()
        engine.close()
    if args.duckdb:
        from ficnlp.dataset import load_duckdb

        load_duckdb(args.out, args.duckdb)
    rate = summary.analysed / summary.seconds if summary.seconds > 0 else 0.0
    print(
        f"{summary.analysed} work(s) analysed, {summary.failed} failed, {summary.duplicates} duplicate(s), "
        f"{summary.skipped} already done; {summary.words:,} words in {summary.seconds:.1f} s ({rate:.1f} works/s). "
        f"The corpus holds {summary.works_total} work(s) and {summary.failed_total} failure(s): {args.out}"
        + (f", {args.duckdb}" if args.duckdb else "")
    )
    if summary.failed_total:
        print(f'see the failures: ficnlp query {args.out} "SELECT * FROM errors"', file=sys.stderr)
    return summary.exit_code


def _hms(seconds: float | None) -> str:
    if seconds is None:
        return "-:--:--"
    s = int(seconds + 0.5)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


class _ProgressDisplay:
    """A rich progress bar on a terminal; a plain line every few seconds otherwise."""

    #: Seconds between plain progress lines when stderr is not a terminal.
    PLAIN_EVERY = 10.0

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self._last = 0.0
        self._progress: Any = None
        self._task: Any = None
        if self.tty:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rates]}"),
                TextColumn("ETA {task.fields[eta]}"),
                console=Console(file=stream),
                transient=False,
            )
            self._task = self._progress.add_task("counting", total=None, rates="", eta=_hms(None))
            self._progress.start()

    def __call__(self, p: CorpusProgress) -> None:
        now = time.monotonic()
        final = p.phase == "done"
        if self._progress is not None:
            if not final and now - self._last < 0.1:
                return
            self._last = now
            rates = f"{p.works_per_second:6.1f} works/s {p.words_per_second:9,.0f} words/s  {p.failed} failed" + (
                f", {p.duplicates} duplicate(s)" if p.duplicates else ""
            )
            self._progress.update(
                self._task, description=p.phase, total=p.total, completed=p.done, rates=rates, eta=_hms(p.eta_seconds)
            )
            return
        if not final and now - self._last < self.PLAIN_EVERY:
            return
        self._last = now
        total = "?" if p.total is None else str(p.total)
        print(
            f"ficnlp corpus: {p.phase}: {p.done}/{total} files ({p.skipped} skipped, {p.failed} failed, "
            f"{p.duplicates} duplicate(s)), "
            f"{p.works_per_second:.1f} works/s, {p.words_per_second:,.0f} words/s, ETA {_hms(p.eta_seconds)}",
            file=self.stream,
            flush=True,
        )

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
