"""The selected pixel and the spectroscopic step: what follows when either changes.

A pixel read and tested (by the inspector's worker) goes to the map marker, the spectrum view,
the loop plot and the results row; a new step reloads the navigators and the shown results group
at that step; the '|x| at a bin' navigator follows its bin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PyQt5.QtCore import QObject

from .inspector import PixelReport
from .map_layers import NAVIGATOR_BIN, with_derived
from .navigator import BIN, MEAN

if TYPE_CHECKING:
    from ..app.main_window import MainWindow


class PixelPresenter(QObject):
    """Slots the window connects for the pixel, the step and the navigators."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.w = window

    def on_pixel_inspected(self, rep: PixelReport) -> None:
        self.w.map_view.set_marker(rep.row, rep.col)
        grid = self.w.map_view.grid()
        where = grid.describe(rep.row, rep.col) if grid else f"row {rep.row}, col {rep.col}"
        title = f"<b>Position {rep.position}</b> · {where}"
        if rep.spectrum is None:
            self.w.spectrum_view.clear(rep.error or "no spectrum")
        else:
            self.w.spectrum_view.show_pixel(rep.spectrum, rep.detail, title, rep.error)
        self._update_loop_test()
        self.w.results_browser.update_loop_row()
        self.w.sigPixelTested.emit(rep)

    def _update_loop_test(self) -> None:
        """The analysis at every step of the selected pixel (the engine's compute)."""
        run, spectra = self.w.inspector.run, self.w.inspector.spectra
        values = None
        if run is not None and spectra is not None and len(spectra) > 1:
            try:
                values = with_derived(run.analysis, run.compute(spectra))
            except (ValueError, FloatingPointError):
                values = None
        self.w.loop_plot.set_test(values)

    def on_spectrum_step_changed(self, step: int) -> None:
        """Another step along the other spectroscopic dims: the spectrum and the maps follow
        (a running run's live maps keep the step they started with)."""
        self.w.inspector.set_step(step)
        self.w.loop_plot.set_step(step)
        if self.w.source is None or self.w.run_controller.is_active():
            return
        self.w.navigator.start(MEAN, self.w.layers.current_bin(), step, self.w.step_suffix(step))
        if self.w.layers.image(NAVIGATOR_BIN) is not None:
            self.w.navigator.start(BIN, self.w.layers.current_bin(), step, self.w.step_suffix(step))
        self.w.results_browser.set_step(step)

    def on_layers_layer_changed(self, key: str) -> None:
        if key == NAVIGATOR_BIN and self.w.layers.image(NAVIGATOR_BIN) is None:
            self.on_bin_timer_timeout()
        self.w.update_actions()

    def on_bin_timer_timeout(self) -> None:
        if self.w.layers.current() == NAVIGATOR_BIN:
            step = self.w.inspector.step
            self.w.navigator.start(BIN, self.w.layers.current_bin(), step, self.w.step_suffix(step))

    def on_navigator_failed(self, message: str) -> None:
        self.w.statusBar().showMessage(message, 10000)
        self.w.info_bar.show_message(message, "error")
