"""The dock that holds the chosen analysis view's own panel (the loop fit's loop and complex
plane), tabbed with the loop dock under the spectrum; hidden for views that only draw over the
spectrum."""

from __future__ import annotations

from PyQt5.QtCore import QObject, Qt
from PyQt5.QtWidgets import QDockWidget, QMainWindow, QWidget

from ..presenters.analysis_presenter import AnalysisPresenter
from ..views import AnalysisView
from .docks import add_dock


class ViewDock(QObject):
    """Puts each new view's panel in one dock and shows the dock only when there is one."""

    def __init__(self, window: QMainWindow, analysis: AnalysisPresenter, beside: QDockWidget):
        super().__init__(window)  # kept alive by the window, as its slot's owner
        self.window = window
        self.dock = add_dock(window, "Pixel fit", "view_panel", QWidget(),
                             Qt.LeftDockWidgetArea)
        window.tabifyDockWidget(beside, self.dock)
        self.dock.hide()
        analysis.sigViewChanged.connect(self._on_analysis_view_changed)
        if analysis.view is not None:
            self._on_analysis_view_changed(analysis.view)

    def _on_analysis_view_changed(self, view: AnalysisView) -> None:
        panel = view.panel()
        if panel is None:
            self.dock.hide()
            return
        self.dock.setWidget(panel)
        self.dock.show()
        self.dock.raise_()
        # the larger share of the column: the fitted loop, its key, its values and its mask
        # control need more room than the raw spectrum above it (which draws no fit here)
        above = [d for d in self.window.findChildren(QDockWidget)
                 if d is not self.dock and d.isVisible() and not d.isFloating()
                 and self.window.dockWidgetArea(d) == self.window.dockWidgetArea(self.dock)
                 and d not in self.window.tabifiedDockWidgets(self.dock)]
        if not above:  # alone in its column, or the window is still being made
            return
        column = self.window.height()
        mine = int(column * 0.58)
        rest = [(column - mine) // len(above)] * len(above)
        self.window.resizeDocks([*above, self.dock], [*rest, mine], Qt.Vertical)
