"""Many files, one after another, with one analysis: what ``peakgui-batch`` and the window's
"Run on files" both drive.

:func:`run_files` is a generator of :class:`BatchEvent`: one when a file is reached, one when its
run is set up (where its results go), one per chunk, and one when it ends or fails. The caller
shows them (a terminal bar, a table row) and stops by not asking for the next one, as with a
single run. A file that fails with one of ``errors`` is reported and the next one runs; any
other exception ends the batch.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path

from peakgui.core.analyses.declaration import Analysis, ParamValues
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.backends import Backend, WorkerKind
from peakgui.core.run.engine import AnalysisRun, configured_for
from peakgui.core.run.progress import Progress
from peakgui.core.run.target import ResultsTarget


@dataclass(frozen=True)
class FileOpening:
    """The file is next; nothing read yet."""

    index: int  # position of the file in the list given
    path: Path


@dataclass(frozen=True)
class FileStarted:
    """Its run is set up: where the results go is known."""

    index: int
    path: Path
    run: AnalysisRun
    target: ResultsTarget


@dataclass(frozen=True)
class FileProgress:
    """A chunk was written (or complete results were found)."""

    index: int
    path: Path
    run: AnalysisRun
    progress: Progress


@dataclass(frozen=True)
class FileFinished:
    """Every position has results; ``last`` is the run's last report (None: nothing to do)."""

    index: int
    path: Path
    run: AnalysisRun
    last: Progress | None
    prepare_seconds: float  # loading the kernel in this process, before the run
    seconds: float  # the run itself


@dataclass(frozen=True)
class FileFailed:
    """The file could not be run; the batch goes on with the next one."""

    index: int
    path: Path
    error: Exception


BatchEvent = FileOpening | FileStarted | FileProgress | FileFinished | FileFailed
"""One report about one file of a batch."""


def run_files(files: Sequence[Path], analysis: Analysis, params: ParamValues, *,
              errors: tuple[type[Exception], ...], dataset: str | None = None,
              spectral_dim: str | None = None, force: bool = False,
              n_jobs: int | None = None, max_mem_mb: float | None = None,
              output: str | Path | None = None, backend: Backend | None = None,
              worker_kind: WorkerKind | str | None = None, chunk_seconds: float = 0.4,
              prepare: bool = False) -> Generator[BatchEvent, None, None]:
    """Run (or reuse) the analysis on each file in turn; ``params`` are already checked.

    ``prepare`` loads the kernel once in this process, before the first file that computes
    here, so its one-off cost is reported apart from the run's.
    """
    prepared: set[str] = set()
    for i, path in enumerate(files):
        yield FileOpening(i, path)
        try:
            source = SpectralSource.open(path, dataset, spectral_dim)
            jobs = n_jobs if backend is None else backend.local_workers or 1
            run = AnalysisRun.from_configured(
                source, configured_for(source, analysis, params), n_jobs=jobs,
                max_mem_mb=max_mem_mb, output=output, backend=backend,
                worker_kind=worker_kind, chunk_seconds=chunk_seconds)
            yield FileStarted(i, path, run, run.results_target())
            t_prepare = time.perf_counter()
            here = backend is None and (run.n_jobs == 1 or run.worker_kind is WorkerKind.THREADS)
            if prepare and here and analysis.name not in prepared and (
                    force or not any(e.complete for e in run.find_existing())):
                run.prepare()
                prepared.add(analysis.name)
            prepare_seconds = time.perf_counter() - t_prepare
            t0 = time.perf_counter()
            last = None
            with contextlib.closing(run.run(force=force)) as reports:
                for last in reports:
                    yield FileProgress(i, path, run, last)
            yield FileFinished(i, path, run, last, prepare_seconds, time.perf_counter() - t0)
        except errors as exc:
            yield FileFailed(i, path, exc)
