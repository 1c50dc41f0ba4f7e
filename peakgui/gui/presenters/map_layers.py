"""The layers a map can show (the navigators and every result field), and which one is shown.

The presenter that owns the layers: :class:`MapView` only draws the image it is given. Navigator
layers are computed from the raw spectra; result layers come from an analysis' result fields
(their titles and units from the declaration, counts and status codes read out as integers).

Two things come from the analysis' declaration for any analysis that declares them: derived
layers (``Analysis.derived``, e.g. A·cos φ), computed from the stored layers whenever drawn and
never stored, and the mask of bad spectra (``Analysis.bad`` over ``bad_needs``), which blanks
those pixels on value maps, draws them in a "masked" grey and counts them in the title.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import QObject, QTimer, pyqtSignal
from PyQt5.QtWidgets import QCheckBox, QComboBox, QLabel, QSpinBox

from ...core.analyses.declaration import Analysis, DerivedField, SpectralContext
from ..formatting import si
from ..widgets.map_view import MapView

NAVIGATOR_MEAN = "mean"
NAVIGATOR_BIN = "bin"
NAVIGATORS = ((NAVIGATOR_MEAN, "Navigator: mean |x|"), (NAVIGATOR_BIN, "Navigator: |x| at a bin"))
MASK_RGBA = (150, 150, 150, 255)  # masked pixels: a flat grey no colour colormap has
MASK_RGBA_ON_GREY = (0, 150, 255, 255)  # ... and blue on the grey colormap
GREY_COLORMAPS = ("CET-L1",)


def mask_colour(colormap: str) -> tuple[tuple[int, int, int, int], str]:
    """The RGBA of masked pixels on this colormap and its name for the map title."""
    if colormap in GREY_COLORMAPS:
        return MASK_RGBA_ON_GREY, "blue"
    return MASK_RGBA, "grey"


def bad_mask(analysis: Analysis | None,
             images: Mapping[str, np.ndarray | None]) -> np.ndarray | None:
    """Pixels the analysis declares bad, among those computed (None: no mask applies)."""
    if analysis is None or analysis.bad is None or not analysis.bad_needs:
        return None
    needed = {n: v for n in analysis.bad_needs if (v := images.get(n)) is not None}
    if len(needed) < len(analysis.bad_needs):
        return None
    computed = np.logical_and.reduce([np.isfinite(v) for v in needed.values()])
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        bad = np.asarray(analysis.bad(needed), dtype=np.bool_)
    return bad & computed


def derived_image(field: DerivedField,
                  images: Mapping[str, np.ndarray | None]) -> np.ndarray | None:
    """A derived field computed from the stored layers' images (None until they all exist)."""
    needed = {n: v for n in field.needs if (v := images.get(n)) is not None}
    if len(needed) < len(field.needs):
        return None
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return np.asarray(field.compute(needed), dtype=np.float64)


def with_derived(analysis: Analysis | None,
                 values: dict[str, np.ndarray] | None) -> dict[str, np.ndarray] | None:
    """Stored values (of a map, a pixel's loop...) plus the analysis' derived fields."""
    if values is None or analysis is None:
        return values
    out = dict(values)
    for d in analysis.derived:
        img = derived_image(d, values)
        if img is not None:
            out[d.name] = img
    return out


@dataclass
class Layer:
    """One map: its image (kept by reference), what it is, and levels the user set."""

    key: str
    label: str
    image: np.ndarray | None = None
    title: str = ""
    units: str = ""
    integer: bool = False
    levels: tuple[float, float] | None = None
    derived: DerivedField | None = None  # computed from other layers when drawn


