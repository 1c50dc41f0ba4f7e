"""The two ways a run computes its missing positions and writes them, chunk by chunk.

:func:`streamed` (local threads, or one worker): worker threads take sub-blocks from a queue,
each reading its own spectra without the HDF5 lock (core/io/direct_read.py), converting them and
running the kernel; the driver only writes finished blocks in order. No barrier per chunk: a
worker that finishes takes the next block. :func:`in_chunks` (worker processes, a Dask
cluster): one reader thread reads chunk k+1 while the backend computes chunk k, split across
its workers. Both write results, flush, then completion marks, flush (core/run/group_write.py),
and both keep everything in flight within the run's memory budget.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

import h5py
import numpy as np

from peakgui.core.analyses.configured import ConfiguredAnalysis
from peakgui.core.analyses.declaration import ResultField
from peakgui.core.errors import InputError
from peakgui.core.io.direct_read import BlockReader, block_reader
from peakgui.core.io.results import ResultsRef
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.backends import Backend, LocalBackend, WorkerKind, one_blas_thread
from peakgui.core.run.chain import stored_values
from peakgui.core.run.group_write import missing_ranges, write_chunk
from peakgui.core.run.pipeline import BlockPipeline
from peakgui.core.run.progress import Progress, ProgressState
from peakgui.core.run.stats import RunStats


class AnalysisRun(Protocol):
    """What the chunk loops need of a run (core/run/engine.py's AnalysisRun, which imports
    this module: named here by its shape, not imported back)."""

    source: SpectralSource
    configured: ConfiguredAnalysis
    stats: RunStats
    chunk_seconds: float

    @property
    def backend(self) -> Backend: ...

    def chunk_limit(self) -> int: ...

    def result_fields(self) -> list[ResultField]: ...

    def _compute_block(self, block: np.ndarray) -> dict[str, np.ndarray]: ...

Values = dict[str, np.ndarray]
BLOCKS_PER_WORKER = 4  # sub-blocks queued per worker once the speed is known
BLOCK_SECONDS = 0.2  # a sub-block's work: few hand-overs, yet workers end together
MIN_SPECTRA = 256  # but never fewer spectra (unless the memory budget says so)
DEFAULT_CHUNK_SECONDS = 0.4  # the GUI's and the CLI's chunk_seconds
GUESS_SPECTRA = 1024  # a block before the speed is known: ~10 ms of SHO, ~60 ms of peak finding


def streams(run: AnalysisRun) -> bool:
    """Whether the run's workers can read and compute sub-blocks themselves (threads here)."""
    backend = run.backend
    return isinstance(backend, LocalBackend) and (
        backend.kind is WorkerKind.THREADS or backend.n_workers == 1)


class _Reports:
    """The run's reports: rate and ETA over the run's own time, not the caller's."""

    def __init__(self, run: AnalysisRun, ref: ResultsRef, done: int):
        self.run, self.ref, self.done = run, ref, done
        self.computed = 0
        self.t_start = time.perf_counter()
        self.caller_seconds = 0.0  # time the caller took between reports

    def report(self, a: int, b: int, values: Values) -> Progress:
        lay, backend = self.run.source.layout, self.run.backend
        self.computed += b - a
        self.done += b - a
        elapsed = time.perf_counter() - self.t_start
        rate = self.computed * lay.n_steps / elapsed if elapsed > 0 else 0.0
        eta = (lay.n_positions - self.done) * lay.n_steps / rate if rate > 0 else math.inf
        state = ProgressState.FINISHED if self.done >= lay.n_positions else ProgressState.CHUNK
        return Progress(state=state, done=self.done, total=lay.n_positions, start=a, stop=b,
                        values=values, elapsed=elapsed, rate=rate, eta=eta, results=self.ref,
                        computed=self.computed, worker_pids=frozenset(backend.worker_pids),
                        where=backend.describe())

    def caller_took(self, seconds: float) -> None:
        self.t_start += seconds
        self.caller_seconds += seconds


def _reader(run: AnalysisRun, dset: h5py.Dataset) -> BlockReader:
    reader = block_reader(run.source.layout, dset)
    source = run.source

    def read(a: int, b: int) -> np.ndarray:
        try:
            return reader.read(a, b)
        except OSError as exc:  # a failing read is the user's input problem
            raise InputError(f"{source.file}: reading positions {a}..{b - 1} of "
                             f"{source.dataset} failed ({exc})") from None

    return BlockReader(reader.kind, read, reader.align, reader.close)


