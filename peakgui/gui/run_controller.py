"""Drives the core engine's ``Process.run`` generator in a QThread, with pause, resume and cancel.

As in napari's generator workers, the engine yields after every chunk, and control is exercised
only between yields: pausing means not asking for the next chunk (the thread waits on an event),
cancelling means closing the generator in the worker thread, which makes the engine save its
attributes and close the file. Each chunk is about 0.4 s of work, so both take effect within a
second. All heavy work (reading, the joblib pool, writing) happens in the worker thread; the GUI
thread only receives the Progress records through queued signals.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import threading

from PyQt5.QtCore import QObject, pyqtSignal
from threadpoolctl import threadpool_limits

from ..core.errors import PeakGUIError
from ..core.run.engine import Process, Progress
from .threads import TrackedThread

log = logging.getLogger(__name__)


class RunState(enum.Enum):
    IDLE = "idle"
    RUNNING = "running"
    PAUSING = "pausing"  # asked to pause, the chunk in flight is finishing
    PAUSED = "paused"
    CANCELLING = "cancelling"


def error_text(exc: BaseException) -> str:
    """One clear sentence for the user (PeakGUIError already is one; OSError has strerror)."""
    if isinstance(exc, PeakGUIError):
        return str(exc)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        return f"{where}{exc.strerror or exc}"
    if isinstance(exc, MemoryError):
        return "out of memory: lower the memory cap or the number of jobs"
    return f"unexpected {type(exc).__name__}: {exc}"


class _RunThread(TrackedThread):
    """Pulls Progress records from the engine until done, paused, cancelled or failed."""

    sigStarted = pyqtSignal()
    sigConnected = pyqtSignal(str)
    sigProgressed = pyqtSignal(object)
    sigPaused = pyqtSignal(object)
    sigResumed = pyqtSignal()
    sigReused = pyqtSignal(object)
    sigFinished = pyqtSignal(object)
    sigCancelled = pyqtSignal(object)
    sigErrored = pyqtSignal(str)

    def __init__(self, process: Process, force: bool, backend=None):
        super().__init__()
        self._process = process
        self._backend = backend
        self._force = force
        self._go = threading.Event()
        self._go.set()
        self._cancel = threading.Event()

    def pause(self) -> None:
        self._go.clear()

    def resume(self) -> None:
        self._go.set()

    def cancel(self) -> None:
        self._cancel.set()
        self._go.set()  # wake a paused worker so it can close the generator

    def run(self) -> None:  # in the worker thread
        last: Progress | None = None
        try:
            with contextlib.ExitStack() as stack:
                if self._backend is not None:
                    # connect (or start the local cluster) first: a bad address fails here, in
                    # ~10 s at most, before any results group is created
                    stack.enter_context(self._backend)
                    self.sigConnected.emit(self._backend.describe())
                last = self._pull(last)
        except Exception as exc:
            if not isinstance(exc, PeakGUIError | OSError):
                log.exception("the run failed")
            self.sigErrored.emit(error_text(exc))
            return
        if last is not None and last.state == "finished":
            self.sigFinished.emit(last)
        elif last is not None and last.state == "reused":
            pass  # already reported
        else:
            self.sigCancelled.emit(last)

    def _pull(self, last: Progress | None) -> Progress | None:
        """Drive the engine's generator until done, cancelled or failed (then it re-raises)."""
        gen = None
        try:
            gen = self._process.run(force=self._force)
            self.sigStarted.emit()
            while True:
                done = last is not None and last.state in ("finished", "reused")
                if not done and not self._go.is_set() and not self._cancel.is_set():
                    self.sigPaused.emit(last)
                    self._go.wait()
                    if not self._cancel.is_set():
                        self.sigResumed.emit()
                if self._cancel.is_set() and not done:
                    break
                try:
                    prog = next(gen)
                except StopIteration:
                    break
                last = prog
                if prog.state == "reused":
                    self.sigReused.emit(prog)
                else:
                    self.sigProgressed.emit(prog)
            gen.close()  # the engine's finally: attributes stamped, file closed, lock released
        except Exception:
            if gen is not None:
                try:
                    gen.close()
                except Exception:
                    log.exception("closing the failed run")
            raise
        return last


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
    """The worker thread has ended (after finished, reused, cancelled or errored)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._thread: _RunThread | None = None
        self._state = RunState.IDLE
        self._blas_limit: threadpool_limits | None = None

    @property
    def state(self) -> RunState:
        return self._state

    def is_active(self) -> bool:
        """True from start() until the worker thread has ended."""
        return self._thread is not None

    def start(self, process: Process, force: bool = False, backend=None) -> None:
        """Run in the worker thread; a ``backend`` (Dask) is entered there first."""
        if self._thread is not None:
            raise RuntimeError("a run is already in progress")
        t = _RunThread(process, force, backend)
        t.sigStarted.connect(self.sigStarted)
        t.sigConnected.connect(self.sigConnected)
        t.sigProgressed.connect(self.sigProgressed)
        t.sigPaused.connect(self._on_worker_paused)
        t.sigResumed.connect(self._on_worker_resumed)
        t.sigReused.connect(self.sigReused)
        t.sigFinished.connect(self.sigFinished)
        t.sigCancelled.connect(self.sigCancelled)
        t.sigErrored.connect(self.sigErrored)
        t.finished.connect(self._on_thread_finished)
        self._thread = t
        if getattr(process, "n_jobs", 0) == 1:
            # The engine limits BLAS to one thread for a one-worker run, but OpenBLAS (0.3.30)
            # ignores a limit set from a non-main thread, and a two-thread BLAS on a busy
            # two-core machine made runs up to 10x slower; set it here, in the GUI thread.
            self._blas_limit = threadpool_limits(limits=1, user_api="blas")
        self._set_state(RunState.RUNNING)
        t.start()

    def pause(self) -> None:
        if self._thread is not None and self._state is RunState.RUNNING:
            self._thread.pause()
            self._set_state(RunState.PAUSING)

    def resume(self) -> None:
        if self._thread is not None and self._state in (RunState.PAUSING, RunState.PAUSED):
            self._thread.resume()
            if self._state is RunState.PAUSING:  # never actually paused
                self._set_state(RunState.RUNNING)

    def cancel(self) -> None:
        if self._thread is not None and self._state is not RunState.CANCELLING:
            self._thread.cancel()
            self._set_state(RunState.CANCELLING)

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the worker ends (for shutdown paths that cannot wait for signals)."""
        return self._thread.wait(msecs) if self._thread is not None else True

    def _set_state(self, state: RunState) -> None:
        if state is not self._state:
            self._state = state
            self.sigStateChanged.emit(state)

    def _on_worker_paused(self, last) -> None:
        if self._state is RunState.PAUSING:
            self._set_state(RunState.PAUSED)
        self.sigPaused.emit(last)

    def _on_worker_resumed(self) -> None:
        if self._state in (RunState.PAUSED, RunState.PAUSING):
            self._set_state(RunState.RUNNING)
        self.sigResumed.emit()

    def _on_thread_finished(self) -> None:
        t, self._thread = self._thread, None
        if t is not None:
            t.deleteLater()
        if self._blas_limit is not None:
            self._blas_limit.restore_original_limits()
            self._blas_limit = None
        self._set_state(RunState.IDLE)
        self.sigStopped.emit()
