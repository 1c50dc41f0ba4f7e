"""The layers a map can show (the navigators and every result field), and which one is shown.

The presenter that owns the layers: :class:`MapView` only draws the image it is given. Navigator
layers are computed from the raw spectra; result layers come from an analysis' result fields
(their titles and units from the declaration, counts and status codes read out as integers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PyQt5.QtCore import QObject, pyqtSignal
from PyQt5.QtWidgets import QComboBox, QLabel, QSpinBox

from .formatting import si
from .map_view import MapView

NAVIGATOR_MEAN = "mean"
NAVIGATOR_BIN = "bin"
NAVIGATORS = ((NAVIGATOR_MEAN, "Navigator: mean |x|"), (NAVIGATOR_BIN, "Navigator: |x| at a bin"))


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
        for w in (QLabel("Show:"), self._combo, self._bin_spin, self._bin_label):
            view.add_control(w)
        for key, label in NAVIGATORS:
            self._add(Layer(key, label))
        self._combo.currentIndexChanged.connect(self._on_combo_index_changed)
        self._bin_spin.valueChanged.connect(self._on_bin_spin_changed)
        view.sigLevelsChanged.connect(self._on_view_levels_changed)
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

    # ---- content --------------------------------------------------------------------------------
    def clear(self) -> None:
        """Every layer emptied; result layers removed (file closed or dataset changed)."""
        self.set_result_layers([])
        for layer in self._layers.values():
            layer.image, layer.title, layer.units, layer.levels = None, "", "", None
        self._update_items()
        self._view.clear()

    def set_result_layers(self, layers: list[tuple[str, str, bool]]) -> None:
        """The result fields the map can show: (key, label, integer) each, in order. Layers
        already there keep their images when they are asked for again."""
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
        self._update_items()
        if key == self.current():
            self._draw()

    def set_title(self, key: str, title: str) -> None:
        self._layers[key].title = title
        if key == self.current():
            self._draw()

    def refresh(self, key: str) -> None:
        """Redraw a layer whose image changed in place, if it is shown."""
        if key == self.current():
            self._view.refresh()

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

    def _draw(self) -> None:
        layer = self._layers.get(self.current())
        if layer is None:
            self._view.set_image(None)
            return
        self._view.set_image(layer.image, layer.title or layer.label, layer.units,
                             layer.levels, layer.integer)

    def _update_items(self) -> None:
        model = self._combo.model()
        for i in range(self._combo.count()):
            key = self._combo.itemData(i)
            has = self._layers[key].image is not None
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

    def _on_bin_spin_changed(self, value: int) -> None:
        self._update_bin_label()
        self.sigBinChanged.emit(value)

    def _on_view_levels_changed(self, levels) -> None:
        layer = self._layers.get(self.current())
        if layer is not None:
            layer.levels = levels
