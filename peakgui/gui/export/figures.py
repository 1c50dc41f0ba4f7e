"""Figures worth publishing: the shown map drawn from its data, not grabbed from the screen.

A map figure is painted offscreen with QPainter (no cursor, no selection box, no histogram
handles): the title, the map at one image pixel per scan point (or an integer multiple), a colour
bar with ticks and units, and a scale bar in the scan's units when both axes share a length unit.
The same painting goes to a PNG (with its DPI recorded) or an SVG. Plots (the spectrum, the loop)
are rendered by pyqtgraph's exporters from their own items, and their data go to CSV.
"""

from __future__ import annotations

import html
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters  # registers pg.exporters
from PyQt5.QtCore import QByteArray, QPointF, QRectF, QSize, Qt
from PyQt5.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen
from PyQt5.QtSvg import QSvgGenerator, QSvgRenderer

from ...core.labels import plain_label
from ..formatting import si, takes_si_prefix
from ..widgets.map_grid import MapGrid

MAX_SIDE = 12_000  # pixels: a larger figure is refused rather than exhausting memory
LENGTH_UNITS = re.compile(r"^(?:[yzafpnµμumkM]?m|pixels?|px)$")
"""Scan axes a scale bar can measure: metres with any prefix, or pixels."""


@dataclass
class MapFigure:
    """What a map figure shows: the values, where they sit, and how they are coloured."""

    image: np.ndarray  # (rows, cols), NaN = not computed (left blank)
    grid: MapGrid
    title: str
    quantity: str
    units: str
    levels: tuple[float, float]
    colormap: str | pg.ColorMap = "viridis"  # a name, or the map the view draws with
    integer: bool = False
    mask: np.ndarray | None = None  # (rows, cols) bool: pixels drawn in ``mask_rgba``
    mask_rgba: tuple[int, int, int, int] = (150, 150, 150, 255)


_WINDOW_NOTES = re.compile(r"\s*\((?:reused|running|paused)\)")


def figure_title(title: str) -> str:
    """A map's title without the window's notes on how it got there ("(reused)"...)."""
    return _WINDOW_NOTES.sub("", title).strip()


def map_figure(view, integer: bool = False, title: str | None = None) -> MapFigure:
    """The figure of what a :class:`MapView` shows now (its levels and colormap)."""
    image, grid = view.image(), view.grid()
    if image is None or grid is None or not np.isfinite(image).any():
        raise ValueError("the shown map has no values yet")
    text = figure_title(view.title_text()) if title is None else title
    lo, hi = view.histogram().getLevels()
    cmap = view.histogram().gradient.colorMap()  # what is drawn (a diverging difference map...)
    masked = view.mask()  # the masked pixels in the colour the title names, as on screen
    mask, rgba = masked if masked is not None else (None, (150, 150, 150, 255))
    return MapFigure(np.asarray(image, dtype=np.float64), grid, text, text.split(" · ")[0],
                     view.units(), (float(lo), float(hi)), cmap, integer, mask, rgba)


def default_scale(fig: MapFigure, target: int = 512) -> int:
    """Screen pixels per scan point so the map is about ``target`` pixels wide (at least 1)."""
    return max(1, min(32, math.ceil(target / max(fig.grid.cols, fig.grid.rows, 1))))


def colour_image(fig: MapFigure) -> QImage:
    """The map as an RGBA image, one pixel per scan point, oriented as on screen (y up)."""
    lo, hi = fig.levels
    if not hi > lo:
        hi = lo + (abs(lo) or 1.0)
    cmap = fig.colormap
    if not isinstance(cmap, pg.ColorMap):
        try:
            cmap = pg.colormap.get(cmap)
        except (FileNotFoundError, KeyError, ValueError):
            cmap = pg.colormap.get("viridis")
    lut = cmap.map(np.linspace(0.0, 1.0, 256), mode="byte")
    if lut.shape[1] == 3:
        lut = np.concatenate([lut, np.full((256, 1), 255, np.uint8)], axis=1)
    data = fig.image
    finite = np.isfinite(data)
    idx = np.clip((np.where(finite, data, lo) - lo) / (hi - lo) * 256, 0, 255).astype(np.intp)
    rgba = lut[idx]
    rgba[~finite] = 0  # transparent: not computed
    if fig.mask is not None and fig.mask.shape == data.shape:
        rgba[fig.mask] = fig.mask_rgba
    if fig.grid.dy > 0:  # rows run upwards on screen
        rgba = rgba[::-1]
    if fig.grid.dx < 0:
        rgba = rgba[:, ::-1]
    rgba = np.ascontiguousarray(rgba)
    h, w = rgba.shape[:2]
    return QImage(rgba.data, w, h, 4 * w, QImage.Format_RGBA8888).copy()


