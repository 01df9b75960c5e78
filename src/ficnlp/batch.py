"""Corpus runs: analyse many story files into a Parquet dataset, resumably.

:func:`run_corpus` finds the story files under the inputs (files, folders, glob patterns),
skips the ones an earlier run finished, analyses the rest on an engine (a local process
pool by default, or Dask, see :mod:`ficnlp.engines`) and commits the results in batches
to the dataset described in :mod:`ficnlp.dataset`.

Guarantees:

- **Atomic batches.** A batch becomes visible whole or not at all (one directory rename),
  so killing the run at any moment, even with SIGKILL, loses at most the batch in flight
  and never leaves a half-written table or a duplicate row.
- **Resume.** A second run over the same output folder skips every input file recorded in
  the committed ``inputs`` tables (same absolute path, size and modification time) and
  analyses the rest. A file that changed since is analysed again as a new work.
- **One row set per work.** A work is identified by its content: ``work_id`` is the first
  16 hex digits of the SHA-256 of the file's bytes (:attr:`ficnlp.model.Story.id`). Two
  files with the same bytes are one work: the first in input order is analysed, the others
  are recorded in ``inputs`` with status ``duplicate`` and add no rows.
- **Failures are data.** A work that fails (an :class:`~ficnlp.errors.InputError` from the
  reader, a :class:`~ficnlp.errors.StageError`, any unexpected exception, or a worker
  process that dies) gets one row in the ``errors`` table (work, error kind, message,
  position) and the run goes on. A failed work counts as finished: a later run does not
  retry it (use a new output folder to retry).
- **Deterministic output.** Results are committed in input order whatever the engine, so
  two runs over the same inputs give the same tables (only ``inputs.seconds`` differs).

Input order: the inputs as given; a folder is walked recursively with entries sorted by
name, hidden entries (``.name``) and the output folder skipped, taking the files whose
suffix is in :data:`STORY_SUFFIXES`; a glob pattern's matches are sorted. A file named
explicitly is taken whatever its suffix.

Memory: the parent holds the ids of finished works and inputs as 64-bit integers in sorted
NumPy arrays (about 16 bytes per work: 240 MB for 15 million works), never the documents.
"""

from __future__ import annotations

import dataclasses
import glob
import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ficnlp import __version__, dataset
from ficnlp.config import Config
from ficnlp.errors import FicnlpError, InputError, StageError
from ficnlp.pipeline import analyze_story, build_pipeline
from ficnlp.read import read_story
from ficnlp.write.parquet import ALL_TABLES, empty_columns, rows_to_columns
from ficnlp.write.tables import TABLES, analysis_tables

__all__ = [
    "STORY_SUFFIXES",
    "CorpusProgress",
    "CorpusSummary",
    "WorkResult",
    "WorkTask",
    "analyze_input",
    "discover_inputs",
    "run_corpus",
]

logger = logging.getLogger(__name__)

#: File suffixes taken from folders and glob matches: every format ``ficnlp analyze`` reads.
STORY_SUFFIXES = (".txt", ".text", ".html", ".htm", ".xhtml", ".epub")

#: Default works per committed batch: large enough that a 15-million-work corpus makes
#: about 15,000 batch folders, small enough that a kill loses seconds of work on a 2-core
#: machine (~60 works/s per core for 1,000-word works; see docs/benchmarks.md).
DEFAULT_BATCH_SIZE = 1000
#: Default longest time between commits, in seconds, for corpora of long works.
DEFAULT_COMMIT_SECONDS = 60.0

_GLOB_CHARS = frozenset("*?[")


# ---------------------------------------------------------------------------- discovery


def _walk(folder: str, exclude: frozenset[str]) -> Iterator[str]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        raise InputError(f"cannot list the folder ({exc.strerror}): check its permissions", source=folder) from exc
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = os.path.join(folder, entry.name)  # noqa: PTH118 - str paths: this loop runs once per file
        try:
            if entry.is_dir(follow_symlinks=False):
                if os.path.realpath(path) not in exclude:
                    yield from _walk(path, exclude)
            elif entry.is_file() and entry.name.lower().endswith(STORY_SUFFIXES):
                yield path
        except OSError:  # pragma: no cover - an entry vanished while walking
            continue


