"""The map: one image per layer (navigator, amplitude, frequency, count) on the scan's own axes.

Composed like pyqtgraph's ImageView (a PlotItem holding an ImageItem, a HistogramLUTItem for
colormap and levels) but reachable through getters instead of subclassing. Images index as
``[row, col]`` (row-major); the axes show the position dimensions in the file's units; NaN pixels
(not computed yet) are drawn transparent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import QEvent, QObject, QPointF, QRectF, Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.io.layout import SpectralLayout
from .formatting import NO_PREFIX_UNITS, si

NAVIGATOR_MEAN = "mean"
NAVIGATOR_BIN = "bin"
AMPLITUDE = "amplitude"
FREQUENCY = "frequency"
COUNT = "count"
LAYERS = (
    (NAVIGATOR_MEAN, "Navigator: mean |x|"),
    (NAVIGATOR_BIN, "Navigator: |x| at a bin"),
    (AMPLITUDE, "Peak amplitude"),
    (FREQUENCY, "Peak frequency"),
    (COUNT, "Peak count"),
)
RESULT_LAYERS = (AMPLITUDE, FREQUENCY, COUNT)
COLORMAPS = (("viridis", "viridis"), ("inferno", "inferno"), ("magma", "magma"),
             ("plasma", "plasma"), ("cividis", "cividis"), ("turbo", "turbo"),
             ("gray", "CET-L1"))


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
        x, y = self.x_values[col], self.y_values[row]
        return (f"row {row}, col {col} · {self.x_name} = {si(x, self.x_units)}, "
                f"{self.y_name} = {si(y, self.y_units)}")


def _axis(values, n: int, name: str, units: str):
    """Origin and step of one axis; falls back to pixel indices if the values are not uniform."""
    if values is not None and len(values) == n and np.all(np.isfinite(values)):
        v = np.asarray(values, dtype=np.float64)
        step = (v[-1] - v[0]) / (n - 1) if n > 1 else 0.0
        if n == 1 or (step != 0 and np.allclose(np.diff(v), step, rtol=1e-3, atol=0)):
            if n == 1:
                step = 1.0 if v[0] == 0 else abs(v[0])
            return float(v[0]), float(step), v, name, units
    idx = np.arange(n, dtype=np.float64)
    return 0.0, 1.0, idx, name, "pixel" if not units else f"index ({units})"


@dataclass
class _Layer:
    image: np.ndarray | None = None
    title: str = ""
    units: str = ""
    levels: tuple[float, float] | None = None  # set when the user adjusted them


def auto_levels(image: np.ndarray) -> tuple[float, float]:
    """Robust levels (0.5 and 99.5 percentiles of the finite pixels) so outliers don't wash out."""
    data = image[np.isfinite(image)]
    if data.size == 0:
        return 0.0, 1.0
    if data.size > 250_000:
        data = data[:: data.size // 250_000 + 1]
    lo, hi = np.percentile(data, [0.5, 99.5])
    if not hi > lo:
        lo, hi = float(data.min()), float(data.max())
    if not hi > lo:
        hi = lo + (abs(lo) or 1.0)
    return float(lo), float(hi)


class MapView(QWidget):
    """Navigator and results maps with histogram, colormap, selected-pixel marker and readout."""

    sigPixelClicked = pyqtSignal(int, int)
    """The user picked a pixel (row, col) by clicking or with the arrow keys."""
    sigLayerChanged = pyqtSignal(str)
    """The shown layer changed (one of the LAYERS keys)."""
    sigBinChanged = pyqtSignal(int)
    """The bin of the '|x| at a bin' navigator changed."""
    sigColormapChanged = pyqtSignal(str)
    """The user chose another colormap."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._layers: dict[str, _Layer] = {key: _Layer() for key, _ in LAYERS}
        self._grid: MapGrid | None = None
        self._marker_rc: tuple[int, int] | None = None
        self._setting_levels = False
        self._bin_values: np.ndarray | None = None
        self._bin_units = ""

        self._layer_combo = QComboBox()
        for key, label in LAYERS:
            self._layer_combo.addItem(label, key)
        self._layer_combo.setToolTip("Which map to show: the navigator computed from the raw "
                                     "spectra, or a result of the peak finder")
        self._bin_spin = QSpinBox()
        self._bin_spin.setToolTip("Spectral bin whose |x| the navigator shows")
        self._bin_spin.setKeyboardTracking(False)
        self._bin_label = QLabel()
        self._cmap_combo = QComboBox()
        for label, name in COLORMAPS:
            self._cmap_combo.addItem(label, name)
        self._cmap_combo.setToolTip("Colormap of the map (levels: drag the histogram's handles)")
        self._auto_check = QCheckBox("Auto levels")
        self._auto_check.setChecked(True)
        self._auto_check.setToolTip("Set the colour levels from the 0.5–99.5 percentiles of the "
                                    "shown map; unchecked when you drag the histogram")

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(QLabel("Show:"))
        bar.addWidget(self._layer_combo)
        bar.addWidget(self._bin_spin)
        bar.addWidget(self._bin_label)
        bar.addStretch(1)
        bar.addWidget(QLabel("Colormap:"))
        bar.addWidget(self._cmap_combo)
        bar.addWidget(self._auto_check)

        self._glw = pg.GraphicsLayoutWidget()
        self._glw.setFocusPolicy(Qt.StrongFocus)
        self._glw.setToolTip("")
        self._plot = self._glw.addPlot(row=0, col=0)
        self._plot.setMenuEnabled(True)
        self._plot.showAxes(True)
        self._image = pg.ImageItem()
        self._plot.addItem(self._image)
        self._marker = pg.ScatterPlotItem(size=15, symbol="s", pen=pg.mkPen("#ff2d2d", width=2.5),
                                          brush=None, pxMode=True)
        self._marker_halo = pg.ScatterPlotItem(size=20, symbol="s", pen=pg.mkPen("w", width=1.2),
                                               brush=None, pxMode=True)
        self._plot.addItem(self._marker_halo)
        self._plot.addItem(self._marker)
        self._hist = pg.HistogramLUTItem()
        self._hist.setImageItem(self._image)
        self._glw.addItem(self._hist, row=0, col=1)
        self._title = QLabel("")  # a QLabel, not the plot's title: long titles wrap instead
        self._title.setAlignment(Qt.AlignCenter)  # of widening the plot past the histogram
        self._title.setWordWrap(True)
        self._title.setStyleSheet("font-weight: 600;")
        self._readout = QLabel(" ")
        self._readout.setWordWrap(True)  # a long readout must not widen the window
        self._readout.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self._readout.setToolTip("Pixel under the cursor (or the selected pixel) and its value")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self._title)
        layout.addWidget(self._glw, 1)
        layout.addWidget(self._readout)

        self._plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self._plot.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        self._glw.installEventFilter(self)
        self._layer_combo.currentIndexChanged.connect(self._on_layer_combo_changed)
        self._bin_spin.valueChanged.connect(self._on_bin_changed)
        self._cmap_combo.currentIndexChanged.connect(self._on_colormap_changed)
        self._auto_check.toggled.connect(self._on_auto_toggled)
        self._hist.sigLevelChangeFinished.connect(self._on_levels_dragged)
        self.set_colormap("viridis")
        self._update_layer_items()
        self._show_bin_controls(False)
        self._redraw()

    # ---- getters (composition, as pyqtgraph's ImageView) --------------------------------------
    def plot_item(self) -> pg.PlotItem:
        return self._plot

    def image_item(self) -> pg.ImageItem:
        return self._image

    def histogram(self) -> pg.HistogramLUTItem:
        return self._hist

    def graphics_widget(self) -> pg.GraphicsLayoutWidget:
        return self._glw

    def readout(self) -> QLabel:
        return self._readout

    def layer_combo(self) -> QComboBox:
        return self._layer_combo

    def grid(self) -> MapGrid | None:
        return self._grid

    def title_text(self) -> str:
        return self._title.text()

    def _set_title(self, text: str) -> None:
        self._title.setText(text)

    # ---- content --------------------------------------------------------------------------------
    def clear(self) -> None:
        """Forget the grid and every layer (file closed)."""
        self._grid = None
        for layer in self._layers.values():
            layer.image, layer.title, layer.units, layer.levels = None, "", "", None
        self._marker_rc = None
        self._update_layer_items()
        self._redraw()
        self._readout.setText(" ")

    def set_grid(self, grid: MapGrid) -> None:
        """Axes and pixel geometry of the maps that follow."""
        self._grid = grid
        self._plot.setLabel("bottom", grid.x_name, units=grid.x_units)
        self._plot.setLabel("left", grid.y_name, units=grid.y_units)
        for axis, units in (("bottom", grid.x_units), ("left", grid.y_units)):
            self._plot.getAxis(axis).enableAutoSIPrefix(units.strip().lower() not in NO_PREFIX_UNITS)
        self._plot.setAspectLocked(grid.x_units == grid.y_units, ratio=1.0)
        self._image.setRect(grid.rect())
        r = grid.rect()
        self._plot.getViewBox().setRange(rect=r, padding=0.02)

    def set_bin_axis(self, values: np.ndarray, units: str, current: int) -> None:
        """The spectral values of the bins the '|x| at a bin' navigator can show."""
        self._bin_values = np.asarray(values)
        self._bin_units = units
        self._bin_spin.blockSignals(True)
        self._bin_spin.setRange(0, max(0, len(values) - 1))
        self._bin_spin.setValue(current)
        self._bin_spin.blockSignals(False)
        self._update_bin_label()

    def current_bin(self) -> int:
        return self._bin_spin.value()

    def set_layer(self, key: str, image: np.ndarray | None, title: str = "", units: str = "") -> None:
        """Give a layer its image (kept by reference, so in-place updates show on refresh)."""
        layer = self._layers[key]
        layer.image = image
        layer.title = title or dict(LAYERS)[key]
        layer.units = units
        layer.levels = None
        self._update_layer_items()
        if key == self.current_layer():
            self._redraw()

    def layer_image(self, key: str) -> np.ndarray | None:
        return self._layers[key].image

    def layer_title(self, key: str) -> str:
        return self._layers[key].title

    def layer_units(self, key: str) -> str:
        return self._layers[key].units

    def refresh_layer(self, key: str) -> None:
        """Redraw a layer whose image changed in place (the live map), if it is shown."""
        if key == self.current_layer():
            self._redraw()

    def show_layer(self, key: str) -> None:
        i = self._layer_combo.findData(key)
        if i >= 0:
            self._layer_combo.setCurrentIndex(i)

    def current_layer(self) -> str:
        return self._layer_combo.currentData()

    def current_image(self) -> np.ndarray | None:
        return self._layers[self.current_layer()].image

    def set_colormap(self, name: str) -> None:
        i = self._cmap_combo.findData(name)
        if i < 0:
            i = self._cmap_combo.findText(name)
        if i >= 0 and i != self._cmap_combo.currentIndex():
            self._cmap_combo.setCurrentIndex(i)
        else:
            self._apply_colormap()

    def colormap_name(self) -> str:
        return self._cmap_combo.currentData()

    def set_marker(self, row: int | None, col: int | None) -> None:
        """Mark the selected pixel (None hides the marker)."""
        if row is None or col is None or self._grid is None:
            self._marker_rc = None
            self._marker.setData([], [])
            self._marker_halo.setData([], [])
            return
        self._marker_rc = (row, col)
        x, y = self._grid.centre(row, col)
        self._marker.setData([x], [y])
        self._marker_halo.setData([x], [y])
        self._show_readout(row, col)

    def marker(self) -> tuple[int, int] | None:
        return self._marker_rc

    def value_at(self, row: int, col: int) -> float:
        img = self.current_image()
        if img is None or not (0 <= row < img.shape[0] and 0 <= col < img.shape[1]):
            return float("nan")
        return float(img[row, col])

    # ---- drawing --------------------------------------------------------------------------------
    def _redraw(self) -> None:
        layer = self._layers[self.current_layer()]
        img = layer.image
        if img is None or self._grid is None or not np.isfinite(img).any():
            self._image.clear()
            if self._grid is None:
                self._set_title("Open a spectral dataset")
            elif img is None:
                self._set_title(dict(LAYERS)[self.current_layer()] + " — not computed yet")
            else:
                self._set_title(layer.title + " — waiting for the first values")
            return
        if layer.levels is None or self._auto_check.isChecked():
            levels = auto_levels(img)
        else:
            levels = layer.levels
        self._setting_levels = True
        try:
            self._image.setImage(img, autoLevels=False, levels=levels)
            self._image.setRect(self._grid.rect())
            self._hist.setLevels(*levels)
        finally:
            self._setting_levels = False
        self._set_title(layer.title)
        self._hist.axis.setLabel(layer.title.split(" · ")[0], units=layer.units)
        self._hist.axis.enableAutoSIPrefix(layer.units.strip().lower() not in NO_PREFIX_UNITS)
        if self._marker_rc is not None:
            self._show_readout(*self._marker_rc)

    def _apply_colormap(self) -> None:
        name = self._cmap_combo.currentData() or "viridis"
        try:
            cmap = pg.colormap.get(name)
        except (FileNotFoundError, KeyError, ValueError):
            cmap = pg.colormap.get("viridis")
        # A bundled map has 256 stops, which the gradient editor would draw as 256 draggable
        # ticks on every repaint (tens of ms); 16 interpolated stops look the same.
        stops = np.linspace(0.0, 1.0, 16)
        self._hist.gradient.setColorMap(pg.ColorMap(stops, cmap.map(stops, mode="byte"),
                                                    name=name))
        self._hist.gradient.showTicks(False)

    def _update_layer_items(self) -> None:
        model = self._layer_combo.model()
        for i, (key, _) in enumerate(LAYERS):
            item = model.item(i)
            has = self._layers[key].image is not None
            item.setEnabled(has or key == NAVIGATOR_BIN)
            item.setToolTip("" if has else "not computed yet")

    def _show_bin_controls(self, visible: bool) -> None:
        self._bin_spin.setVisible(visible)
        self._bin_label.setVisible(visible)

    def _update_bin_label(self) -> None:
        v = self._bin_values
        k = self._bin_spin.value()
        self._bin_label.setText(si(v[k], self._bin_units) if v is not None and k < len(v) else "")

    def _show_readout(self, row: int, col: int, hovering: bool = False) -> None:
        if self._grid is None:
            return
        layer = self._layers[self.current_layer()]
        value = self.value_at(row, col)
        prefix = "cursor: " if hovering else "selected: "
        self._readout.setText(f"{prefix}{self._grid.describe(row, col)} · "
                              f"{layer.title.split(' · ')[0]} = {si(value, layer.units)}")

    # ---- events -------------------------------------------------------------------------------
    def _pixel_at_scene(self, pos) -> tuple[int, int] | None:
        if self._grid is None or not self._plot.vb.sceneBoundingRect().contains(pos):
            return None
        p = self._plot.vb.mapSceneToView(pos)
        return self._grid.pixel_at(p.x(), p.y())

    def _on_mouse_moved(self, pos) -> None:
        rc = self._pixel_at_scene(pos)
        if rc is not None:
            self._show_readout(*rc, hovering=True)
        elif self._marker_rc is not None:
            self._show_readout(*self._marker_rc)

    def _on_mouse_clicked(self, event) -> None:
        if event.button() != Qt.LeftButton:
            return
        rc = self._pixel_at_scene(event.scenePos())
        if rc is not None:
            event.accept()
            self._glw.setFocus(Qt.MouseFocusReason)
            self.sigPixelClicked.emit(*rc)

    def click_pixel(self, row: int, col: int) -> None:
        """Pick a pixel as a click would (used by keyboard handling and scripted runs)."""
        if self._grid is not None and 0 <= row < self._grid.rows and 0 <= col < self._grid.cols:
            self.sigPixelClicked.emit(row, col)

    def scene_pos_of(self, row: int, col: int) -> QPointF:
        """Scene coordinates of a pixel's centre (for tests that click on the map)."""
        x, y = self._grid.centre(row, col)
        return self._plot.vb.mapViewToScene(QPointF(x, y))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if obj is self._glw and event.type() == QEvent.KeyPress and self._marker_rc:
            g = self._grid
            if g is None:
                return False
            row, col = self._marker_rc
            up = 1 if g.dy > 0 else -1  # y grows upwards on screen
            right = 1 if g.dx > 0 else -1
            moves = {Qt.Key_Up: (up, 0), Qt.Key_Down: (-up, 0),
                     Qt.Key_Left: (0, -right), Qt.Key_Right: (0, right)}
            if event.key() in moves:
                dr, dc = moves[event.key()]
                r, c = min(max(row + dr, 0), g.rows - 1), min(max(col + dc, 0), g.cols - 1)
                if (r, c) != (row, col):
                    self.sigPixelClicked.emit(r, c)
                return True
        return super().eventFilter(obj, event)

    def _on_layer_combo_changed(self, index: int) -> None:
        key = self._layer_combo.itemData(index)
        self._show_bin_controls(key == NAVIGATOR_BIN)
        self._redraw()
        if self._marker_rc:
            self._show_readout(*self._marker_rc)
        self.sigLayerChanged.emit(key)

    def _on_bin_changed(self, value: int) -> None:
        self._update_bin_label()
        self.sigBinChanged.emit(value)

    def _on_colormap_changed(self, index: int) -> None:
        self._apply_colormap()
        self.sigColormapChanged.emit(self._cmap_combo.itemData(index))

    def _on_auto_toggled(self, checked: bool) -> None:
        if checked:
            self._layers[self.current_layer()].levels = None
            self._redraw()

    def _on_levels_dragged(self, *_) -> None:
        if self._setting_levels:
            return
        self._layers[self.current_layer()].levels = tuple(self._hist.getLevels())
        self._auto_check.blockSignals(True)
        self._auto_check.setChecked(False)
        self._auto_check.blockSignals(False)
