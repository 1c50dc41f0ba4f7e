"""Regions of interest on the map: a rectangle, an ellipse or a polygon.

Inside a region the presenter gives the statistics of the shown map (from the image in memory)
and the region's mean spectrum: the spectra of its positions are read in a worker, averaged, and
the analysis' pixel test (the engine's ``AnalysisRun.inspect``) runs on the mean there too; the
spectrum view then shows the mean with the test's overlay, as it shows a pixel.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import QObject

from ...core.analyses.declaration import PixelDetail
from ...core.io.source import SpectralSource
from ...core.run.engine import AnalysisRun
from .map_grid import MapGrid
from .map_roi import MapRoi

RECTANGLE, ELLIPSE, POLYGON = "rectangle", "ellipse", "polygon"
SHAPES = (RECTANGLE, ELLIPSE, POLYGON)
READ_BLOCK = 256  # positions per read: the worker can be abandoned between two
_PEN = pg.mkPen("#ff00ff", width=2)
_HOVER_PEN = pg.mkPen("#ffff00", width=2)

STAT_NAMES = ("count", "mean", "std", "min", "p5", "p25", "median", "p75", "p95", "max")


def polygon_mask(grid: MapGrid, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """(rows, cols) bool: the pixels whose centre is inside the polygon (view coordinates;
    even-odd rule)."""
    cx = grid.x0 + np.arange(grid.cols) * grid.dx
    cy = grid.y0 + np.arange(grid.rows) * grid.dy
    px, py = np.meshgrid(cx, cy)
    inside = np.zeros(px.shape, dtype=bool)
    n = len(xs)
    for i in range(n):
        x1, y1, x2, y2 = xs[i], ys[i], xs[(i + 1) % n], ys[(i + 1) % n]
        if y1 == y2:
            continue
        crosses = (y1 > py) != (y2 > py)
        x_at = x1 + (py - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (px < x_at)
    return inside


def roi_mask(roi: pg.ROI, grid: MapGrid) -> np.ndarray:
    """The pixels of the grid whose centre lies inside a ROI on the map's plot."""
    path = roi.mapToParent(roi.shape())  # the plot's view coordinates
    poly = path.toFillPolygon()
    xs = np.array([poly.at(i).x() for i in range(poly.count())])
    ys = np.array([poly.at(i).y() for i in range(poly.count())])
    if len(xs) < 3:
        return np.zeros((grid.rows, grid.cols), dtype=bool)
    return polygon_mask(grid, xs, ys)


def map_statistics(image: np.ndarray | None, mask: np.ndarray) -> dict[str, float]:
    """Statistics of the finite map values inside the mask (count 0: the others are NaN)."""
    values = np.empty(0) if image is None else np.asarray(image, np.float64)[mask]
    values = values[np.isfinite(values)]
    if values.size == 0:
        return {name: (0.0 if name == "count" else float("nan")) for name in STAT_NAMES}
    p = np.percentile(values, [5, 25, 50, 75, 95])
    return {"count": float(values.size), "mean": float(values.mean()),
            "std": float(values.std(ddof=1)) if values.size > 1 else 0.0,
            "min": float(values.min()), "p5": float(p[0]), "p25": float(p[1]),
            "median": float(p[2]), "p75": float(p[3]), "p95": float(p[4]),
            "max": float(values.max())}


@dataclass
class RegionMean:
    """A region's mean spectra, and the pixel test on the mean at one step."""

    count: int
    mean: np.ndarray  # (N, S), see shown_mean: every step, so another step needs no new read
    step: int
    detail: PixelDetail | None
    error: str = ""

    @property
    def spectrum(self) -> np.ndarray:
        return self.mean[min(self.step, len(self.mean) - 1)]


def contiguous_runs(positions: np.ndarray, block: int = READ_BLOCK) -> Iterator[tuple[int, int]]:
    """[start, stop) runs of sorted positions, none longer than ``block``."""
    positions = np.unique(positions)
    if positions.size == 0:
        return
    breaks = np.flatnonzero(np.diff(positions) != 1) + 1
    for run in np.split(positions, breaks):
        for a in range(0, len(run), block):
            part = run[a:a + block]
            yield int(part[0]), int(part[-1]) + 1


