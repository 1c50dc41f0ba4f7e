"""Where the per-block computation runs: this process, or a pool of joblib worker processes.

A backend only maps a picklable function over sub-blocks of a chunk and returns the results in
order; it never sees the HDF5 file. That keeps the driver the only reader and writer, which is
what lets the same engine later run on a Dask cluster without shared files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np
from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits


class Backend(Protocol):
    n_workers: int

    def __enter__(self) -> Backend: ...

    def __exit__(self, *exc) -> None: ...

    def map(self, func: Callable[..., Any], blocks: Sequence[np.ndarray], *args) -> list[Any]: ...


def _tagged(func: Callable[..., Any], block: np.ndarray, *args) -> tuple[int, Any]:
    """Run func in a worker and say which process did it (for the frozen-app worker check)."""
    return os.getpid(), func(block, *args)


class LocalBackend:
    """joblib over sub-blocks; n_workers == 1 runs in this process with no pool at all."""

    def __init__(self, n_workers: int):
        self.n_workers = max(1, int(n_workers))
        self._parallel: Parallel | None = None
        self._blas_limit: threadpool_limits | None = None
        self.worker_pids: set[int] = set()

    def __enter__(self) -> LocalBackend:
        if self.n_workers > 1:
            # one pool for the whole run; loky reuses its workers between chunks and limits
            # each worker's BLAS to its share of the cores
            self._parallel = Parallel(n_jobs=self.n_workers, backend="loky")
            self._parallel.__enter__()
        else:
            # one worker means one core: a multi-threaded BLAS would take the core the user
            # kept free, and is slower for these small products when the machine is busy
            self._blas_limit = threadpool_limits(limits=1, user_api="blas")
        return self

    def __exit__(self, *exc) -> None:
        if self._parallel is not None:
            self._parallel.__exit__(*exc)
            self._parallel = None
        if self._blas_limit is not None:
            self._blas_limit.restore_original_limits()
            self._blas_limit = None

    def map(self, func: Callable[..., Any], blocks: Sequence[np.ndarray], *args) -> list[Any]:
        if self._parallel is None:
            self.worker_pids.add(os.getpid())
            return [func(b, *args) for b in blocks]
        tagged = self._parallel(delayed(_tagged)(func, b, *args) for b in blocks)
        self.worker_pids.update(pid for pid, _ in tagged)
        return [r for _, r in tagged]


def split_blocks(n: int, parts: int, min_size: int = 64) -> list[slice]:
    """Split n rows into about ``parts`` slices of at least min_size rows (fewer if n is small)."""
    parts = max(1, min(parts, -(-n // min_size)))
    edges = np.linspace(0, n, parts + 1).round().astype(int)
    return [slice(a, b) for a, b in zip(edges[:-1], edges[1:]) if b > a]
