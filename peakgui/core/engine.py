"""The processing engine: read a chunk, compute it in parallel, write it, say how far it got.

This is the tutorial's ``Process`` made resumable and drivable: :meth:`Process.run` is a generator
that yields a :class:`Progress` after every chunk, so the GUI's worker thread, the batch CLI and
the tests drive one engine, and pausing or cancelling simply means not asking for the next chunk
(or closing the generator). A subclass supplies only the science: its parameters, the result
fields and a picklable function that maps an (n, S) block of spectra to per-spectrum results.
"""

from __future__ import annotations

import math
import os
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

from .backends import Backend, LocalBackend, split_blocks
from .errors import OutputError
from .h5access import OPEN_LOCK, RunLock, is_writable, open_read, open_read_handle, open_write
from .resources import memory_budget, positions_per_chunk, resolve_jobs
from .results import (
    COMPLETED,
    PARAMS_ATTR,
    ExistingResults,
    ResultField,
    ResultsRef,
    canonical_params,
    create_results_group,
    find_matching,
    next_group_name,
    sidecar_path,
    timestamp,
)
from .source import SpectralSource

Kernel = Callable[..., dict[str, np.ndarray]]


@dataclass
class Progress:
    """What a run reports after each chunk (and once more when it ends)."""

    state: str  # "chunk", "reused" or "finished"
    done: int  # positions with results on disk
    total: int
    start: int  # this chunk's positions are [start, stop)
    stop: int
    values: dict[str, np.ndarray]  # this chunk's results, each (stop - start, N)
    elapsed: float  # seconds since the run started
    rate: float  # spectra per second computed by this run so far
    eta: float  # seconds left at that rate
    results: ResultsRef
    computed: int = 0  # positions computed by this run (not reused)
    worker_pids: frozenset[int] = field(default_factory=frozenset)

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


@dataclass
class ResultsTarget:
    """Which file a run writes into, and why there."""

    file: Path
    separate: bool  # not the source file (sidecar or --output)
    reason: str


