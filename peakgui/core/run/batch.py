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
import enum
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from peakgui.core.analyses.declaration import Analysis, ParamValues
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.backends import Backend, WorkerKind
from peakgui.core.run.engine import AnalysisRun, configured_for
from peakgui.core.run.progress import Progress
from peakgui.core.run.target import ResultsTarget


class BatchStage(enum.Enum):
    """Where one file stands when the batch reports on it."""

    OPENING = "opening"  # the file is next; nothing read yet
    STARTED = "started"  # its run is set up: ``run`` and ``target`` are known
    PROGRESS = "progress"  # a chunk was written (or complete results were found): ``progress``
    FINISHED = "finished"  # every position has results: ``progress`` is the last report
    FAILED = "failed"  # ``error`` says why; the batch goes on with the next file


@dataclass(frozen=True, kw_only=True)
class BatchEvent:
    """One report about one file of a batch."""

    index: int  # position of the file in the list given
    path: Path
    stage: BatchStage
    run: AnalysisRun | None = None
    target: ResultsTarget | None = None
    progress: Progress | None = None
    error: Exception | None = None
    prepare_seconds: float = 0.0  # loading the kernel in this process, before the run
    seconds: float = 0.0  # the run itself (FINISHED)


def run_files(files: Sequence[Path], analysis: Analysis, params: ParamValues, *,
              errors: tuple[type[Exception], ...], dataset: str | None = None,
              spectral_dim: str | None = None, force: bool = False,
              n_jobs: int | None = None, max_mem_mb: float | None = None,
              output: str | Path | None = None, backend: Backend | None = None,
              worker_kind: WorkerKind | str | None = None, chunk_seconds: float = 0.4,
              prepare: bool = False) -> Iterator[BatchEvent]:
    """Run (or reuse) the analysis on each file in turn; ``params`` are already checked.

    ``prepare`` loads the kernel once in this process, before the first file that computes
    here, so its one-off cost is reported apart from the run's.
    """
    prepared: set[str] = set()
    for i, path in enumerate(files):
        yield BatchEvent(index=i, path=path, stage=BatchStage.OPENING)
        try:
            source = SpectralSource.open(path, dataset, spectral_dim)
            jobs = n_jobs if backend is None else backend.local_workers or 1
            run = AnalysisRun.from_configured(
                source, configured_for(source, analysis, params), n_jobs=jobs,
                max_mem_mb=max_mem_mb, output=output, backend=backend,
                worker_kind=worker_kind, chunk_seconds=chunk_seconds)
            target = run.results_target()
            yield BatchEvent(index=i, path=path, stage=BatchStage.STARTED, run=run,
                             target=target)
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
                    yield BatchEvent(index=i, path=path, stage=BatchStage.PROGRESS, run=run,
                                     target=target, progress=last)
            yield BatchEvent(index=i, path=path, stage=BatchStage.FINISHED, run=run,
                             target=target, progress=last, prepare_seconds=prepare_seconds,
                             seconds=time.perf_counter() - t0)
        except errors as exc:
            yield BatchEvent(index=i, path=path, stage=BatchStage.FAILED, error=exc)
