"""The Dask engine: the same corpus tables as a local run; clean errors without Dask."""

from __future__ import annotations

import faulthandler
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus_util import OWN_OK, canonical_tables, copy_own_corpus, duplicate_keys
from ficnlp.batch import run_corpus
from ficnlp.engines import InlineEngine
from ficnlp.errors import InputError, MissingExtraError

pytest.importorskip("distributed")

from ficnlp.engines.dask import DaskEngine


@pytest.fixture
def hang_guard() -> Iterator[None]:
    """Abort the test process with a traceback rather than hang CI if a cluster never answers."""
    faulthandler.dump_traceback_later(180, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def test_engines_dask_local_cluster_gives_the_same_tables(tmp_path: Path, hang_guard: None) -> None:
    corpus = copy_own_corpus(tmp_path / "in")
    run_corpus([str(corpus)], tmp_path / "inline", engine=InlineEngine())
    with DaskEngine(workers=2, processes=True, timeout=60) as engine:
        assert engine.workers == 2
        s = run_corpus([str(corpus)], tmp_path / "dask", engine=engine, batch_size=3)
        assert s.analysed == OWN_OK
        # resuming on the cluster skips everything
        again = run_corpus([str(corpus)], tmp_path / "dask", engine=engine)
        assert again.analysed == 0 and again.skipped == s.discovered
    assert duplicate_keys(tmp_path / "dask") == {}
    assert canonical_tables(tmp_path / "dask") == canonical_tables(tmp_path / "inline")


def test_engines_dask_results_in_order_with_threads(hang_guard: None) -> None:
    with DaskEngine(workers=2, processes=False, window=3) as engine:
        assert list(engine.map(abs, range(-10, 10), lambda t: None)) == [abs(t) for t in range(-10, 10)]


def test_engines_dask_unreachable_scheduler_is_an_input_error(hang_guard: None) -> None:
    with pytest.raises(InputError, match="cannot reach the Dask scheduler"):
        DaskEngine(scheduler="tcp://127.0.0.1:9", timeout=2)


def test_engines_dask_missing_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(MissingExtraError, match=r"ficnlp\[dask\]"):
        DaskEngine(workers=1)
