"""Where presenters tell the user something: the status bar and the window's dialogs.

Presenters get this small object instead of the window (silx hands its views an application
context the same way), so none of them can reach into the window's widgets.
"""

from __future__ import annotations

from PyQt5.QtWidgets import QStatusBar

from ..widgets.dialogs import Dialogs


class Feedback:
    """A status line and the dialogs, for presenters."""

    def __init__(self, status_bar: QStatusBar, dialogs: Dialogs):
        self.status_bar = status_bar
        self.dialogs = dialogs

    def status(self, text: str, msecs: int = 0) -> None:
        self.status_bar.showMessage(text, msecs)

    def clear_status(self) -> None:
        self.status_bar.clearMessage()

    def error(self, title: str, text: str) -> None:
        """A problem the user must know about: the status bar and a dialog."""
        self.status_bar.showMessage(text, 15000)
        self.dialogs.error(title, text)