def nice_step(span: float, n: int = 4) -> float:
    """A 1-2-5 step that cuts ``span`` into about ``n`` pieces."""
    if not span > 0 or not math.isfinite(span):
        return 1.0
    raw = span / n
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def _prefixed(value_range: float, units: str, integer: bool) -> tuple[float, str]:
    """(factor, units) for tick labels: a prefix for real SI units only."""
    units = plain_label(units)
    if integer or not takes_si_prefix(units):
        return 1.0, units
    factor, prefix = pg.siScale(value_range)
    return factor, f"{prefix}{units}"


def colour_ticks(fig: MapFigure) -> tuple[list[tuple[float, str]], str]:
    """Tick values with their labels, and the colour bar's label with its units."""
    lo, hi = fig.levels
    factor, units = _prefixed(max(abs(lo), abs(hi)), fig.units, fig.integer)
    step = nice_step(hi - lo)
    if fig.integer:
        step = max(1.0, round(step))
    decimals = max(0, -math.floor(math.log10(step * factor) + 1e-9)) if step * factor < 1 else 0
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    v = first
    while v <= hi + step * 1e-9:
        ticks.append((v, f"{v * factor:.{decimals}f}"))
        v += step
    quantity = plain_label(fig.quantity)
    label = f"{quantity} ({units})" if units.strip() else quantity
    return ticks, label


def scale_bar(grid: MapGrid) -> tuple[float, str] | None:
    """(length in scan units, label) of a scale bar, or None when the axes are not lengths."""
    units = grid.x_units.strip()
    if units != grid.y_units.strip() or not LENGTH_UNITS.match(units):
        return None
    length = nice_step(abs(grid.dx) * grid.cols, 5)
    return length, si(length, units, precision=3)


def _font(points: float, dpi: float, bold: bool = False) -> QFont:
    f = QFont("DejaVu Sans")
    f.setPixelSize(max(6, round(points * dpi / 72)))
    f.setBold(bold)
    return f


class _MapLayout:
    """Where everything of a map figure goes, in figure pixels."""

    def __init__(self, fig: MapFigure, scale: int, dpi: float):
        self.fig, self.scale, self.dpi = fig, scale, dpi
        self.title_font = _font(10, dpi, bold=True)
        self.font = _font(8, dpi)
        fm, tfm = QFontMetricsF(self.font), QFontMetricsF(self.title_font)
        self.pad = fm.height() * 0.6
        self.map_w, self.map_h = fig.grid.cols * scale, fig.grid.rows * scale
        self.ticks, self.bar_label = colour_ticks(fig)
        tick_w = max((fm.horizontalAdvance(t) for _, t in self.ticks), default=0.0)
        self.bar_w = max(fm.height(), self.map_w * 0.04)
        # the title wraps to the width of the map and its colour bar (at least 30 characters):
        # a long one must not make the figure a wide strip with the map in a corner
        self.content_w = self.map_w + 3.5 * self.pad + self.bar_w + 2.0 * fm.height() + tick_w
        wrap = max(self.content_w, tfm.averageCharWidth() * 30)
        # measured a little narrower than it is drawn: a painter's hinting may differ a pixel
        box = tfm.boundingRect(QRectF(0, 0, 0.95 * (wrap - 2 * self.pad), 1e6),
                               Qt.TextWordWrap, fig.title)
        self.title_w = box.width() + 2 * self.pad if fig.title else 0.0
        self.title_h = box.height() + self.pad if fig.title else self.pad
        self.map_rect = QRectF(self.pad, self.title_h, self.map_w, self.map_h)
        self.bar_rect = QRectF(self.map_rect.right() + self.pad * 1.5, self.title_h, self.bar_w,
                               self.map_h)
        self.tick_len = fm.height() * 0.3
        right = self.bar_rect.right() + self.tick_len + fm.height() * 0.3 + tick_w
        right += fm.height() * 0.4 + fm.height() + self.pad  # the rotated bar label
        width = max(right, self.title_w)
        self.size = QSize(math.ceil(width), math.ceil(self.title_h + self.map_h + self.pad))
        self.label_x = right - self.pad - fm.height() * 0.5
        shift = (width - right) / 2  # a title wider than the rest: centre the map under it
        self.map_rect.translate(shift, 0)
        self.bar_rect.translate(shift, 0)
        self.label_x += shift
        # whole pixels: a map drawn at a fraction of a pixel would blur its scan points
        self.map_rect.moveTo(round(self.map_rect.left()), round(self.map_rect.top()))


