"""CSV files of an analysis: one file per table of :mod:`ficnlp.write.tables`, plus the network.

Each table ``T`` of :data:`ficnlp.write.tables.TABLES` (``works``, ``characters``,
``quotations``, ``chapters``, ``scenes``, ``notes``, ``ratings``, ``evidence``) becomes
``T.csv`` with the same columns in the same order, and ``interactions.csv`` lists the
edges of the character network (:func:`ficnlp.network.build_network`).

Format: UTF-8 without a byte-order mark, comma-separated, a header row, ``"``-quoting
where needed (RFC 4180, with ``\\n`` line ends). Empty cell = no value (``None``);
booleans are ``true``/``false``; list cells are joined with ``"; "``. Every ``start`` /
``end`` is a half-open offset in code points of the story text (never bytes), as in
the JSON. Columns are described in ``docs/exports.md``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ficnlp.errors import ConfigError
from ficnlp.model import Analysis
from ficnlp.network import build_network
from ficnlp.write.tables import TABLES, analysis_tables

__all__ = ["CSV_TABLES", "INTERACTION_COLUMNS", "csv_texts", "interaction_rows", "write_csv"]

#: Columns of ``interactions.csv``: one row per ordered pair of characters that spoke to
#: each other or shared a scene.
INTERACTION_COLUMNS = (
    "work_id", "source_id", "source_name", "target_id", "target_name", "spoke_to", "co_scenes", "relationship",
)  # fmt: skip

#: Every table :func:`write_csv` can write, in the order written.
CSV_TABLES = (*TABLES, "interactions")


def interaction_rows(a: Analysis) -> list[dict[str, Any]]:
    """Rows of ``interactions.csv``: ``spoke_to`` and ``co_scenes`` per ordered pair.

    Returns:
        Rows in :data:`INTERACTION_COLUMNS` order, sorted by source then target in
        character order; a pair appears when either count is above zero.
    """
    spoken = build_network(a, weight="spoke_to")
    shared = build_network(a, weight="co_scenes")
    edges = {**{(u, v): d for u, v, d in shared.edges(data=True)}, **{(u, v): d for u, v, d in spoken.edges(data=True)}}
    order = {c.id: i for i, c in enumerate(a.characters)}
    names = {c.id: c.name for c in a.characters}
    return [
        {
            "work_id": a.story.id,
            "source_id": u,
            "source_name": names[u],
            "target_id": v,
            "target_name": names[v],
            "spoke_to": d["spoke_to"],
            "co_scenes": d["co_scenes"],
            "relationship": d["relationship"],
        }
        for (u, v), d in sorted(edges.items(), key=lambda e: (order[e[0][0]], order[e[0][1]]))
    ]


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return "; ".join(str(x) for x in v)
    return str(v)


def _render(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_cell(r[c]) for c in columns])
    return buf.getvalue()


def csv_texts(a: Analysis, tables: Sequence[str] = CSV_TABLES) -> dict[str, str]:
    """The CSV text of each requested table, keyed by table name.

    Raises:
        ConfigError: a name is not in :data:`CSV_TABLES`.
    """
    unknown = [t for t in tables if t not in CSV_TABLES]
    if unknown:
        raise ConfigError(f"unknown table(s) {', '.join(unknown)}: choose from {', '.join(CSV_TABLES)}")
    rows = analysis_tables(a)
    out = {}
    for t in tables:
        if t == "interactions":
            out[t] = _render(INTERACTION_COLUMNS, interaction_rows(a))
        else:
            out[t] = _render(TABLES[t], rows[t])
    return out


def write_csv(a: Analysis, directory: str | Path, tables: Sequence[str] = CSV_TABLES) -> list[Path]:
    """Write ``<directory>/<table>.csv`` for each table; creates the directory.

    Returns:
        The paths written, in table order.

    Raises:
        ConfigError: a table name is not in :data:`CSV_TABLES`.
        OSError: a file cannot be written.
    """
    texts = csv_texts(a, tables)
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    paths = []
    for t, text in texts.items():
        p = d / f"{t}.csv"
        p.write_text(text, encoding="utf-8", newline="")
        paths.append(p)
    return paths
