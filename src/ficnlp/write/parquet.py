"""Parquet files of analysis tables: one Arrow schema per table, and durable writes.

The rows come from :func:`ficnlp.write.tables.analysis_tables` (the single source of the
per-layer rows and their column order, :data:`~ficnlp.write.tables.TABLES`). This module
gives every column a fixed Arrow type, so that every part file of a corpus has the same
schema whatever rows it holds (an empty batch included), and DuckDB or pyarrow read the
part files of a table as one table.

Besides the layer tables, a corpus run writes two tables of its own
(:data:`CORPUS_TABLES`)::

    errors: work_id, input_path, kind, stage, message, position
    inputs: input_path, abs_path, size_bytes, mtime_ns, work_id, status, words, seconds

``errors`` has one row per work that failed (``kind`` is the error class, e.g.
``EmptyStoryError``; ``stage`` is ``read``, a pipeline stage name, or ``tables``;
``position`` is the error's position as text: a byte or code-point offset, or ``line N``).
``inputs`` is the ledger: one row per input file considered, ``status`` ``ok``,
``failed`` or ``duplicate`` (same content as a work already in the corpus).
``seconds`` is the wall time spent on the work (the only column that differs between
two runs over the same inputs).

Columns typed as lists hold lists of strings; ``scores`` holds a JSON object as text.
Offsets (``start``, ``end``, ``first_start``, ``last_end``) are code points of the story text.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ficnlp.write.tables import TABLES

__all__ = [
    "ALL_TABLES",
    "COLUMN_TYPES",
    "CORPUS_TABLES",
    "columns_to_arrow",
    "empty_columns",
    "rows_to_columns",
    "table_schema",
    "write_parquet",
]

logger = logging.getLogger(__name__)

#: The tables a corpus run adds to the layer tables: failures and the ledger of inputs.
CORPUS_TABLES: dict[str, tuple[str, ...]] = {
    "errors": ("work_id", "input_path", "kind", "stage", "message", "position"),
    "inputs": ("input_path", "abs_path", "size_bytes", "mtime_ns", "work_id", "status", "words", "seconds"),
}

#: Every table of a corpus dataset, layer tables first, in a fixed order.
ALL_TABLES: dict[str, tuple[str, ...]] = {**TABLES, **CORPUS_TABLES}

_S = pa.string()
_I = pa.int64()
_F = pa.float64()
_B = pa.bool_()
_LS = pa.list_(pa.string())

#: Column name -> Arrow type. A column name means the same thing in every table.
COLUMN_TYPES: dict[str, pa.DataType] = {
    # keys and provenance
    "work_id": _S, "source_path": _S, "format": _S, "sha256": _S,
    "input_path": _S, "abs_path": _S, "size_bytes": _I, "mtime_ns": _I, "status": _S, "seconds": _F,
    # work metadata
    "title": _S, "authors": _LS, "fandoms": _LS, "language": _S, "rating_declared": _S,
    "rating_estimate": _S, "warnings_declared": _LS,
    # counts
    "words": _I, "chapters": _I, "characters": _I, "quotations": _I, "attributed_quotations": _I,
    "mentions": _I, "words_spoken": _I, "evidence_spans": _I,
    # characters
    "character_id": _S, "name": _S, "aliases": _LS, "gender": _S, "narrator": _B,
    # offsets (code points of the story text) and positions
    "start": _I, "end": _I, "first_start": _I, "last_end": _I,
    "chapter": _I, "scene": _I, "number": _I,
    # quotations
    "quote_id": _S, "speaker_id": _S, "speaker_name": _S, "addressee_ids": _LS, "kind": _S,
    "confidence": _F, "continues": _S, "text": _S,
    # ratings
    "estimate": _S, "declared": _S, "warnings": _LS, "advisories": _LS, "scores": _S,
    "category": _S, "reason": _S,
    # errors
    "stage": _S, "message": _S, "position": _S,
}  # fmt: skip


def _column_type(column: str) -> pa.DataType:
    # A column added to TABLES without a type here is stored as text (JSON for non-strings),
    # so part files keep one schema; tests/test_parquet.py asks for an explicit type.
    return COLUMN_TYPES.get(column, _S)


def table_schema(name: str) -> pa.Schema:
    """The Arrow schema of a corpus table.

    Args:
        name: a key of :data:`ALL_TABLES`.

    Returns:
        The schema, fields in the table's column order; every field is nullable.

    Raises:
        KeyError: ``name`` is not a corpus table.
    """
    return pa.schema([pa.field(c, _column_type(c)) for c in ALL_TABLES[name]])


def empty_columns(name: str) -> dict[str, list[Any]]:
    """``{column: []}`` for every column of table ``name``, in column order."""
    return {c: [] for c in ALL_TABLES[name]}


def rows_to_columns(name: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """Turn row dicts (as :func:`~ficnlp.write.tables.analysis_tables` gives) into columns.

    Args:
        name: the table the rows belong to.
        rows: dicts keyed by column name; a missing key is a null.

    Returns:
        ``{column: [value per row]}`` in the table's column order. Columns are cheaper to
        send between processes and to append than row dicts.
    """
    return {c: [r.get(c) for r in rows] for c in ALL_TABLES[name]}


def _as_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def columns_to_arrow(name: str, columns: Mapping[str, Sequence[Any]]) -> pa.Table:
    """An Arrow table with the schema of ``name`` from ``{column: values}``.

    Args:
        name: a key of :data:`ALL_TABLES`.
        columns: values per column; every column of the table must be present, all of one length.

    Returns:
        The table, with :func:`table_schema` (``name``).

    Raises:
        KeyError: a column of the table is missing.
        ValueError: the columns differ in length.
        pyarrow.ArrowInvalid: a value does not fit its column's type.
    """
    schema = table_schema(name)
    arrays = []
    lengths = set()
    for field in schema:
        values = columns[field.name]
        lengths.add(len(values))
        if field.name not in COLUMN_TYPES:
            values = [_as_text(v) for v in values]
        arrays.append(pa.array(values, type=field.type))
    if len(lengths) > 1:
        raise ValueError(f"table {name!r}: columns differ in length ({sorted(lengths)})")
    return pa.Table.from_arrays(arrays, schema=schema)


def write_parquet(table: pa.Table, path: str | os.PathLike[str], *, fsync: bool = True) -> None:
    """Write an Arrow table to one Parquet file and (by default) flush it to disk.

    The file is written in place: callers that need atomicity write into a staging
    folder and rename it (see :mod:`ficnlp.dataset`).

    Args:
        table: the rows.
        path: the file to create or replace.
        fsync: call ``fsync`` on the file before returning, so that a later rename
            cannot expose a file whose data is not yet on disk.

    Raises:
        OSError: the file cannot be written.
    """
    p = Path(path)
    with p.open("wb") as fh:
        pq.write_table(table, fh, compression="zstd")
        fh.flush()
        if fsync:
            os.fsync(fh.fileno())