def paint_map(painter: QPainter, fig: MapFigure, scale: int, dpi: float) -> None:
    """Paint a map figure whose size is :func:`map_figure_size` on a white background."""
    lay = _MapLayout(fig, scale, dpi)
    painter.fillRect(QRectF(0, 0, lay.size.width(), lay.size.height()), Qt.white)
    painter.setRenderHint(QPainter.Antialiasing, True)
    painter.setRenderHint(QPainter.TextAntialiasing, True)
    painter.setRenderHint(QPainter.SmoothPixmapTransform, False)  # crisp scan points
    painter.setPen(Qt.black)
    if fig.title:
        painter.setFont(lay.title_font)
        painter.drawText(QRectF(lay.pad / 2, 0, lay.size.width() - lay.pad, lay.title_h),
                         Qt.AlignCenter | Qt.TextWordWrap, fig.title)
    native = colour_image(fig)  # enlarged here, so an SVG viewer has nothing to smooth
    painter.drawImage(lay.map_rect, native.scaled(native.width() * scale,
                                                  native.height() * scale,
                                                  Qt.IgnoreAspectRatio, Qt.FastTransformation))
    painter.setPen(QPen(QColor(0, 0, 0), max(1.0, dpi / 150)))
    painter.setBrush(Qt.NoBrush)
    painter.drawRect(lay.map_rect)
    _paint_colour_bar(painter, lay)
    _paint_scale_bar(painter, lay)


def _paint_colour_bar(painter: QPainter, lay: _MapLayout) -> None:
    fig, r = lay.fig, lay.bar_rect
    top_down = MapGrid(256, 1, 0, 1, "", "", 0, -1, "", "", np.zeros(1), np.zeros(256))
    bar = MapFigure(np.linspace(fig.levels[1], fig.levels[0], 256)[:, None], top_down,
                    "", "", "", fig.levels, fig.colormap)
    painter.setRenderHint(QPainter.SmoothPixmapTransform, True)
    painter.drawImage(r, colour_image(bar))
    painter.setRenderHint(QPainter.SmoothPixmapTransform, False)
    painter.drawRect(r)
    painter.setFont(lay.font)
    fm = QFontMetricsF(lay.font)
    lo, hi = fig.levels
    for value, text in lay.ticks:
        y = r.bottom() - (value - lo) / (hi - lo) * r.height() if hi > lo else r.center().y()
        painter.drawLine(QPointF(r.right(), y), QPointF(r.right() + lay.tick_len, y))
        painter.drawText(QRectF(r.right() + lay.tick_len + fm.height() * 0.3,
                                y - fm.height() / 2, 1e4, fm.height()),
                         Qt.AlignLeft | Qt.AlignVCenter, text)
    painter.save()
    painter.translate(lay.label_x, r.center().y())
    painter.rotate(-90)
    painter.drawText(QRectF(-r.height(), -fm.height() / 2, 2 * r.height(), fm.height()),
                     Qt.AlignCenter, lay.bar_label)
    painter.restore()


def _paint_scale_bar(painter: QPainter, lay: _MapLayout) -> None:
    bar = scale_bar(lay.fig.grid)
    if bar is None:
        return
    length, text = bar
    m, fm = lay.map_rect, QFontMetricsF(lay.font)
    px = length / abs(lay.fig.grid.dx) * lay.scale
    thick = max(2.0, fm.height() * 0.25)
    box_w = max(px, fm.horizontalAdvance(text)) + fm.height() * 0.8
    box_h = fm.height() + thick + fm.height() * 0.7
    box = QRectF(m.left() + fm.height() * 0.4, m.bottom() - box_h - fm.height() * 0.4, box_w,
                 box_h)
    if box.width() > m.width() * 0.9 or box.height() > m.height() * 0.5:
        return  # a map too small to carry one legibly
    painter.setPen(Qt.NoPen)
    painter.setBrush(QColor(0, 0, 0, 140))
    painter.drawRoundedRect(box, thick, thick)
    painter.setBrush(Qt.white)
    x0 = box.left() + (box_w - px) / 2
    painter.drawRect(QRectF(x0, box.bottom() - fm.height() * 0.35 - thick, px, thick))
    painter.setPen(Qt.white)
    painter.drawText(QRectF(box.left(), box.top() + fm.height() * 0.15, box_w, fm.height()),
                     Qt.AlignCenter, text)
    painter.setBrush(Qt.NoBrush)
    painter.setPen(Qt.black)


def figure_layout(fig: MapFigure, scale: int, dpi: float) -> _MapLayout:
    """Where the map, the colour bar and the rest go in a figure (checks and tests)."""
    return _MapLayout(fig, scale, dpi)


def map_figure_size(fig: MapFigure, scale: int, dpi: float) -> QSize:
    return _MapLayout(fig, scale, dpi).size


