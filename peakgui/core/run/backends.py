"""Where the per-block computation runs: this thread, a pool of threads, or worker processes.

A backend only maps a picklable function over sub-blocks of a chunk and returns the results in
order; it never sees the HDF5 file, which is what lets the same engine run on a Dask cluster
without shared files. Local threads do more: the engine's streamed path (core/run/chunks.py)
has each thread read its own sub-blocks, and uses the backend only for its worker count.
"""

from __future__ import annotations

import enum
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np
from joblib import Parallel, delayed
from threadpoolctl import ThreadpoolController


class WorkerKind(enum.Enum):
    """How local workers run: threads share the process (no pickling, no start-up) and pay
    only when the kernel releases the GIL; processes (loky) work for any kernel."""

    THREADS = "threads"
    PROCESSES = "processes"


class Backend(Protocol):
    """Where blocks are computed. The engine and the programs use only this."""

    @property
    def n_workers(self) -> int:
        """How many blocks run at once (a run splits each chunk into as many)."""
        ...

    worker_pids: set[int]  # processes that computed blocks (this one for threads)
    worker_threads: set[int]  # threads of this process that computed blocks (local runs)
    worker_addresses: set[str]  # cluster worker addresses; empty for local runs
    local_workers: int | None  # workers started on this machine for the run (None: remote)
    address: str | None  # a cluster scheduler's address; None for local runs

    def __enter__(self) -> Backend: ...

    def __exit__(self, *exc: object) -> None: ...

    def describe(self) -> str:
        """Where the run computes, for a person: 'this computer, 2 worker threads'."""
        ...

    def map(self, func: Callable[..., Any], blocks: Sequence[np.ndarray],
            *args: Any) -> list[Any]: ...


def _tagged(func: Callable[..., Any], block: np.ndarray, *args: Any) -> tuple[int, int, Any]:
    """Run func in a worker and say which process and thread did it (the frozen-app check)."""
    return os.getpid(), threading.get_ident(), func(block, *args)


class LocalBackend:
    """joblib over sub-blocks, on threads or processes; one worker runs in this thread."""

    address: str | None = None

    def __init__(self, n_workers: int, kind: WorkerKind = WorkerKind.PROCESSES):
        self.n_workers = max(1, int(n_workers))
        self.kind = kind
        self.local_workers: int | None = self.n_workers
        self._parallel: Parallel | None = None
        self._blas_limit: Any = None
        self.worker_pids: set[int] = set()
        self.worker_threads: set[int] = set()
        self.worker_addresses: set[str] = set()

    def describe(self) -> str:
        n = self.n_workers
        if self.kind is WorkerKind.PROCESSES and n > 1:
            return f"this computer, {n} worker processes"
        return f"this computer, {n} worker thread{'s' if n > 1 else ''}"

    def __enter__(self) -> LocalBackend:
        if self.n_workers > 1 and self.kind is WorkerKind.PROCESSES:
            # one pool for the whole run; loky reuses its workers between chunks and limits
            # each worker's BLAS to its share of the cores
            self._parallel = Parallel(n_jobs=self.n_workers, backend="loky")
            self._parallel.__enter__()
        else:
            # one thread per worker means one core each: a multi-threaded BLAS would take the
            # core the user kept free, and is slower for these small products
            self._blas_limit = one_blas_thread()
            if self.n_workers > 1:
                self._parallel = Parallel(n_jobs=self.n_workers, backend="threading")
                self._parallel.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._parallel is not None:
            self._parallel.__exit__(*exc)
            self._parallel = None
        if self._blas_limit is not None:
            self._blas_limit.restore_original_limits()
            self._blas_limit = None

    def map(self, func: Callable[..., Any], blocks: Sequence[np.ndarray],
            *args: Any) -> list[Any]:
        if self._parallel is None:
            self.worker_pids.add(os.getpid())
            self.worker_threads.add(threading.get_ident())
            return [func(b, *args) for b in blocks]
        tagged = self._parallel(delayed(_tagged)(func, b, *args) for b in blocks)
        self.worker_pids.update(pid for pid, _, _ in tagged)
        if self.kind is WorkerKind.THREADS:
            self.worker_threads.update(tid for _, tid, _ in tagged)
        return [r for _, _, r in tagged]


_CONTROLLER: list[ThreadpoolController] = []


def one_blas_thread() -> Any:
    """Limit BLAS to one thread until ``.restore_original_limits()``. The libraries are looked
    up once per process: looking again costs tens of milliseconds, every run."""
    if not _CONTROLLER:
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1, user_api="blas")


def split_blocks(n: int, parts: int, min_size: int = 64) -> list[slice]:
    """Split n rows into about ``parts`` slices of at least min_size rows (fewer if n is small)."""
    parts = max(1, min(parts, -(-n // min_size)))
    edges = np.linspace(0, n, parts + 1).round().astype(int)
    return [slice(a, b) for a, b in zip(edges[:-1], edges[1:]) if b > a]
