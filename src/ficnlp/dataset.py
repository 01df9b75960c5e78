"""The on-disk corpus dataset: committed batches of Parquet tables, read back or loaded into DuckDB.

Layout of an output folder (``OUT_DIR``)::

    OUT_DIR/
      ficnlp-corpus.json       manifest: format version, settings, stage versions, tables
      .lock                    held (flock) while a run writes to the folder
      .staging/                batches being written; emptied when a run starts
      batches/
        00000000/              one committed batch: a Parquet file per table
          works.parquet  characters.parquet  quotations.parquet  chapters.parquet
          scenes.parquet  notes.parquet  ratings.parquet  evidence.parquet
          errors.parquet  inputs.parquet
        00000001/
        …

A batch is written into ``.staging/<seq>/`` (each file fsynced), then the folder is
renamed to ``batches/<seq>/`` in one ``rename(2)``, and ``batches/`` is fsynced. A
rename is atomic, so a batch folder under ``batches/`` is complete by construction:
every table of the batch is visible, or none. A crash (even SIGKILL) at any moment
leaves at worst a half-written folder under ``.staging/``, which no reader looks at and
the next run deletes. The ledger of finished works is the ``inputs`` table of the
committed batches themselves, so it can never disagree with the data.

Every table is the concatenation of its file in each committed batch, in batch order;
a work appears in exactly one batch (the runner drops duplicates before committing),
so nothing needs deduplicating when reading.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from ficnlp.errors import InputError
from ficnlp.write.parquet import ALL_TABLES, columns_to_arrow, table_schema, write_parquet

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST",
    "CorpusLock",
    "batch_dirs",
    "commit_batch",
    "connect",
    "is_corpus_dir",
    "iter_batch_inputs",
    "load_duckdb",
    "next_batch_seq",
    "read_manifest",
    "read_table",
    "reset_staging",
    "table_files",
    "write_manifest",
]

#: Name of the manifest file in an output folder.
MANIFEST = "ficnlp-corpus.json"
#: ``format`` value of the manifest.
FORMAT = "ficnlp-corpus"
#: Bumped when the layout or a table's meaning changes.
FORMAT_VERSION = 1

_BATCHES = "batches"
_STAGING = ".staging"
_LOCK = ".lock"
_SEQ = re.compile(r"^\d{8}$")


def is_corpus_dir(out_dir: str | os.PathLike[str]) -> bool:
    """Whether ``out_dir`` holds a ficnlp corpus manifest."""
    return (Path(out_dir) / MANIFEST).is_file()


def read_manifest(out_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of a corpus folder.

    Raises:
        InputError: the folder is not a ficnlp corpus (no or unreadable manifest).
    """
    p = Path(out_dir) / MANIFEST
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(
            f"not a ficnlp corpus folder (no {MANIFEST}): give the -o folder of `ficnlp corpus`",
            source=os.fspath(out_dir),
        ) from exc
    except (OSError, ValueError) as exc:
        raise InputError(
            f"cannot read {MANIFEST} ({exc}): the folder is damaged; run the corpus again into a new folder",
            source=os.fspath(out_dir),
        ) from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"{MANIFEST} is not a ficnlp corpus manifest", source=os.fspath(p))
    if data.get("format_version") != FORMAT_VERSION:
        raise InputError(
            f"corpus format version {data.get('format_version')} is not {FORMAT_VERSION}: "
            "run the corpus again into a new folder with this ficnlp",
            source=os.fspath(p),
        )
    return data


