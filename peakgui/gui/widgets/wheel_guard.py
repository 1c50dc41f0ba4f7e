"""The mouse wheel scrolls a panel of settings, and changes only the box being edited.

Without this, scrolling the Parameters panel changed whichever combo box or spin box passed
under the pointer (Compute on: Automatic -> Processes), silently. A guarded box takes the focus
only by click or Tab (``Qt.StrongFocus``); a wheel turned over it while it has no focus is
handed to the scroll area around it, which scrolls (Qt does not pass an event on to the parents
by itself when it was sent rather than spontaneous).
"""

from __future__ import annotations

from PyQt5.QtCore import QEvent, QObject, Qt
from PyQt5.QtGui import QWheelEvent
from PyQt5.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QApplication, QComboBox, QWidget

GUARDED = (QComboBox, QAbstractSpinBox)


class WheelGuard(QObject):
    """Event filter: a wheel over an unfocused combo or spin box is left to its parents."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Wheel or not isinstance(watched, QWidget) \
                or watched.hasFocus():
            return False
        area = _scroll_area(watched)
        if area is None:
            event.ignore()  # not accepted: Qt offers a real wheel to the parents
        else:
            QApplication.sendEvent(area.viewport(), QWheelEvent(event))
            event.accept()
        return True


def _scroll_area(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent


def guard_wheel(root: QWidget, guard: WheelGuard) -> None:
    """Guard every combo and spin box under ``root`` (call again after new boxes appear)."""
    for box in root.findChildren(GUARDED):
        if box.property("wheel_guarded"):
            continue
        box.setFocusPolicy(Qt.StrongFocus)
        box.installEventFilter(guard)
        box.setProperty("wheel_guarded", True)