def streamed(run: AnalysisRun, open_group: Callable[[], h5py.Group], completed: np.ndarray,
             dset: h5py.Dataset, ref: ResultsRef,
             check_file: Callable[[], None]) -> Iterator[Progress]:
    """Workers take sub-blocks from a queue; finished blocks are written in order. The group
    is opened (made) once the first blocks are computing: a small run does not wait for it."""
    lay, stats, backend = run.source.layout, run.stats, run.backend
    reports = _Reports(run, ref, int(completed.sum()))
    grp: h5py.Group | None = None
    limit = max(1, run.chunk_limit())  # positions in flight: read, computing or unwritten
    n_workers = backend.n_workers
    stats.n_workers = n_workers
    reader = _reader(run, dset)
    align = reader.align
    # one worker and reads that cost (chunks to decompress, h5py's own read): the next blocks
    # are read by a second thread while the worker computes, as the single reader did before
    # workers read their own blocks. Counted in the memory budget: submitted blocks are held.
    ahead = ThreadPoolExecutor(1, thread_name_prefix="peakgui-read") \
        if n_workers == 1 and reader.kind != "offset" else None
    reads: dict[tuple[int, int], Future[np.ndarray]] = {}

    def read_ahead(a: int, b: int) -> np.ndarray:
        t0 = time.perf_counter()
        try:
            return reader.read(a, b)
        finally:
            stats.add(read_seconds=time.perf_counter() - t0)

    def work(a: int, b: int) -> tuple[Values, float]:
        t0 = time.perf_counter()
        read = reads.pop((a, b), None)
        block = read.result() if read is not None else reader.read(a, b)
        t1 = time.perf_counter()
        values = run._compute_block(block)
        t2 = time.perf_counter()
        backend.worker_threads.add(threading.get_ident())
        stats.add(read_seconds=0.0 if read is not None else t1 - t0, work_seconds=t2 - t0,
                  blocks=1)
        return values, t2 - t0

    def blocks() -> Iterator[tuple[int, int]]:
        """Sub-blocks of the missing ranges, sized as the speed becomes known."""
        n = 0
        for lo, hi in missing_ranges(completed):
            a = lo
            while a < hi:  # near the end, smaller blocks: the workers finish together
                step = first if n < n_workers else size
                b = min(hi, a + min(step, max(smallest, (hi - a) // (2 * n_workers))))
                n += 1
                if align > 1:  # end on a chunk row, so each chunk is decoded once
                    b = min(hi, max(a + align - a % align, b - b % align))
                yield a, b
                a = b

    first = max(1, min(limit, math.ceil(64 / lay.n_steps)))  # small first blocks: quick news
    # a block's fixed cost stays a small part, unless the caller wants news (and a chance to
    # pause) sooner than such a block takes: chunk_seconds is how soon Pause and Cancel land
    scale = min(1.0, run.chunk_seconds / DEFAULT_CHUNK_SECONDS)
    smallest = math.ceil(MIN_SPECTRA * scale / lay.n_steps)
    # until the speed is known, a second block per worker of a guessed size: the workers keep
    # computing while the driver makes the results group (a small run would idle through it)
    size = max(first, min(limit, math.ceil(GUESS_SPECTRA * scale / lay.n_steps)))
    per_block = min(run.chunk_seconds / 2, BLOCK_SECONDS)  # then about this much work each
    queued = 2 * n_workers  # blocks queued before the speed is known
    todo = blocks()
    pending: deque[tuple[int, int, int]] = deque()  # submitted: (index, a, b)
    ready: list[tuple[int, int, Values]] = []  # taken in order, not yet written
    held = 0  # positions submitted and not yet written
    submitted = 0
    last_write = time.perf_counter()
    pipe = BlockPipeline(work, n_workers)
    backend.worker_pids.add(os.getpid())
    blas = one_blas_thread()  # one core per worker thread
    try:
        while True:
            while len(pending) < queued and (held == 0 or held + size <= limit):
                nxt = next(todo, None)
                if nxt is None:
                    break
                if ahead is not None:
                    reads[nxt] = ahead.submit(read_ahead, *nxt)
                pipe.submit(submitted, *nxt)
                pending.append((submitted, *nxt))
                submitted += 1
                held += nxt[1] - nxt[0]
            if grp is None:
                grp = open_group()
            if not pending and not ready:
                return
            if pending:
                index, a, b = pending.popleft()
                t0 = time.perf_counter()
                values, seconds = pipe.take(index)
                stats.add(wait_seconds=time.perf_counter() - t0)
                size = int(max(1, min(limit // (2 * n_workers) or 1,
                                      max(smallest, per_block * (b - a) / max(seconds, 1e-9)))))
                queued = BLOCKS_PER_WORKER * n_workers
                if ready and ready[-1][1] != a:
                    yield from _write(run, grp, ready, check_file, reports)
                    held -= sum(r[1] - r[0] for r in ready)
                    ready = []
                ready.append((a, b, values))
            now = time.perf_counter()
            if (not pending or reports.computed == 0 or now - last_write >= run.chunk_seconds
                    or held + size > limit or pending[0][1] != ready[-1][1]):
                yield from _write(run, grp, ready, check_file, reports)
                held -= sum(r[1] - r[0] for r in ready)
                ready = []
                last_write = time.perf_counter()
    finally:
        pipe.close()
        if ahead is not None:
            ahead.shutdown(wait=True, cancel_futures=True)
        blas.restore_original_limits()
        reader.close()


def compute_here(run: AnalysisRun, block: np.ndarray) -> Values:
    """The kernel on a whole (n, N, S) block in this thread (a streamed worker), timed."""
    cfg = run.configured
    n, _, points = block.shape
    t0 = time.perf_counter()
    out = cfg.analysis.kernel(block if cfg.analysis.per_position else block.reshape(-1, points),
                              cfg.params, cfg.context)
    run.stats.add(kernel_seconds=time.perf_counter() - t0)
    return stored_values([out], run.result_fields(), run.source.layout, n)


def _write(run: AnalysisRun, grp: h5py.Group, ready: list[tuple[int, int, Values]],
           check_file: Callable[[], None], reports: _Reports) -> Iterator[Progress]:
    """Write consecutive finished blocks as one chunk and report it."""
    a, b = ready[0][0], ready[-1][1]
    t0 = time.perf_counter()
    values = ready[0][2] if len(ready) == 1 else \
        {k: np.concatenate([r[2][k] for r in ready]) for k in ready[0][2]}
    check_file()
    write_chunk(grp, run.result_fields(), a, b, values)
    run.stats.add(write_seconds=time.perf_counter() - t0)
    t_yield = time.perf_counter()
    yield reports.report(a, b, values)
    reports.caller_took(time.perf_counter() - t_yield)


def in_chunks(run: AnalysisRun, open_group: Callable[[], h5py.Group], completed: np.ndarray,
              dset: h5py.Dataset, ref: ResultsRef,
              check_file: Callable[[], None]) -> Iterator[Progress]:
    """Chunk by chunk for a backend that computes elsewhere: chunk k+1 is read (one reader
    thread, counted in bytes_per_position) while the backend computes chunk k."""
    lay, stats = run.source.layout, run.stats
    grp = open_group()
    reports = _Reports(run, ref, int(completed.sum()))
    limit = max(1, run.chunk_limit())
    backend = run.backend
    reader = _reader(run, dset)

    def read(a: int, b: int) -> np.ndarray:
        t0 = time.perf_counter()
        try:
            return reader.read(a, b)
        finally:
            stats.add(read_seconds=time.perf_counter() - t0)

    try:
        with backend, ThreadPoolExecutor(1, thread_name_prefix="peakgui-read") as pool:
            stats.n_workers = backend.n_workers
            # a small first chunk: it pays for worker start-up and tells us the speed
            size = max(1, min(limit, math.ceil(64 * backend.n_workers / lay.n_steps)))
            ahead: tuple[int, int, Future[np.ndarray]] | None = None
            for lo, hi in missing_ranges(completed):
                a = lo
                while a < hi:
                    if ahead is not None and ahead[0] == a:
                        b, pending = ahead[1], ahead[2]
                    else:
                        b = min(hi, a + size)
                        pending = pool.submit(read, a, b)
                    t0 = time.perf_counter()
                    block = pending.result()
                    stats.add(wait_seconds=time.perf_counter() - t0)
                    ahead = None
                    if b < hi:
                        nb = min(hi, b + size)
                        ahead = (b, nb, pool.submit(read, b, nb))
                    values = run._compute_block(block)
                    away = reports.caller_seconds
                    yield from _write(run, grp, [(a, b, values)], check_file, reports)
                    dt = time.perf_counter() - t0 - (reports.caller_seconds - away)
                    # aim the next chunk at chunk_seconds of work, within the memory limit
                    size = int(max(1, min(limit, run.chunk_seconds / max(dt / (b - a), 1e-9))))
                    a = b
    finally:
        reader.close()
