"""The selected pixel on the map: a red square with a white halo, and the arrow keys that move
it to a neighbour in the direction the arrow points on screen."""

from __future__ import annotations

import pyqtgraph as pg
from PyQt5.QtCore import Qt

from .map_grid import MapGrid


class PixelMarker:
    """Two scatter items on a plot that mark one pixel (or none)."""

    def __init__(self, plot: pg.PlotItem):
        self.rc: tuple[int, int] | None = None
        self._square = pg.ScatterPlotItem(size=15, symbol="s", pen=pg.mkPen("#ff2d2d", width=2.5),
                                          brush=None, pxMode=True)
        self._halo = pg.ScatterPlotItem(size=20, symbol="s", pen=pg.mkPen("w", width=1.2),
                                        brush=None, pxMode=True)
        plot.addItem(self._halo)
        plot.addItem(self._square)

    def clear(self) -> None:
        self.rc = None
        self._square.setData([], [])
        self._halo.setData([], [])

    def place(self, grid: MapGrid, row: int, col: int) -> None:
        self.rc = (row, col)
        x, y = grid.centre(row, col)
        self._square.setData([x], [y])
        self._halo.setData([x], [y])


def arrow_neighbour(grid: MapGrid, rc: tuple[int, int], key: int) -> tuple[int, int] | None:
    """The pixel an arrow key moves to from ``rc`` (clamped to the grid); None for other keys."""
    up = 1 if grid.dy > 0 else -1  # y grows upwards on screen
    right = 1 if grid.dx > 0 else -1
    moves = {Qt.Key_Up: (up, 0), Qt.Key_Down: (-up, 0),
             Qt.Key_Left: (0, -right), Qt.Key_Right: (0, right)}
    if key not in moves:
        return None
    dr, dc = moves[key]
    return (min(max(rc[0] + dr, 0), grid.rows - 1), min(max(rc[1] + dc, 0), grid.cols - 1))
