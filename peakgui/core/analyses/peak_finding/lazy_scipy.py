"""``scipy.signal``, imported on first use and only once at a time.

It takes about a second to import, so PeakGUI never imports it at start-up: only the scipy
fallback of the peak finder and the pixel inspector need it. Those run in worker threads, and
two threads may ask for it together; the first import of a package from several threads at once
has failed in the frozen app (PyInstaller's importer: ``KeyError: 'scipy'``), so it goes
through a lock. ``scipy`` itself (cheap) is imported here, in whichever thread loads PeakGUI.
"""

from __future__ import annotations

import threading
from types import ModuleType

import scipy

_LOCK = threading.Lock()


def scipy_signal() -> ModuleType:
    with _LOCK:
        import scipy.signal
    signal: ModuleType = scipy.signal
    return signal


__all__ = ["scipy", "scipy_signal"]
