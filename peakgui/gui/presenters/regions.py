"""A region on the map: the shown map's statistics inside it and its positions' mean spectrum.

The mean is read in a worker (the region's spectra, block by block) and tested like a pixel; it
then holds the spectrum view until a pixel is clicked. A new pixel test (new parameters, another
step) is shown first, and the mean, still in memory at every step, is tested again over it.
"""

from __future__ import annotations

import html

import numpy as np
from PyQt5.QtCore import QObject, pyqtSignal
from PyQt5.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ..formatting import error_text, si, step_suffix
from ..session import Session
from ..widgets.map_view import MapView
from ..widgets.parts import action, action_button
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
from ..widgets.spectrum_view import SpectrumView
from ..workers import LatestOnly
from .inspector import PixelInspector
from .map_layers import MapLayers

STAT_LABELS = {"count": "Count", "mean": "Mean", "std": "Std. dev.", "min": "Min",
               "p5": "5th percentile", "p25": "25th percentile", "median": "Median",
               "p75": "75th percentile", "p95": "95th percentile", "max": "Max"}
_PROMPT = "Draw a region on the map"


class RegionsPresenter(QObject):
    """The region's actions (Tools menu), its box in the dock, and what follows a change."""

    sigShowWanted = pyqtSignal()
    """A region was drawn: the dock with its statistics should come forward."""

    def __init__(self, session: Session, map_view: MapView, spectrum_view: SpectrumView,
                 layers: MapLayers, inspector: PixelInspector, parent: QWidget):
        super().__init__(parent)
        self.session = session  # the source, the step and the configured analysis
        self.map_view, self.spectrum_view, self.layers = map_view, spectrum_view, layers
        self.region = RegionTool(map_view.plot_item(), self)
        self.region_mean: RegionMean | None = None
        self.stats: dict[str, float] = {}
        self.showing_region = False  # the spectrum view shows the region's mean, not a pixel
        self._mean_reader = LatestOnly(self)
        self.actions = [action(parent, text, lambda _=False, s=shape: self.add(s), tip, name, key)
                        for text, shape, key, tip, name in (
            ("&Rectangle region", RECTANGLE, "Shift+R",
             "Draw a rectangle on the map: its statistics and mean spectrum", "region_rectangle"),
            ("&Ellipse region", ELLIPSE, "Shift+E",
             "Draw an ellipse on the map: its statistics and mean spectrum", "region_ellipse"),
            ("Pol&ygon region", POLYGON, "Shift+G", "Draw a polygon on the map (drag its "
             "corners; click an edge for a new corner)", "region_polygon"))]
        self.actions.append(action(parent, "Remove region", self.remove,
                                   "Remove the region from the map", "region_remove"))
        self.rect_action, self.ellipse_action, self.polygon_action, self.remove_action = \
            self.actions
        self.box = self._build_box()
        self.region.sigChanged.connect(self._on_region_changed)
        inspector.sigInspected.connect(self._on_pixel_inspected)
        map_view.sigPixelClicked.connect(self._on_map_pixel_clicked)

    def _build_box(self) -> QGroupBox:
        box = QGroupBox("Region")
        box.setToolTip("Statistics of the shown map inside the region, and the mean spectrum "
                       "of its positions")
        g = QGridLayout(box)
        for i, (act, text) in enumerate(zip(self.actions, ("Rectangle", "Ellipse", "Polygon",
                                                           "Remove"))):
            g.addWidget(action_button(act, text), i // 2, i % 2)  # 2 x 2: a narrow dock
        self.label = QLabel(_PROMPT)
        self.label.setWordWrap(True)
        g.addWidget(self.label, 2, 0, 1, 2)
        self.stats_table = QTableWidget(len(STAT_NAMES), 1)
        self.stats_table.setHorizontalHeaderLabels(["Inside the region"])
        self.stats_table.setVerticalHeaderLabels([STAT_LABELS[n] for n in STAT_NAMES])
        self.stats_table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.stats_table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.stats_table.setMinimumHeight(120)
        g.addWidget(self.stats_table, 3, 0, 1, 2)
        self.mean_button = QPushButton("Show its mean spectrum")
        self.mean_button.setToolTip("The mean of the region's spectra, with the analysis' "
                                    "pixel test, in the spectrum view")
        self.mean_button.clicked.connect(self._on_mean_button_clicked)
        g.addWidget(self.mean_button, 4, 0, 1, 2)
        return box

    def busy(self) -> bool:
        return self._mean_reader.busy()

    def abort(self) -> None:
        self._mean_reader.abort()

    # ---- the region -----------------------------------------------------------------------------
    def add(self, shape: str) -> bool:
        grid = self.map_view.grid()
        if grid is None:
            return False
        self.region.create(shape, grid)
        self.sigShowWanted.emit()
        self._on_region_changed()
        return True

    def remove(self) -> None:
        self._mean_reader.abort()
        self.showing_region = False
        self.region.remove()
        self.region_mean = None
        self.stats = {}
        self._show_stats()
        self.label.setText(_PROMPT)

    def mask(self) -> np.ndarray | None:
        grid = self.map_view.grid()
        return None if grid is None or self.region.roi is None else self.region.mask(grid)

    def update_stats(self) -> None:
        """The shown map changed (another layer, new values): its statistics again."""
        mask = self.mask()
        if mask is None:
            return
        self.stats = map_statistics(self.map_view.image(), mask)
        self._show_stats()

    def _show_stats(self) -> None:
        units = self.map_view.units()
        key = self.layers.current()
        integer = key in self.layers.keys() and self.layers.layer(key).integer
        for i, name in enumerate(STAT_NAMES):
            v = self.stats.get(name)
            if v is None:
                text = ""
            elif name == "count" or (integer and name not in ("mean", "std")):
                text = "—" if not np.isfinite(v) else f"{int(round(v)):d}"
            else:
                text = si(v, units)
            self.stats_table.setItem(i, 0, QTableWidgetItem(text))

    # ---- its mean spectrum ----------------------------------------------------------------------
    def start_mean(self) -> bool:
        """Read the region's spectra in a worker; their mean, tested, goes to the spectrum."""
        source, mask = self.session.source, self.mask()
        if source is None or mask is None:
            return False
        positions = source.layout.grid_positions[mask]
        positions = positions[positions >= 0]
        if len(positions) == 0:
            self.label.setText("The region holds no scan point")
            return False
        self.label.setText(f"{self.region.shape.capitalize()}: {len(positions)} positions; "
                           "reading their spectra…")
        self._mean_reader.start(read_region_mean, source, positions, self.session.step,
                                self.session.configured.run, on_yield=self._on_mean_read,
                                on_error=self._on_mean_failed)
        return True

    def show_mean(self) -> None:
        m, source = self.region_mean, self.session.source
        if m is None:
            return
        title = (f"<b>Region mean</b> · {self.region.shape or 'region'} of {m.count} "
                 f"positions{step_suffix(source.layout if source else None, m.step)}")
        self.spectrum_view.show_pixel(m.spectrum, m.detail, title, m.error, statistic="mean")
        self.showing_region = True

    def _on_mean_read(self, mean: RegionMean | None) -> None:
        if mean is None:
            return
        self.region_mean = mean
        self.label.setText(f"{self.region.shape.capitalize()}: mean of {mean.count} "
                           "positions, shown in the spectrum view")
        self.show_mean()

    def _on_mean_failed(self, exc: BaseException) -> None:
        self.label.setText(f"Reading the region failed: {html.escape(error_text(exc))}")

    def _on_pixel_inspected(self, _report: object) -> None:
        """The pixel was tested again and shown (new parameters, another step): while the
        mean holds the spectrum view, it is tested the same way and shown over the pixel."""
        m = self.region_mean
        if not self.showing_region or m is None:
            return
        m.step = self.session.step
        inspect_mean(self.session.configured.run, m)
        self.show_mean()

    def _on_region_changed(self) -> None:
        self.update_stats()
        self.start_mean()

    def _on_map_pixel_clicked(self, _row: int, _col: int) -> None:
        self.showing_region = False  # the clicked pixel takes the spectrum view

    def _on_mean_button_clicked(self) -> None:
        if self.region_mean is not None and self.region_mean.step == self.session.step:
            self.show_mean()
        else:
            self.start_mean()
