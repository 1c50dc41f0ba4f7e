"""Drives the engine's ``AnalysisRun.run`` generator in a worker, with pause, resume and cancel.

The engine yields after every chunk, and the worker (:mod:`peakgui.gui.workers`) acts only
between yields: pausing means not asking for the next chunk, cancelling means closing the
generator in the worker thread, which makes the engine stamp its attributes and close the file.
Each chunk is about 0.4 s of work, so both take effect within a second. The GUI thread only
receives Progress records through queued signals.
"""

from __future__ import annotations

import contextlib
import enum
import logging
from collections.abc import Generator
from dataclasses import dataclass

from PyQt5.QtCore import QObject, pyqtSignal
from threadpoolctl import threadpool_limits

from ...core.errors import PeakGUIError
from ...core.run.engine import AnalysisRun
from ...core.run.progress import Progress, ProgressState
from ..formatting import error_text
from ..workers import Worker, start_worker

log = logging.getLogger(__name__)


class RunState(enum.Enum):
    IDLE = "idle"
    RUNNING = "running"
    PAUSING = "pausing"  # asked to pause, the chunk in flight is finishing
    PAUSED = "paused"
    CANCELLING = "cancelling"


@dataclass(frozen=True)
class Connected:
    """Yielded once a cluster backend is entered (before the first chunk)."""

    where: str


def drive_run(run: AnalysisRun, force: bool, backend=None) -> Generator[Connected | Progress, None, None]:
    """The worker's generator: connect to a backend (if any), then the engine's chunks."""
    with contextlib.ExitStack() as stack:
        if backend is not None:
            # connect (or start the local cluster) first: a bad address fails here, in ~10 s
            # at most, before any results group is created
            stack.enter_context(backend)
            yield Connected(backend.describe())
        yield from run.run(force=force)


class RunController(QObject):
    """Starts, pauses, resumes and cancels one run at a time; relays its events as signals."""

    sigStarted = pyqtSignal()
    """The worker started the run (before the first chunk)."""
    sigConnected = pyqtSignal(str)
    """A cluster run reached its Dask cluster (carries where it computes)."""
    sigProgressed = pyqtSignal(object)
    """A chunk finished (carries the engine's Progress)."""
    sigPaused = pyqtSignal(object)
    """The worker stopped between chunks (carries the last Progress, or None)."""
    sigResumed = pyqtSignal()
    """A paused run continued."""
    sigReused = pyqtSignal(object)
    """Complete results with the same parameters existed; nothing was computed."""
    sigFinished = pyqtSignal(object)
    """Every position is done and the file is closed (carries the last Progress)."""
    sigCancelled = pyqtSignal(object)
    """The run was stopped; finished chunks are saved (carries the last Progress, or None)."""
    sigErrored = pyqtSignal(str)
    """The run failed (carries a one-sentence reason); finished chunks are kept."""
    sigStateChanged = pyqtSignal(object)
    """The RunState changed."""
    sigStopped = pyqtSignal()
    """The worker has ended (after finished, reused, cancelled or errored)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._worker: Worker | None = None
        self._state = RunState.IDLE
        self._last: Progress | None = None
        self._failed = False
        self._blas_limit: threadpool_limits | None = None

    @property
    def state(self) -> RunState:
        return self._state

    def is_active(self) -> bool:
        """True from start() until the worker has ended."""
        return self._worker is not None

    def start(self, run: AnalysisRun, force: bool = False, backend=None) -> None:
        """Run in a worker; a ``backend`` (Dask) is entered there first."""
        if self._worker is not None:
            raise RuntimeError("a run is already in progress")
        self._last, self._failed = None, False
        if run.n_jobs == 1:
            # The engine limits BLAS to one thread for a one-worker run, but OpenBLAS (0.3.30)
            # ignores a limit set from a non-main thread, and a two-thread BLAS on a busy
            # two-core machine made runs up to 10x slower; set it here, in the GUI thread.
            self._blas_limit = threadpool_limits(limits=1, user_api="blas")
        self._set_state(RunState.RUNNING)
        self._worker = start_worker(
            drive_run, run, force, backend, on_yield=self._on_worker_yielded,
            on_error=self._on_worker_errored, on_finish=self._on_worker_finished,
            connect={"started": self.sigStarted.emit, "paused": self._on_worker_paused,
                     "resumed": self._on_worker_resumed}, owner=self)

    def pause(self) -> None:
        if self._worker is not None and self._state is RunState.RUNNING:
            self._worker.pause()
            self._set_state(RunState.PAUSING)

    def resume(self) -> None:
        if self._worker is not None and self._state in (RunState.PAUSING, RunState.PAUSED):
            self._worker.resume()
            if self._state is RunState.PAUSING:  # never actually paused
                self._set_state(RunState.RUNNING)

    def cancel(self) -> None:
        if self._worker is not None and self._state is not RunState.CANCELLING:
            self._worker.quit()
            self._set_state(RunState.CANCELLING)

    def _set_state(self, state: RunState) -> None:
        if state is not self._state:
            self._state = state
            self.sigStateChanged.emit(state)

    def _on_worker_yielded(self, item: Connected | Progress) -> None:
        if isinstance(item, Connected):
            self.sigConnected.emit(item.where)
            return
        self._last = item
        if item.state is ProgressState.REUSED:
            self.sigReused.emit(item)
        else:
            self.sigProgressed.emit(item)

    def _on_worker_errored(self, exc: BaseException) -> None:
        self._failed = True
        if not isinstance(exc, PeakGUIError | OSError):
            log.error("the run failed", exc_info=exc)
        self.sigErrored.emit(error_text(exc))

    def _on_worker_paused(self) -> None:
        if self._state is RunState.PAUSING:
            self._set_state(RunState.PAUSED)
        self.sigPaused.emit(self._last)

    def _on_worker_resumed(self) -> None:
        if self._state in (RunState.PAUSED, RunState.PAUSING):
            self._set_state(RunState.RUNNING)
        self.sigResumed.emit()

    def _on_worker_finished(self) -> None:
        self._worker = None
        last = self._last
        if not self._failed:
            if last is not None and last.state is ProgressState.FINISHED:
                self.sigFinished.emit(last)
            elif last is None or last.state is not ProgressState.REUSED:
                self.sigCancelled.emit(last)
        if self._blas_limit is not None:
            self._blas_limit.restore_original_limits()
            self._blas_limit = None
        self._set_state(RunState.IDLE)
        self.sigStopped.emit()
