"""One way to do work off the GUI thread: generator workers, as napari does.

A worker runs a generator function in Qt's thread pool and reports through queued signals:
``yielded`` (each value), ``paused``/``resumed`` (between two yields), ``aborted`` (after
``quit()``), ``errored`` (an exception), ``returned`` and ``finished`` (always last). Control is
exercised only between yields, so a generator that yields after every block of disk I/O can be
paused or abandoned within one block. The generator is always closed in the worker's thread,
so its ``finally`` clauses (closing an HDF5 file, releasing a run lock) run there.

The pattern is napari's and superqt's; the worker is PeakGUI's own (a QRunnable and a QObject of
signals), so nothing here depends on another package's private fields.

:class:`LatestOnly` keeps one worker per purpose (the selected pixel, the navigator image...):
starting a new one abandons the old, whose late signals are then ignored.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Generator
from typing import Any, ClassVar

from PyQt5 import sip
from PyQt5.QtCore import QObject, QRunnable, QThreadPool, pyqtSignal

log = logging.getLogger(__name__)

# Workers wait on disks and locks rather than on the CPU: a pixel read must not queue behind a
# navigator image and a run on a two-core machine, so the pool is not sized by cores.
MIN_POOL_THREADS = 8


class WorkerError(Exception):
    """A RuntimeError raised by a worker's generator, carried as an ordinary error (Qt reports
    deleted objects with RuntimeError; this one is the generator's own)."""

    def __init__(self, original: BaseException):
        super().__init__(str(original))
        self.original = original


class WorkerSignals(QObject):
    """A worker's signals; they live in the GUI thread, so its slots run there."""

    started = pyqtSignal()
    yielded = pyqtSignal(object)
    paused = pyqtSignal()
    resumed = pyqtSignal()
    aborted = pyqtSignal()
    errored = pyqtSignal(object)
    returned = pyqtSignal(object)
    finished = pyqtSignal()
    done = pyqtSignal(object)  # last of all, carries the worker: the pool is done with it


class Worker(QRunnable):
    """Runs one generator in the pool; pause, resume and quit take effect between yields."""

    _live: ClassVar[set[Worker]] = set()  # started and not finished (closing and tests wait)
    _live_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, func: Callable[..., Generator], *args: Any, **kwargs: Any):
        super().__init__()
        self.setAutoDelete(False)
        self.signals = WorkerSignals()
        for name in ("started", "yielded", "paused", "resumed", "aborted", "errored",
                     "returned", "finished"):
            setattr(self, name, getattr(self.signals, name))
        self.signals.done.connect(Worker._forget)  # in the GUI thread, after the run ended
        self._gen = func(*args, **kwargs)
        self._abort = threading.Event()
        self._pause = threading.Event()
        self._wake = threading.Event()  # set by resume() and quit(): a paused worker goes on
        self.is_running = False

    @property
    def abort_requested(self) -> bool:
        return self._abort.is_set()

    def start(self) -> None:
        with Worker._live_lock:
            Worker._live.add(self)
        QThreadPool.globalInstance().start(self)

    def quit(self) -> None:
        """Stop before the next value (the generator is closed in the worker's thread)."""
        self._abort.set()
        self._wake.set()

    def pause(self) -> None:
        self._pause.set()

    def resume(self) -> None:
        self._wake.set()

    def run(self) -> None:
        """Work and report through the signals; ends quietly when the signals are gone (the
        application is quitting)."""
        self.is_running = True
        try:
            self._work_and_report()
        except RuntimeError as exc:
            if "has been deleted" not in str(exc):
                raise
            log.debug("worker ended after its signals were deleted")
        finally:
            self.is_running = False
            try:
                self.signals.done.emit(self)
            except RuntimeError:  # the signals are gone with the application
                pass

    @classmethod
    def _forget(cls, worker: Worker) -> None:
        with cls._live_lock:
            cls._live.discard(worker)

    def _work_and_report(self) -> None:
        self.started.emit()
        try:
            outcome = self._loop()
            if not self.abort_requested:
                self.returned.emit(outcome)
        except RuntimeError as exc:
            self.errored.emit(WorkerError(exc))
        except Exception as exc:  # noqa: BLE001 - every failure goes to the errored signal
            self.errored.emit(exc)
        finally:
            try:
                self._gen.close()
            except Exception:  # cleanup of an already failed or stopped worker: logged
                log.exception("closing a worker's generator")
        self.finished.emit()

    def _loop(self) -> Any:
        while True:
            if self._abort.is_set():
                self.aborted.emit()
                return None
            if self._pause.is_set():
                self._pause.clear()
                self.paused.emit()
                self._wake.wait()
                self._wake.clear()
                if self._abort.is_set():
                    continue
                self.resumed.emit()
            try:
                value = next(self._gen)
            except StopIteration as stop:
                return stop.value
            self.yielded.emit(value)


