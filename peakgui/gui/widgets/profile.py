"""A line profile across the map: the shown map's values along a segment the user drags, plotted
against the distance along it in the scan's units (pixels when the axes have no common unit)."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import QObject

from .axes import set_axis_units
from .map_grid import MapGrid
from .map_roi import MapRoi

_PEN = pg.mkPen("#00e5ff", width=2)
_PLOT_PEN = pg.mkPen("#1f6fd1", width=1.5)


def distance_units(grid: MapGrid) -> str:
    """The distance's units: the scan's when both axes share them, else pixels."""
    return grid.x_units if grid.x_units == grid.y_units and grid.x_units else "pixel"


def sample_profile(image: np.ndarray, grid: MapGrid, p0: tuple[float, float],
                   p1: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """(distance, value) along the segment p0 -> p1 (view coordinates), two samples per pixel
    crossed, each the value of the scan point it falls on (nearest; NaN outside the map)."""
    c0, r0 = (p0[0] - grid.x0) / grid.dx, (p0[1] - grid.y0) / grid.dy
    c1, r1 = (p1[0] - grid.x0) / grid.dx, (p1[1] - grid.y0) / grid.dy
    n = max(2, int(math.ceil(2 * math.hypot(c1 - c0, r1 - r0))) + 1)
    t = np.linspace(0.0, 1.0, n)
    cols, rows = np.rint(c0 + t * (c1 - c0)).astype(int), np.rint(r0 + t * (r1 - r0)).astype(int)
    ok = (rows >= 0) & (rows < grid.rows) & (cols >= 0) & (cols < grid.cols)
    values = np.full(n, np.nan)
    values[ok] = np.asarray(image, np.float64)[rows[ok], cols[ok]]
    if distance_units(grid) == "pixel":
        length = math.hypot(c1 - c0, r1 - r0)
    else:
        length = math.hypot(p1[0] - p0[0], p1[1] - p0[1])
    return t * length, values


class ProfileTool(MapRoi):
    """The segment on the map and the plot of the profile along it."""

    def __init__(self, plot: pg.PlotItem, parent: QObject | None = None):
        super().__init__(plot, 21, parent)
        self.widget = pg.PlotWidget()
        self.widget.setMinimumHeight(150)
        self.widget.showGrid(x=True, y=True, alpha=0.2)
        self._curve = self.widget.plot(pen=_PLOT_PEN)
        self.widget.setLabel("bottom", "Distance along the line")

    def create(self, grid: MapGrid, p0: tuple[float, float] | None = None,
               p1: tuple[float, float] | None = None) -> pg.LineSegmentROI:
        """A segment from p0 to p1 (view coordinates; default: across the middle of the map),
        replacing the old one."""
        xa, xb = grid.x0, grid.x0 + grid.dx * (grid.cols - 1)
        ym = grid.y0 + grid.dy * (grid.rows - 1) / 2
        p0 = p0 or (xa + (xb - xa) * 0.15, ym)
        p1 = p1 or (xa + (xb - xa) * 0.85, ym)
        roi = pg.LineSegmentROI([p0, p1], pen=_PEN)
        self._place(roi)
        return roi

    def ends(self) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """The segment's ends in view coordinates."""
        if self.roi is None:
            return None
        pts = [self.roi.mapToParent(h.pos()) for h in self.roi.getHandles()]
        return (pts[0].x(), pts[0].y()), (pts[1].x(), pts[1].y())

    def remove(self) -> None:
        super().remove()
        self._curve.setData([], [])

    def update(self, image: np.ndarray | None, grid: MapGrid | None, quantity: str,
               units: str) -> tuple[np.ndarray, np.ndarray]:
        """Sample the shown map along the segment and plot it; returns (distance, values)."""
        ends = self.ends()
        if ends is None or image is None or grid is None:
            self._curve.setData([], [])
            return np.empty(0), np.empty(0)
        d, v = sample_profile(image, grid, *ends)
        self._curve.setData(d, v, connect="finite")
        du = distance_units(grid)
        p = self.widget.getPlotItem()
        set_axis_units(p.getAxis("bottom"), "Distance along the line", du)
        set_axis_units(p.getAxis("left"), quantity, units)
        return d, v

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._curve.getData()
        return (np.asarray(x) if x is not None else np.empty(0),
                np.asarray(y) if y is not None else np.empty(0))
