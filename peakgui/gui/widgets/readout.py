"""A readout line that never changes the layout: fixed height, never wider than its place.

A QLabel that word-wraps or grows with its text moves the plots above it on every click; this
one keeps ``lines`` lines of height whatever it says, elides plain text that does not fit (rich
text is clipped) and shows the whole text in its tooltip. Shorter wordings may be given: the
first that fits is shown, so a narrow window loses a prefix, not a coordinate.
"""

from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtGui import QResizeEvent
from PyQt5.QtWidgets import QLabel, QSizePolicy, QWidget


class ReadoutLabel(QLabel):
    """A fixed-size, selectable readout of ``lines`` lines."""

    def __init__(self, lines: int = 1, tooltip: str = "", parent: QWidget | None = None,
                 elide: Qt.TextElideMode = Qt.ElideRight):
        super().__init__(parent)
        self._elide = elide
        self._lines = max(1, lines)
        self._full = ""
        self._shorter: tuple[str, ...] = ()
        self._hint = tooltip
        self.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.setMinimumWidth(1)
        self.set_lines(self._lines)
        self.setToolTip(tooltip)

    def set_lines(self, lines: int) -> None:
        """Hold ``lines`` lines from now on (wrapping when more than one)."""
        self._lines = max(1, lines)
        self.setWordWrap(self._lines > 1)
        m = self.contentsMargins()
        self.setFixedHeight(self.fontMetrics().lineSpacing() * self._lines + m.top() + m.bottom()
                            + 2)
        if self._full:
            self._fit()

    def setText(self, text: str) -> None:
        """Show ``text`` (elided to fit when it is plain text and one line)."""
        self.set_text(text)

    def set_text(self, text: str, *shorter: str) -> None:
        """Show ``text``, or where it does not fit on one line the first of the ``shorter``
        wordings that does (the last one elided); the tooltip and :meth:`text` keep ``text``."""
        self._full = text or " "
        self._shorter = shorter
        self.setToolTip(text if text.strip() else self._hint)
        self._fit()

    def shown_text(self) -> str:
        """What the label shows now (a shorter wording, or elided)."""
        return QLabel.text(self)

    def text(self) -> str:
        return self._full

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        text = self._full
        if self._lines == 1 and not Qt.mightBeRichText(text):
            room, metrics = max(self.width() - 4, 8), self.fontMetrics()
            text = next((t for t in (text, *self._shorter)
                         if metrics.horizontalAdvance(t) <= room), (text, *self._shorter)[-1])
            text = metrics.elidedText(text, self._elide, room)
        super().setText(text)