class MapLayers(QObject):
    """The 'Show:' chooser above the map and the layers behind it."""

    sigLayerChanged = pyqtSignal(str)
    """The shown layer changed (carries its key)."""
    sigBinChanged = pyqtSignal(int)
    """The bin of the '|x| at a bin' navigator changed."""

    def __init__(self, view: MapView, parent: QObject | None = None):
        super().__init__(parent)
        self._view = view
        self._layers: dict[str, Layer] = {}
        self._bin_values: np.ndarray | None = None
        self._bin_units = ""
        self._combo = QComboBox()
        self._combo.setToolTip("Which map to show: a navigator computed from the raw spectra, "
                               "or a result of the analysis")
        self._combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self._bin_spin = QSpinBox()
        self._bin_spin.setToolTip("Spectral bin whose |x| the navigator shows")
        self._bin_spin.setKeyboardTracking(False)
        self._bin_label = QLabel()
        self._analysis: Analysis | None = None
        self._context: SpectralContext | None = None
        self._bad_label = "masked"
        self._mask_count = 0
        self._mask_check = QCheckBox("&Mask")  # Alt+M
        self._mask_check.setChecked(True)
        self._mask_check.setToolTip("Blank and grey out the pixels the analysis flags as bad "
                                    "(failed fits, no peak found) on the value maps (Alt+M)")
        self._mask_item = pg.ImageItem()
        self._mask_item.setZValue(1)  # over the map, under the pixel marker
        view.plot_item().addItem(self._mask_item)
        self._marker_on_top(view)
        self._recompose = QTimer(self)  # live maps refresh field by field: compose once
        self._recompose.setSingleShot(True)
        self._recompose.setInterval(0)
        self._recompose.timeout.connect(self._draw)
        for w in (QLabel("Show:"), self._combo, self._bin_spin, self._bin_label,
                  self._mask_check):
            view.add_control(w)
        self._mask_check.toggled.connect(self._on_mask_check_toggled)
        self._mask_check.setVisible(False)
        for key, label in NAVIGATORS:
            self._add(Layer(key, label))
        self._combo.currentIndexChanged.connect(self._on_combo_index_changed)
        self._bin_spin.valueChanged.connect(self._on_bin_spin_changed)
        view.sigLevelsChanged.connect(self._on_view_levels_changed)
        view.sigColormapChanged.connect(self._on_view_colormap_changed)
        self._show_bin_controls(False)

    # ---- getters --------------------------------------------------------------------------------
    def combo(self) -> QComboBox:
        return self._combo

    def keys(self) -> list[str]:
        return list(self._layers)

    def layer(self, key: str) -> Layer:
        return self._layers[key]

    def image(self, key: str) -> np.ndarray | None:
        layer = self._layers.get(key)
        return layer.image if layer is not None else None

    def title(self, key: str) -> str:
        return self._layers[key].title

    def units(self, key: str) -> str:
        return self._layers[key].units

    def current(self) -> str:
        return self._combo.currentData()

    def current_image(self) -> np.ndarray | None:
        return self.image(self.current())

    def current_bin(self) -> int:
        return self._bin_spin.value()

    def result_keys(self) -> list[str]:
        return [k for k in self._layers if k not in dict(NAVIGATORS)]

    def derived_keys(self) -> list[str]:
        return [k for k, layer in self._layers.items() if layer.derived is not None]

    def mask_check(self) -> QCheckBox:
        return self._mask_check

    def mask_item(self) -> pg.ImageItem:
        return self._mask_item

    def mask(self) -> np.ndarray | None:
        """The bad pixels of the shown result maps (None: the analysis declares no mask)."""
        return bad_mask(self._analysis, {n: self._layers[n].image for n in self._layers})

    def mask_count(self) -> int:
        """Pixels masked on the map now shown (0 when none or the mask is off)."""
        return self._mask_count

    def bad_label(self) -> str:
        return self._bad_label

    def mask_summary(self, count: int) -> str:
        """'12 pixels without a peak', as the analysis' view words it."""
        return f"{count:,} pixel{'s' if count != 1 else ''} {self._bad_label}"

    # ---- the analysis' declaration --------------------------------------------------------------
    def set_analysis(self, analysis: Analysis | None, context: SpectralContext | None = None,
                     bad_label: str = "masked") -> None:
        """The analysis whose derived fields and bad mask the result layers get (its view
        module says what a masked pixel is, e.g. 'without a peak')."""
        self._analysis, self._context, self._bad_label = analysis, context, bad_label
        self._mask_check.setVisible(analysis is not None and analysis.bad is not None)

    # ---- content --------------------------------------------------------------------------------
    def clear(self) -> None:
        """Every layer emptied; result layers removed (file closed or dataset changed)."""
        self.set_result_layers([])
        for layer in self._layers.values():
            layer.image, layer.title, layer.units, layer.levels = None, "", "", None
        self._update_items()
        self._mask_item.clear()
        self._mask_count = 0
        self._view.clear()

    def set_result_layers(self, layers: list[tuple[str, str, bool]]) -> None:
        """The result fields the map can show: (key, label, integer) each, in order. Layers
        already there keep their images when they are asked for again. The analysis' derived
        fields whose inputs are among them follow (after the first field)."""
        keys = {k for k, _, _ in layers}
        derived = [d for d in (self._analysis.derived if self._analysis else ())
                   if set(d.needs) <= keys and d.name not in keys]
        keep = {k: self._layers[k] for k, _, _ in layers if k in self._layers}
        current = self.current()
        self._combo.blockSignals(True)
        try:
            for key in self.result_keys():
                self._combo.removeItem(self._combo.findData(key))
                del self._layers[key]
            for key, label, integer in layers:
                old = keep.get(key)
                layer = Layer(key, label, integer=integer)
                if old is not None:
                    layer.image, layer.title, layer.units = old.image, old.title, old.units
                self._add(layer)
            for d in derived:
                units = d.units(self._context) if self._context is not None else ""
                self._add(Layer(d.name, d.title, units=units, derived=d))
            i = self._combo.findData(current)
            self._combo.setCurrentIndex(i if i >= 0 else 0)
        finally:
            self._combo.blockSignals(False)
        self._update_items()
        if self.current() != current:
            self._on_combo_index_changed(self._combo.currentIndex())

    def set_layer(self, key: str, image: np.ndarray | None, title: str = "",
                  units: str = "") -> None:
        """Give a layer its image (by reference, so in-place updates show on refresh)."""
        layer = self._layers[key]
        layer.image, layer.title, layer.units, layer.levels = image, title or layer.label, \
            units, None
        self._retitle_derived(key, layer.title)
        self._update_items()
        shown = self._layers.get(self.current())
        if key == self.current() or (shown is not None and key in self._inputs(shown)):
            self._draw()

    def set_title(self, key: str, title: str) -> None:
        self._layers[key].title = title
        self._retitle_derived(key, title)
        if key == self.current() or self._layers[self.current()].derived is not None:
            self._draw()

    def refresh(self, key: str) -> None:
        """Redraw a layer whose image changed in place, if it is shown (or feeds the shown
        derived map or mask)."""
        layer = self._layers.get(self.current())
        if layer is None:
            return
        composed = layer.derived is not None or self._mask_applies(layer)
        if not composed:
            if key == self.current():
                self._view.refresh()
        elif key == self.current() or key in self._inputs(layer):
            self._recompose.start()

    def show(self, key: str) -> None:
        i = self._combo.findData(key)
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
    def _add(self, layer: Layer) -> None:
        self._layers[layer.key] = layer
        self._combo.addItem(layer.label, layer.key)

    def _inputs(self, layer: Layer) -> set[str]:
        out = set(layer.derived.needs) if layer.derived is not None else set()
        if self._analysis is not None and self._mask_applies(layer):
            out |= set(self._analysis.bad_needs)
        return out

    def _mask_applies(self, layer: Layer) -> bool:
        """Masks blank value maps (and derived ones), never counts or status codes."""
        return (self._mask_check.isChecked() and not layer.integer
                and layer.key in self.result_keys() and self._analysis is not None
                and self._analysis.bad is not None)

    def _retitle_derived(self, key: str, input_title: str) -> None:
        """A derived map is titled like its first input (the group, 'running', the step)."""
        first = self._layers[key]
        rest = input_title[len(first.label):] if input_title.startswith(first.label) else ""
        for layer in self._layers.values():
            if layer.derived is not None and layer.derived.needs[0] == key:
                layer.title = layer.label + rest

    def _draw(self) -> None:
        self._recompose.stop()
        layer = self._layers.get(self.current())
        self._mask_count = 0
        if layer is None:
            self._mask_item.clear()
            self._view.set_image(None)
            return
        image = layer.image
        if layer.derived is not None:
            image = layer.image = derived_image(
                layer.derived, {k: v.image for k, v in self._layers.items()})
        mask = self.mask() if self._mask_applies(layer) and image is not None else None
        title = layer.title or layer.label
        if mask is not None and image is not None and mask.shape == image.shape:
            self._mask_count = int(mask.sum())
            if self._mask_count:
                image = np.where(mask, np.nan, image)
                colour = mask_colour(self._view.colormap_name() or "")[1]
                title += f" · {self.mask_summary(self._mask_count)} ({colour})"
        else:
            mask = None
        self._view.set_image(image, title, layer.units, layer.levels, layer.integer)
        self._draw_mask(mask)

    def _draw_mask(self, mask: np.ndarray | None) -> None:
        grid = self._view.grid()
        if mask is None or grid is None or not mask.any():
            self._mask_item.clear()
            return
        rgba = np.zeros(mask.shape + (4,), dtype=np.ubyte)
        rgba[mask] = mask_colour(self._view.colormap_name() or "")[0]
        self._mask_item.setImage(rgba, autoLevels=False)  # [row, col], as MapView's image
        self._mask_item.setRect(grid.rect())

    @staticmethod
    def _marker_on_top(view: MapView) -> None:
        for item in view.plot_item().items:
            if isinstance(item, pg.ScatterPlotItem):
                item.setZValue(max(item.zValue(), 2))

    def _update_items(self) -> None:
        model = self._combo.model()
        images = {k: v.image for k, v in self._layers.items()}
        for i in range(self._combo.count()):
            key = self._combo.itemData(i)
            layer = self._layers[key]
            has = (layer.image is not None if layer.derived is None
                   else all(images.get(n) is not None for n in layer.derived.needs))
            model.item(i).setEnabled(has or key == NAVIGATOR_BIN)
            model.item(i).setToolTip("" if has else "not computed yet")

    def _show_bin_controls(self, visible: bool) -> None:
        self._bin_spin.setVisible(visible)
        self._bin_label.setVisible(visible)

    def _update_bin_label(self) -> None:
        v = self._bin_values
        k = self._bin_spin.value()
        self._bin_label.setText(si(v[k], self._bin_units) if v is not None and k < len(v) else "")

    def _on_combo_index_changed(self, index: int) -> None:
        key = self._combo.itemData(index)
        if key is None:
            return
        self._show_bin_controls(key == NAVIGATOR_BIN)
        self._draw()
        self.sigLayerChanged.emit(key)

    def _on_mask_check_toggled(self, _checked: bool) -> None:
        self._draw()

    def _on_view_colormap_changed(self, _name: str) -> None:
        if self._mask_count:  # the mask's colour follows the colormap
            self._draw()

    def _on_bin_spin_changed(self, value: int) -> None:
        self._update_bin_label()
        self.sigBinChanged.emit(value)

    def _on_view_levels_changed(self, levels) -> None:
        layer = self._layers.get(self.current())
        if layer is not None:
            layer.levels = levels
