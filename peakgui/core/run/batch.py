"""Many files, one after another, with one analysis: what ``peakgui-batch`` and the window's
"Run on files" both drive.

:func:`run_files` is a generator of :class:`BatchEvent`: one when a file is reached, one when its
run is set up (where its results go), one per chunk, and one when it ends or fails. The caller
shows them (a terminal bar, a table row) and stops by not asking for the next one, as with a
single run. A chained analysis reads its upstream group in each file (``from_group``, else the
newest complete one), and ``then`` runs a chained analysis on each file's fresh results: its
events follow the first analysis' with ``link`` 1. A file that fails with one of ``errors`` is reported and the next one runs; any
other exception ends the batch.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path

from peakgui.core.analyses.declaration import Analysis, ParamValues
from peakgui.core.io.results_source import ResultsSource
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.backends import Backend, WorkerKind
from peakgui.core.run.chain import check_sweep, upstream_source
from peakgui.core.run.engine import AnalysisRun, configured_for
from peakgui.core.run.progress import Progress
from peakgui.core.run.target import ResultsTarget


@dataclass(frozen=True)
class _FileEvent:
    """What every report of a batch names: the file."""

    index: int  # position of the file in the list given
    path: Path


@dataclass(frozen=True)
class _FileRunEvent(_FileEvent):
    """A report about the file's run (one analysis of its chain)."""

    run: AnalysisRun


@dataclass(frozen=True)
class FileOpening(_FileEvent):
    """The file is next; nothing read yet."""


@dataclass(frozen=True)
class FileStarted(_FileRunEvent):
    """Its run is set up: where the results go is known."""

    target: ResultsTarget
    link: int = 0  # which analysis of the file's chain: 0, or 1 for the ``then`` analysis


@dataclass(frozen=True)
class FileProgress(_FileRunEvent):
    """A chunk was written (or complete results were found)."""

    progress: Progress
    link: int = 0


@dataclass(frozen=True)
class FileFinished(_FileRunEvent):
    """Every position has results; ``last`` is the run's last report (None: nothing to do)."""

    last: Progress | None
    prepare_seconds: float  # loading the kernel in this process, before the run
    seconds: float  # the run itself
    link: int = 0


@dataclass(frozen=True)
class FileFailed(_FileEvent):
    """The file could not be run; the batch goes on with the next one."""

    error: Exception


BatchEvent = FileOpening | FileStarted | FileProgress | FileFinished | FileFailed
"""One report about one file of a batch."""


def run_files(files: Sequence[Path], analysis: Analysis, params: ParamValues, *,
              errors: tuple[type[Exception], ...], dataset: str | None = None,
              spectral_dim: str | None = None, force: bool = False,
              n_jobs: int | None = None, max_mem_mb: float | None = None,
              output: str | Path | None = None, backend: Backend | None = None,
              worker_kind: WorkerKind | str | None = None, chunk_seconds: float = 0.4,
              prepare: bool = False, from_group: str | None = None,
              then: tuple[Analysis, ParamValues] | None = None
              ) -> Generator[BatchEvent, None, None]:
    """Run (or reuse) the analysis on each file in turn; ``params`` are already checked.

    ``prepare`` loads the kernel once in this process, before the first file that computes
    here, so its one-off cost is reported apart from the run's. ``from_group`` chooses the
    upstream group of a chained analysis; ``then`` (an analysis reading this one's results,
    with its checked values) runs on each file's results after it.
    """
    prepared: set[str] = set()
    jobs = n_jobs if backend is None else backend.local_workers or 1
    for i, path in enumerate(files):
        yield FileOpening(i, path)
        try:
            source = _first_source(path, analysis, dataset, spectral_dim, from_group, output)
            if then is not None:  # before the first link computes for nothing
                check_sweep(then[0], source)
            chain = [(analysis, params), *([then] if then else [])]
            last: Progress | None = None
            for link, (step, values) in enumerate(chain):
                if link:  # the previous analysis' results, as the next one's spectra
                    assert step.input is not None and last is not None
                    source = ResultsSource.open_group(last.results.file, last.results.group,
                                                      step.input)
                run = AnalysisRun.from_configured(
                    source, configured_for(source, step, values), n_jobs=jobs,
                    max_mem_mb=max_mem_mb, output=output, backend=backend,
                    worker_kind=worker_kind, chunk_seconds=chunk_seconds)
                last = yield from _one_run(i, path, link, run, backend is None, force,
                                           prepare, prepared)
        except errors as exc:
            yield FileFailed(i, path, exc)


def _one_run(i: int, path: Path, link: int, run: AnalysisRun, local: bool, force: bool,
             prepare: bool, prepared: set[str]) -> Generator[BatchEvent, None, Progress | None]:
    """The events of one analysis on one file; returns its last report."""
    target = run.results_target()
    yield FileStarted(i, path, run, target, link)
    t_prepare = time.perf_counter()
    here = local and (run.n_jobs == 1 or run.worker_kind is WorkerKind.THREADS)
    name = run.analysis.name
    if prepare and here and name not in prepared and (
            force or not any(e.complete for e in run.find_existing())):
        run.prepare()
        prepared.add(name)
    prepare_seconds = time.perf_counter() - t_prepare
    t0 = time.perf_counter()
    last = None
    with contextlib.closing(run.run(force=force)) as reports:
        for last in reports:
            yield FileProgress(i, path, run, last, link)
    yield FileFinished(i, path, run, last, prepare_seconds, time.perf_counter() - t0, link)
    return last


def _first_source(path: Path, analysis: Analysis, dataset: str | None,
                  spectral_dim: str | None, from_group: str | None,
                  output: str | Path | None) -> SpectralSource:
    """Raw spectra, or for a chained analysis the upstream group it reads."""
    if analysis.input is None:
        return SpectralSource.open(path, dataset, spectral_dim)
    raw = None
    if not from_group:
        opened = SpectralSource.open(path, dataset)
        check_sweep(analysis, opened)
        raw = opened.dataset
    source, _ = upstream_source(analysis, path, raw, from_group,
                                Path(output) if output is not None else None)
    return source.with_spectral_dim(spectral_dim) if spectral_dim else source
