"""Parquet schemas of the corpus tables."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ficnlp.pipeline import analyze_text
from ficnlp.write.parquet import (
    ALL_TABLES,
    COLUMN_TYPES,
    columns_to_arrow,
    rows_to_columns,
    table_schema,
    write_parquet,
)
from ficnlp.write.tables import TABLES, analysis_tables


def test_parquet_every_column_has_an_explicit_type() -> None:
    untyped = sorted({c for cols in ALL_TABLES.values() for c in cols} - set(COLUMN_TYPES))
    assert untyped == [], "add these columns to ficnlp.write.parquet.COLUMN_TYPES"


def test_parquet_tables_of_an_analysis_round_trip(tmp_path: Path) -> None:
    a = analyze_text('Chapter 1\n\n"Hello," said Ann to Bo.\n\n"Hi," Bo said.\n')
    rows = analysis_tables(a)
    for name in TABLES:
        table = columns_to_arrow(name, rows_to_columns(name, rows[name]))
        assert table.schema == table_schema(name)
        write_parquet(table, tmp_path / f"{name}.parquet")
        back = pq.read_table(tmp_path / f"{name}.parquet")
        assert back.schema == table_schema(name)
        assert back.to_pylist() == rows[name], name
    assert len(rows["quotations"]) == 2


def test_parquet_empty_and_ragged_columns() -> None:
    empty = columns_to_arrow("errors", {c: [] for c in ALL_TABLES["errors"]})
    assert empty.num_rows == 0 and empty.schema == table_schema("errors")
    ragged = {c: [None] for c in ALL_TABLES["notes"]}
    ragged["kind"] = []
    with pytest.raises(ValueError, match="differ in length"):
        columns_to_arrow("notes", ragged)
    with pytest.raises(pa.ArrowInvalid):
        columns_to_arrow("notes", {"work_id": ["w"], "start": ["not a number"], "end": [1], "kind": ["x"]})
