"""The map widget: one image on the scan's own axes, with title, units, levels and a colormap.

Domain-free, like pyqtgraph's ImageView (a PlotItem holding an ImageItem, a HistogramLUTItem for
colormap and levels), reachable through getters instead of subclassing. It knows nothing of
navigators or analyses: presenters give it an image with its title and units, and keep the
layers. Images index as ``[row, col]``; NaN pixels (not computed yet) are drawn transparent. Units follow the one rule of
:mod:`peakgui.gui.formatting` (angles drawn in the chosen unit); the plot keeps the image's aspect
ratio by sizing its view to the image, so the image fills the view instead of floating in it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import QEvent, QObject, QPointF, Qt, pyqtSignal
from PyQt5.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..formatting import format_value, is_angle, shown_units
from .aspect_fit import AspectFit
from .axes import set_axis_units
from .category_legend import Categories, CategoryLegend
from .colormap_chooser import ColormapChooser
from .colormaps import DIVERGING
from .levels_bar import LevelsBar, level_digits
from .map_grid import MapGrid, auto_levels
from .parts import Part
from .pixel_marker import PixelMarker, arrow_neighbour
from .readout import ReadoutLabel
from .scale_bar import MapScaleBar


class MapView(QWidget):
    """An image with histogram, colormap, selected-pixel marker and a readout line."""

    sigPixelClicked = pyqtSignal(int, int)
    """The user picked a pixel (row, col) by clicking or with the arrow keys."""
    sigColormapChanged = pyqtSignal(str)
    """The user chose another colormap (the one maps without their own take)."""
    sigLayerColormapChanged = pyqtSignal(str)
    """The user chose another colormap while the shown map has its own (phase: cyclic)."""
    sigLevelsChanged = pyqtSignal(object)
    """The user set levels by hand (carries (low, high)); None when Auto levels is ticked."""
    sigOptionChanged = pyqtSignal(str, object)
    """The user changed a display option to remember ('percentiles' or 'scale_bar', value)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._grid: MapGrid | None = None
        self._image_data: np.ndarray | None = None
        self._title_text, self._units, self._integer = "", "", False
        self._levels: tuple[float, float] | None = None
        self._setting_levels = False
        self._shown_key: tuple | None = None  # what was shown last (the histogram re-ranges)
        self._note: Callable[[float], str] | None = None  # what the readout adds to a value

        self._levels_bar = LevelsBar()
        self._auto_check = self._levels_bar.auto_check()
        self._scale_check = QCheckBox("Scale bar")
        self._scale_check.setChecked(True)
        self._scale_check.setToolTip("A scale bar in the scan's units on the map")
        self._n_controls = 0
        self._bar = QHBoxLayout()  # presenters put their own controls first
        self._bar.setContentsMargins(0, 0, 0, 0)
        self._bar.addStretch(1)
        self._levels_bar.add_widget(self._scale_check)

        self._glw = pg.GraphicsLayoutWidget()
        self._glw.setFocusPolicy(Qt.StrongFocus)
        self._plot = self._glw.addPlot(row=0, col=0)
        self._plot.setMenuEnabled(True)
        self._plot.showAxes(True)
        # a fixed width: one that followed the tick labels would change the view's size, so
        # its aspect fit, so the ticks again (the map jittered between two sizes)
        self._plot.getAxis("left").setWidth(60)
        self._image = pg.ImageItem()
        self._plot.addItem(self._image)
        self._mask_item = pg.ImageItem()  # masked pixels, in a flat colour over the map
        self._mask_item.setZValue(1)
        self._plot.addItem(self._mask_item)
        self._mask: np.ndarray | None = None
        self._mask_rgba: tuple[int, int, int, int] = (150, 150, 150, 255)
        self._fit = AspectFit(self._plot)
        self._marker = PixelMarker(self._plot)
        self._scale_bar = MapScaleBar()
        self._scale_bar.setParentItem(self._plot.getViewBox())
        self._scale_bar.setZValue(20)
        self._hist = pg.HistogramLUTItem()
        self._hist.setImageItem(self._image)
        self._glw.addItem(self._hist, row=0, col=1)
        self._colours = ColormapChooser(self._hist, self)
        self._cmap_combo = self._colours.combo
        # no "Colormap:" label (the names say what the box is, its tooltip says it too): the
        # bar must fit the centre's width at 1366 x 768 with the R² cut-off box shown
        self._bar.addWidget(self._cmap_combo)
        # not the plot's title (it would widen the plot past the histogram), and one line
        # elided (whole in the tooltip): a title that wraps during a run moves the map
        self._title = ReadoutLabel(1, "What the map shows", elide=Qt.ElideMiddle)
        self._title.setAlignment(Qt.AlignCenter)
        self._title.setStyleSheet("font-weight: 600;")
        # one line whatever it says: the map must not move when the values change
        self._readout = ReadoutLabel(1, "Pixel under the cursor (or the selected pixel) and its "
                                        "value", elide=Qt.ElideMiddle)  # the value stays seen

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self._bar)
        layout.addWidget(self._title)
        layout.addWidget(self._glw, 1)
        self._legend = CategoryLegend()
        layout.addWidget(self._legend)
        layout.addWidget(self._levels_bar)
        layout.addWidget(self._readout)

        self._glw.installEventFilter(self)
        scene, bar = self._plot.scene(), self._levels_bar
        for signal, slot in ((scene.sigMouseMoved, self._on_scene_mouse_moved),
                             (scene.sigMouseClicked, self._on_scene_mouse_clicked),
                             (self._colours.sigChosen, self._on_colormap_chosen),
                             (bar.sigAutoToggled, self._on_auto_check_toggled),
                             (bar.sigLevelsTyped, self._on_levels_typed),
                             (bar.sigPercentilesChanged, self._on_percentiles_changed),
                             (self._scale_check.toggled, self._on_scale_check_toggled),
                             (self._hist.sigLevelChangeFinished,
                              self._on_histogram_levels_dragged)):
            signal.connect(slot)
        self.set_colormap("viridis")
        self._redraw()

    # ---- getters (composition, as pyqtgraph's ImageView) ----------------------------------------
    plot_item = Part[pg.PlotItem]("_plot")
    histogram = Part[pg.HistogramLUTItem]("_hist")
    graphics_widget = Part[pg.GraphicsLayoutWidget]("_glw")
    readout = Part[QLabel]("_readout")
    auto_levels_check = Part[QCheckBox]("_auto_check")
    levels_bar = Part[LevelsBar]("_levels_bar")
    scale_bar = Part[MapScaleBar]("_scale_bar")
    scale_bar_check = Part[QCheckBox]("_scale_check")
    mask_item = Part[pg.ImageItem]("_mask_item")
    legend = Part[QLabel]("_legend")

    def levels(self) -> tuple[float, float]:
        """The levels drawn (in the shown units)."""
        lo, hi = self._hist.getLevels()
        return float(lo), float(hi)

    def grid(self) -> MapGrid | None:
        return self._grid

    def title_text(self) -> str:
        return self._title.text()

    def image(self) -> np.ndarray | None:
        return self._image_data

    def mask(self) -> tuple[np.ndarray, tuple[int, int, int, int]] | None:
        """The masked pixels drawn over the map and their colour (None: none)."""
        return None if self._mask is None else (self._mask, self._mask_rgba)

    def categories(self) -> Categories | None:
        return self._colours.categories

    def colormap_combo(self) -> QComboBox:
        return self._cmap_combo

    def units(self) -> str:
        return self._units

    def shown_units(self) -> str:
        """The units the map is drawn and read out in (angles in the chosen unit; none for
        counts in arbitrary units)."""
        if self._integer and shown_units(self._units)[1] in ("", "a.u."):
            return ""
        return shown_units(self._units)[1]

    def shown_image(self) -> np.ndarray | None:
        """The image as drawn: angles converted to the chosen unit."""
        img = self._image_data
        factor = shown_units(self._units)[0]
        return img if img is None or factor == 1.0 else img * factor

    def add_control(self, widget: QWidget) -> None:
        """Put a presenter's control at the left of the bar above the map."""
        self._bar.insertWidget(self._n_controls, widget)
        self._n_controls += 1

    # ---- content --------------------------------------------------------------------------------
    def clear(self) -> None:
        """Forget the grid and the image (file closed)."""
        self._grid = None
        self._image_data = None
        self._title_text, self._units, self._levels = "", "", None
        self.set_mask(None)
        self._marker.clear()
        self._levels_bar.set_auto(True)  # the next file's levels follow its data
        self._redraw()
        self._readout.setText(" ")
        self._update_scale_bar_visibility()

    def set_grid(self, grid: MapGrid) -> None:
        """Axes and pixel geometry of the images that follow."""
        self._grid = grid
        set_axis_units(self._plot.getAxis("bottom"), grid.x_name, grid.x_units)
        set_axis_units(self._plot.getAxis("left"), grid.y_name, grid.y_units)
        self._image.setRect(grid.rect())
        self._scale_bar.set_units(grid.x_units)
        self._fit.set_grid(grid)
        self._update_scale_bar_visibility()

    def aspect_locked(self) -> bool:
        """Square pixels in the scan's units when both axes share them."""
        return self._fit.locked()

    def fit_view(self) -> None:
        """Size the view to the image's aspect ratio and show it all (unless zoomed)."""
        self._fit.fit()

    def view_all(self) -> None:
        """Forget the user's zoom and show the whole image again (Home key)."""
        self._fit.view_all()

    def set_image(self, image: np.ndarray | None, title: str = "", units: str = "",
                  levels: tuple[float, float] | None = None, integer: bool = False) -> None:
        """Show an image (kept by reference: :meth:`refresh` redraws in-place changes).

        ``levels`` None means automatic; ``integer`` values are read out without decimals."""
        key = (id(image), title.split(" · ")[0], units)
        if key != self._shown_key:  # another map: the histogram follows its data again
            self._shown_key = key
            self._hist.autoHistogramRange()
        self._image_data = image
        self._title_text, self._units, self._integer = title, units, integer
        self._levels = levels
        self._levels_bar.set_auto(levels is None)
        self._redraw()

    def set_style(self, colormap: str | None = None, categories: Categories | None = None,
                  note: Callable[[float], str] | None = None) -> None:
        """How the next image is drawn: its own colormap (None: the user's), or a flat colour
        per code with a legend (levels fixed to the codes), and what the readout adds to a
        value ("(converged)")."""
        self._note = note
        self._colours.set_style(colormap, categories)
        self._hist.setVisible(categories is None)  # the legend tells codes, not a colour bar
        self._levels_bar.set_levels_enabled(categories is None)
        self._legend.show_categories(categories)

    def set_mask(self, mask: np.ndarray | None,
                 rgba: tuple[int, int, int, int] = (150, 150, 150, 255)) -> None:
        """Draw these pixels in a flat colour over the map (None or none set: no mask)."""
        if mask is None or self._grid is None or not mask.any():
            self._mask = None
            self._mask_item.clear()
            return
        self._mask, self._mask_rgba = mask, rgba
        out = np.zeros(mask.shape + (4,), dtype=np.ubyte)
        out[mask] = rgba
        self._mask_item.setImage(out, autoLevels=False)  # [row, col], as the image
        self._mask_item.setRect(self._grid.rect())

    def set_percentiles(self, pair: tuple[float, float]) -> None:
        """Percentiles the automatic levels span (a remembered choice)."""
        self._levels_bar.set_percentiles(pair)
        self._redraw()

    def set_scale_bar_visible(self, visible: bool) -> None:
        self._scale_check.setChecked(visible)
        self._update_scale_bar_visibility()

    def units_changed(self) -> None:
        """The angle unit changed: redraw in it (levels typed in the old unit are dropped)."""
        if is_angle(self._units):
            self._levels = None
            self._levels_bar.set_auto(True)
            self._hist.autoHistogramRange()
        self._redraw()
        if self._marker.rc is not None:
            self._show_readout(*self._marker.rc)

    def refresh(self) -> None:
        """Redraw an image whose values changed in place (a live map)."""
        self._redraw()

    def set_colormap(self, name: str) -> None:
        """The user's colormap (maps with their own, phase or status, keep theirs)."""
        changed = self._colours.set_general(name)
        self._redraw()
        if changed:
            self.sigColormapChanged.emit(self._colours.general)

    def colormap_name(self) -> str:
        """The user's colormap."""
        return self._colours.general

    def shown_colormap(self) -> str:
        """The colormap the shown map is drawn with ('categories' for status codes)."""
        return self._colours.shown()

    def set_marker(self, row: int | None, col: int | None) -> None:
        """Mark the selected pixel (None hides the marker)."""
        if row is None or col is None or self._grid is None:
            self._marker.clear()
            return
        self._marker.place(self._grid, row, col)
        self._show_readout(row, col)

    def marker(self) -> tuple[int, int] | None:
        return self._marker.rc

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
        if self._grid is None:
            raise ValueError("no map is shown")
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
        shown = self.shown_image()
        if shown is None:  # not reached: the image was checked above
            return
        fixed = self._colours.fixed_levels
        levels = fixed or self._levels
        if levels is None or (fixed is None and self._auto_check.isChecked()):
            levels = auto_levels(shown, self._levels_bar.percentiles(), self._symmetric(shown))
        self._setting_levels = True
        try:
            with np.errstate(invalid="ignore"):  # the histogram's bins over an Inf pixel
                self._image.setImage(shown, autoLevels=False, levels=levels)
            self._image.setRect(self._grid.rect())
            self._hist.setLevels(*levels)
            self._levels_bar.set_units(self._units)
            self._levels_bar.show_levels(*levels)
        finally:
            self._setting_levels = False
        self._title.setText(self._title_text)
        set_axis_units(self._hist.axis, self._title_text.split(" · ")[0], self._units,
                       self._integer)
        if self._marker.rc is not None:
            self._show_readout(*self._marker.rc)

    def _symmetric(self, shown: np.ndarray) -> bool:
        """Levels centred on zero: a diverging colormap on an angle or on signed values."""
        if self.shown_colormap() not in DIVERGING:
            return False
        if is_angle(self._units):
            return True
        finite = shown[np.isfinite(shown)]
        return finite.size > 0 and float(finite.min()) < 0.0 < float(finite.max())

    def _value_text(self, value: float) -> str:
        # as many digits as tell the levels apart: on a clean R² map (0.999998 to 1) a value
        # must not read "1"
        text = format_value(value, self._units, integer=self._integer,
                            precision=level_digits(*self.levels()))
        note = self._note(value) if self._note is not None and np.isfinite(value) else ""
        codes = self._colours.categories
        if codes is not None and codes.name(value):
            note = f"({codes.name(value)})"
        return f"{text} {note}" if note else text

    def _update_scale_bar_visibility(self) -> None:
        """A scale bar only over a grid: none once the file is closed (or failed to open)."""
        self._scale_bar.setVisible(self._scale_check.isChecked() and self.aspect_locked()
                                   and self._grid is not None)

    def _show_readout(self, row: int, col: int, hovering: bool = False) -> None:
        if self._grid is None:
            return
        prefix = "cursor: " if hovering else "selected: "
        m = self._mask
        masked = " (masked)" if m is not None and m.shape[0] > row and m.shape[1] > col \
            and m[row, col] else ""
        grid, name = self._grid, self._title_text.split(" · ")[0]
        value = f"{self._value_text(self.value_at(row, col))}{masked}"
        where = grid.where(row, col)
        # narrower: the prefix goes, then row and column, then the map's name; the place on the
        # axes and the value stay whole
        self._readout.set_text(f"{prefix}{grid.describe(row, col)} · {name} = {value}",
                               f"{grid.describe(row, col)} · {name} = {value}",
                               f"{where} · {name} = {value}",
                               f"{where}: {value}")

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
        elif self._marker.rc is not None:
            self._show_readout(*self._marker.rc)

    def _on_scene_mouse_clicked(self, event) -> None:
        if event.button() != Qt.LeftButton:
            return
        rc = self._pixel_at_scene(event.scenePos())
        if rc is not None:
            event.accept()
            self._glw.setFocus(Qt.MouseFocusReason)
            self.sigPixelClicked.emit(*rc)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self._glw and event.type() == QEvent.KeyPress and event.key() == Qt.Key_Home:
            self.view_all()
            return True
        rc = self._marker.rc
        if obj is self._glw and event.type() == QEvent.KeyPress and rc and self._grid:
            to = arrow_neighbour(self._grid, rc, event.key())
            if to is not None:
                if to != rc:
                    self.sigPixelClicked.emit(*to)
                return True
        return super().eventFilter(obj, event)

    def _on_colormap_chosen(self, name: str, own: bool) -> None:
        self._redraw()  # a diverging map may centre the levels
        (self.sigLayerColormapChanged if own else self.sigColormapChanged).emit(name)

    def _on_auto_check_toggled(self, checked: bool) -> None:
        if checked:
            self._levels = None
            self._hist.autoHistogramRange()  # even after the user panned the histogram
            self.sigLevelsChanged.emit(None)
            self._redraw()
        else:
            self._levels = self.levels()
            self.sigLevelsChanged.emit(self._levels)

    def _on_levels_typed(self, low: float, high: float) -> None:
        self._levels = (low, high)
        self.sigLevelsChanged.emit(self._levels)
        self._redraw()

    def _on_percentiles_changed(self, pair: tuple[float, float]) -> None:
        self.sigOptionChanged.emit("percentiles", pair)
        if not self._auto_check.isChecked():
            self._levels_bar.set_auto(True)
            self._on_auto_check_toggled(True)
        else:
            self._redraw()

    def _on_scale_check_toggled(self, checked: bool) -> None:
        self._update_scale_bar_visibility()
        self.sigOptionChanged.emit("scale_bar", checked)

    def _on_histogram_levels_dragged(self, *_) -> None:
        if self._setting_levels:
            return
        self._levels = self.levels()
        self._levels_bar.set_auto(False)
        self._levels_bar.show_levels(*self._levels)
        self.sigLevelsChanged.emit(self._levels)
