"""An analysis' results at the selected pixel against a remaining spectroscopic dimension: the
hysteresis loop of a BEPS measurement against its DC offset.

One plot per drawn result field (the analysis view chooses them; by default its first two value
fields), with two curves each: the live test (the engine's ``compute`` on the pixel's (N, S)
spectra, already read for the inspector, so a parameter edit costs one small block) and, when a
results group is shown, the pixel's row of that group. The other remaining dims stay at their
slider values. Shown only for data with more than one step.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import Qt
from PyQt5.QtGui import QFont
from PyQt5.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...core.analyses.declaration import ResultField
from ...core.io.layout import SpectralLayout
from ...core.labels import plain_label
from ..formatting import shown_units, si
from ..widgets.axes import set_axis_units
from ..widgets.readout import ReadoutLabel
from ..widgets.step_selector import indices_of, step_of

_TEST_PEN = pg.mkPen("#1f6fd1", width=1.5)
_TEST_BRUSH = pg.mkBrush("#1f6fd1")
_RESULT_PEN = pg.mkPen("#e0302b", width=1.5, style=Qt.DashLine)
_MARK_PEN = pg.mkPen("#555555", width=1, style=Qt.DotLine)

Values = dict[str, np.ndarray]  # field name -> (N,) values at one position


def loop_steps(others: list, x_dim: int, step: int) -> np.ndarray:
    """The step numbers along dimension ``x_dim`` of ``others`` (slowest first), the other dims
    fixed where ``step`` has them."""
    idx = indices_of(others, step)
    out = []
    for j in range(others[x_dim].size):
        idx[x_dim] = j
        out.append(step_of(others, idx))
    return np.asarray(out, dtype=np.int64)


AXIS_WIDTH = 84  # px: the rotated label beside tick labels of up to six characters
LABEL_SIZE = "8pt"
MIN_SPAN = 1e-3  # of the values' magnitude: the narrowest y range a panel shows


def _tick_font() -> QFont:
    """Small tick labels: three panels share a dock's height, ticks must not collide."""
    font = QFont()
    font.setPointSizeF(8)
    return font


def _set_axis_label(axis: pg.AxisItem, name: str, units: str) -> None:
    set_axis_units(axis, name, units)


def min_span(*curves: np.ndarray) -> float:
    """The narrowest y range that shows these values honestly: a spread of a few ppm (0.4 Hz
    on 327 kHz) drawn across the whole panel would look like a loop, and leaves pyqtgraph no
    room for tick labels. 0 when there are no finite values or all are zero."""
    finite = [np.abs(c[np.isfinite(c)]) for c in curves if c is not None and len(c)]
    finite = [f for f in finite if f.size]
    return float(MIN_SPAN * max(f.max() for f in finite)) if finite else 0.0


