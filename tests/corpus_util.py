"""Helpers for the corpus tests (tests/test_batch.py, test_engines*.py, test_query.py).

Not a test module: imported by the tests, and by worker processes that run
:func:`crash_on_seven` (tests/ is on ``sys.path`` under pytest).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from ficnlp.dataset import read_table
from ficnlp.write.parquet import ALL_TABLES

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"

#: Works in tests/data/corpus: 13 story files, one empty (fails), two with the same bytes.
OWN_FILES, OWN_OK, OWN_FAILED, OWN_DUPLICATES = 13, 11, 1, 1

#: The natural key of each table: no two rows may share one.
KEYS: dict[str, tuple[str, ...]] = {
    "works": ("work_id",),
    "characters": ("work_id", "character_id"),
    "quotations": ("work_id", "quote_id"),
    "chapters": ("work_id", "chapter"),
    "scenes": ("work_id", "scene"),
    "notes": ("work_id", "start", "end", "kind"),
    "ratings": ("work_id",),
    "evidence": ("work_id", "start", "end", "category", "reason"),
    "errors": ("work_id", "input_path"),
    "inputs": ("abs_path", "size_bytes", "mtime_ns"),
}

_CHAPTER = re.compile(r"^CHAPTER [IVXLC]+\.?\s*$", re.MULTILINE)


def copy_own_corpus(dest: Path) -> Path:
    """A copy of tests/data/corpus under ``dest`` (so tests may change files)."""
    shutil.copytree(CORPUS, dest)
    return dest


def add_pdnc_chapters(shared: Path, dest: Path, per_novel: int = 4) -> int:
    """Write the first chapters of two PDNC novels as separate works under ``dest``.

    The files stay in the test's temporary folder (PDNC may not be copied into the repo).

    Returns:
        The number of chapter files written (0 when the novels are missing).
    """
    written = 0
    for novel in ("PrideAndPrejudice", "TheInvisibleMan"):
        src = shared / "data" / "pdnc" / "data" / novel / "novel_text.txt"
        if not src.is_file():
            continue
        text = src.read_text(encoding="utf-8")
        starts = [m.start() for m in _CHAPTER.finditer(text)]
        folder = dest / "pdnc" / novel
        folder.mkdir(parents=True, exist_ok=True)
        for i, (a, b) in enumerate(itertools.pairwise(starts)):
            if i >= per_novel:
                break
            (folder / f"chapter-{i + 1:02d}.txt").write_text(text[a:b], encoding="utf-8")
            written += 1
    return written


def canonical_tables(out_dir: Path) -> dict[str, list[str]]:
    """Every table as sorted JSON rows, without the run-dependent ``inputs.seconds``."""
    out: dict[str, list[str]] = {}
    for name in ALL_TABLES:
        rows = read_table(out_dir, name).to_pylist()
        for r in rows:
            r.pop("seconds", None)
        out[name] = sorted(json.dumps(r, sort_keys=True) for r in rows)
    return out


def duplicate_keys(out_dir: Path) -> dict[str, list[Any]]:
    """Per table, the natural keys that occur more than once (empty when all is well)."""
    dups: dict[str, list[Any]] = {}
    for name, key in KEYS.items():
        seen: set[tuple[Any, ...]] = set()
        repeated = []
        for r in read_table(out_dir, name).to_pylist():
            k = tuple(r[c] for c in key)
            if k in seen:
                repeated.append(k)
            seen.add(k)
        if repeated:
            dups[name] = repeated
    return dups


def crash_on_seven(n: int) -> int:
    """Square ``n``; kill the worker process outright when ``n == 7`` (a native crash)."""
    if n == 7:
        os._exit(3)
    return n * n
