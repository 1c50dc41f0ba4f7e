"""Pinned pixels: spectra kept on the spectrum plot for comparison, each with its own colour and a
marker of the same colour on the map and a row in the plot's legend. A pin's colour is never one
the plot already draws with (the SHO fit's red...). Pinning reads nothing: the inspector has the
pixel's spectra already."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import QObject, pyqtSignal

from .colormaps import to_lab
from .map_grid import MapGrid

PALETTE = ("#e6194b", "#3cb44b", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324",
           "#469990", "#808000", "#000075")
MIN_DISTANCE = 25.0  # CIELAB ΔE from every other curve's colour: told apart at a glance


def _lab(colour: str) -> np.ndarray:
    c = pg.mkColor(colour)
    return to_lab(np.array([c.red(), c.green(), c.blue()]))


@dataclass
class Pin:
    """A pinned pixel: where it is and its spectrum (at the step it was pinned at)."""

    row: int
    col: int
    position: int
    step: int
    x: np.ndarray  # the spectral axis
    spectrum: np.ndarray
    colour: str

    @property
    def label(self) -> str:
        return f"pin ({self.row}, {self.col})"


class PinnedSpectra(QObject):
    """The pins: a curve each on the spectrum plot, a marker each on the map."""

    sigChanged = pyqtSignal()
    """A pixel was pinned or unpinned."""

    def __init__(self, map_plot: pg.PlotItem, spectrum_plot: pg.PlotItem,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._map_plot, self._spectrum_plot = map_plot, spectrum_plot
        self.pins: list[Pin] = []
        self._curves: list[pg.PlotDataItem] = []
        self._phase = False
        self._markers = pg.ScatterPlotItem(size=13, symbol="d", pxMode=True)
        self._markers.setZValue(15)
        map_plot.addItem(self._markers)

    def busy_colours(self) -> list[str]:
        """The colours the plot draws its other curves with (the data, a fit, a guess)."""
        out = []
        for item in self._spectrum_plot.items:
            if isinstance(item, pg.PlotDataItem) and item not in self._curves:
                for key in ("pen", "symbolBrush", "symbolPen"):
                    value = item.opts.get(key)
                    if value is not None:
                        q = (pg.mkBrush(value) if key == "symbolBrush" else pg.mkPen(value)
                             ).color()
                        if q.alpha() > 0:
                            out.append(q.name())
        return out

    def _next_colour(self) -> str:
        """The first colour of the palette not taken by a pin and far from the plot's own."""
        used = {p.colour for p in self.pins}
        busy = [_lab(c) for c in self.busy_colours()]
        free = [c for c in PALETTE if c not in used
                and all(np.linalg.norm(_lab(c) - b) >= MIN_DISTANCE for b in busy)]
        return free[0] if free else PALETTE[len(self.pins) % len(PALETTE)]

    def pin(self, row: int, col: int, position: int, step: int, x: np.ndarray,
            spectrum: np.ndarray, grid: MapGrid | None) -> Pin | None:
        """Keep a pixel's spectrum (a pixel pinned twice is unpinned instead)."""
        for p in self.pins:
            if (p.row, p.col, p.step) == (row, col, step):
                self.unpin(p)
                return None
        pin = Pin(row, col, position, step, np.asarray(x, np.float64), np.asarray(spectrum),
                  self._next_colour())
        curve = pg.PlotDataItem(pen=pg.mkPen(pin.colour, width=1.5))
        self._spectrum_plot.addItem(curve)
        if self._spectrum_plot.legend is not None:  # the colour matches the map's marker
            self._spectrum_plot.legend.addItem(curve, pin.label)
        self.pins.append(pin)
        self._curves.append(curve)
        self._draw(grid)
        self.sigChanged.emit()
        return pin

    def unpin(self, pin: Pin | None = None, grid: MapGrid | None = None) -> None:
        """Unpin one pixel (default: the last pinned)."""
        if not self.pins:
            return
        i = len(self.pins) - 1 if pin is None else self.pins.index(pin)
        self.pins.pop(i)
        curve = self._curves.pop(i)
        self._remove_curve(curve)
        self._draw(grid)
        self.sigChanged.emit()

    def clear(self) -> None:
        for curve in self._curves:
            self._remove_curve(curve)
        self.pins, self._curves = [], []
        self._markers.setData([])
        self.sigChanged.emit()

    def _remove_curve(self, curve: pg.PlotDataItem) -> None:
        legend = self._spectrum_plot.legend
        if legend is not None:
            legend.removeItem(curve)
        self._spectrum_plot.removeItem(curve)

    def set_phase(self, phase: bool, grid: MapGrid | None = None) -> None:
        self._phase = phase
        self._draw(grid)

    def curves(self) -> list[pg.PlotDataItem]:
        return list(self._curves)

    def markers(self) -> pg.ScatterPlotItem:
        return self._markers

    def _draw(self, grid: MapGrid | None) -> None:
        for pin, curve in zip(self.pins, self._curves):
            y = np.angle(pin.spectrum) if self._phase else np.abs(pin.spectrum)
            curve.setData(pin.x, np.asarray(y, np.float64))
        if grid is None:
            return
        spots = []
        for pin in self.pins:
            x, y = grid.centre(pin.row, pin.col)
            spots.append({"pos": (x, y), "brush": pg.mkBrush(pin.colour),
                          "pen": pg.mkPen("w", width=1.2), "data": pin.label})
        self._markers.setData(spots)
