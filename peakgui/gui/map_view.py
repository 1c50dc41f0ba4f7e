"""The map widget: one image on the scan's own axes, with title, units, levels and a colormap.

Domain-free, like pyqtgraph's ImageView (a PlotItem holding an ImageItem, a HistogramLUTItem for
colormap and levels), reachable through getters instead of subclassing. It knows nothing of
navigators or analyses: presenters give it an image with its title and units, and keep the
layers. Images index as ``[row, col]``; NaN pixels (not computed yet) are drawn transparent.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import QEvent, QObject, QPointF, Qt, pyqtSignal
from PyQt5.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from .formatting import NO_PREFIX_UNITS, set_auto_si_prefix, si
from .map_grid import MapGrid, auto_levels

COLORMAPS = (("viridis", "viridis"), ("inferno", "inferno"), ("magma", "magma"),
             ("plasma", "plasma"), ("cividis", "cividis"), ("turbo", "turbo"),
             ("gray", "CET-L1"))


class MapView(QWidget):
    """An image with histogram, colormap, selected-pixel marker and a readout line."""

    sigPixelClicked = pyqtSignal(int, int)
    """The user picked a pixel (row, col) by clicking or with the arrow keys."""
    sigColormapChanged = pyqtSignal(str)
    """The user chose another colormap."""
    sigLevelsChanged = pyqtSignal(object)
    """The user set levels by hand (carries (low, high)); None when Auto levels is ticked."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._grid: MapGrid | None = None
        self._image_data: np.ndarray | None = None
        self._title_text, self._units, self._integer = "", "", False
        self._levels: tuple[float, float] | None = None
        self._marker_rc: tuple[int, int] | None = None
        self._setting_levels = False

        self._cmap_combo = QComboBox()
        for label, name in COLORMAPS:
            self._cmap_combo.addItem(label, name)
        self._cmap_combo.setToolTip("Colormap of the map (levels: drag the histogram's handles)")
        self._auto_check = QCheckBox("Auto levels")
        self._auto_check.setChecked(True)
        self._auto_check.setToolTip("Set the colour levels from the 0.5–99.5 percentiles of the "
                                    "shown map; unchecked when you drag the histogram")
        self._bar = QHBoxLayout()  # presenters put their own controls first
        self._bar.setContentsMargins(0, 0, 0, 0)
        self._bar.addStretch(1)
        self._bar.addWidget(QLabel("Colormap:"))
        self._bar.addWidget(self._cmap_combo)
        self._bar.addWidget(self._auto_check)

        self._glw = pg.GraphicsLayoutWidget()
        self._glw.setFocusPolicy(Qt.StrongFocus)
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
        layout.addLayout(self._bar)
        layout.addWidget(self._title)
        layout.addWidget(self._glw, 1)
        layout.addWidget(self._readout)

        self._plot.scene().sigMouseMoved.connect(self._on_scene_mouse_moved)
        self._plot.scene().sigMouseClicked.connect(self._on_scene_mouse_clicked)
        self._glw.installEventFilter(self)
        self._cmap_combo.currentIndexChanged.connect(self._on_colormap_combo_changed)
        self._auto_check.toggled.connect(self._on_auto_check_toggled)
        self._hist.sigLevelChangeFinished.connect(self._on_histogram_levels_dragged)
        self.set_colormap("viridis")
        self._redraw()

    # ---- getters (composition, as pyqtgraph's ImageView) ----------------------------------------
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

    def auto_levels_check(self) -> QCheckBox:
        return self._auto_check

    def grid(self) -> MapGrid | None:
        return self._grid

    def title_text(self) -> str:
        return self._title.text()

    def image(self) -> np.ndarray | None:
        return self._image_data

    def units(self) -> str:
        return self._units

    def add_control(self, widget: QWidget) -> None:
        """Put a presenter's control at the left of the bar above the map."""
        self._bar.insertWidget(self._bar.count() - 4, widget)

    # ---- content --------------------------------------------------------------------------------
    def clear(self) -> None:
        """Forget the grid and the image (file closed)."""
        self._grid = None
        self._image_data = None
        self._title_text, self._units, self._levels = "", "", None
        self._marker_rc = None
        self._marker.setData([], [])
        self._marker_halo.setData([], [])
        self._redraw()
        self._readout.setText(" ")

    def set_grid(self, grid: MapGrid) -> None:
        """Axes and pixel geometry of the images that follow."""
        self._grid = grid
        self._plot.setLabel("bottom", grid.x_name, units=grid.x_units)
        self._plot.setLabel("left", grid.y_name, units=grid.y_units)
        for axis, units in (("bottom", grid.x_units), ("left", grid.y_units)):
            set_auto_si_prefix(self._plot.getAxis(axis), units.strip().lower()
                                                        not in NO_PREFIX_UNITS)
        self._plot.setAspectLocked(grid.x_units == grid.y_units, ratio=1.0)
        self._image.setRect(grid.rect())
        self._plot.getViewBox().setRange(rect=grid.rect(), padding=0.02)

    def set_image(self, image: np.ndarray | None, title: str = "", units: str = "",
                  levels: tuple[float, float] | None = None, integer: bool = False) -> None:
        """Show an image (kept by reference: :meth:`refresh` redraws in-place changes).

        ``levels`` None means automatic; ``integer`` values are read out without decimals."""
        self._image_data = image
        self._title_text, self._units, self._integer = title, units, integer
        self._levels = levels
        self._redraw()

    def refresh(self) -> None:
        """Redraw an image whose values changed in place (a live map)."""
        self._redraw()

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
        img = self._image_data
        if img is None or not (0 <= row < img.shape[0] and 0 <= col < img.shape[1]):
            return float("nan")
        return float(img[row, col])

    def click_pixel(self, row: int, col: int) -> None:
        """Pick a pixel as a click would (keyboard handling and scripted runs)."""
        if self._grid is not None and 0 <= row < self._grid.rows and 0 <= col < self._grid.cols:
            self.sigPixelClicked.emit(row, col)

    def scene_pos_of(self, row: int, col: int) -> QPointF:
        """Scene coordinates of a pixel's centre (for tests that click on the map)."""
        x, y = self._grid.centre(row, col)
        return self._plot.vb.mapViewToScene(QPointF(x, y))

    # ---- drawing --------------------------------------------------------------------------------
    def _redraw(self) -> None:
        img = self._image_data
        if img is None or self._grid is None or not np.isfinite(img).any():
            self._image.clear()
            if self._grid is None:
                self._title.setText("Open a spectral dataset")
            elif img is None:
                self._title.setText(f"{self._title_text} — not computed yet")
            else:
                self._title.setText(f"{self._title_text} — waiting for the first values")
            return
        levels = self._levels
        if levels is None or self._auto_check.isChecked():
            levels = auto_levels(img)
        self._setting_levels = True
        try:
            self._image.setImage(img, autoLevels=False, levels=levels)
            self._image.setRect(self._grid.rect())
            self._hist.setLevels(*levels)
        finally:
            self._setting_levels = False
        self._title.setText(self._title_text)
        self._hist.axis.setLabel(self._title_text.split(" · ")[0], units=self._units)
        set_auto_si_prefix(self._hist.axis, not self._integer and self._units.strip().lower()
                                           not in NO_PREFIX_UNITS)
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

    def _value_text(self, value: float) -> str:
        if self._integer and np.isfinite(value):
            return f"{int(round(value)):d} {self._units}".strip()
        return si(value, self._units)

    def _show_readout(self, row: int, col: int, hovering: bool = False) -> None:
        if self._grid is None:
            return
        prefix = "cursor: " if hovering else "selected: "
        self._readout.setText(f"{prefix}{self._grid.describe(row, col)} · "
                              f"{self._title_text.split(' · ')[0]} = "
                              f"{self._value_text(self.value_at(row, col))}")

    # ---- events ---------------------------------------------------------------------------------
    def _pixel_at_scene(self, pos) -> tuple[int, int] | None:
        if self._grid is None or not self._plot.vb.sceneBoundingRect().contains(pos):
            return None
        p = self._plot.vb.mapSceneToView(pos)
        return self._grid.pixel_at(p.x(), p.y())

    def _on_scene_mouse_moved(self, pos) -> None:
        rc = self._pixel_at_scene(pos)
        if rc is not None:
            self._show_readout(*rc, hovering=True)
        elif self._marker_rc is not None:
            self._show_readout(*self._marker_rc)

    def _on_scene_mouse_clicked(self, event) -> None:
        if event.button() != Qt.LeftButton:
            return
        rc = self._pixel_at_scene(event.scenePos())
        if rc is not None:
            event.accept()
            self._glw.setFocus(Qt.MouseFocusReason)
            self.sigPixelClicked.emit(*rc)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
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

    def _on_colormap_combo_changed(self, index: int) -> None:
        self._apply_colormap()
        self.sigColormapChanged.emit(self._cmap_combo.itemData(index))

    def _on_auto_check_toggled(self, checked: bool) -> None:
        if checked:
            self._levels = None
            self.sigLevelsChanged.emit(None)
            self._redraw()

    def _on_histogram_levels_dragged(self, *_) -> None:
        if self._setting_levels:
            return
        self._levels = tuple(self._hist.getLevels())
        self._auto_check.blockSignals(True)
        self._auto_check.setChecked(False)
        self._auto_check.blockSignals(False)
        self.sigLevelsChanged.emit(self._levels)
