"""The processing engine: read a chunk, compute it in parallel, write it, say how far it got.

This is the tutorial's ``Process`` made resumable and drivable: :meth:`AnalysisRun.run` is a
generator that yields a :class:`Progress` after every chunk, so the GUI's worker thread, the batch
CLI and the tests drive one engine, and pausing or cancelling simply means not asking for the next
chunk (or closing the generator). The science comes from an analysis declaration
(:class:`~peakgui.core.analyses.declaration.Analysis`): its parameters, result fields and a
picklable kernel mapping an (n, S) block of spectra to per-spectrum results.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Generator, Iterator, Mapping
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from peakgui.core.analyses.configured import ConfiguredAnalysis
from peakgui.core.analyses.declaration import (
    Analysis,
    ParamValues,
    PixelDetail,
    ResultField,
    SpectralContext,
)
from peakgui.core.delegate import Delegated
from peakgui.core.errors import InputError, OutputError
from peakgui.core.io.h5access import (
    OPEN_LOCK,
    RunLock,
    open_read,
    open_read_handle,
    open_write,
)
from peakgui.core.io.results import (
    COMPLETED,
    PARAMS_ATTR,
    ExistingResults,
    ResultsRef,
    canonical_params,
    create_results_group,
    find_matching,
    next_group_name,
    sidecar_path,
)
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.backends import Backend, LocalBackend, WorkerKind
from peakgui.core.run.chain import check_input, compute_block
from peakgui.core.run.chunks import compute_here, in_chunks, streamed, streams
from peakgui.core.run.group_write import (
    check_identity,
    close_run,
    file_identity,
    write_error,
)
from peakgui.core.run.progress import Progress, ProgressState
from peakgui.core.run.resources import MIB, memory_budget, positions_per_chunk, resolve_jobs
from peakgui.core.run.stats import RunStats
from peakgui.core.run.target import ResultsTarget, results_target

try:
    import resource
except ImportError:  # pragma: no cover - Windows has no file-size limits
    resource = None  # type: ignore[assignment]

RESULTS_OVERHEAD = 1 << 20  # group, attributes, spectroscopic tables and HDF5 bookkeeping

class AnalysisRun:
    """One configured analysis run over one spectral dataset, chunk by chunk and resumable.

    The science and its checked parameters are ``run.configured``
    (:class:`~peakgui.core.analyses.configured.ConfiguredAnalysis`); the run adds only where the
    results go, the resources and backend, and the chunking. ``AnalysisRun(source, analysis,
    params)`` configures the analysis first (ValueError or InputError names a fault);
    :meth:`from_configured` takes one already configured, without checking again.
    """

    def __init__(self, source: SpectralSource, analysis: Analysis | str | None = None,
                 params: Mapping[str, Any] | None = None, *, n_jobs: int | None = None,
                 max_mem_mb: float | None = None, output: str | Path | None = None,
                 backend: Backend | None = None, chunk_seconds: float = 0.4,
                 worker_kind: WorkerKind | str | None = None):
        with _about(source):
            configured = ConfiguredAnalysis.create(analysis, params, spectral_context(source))
        self._setup(source, configured, n_jobs=n_jobs, max_mem_mb=max_mem_mb, output=output,
                    backend=backend, chunk_seconds=chunk_seconds, worker_kind=worker_kind)

    @classmethod
    def from_configured(cls, source: SpectralSource, configured: ConfiguredAnalysis, *,
                        n_jobs: int | None = None, max_mem_mb: float | None = None,
                        output: str | Path | None = None, backend: Backend | None = None,
                        chunk_seconds: float = 0.4,
                        worker_kind: WorkerKind | str | None = None) -> AnalysisRun:
        """A run of an analysis configured for this source's spectra (not checked again)."""
        run = cls.__new__(cls)
        run._setup(source, configured, n_jobs=n_jobs, max_mem_mb=max_mem_mb, output=output,
                   backend=backend, chunk_seconds=chunk_seconds, worker_kind=worker_kind)
        return run

    def _setup(self, source: SpectralSource, configured: ConfiguredAnalysis, *,
               n_jobs: int | None, max_mem_mb: float | None, output: str | Path | None,
               backend: Backend | None, chunk_seconds: float,
               worker_kind: WorkerKind | str | None) -> None:
        check_input(configured.analysis, source)
        self.configured = configured
        self.source = source
        self.n_jobs = resolve_jobs(n_jobs)
        self.max_mem_mb = max_mem_mb
        self.output = Path(output) if output is not None else None
        self._backend = backend
        self.chunk_seconds = chunk_seconds
        if worker_kind is None:  # threads pay only when the kernel lets go of the GIL
            worker_kind = (WorkerKind.THREADS if configured.analysis.releases_gil
                           else WorkerKind.PROCESSES)
        self.worker_kind = WorkerKind(worker_kind)
        self.stats = RunStats()  # where the last run's time went (see core/run/stats.py)

    @property
    def backend(self) -> Backend:
        """Where the blocks are computed: the one given, else local workers of the run's kind."""
        if self._backend is None:
            self._backend = LocalBackend(self.n_jobs, self.worker_kind)
        return self._backend

    # ---- the configured analysis, as callers read it -------------------------------------------
    analysis = Delegated[Analysis]("configured")
    params = Delegated[ParamValues]("configured")
    context = Delegated[SpectralContext]("configured")
    group_name = Delegated[str]("configured")

    def parameters(self) -> dict[str, Any]:
        """Every setting that changes the results; stored with them and used to find them."""
        return {**self.configured.key(), **self.source.input_key()}

    def result_fields(self) -> list[ResultField]:
        return self.configured.result_fields()

    def prepare(self) -> None:
        """Load what the kernel needs in this process before a run is timed."""
        self.configured.prepare()

    def bytes_per_spectrum(self) -> int:
        return self.configured.bytes_per_spectrum()

    def workspace_bytes(self) -> int:
        return self.configured.workspace_bytes()

    # ---- one pixel -----------------------------------------------------------------------------
    def test(self, position: int, step: int = 0) -> PixelDetail:
        """Full detail for one spectrum of one position (reads that position's row only)."""
        spectra = self.source.read_position(position)
        return self.configured.inspect(spectra if self.analysis.per_position else spectra[step])

    def inspect(self, spectrum: np.ndarray) -> PixelDetail:
        """Full detail for a spectrum already in memory (a pixel, a region's mean, ...)."""
        return self.configured.inspect(spectrum)

    def compute(self, spectra: np.ndarray) -> dict[str, np.ndarray]:
        """The kernel's results for (N, S) spectra in memory, as a run would write them."""
        return self.configured.compute(spectra)

    # ---- planning -------------------------------------------------------------------------------
    def results_target(self) -> ResultsTarget:
        """The source file when it can be written, else the sidecar (or the explicit output)."""
        return results_target(self.source.file, self.output)

    def bytes_per_position(self) -> int:
        lay = self.source.layout
        spectra = lay.n_steps
        itemsize = self.source.info.dtype.itemsize
        per_spectrum = lay.n_points * itemsize * 4 + self.bytes_per_spectrum()  # 2 reads
        out = sum(np.dtype(f.dtype).itemsize * (lay.n_points if f.per_point else 1)
                  for f in self.result_fields()) * 2
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
        files = [self.output] if self.output else \
            list(dict.fromkeys([self.source.file, sidecar_path(self.source.file)]))
        found: list[ExistingResults] = []
        for path in files:
            if path is None or not path.exists():
                continue
            try:
                with open_read(path) as f:
                    found += find_matching(f, path, self.source.dataset, self.group_name, key,
                                           n, sidecar=path != self.source.file)
            except InputError:
                if path == self.source.file or path == self.output:
                    raise
                # a broken sidecar holds nothing to reuse; the source itself is still fine
        return found

    # ---- running --------------------------------------------------------------------------------
    def run(self, force: bool = False) -> Generator[Progress, None, None]:
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
        self.stats = RunStats()
        yield from _timed(self._compute(target, resume), self.stats)

    def _reused(self, found: ExistingResults) -> Progress:
        return Progress(state=ProgressState.REUSED, done=found.total, total=found.total,
                        start=0, stop=0, values={}, elapsed=0.0, rate=0.0, eta=0.0,
                        results=found.ref, computed=0)

    def results_bytes(self) -> int:
        """File space a new results group takes: all of it is allocated when it is created."""
        lay = self.source.layout
        per_position = sum(np.dtype(f.dtype).itemsize * (lay.n_points if f.per_point else 1)
                           for f in self.result_fields())
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
                close_run(f, None, RunLock(target.file))
                target.file.unlink(missing_ok=True)
                raise
        lock = RunLock(target.file)
        opened: list[h5py.Group] = []
        try:
            lock.acquire()
            identity = file_identity(target.file)
            if resume is not None:
                name = resume.ref.group
                completed = f[name][COMPLETED][()].astype(bool)
            else:
                name = next_group_name(f, self.source.dataset, self.group_name)
                completed = np.zeros(self.source.layout.n_positions, dtype=bool)

            def open_group() -> h5py.Group:
                """Called by the chunk loop once its workers have work: they compute the first
                blocks while the group is made."""
                try:
                    opened.append(f[name] if resume else self._create_group(f, target, name))
                except (OSError, RuntimeError) as exc:
                    raise write_error(target.file, exc) from None
                return opened[0]

            ref = ResultsRef(target.file, name, target.separate)
            src = f if _same_file(target.file, self.source.file) \
                else open_read_handle(self.source.file)
            try:
                how = streamed if streams(self) else in_chunks
                yield from how(self, open_group, completed, src[self.source.dataset], ref,
                               lambda: check_identity(target.file, identity))
            finally:
                if src is not f:
                    with OPEN_LOCK:
                        src.close()
        finally:
            close_run(f, opened[0] if opened else None, lock)

    def _compute_block(self, block: np.ndarray) -> dict[str, np.ndarray]:
        """The kernel's results for an (n, N, S) block of spectra, as the fields are stored:
        computed in this thread by a worker of the streamed path, else split across the
        backend's workers. (Tests slow it down or make it fail here.)"""
        return compute_here(self, block) if streams(self) else \
            compute_block(self.backend, block, self.source.layout, self.analysis.per_position,
                          self.result_fields(), self.analysis.kernel,
                          (self.params, self.context), self.stats)

    def _create_group(self, f: h5py.File, target: ResultsTarget, path: str) -> h5py.Group:
        params = self.parameters()
        analysis = self.configured.analysis
        attrs = {**params, **analysis.provenance(), "analysis": analysis.name,
                 "source_notes": "; ".join(self.source.notes),
                 PARAMS_ATTR: canonical_params(params)}
        if self.source.input_key():  # where the upstream group was read from
            attrs["input_file"] = str(self.source.file.resolve())
        return create_results_group(
            f, path, self.source.layout, self.result_fields(), attrs,
            source_in_file=_same_file(target.file, self.source.file),
            source_file=self.source.file,
        )


