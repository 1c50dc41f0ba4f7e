"""Opening a file by dropping it on the window: kept apart so the window only assembles parts."""

from __future__ import annotations

from pathlib import Path

from PyQt5.QtCore import QTimer
from PyQt5.QtGui import QDragEnterEvent, QDropEvent
from PyQt5.QtWidgets import QMainWindow


class FileDrop(QMainWindow):
    """A main window that opens a local file dropped on it, unless a run is under way."""

    def drop_allowed(self) -> bool:
        return True

    def open_file(self, path: str | Path, dataset: str | None = None) -> bool:
        raise NotImplementedError

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if urls and urls[0].isLocalFile() and self.drop_allowed():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        local = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not local:
            event.ignore()
            return
        event.acceptProposedAction()
        # open after the drop returns, so the drag source is not kept waiting by a dialog
        QTimer.singleShot(0, lambda: self.open_file(local[0]))