def discover_inputs(inputs: Sequence[str], *, exclude: Sequence[str | os.PathLike[str]] = ()) -> Iterator[str]:
    """The story files named by ``inputs``, in a deterministic order.

    Args:
        inputs: files, folders (walked recursively) and glob patterns (``**`` recurses).
        exclude: folders never to descend into (the output folder).

    Yields:
        File paths, as given or joined onto the folder or pattern given (not resolved).

    Raises:
        InputError: an input is ``-``, does not exist, or a pattern matches nothing.
    """
    skip = frozenset(os.path.realpath(os.fspath(e)) for e in exclude)
    for arg in inputs:
        if arg == "-":
            raise InputError("a corpus cannot be read from standard input: give files, folders or patterns", source=arg)
        if Path(arg).is_dir():
            yield from _walk(arg, skip)
        elif Path(arg).is_file():
            yield arg
        elif _GLOB_CHARS & set(arg):
            matches = sorted(glob.glob(arg, recursive=True))  # noqa: PTH207 - Path.glob takes no absolute patterns
            if not matches:
                raise InputError(
                    "the pattern matches no file: check it (quote it so the shell leaves it alone)", source=arg
                )
            for m in matches:
                if Path(m).is_dir():
                    if os.path.realpath(m) not in skip:
                        yield from _walk(m, skip)
                elif m.lower().endswith(STORY_SUFFIXES):
                    yield m
        else:
            raise InputError("no such file or folder: check the path", source=arg)


# ------------------------------------------------------------------------------ workers


@dataclass(frozen=True, slots=True)
class WorkTask:
    """One input file to analyse (what is sent to a worker).

    Attributes:
        path: the path as discovered.
        abs_path: the absolute path (the resume key, with size and mtime).
        size_bytes: file size when discovered.
        mtime_ns: modification time when discovered, nanoseconds since the epoch.
        config: the settings.
        delay: seconds to wait after the work: a testing and demo aid only
            (``--delay-per-work``), so that a test can kill a run between batches.
    """

    path: str
    abs_path: str
    size_bytes: int
    mtime_ns: int
    config: Config
    delay: float = 0.0


@dataclass(frozen=True, slots=True)
class WorkResult:
    """What a worker sends back: the table rows of one work, or its error.

    Attributes:
        task: the task (without the document).
        work_id: the content id, or ``None`` when the file could not be read at all.
        tables: ``{table: {column: values}}`` for the layer tables, ``None`` on failure.
        error: ``{kind, stage, message, position}`` on failure, else ``None``.
        words: words in the story text (0 on failure).
        seconds: wall time spent on the work.
    """

    task: WorkTask
    work_id: str | None
    tables: dict[str, dict[str, list[Any]]] | None
    error: dict[str, Any] | None
    words: int
    seconds: float

    @property
    def ok(self) -> bool:
        """Whether the work was analysed."""
        return self.error is None


def _content_id(path: str, max_bytes: int) -> str | None:
    try:
        p = Path(path)
        if p.stat().st_size > max_bytes:
            return None
        return hashlib.sha256(p.read_bytes()).hexdigest()[:16]
    except OSError:
        return None


def _error_row(exc: BaseException, stage: str) -> dict[str, Any]:
    if isinstance(exc, StageError):
        return {"kind": "StageError", "stage": exc.stage, "message": str(exc), "position": None}
    if isinstance(exc, InputError):
        pos = None if exc.position is None else str(exc.position)
        return {"kind": type(exc).__name__, "stage": stage, "message": exc.message, "position": pos}
    if isinstance(exc, FicnlpError):
        return {"kind": type(exc).__name__, "stage": stage, "message": str(exc), "position": None}
    # Anything else is a bug in a stage or reader: recorded as a StageError, never fatal.
    return {"kind": "StageError", "stage": stage, "message": f"{type(exc).__name__}: {exc}", "position": None}


