"""The last line of defence: an unexpected exception is logged and shown briefly, never a crash.

PyQt5 aborts the process when an exception escapes a slot and no ``sys.excepthook`` other than
the default is installed. Expected problems (bad files, failed runs) are handled where they
happen with clear messages; this hook is for the bugs that remain.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

log = logging.getLogger("peakgui")


class ExceptHook:
    """Logs the traceback and hands a one-line summary to ``notify`` (once at a time)."""

    def __init__(self, notify: Callable[[str], None] | None = None):
        self.notify = notify
        self.count = 0
        self._busy = False
        self._previous: Callable[..., Any] | None = None

    def install(self) -> ExceptHook:
        self._previous = sys.excepthook
        sys.excepthook = self
        return self

    def uninstall(self) -> None:
        if sys.excepthook is self:
            sys.excepthook = self._previous or sys.__excepthook__

    def __call__(self, etype: type[BaseException], value: BaseException,
                 tb: TracebackType | None) -> None:
        if issubclass(etype, KeyboardInterrupt):
            (self._previous or sys.__excepthook__)(etype, value, tb)
            return
        self.count += 1
        text = "".join(traceback.format_exception(etype, value, tb))
        log.error("unexpected error\n%s", text)
        summary = f"{etype.__name__}: {value}" if str(value) else etype.__name__
        if self.notify is None or self._busy:
            return
        self._busy = True  # an error inside the notification must not recurse
        try:
            self.notify(summary)
        except Exception:  # nothing else may escape from here
            log.exception("could not show the error message")
        finally:
            self._busy = False


def configure_logging(log_file: str | None = None) -> None:
    """Warnings and errors to stderr, and everything from INFO up to a log file if given."""
    root = logging.getLogger("peakgui")
    if root.handlers:
        return
    root.setLevel(logging.INFO)
    err = logging.StreamHandler(sys.stderr)
    err.setLevel(logging.WARNING)
    err.setFormatter(logging.Formatter("peakgui: %(levelname)s: %(message)s"))
    root.addHandler(err)
    if log_file:
        try:
            fh = logging.FileHandler(log_file, encoding="utf-8")
        except OSError:
            return
        fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(fh)