def write_manifest(out_dir: str | os.PathLike[str], manifest: Mapping[str, Any]) -> None:
    """Write the manifest atomically (temporary file, fsync, rename)."""
    d = Path(out_dir)
    tmp = d / (MANIFEST + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(dict(manifest), fh, indent=2, sort_keys=True, ensure_ascii=False)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(d / MANIFEST)
    _fsync_dir(d)


class CorpusLock:
    """An exclusive lock on an output folder, held while a run writes to it.

    Uses ``flock`` on ``OUT_DIR/.lock``; the operating system releases it when the process
    dies, even by SIGKILL, so a crashed run never leaves a stale lock. On systems without
    ``fcntl`` (Windows) the lock is advisory only and not enforced.

    Raises:
        InputError: (on ``__enter__``) another process holds the lock.
    """

    def __init__(self, out_dir: str | os.PathLike[str]) -> None:
        self.path = Path(out_dir) / _LOCK
        self._fh: IO[str] | None = None

    def __enter__(self) -> CorpusLock:
        self._fh = self.path.open("a+", encoding="utf-8")
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return self
        try:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            self._fh.close()
            self._fh = None
            raise InputError(
                "another `ficnlp corpus` run is writing to this folder: wait for it to finish or use another -o",
                source=os.fspath(self.path.parent),
            ) from exc
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            self._fh.close()  # closing the descriptor releases the flock
            self._fh = None


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":  # pragma: no cover - directories cannot be fsynced on Windows
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def reset_staging(out_dir: str | os.PathLike[str]) -> int:
    """Delete what a killed run left half-written under ``.staging/``; create the folders.

    Returns:
        The number of uncommitted batch folders deleted.
    """
    d = Path(out_dir)
    staging = d / _STAGING
    removed = 0
    if staging.is_dir():
        for child in staging.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
            removed += 1
    staging.mkdir(parents=True, exist_ok=True)
    (d / _BATCHES).mkdir(parents=True, exist_ok=True)
    return removed


def batch_dirs(out_dir: str | os.PathLike[str]) -> list[Path]:
    """The committed batch folders, in commit order (``batches/<8 digits>/``)."""
    b = Path(out_dir) / _BATCHES
    if not b.is_dir():
        return []
    return sorted(p for p in b.iterdir() if _SEQ.match(p.name) and p.is_dir())


def next_batch_seq(out_dir: str | os.PathLike[str]) -> int:
    """The sequence number the next committed batch gets."""
    dirs = batch_dirs(out_dir)
    return int(dirs[-1].name) + 1 if dirs else 0


def commit_batch(out_dir: str | os.PathLike[str], seq: int, columns: Mapping[str, Mapping[str, Sequence[Any]]]) -> Path:
    """Write one batch of every table and make it visible atomically.

    Args:
        out_dir: the corpus folder (prepared by :func:`reset_staging`).
        seq: the batch's sequence number (:func:`next_batch_seq`).
        columns: ``{table: {column: values}}`` for every table of
            :data:`~ficnlp.write.parquet.ALL_TABLES` (empty tables included).

    Returns:
        The committed folder ``batches/<seq>/``.

    Raises:
        FileExistsError: a batch with that number is already committed.
        OSError: a file cannot be written; nothing becomes visible then.
    """
    d = Path(out_dir)
    name = f"{seq:08d}"
    final = d / _BATCHES / name
    if final.exists():
        raise FileExistsError(f"batch {name} is already committed in {d}")
    stage = d / _STAGING / name
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    for table in ALL_TABLES:
        write_parquet(columns_to_arrow(table, columns[table]), stage / f"{table}.parquet")
    _fsync_dir(stage)
    stage.rename(final)
    _fsync_dir(final.parent)
    return final


def table_files(out_dir: str | os.PathLike[str], table: str) -> list[Path]:
    """The part files of one table, one per committed batch, in batch order.

    Raises:
        KeyError: ``table`` is not a corpus table.
    """
    if table not in ALL_TABLES:
        raise KeyError(f"unknown table {table!r}: choose from {', '.join(ALL_TABLES)}")
    return [b / f"{table}.parquet" for b in batch_dirs(out_dir)]


def read_table(out_dir: str | os.PathLike[str], table: str, columns: Sequence[str] | None = None) -> pa.Table:
    """One table of a corpus as an Arrow table: every committed batch, in order.

    Args:
        out_dir: the corpus folder.
        table: a key of :data:`~ficnlp.write.parquet.ALL_TABLES`.
        columns: read only these columns (default: all).

    Returns:
        The rows of every committed batch, batch after batch; an empty table with the
        right schema when nothing is committed yet.

    Raises:
        KeyError: ``table`` is not a corpus table.
    """
    schema = table_schema(table)
    if columns is not None:
        schema = pa.schema([schema.field(c) for c in columns])
    parts = [
        pq.read_table(f, columns=list(columns) if columns is not None else None) for f in table_files(out_dir, table)
    ]
    if not parts:
        return schema.empty_table()
    return pa.concat_tables(parts)


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _create(con: Any, out_dir: Path, kind: str) -> None:
    """Create a view (or table) per corpus table in a DuckDB connection."""
    for table in ALL_TABLES:
        files = table_files(out_dir, table)
        if files:
            listing = "[" + ", ".join(_sql_str(os.fspath(f)) for f in files) + "]"
            con.execute(f'CREATE {kind} "{table}" AS SELECT * FROM read_parquet({listing})')
        else:
            con.register("ficnlp_empty", table_schema(table).empty_table())
            con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM ficnlp_empty')
            con.unregister("ficnlp_empty")


def connect(out_dir: str | os.PathLike[str]) -> Any:
    """An in-memory DuckDB connection with one view per corpus table.

    The views read the committed Parquet files lazily, so a query over a large corpus
    reads only the columns it needs. Table names are those of
    :data:`~ficnlp.write.parquet.ALL_TABLES` (``works``, ``characters``, ``quotations``,
    …, ``errors``, ``inputs``). Note that ``end`` is an SQL keyword: write ``"end"``.

    Args:
        out_dir: a corpus folder, or a DuckDB file written by :func:`load_duckdb`
            (opened read-only).

    Returns:
        A ``duckdb.DuckDBPyConnection``; close it when done.

    Raises:
        InputError: ``out_dir`` is neither a corpus folder nor a DuckDB file.
    """
    import duckdb

    p = Path(out_dir)
    if p.is_file():
        try:
            return duckdb.connect(os.fspath(p), read_only=True)
        except duckdb.Error as exc:
            raise InputError(
                f"not a DuckDB database ({exc}): give a corpus folder or a --duckdb file", source=os.fspath(p)
            ) from exc
    read_manifest(p)
    con = duckdb.connect(":memory:")
    _create(con, p, "VIEW")
    return con


def load_duckdb(out_dir: str | os.PathLike[str], db_path: str | os.PathLike[str]) -> Path:
    """Copy every table of a corpus into a DuckDB database file, replacing it atomically.

    The database is built under a temporary name beside ``db_path`` and renamed over it
    when complete, so a crash never leaves a half-loaded database.

    Returns:
        ``db_path`` as a :class:`~pathlib.Path`.

    Raises:
        InputError: ``out_dir`` is not a corpus folder.
        OSError: the database cannot be written.
    """
    import duckdb

    src = Path(out_dir)
    read_manifest(src)
    dst = Path(db_path)
    tmp = dst.with_name(dst.name + ".tmp")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    con = duckdb.connect(os.fspath(tmp))
    try:
        _create(con, src, "TABLE")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    tmp.replace(dst)
    return dst


def iter_batch_inputs(out_dir: str | os.PathLike[str], columns: Sequence[str]) -> Iterator[pa.Table]:
    """The ``inputs`` table of each committed batch (only ``columns``), batch by batch."""
    for f in table_files(out_dir, "inputs"):
        yield pq.read_table(f, columns=list(columns))