def analyze_input(task: WorkTask) -> WorkResult:
    """Read and analyse one input file; never raises for a bad or unlucky work.

    Runs in a worker (process pool or Dask). Sends back only the table rows
    (:func:`ficnlp.write.tables.analysis_tables`, as columns), not the document.

    Args:
        task: the file and the settings.

    Returns:
        The work's rows, or its error record (``kind`` is the error class name; any
        exception that is not a :class:`~ficnlp.errors.FicnlpError` is recorded as
        ``StageError`` with the original class in the message).
    """
    t0 = time.perf_counter()
    config = task.config
    stage = "read"
    work_id: str | None = None
    try:
        # Read by absolute path (a Dask worker may run elsewhere, in another folder); keep
        # the path as given in the tables.
        story = read_story(
            task.abs_path, format=config.format, encoding=config.encoding, max_bytes=config.max_input_bytes
        )
        story = dataclasses.replace(story, source=dataclasses.replace(story.source, path=task.path))
        work_id = story.id
        stage = "analyze"
        analysis = analyze_story(story, config)
        stage = "tables"
        rows = analysis_tables(analysis)
        tables = {t: rows_to_columns(t, rows.get(t, [])) for t in TABLES}
        words = int(rows["works"][0]["words"] or 0)
    except Exception as exc:
        if work_id is None:
            work_id = _content_id(task.abs_path, config.max_input_bytes)
        result = WorkResult(task, work_id, None, _error_row(exc, stage), 0, time.perf_counter() - t0)
    else:
        result = WorkResult(task, work_id, tables, None, words, time.perf_counter() - t0)
    if task.delay > 0:
        time.sleep(task.delay)
    return result


def _crash_result(task: WorkTask) -> WorkResult:
    error = {
        "kind": "WorkerCrash",
        "stage": None,
        "message": "the worker process died while analysing this work (killed, out of memory, or a crash in "
        "native code); the run went on without it",
        "position": None,
    }
    return WorkResult(task, _content_id(task.abs_path, task.config.max_input_bytes), None, error, 0, 0.0)


# ------------------------------------------------------------------------------- ledger


class _IdSet:
    """A set of 64-bit ids: a sorted NumPy array plus a small Python set merged into it."""

    _MERGE_AT = 1_000_000

    def __init__(self, values: Iterable[int] = ()) -> None:
        self._base = np.unique(np.fromiter(values, dtype=np.uint64))
        self._new: set[int] = set()

    def __contains__(self, value: int) -> bool:
        if value in self._new:
            return True
        i = int(np.searchsorted(self._base, np.uint64(value)))
        return i < len(self._base) and int(self._base[i]) == value

    def add(self, value: int) -> None:
        self._new.add(value)
        if len(self._new) >= self._MERGE_AT:
            self._base = np.union1d(self._base, np.fromiter(self._new, dtype=np.uint64))
            self._new.clear()

    def __len__(self) -> int:
        return len(self._base) + len(self._new)


def _id_int(work_id: str) -> int:
    return int(work_id[:16], 16)


def _input_key(abs_path: str, size: int, mtime_ns: int) -> int:
    blob = f"{abs_path}\0{size}\0{mtime_ns}".encode("utf-8", "surrogateescape")
    return int.from_bytes(hashlib.blake2b(blob, digest_size=8).digest(), "big")


@dataclass
class _Ledger:
    inputs: _IdSet
    works: _IdSet
    ok: int
    failed: int

    @classmethod
    def load(cls, out_dir: Path) -> _Ledger:
        keys: list[int] = []
        ids: list[int] = []
        ok = failed = 0
        for t in dataset.iter_batch_inputs(out_dir, ["abs_path", "size_bytes", "mtime_ns", "work_id", "status"]):
            cols = t.to_pydict()
            for path, size, mtime, wid, status in zip(
                cols["abs_path"], cols["size_bytes"], cols["mtime_ns"], cols["work_id"], cols["status"], strict=True
            ):
                keys.append(_input_key(path, size, mtime))
                if status != "duplicate" and wid is not None:
                    ids.append(_id_int(wid))
                ok += status == "ok"
                failed += status == "failed"
        return cls(_IdSet(keys), _IdSet(ids), ok, failed)