class LoopPlot(QWidget):
    """Stacked plots sharing the x axis, one per result field."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._layout: SpectralLayout | None = None
        self._fields: list[ResultField] = []
        self._step = 0
        self._test: Values | None = None
        self._result: Values | None = None
        self._result_name = ""
        self._plots: dict[str, pg.PlotItem] = {}
        self._x_shown: tuple[float, float] | None = None  # the x range last fitted to
        self._curves: dict[str, tuple[pg.PlotDataItem, pg.PlotDataItem, pg.InfiniteLine]] = {}

        self._x_label = QLabel("x:")  # short: the plots keep a narrow dock's row
        self._x_combo = QComboBox()
        self._x_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self._x_combo.setMinimumContentsLength(6)  # the list shows the names whole
        self._x_combo.setToolTip("Remaining spectroscopic dimension on the x axis; the others "
                                 "stay at their slider values")
        self._note = ReadoutLabel(1, "The other dimensions' steps and the results group shown")
        self._key_label = QLabel("<span style='color:#1f6fd1'>●— test</span> &nbsp; "
                                 "<span style='color:#e0302b'>- - results</span>")
        self._key_label.setToolTip("Blue: the analysis on this pixel now, with the parameters "
                                   "as typed (current parameters). Red: the shown results "
                                   "group's values")
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self._x_label)
        bar.addWidget(self._x_combo)
        bar.addWidget(self._note, 1, Qt.AlignVCenter)  # elided: one row, the plots' height
        bar.addWidget(self._key_label)
        self._key_label.setWordWrap(True)  # a narrow dock wraps it rather than widening
        self._glw = pg.GraphicsLayoutWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self._glw, 1)
        self._x_combo.currentIndexChanged.connect(self._on_x_combo_changed)

    # ---- getters --------------------------------------------------------------------------------
    def plot(self, field: str) -> pg.PlotItem:
        return self._plots[field]

    def field_names(self) -> list[str]:
        return list(self._plots)

    def x_combo(self) -> QComboBox:
        return self._x_combo

    def graphics_layout(self) -> pg.GraphicsLayout:
        """The stacked plots (figure export renders them from here)."""
        return self._glw.ci

    def x_label(self) -> str:
        """The x axis' name and units, e.g. ``DC_Offset (V)``."""
        others = self._layout.others if self._layout is not None else []
        if not others:
            return "x"
        d = others[self.x_dim()]
        name, units = plain_label(d.name), plain_label(d.units)
        return f"{name} ({units})" if units else name

    def note(self) -> str:
        return self._note.text()

    def x_dim(self) -> int:
        return max(0, self._x_combo.currentIndex())

    def curves(self, which: str = "test") -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """(x, {field: y}) drawn for 'test' or 'results' (empty arrays if none)."""
        i = 0 if which == "test" else 1
        x = np.empty(0)
        ys = {}
        for name, curves in self._curves.items():
            cx, cy = curves[i].getData()
            if cx is not None:
                x = np.asarray(cx)
            ys[name] = np.asarray(cy) if cy is not None else np.empty(0)
        return x, ys

    # ---- content --------------------------------------------------------------------------------
    def set_fields(self, fields: list[ResultField]) -> None:
        """The result fields to draw (one plot each), from the analysis view."""
        self._fields = list(fields)
        self._x_shown = None
        self._glw.clear()
        self._plots, self._curves = {}, {}
        first = None
        for row, fld in enumerate(self._fields):
            plot = self._glw.addPlot(row=row, col=0)
            plot.showGrid(x=True, y=True, alpha=0.2)
            left = plot.getAxis("left")
            left.setWidth(AXIS_WIDTH)  # the stacked plots' x axes line up
            left.labelStyle = {"font-size": LABEL_SIZE}  # a short panel: label within it
            for axis in (left, plot.getAxis("bottom")):
                axis.setStyle(tickFont=_tick_font())
            _set_axis_label(left, fld.quantity, fld.units)
            test = plot.plot(pen=_TEST_PEN, symbol="o", symbolSize=4, symbolPen=None,
                             symbolBrush=_TEST_BRUSH)
            result = plot.plot(pen=_RESULT_PEN)
            mark = pg.InfiniteLine(angle=90, movable=False, pen=_MARK_PEN)
            plot.addItem(mark)
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            self._plots[fld.name] = plot
            self._curves[fld.name] = (test, result, mark)
        for plot in list(self._plots.values())[:-1]:
            plot.getAxis("bottom").setStyle(showValues=False)
        self._set_x_label()
        self._draw()

    def set_layout(self, layout: SpectralLayout | None) -> None:
        """A new dataset (or axis): the x-axis choices are its remaining dims."""
        self._layout = layout
        self._x_shown = None
        self._test, self._result = None, None
        self._step = 0
        others = layout.others if layout is not None else []
        self._x_combo.blockSignals(True)
        self._x_combo.clear()
        for d in others:
            self._x_combo.addItem(plain_label(d.name))
        if others:  # the longest dim first: the DC offset of a BEPS loop, not its two fields
            self._x_combo.setCurrentIndex(int(np.argmax([d.size for d in others])))
        self._x_combo.blockSignals(False)
        self._x_combo.setVisible(len(others) > 1)
        self._x_label.setVisible(len(others) > 1)
        self._set_x_label()
        self._draw()

    def set_test(self, values: Values | None) -> None:
        """The live test at every step of the selected pixel (None: none)."""
        self._test = values
        self._draw()

    def set_results(self, row: Values | None, name: str = "") -> None:
        """The pixel's row of a results group (None: not shown or not computed)."""
        self._result, self._result_name = row, name
        self._draw()

    def set_step(self, step: int) -> None:
        self._step = step
        self._draw()

    # ---- drawing --------------------------------------------------------------------------------
    def _set_x_label(self) -> None:
        others = self._layout.others if self._layout is not None else []
        if not others or not self._plots:
            return
        d = others[self.x_dim()]
        _set_axis_label(list(self._plots.values())[-1].getAxis("bottom"), d.name, d.units)

    def _draw(self) -> None:
        lay = self._layout
        others = lay.others if lay is not None else []
        if lay is None or not others:
            for test, result, _ in self._curves.values():
                test.setData([], [])
                result.setData([], [])
            return
        k = self.x_dim()
        steps = loop_steps(others, k, self._step)
        x = np.asarray(others[k].values, dtype=np.float64)
        here = x[indices_of(others, self._step)[k]]
        units = {f.name: f.units for f in self._fields}
        for name, (test, result, mark) in self._curves.items():
            factor = shown_units(units.get(name, ""))[0]  # angles in the chosen unit
            for data, curve in ((self._test, test), (self._result, result)):
                y = data.get(name) if data is not None else None
                if y is None or len(y) != lay.n_steps:
                    curve.setData([], [])
                else:
                    curve.setData(x, np.asarray(y, dtype=np.float64)[steps] * factor)
            mark.setValue(here)
            self._fit_y(name)
        self._fit_x(x)
        fixed = [f"{plain_label(d.name)} = {si(d.values[i], d.units)}"
                 for j, (d, i) in enumerate(zip(others, indices_of(others, self._step)))
                 if j != k]
        parts = [", ".join(fixed)] if fixed else []
        parts.append(f"results: {self._result_name}" if self._result is not None
                     else "no results shown")
        self._note.setText(" · ".join(parts))

    def _fit_x(self, x: np.ndarray) -> None:
        """The whole x axis (all of -10..+10 V), once for each new x axis: linked plots do not
        auto-range in x, and later clicks keep what the user zoomed to."""
        finite = x[np.isfinite(x)]
        if not finite.size or not self._plots:
            return
        shown = (float(finite.min()), float(finite.max()))
        if shown != self._x_shown:
            self._x_shown = shown
            next(iter(self._plots.values())).setXRange(*shown, padding=0.03)

    def _fit_y(self, name: str) -> None:
        """Auto-range in y, but never narrower than :func:`min_span` of the values."""
        test, result, _ = self._curves[name]
        span = min_span(*(np.asarray(c.getData()[1]) for c in (test, result)
                          if c.getData()[1] is not None))
        vb = self._plots[name].getViewBox()
        vb.setLimits(minYRange=span if span > 0 else None)
        vb.enableAutoRange(axis="y")

    def _on_x_combo_changed(self, _index: int) -> None:
        self._set_x_label()
        self._draw()