class Process(ABC):
    """A per-position analysis of a spectral dataset, run chunk by chunk and resumable."""

    process_name: str = "Process"

    def __init__(self, source: SpectralSource, *, n_jobs: int | None = None,
                 max_mem_mb: float | None = None, output: str | Path | None = None,
                 backend: Backend | None = None, chunk_seconds: float = 0.4):
        self.source = source
        self.n_jobs = resolve_jobs(n_jobs)
        self.max_mem_mb = max_mem_mb
        self.output = Path(output) if output is not None else None
        self._backend = backend
        self.chunk_seconds = chunk_seconds

    # ---- the science, supplied by subclasses -------------------------------------------------
    @abstractmethod
    def parameters(self) -> dict:
        """Every setting that changes the results; stored with them and used to find them."""

    @abstractmethod
    def result_fields(self) -> list[ResultField]:
        """The per-position datasets this process writes."""

    @abstractmethod
    def kernel(self) -> tuple[Kernel, tuple]:
        """A picklable function f(block (n, S), *args) -> {field: (n,) array}, and its args."""

    def provenance(self) -> dict:
        """Extra attributes for the results group (algorithm name and version, ...)."""
        return {}

    def bytes_per_spectrum(self) -> int:
        """Working memory the kernel needs per spectrum beyond input and output."""
        return 8 * self.source.layout.n_points

    def workspace_bytes(self) -> int:
        """Fixed working memory of one worker, whatever the chunk size."""
        return 0

    # ---- planning -------------------------------------------------------------------------------
    def results_target(self) -> ResultsTarget:
        """The source file when it can be written, else the sidecar (or the explicit output)."""
        src = self.source.file
        if self.output is not None:
            return ResultsTarget(self.output, True, "as asked")
        if is_writable(src):
            return ResultsTarget(src, False, "beside the source dataset")
        side = sidecar_path(src)
        why = "read-only" if not _can_write(src) else "locked by another program"
        if side.exists() and not is_writable(side):
            raise OutputError(f"{src} is {why}, and its sidecar {side} cannot be written either")
        if not side.exists() and not _can_write(side.parent):
            raise OutputError(f"{src} is {why}, and {side.parent} is not writable for a sidecar "
                              "file: choose an output file")
        return ResultsTarget(side, True, f"the source file is {why}")

    def bytes_per_position(self) -> int:
        lay = self.source.layout
        spectra = lay.n_steps
        itemsize = self.source.info.dtype.itemsize
        per_spectrum = lay.n_points * itemsize * 3 + self.bytes_per_spectrum()
        out = sum(np.dtype(f.dtype).itemsize for f in self.result_fields()) * 2
        return spectra * (per_spectrum + out)

    def chunk_limit(self) -> int:
        """Most positions one chunk may hold under the memory budget."""
        budget = memory_budget(self.max_mem_mb)
        fixed = self.workspace_bytes() * self.n_jobs
        return positions_per_chunk(budget, self.bytes_per_position(), fixed)

    def find_existing(self) -> list[ExistingResults]:
        """Groups with these exact parameters, in the source file, its sidecar or the output."""
        key = self.parameters()
        n = self.source.layout.n_positions
        files = [self.output] if self.output else [self.source.file, sidecar_path(self.source.file)]
        found: list[ExistingResults] = []
        for path in files:
            if path is None or not path.exists():
                continue
            with open_read(path) as f:
                found += find_matching(f, path, self.source.dataset, self.process_name, key, n,
                                       sidecar=path != self.source.file)
        return found

    # ---- running --------------------------------------------------------------------------------
    def run(self, force: bool = False) -> Iterator[Progress]:
        """Compute every missing position, yielding after each chunk.

        A complete earlier run with the same parameters is reported as reused; a partial one in
        the target file is resumed. ``force`` starts a new group regardless.
        """
        target = self.results_target()
        existing = [] if force else self.find_existing()
        complete = [e for e in existing if e.complete]
        if complete:
            yield self._reused(complete[-1])
            return
        resumable = [e for e in existing if e.ref.file == target.file]
        resume = max(resumable, key=lambda e: e.done) if resumable else None
        yield from self._compute(target, resume)

    def _reused(self, found: ExistingResults) -> Progress:
        return Progress("reused", found.total, found.total, 0, 0, {}, 0.0, 0.0, 0.0, found.ref,
                        computed=0)

    def _compute(self, target: ResultsTarget, resume: ExistingResults | None) -> Iterator[Progress]:
        lay = self.source.layout
        total = lay.n_positions
        create = target.separate
        f = open_write(target.file, create=create)
        lock = RunLock(target.file)
        try:
            lock.acquire()
            if resume is not None:
                grp = f[resume.ref.group]
            else:
                grp = self._create_group(f, target)
            ref = ResultsRef(target.file, grp.name, target.separate)
            src_file = f if not target.separate else open_read_handle(self.source.file)
            try:
                yield from self._chunks(grp, src_file[self.source.dataset], ref, total)
            finally:
                if src_file is not f:
                    with OPEN_LOCK:
                        src_file.close()
        finally:
            try:
                if f.id.valid and "grp" in locals():
                    self._finish_attrs(grp)
                    f.flush()
            finally:
                with OPEN_LOCK:
                    f.close()
                lock.release()

    def _create_group(self, f: h5py.File, target: ResultsTarget) -> h5py.Group:
        path = next_group_name(f, self.source.dataset, self.process_name)
        params = self.parameters()
        attrs = {**params, **self.provenance(),
                 PARAMS_ATTR: canonical_params(params)}
        return create_results_group(
            f, path, self.source.layout, self.result_fields(), attrs,
            source_in_file=not target.separate, source_file=self.source.file,
        )

    def _chunks(self, grp: h5py.Group, dset: h5py.Dataset, ref: ResultsRef,
                total: int) -> Iterator[Progress]:
        lay = self.source.layout
        n_steps = lay.n_steps
        completed = grp[COMPLETED][()].astype(bool)
        done = int(completed.sum())
        missing = _missing_ranges(completed)
        func, args = self.kernel()
        limit = max(1, self.chunk_limit())
        backend = self._backend or LocalBackend(self.n_jobs)
        t_start = time.perf_counter()
        computed = 0
        with backend:
            # a small first chunk: it pays for worker start-up and tells us the speed
            size = max(1, min(limit, math.ceil(64 * backend.n_workers / n_steps)))
            for lo, hi in missing:
                a = lo
                while a < hi:
                    b = min(hi, a + size)
                    t0 = time.perf_counter()
                    values = self._compute_chunk(backend, dset, a, b, func, args)
                    for name, arr in values.items():
                        grp[name][a:b] = arr
                    grp.file.flush()  # results on disk before they are marked complete
                    grp[COMPLETED][a:b] = 1
                    grp.file.flush()
                    dt = time.perf_counter() - t0
                    computed += b - a
                    done += b - a
                    elapsed = time.perf_counter() - t_start
                    rate = computed * n_steps / elapsed if elapsed > 0 else 0.0
                    eta = (total - done) * n_steps / rate if rate > 0 else math.inf
                    state = "finished" if done >= total else "chunk"
                    yield Progress(state, done, total, a, b, values, elapsed, rate, eta, ref,
                                   computed, frozenset(getattr(backend, "worker_pids", ())))
                    # aim the next chunk at chunk_seconds of work, within the memory limit
                    per_pos = dt / (b - a)
                    size = int(max(1, min(limit, self.chunk_seconds / max(per_pos, 1e-9))))
                    a = b

    def _compute_chunk(self, backend: Backend, dset: h5py.Dataset, a: int, b: int,
                       func: Kernel, args: tuple) -> dict[str, np.ndarray]:
        lay = self.source.layout
        block = lay.read(dset, a, b)  # (n, N, S)
        flat = block.reshape(-1, lay.n_points)
        parts = split_blocks(len(flat), backend.n_workers)
        outs = backend.map(func, [flat[s] for s in parts], *args)
        return {
            fld.name: np.concatenate([o[fld.name] for o in outs]).reshape(b - a, lay.n_steps)
            for fld in self.result_fields()
        }

    def _finish_attrs(self, grp: h5py.Group) -> None:
        completed = grp[COMPLETED][()].astype(bool)
        grp.attrs["timestamp_last_update"] = timestamp()
        first_missing = np.flatnonzero(~completed)
        grp.attrs["last_pixel"] = int(first_missing[0]) if first_missing.size else len(completed)
        if completed.all() and not grp.attrs.get("timestamp_end"):
            grp.attrs["timestamp_end"] = timestamp()


def _missing_ranges(completed: np.ndarray) -> list[tuple[int, int]]:
    """Contiguous [start, stop) runs of positions not yet completed."""
    edges = np.diff(np.concatenate([[0], (~completed).astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1)
    return list(zip(starts.tolist(), stops.tolist()))


def _can_write(path: Path) -> bool:
    return os.access(path, os.W_OK)
