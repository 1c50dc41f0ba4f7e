"""The Tools menu and the "Regions and comparisons" dock: a region's statistics and mean spectrum,
a line profile, pinned pixels and the difference of two results groups.

The window creates one :class:`MapTools`; it reaches the map, the spectrum view and the
presenters through the window, reads files only in workers, and keeps its own items on the plots.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import QObject, QTimer
from PyQt5.QtGui import QKeySequence
from PyQt5.QtWidgets import (
    QAction,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.analyses.maps import Difference, field_of
from ..formatting import error_text, si
from ..widgets.pinned import PinnedSpectra
from ..widgets.profile import ProfileTool
from ..widgets.regions import (
    ELLIPSE,
    POLYGON,
    RECTANGLE,
    STAT_NAMES,
    RegionMean,
    RegionTool,
    inspect_mean,
    map_statistics,
    read_region_mean,
)
from ..widgets.spectrum_view import PHASE_MODE
from ..workers import LatestOnly
from .compare import (
    DIVERGING,
    difference,
    group_label,
    list_groups,
    read_field,
    symmetric_levels,
)

if TYPE_CHECKING:
    from ..app.main_window import MainWindow

_STAT_LABELS = {"count": "Count", "mean": "Mean", "std": "Std. dev.", "min": "Min",
                "p5": "5th percentile", "p25": "25th percentile", "median": "Median",
                "p75": "75th percentile", "p95": "95th percentile", "max": "Max"}


class MapTools(QObject):
    """Regions, profile, pins and comparison: their actions, their dock widget, their slots."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.w = window
        plot = window.map_view.plot_item()
        self.region = RegionTool(plot, self)
        self.profile = ProfileTool(plot, self)
        self.pins = PinnedSpectra(plot, window.spectrum_view.plot_item(), self)
        self.region_mean: RegionMean | None = None
        self.stats: dict[str, float] = {}
        self.groups: list = []
        self._mean_reader = LatestOnly(self)
        self._group_lister = LatestOnly(self)
        self._diff_reader = LatestOnly(self)
        self._diverging_shown = False
        self._auto_before_diff = True
        self.showing_region = False  # the spectrum view shows the region's mean, not a pixel
        self._build_actions()
        self.panel = self._build_panel()
        self._connect()

    # ---- construction ---------------------------------------------------------------------------
    def _act(self, text: str, slot, shortcut: str | None, tip: str, name: str) -> QAction:
        a = QAction(text, self.w)
        a.setObjectName(name)
        if shortcut:
            a.setShortcut(QKeySequence(shortcut))
        a.setToolTip(tip)
        a.setStatusTip(tip)
        a.triggered.connect(slot)
        return a

    def _build_actions(self) -> None:
        a = self._act
        self.rect_action = a("&Rectangle region", lambda: self.add_region(RECTANGLE), "Shift+R",
                             "Draw a rectangle on the map: its statistics and mean spectrum",
                             "region_rectangle")
        self.ellipse_action = a("&Ellipse region", lambda: self.add_region(ELLIPSE), "Shift+E",
                                "Draw an ellipse on the map: its statistics and mean spectrum",
                                "region_ellipse")
        self.polygon_action = a("Pol&ygon region", lambda: self.add_region(POLYGON), "Shift+G",
                                "Draw a polygon on the map (drag its corners; click an edge "
                                "for a new corner)", "region_polygon")
        self.remove_region_action = a("Remove region", self.remove_region, None,
                                      "Remove the region from the map", "region_remove")
        self.profile_action = a("&Line profile", self.add_profile, "Shift+L",
                                "Drag a line across the map: the shown map's values along it",
                                "line_profile")
        self.pin_action = a("&Pin the selected pixel", self.pin_selected, "P",
                            "Keep the selected pixel's spectrum on the plot, with a marker of "
                            "its colour on the map (again: unpin)", "pin")
        self.unpin_action = a("&Unpin the last pixel", self.unpin_last, "Shift+P",
                              "Remove the last pinned spectrum", "unpin")
        self.clear_pins_action = a("&Clear pins", self.clear_pins, "Ctrl+Shift+P",
                                   "Remove every pinned spectrum", "clear_pins")
        self.diff_action = a("&Difference with another results group", self.show_difference,
                             None, "The shown field minus the same field of the group chosen "
                             "in Regions and comparisons", "difference")
        self.actions = [self.rect_action, self.ellipse_action, self.polygon_action,
                        self.remove_region_action, None, self.profile_action, None,
                        self.pin_action, self.unpin_action, self.clear_pins_action, None,
                        self.diff_action]
        menu = QMenu("&Tools", self.w)
        for act in self.actions:
            menu.addSeparator() if act is None else menu.addAction(act)
        mb = self.w.menuBar()
        help_menu = next((m.menuAction() for m in mb.findChildren(QMenu)
                          if m.title() == "&Help"), None)
        mb.insertMenu(help_menu, menu) if help_menu is not None else mb.addMenu(menu)
        self.menu = menu

    def _button(self, action: QAction, text: str | None = None) -> QPushButton:
        b = QPushButton(text or action.text().replace("&", ""))
        b.setToolTip(action.toolTip())
        b.clicked.connect(action.trigger)
        return b

    def _build_panel(self) -> QWidget:
        panel = QWidget()
        v = QVBoxLayout(panel)
        v.setContentsMargins(4, 4, 4, 4)

        box = QGroupBox("Region")
        box.setToolTip("Statistics of the shown map inside the region, and the mean spectrum "
                       "of its positions")
        g = QGridLayout(box)
        for i, (act, text) in enumerate(((self.rect_action, "Rectangle"),
                                         (self.ellipse_action, "Ellipse"),
                                         (self.polygon_action, "Polygon"),
                                         (self.remove_region_action, "Remove"))):
            g.addWidget(self._button(act, text), i // 2, i % 2)  # 2 x 2: a narrow dock
        self.region_label = QLabel("Draw a region on the map")
        self.region_label.setWordWrap(True)
        g.addWidget(self.region_label, 2, 0, 1, 2)
        self.stats_table = QTableWidget(len(STAT_NAMES), 1)
        self.stats_table.setHorizontalHeaderLabels(["Inside the region"])
        self.stats_table.setVerticalHeaderLabels([_STAT_LABELS[n] for n in STAT_NAMES])
        self.stats_table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.stats_table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.stats_table.setMinimumHeight(120)
        g.addWidget(self.stats_table, 3, 0, 1, 2)
        self.mean_button = QPushButton("Show its mean spectrum")
        self.mean_button.setToolTip("The mean of the region's spectra, with the analysis' "
                                    "pixel test, in the spectrum view")
        self.mean_button.clicked.connect(self._on_mean_button_clicked)
        g.addWidget(self.mean_button, 4, 0, 1, 2)
        v.addWidget(box)

        box = QGroupBox("Line profile")
        pv = QVBoxLayout(box)
        row = QHBoxLayout()
        row.addWidget(self._button(self.profile_action, "Draw a line"))
        remove = QPushButton("Remove")
        remove.clicked.connect(self.remove_profile)
        row.addWidget(remove)
        row.addStretch(1)
        pv.addLayout(row)
        pv.addWidget(self.profile.widget, 1)
        v.addWidget(box, 1)

        box = QGroupBox("Pinned pixels")
        pg_ = QVBoxLayout(box)
        row = QHBoxLayout()
        for act, text in ((self.pin_action, "Pin (P)"), (self.unpin_action, "Unpin last"),
                          (self.clear_pins_action, "Clear")):
            row.addWidget(self._button(act, text))
        pg_.addLayout(row)
        self.pins_label = QLabel("Select a pixel and press P to keep its spectrum")
        self.pins_label.setWordWrap(True)
        pg_.addWidget(self.pins_label)
        v.addWidget(box)

        box = QGroupBox("Compare results groups")
        cv = QGridLayout(box)
        cv.addWidget(QLabel("Shown minus:"), 0, 0)
        self.group_combo = QComboBox()
        self.group_combo.setToolTip("Another results group of this dataset")
        cv.addWidget(self.group_combo, 0, 1)
        cv.addWidget(self._button(self.diff_action, "Difference map"), 1, 0, 1, 2)
        v.addWidget(box)
        return panel

    def _connect(self) -> None:
        w = self.w
        self.region.sigChanged.connect(self._on_region_changed)
        self.profile.sigChanged.connect(self._on_profile_changed)
        self.pins.sigChanged.connect(self._on_pins_changed)
        w.layers.sigLayerChanged.connect(self._on_layers_layer_changed)
        w.sigResultsShown.connect(self._on_results_shown)
        w.sigDatasetOpened.connect(self._on_dataset_opened)
        w.live_maps.sigMapsUpdated.connect(self._on_map_values_changed)
        w.sigNavigatorReady.connect(lambda _kind: self._on_map_values_changed())
        # after the pixel's own slots have run (they show the pixel): the mean stays shown,
        # tested again
        w.params_panel.sigParamsChanged.connect(
            lambda _p: QTimer.singleShot(0, self._retest_region_mean))
        w.spectrum_view.sigStepChanged.connect(
            lambda step: QTimer.singleShot(0, lambda: self._retest_region_mean(step)))
        w.map_view.sigPixelClicked.connect(self._on_map_pixel_clicked)
        w.spectrum_view.sigModeChanged.connect(
            lambda mode: self.pins.set_phase(mode == PHASE_MODE, w.map_view.grid()))

    def busy(self) -> bool:
        return (self._mean_reader.busy() or self._group_lister.busy()
                or self._diff_reader.busy())

    def abort(self) -> None:
        for r in (self._mean_reader, self._group_lister, self._diff_reader):
            r.abort()

    # ---- regions --------------------------------------------------------------------------------
    def add_region(self, shape: str) -> bool:
        grid = self.w.map_view.grid()
        if grid is None:
            return False
        self.region.create(shape, grid)
        self._show_dock()
        self._on_region_changed()
        return True

    def _show_dock(self) -> None:
        """Bring the dock with the statistics and the profile forward (it may be a tab)."""
        dock = getattr(self.w, "tools_dock", None)
        if dock is not None:
            dock.show()
            dock.raise_()

    def remove_region(self) -> None:
        self._mean_reader.abort()
        self.showing_region = False
        self.region.remove()
        self.region_mean = None
        self.stats = {}
        self._show_stats()
        self.region_label.setText("Draw a region on the map")

    def region_mask(self) -> np.ndarray | None:
        grid = self.w.map_view.grid()
        return None if grid is None or self.region.roi is None else self.region.mask(grid)

    def _update_stats(self) -> None:
        mask = self.region_mask()
        if mask is None:
            return
        self.stats = map_statistics(self.w.map_view.image(), mask)
        self._show_stats()

    def _show_stats(self) -> None:
        units = self.w.map_view.units()
        integer = self._integer_layer()
        for i, name in enumerate(STAT_NAMES):
            v = self.stats.get(name)
            if v is None:
                text = ""
            elif name == "count" or (integer and name not in ("mean", "std")):
                text = "—" if not np.isfinite(v) else f"{int(round(v)):d}"
            else:
                text = si(v, units)
            self.stats_table.setItem(i, 0, QTableWidgetItem(text))

    def _integer_layer(self) -> bool:
        key = self.w.layers.current()
        return bool(key in self.w.layers.keys() and self.w.layers.layer(key).integer)

    def _on_region_changed(self) -> None:
        self._update_stats()
        self.start_region_mean()

    def start_region_mean(self) -> bool:
        """Read the region's spectra in a worker; their mean, tested, goes to the spectrum."""
        w, mask = self.w, self.region_mask()
        if w.source is None or mask is None:
            return False
        grid_pos = w.source.layout.grid_positions
        positions = grid_pos[mask]
        positions = positions[positions >= 0]
        n = len(positions)
        if n == 0:
            self.region_label.setText("The region holds no scan point")
            return False
        self.region_label.setText(f"{self.region.shape.capitalize()}: {n} positions; "
                                  "reading their spectra…")
        self._mean_reader.start(read_region_mean, w.source, positions, w.inspector.step,
                                w.inspector.run, on_yield=self._on_region_mean_read,
                                on_error=self._on_region_mean_failed)
        return True

    def _on_region_mean_read(self, mean: RegionMean | None) -> None:
        if mean is None:
            return
        self.region_mean = mean
        self.region_label.setText(f"{self.region.shape.capitalize()}: mean of {mean.count} "
                                  "positions, shown in the spectrum view")
        self.show_region_mean()

    def _on_region_mean_failed(self, exc: BaseException) -> None:
        self.region_label.setText(f"Reading the region failed: {html.escape(error_text(exc))}")

    def show_region_mean(self) -> None:
        m = self.region_mean
        if m is None:
            return
        title = (f"<b>Region mean</b> · {self.region.shape or 'region'} of {m.count} "
                 f"positions{self.w.step_suffix(m.step)}")
        self.w.spectrum_view.show_pixel(m.spectrum, m.detail, title, m.error)
        self.showing_region = True

    def _retest_region_mean(self, step: int | None = None) -> None:
        """New parameters or another step while the mean is shown: test the mean again (it
        is in memory, every step of it) and keep it in the spectrum view."""
        m = self.region_mean
        if not self.showing_region or m is None:
            return
        m.step = self.w.inspector.step if step is None else step
        inspect_mean(self.w.inspector.run, m)
        self.show_region_mean()

    def _on_map_pixel_clicked(self, _row: int, _col: int) -> None:
        self.showing_region = False  # the clicked pixel takes the spectrum view

    def _on_mean_button_clicked(self) -> None:
        if self.region_mean is not None and self.region_mean.step == self.w.inspector.step:
            self.show_region_mean()
        else:
            self.start_region_mean()

    # ---- profile --------------------------------------------------------------------------------
    def add_profile(self) -> bool:
        grid = self.w.map_view.grid()
        if grid is None:
            return False
        self.profile.create(grid)
        self._show_dock()
        self._on_profile_changed()
        return True

    def remove_profile(self) -> None:
        self.profile.remove()

    def _on_profile_changed(self) -> None:
        mv = self.w.map_view
        self.profile.update(mv.image(), mv.grid(), mv.title_text().split(" · ")[0], mv.units())

    # ---- pins -----------------------------------------------------------------------------------
    def pin_selected(self) -> bool:
        w = self.w
        rep = w.inspector.report
        axis = w.spectrum_view.axis()
        if rep is None or rep.spectrum is None or axis is None:
            w.statusBar().showMessage("Select a pixel first, then pin it", 5000)
            return False
        self.pins.set_phase(w.spectrum_view.mode() == PHASE_MODE)
        self.pins.pin(rep.row, rep.col, rep.position, rep.step, axis.values, rep.spectrum,
                      w.map_view.grid())
        return True

    def unpin_last(self) -> None:
        self.pins.unpin(grid=self.w.map_view.grid())

    def clear_pins(self) -> None:
        self.pins.clear()

    def _on_pins_changed(self) -> None:
        if not self.pins.pins:
            self.pins_label.setText("Select a pixel and press P to keep its spectrum")
            return
        self.pins_label.setText(" ".join(
            f"<span style='color:{p.colour}'>◆</span> ({p.row}, {p.col})"
            for p in self.pins.pins))

    # ---- comparison -----------------------------------------------------------------------------
    def refresh_groups(self) -> None:
        w = self.w
        if w.source is None:
            return
        self._group_lister.start(list_groups, w.source.file, w.source.dataset,
                                 on_yield=self._on_groups_listed)

    def _on_groups_listed(self, refs: list) -> None:
        current = self.group_combo.currentData()
        self.groups = refs
        self.group_combo.clear()
        for ref in refs:
            self.group_combo.addItem(group_label(ref), ref)
        i = self.group_combo.findData(current) if current is not None else -1
        if i < 0 and len(refs) > 1:
            shown = self.w.results.ref if self.w.results is not None else None
            i = next((k for k, r in enumerate(refs) if r != shown), 0)
        self.group_combo.setCurrentIndex(max(i, 0))

    def show_difference(self) -> bool:
        """The shown result field minus the same field of the chosen group, in a worker."""
        w = self.w
        res, other = w.results, self.group_combo.currentData()
        key = field_of(w.layers.current())
        if res is None or key is None or key not in w.layers.keys():
            w.statusBar().showMessage("Show a field of a results group first", 5000)
            return False
        if other is None or other == res.ref:
            w.statusBar().showMessage("Choose another results group to compare with", 5000)
            return False
        self._diff_reader.start(read_field, other, key, res.step, res.layout,
                                on_yield=lambda img: self._on_other_read(key, other, img),
                                on_error=lambda exc: w.statusBar().showMessage(
                                    f"Cannot compare: {error_text(exc)}", 10000))
        return True

    def _on_other_read(self, key: str, other, image: np.ndarray) -> None:
        w = self.w
        res = w.results
        current = w.layers.image(key)
        if res is None or current is None:
            return
        try:
            diff = difference(current, image)
        except ValueError as exc:
            w.statusBar().showMessage(f"Cannot compare: {exc}", 10000)
            return
        layer = w.layers.layer(key)
        diff_key = Difference(key)
        specs = [(k, w.layers.layer(k).label, w.layers.layer(k).integer)
                 for k in w.layers.result_keys() if not isinstance(k, Difference)]
        w.layers.set_result_layers(specs + [(diff_key, f"Difference: {layer.label}", False)])
        other_name = group_label(other).split("-")[-1]
        w.layers.set_layer(diff_key, diff, f"Δ {layer.label} · {res.short_name} − {other_name}"
                           f"{w.step_suffix(res.step)}", layer.units)
        w.layers.layer(diff_key).levels = symmetric_levels(diff)
        if w.layers.current() == diff_key:
            self._on_layers_layer_changed(diff_key)
        w.layers.show(diff_key)

    def _on_layers_layer_changed(self, key: str) -> None:
        mv, w = self.w.map_view, self.w
        if isinstance(key, Difference):
            if not self._diverging_shown:
                self._auto_before_diff = mv.auto_levels_check().isChecked()
            mv.auto_levels_check().setChecked(False)
            levels = w.layers.layer(key).levels
            w.layers.layer(key).levels = levels
            mv.set_image(w.layers.image(key), w.layers.title(key), w.layers.units(key), levels)
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
        self._update_stats()
        self._on_profile_changed()

    # ---- window events --------------------------------------------------------------------------
    def _on_results_shown(self, _maps) -> None:
        self._update_stats()
        self._on_profile_changed()
        self.refresh_groups()

    def _on_map_values_changed(self) -> None:
        self._update_stats()
        self._on_profile_changed()

    def _on_dataset_opened(self, _dataset: str) -> None:
        """Another grid: regions, profile and pins belonged to the old one."""
        self.remove_region()
        self.remove_profile()
        self.pins.clear()
        self.refresh_groups()

