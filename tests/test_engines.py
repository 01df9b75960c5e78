"""Local engines: results in task order; a worker that dies is survived."""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

import pytest

from corpus_util import crash_on_seven
from ficnlp.engines import InlineEngine, LocalEngine, default_jobs, make_engine


def _never(task: int) -> int:
    raise AssertionError(f"on_crash called for {task}")


def test_engines_local_results_come_back_in_task_order() -> None:
    tasks = list(range(-40, 40))
    with LocalEngine(2, window=5) as engine:
        assert list(engine.map(abs, tasks, _never)) == [abs(t) for t in tasks]
    assert list(InlineEngine().map(abs, tasks, _never)) == [abs(t) for t in tasks]


def test_engines_local_worker_crash_is_isolated_and_reported() -> None:
    tasks = list(range(12))
    with LocalEngine(2, window=4) as engine:
        got = list(engine.map(crash_on_seven, tasks, lambda t: -t))
        assert engine.crashes >= 2  # the pool broke, then broke again with task 7 alone
        # the pool works again afterwards
        assert list(engine.map(abs, [-1, -2], _never)) == [1, 2]
    assert got == [t * t if t != 7 else -7 for t in tasks]


def test_engines_make_engine_picks_the_engine() -> None:
    assert isinstance(make_engine(inline=True), InlineEngine)
    engine = make_engine(jobs=3)
    assert isinstance(engine, LocalEngine) and engine.workers == 3
    engine.close()
    assert make_engine().workers == default_jobs() >= 1


def test_engines_local_pool_that_cannot_start_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    import ficnlp.engines as engines

    class Broken:
        def submit(self, *a: object, **k: object) -> Future[int]:
            f: Future[int] = Future()
            f.set_exception(BrokenProcessPool("cannot start"))
            return f

        def shutdown(self, *a: object, **k: object) -> None:
            pass

    engine = LocalEngine(1)
    monkeypatch.setattr(engines.LocalEngine, "_executor", lambda self: Broken())
    with pytest.raises(RuntimeError, match="__main__"):
        list(engine.map(abs, [1, 2], _never))