def save_map_figure(fig: MapFigure, path: str | os.PathLike, scale: int = 1,
                    dpi: float = 300) -> Path:
    """Write a map figure as PNG (DPI recorded) or SVG, chosen by the file's suffix."""
    path = Path(path)
    size = map_figure_size(fig, scale, dpi)
    if max(size.width(), size.height()) > MAX_SIDE:
        raise ValueError(f"a {size.width()} x {size.height()} pixel figure is too large: "
                         "choose fewer pixels per scan point")
    if path.suffix.lower() == ".svg":
        gen = QSvgGenerator()
        gen.setFileName(str(path))
        gen.setSize(size)
        gen.setViewBox(QRectF(0, 0, size.width(), size.height()))
        gen.setResolution(int(dpi))
        gen.setTitle(fig.title)
        gen.setDescription("PeakGUI map figure")
        painter = QPainter()
        if not painter.begin(gen):
            raise OSError(f"{path}: could not be written")
        try:
            paint_map(painter, fig, scale, dpi)
        finally:
            painter.end()
        if not path.exists():
            raise OSError(f"{path}: could not be written")
        return path
    img = render_map(fig, scale, dpi)
    if not img.save(str(path), "PNG"):
        raise OSError(f"{path}: could not be written")
    return path


def render_map(fig: MapFigure, scale: int = 1, dpi: float = 300) -> QImage:
    """The map figure as an image (white background, DPI recorded)."""
    size = map_figure_size(fig, scale, dpi)
    img = QImage(size, QImage.Format_ARGB32)
    dots = round(dpi / 0.0254)
    img.setDotsPerMeterX(dots)
    img.setDotsPerMeterY(dots)
    img.fill(Qt.white)
    painter = QPainter(img)
    try:
        paint_map(painter, fig, scale, dpi)
    finally:
        painter.end()
    return img


# ---- plots: the spectrum and the loop ---------------------------------------------------------
def save_plot(item, path: str | os.PathLike, title: str = "", zoom: float = 2.0) -> Path:
    """A plot item (or a layout of plots) as SVG through pyqtgraph's exporter, which draws the
    items themselves (never a screen grab), with a title above; a PNG is that SVG rendered at
    ``zoom`` times the plot's size on screen (text and lines scale alike)."""
    path = Path(path)
    if item.scene() is None or item.sceneBoundingRect().isEmpty():
        raise ValueError("the plot is not shown")
    text = pg.exporters.SVGExporter(item).export(toBytes=True).decode("utf-8")
    if title:
        text = _svg_with_title(text, title)
    if path.suffix.lower() == ".svg":
        path.write_text(text, encoding="utf-8")
        return path
    renderer = QSvgRenderer(QByteArray(text.encode("utf-8")))
    box = renderer.viewBoxF()
    img = QImage(math.ceil(box.width() * zoom), math.ceil(box.height() * zoom),
                 QImage.Format_ARGB32)
    img.setDotsPerMeterX(round(96 * zoom / 0.0254))
    img.setDotsPerMeterY(round(96 * zoom / 0.0254))
    img.fill(Qt.white)
    painter = QPainter(img)
    try:
        painter.setRenderHint(QPainter.Antialiasing, True)
        painter.setRenderHint(QPainter.TextAntialiasing, True)
        renderer.render(painter)
    finally:
        painter.end()
    if not img.save(str(path), "PNG"):
        raise OSError(f"{path}: could not be written")
    return path


def _svg_with_title(svg: str, title: str) -> str:
    """Room for a title line at the top of an SVG from pyqtgraph's exporter."""
    m = re.search(r'viewBox\s*=\s*"([-\d.e]+) ([-\d.e]+) ([\d.e]+) ([\d.e]+)"', svg)
    if m is None:
        return svg
    x, y, w, h = (float(v) for v in m.groups())
    pad = 22.0
    svg = svg.replace(m.group(0), f'viewBox="{x:g} {y - pad:g} {w:g} {h + pad:g}"', 1)
    svg = svg.replace("<title>pyqtgraph SVG export</title>",
                      f"<title>{html.escape(title)}</title>", 1)
    text = (f'<text x="{x + w / 2:g}" y="{y - pad / 3:g}" text-anchor="middle" '
            f'font-family="DejaVu Sans, sans-serif" font-size="13" font-weight="bold">'
            f'{html.escape(title)}</text>')
    end = svg.rindex("</svg>")  # drawn last: above pyqtgraph's white background
    return svg[:end] + text + "\n" + svg[end:]


def save_columns(path: str | os.PathLike, columns: dict[str, np.ndarray],
                 header: list[str]) -> Path:
    """Columns of equal length (shorter ones padded with nan) as a CSV with a commented header."""
    path = Path(path)
    n = max((len(c) for c in columns.values()), default=0)
    table = np.full((n, len(columns)), np.nan)
    for j, c in enumerate(columns.values()):
        table[: len(c), j] = np.asarray(c, dtype=np.float64)
    lines = header + [",".join(columns)]
    np.savetxt(path, table, delimiter=",", fmt="%.9g", header="\n".join(lines))
    return path

