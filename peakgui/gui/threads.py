"""A registry of the QThreads PeakGUI starts, so closing and tests can prove none is left running.

Qt keeps no list of live threads, and a QThread destroyed while running aborts the process, so
every worker thread derives from :class:`TrackedThread` and can be found again.
"""

from __future__ import annotations

import weakref

from PyQt5.QtCore import QThread

_THREADS: weakref.WeakSet[QThread] = weakref.WeakSet()


class TrackedThread(QThread):
    """A QThread that registers itself when started."""

    def start(self, *args) -> None:
        _THREADS.add(self)
        super().start(*args)


def running_threads() -> list[QThread]:
    """Every tracked thread that is still running."""
    out = []
    for t in list(_THREADS):
        try:
            if t.isRunning():
                out.append(t)
        except RuntimeError:  # the C++ object is gone, so the thread is too
            continue
    return out
