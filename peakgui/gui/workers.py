"""One way to do work off the GUI thread: generator workers, as napari does (superqt's).

A worker runs a generator function in Qt's thread pool and reports through queued signals:
``yielded`` (each value), ``paused``/``resumed`` (between two yields), ``aborted`` (after
``quit()``), ``errored`` (an exception), ``returned`` and ``finished`` (always last). Control is
exercised only between yields, so a generator that yields after every block of disk I/O can be
paused or abandoned within one block. The generator is always closed in the worker's thread,
so its ``finally`` clauses (closing an HDF5 file, releasing a run lock) run there.

:class:`LatestOnly` keeps one worker per purpose (the selected pixel, the navigator image...):
starting a new one abandons the old, whose late signals are then ignored.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Generator
from typing import Any

from PyQt5 import sip
from PyQt5.QtCore import QObject, QThreadPool

os.environ.setdefault("QT_API", "pyqt5")  # superqt's qtpy: the binding PeakGUI uses, no probing
from superqt.utils import GeneratorWorker, WorkerBase

log = logging.getLogger(__name__)

# Workers wait on disks and locks rather than on the CPU: a pixel read must not queue behind a
# navigator image and a run on a two-core machine, so the pool is not sized by cores.
MIN_POOL_THREADS = 8


class WorkerError(Exception):
    """A RuntimeError raised by a worker's generator (superqt would swallow it as a sign of
    a deleted Qt object), carried as an ordinary error."""

    def __init__(self, original: BaseException):
        super().__init__(str(original))
        self.original = original


class Worker(GeneratorWorker):
    """superqt's GeneratorWorker whose generator is closed in the worker thread, whatever ends
    it (done, aborted or failed).

    It overrides ``run`` and sets superqt's ``_running`` and ``_finished``: checked against
    superqt 0.6 to 0.9 (the versions the dependency should be pinned to until this worker
    stands on its own; a worker of PeakGUI's own measured slower runs after a pause under load,
    so it waits for a quieter measurement)."""

    def run(self) -> None:
        """Work and report through the signals. Unlike superqt's own ``run`` this leaves
        ``warnings.showwarning`` alone (it is process-wide: concurrent workers would undo each
        other's), and it ends quietly when the signals' owner is gone (the app is quitting)."""
        try:
            self._work_and_report()
        except RuntimeError as exc:
            if "has been deleted" not in str(exc):
                raise
            log.debug("worker ended after its signals were deleted")

    def _work_and_report(self) -> None:
        self.started.emit()
        self._running = True
        try:
            outcome = self.work()
            if isinstance(outcome, Exception):
                raise outcome
            if not self.abort_requested:
                self.returned.emit(outcome)
        except Exception as exc:  # noqa: BLE001 - every failure goes to the errored signal
            self.errored.emit(exc)
        finally:
            self._running = False
        self.finished.emit()
        self._finished.emit(self)

    def work(self):
        try:
            out = super().work()
        finally:
            try:
                self._gen.close()
            except Exception:  # cleanup of an already failed or stopped worker: logged
                log.exception("closing a worker's generator")
        if isinstance(out, RuntimeError):
            return WorkerError(out)
        return out


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


def running_workers() -> list[WorkerBase]:
    """Workers started and not yet finished (closing and tests wait for them)."""
    return [w for w in list(WorkerBase._worker_set) if w.is_running]


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
