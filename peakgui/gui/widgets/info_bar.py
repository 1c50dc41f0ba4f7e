"""An inline message above the map (existing results, sidecar notices, bad dataset) with actions.

Inline rather than a dialog: it never blocks, it stays visible while the user reads the map, and
tests can press its buttons.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from PyQt5.QtCore import Qt
from PyQt5.QtGui import QResizeEvent
from PyQt5.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)


class InfoKind(str, Enum):
    """What a message is, and so its colours."""

    INFO = "info"
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


_STYLES = {  # background, border, text
    InfoKind.INFO: ("#e8f1fb", "#9cc1e8", "#1b3a5c"),
    InfoKind.OK: ("#e9f6ec", "#98cfa5", "#1d4d2a"),
    InfoKind.WARNING: ("#fdf3e1", "#e8c27c", "#5c3d0b"),
    InfoKind.ERROR: ("#fbe9e7", "#e0a39a", "#6b1d14"),
}


class InfoBar(QFrame):
    """A one-line coloured message with optional buttons and a close cross; under it, a note
    about the open dataset (what PeakGUI worked around in it) that outlives the messages."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._label = QLabel()
        self._label.setWordWrap(True)
        self._label.setStyleSheet("border: none; background: transparent;")
        self._note = QLabel()  # one line, elided to the width (the whole text as tooltip)
        self._note.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self._note_text = ""
        self._note.hide()
        self._buttons: list[QPushButton] = []
        self._close = QToolButton()
        self._close.setText("✕")
        self._close.setAutoRaise(True)
        self._close.setToolTip("Hide this message")
        self._close.clicked.connect(self._on_close_clicked)
        self._layout = QHBoxLayout()
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self._label, 1)
        self._layout.addWidget(self._close)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 4, 4, 4)
        outer.setSpacing(2)
        outer.addLayout(self._layout)
        outer.addWidget(self._note)
        self.kind: InfoKind | None = None
        self._message_shown = False
        super().hide()

    def hide(self) -> None:
        """Hide the message; the dataset's note (if any) stays."""
        self._message_shown = False
        self.kind = None
        self._label.hide()
        self._remove_buttons()  # a message's actions go with it
        if self._note.isHidden():
            super().hide()
        else:
            self._style(InfoKind.WARNING)

    def show_note(self, text: str) -> None:
        """A one-line note about the open dataset ('' removes it)."""
        self._note_text = text
        self._elide_note()
        self._note.setToolTip(text)
        self._note.setVisible(bool(text))
        if text:
            if not self._message_shown:
                self._style(InfoKind.WARNING)
            self.show()
        elif not self._message_shown:
            super().hide()

    def note(self) -> str:
        """The whole note (it may be shown elided)."""
        return self._note_text if self.isVisible() and not self._note.isHidden() else ""

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide_note()

    def _elide_note(self) -> None:
        width = max(40, self._note.width())
        self._note.setText(self._note.fontMetrics().elidedText(self._note_text, Qt.ElideRight,
                                                               width))

    def _on_close_clicked(self) -> None:
        self._note.hide()
        self.hide()

    def _style(self, kind: InfoKind) -> None:
        bg, border, fg = _STYLES[kind]
        self.setStyleSheet(f"InfoBar {{background:{bg}; border:1px solid {border}; "
                           "border-radius:4px;}")
        for label in (self._label, self._note):
            label.setStyleSheet(f"border:none; background:transparent; color:{fg};")

    def show_message(self, text: str, kind: InfoKind = InfoKind.INFO,
                     actions: list[tuple[str, Callable[[], None]]] | None = None) -> None:
        self._remove_buttons()
        for label, callback in actions or []:
            b = QPushButton(label)
            b.clicked.connect(callback)
            self._layout.insertWidget(self._layout.count() - 1, b)
            self._buttons.append(b)
        self.kind = InfoKind(kind)
        self._style(self.kind)
        self._label.setText(text)
        self._label.show()
        self._message_shown = True
        self.show()

    def _remove_buttons(self) -> None:
        for b in self._buttons:
            self._layout.removeWidget(b)
            b.hide()
            b.deleteLater()
        self._buttons = []

    def text(self) -> str:
        return self._label.text() if self.isVisible() and self._message_shown else ""

    def buttons(self) -> list[QPushButton]:
        return list(self._buttons)

    def button(self, label: str) -> QPushButton | None:
        return next((b for b in self._buttons if b.text() == label), None)