# -------------------------------------------------------------------------------- runner


@dataclass(frozen=True, slots=True)
class CorpusProgress:
    """A snapshot of a running corpus job, passed to the ``progress`` callback.

    Attributes:
        phase: ``counting`` (finding the inputs), ``running``, or ``done``.
        total: input files found, or ``None`` while counting.
        skipped: files finished by an earlier run and skipped.
        analysed: works analysed by this run.
        failed: works that failed in this run.
        duplicates: files whose content is a work already in the corpus.
        words: words analysed by this run.
        elapsed: seconds since the run started.
        work_seconds: seconds since the first work was sent to a worker (rates use this).
        batches: batches committed by this run.
        workers: tasks the engine runs at once.
    """

    phase: str
    total: int | None
    skipped: int
    analysed: int
    failed: int
    duplicates: int
    words: int
    elapsed: float
    work_seconds: float
    batches: int
    workers: int

    @property
    def done(self) -> int:
        """Input files dealt with so far (skipped ones included)."""
        return self.skipped + self.analysed + self.failed + self.duplicates

    @property
    def works_per_second(self) -> float:
        """Works (analysed, failed or duplicate) per second of this run."""
        n = self.analysed + self.failed + self.duplicates
        return n / self.work_seconds if self.work_seconds > 0 else 0.0

    @property
    def words_per_second(self) -> float:
        """Words analysed per second of this run."""
        return self.words / self.work_seconds if self.work_seconds > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        """Estimated seconds left, or ``None`` when unknown."""
        rate = self.works_per_second
        if self.total is None or rate <= 0:
            return None
        return max(0.0, (self.total - self.done) / rate)


@dataclass(frozen=True, slots=True)
class CorpusSummary:
    """The outcome of :func:`run_corpus`.

    Attributes:
        out_dir: the output folder.
        discovered: input files found by this run.
        skipped: of those, already finished by an earlier run.
        analysed: works analysed by this run.
        failed: works that failed in this run (rows in ``errors``).
        duplicates: files whose content was already a work of the corpus.
        batches: batches committed by this run.
        words: words analysed by this run.
        seconds: wall time of this run.
        works_total: analysed works in the corpus after the run.
        failed_total: failed works in the corpus after the run.
        cleaned: uncommitted batch folders of a killed run that were deleted.
    """

    out_dir: str
    discovered: int
    skipped: int
    analysed: int
    failed: int
    duplicates: int
    batches: int
    words: int
    seconds: float
    works_total: int
    failed_total: int
    cleaned: int = 0

    @property
    def exit_code(self) -> int:
        """0 when no work of the corpus failed, 3 when every work failed, else 1."""
        if self.failed_total == 0:
            return 0
        return 3 if self.works_total == 0 else 1


def _manifest(config: Config) -> dict[str, Any]:
    return {
        "format": dataset.FORMAT,
        "format_version": dataset.FORMAT_VERSION,
        "ficnlp_version": __version__,
        "config": dataclasses.asdict(config),
        "stages": {s.name: s.version for s in build_pipeline()},
        "tables": {name: list(cols) for name, cols in ALL_TABLES.items()},
    }


def _check_out_dir(out: Path) -> None:
    """Refuse an output that exists and is not a corpus folder (before anything is written there)."""
    if dataset.is_corpus_dir(out):
        return
    # A folder holding only the lock file is one whose first run died before its manifest.
    if out.exists() and (not out.is_dir() or any(p.name != ".lock" for p in out.iterdir())):
        raise InputError(
            "the output exists and is not a ficnlp corpus folder: give a new or empty folder", source=os.fspath(out)
        )
    out.mkdir(parents=True, exist_ok=True)


