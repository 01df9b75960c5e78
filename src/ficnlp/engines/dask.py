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

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from ficnlp.errors import InputError, MissingExtraError

__all__ = ["DaskEngine"]

T = TypeVar("T")
R = TypeVar("R")


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
        window: tasks in flight at once (default ``8 *`` the cluster's threads, at least 16).
        timeout: seconds to wait for the scheduler to answer.

    Raises:
        MissingExtraError: ``dask``/``distributed`` are not installed.
        InputError: the scheduler cannot be reached.
        ValueError: ``workers`` is below 1.
    """

    def __init__(
        self,
        *,
        scheduler: str | None = None,
        workers: int = 1,
        processes: bool = True,
        window: int | None = None,
        timeout: float = 30.0,
    ) -> None:
        distributed = _import_distributed()
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self._cluster: Any = None
        try:
            if scheduler is None:
                self._cluster = distributed.LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=processes,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
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
        self.window = window if window is not None else max(16, 8 * threads)
        self._killed_worker = distributed.KilledWorker

    @property
    def client(self) -> Any:
        """The ``distributed.Client``."""
        return self._client

    def map(self, fn: Callable[[T], R], tasks: Iterable[T], on_crash: Callable[[T], R]) -> Iterator[R]:
        """``fn(task)`` for each task on the cluster, yielded in task order.

        A task whose workers keep dying (Dask's ``KilledWorker``, after the scheduler's
        ``allowed-failures`` retries) yields ``on_crash(task)``.
        """
        it = iter(tasks)
        inflight: deque[tuple[T, Any]] = deque()
        exhausted = False
        while True:
            while not exhausted and len(inflight) < self.window:
                try:
                    task = next(it)
                except StopIteration:
                    exhausted = True
                    break
                inflight.append((task, self._client.submit(fn, task, pure=False)))
            if not inflight:
                return
            task, fut = inflight.popleft()
            try:
                result = fut.result()
            except self._killed_worker:
                result = on_crash(task)
            finally:
                fut.release()
            yield result

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
