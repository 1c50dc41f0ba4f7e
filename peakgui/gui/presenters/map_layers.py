"""The map's "Show:" chooser, its bin spin box and mask check box, bound to a :class:`LayerSet`.

The layer state (which maps exist, their images, titles, levels, the shown one) lives in the
Qt-free :class:`~peakgui.gui.presenters.layer_set.LayerSet`; this presenter keeps the widgets in
step with it and hands :class:`MapView` the composed image (:class:`MapView` only draws). Derived
maps and the mask of bad spectra come from the analysis' declaration
(:mod:`peakgui.core.analyses.maps`): masked pixels are blanked and drawn in a flat colour chosen
far from every colour of the colormap. The R² cut-off of the mask is a setting beside the Mask
box; the R² and status maps are never masked (they say why a pixel is), status maps are drawn
one flat colour per code with a legend, and phase maps take a cyclic colormap.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import QObject, QTimer, pyqtSignal
from PyQt5.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLabel, QSpinBox

from ...core.analyses.declaration import Analysis, SpectralContext
from ...core.analyses.maps import LayerKey, Navigator, with_derived
from ..formatting import si
from ..widgets.category_legend import Categories
from ..widgets.colormaps import mask_colour
from ..widgets.map_view import MapView
from .layer_set import Layer, LayerSet

NAVIGATOR_MEAN = Navigator.MEAN
NAVIGATOR_BIN = Navigator.BIN
MASK_TIP = ("Blank and grey out the pixels the analysis flags as bad (failed fits, no peak "
            "found) on the value maps (Alt+M)")
R2_TIP = ("Mask the fits with a lower R² than this on the value maps (the R² map itself is "
          "never masked)")

__all__ = ["NAVIGATOR_BIN", "NAVIGATOR_MEAN", "Layer", "MapLayers", "mask_colour",
           "with_derived"]


class MapLayers(QObject):
    """The 'Show:' chooser above the map and the layers behind it."""

    sigLayerChanged = pyqtSignal(object)
    """The shown layer changed (carries its key: a Navigator, a field name or a Difference)."""
    sigBinChanged = pyqtSignal(int)
    """The bin of the '|x| at a bin' navigator changed."""

    def __init__(self, view: MapView, parent: QObject | None = None):
        super().__init__(parent)
        self._view = view
        self.state = LayerSet()
        self._bin_values: np.ndarray | None = None
        self._bin_units = ""
        self._mask_count = 0
        self._combo = QComboBox()
        self._combo.setToolTip("Which map to show: a navigator computed from the raw spectra, "
                               "or a result of the analysis")
        # long field names ("Loop fit: σ(Switchable Polarization)") must not widen the window:
        # the box keeps a fixed width and its list shows them whole
        self._combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self._combo.setMinimumContentsLength(12)
        self._bin_spin = QSpinBox()
        self._bin_spin.setToolTip("Spectral bin whose |x| the navigator shows")
        self._bin_spin.setKeyboardTracking(False)
        self._bin_label = QLabel()
        self._mask_check = QCheckBox("&Mask")  # Alt+M
        self._mask_check.setChecked(True)
        self._mask_check.setToolTip(MASK_TIP)
        self._r2_spin = QDoubleSpinBox()
        self._r2_spin.setRange(0.0, 1.0)
        self._r2_spin.setDecimals(3)  # good fits differ in the third decimal
        self._r2_spin.setSingleStep(0.01)
        self._r2_spin.setPrefix("R² ≥ ")
        self._r2_spin.setValue(0.9)
        self._r2_spin.setToolTip(R2_TIP)
        self._r2_spin.setVisible(False)
        self._mask_item = view.mask_item()
        self._marker_on_top(view)
        self._recompose = QTimer(self)  # live maps refresh field by field: compose once
        self._recompose.setSingleShot(True)
        self._recompose.setInterval(0)
        self._recompose.timeout.connect(self._draw)
        for w in (QLabel("Show:"), self._combo, self._bin_spin, self._bin_label,
                  self._mask_check, self._r2_spin):
            view.add_control(w)
        self._mask_check.toggled.connect(self._on_mask_check_toggled)
        self._r2_spin.valueChanged.connect(self._on_r2_spin_changed)
        self._mask_check.setVisible(False)
        self._fill_combo()
        self._combo.currentIndexChanged.connect(self._on_combo_index_changed)
        self._bin_spin.valueChanged.connect(self._on_bin_spin_changed)
        view.sigLevelsChanged.connect(self._on_view_levels_changed)
        view.sigColormapChanged.connect(self._on_view_colormap_changed)
        view.sigLayerColormapChanged.connect(self._on_view_layer_colormap_changed)
        self._show_bin_controls(False)

    # ---- getters --------------------------------------------------------------------------------
    def combo(self) -> QComboBox:
        return self._combo

    def keys(self) -> list[LayerKey]:
        return self.state.keys()

    def layer(self, key: LayerKey) -> Layer:
        return self.state.layer(key)

    def image(self, key: LayerKey) -> np.ndarray | None:
        return self.state.image(key)

    def title(self, key: LayerKey) -> str:
        return self.state.layer(key).title

    def units(self, key: LayerKey) -> str:
        return self.state.layer(key).units

    def current(self) -> LayerKey:
        return self.state.current

    def current_image(self) -> np.ndarray | None:
        return self.state.image(self.state.current)

    def current_bin(self) -> int:
        return self._bin_spin.value()

    def result_keys(self) -> list[LayerKey]:
        return self.state.result_keys()

    def derived_keys(self) -> list[LayerKey]:
        return self.state.derived_keys()

    def mask_check(self) -> QCheckBox:
        return self._mask_check

    def mask_item(self) -> pg.ImageItem:
        return self._mask_item

    def r2_spin(self) -> QDoubleSpinBox:
        """The R² cut-off of the mask (shown while the analysis judges its fits by R²)."""
        return self._r2_spin

    def mask(self) -> np.ndarray | None:
        """The bad pixels of the shown result maps (None: the analysis declares no mask)."""
        return self.state.mask()

    def mask_count(self) -> int:
        """Pixels masked on the map now shown (0 when none or the mask is off)."""
        return self._mask_count

    def bad_label(self) -> str:
        return self.state.bad_label

    def mask_summary(self, count: int) -> str:
        """'12 pixels without a peak', as the analysis' view words it."""
        return self.state.mask_summary(count)

    # ---- the analysis' declaration --------------------------------------------------------------
    def set_analysis(self, analysis: Analysis | None, context: SpectralContext | None = None,
                     bad_label: str = "masked") -> None:
        """The analysis whose derived fields and bad mask the result layers get (its view
        says what a masked pixel is, e.g. 'without a peak')."""
        s = self.state
        s.analysis, s.context, s.bad_label = analysis, context, bad_label
        s.r2_min = self._r2_spin.value()
        self._mask_check.setVisible(s.masks())
        self._r2_spin.setVisible(s.masks() and s.r2_cut() is not None)

    # ---- content --------------------------------------------------------------------------------
    def clear(self) -> None:
        """Every layer emptied; result layers removed (file closed or dataset changed)."""
        shown = self.state.current
        self.state.clear()
        self._fill_combo()
        if self.state.current != shown:
            self._on_shown_changed()
        self._mask_count = 0
        self._view.clear()

    def set_result_layers(self, layers: Sequence[tuple[LayerKey, str, bool]]) -> None:
        """The result fields the map can show: (key, label, integer) each, in order (see
        :meth:`LayerSet.set_result_layers`)."""
        shown = self.state.current
        self.state.set_result_layers(layers)
        self._fill_combo()
        if self.state.current != shown:
            self._on_shown_changed()

    def set_layer(self, key: LayerKey, image: np.ndarray | None, title: str = "",
                  units: str = "") -> None:
        """Give a layer its image (by reference, so in-place updates show on refresh)."""
        self.state.set_layer(key, image, title, units)
        self._update_items()
        if self.state.feeds_shown(key):
            self._draw()

    def set_title(self, key: LayerKey, title: str) -> None:
        self.state.set_title(key, title)
        if key == self.state.current or self.state.layer(self.state.current).derived is not None:
            self._draw()

    def refresh(self, key: LayerKey) -> None:
        """Redraw a layer whose image changed in place, if it is shown (or feeds the shown
        derived map or mask)."""
        s = self.state
        if s.get(s.current) is None:
            return
        if not s.composed(s.current):
            if key == s.current:
                self._view.refresh()
        elif s.feeds_shown(key):
            self._recompose.start()

    def redraw(self) -> None:
        """Compose and draw the shown layer again (the analysis' mask rule changed)."""
        self._draw()

    def show(self, key: LayerKey) -> None:
        i = self._index(key)
        if i >= 0:
            self._combo.setCurrentIndex(i)

    def set_bin_axis(self, values: np.ndarray, units: str, current: int) -> None:
        """The spectral values of the bins the '|x| at a bin' navigator can show."""
        self._bin_values = np.asarray(values)
        self._bin_units = units
        self._bin_spin.blockSignals(True)
        self._bin_spin.setRange(0, max(0, len(values) - 1))
        self._bin_spin.setValue(current)
        self._bin_spin.blockSignals(False)
        self._update_bin_label()

    # ---- internals ------------------------------------------------------------------------------
    def _index(self, key: LayerKey) -> int:
        """The chooser's row of a layer (-1: none). Keys are compared in Python: Qt would
        compare enum members and strings by their text."""
        return next((i for i in range(self._combo.count()) if self._combo.itemData(i) == key),
                    -1)

    def _fill_combo(self) -> None:
        """The chooser lists the state's layers, the shown one current, without signals."""
        self._combo.blockSignals(True)
        try:
            self._combo.clear()
            for key in self.state.keys():
                self._combo.addItem(self.state.layer(key).label, key)
            self._combo.setCurrentIndex(max(self._index(self.state.current), 0))
        finally:
            self._combo.blockSignals(False)
        self._update_items()

    def _draw(self) -> None:
        self._recompose.stop()
        s = self.state
        codes = s.codes(s.current)
        self._view.set_style(s.own_colormap(s.current), Categories(codes) if codes else None,
                             self._note(s.current))
        self._enable_mask_controls(s.mask_controls_apply(s.current))
        out = s.compose(mask_colour(self._view.shown_colormap())[1])
        if out is None:
            self._mask_count = 0
            self._view.set_mask(None)
            self._view.set_image(None)
            return
        self._mask_count = int(out.mask.sum()) if out.mask is not None else 0
        self._view.set_image(out.image, out.title, out.layer.units, out.layer.levels,
                             out.layer.integer)
        self._draw_mask(out.mask)

    def _enable_mask_controls(self, enabled: bool) -> None:
        """Greyed on a map the mask never blanks (status codes, counts, navigators), so that
        they do not seem to act on it."""
        why = "" if enabled else " (nothing on this map is masked)"
        for box, tip in ((self._mask_check, MASK_TIP), (self._r2_spin, R2_TIP)):
            box.setEnabled(enabled)
            box.setToolTip(tip + why)

    def _draw_mask(self, mask: np.ndarray | None) -> None:
        self._view.set_mask(mask, mask_colour(self._view.shown_colormap())[0])

    def _note(self, key: LayerKey):
        """What the readout adds to a value of this layer: an R² under the cut-off says so."""
        cut, text = self.state.r2_cut(), self.state.quality_note(key)
        if cut is None or text is None:
            return None
        return lambda v: text if v < cut else ""

    @staticmethod
    def _marker_on_top(view: MapView) -> None:
        for item in view.plot_item().items:
            if isinstance(item, pg.ScatterPlotItem):
                item.setZValue(max(item.zValue(), 2))

    def _update_items(self) -> None:
        model = self._combo.model()
        for i in range(self._combo.count()):
            has = self.state.available(self._combo.itemData(i))
            model.item(i).setEnabled(has)
            model.item(i).setToolTip("" if has else "not computed yet")

    def _show_bin_controls(self, visible: bool) -> None:
        self._bin_spin.setVisible(visible)
        self._bin_label.setVisible(visible)

    def _update_bin_label(self) -> None:
        v = self._bin_values
        k = self._bin_spin.value()
        self._bin_label.setText(si(v[k], self._bin_units) if v is not None and k < len(v) else "")

    def _on_shown_changed(self) -> None:
        self._show_bin_controls(self.state.current is Navigator.BIN)
        self._draw()
        self.sigLayerChanged.emit(self.state.current)

    def _on_combo_index_changed(self, index: int) -> None:
        key = self._combo.itemData(index)
        if key is None:
            return
        self.state.current = key
        self._on_shown_changed()

    def _on_mask_check_toggled(self, checked: bool) -> None:
        self.state.mask_on = checked
        self._r2_spin.setEnabled(checked)
        self._draw()

    def _on_r2_spin_changed(self, value: float) -> None:
        self.state.r2_min = value
        self._draw()

    def _on_view_colormap_changed(self, _name: str) -> None:
        if self._mask_count:  # the mask's colour follows the colormap
            self._draw()

    def _on_view_layer_colormap_changed(self, name: str) -> None:
        """The user chose a colormap while a phase map is shown: phase maps keep it."""
        self.state.own_colormaps["angle"] = name
        if self._mask_count:
            self._draw()

    def _on_bin_spin_changed(self, value: int) -> None:
        self._update_bin_label()
        self.sigBinChanged.emit(value)

    def _on_view_levels_changed(self, levels) -> None:
        layer = self.state.get(self.state.current)
        if layer is not None:
            layer.levels = levels