def _check_manifest(out: Path, config: Config) -> None:
    """Write the manifest of a new corpus folder, or check a resumed one's (under the lock)."""
    want = _manifest(config)
    if not dataset.is_corpus_dir(out):
        dataset.write_manifest(out, want)
        return
    have = dataset.read_manifest(out)
    for key in ("config", "stages", "tables"):
        if have.get(key) != want[key]:
            raise InputError(
                f"this corpus folder was made with other {key} ({have.get(key)} here, {want[key]} now): "
                "resume with the same settings and ficnlp version, or use a new output folder",
                source=os.fspath(out),
            )


def run_corpus(
    inputs: Sequence[str],
    out_dir: str | os.PathLike[str],
    *,
    config: Config | None = None,
    engine: Any = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    commit_seconds: float = DEFAULT_COMMIT_SECONDS,
    progress: Callable[[CorpusProgress], None] | None = None,
    count_inputs: bool = True,
    delay_per_work: float = 0.0,
) -> CorpusSummary:
    """Analyse every story file under ``inputs`` into the corpus folder ``out_dir``.

    Args:
        inputs: files, folders and glob patterns (see :func:`discover_inputs`).
        out_dir: the output folder: new, empty, or a corpus folder to resume.
        config: reading and analysis settings; a resumed folder must use the same ones.
        engine: where the works run (:mod:`ficnlp.engines`); default: a local pool with
            one worker process per core. An engine passed in is not closed.
        batch_size: works per committed batch (at least 1).
        commit_seconds: also commit when this many seconds passed since the last commit.
        progress: called with a :class:`CorpusProgress` after each work (from the calling
            thread); it should be quick.
        count_inputs: walk the inputs once first to know the total (for progress).
        delay_per_work: seconds each worker waits after each work. A testing aid (to kill
            a run deterministically between batches); leave it at 0.

    Returns:
        What this run did and what the corpus now holds; ``exit_code`` gives the CLI's
        exit status.

    Raises:
        InputError: an input does not exist, the output folder is not a corpus folder
            (or was made with other settings), or another run holds its lock.
        ValueError: ``batch_size`` below 1, ``commit_seconds`` not positive or
            ``delay_per_work`` negative.
        MissingExtraError: from a Dask engine when Dask is not installed.
        OSError: the output folder cannot be written.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if commit_seconds <= 0:
        raise ValueError(f"commit_seconds must be positive, got {commit_seconds}")
    if delay_per_work < 0:
        raise ValueError(f"delay_per_work must not be negative, got {delay_per_work}")
    config = config or Config()
    out = Path(out_dir)
    t_start = time.perf_counter()
    workers = engine.workers if engine is not None else 1
    state = {"skipped": 0, "analysed": 0, "failed": 0, "duplicates": 0, "words": 0, "batches": 0}
    t_work: list[float] = []

    def report(phase: str, total: int | None) -> None:
        if progress is not None:
            now = time.perf_counter()
            progress(
                CorpusProgress(
                    phase=phase, total=total, elapsed=now - t_start,
                    work_seconds=(now - t_work[0]) if t_work else 0.0, workers=workers, **state,
                )
            )  # fmt: skip

    total: int | None = None
    if count_inputs:
        report("counting", None)
        total = sum(1 for _ in discover_inputs(inputs, exclude=[out]))
        if total == 0:
            raise InputError(
                "found no story files (.txt, .html, .epub) in the inputs: check the paths", source=" ".join(inputs)
            )
    _check_out_dir(out)
    with dataset.CorpusLock(out):
        _check_manifest(out, config)
        cleaned = dataset.reset_staging(out)
        if cleaned:
            logger.info("deleted %d uncommitted batch folder(s) left by an interrupted run", cleaned)
        ledger = _Ledger.load(out)
        seq = dataset.next_batch_seq(out)
        own_engine = engine is None
        if engine is None:
            from ficnlp.engines import LocalEngine, default_jobs

            engine = LocalEngine(default_jobs())
        workers = engine.workers
        discovered = 0

        def tasks() -> Iterator[WorkTask]:
            nonlocal discovered
            for path in discover_inputs(inputs, exclude=[out]):
                discovered += 1
                abs_path = os.path.abspath(path)  # noqa: PTH100 - absolute, symlinks kept as given
                try:
                    st = os.stat(path)  # noqa: PTH116 - str paths: once per file
                    size, mtime = st.st_size, st.st_mtime_ns
                except OSError:
                    size, mtime = -1, -1
                if _input_key(abs_path, size, mtime) in ledger.inputs:
                    state["skipped"] += 1
                    report("running", total)
                    continue
                if not t_work:
                    t_work.append(time.perf_counter())
                yield WorkTask(path, abs_path, size, mtime, config, delay_per_work)

        buffer: list[tuple[WorkResult, str]] = []
        pending_ids: set[int] = set()
        last_commit = time.perf_counter()

        def commit() -> None:
            nonlocal seq, last_commit
            if buffer:
                _commit(out, seq, buffer, ledger)
                seq += 1
                state["batches"] += 1
                buffer.clear()
                pending_ids.clear()
            last_commit = time.perf_counter()

        try:
            for result in engine.map(analyze_input, tasks(), _crash_result):
                # Decided in input order, so the first file with some content is the work.
                wid = None if result.work_id is None else _id_int(result.work_id)
                if wid is not None and (wid in pending_ids or wid in ledger.works):
                    status = "duplicate"
                    state["duplicates"] += 1
                else:
                    if wid is not None:
                        pending_ids.add(wid)
                    status = "ok" if result.ok else "failed"
                    state["analysed" if result.ok else "failed"] += 1
                    state["words"] += result.words
                buffer.append((result, status))
                report("running", total)
                if len(buffer) >= batch_size or time.perf_counter() - last_commit >= commit_seconds:
                    commit()
            commit()
        except KeyboardInterrupt:
            commit()  # keep what is finished; the run can be resumed
            raise
        finally:
            if own_engine:
                engine.close()
        report("done", total)
    return CorpusSummary(
        out_dir=os.fspath(out),
        discovered=discovered,
        skipped=state["skipped"],
        analysed=state["analysed"],
        failed=state["failed"],
        duplicates=state["duplicates"],
        batches=state["batches"],
        words=state["words"],
        seconds=time.perf_counter() - t_start,
        works_total=ledger.ok,
        failed_total=ledger.failed,
        cleaned=cleaned,
    )


def _commit(out: Path, seq: int, results: list[tuple[WorkResult, str]], ledger: _Ledger) -> None:
    """Write ordered, classified results as one batch of every table, atomically; then update the ledger."""
    cols = {t: empty_columns(t) for t in ALL_TABLES}
    for r, status in results:
        if status == "ok" and r.tables is not None:
            for table, columns in r.tables.items():
                dest = cols[table]
                for column, values in columns.items():
                    dest[column].extend(values)
        elif status == "failed":
            err = r.error or {}
            row = {"work_id": r.work_id, "input_path": r.task.path, **err}
            for column, values in cols["errors"].items():
                values.append(row.get(column))
        row = {
            "input_path": r.task.path,
            "abs_path": r.task.abs_path,
            "size_bytes": r.task.size_bytes,
            "mtime_ns": r.task.mtime_ns,
            "work_id": r.work_id,
            "status": status,
            "words": r.words if status == "ok" else 0,
            "seconds": r.seconds,
        }
        for column, values in cols["inputs"].items():
            values.append(row[column])
    dataset.commit_batch(out, seq, cols)
    # Only after the rename: the ledger in memory follows what is on disk.
    for r, status in results:
        ledger.inputs.add(_input_key(r.task.abs_path, r.task.size_bytes, r.task.mtime_ns))
        if status != "duplicate" and r.work_id is not None:
            ledger.works.add(_id_int(r.work_id))
        ledger.ok += status == "ok"
        ledger.failed += status == "failed"
