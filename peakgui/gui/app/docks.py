"""The window's docks: tree, attributes and tools tabbed above the analysis on the left; the
spectrum above the loop on the right; the map in the middle. Built once, from widgets the
window already made."""

from __future__ import annotations

from PyQt5.QtCore import QEvent, QObject, Qt
from PyQt5.QtWidgets import (
    QDockWidget,
    QFrame,
    QMainWindow,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

LEFT, RIGHT = Qt.LeftDockWidgetArea, Qt.RightDockWidgetArea


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
    """The run's controls above the parameters: Start stays in view, the buttons stay where
    they are however many lines the run's message takes (the parameters below scroll when the
    screen is short), and the run's part takes only the height its lines need. No group box
    titles: the dock's title says what this is, and each title's line is a parameter's less."""
    run.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Maximum)
    line = QFrame()
    line.setFrameShape(QFrame.HLine)
    line.setFrameShadow(QFrame.Sunken)
    scroll = scrolled(params)
    _WidthFollower(params, scroll)
    panel = QWidget()
    v = QVBoxLayout(panel)
    v.setContentsMargins(2, 2, 2, 2)
    v.addWidget(run)
    v.addWidget(line)
    v.addWidget(scroll, 1)
    return panel


class _WidthFollower(QObject):
    """Keeps a scroll area as wide as its content's minimum, also when the content changes
    (another analysis' wider form): the column widens instead of cutting the form off."""

    def __init__(self, content: QWidget, scroll: QScrollArea):
        super().__init__(scroll)
        self._content, self._scroll = content, scroll
        content.installEventFilter(self)
        self._follow()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.LayoutRequest:
            self._follow()
        return False

    def _follow(self) -> None:
        width = (self._content.minimumSizeHint().width()
                 + self._scroll.verticalScrollBar().sizeHint().width())
        if width != self._scroll.minimumWidth():
            self._scroll.setMinimumWidth(width)


def arrange(window: QMainWindow, docks: dict[str, QDockWidget]) -> None:
    """Put every dock in its place: the tree, attributes and tools tabbed at the top left with
    the analysis under them; the spectrum at the right with the loop (and a view's panel)
    under it. A short screen then still gives the spectrum, the loop and five parameters
    their height: each column holds at most two docks one above the other."""
    tree, attributes, tools = docks["tree"], docks["attributes"], docks["tools"]
    spectrum, loop, view, run = docks["spectrum"], docks["loop"], docks["view"], docks["run"]
    for dock, area in ((tree, LEFT), (run, LEFT), (spectrum, RIGHT), (loop, RIGHT)):
        dock.setFloating(False)
        window.addDockWidget(area, dock)
    window.splitDockWidget(tree, run, Qt.Vertical)
    window.splitDockWidget(spectrum, loop, Qt.Vertical)
    for beside, dock in ((tree, attributes), (tree, tools), (loop, view)):
        dock.setFloating(False)
        window.tabifyDockWidget(beside, dock)
    tree.raise_()


def default_sizes(window: QMainWindow, docks: dict[str, QDockWidget]) -> None:
    """Dock sizes that leave the map the most room and the analysis what it needs."""
    tree, spectrum, run = docks["tree"], docks["spectrum"], docks["run"]
    for d in (tree, docks["attributes"], docks["tools"], spectrum, run):
        d.show()
    w = window.width()  # a wide screen gives the columns some of its width too
    left = max(380, int(w * 0.22), run.minimumWidth(), tree.minimumWidth())
    right = max(400, int(w * 0.24), spectrum.minimumWidth())
    window.resizeDocks([tree, spectrum], [left, right], Qt.Horizontal)
    h = max(window.height() - 120, 400)  # about what the docks share under the menus
    analysis = int(h * 0.7)  # the run's lines and five parameters at 1366 x 768
    window.resizeDocks([tree, run], [h - analysis, analysis], Qt.Vertical)
