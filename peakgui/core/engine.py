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
import shutil
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

from .backends import Backend, LocalBackend, split_blocks
from .errors import InputError, OutputError
from .h5access import (
    OPEN_LOCK,
    RunLock,
    is_writable,
    may_access,
    open_read,
    open_read_handle,
    open_write,
)
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

try:
    import resource
except ImportError:  # pragma: no cover - Windows has no file-size limits
    resource = None  # type: ignore[assignment]

MIB = 1 << 20
RESULTS_OVERHEAD = 1 << 20  # group, attributes, spectroscopic tables and HDF5 bookkeeping

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

    def prepare(self) -> None:
        """Load or compile what the kernel needs in this process, before a run is timed (a
        no-op unless the science needs it)."""
        return None

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

    def results_bytes(self) -> int:
        """File space a new results group takes: all of it is allocated when it is created."""
        lay = self.source.layout
        per_position = sum(np.dtype(f.dtype).itemsize for f in self.result_fields())
        size = lay.n_positions * (lay.n_steps * per_position + 1)
        size += lay.n_positions * len(self.source.info.positions.names) * 8  # copied positions
        return size + RESULTS_OVERHEAD

    def _check_space(self, target: ResultsTarget) -> None:
        """Refuse before touching the file when the results cannot fit: HDF5 does not recover
        gracefully from a write that fails half-way through creating objects."""
        need = self.results_bytes()
        folder = target.file.parent if target.file.parent.exists() else Path.cwd()
        free = shutil.disk_usage(folder).free
        soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE) if resource else (-1, -1)
        current = target.file.stat().st_size if target.file.exists() else 0
        room = free if soft in (-1, getattr(resource, "RLIM_INFINITY", -1)) \
            else min(free, soft - current)
        if room < need:
            raise OutputError(
                f"{target.file}: not enough space for the results (the disk is full or the file "
                f"size limit was reached: need {need / MIB:.1f} MB, {max(room, 0) / MIB:.1f} MB "
                "available)")

    def _compute(self, target: ResultsTarget, resume: ExistingResults | None) -> Iterator[Progress]:
        # an existing file is checked before it is opened for writing; a new file after it is
        # created, so an unwritable place is reported as such, not as a full disk
        new_file = not target.file.exists()
        if resume is None and not new_file:
            self._check_space(target)
        f = open_write(target.file, create=target.separate)
        if resume is None and new_file:
            try:
                self._check_space(target)
            except OutputError:
                _close_run(f, None, RunLock(target.file))
                target.file.unlink(missing_ok=True)
                raise
        lock = RunLock(target.file)
        grp = None
        try:
            lock.acquire()
            identity = _identity(target.file)
            try:
                grp = f[resume.ref.group] if resume else self._create_group(f, target)
            except (OSError, RuntimeError) as exc:
                raise _write_error(target.file, exc) from None
            ref = ResultsRef(target.file, grp.name, target.separate)
            src = f if not target.separate else open_read_handle(self.source.file)
            try:
                yield from self._chunks(grp, src[self.source.dataset], ref,
                                        lambda: _check_identity(target.file, identity))
            finally:
                if src is not f:
                    with OPEN_LOCK:
                        src.close()
        finally:
            _close_run(f, grp, lock)

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
                check_file: Callable[[], None]) -> Iterator[Progress]:
        lay = self.source.layout
        total = lay.n_positions
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
                    check_file()
                    _write_chunk(grp, a, b, values)
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
        try:
            block = lay.read(dset, a, b)  # (n, N, S)
        except OSError as exc:
            raise InputError(f"{self.source.file}: reading positions {a}..{b - 1} of "
                             f"{self.source.dataset} failed ({exc})") from None
        flat = block.reshape(-1, lay.n_points)
        parts = split_blocks(len(flat), backend.n_workers)
        outs = backend.map(func, [flat[s] for s in parts], *args)
        return {
            fld.name: np.concatenate([o[fld.name] for o in outs]).reshape(b - a, lay.n_steps)
            for fld in self.result_fields()
        }


def _write_chunk(grp: h5py.Group, a: int, b: int, values: dict[str, np.ndarray]) -> None:
    """Results first, flushed, then the completion marks, flushed: a kill between the two
    leaves positions unmarked (recomputed later), never marked without their results."""
    try:
        for name, arr in values.items():
            grp[name][a:b] = arr
        grp.file.flush()
        grp[COMPLETED][a:b] = 1
        grp.file.flush()
    except (OSError, RuntimeError) as exc:
        raise _write_error(Path(grp.file.filename), exc) from None


def _write_error(path: Path, exc: Exception) -> OutputError:
    reason = getattr(exc, "strerror", None) or str(exc)
    low = str(exc).lower()
    if "too large" in low or "no space" in low or "quota" in low:
        reason = "the disk is full or the file size limit was reached"
    return OutputError(f"{path}: writing results failed ({reason}); finished chunks are kept")


def _close_run(f: h5py.File, grp: h5py.Group | None, lock: RunLock) -> None:
    """Stamp the group's attributes and close, whatever happened. A failure here (a full disk)
    is ignored on purpose: every finished chunk was already flushed with its marks."""
    try:
        if grp is not None and f.id.valid:
            _finish_attrs(grp)
            f.flush()
    except (OSError, RuntimeError, ValueError):
        pass
    finally:
        with OPEN_LOCK:
            try:
                f.close()
            except (OSError, RuntimeError):
                pass
        lock.release()


def _finish_attrs(grp: h5py.Group) -> None:
    completed = grp[COMPLETED][()].astype(bool)
    grp.attrs["timestamp_last_update"] = timestamp()
    first_missing = np.flatnonzero(~completed)
    grp.attrs["last_pixel"] = int(first_missing[0]) if first_missing.size else len(completed)
    if completed.all() and not grp.attrs.get("timestamp_end"):
        grp.attrs["timestamp_end"] = timestamp()


def _identity(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_dev, st.st_ino


def _check_identity(path: Path, identity: tuple[int, int]) -> None:
    """Stop when the file was moved or deleted under a run: results would go nowhere."""
    try:
        same = _identity(path) == identity
    except OSError:
        same = False
    if not same:
        raise OutputError(f"{path} was moved or deleted during the run; stopped "
                          "(finished chunks are in the moved file, if it still exists)")


def _missing_ranges(completed: np.ndarray) -> list[tuple[int, int]]:
    """Contiguous [start, stop) runs of positions not yet completed."""
    edges = np.diff(np.concatenate([[0], (~completed).astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1)
    return list(zip(starts.tolist(), stops.tolist()))


def _can_write(path: Path) -> bool:
    return may_access(path, os.W_OK)
