"""The selected pixel and the spectroscopic step: what follows when either changes.

A pixel tested by the inspector's worker goes to the map marker, the spectrum view, the loop plot
and the results row; a new step reloads the navigators and the shown results group at that step;
the '|x| at a bin' navigator follows its bin.
"""

from __future__ import annotations

import html

from PyQt5.QtCore import QObject, pyqtSignal

from ..formatting import step_suffix
from ..session import Session
from ..views.loop_plot import LoopPlot
from ..widgets.map_view import MapView
from ..widgets.spectrum_view import SpectrumView
from .inspector import PixelInspector, PixelReport
from .map_layers import NAVIGATOR_BIN, MapLayers
from .navigator import BIN, MEAN, NavigatorController
from .results_browser import ResultsBrowser


class PixelPresenter(QObject):
    """Shows each tested pixel; follows the step and the bin with the navigators and results."""

    sigPixelTested = pyqtSignal(object)
    """The selected pixel was read and tested (carries a PixelReport)."""

    def __init__(self, session: Session, inspector: PixelInspector, map_view: MapView,
                 spectrum_view: SpectrumView, loop_plot: LoopPlot, layers: MapLayers,
                 navigator: NavigatorController, results: ResultsBrowser,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.session, self.map_view, self.spectrum_view = session, map_view, spectrum_view
        self.loop_plot, self.layers, self.navigator = loop_plot, layers, navigator
        self.results = results
        inspector.sigInspected.connect(self._on_pixel_inspected)
        spectrum_view.sigStepChanged.connect(session.set_step)
        session.step_changed.connect(self._on_session_step_changed)
        layers.sigLayerChanged.connect(self._on_layers_layer_changed)

    def _on_pixel_inspected(self, rep: PixelReport) -> None:
        self.map_view.set_marker(rep.row, rep.col)
        grid = self.map_view.grid()
        places = [f"row {rep.row}", f"col {rep.col}"]
        if grid is not None:
            places += grid.where(rep.row, rep.col).split(", ")
        # a header that wraps breaks between coordinates, never inside "Y = 1.575 µm"
        glued = [html.escape(p).replace(" ", "&nbsp;") for p in places]
        title = f"<b>Position {rep.position}</b> · {', '.join(glued[:2])}"
        if len(glued) > 2:
            title += f" · {', '.join(glued[2:])}"
        if rep.spectrum is None:
            self.spectrum_view.clear(rep.error or "no spectrum")
        else:
            self.spectrum_view.show_pixel(rep.spectrum, rep.detail, title, rep.error)
        self.loop_plot.set_test(rep.loop)
        self.results.update_loop_row(rep)
        self.sigPixelTested.emit(rep)

    def _on_session_step_changed(self, step: int) -> None:
        """Another step along the other spectroscopic dims: the maps follow (a running run's
        live maps keep the step they started with)."""
        self.loop_plot.set_step(step)
        source = self.session.source
        if source is None or self.session.run.phase.active:
            return
        suffix = step_suffix(source.layout, step)
        self.navigator.start(MEAN, self.layers.current_bin(), step, suffix)
        if self.layers.image(NAVIGATOR_BIN) is not None:
            self.navigator.start(BIN, self.layers.current_bin(), step, suffix)
        self.results.set_step(step)

    def _on_layers_layer_changed(self, key: str) -> None:
        if key == NAVIGATOR_BIN and self.layers.image(NAVIGATOR_BIN) is None:
            self.on_bin_timer_timeout()

    def on_bin_timer_timeout(self) -> None:
        source = self.session.source
        if self.layers.current() == NAVIGATOR_BIN and source is not None:
            step = self.session.step
            self.navigator.start(BIN, self.layers.current_bin(), step,
                                 step_suffix(source.layout, step))
