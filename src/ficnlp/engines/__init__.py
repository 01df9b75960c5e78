"""Engines: map a function over the works of a corpus, in one process, a local pool, or Dask.

An engine only runs ``fn(task)`` for each task and hands the results back **in task
order**; the corpus runner (:mod:`ficnlp.batch`) does the batching, deduplication and
commits. Tasks and results must pickle; the runner's tasks are small (a path and the
settings) and its results are the small table rows of one work, never whole documents.

Engines:

- :class:`InlineEngine`: in the calling process (tests, debugging, tiny corpora).
- :class:`LocalEngine`: a pool of worker processes on this machine (``--jobs N``).
- :class:`ficnlp.engines.dask.DaskEngine`: a Dask ``LocalCluster`` (``--dask``) or an
  existing cluster (``--scheduler tcp://HOST:PORT``); needs the ``dask`` extra.

A worker process that dies (killed, out of memory, a crash in native code) does not stop
the run: the tasks it may have been running are retried one at a time in a fresh pool,
and the one that kills a worker on its own is handed to ``on_crash`` instead.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, TypeVar

__all__ = ["Engine", "InlineEngine", "LocalEngine", "default_jobs", "make_engine"]

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    """The number of CPU cores this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class Engine(Protocol):
    """What the corpus runner needs from an engine."""

    #: How many tasks run at once (for progress and window sizes).
    workers: int

    def map(self, fn: Callable[[T], R], tasks: Iterable[T], on_crash: Callable[[T], R]) -> Iterator[R]:
        """``fn(task)`` for each task, yielded in task order; ``on_crash(task)`` for a task whose worker died."""
        ...

    def close(self) -> None:
        """Release the workers."""
        ...


class InlineEngine:
    """Run every task in the calling process, one after another."""

    workers = 1

    def map(self, fn: Callable[[T], R], tasks: Iterable[T], on_crash: Callable[[T], R]) -> Iterator[R]:
        """``fn(task)`` for each task, in order (``on_crash`` is never called: a crash here ends the run)."""
        for task in tasks:
            yield fn(task)

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> InlineEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _init_worker() -> None:
    # Ctrl-C goes to the whole process group; only the parent handles it (it commits what
    # it has and stops the pool), so workers ignore it instead of dying mid-task.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _mp_context() -> multiprocessing.context.BaseContext:
    # forkserver (POSIX): workers fork from a clean server that has imported ficnlp once,
    # so starting a worker is cheap and no thread state of the parent is copied; spawn elsewhere.
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["ficnlp.batch"])
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - Windows


class LocalEngine:
    """A pool of worker processes on this machine.

    Args:
        jobs: the number of worker processes (at least 1).
        window: how many tasks may be queued or running at once (default ``8 * jobs``,
            at least 16): enough to keep every worker busy while the parent waits for the
            oldest task, small enough to bound the memory of finished-but-unread results.

    Raises:
        ValueError: ``jobs`` or ``window`` is below 1.
    """

    def __init__(self, jobs: int, *, window: int | None = None) -> None:
        if jobs < 1:
            raise ValueError(f"jobs must be at least 1, got {jobs}")
        self.workers = jobs
        self.window = window if window is not None else max(16, 8 * jobs)
        if self.window < 1:
            raise ValueError(f"window must be at least 1, got {self.window}")
        self._pool: ProcessPoolExecutor | None = None
        #: Worker deaths seen so far (each costs a pool restart).
        self.crashes = 0

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=_mp_context(), initializer=_init_worker)
        return self._pool

    def _restart(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _recover(self) -> None:
        """Restart the pool after a worker died; make sure workers can run at all."""
        self.crashes += 1
        self._restart()
        try:
            self._executor().submit(abs, 0).result()
        except BrokenProcessPool as exc:
            self._restart()
            raise RuntimeError(
                "worker processes die before running any task: when calling ficnlp from a script, put the "
                "call under `if __name__ == '__main__':` (multiprocessing starts workers by importing the main "
                "module), and check that the machine can start processes"
            ) from exc

    def map(self, fn: Callable[[T], R], tasks: Iterable[T], on_crash: Callable[[T], R]) -> Iterator[R]:
        """``fn(task)`` for each task in worker processes, yielded in task order.

        Up to ``window`` tasks are in flight; results are yielded as soon as every earlier
        task's result has been. When a worker dies, the finished results are kept and
        every unfinished task in flight is rerun alone in a fresh pool; a task that
        kills its worker alone yields ``on_crash(task)``.

        Raises:
            RuntimeError: worker processes cannot run even a trivial task (for example a
                script that starts a run without the ``if __name__ == "__main__":`` guard).
        """
        it = iter(tasks)
        inflight: deque[tuple[T, Future[R]]] = deque()
        exhausted = False
        while True:
            while not exhausted and len(inflight) < self.window:
                try:
                    task = next(it)
                except StopIteration:
                    exhausted = True
                    break
                try:
                    fut = self._executor().submit(fn, task)
                except BrokenProcessPool as exc:
                    # A worker died while we were still queueing: handled with the rest below.
                    fut = Future()
                    fut.set_exception(exc)
                inflight.append((task, fut))
            if not inflight:
                return
            task, fut = inflight[0]
            try:
                result = fut.result()
            except BrokenProcessPool:
                entries = list(inflight)
                inflight.clear()
                self._recover()
                for t, f in entries:
                    if f.done() and not f.cancelled() and f.exception() is None:
                        yield f.result()
                    else:
                        yield self._run_alone(fn, t, on_crash)
                continue
            inflight.popleft()
            yield result

    def _run_alone(self, fn: Callable[[T], R], task: T, on_crash: Callable[[T], R]) -> R:
        try:
            return self._executor().submit(fn, task).result()
        except BrokenProcessPool:
            self._recover()
            return on_crash(task)

    def close(self) -> None:
        """Stop the worker processes (queued tasks are cancelled)."""
        self._restart()

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def make_engine(
    *, jobs: int | None = None, dask: bool = False, scheduler: str | None = None, inline: bool = False
) -> Any:
    """The engine for the given options.

    Args:
        jobs: worker processes (local pool, or LocalCluster workers); default: the cores.
        dask: run on a Dask LocalCluster of ``jobs`` workers.
        scheduler: address of an existing Dask scheduler (``tcp://HOST:PORT``); implies ``dask``.
        inline: run in this process (ignores the other options).

    Raises:
        MissingExtraError: Dask is requested but not installed.
        InputError: the scheduler cannot be reached.
        ValueError: ``jobs`` is below 1.
    """
    if inline:
        return InlineEngine()
    n = default_jobs() if jobs is None else jobs
    if dask or scheduler:
        from ficnlp.engines.dask import DaskEngine

        return DaskEngine(scheduler=scheduler, workers=n)
    return LocalEngine(n)
