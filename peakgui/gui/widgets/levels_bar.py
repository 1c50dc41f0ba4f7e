"""The row under the map that sets its colour levels: typed min/max, or automatic from
percentiles of the shown map (a choice)."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QWidget

from ..formatting import shown_units, takes_si_prefix
from .parts import Part

PERCENTILES = (((0.0, 100.0), "Full range"), ((0.5, 99.5), "0.5–99.5 %"),
               ((1.0, 99.0), "1–99 %"), ((2.0, 98.0), "2–98 %"), ((5.0, 95.0), "5–95 %"))
DEFAULT_PERCENTILES = (0.5, 99.5)


class LevelsBar(QWidget):
    """Min and max boxes, the Auto levels check and the percentile choice."""

    sigLevelsTyped = pyqtSignal(float, float)
    """The user typed a level (carries low, high)."""
    sigAutoToggled = pyqtSignal(bool)
    """The user ticked or unticked Auto levels."""
    sigPercentilesChanged = pyqtSignal(object)
    """The user chose other percentiles for the automatic levels (carries (low, high) %)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._min = pg.SpinBox(value=0.0, dec=True, minStep=1e-30, decimals=4,
                               compactHeight=False)
        self._max = pg.SpinBox(value=1.0, dec=True, minStep=1e-30, decimals=4,
                               compactHeight=False)
        for box, which in ((self._min, "lowest"), (self._max, "highest")):
            box.setToolTip(f"Level: the value drawn with the colormap's {which} colour "
                           "(type a value; SI prefixes such as 'm' or 'µ' are understood)")
            box.setMinimumWidth(96)
            box.setButtonSymbols(pg.SpinBox.NoButtons)  # room for "175.6 mV"; the wheel steps
            box.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)  # a clipped box keeps the number
            box.sigValueChanged.connect(self._on_box_value_changed)
        self._auto = QCheckBox("Auto levels")
        self._auto.setChecked(True)
        self._auto.setToolTip("Levels from percentiles of the shown map; unticked when you type "
                              "a level or drag the histogram")
        self._perc = QComboBox()
        for pair, label in PERCENTILES:
            self._perc.addItem(label, pair)
        self._perc.setToolTip("Percentiles of the shown map's values that Auto levels spans "
                              "(outliers beyond them saturate)")
        self.set_percentiles(DEFAULT_PERCENTILES)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self._min)
        lay.addWidget(QLabel("to"))
        lay.addWidget(self._max)
        lay.addWidget(self._auto)
        lay.addWidget(self._perc)
        lay.addStretch(1)
        self._layout = lay
        self._auto.toggled.connect(self._on_auto_toggled)
        self._perc.currentIndexChanged.connect(self._on_perc_index_changed)

    def add_widget(self, widget: QWidget) -> None:
        """Another control at the right end of the row (the map's scale-bar switch)."""
        self._layout.addWidget(widget)

    # ---- getters --------------------------------------------------------------------------------
    auto_check = Part[QCheckBox]("_auto")
    min_box = Part[pg.SpinBox]("_min")
    max_box = Part[pg.SpinBox]("_max")
    percentile_combo = Part[QComboBox]("_perc")

    def percentiles(self) -> tuple[float, float]:
        return tuple(self._perc.currentData())

    # ---- setters (no signals) -------------------------------------------------------------------
    def set_percentiles(self, pair: tuple[float, float]) -> None:
        for i in range(self._perc.count()):
            if tuple(self._perc.itemData(i)) == tuple(pair):
                self._perc.blockSignals(True)
                self._perc.setCurrentIndex(i)
                self._perc.blockSignals(False)
                return

    def set_auto(self, auto: bool) -> None:
        self._auto.blockSignals(True)
        self._auto.setChecked(auto)
        self._auto.blockSignals(False)

    def set_units(self, units: str) -> None:
        """The shown map's units (as drawn: angles already in the chosen unit)."""
        _, shown = shown_units(units)
        prefix = takes_si_prefix(shown)
        for box in (self._min, self._max):
            box.setOpts(suffix=shown, siPrefix=prefix)

    def set_levels_enabled(self, enabled: bool) -> None:
        """Greyed for a map of status codes: each code has its colour, levels mean nothing."""
        for w in (self._min, self._max, self._auto, self._perc):
            w.setEnabled(enabled)

    def show_levels(self, low: float, high: float) -> None:
        digits = level_digits(low, high)
        for box, v in ((self._min, low), (self._max, high)):
            box.blockSignals(True)
            box.setOpts(decimals=digits)
            box.setValue(v)
            box.blockSignals(False)

    # ---- slots ----------------------------------------------------------------------------------
    def _on_box_value_changed(self, *_) -> None:
        low, high = float(self._min.value()), float(self._max.value())
        if high > low:
            self.set_auto(False)
            self.sigLevelsTyped.emit(low, high)

    def _on_auto_toggled(self, checked: bool) -> None:
        self.sigAutoToggled.emit(checked)

    def _on_perc_index_changed(self, _index: int) -> None:
        self.sigPercentilesChanged.emit(self.percentiles())


def level_digits(low: float, high: float) -> int:
    """Significant digits that tell two levels apart: an R² map's 0.99981 to 0.99998 must not
    read "1 to 1" (at least 4, at most 8: the box shows them whole)."""
    span, size = abs(high - low), max(abs(low), abs(high))
    if not (math.isfinite(span) and math.isfinite(size)) or span == 0 or size == 0:
        return 4
    return int(min(8, max(4, math.ceil(math.log10(size / span)) + 1)))
