"""Getters of a widget's parts, one line each: ``plot_item = Part[pg.PlotItem]("_plot")``.

Widgets here are composed, not subclassed deeply, and expose their parts through getters as
pyqtgraph's ``ImageView`` does (``getView()``, ``getHistogramWidget()``): the window wires them
and tests drive the real child widgets through them. A getter that only returns a child is
declared with :class:`Part` instead of a two-line method.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

from PyQt5.QtCore import QObject
from PyQt5.QtGui import QKeySequence
from PyQt5.QtWidgets import QAction, QPushButton, QSpinBox

T = TypeVar("T")


class Part(Generic[T]):
    """A method ``name()`` that returns the instance's attribute ``attr``."""

    def __init__(self, attr: str):
        self.attr = attr

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> Part[T]: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> Callable[[], T]: ...

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        return lambda: getattr(obj, self.attr)


def spin_box(lo: int, hi: int, tip: str, value: int | None = None, suffix: str = "",
             special: str = "") -> QSpinBox:
    """A whole-number box with its range, tooltip and (optional) value, suffix and the text
    shown at its minimum (``special``, e.g. "auto")."""
    box = QSpinBox()
    box.setRange(lo, hi)
    if value is not None:
        box.setValue(value)
    box.setSuffix(suffix)
    box.setSpecialValueText(special)
    box.setToolTip(tip)
    return box


def action(parent: QObject, text: str, slot: Callable[..., Any], tip: str, name: str,
           shortcut: str | None = None) -> QAction:
    """A menu action with its tooltip (also the status-bar tip), object name and slot."""
    a = QAction(text, parent)
    a.setObjectName(name)
    if shortcut:
        a.setShortcut(QKeySequence(shortcut))
    a.setToolTip(tip)
    a.setStatusTip(tip)
    a.triggered.connect(slot)
    return a


def action_button(act: QAction, text: str | None = None) -> QPushButton:
    """A push button that triggers ``act`` (the dock's buttons and the menu do the same)."""
    b = QPushButton(text or act.text().replace("&", ""))
    b.setToolTip(act.toolTip())
    b.clicked.connect(act.trigger)
    return b
