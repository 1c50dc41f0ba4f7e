"""Where each pixel of a map sits in the file's position units, and robust colour levels."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PyQt5.QtCore import QRectF

from ...core.io.layout import SpectralLayout
from ...core.labels import plain_label
from ..formatting import si


@dataclass(frozen=True)
class MapGrid:
    """Where each pixel of a (rows, cols) map sits in the file's position units."""

    rows: int
    cols: int
    x0: float
    dx: float
    x_name: str
    x_units: str
    y0: float
    dy: float
    y_name: str
    y_units: str
    x_values: np.ndarray = field(compare=False, repr=False)
    y_values: np.ndarray = field(compare=False, repr=False)

    @classmethod
    def from_layout(cls, layout: SpectralLayout) -> MapGrid:
        rows, cols = layout.grid_shape
        xd = layout.col_dim
        x0, dx, xv, xn, xu = _axis(xd.values if xd else None, cols, xd.name if xd else "Column",
                                   xd.units if xd else "")
        yd = layout.row_dim
        y0, dy, yv, yn, yu = _axis(yd.values if yd else None, rows, yd.name if yd else "Row",
                                   yd.units if yd else "")
        return cls(rows, cols, x0, dx, xn, xu, y0, dy, yn, yu, xv, yv)

    def rect(self) -> QRectF:
        """The image's extent: pixel centres sit on the position values."""
        return QRectF(self.x0 - self.dx / 2, self.y0 - self.dy / 2, self.dx * self.cols,
                      self.dy * self.rows)

    def pixel_at(self, x: float, y: float) -> tuple[int, int] | None:
        col = int(np.floor((x - self.x0) / self.dx + 0.5))
        row = int(np.floor((y - self.y0) / self.dy + 0.5))
        if 0 <= row < self.rows and 0 <= col < self.cols:
            return row, col
        return None

    def centre(self, row: int, col: int) -> tuple[float, float]:
        return self.x0 + col * self.dx, self.y0 + row * self.dy

    def describe(self, row: int, col: int) -> str:
        return f"row {row}, col {col} · {self.where(row, col)}"

    def where(self, row: int, col: int) -> str:
        """The pixel's place on the axes: ``X = 2.362 µm, Y = 1.575 µm``."""
        x = _coordinate(self.x_values, col, self.x_units)
        y = _coordinate(self.y_values, row, self.y_units)
        return f"{self.x_name} = {x}, {self.y_name} = {y}"


def _coordinate(values: np.ndarray, i: int, units: str) -> str:
    """One coordinate with its unit; the origin in the axis' own prefix ("0 µm" on an axis
    in µm, not "0 m")."""
    value = float(values[i])
    if value != 0.0 or len(values) < 2:
        return si(value, units)
    _, _, unit = si(float(np.max(np.abs(values))), units).partition(" ")
    return f"0 {unit}".strip()


def _axis(values, n: int, name: str, units: str):
    """Origin and step of one axis; falls back to pixel indices if the values are not uniform.
    The name and units come back as shown (sidpy's ``$\\mu$m`` as μm)."""
    name, units = plain_label(name), plain_label(units)
    if values is not None and len(values) == n and np.all(np.isfinite(values)):
        v = np.asarray(values, dtype=np.float64)
        step = (v[-1] - v[0]) / (n - 1) if n > 1 else 0.0
        if n == 1 or (step != 0 and np.allclose(np.diff(v), step, rtol=1e-3, atol=0)):
            if n == 1:
                step = 1.0 if v[0] == 0 else abs(v[0])
            return float(v[0]), float(step), v, name, units
    idx = np.arange(n, dtype=np.float64)
    return 0.0, 1.0, idx, name, "pixel" if not units else f"index ({units})"


def auto_levels(image: np.ndarray, percentiles: tuple[float, float] = (0.5, 99.5),
                symmetric: bool = False) -> tuple[float, float]:
    """Robust levels: the given percentiles of the finite pixels, so outliers don't wash out
    the map ((0, 100) is the full range). ``symmetric`` centres them on zero (diverging
    colormaps on signed quantities)."""
    data = image[np.isfinite(image)]
    if data.size == 0:
        return (-1.0, 1.0) if symmetric else (0.0, 1.0)
    if data.size > 250_000:
        data = data[:: data.size // 250_000 + 1]
    lo, hi = (float(v) for v in np.percentile(data, list(percentiles)))
    if not hi > lo:
        lo, hi = float(data.min()), float(data.max())
    if symmetric:
        m = max(abs(lo), abs(hi))
        lo, hi = -m, m
    if not hi > lo:
        hi = lo + (abs(lo) or 1.0)
    return float(lo), float(hi)
