"""A scale bar on the map, in the scan's own units ("1 µm"), resized to stay readable on zoom."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PyQt5.QtCore import QPointF, QRectF

from ..formatting import format_value


def nice_length(span: float, fraction: float = 0.2) -> float:
    """A 1, 2 or 5 x 10^k length close to ``fraction`` of ``span`` (0 when span is not > 0)."""
    if not span > 0 or not math.isfinite(span):
        return 0.0
    target = span * fraction
    exp = math.floor(math.log10(target))
    for step in (5, 2, 1):
        if step * 10 ** exp <= target:
            return float(step * 10 ** exp)
    return float(10 ** exp)


class MapScaleBar(pg.ScaleBar):
    """pyqtgraph's scale bar with a length that follows the zoom and a label by the units rule."""

    def __init__(self, units: str = "m"):
        super().__init__(1.0, width=6, brush=pg.mkBrush("w"), pen=pg.mkPen("k", width=1),
                         suffix="", offset=(-18, -22))
        self.units = units
        self.text.fill = pg.mkBrush(0, 0, 0, 150)
        self.text.setColor("w")

    def set_units(self, units: str) -> None:
        self.units = units
        self.updateBar()

    def label(self) -> str:
        return self.text.textItem.toPlainText()

    def updateBar(self) -> None:
        view = self.parentItem()
        if view is None:
            return
        (x0, x1), _ = view.viewRange()
        self.size = nice_length(abs(x1 - x0))
        p1 = view.mapFromViewToItem(self, QPointF(0, 0))
        p2 = view.mapFromViewToItem(self, QPointF(self.size, 0))
        w = abs((p2 - p1).x())
        self.bar.setRect(QRectF(-w, 0, w, self._width))
        self.text.setText(format_value(self.size, self.units, precision=3))
        self.text.setPos(-w / 2.0, 0)
