"""The difference of two results groups as a map layer: the shown field minus the same field of a
chosen group, drawn with a diverging colormap centred on zero (see :mod:`.compare`)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import QObject
from PyQt5.QtWidgets import QComboBox, QGridLayout, QGroupBox, QLabel, QWidget

from ...core.analyses.maps import Difference, LayerKey, field_of
from ...core.io.results import ResultsRef
from ..formatting import error_text, step_suffix
from ..session import Session
from ..widgets.map_view import MapView
from ..widgets.parts import action, action_button
from ..workers import LatestOnly
from .compare import DIVERGING, difference, group_label, list_groups, read_field, symmetric_levels
from .feedback import Feedback
from .map_layers import MapLayers
from .results_browser import ResultsBrowser


class ComparisonPresenter(QObject):
    """The difference action (Tools menu), the group chooser in the dock, and the layer."""

    def __init__(self, session: Session, map_view: MapView, layers: MapLayers,
                 results: ResultsBrowser, feedback: Feedback, parent: QWidget):
        super().__init__(parent)
        self.session = session  # the source whose groups are compared
        self.map_view, self.layers, self.results = map_view, layers, results
        self.feedback = feedback
        self.groups: list[ResultsRef] = []
        self._group_lister = LatestOnly(self)
        self._diff_reader = LatestOnly(self)
        self._diverging_shown = False
        self._auto_before_diff = True
        self.diff_action = action(parent, "&Difference with another results group",
                                  self.show_difference, "The shown field minus the same field "
                                  "of the group chosen in Regions and comparisons", "difference")
        self.box = QGroupBox("Compare results groups")
        g = QGridLayout(self.box)
        g.addWidget(QLabel("Shown minus:"), 0, 0)
        self.group_combo = QComboBox()
        self.group_combo.setToolTip("Another results group of this dataset")
        g.addWidget(self.group_combo, 0, 1)
        g.addWidget(action_button(self.diff_action, "Difference map"), 1, 0, 1, 2)
        layers.sigLayerChanged.connect(self._on_layers_layer_changed)

    def busy(self) -> bool:
        return self._group_lister.busy() or self._diff_reader.busy()

    def abort(self) -> None:
        for reader in (self._group_lister, self._diff_reader):
            reader.abort()

    def refresh_groups(self) -> None:
        """List the dataset's results groups again (in a worker)."""
        source = self.session.source
        if source is not None:
            self._group_lister.start(list_groups, source.file, source.dataset,
                                     on_yield=self._on_groups_listed)

    def show_difference(self) -> bool:
        """The shown result field minus the same field of the chosen group, in a worker."""
        res, other = self.results.results, self.group_combo.currentData()
        key = field_of(self.layers.current())
        if res is None or key is None or key not in self.layers.keys():
            self.feedback.status("Show a field of a results group first", 5000)
            return False
        if other is None or other == res.ref:
            self.feedback.status("Choose another results group to compare with", 5000)
            return False
        self._diff_reader.start(read_field, other, key, res.step, res.layout,
                                on_yield=lambda img: self._on_other_read(key, other, img),
                                on_error=lambda exc: self.feedback.status(
                                    f"Cannot compare: {error_text(exc)}", 10000))
        return True

    def _on_groups_listed(self, refs: list[ResultsRef]) -> None:
        current = self.group_combo.currentData()
        self.groups = refs
        self.group_combo.clear()
        for ref in refs:
            self.group_combo.addItem(group_label(ref), ref)
        i = self.group_combo.findData(current) if current is not None else -1
        if i < 0 and len(refs) > 1:
            shown = self.results.results.ref if self.results.results is not None else None
            i = next((k for k, r in enumerate(refs) if r != shown), 0)
        self.group_combo.setCurrentIndex(max(i, 0))

    def _on_other_read(self, key: str, other: ResultsRef, image: np.ndarray) -> None:
        layers, res = self.layers, self.results.results
        current = layers.image(key)
        if res is None or current is None:
            return
        try:
            diff = difference(current, image)
        except ValueError as exc:
            self.feedback.status(f"Cannot compare: {exc}", 10000)
            return
        layer = layers.layer(key)
        diff_key = Difference(key)
        specs = [(k, layers.layer(k).label, layers.layer(k).integer)
                 for k in layers.result_keys() if not isinstance(k, Difference)]
        layers.set_result_layers(specs + [(diff_key, f"Difference: {layer.label}", False)])
        other_name = group_label(other).split("-")[-1]
        layers.set_layer(diff_key, diff, f"Δ {layer.label} · {res.short_name} − {other_name}"
                         f"{step_suffix(res.layout, res.step)}", layer.units)
        layers.layer(diff_key).levels = symmetric_levels(diff)
        if layers.current() == diff_key:
            self._on_layers_layer_changed(diff_key)
        layers.show(diff_key)

    def _on_layers_layer_changed(self, key: LayerKey) -> None:
        """A difference is drawn diverging around zero; the user's colormap comes back after."""
        mv = self.map_view
        if isinstance(key, Difference):
            if not self._diverging_shown:
                self._auto_before_diff = mv.auto_levels_check().isChecked()
            mv.auto_levels_check().setChecked(False)
            layer = self.layers.layer(key)
            mv.set_image(layer.image, layer.title, layer.units, layer.levels)
            cmap = pg.colormap.get(DIVERGING)
            stops = np.linspace(0.0, 1.0, 16)
            mv.histogram().gradient.setColorMap(pg.ColorMap(stops, cmap.map(stops, mode="byte")))
            mv.histogram().gradient.showTicks(False)
            self._diverging_shown = True
        elif self._diverging_shown:
            self._diverging_shown = False
            mv.set_colormap(mv.colormap_name())  # the user's colormap again
            if self._auto_before_diff:
                mv.auto_levels_check().setChecked(True)
