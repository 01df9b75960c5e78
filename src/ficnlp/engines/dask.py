"""Run a corpus on Dask: a LocalCluster on this machine, or an existing cluster.

Needs the ``dask`` extra (``pip install 'ficnlp[dask]'``). Each work is one Dask task
running :func:`ficnlp.batch.analyze_input`; a task reads its input file on the worker and
sends back only the small table rows of that work, never the document. With an existing
cluster (``--scheduler``) every worker must therefore see the input paths (a shared
filesystem) and have the same ficnlp version installed; the parent process writes the
output folder.

Source: Dask futures API (``Client.submit``, ``Future.result``) and ``LocalCluster``,
https://distributed.dask.org/en/stable/client.html
"""

from __future__ import annotations

import itertools
import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from ficnlp.errors import InputError, MissingExtraError

__all__ = ["DEFAULT_CHUNK_SIZE", "DaskEngine"]

T = TypeVar("T")
R = TypeVar("R")


#: Works per Dask task by default. Dask costs about a millisecond of scheduler and worker
#: time per task on a free core, and several on a busy one (docs/benchmarks.md); most AO3
#: works take a few milliseconds to analyse, so single-work tasks would spend as long in
#: Dask as in ficnlp. 8 works per task keeps that overhead small and the tasks short.
DEFAULT_CHUNK_SIZE = 8


def _run_chunk(fn: Callable[[T], R], tasks: list[T]) -> list[R]:
    """Run ``fn`` over a chunk of tasks on a worker; results in order."""
    return [fn(t) for t in tasks]


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise MissingExtraError("dask distributed", "dask") from exc
    return distributed


class DaskEngine:
    """Map a function over tasks on a Dask cluster, results in task order.

    Args:
        scheduler: address of a running scheduler (``tcp://HOST:PORT``); ``None`` starts
            a ``LocalCluster`` of ``workers`` single-threaded worker processes.
        workers: LocalCluster workers (ignored with ``scheduler``).
        processes: LocalCluster workers as processes (``True``) or threads in this process.
        window: Dask tasks in flight at once (default ``4 *`` the cluster's threads, at least 8).
        chunk_size: works per Dask task (default :data:`DEFAULT_CHUNK_SIZE`).
        timeout: seconds to wait for the scheduler to answer.

    Raises:
        MissingExtraError: ``dask``/``distributed`` are not installed.
        InputError: the scheduler cannot be reached.
        ValueError: ``workers`` or ``chunk_size`` is below 1.
    """

    def __init__(
        self,
        *,
        scheduler: str | None = None,
        workers: int = 1,
        processes: bool = True,
        window: int | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        timeout: float = 30.0,
    ) -> None:
        distributed = _import_distributed()
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
        self.chunk_size = chunk_size
        self._cluster: Any = None
        try:
            if scheduler is None:
                self._cluster = distributed.LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=processes,
                    dashboard_address=":0",  # any free port: never a clash (or a warning) over 8787
                    # Workers report task failures through their futures; their own log
                    # lines (a heartbeat lost while the cluster shuts down) are noise.
                    silence_logs=logging.CRITICAL,
                )
                self._client = distributed.Client(self._cluster, timeout=timeout)
            else:
                self._client = distributed.Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            if self._cluster is not None:
                self._cluster.close()
            where = scheduler or "LocalCluster"
            raise InputError(
                f"cannot reach the Dask scheduler ({exc}): check the address and that it is running", source=where
            ) from exc
        threads = sum(self._client.nthreads().values()) or workers
        self.workers = threads
        self.window = window if window is not None else max(8, 4 * threads)
        self._killed_worker = distributed.KilledWorker

    @property
    def client(self) -> Any:
        """The ``distributed.Client``."""
        return self._client

    def map(self, fn: Callable[[T], R], tasks: Iterable[T], on_crash: Callable[[T], R]) -> Iterator[R]:
        """``fn(task)`` for each task on the cluster, yielded in task order.

        Tasks travel in chunks of ``chunk_size``. When a chunk's workers keep dying
        (Dask's ``KilledWorker``, after the scheduler's ``allowed-failures`` retries), its
        tasks are rerun one per Dask task, and one that fails so again yields ``on_crash(task)``.
        """
        it = iter(tasks)
        inflight: deque[tuple[list[T], Any]] = deque()
        exhausted = False
        while True:
            while not exhausted and len(inflight) < self.window:
                chunk = list(itertools.islice(it, self.chunk_size))
                if not chunk:
                    exhausted = True
                    break
                inflight.append((chunk, self._client.submit(_run_chunk, fn, chunk, pure=False)))
            if not inflight:
                return
            chunk, fut = inflight.popleft()
            try:
                results = fut.result()
            except self._killed_worker:
                results = [self._run_alone(fn, t, on_crash) for t in chunk]
            finally:
                fut.release()
            yield from results

    def _run_alone(self, fn: Callable[[T], R], task: T, on_crash: Callable[[T], R]) -> R:
        fut = self._client.submit(fn, task, pure=False)
        try:
            return fut.result()  # type: ignore[no-any-return]
        except self._killed_worker:
            return on_crash(task)
        finally:
            fut.release()

    def close(self) -> None:
        """Disconnect, and stop the LocalCluster if this engine started one."""
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def __enter__(self) -> DaskEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