def inspect_mean(run: AnalysisRun | None, mean: RegionMean) -> RegionMean:
    """The analysis' pixel test on the mean spectrum (the engine's one path)."""
    if run is None:
        mean.detail, mean.error = None, "parameters are not valid"
        return mean
    try:
        mean.detail, mean.error = run.inspect(mean.spectrum), ""
    except (ValueError, FloatingPointError) as exc:
        mean.detail, mean.error = None, f"pixel test failed: {exc}"
    return mean


def shown_mean(total: np.ndarray, total_abs: np.ndarray, count: int) -> np.ndarray:
    """The mean spectrum as the spectrum view plots it: its magnitude is the mean of |x| (the
    amplitude view plots |x|; where phases differ from pixel to pixel, |mean x| cancels to
    nearly nothing), its phase (sign, for real data) that of the mean of x."""
    magnitude = total_abs / count
    if np.iscomplexobj(total):
        return magnitude * np.exp(1j * np.angle(total))
    return np.where(total < 0, -magnitude, magnitude)


def read_region_mean(source: SpectralSource, positions: np.ndarray, step: int,
                     run: AnalysisRun | None) -> Generator[RegionMean | None, None, None]:
    """The worker's generator: sum the positions' spectra and their magnitudes block by block
    (None after each block, so it can be abandoned there), then yield the mean
    (:func:`shown_mean`) tested at ``step``."""
    total, total_abs, count = None, None, 0
    for start, stop in contiguous_runs(positions):
        block = source.read(start, stop)  # (n, N, S)
        s = block.sum(axis=0, dtype=np.complex128 if np.iscomplexobj(block) else np.float64)
        a = np.abs(block).sum(axis=0, dtype=np.float64)
        total = s if total is None else total + s
        total_abs = a if total_abs is None else total_abs + a
        count += stop - start
        yield None
    if total is None or total_abs is None:
        return
    yield inspect_mean(run, RegionMean(count, shown_mean(total, total_abs, count), step, None))


class RegionTool(MapRoi):
    """One region on the map's plot; says when the user moved or reshaped it."""

    def __init__(self, plot: pg.PlotItem, parent: QObject | None = None):
        super().__init__(plot, 20, parent)
        self.shape = ""

    def create(self, shape: str, grid: MapGrid) -> pg.ROI:
        """A new region of ``shape`` in the middle of the map (replacing the old one)."""
        w, h = abs(grid.dx) * grid.cols, abs(grid.dy) * grid.rows
        x0 = min(grid.x0, grid.x0 + grid.dx * (grid.cols - 1))
        y0 = min(grid.y0, grid.y0 + grid.dy * (grid.rows - 1))
        cx, cy = x0 + w / 2, y0 + h / 2
        size = (w / 3, h / 3)
        kw = {"pen": _PEN, "hoverPen": _HOVER_PEN}
        if shape == ELLIPSE:
            roi = pg.EllipseROI((cx - size[0] / 2, cy - size[1] / 2), size, **kw)
        elif shape == POLYGON:
            pts = [(cx - w / 6, cy - h / 6), (cx + w / 6, cy - h / 8), (cx + w / 8, cy + h / 6),
                   (cx - w / 8, cy + h / 8)]
            roi = pg.PolyLineROI(pts, closed=True, **kw)
        else:
            shape = RECTANGLE
            roi = pg.RectROI((cx - size[0] / 2, cy - size[1] / 2), size, **kw)
        self._place(roi)
        self.shape = shape
        return roi

    def set_rect(self, x: float, y: float, w: float, h: float) -> None:
        """Move and size a rectangle or ellipse region, as dragging would."""
        if self.roi is not None and not isinstance(self.roi, pg.PolyLineROI):
            self.roi.setPos((x, y), finish=False)
            self.roi.setSize((w, h), finish=False)
            self.sigChanged.emit()

    def remove(self) -> None:
        super().remove()
        self.shape = ""

    def mask(self, grid: MapGrid) -> np.ndarray:
        if self.roi is None:
            return np.zeros((grid.rows, grid.cols), dtype=bool)
        return roi_mask(self.roi, grid)