def start_worker(func: Callable[..., Generator], *args: Any,
                 on_yield: Callable[[Any], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None,
                 on_finish: Callable[[], None] | None = None,
                 connect: dict[str, Callable] | None = None, owner: QObject | None = None,
                 **kwargs: Any) -> Worker:
    """Run ``func(*args, **kwargs)`` (a generator function) in the pool; callbacks run in the GUI
    thread. ``connect`` maps other signal names (started, paused, resumed, aborted) to slots,
    connected before the worker starts. Signals arriving after ``owner`` was deleted (a closed
    window) are dropped."""
    pool = QThreadPool.globalInstance()
    if pool.maxThreadCount() < MIN_POOL_THREADS:
        pool.setMaxThreadCount(MIN_POOL_THREADS)
    w = Worker(func, *args, **kwargs)

    def guarded(slot: Callable) -> Callable:
        if owner is None:
            return slot
        return lambda *a: None if sip.isdeleted(owner) else slot(*a)

    for name, slot in (("yielded", on_yield), ("errored", on_error), ("finished", on_finish),
                       *(connect or {}).items()):
        if slot is not None:
            getattr(w, name).connect(guarded(slot))
    w.start()
    return w


def running_workers() -> list[Worker]:
    """Workers started and not yet finished (closing and tests wait for them)."""
    with Worker._live_lock:
        return [w for w in Worker._live if w.is_running]


def wait_for_workers(msecs: int = 10_000) -> bool:
    """Block until every pool thread is idle (shutdown paths and tests); True if they are."""
    return QThreadPool.globalInstance().waitForDone(msecs)


class LatestOnly(QObject):
    """At most one live worker for one purpose; only the newest one's signals reach the slots."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._worker: Worker | None = None

    @property
    def worker(self) -> Worker | None:
        return self._worker

    def busy(self) -> bool:
        return self._worker is not None

    def start(self, func: Callable[..., Generator], *args: Any,
              on_yield: Callable[[Any], None] | None = None,
              on_error: Callable[[BaseException], None] | None = None,
              on_finish: Callable[[], None] | None = None, **kwargs: Any) -> Worker:
        """Abandon the current worker (if any) and start a new one."""
        self.abort()
        holder: list[Worker] = []

        def current() -> bool:
            return bool(holder) and holder[0] is self._worker

        def yielded(value: Any) -> None:
            if current() and on_yield is not None:
                on_yield(value)

        def errored(exc: BaseException) -> None:
            if current() and on_error is not None:
                on_error(exc)

        def finished() -> None:
            if current():
                self._worker = None
                if on_finish is not None:
                    on_finish()

        w = start_worker(func, *args, on_yield=yielded, on_error=errored, on_finish=finished,
                         owner=self, **kwargs)
        holder.append(w)
        self._worker = w
        return w

    def abort(self) -> None:
        """Ask the current worker to stop after its block in flight; its signals are ignored."""
        if self._worker is not None:
            self._worker.quit()
            self._worker = None