def _timed(steps: Iterator[Progress], stats: RunStats) -> Iterator[Progress]:
    """The run's reports, its own time counted apart from the caller's between them."""
    try:
        while True:
            t0 = time.perf_counter()
            try:
                item = next(steps)
            finally:
                stats.add(engine_seconds=time.perf_counter() - t0)
            yield item
    except StopIteration:
        return
    finally:
        close = getattr(steps, "close", None)
        if close is not None:
            t0 = time.perf_counter()
            close()
            stats.add(engine_seconds=time.perf_counter() - t0)


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (results written where their source is)."""
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def spectral_context(source: SpectralSource) -> SpectralContext:
    """What an analysis is told about a source: its spectral axis and the data's quantity."""
    info = source.info
    return SpectralContext(axis=source.layout.spectral, quantity=info.quantity, units=info.units,
                           steps=tuple(source.layout.others))


def configured_for(source: SpectralSource, analysis: Analysis,
                   values: ParamValues) -> ConfiguredAnalysis:
    """Values already checked (a batch's, a form's) set up for this source's spectra; only the
    checks against them run (InputError names the dataset)."""
    with _about(source):
        return ConfiguredAnalysis.from_values(analysis, values, spectral_context(source))


@contextlib.contextmanager
def _about(source: SpectralSource) -> Iterator[None]:
    """Spectra an analysis cannot use are named by their dataset."""
    try:
        yield
    except InputError as exc:
        raise InputError(f"{source.dataset}: {exc}") from None
