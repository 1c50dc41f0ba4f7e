"""Paying a run's one-off costs while the user looks at the data, not after pressing Start.

The first Start used to wait seconds before its first chunk: the analysis' ``prepare`` (imports,
first calls, compiled code) and, for worker processes, starting them and importing the kernel in
each. As soon as a dataset opens, a background worker does both with the run's own settings; the
engine then finds the kernel loaded here and reuses loky's worker processes (kept for minutes).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator

import numpy as np
from PyQt5.QtCore import QObject, pyqtSignal

from ...core.run.backends import LocalBackend, WorkerKind
from ...core.run.engine import AnalysisRun
from ..workers import LatestOnly

log = logging.getLogger(__name__)

_warmed: set[tuple] = set()  # what this process has warmed already (a key per run set-up)


def warm_key(run: AnalysisRun) -> tuple:
    """What decides whether a warm-up is still valid: analysis, parameters, size, workers."""
    params = tuple(sorted((k, repr(v)) for k, v in run.params.items()))
    return (run.analysis.name, params, run.context.n_points, run.n_jobs, run.worker_kind)


def _prepare_in_worker(_block: object, prepare: Callable | None, params, context) -> None:
    """In a worker process: import the analysis and pay its first-call costs."""
    if prepare is not None:
        prepare(params, context)


def warm_steps(run: AnalysisRun) -> Generator[str, None, None]:
    """The warm-up worker's generator: prepare here, then start and prepare worker processes."""
    run.prepare()
    yield "prepared"
    if run.n_jobs > 1 and run.worker_kind is WorkerKind.PROCESSES:
        backend = LocalBackend(run.n_jobs, run.worker_kind)
        with backend:
            backend.map(_prepare_in_worker, [np.empty(0)] * run.n_jobs, run.analysis.prepare,
                        run.params, run.context)
        yield "workers"


class WarmUp(QObject):
    """Warms up one run set-up at a time; a newer dataset abandons an older warm-up."""

    sigReady = pyqtSignal(str)
    """The run set-up is warm (carries the analysis' name)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._worker = LatestOnly(self)

    def busy(self) -> bool:
        return self._worker.busy()

    def abort(self) -> None:
        self._worker.abort()

    def start(self, run: AnalysisRun | None) -> bool:
        """Warm up for this run (nothing is read from the file); False when nothing to do."""
        if run is None:
            return False
        key = warm_key(run)
        if key in _warmed:
            self.sigReady.emit(run.analysis.name)
            return False
        failed: list[BaseException] = []
        self._worker.start(warm_steps, run, on_error=failed.append,
                           on_finish=lambda: self._on_worker_finished(key, run.analysis.name,
                                                                      failed))
        return True

    def _on_worker_finished(self, key: tuple, name: str, failed: list[BaseException]) -> None:
        if failed:  # costs only time: the run prepares itself and reports real errors
            log.info("warming up the run failed: %s", failed[0])
            return
        _warmed.add(key)
        self.sigReady.emit(name)
