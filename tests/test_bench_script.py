"""scripts/bench.py without ../shared: it falls back on our own texts (the full run is `make bench`)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ficnlp_bench_script", ROOT / "scripts" / "bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_bench_script_without_shared_uses_our_texts(tmp_path: Path) -> None:
    bench = _bench()
    texts = bench._texts(None)
    assert texts and all(path is None or ROOT in path.parents for _, path, _ in texts)
    table, rows = bench.single_story(texts[-1:])
    assert rows[0]["words"] > 0 and rows[0]["ratio"] > 0 and "| ratio |" in table
    works, words = bench._corpus_inputs(None, tmp_path / "corpus", 1_500)
    files = sorted((tmp_path / "corpus").iterdir())
    assert len(files) == works and words >= 1_500
    assert len({f.read_bytes() for f in files}) == works  # distinct works, no duplicates
    unit = bench._unit(texts[-1][2], 300)
    assert len(unit.split()) >= 300
