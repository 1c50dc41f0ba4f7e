"""The window's docks: tree, attributes, loop, tools on the left; spectrum and analysis on the
right; the map in the middle. Built once, from widgets the window already made."""

from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import (
    QDockWidget,
    QFrame,
    QGroupBox,
    QMainWindow,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)


def add_dock(window: QMainWindow, title: str, name: str, widget: QWidget,
             area: Qt.DockWidgetArea) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(f"dock_{name}")
    dock.setWidget(widget)
    window.addDockWidget(area, dock)
    return dock


def scrolled(widget: QWidget) -> QScrollArea:
    """A widget that scrolls vertically when the screen is short, never sideways."""
    scroll = QScrollArea()
    scroll.setWidget(widget)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    return scroll


def analysis_panel(params: QWidget, run: QWidget) -> QWidget:
    """Parameters above the run's controls: a short screen scrolls the parameters, Start stays
    in view."""
    boxes = []
    for title, widget in (("Parameters", params), ("Run over the whole dataset", run)):
        box = QGroupBox(title)
        QVBoxLayout(box).addWidget(widget)
        boxes.append(box)
    scroll = scrolled(boxes[0])
    scroll.setMinimumWidth(boxes[0].minimumSizeHint().width()
                           + scroll.verticalScrollBar().sizeHint().width())
    panel = QWidget()
    v = QVBoxLayout(panel)
    v.setContentsMargins(2, 2, 2, 2)
    v.addWidget(scroll, 1)
    v.addWidget(boxes[1])
    return panel


def default_sizes(window: QMainWindow, tree: QDockWidget, attributes: QDockWidget,
                  spectrum: QDockWidget, run: QDockWidget) -> None:
    """Dock sizes that leave the map the most room."""
    for d in (tree, attributes, spectrum, run):
        d.show()
    right = run.widget().minimumSizeHint().width()  # the analysis panel
    window.resizeDocks([tree, spectrum], [380, max(440, right)], Qt.Horizontal)
    window.resizeDocks([tree, attributes], [420, 440], Qt.Vertical)
    window.resizeDocks([spectrum, run], [340, 560], Qt.Vertical)
