"""Peak amplitude and peak frequency of the selected pixel against a remaining spectroscopic
dimension: the hysteresis loop of a BEPS measurement against its DC offset.

Two curves per plot: the live test (the core's ``find_peaks_block`` on the pixel's (N, S)
spectra, one row already read by the inspector, so a parameter edit costs one small block) and,
when a results group is shown, the pixel's row of that group. The other remaining dims stay at
their slider values. Shown only for data with more than one step.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..core.analyses.peak_finding.peaks import PeakParams, find_peaks_block
from ..core.io.h5access import open_read
from ..core.io.layout import SpectralLayout
from ..core.io.results import COMPLETED, ResultsRef
from ..core.run.peak_process import FREQUENCY, RESPONSE
from .formatting import NO_PREFIX_UNITS, si
from .step_selector import indices_of, step_of

_TEST_PEN = pg.mkPen("#1f6fd1", width=1.5)
_TEST_BRUSH = pg.mkBrush("#1f6fd1")
_RESULT_PEN = pg.mkPen("#e0302b", width=1.5, style=Qt.DashLine)
_MARK_PEN = pg.mkPen("#555555", width=1, style=Qt.DotLine)


def pixel_loop(spectra: np.ndarray, params: PeakParams,
               axis_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Peak amplitude and peak position at every step of one pixel's (N, S) spectra, exactly
    as a run computes them (float32, like the results datasets)."""
    blk = find_peaks_block(spectra, params)
    return (blk.amplitude.astype(np.float32),
            np.asarray(axis_values)[blk.index].astype(np.float32))


def results_row(ref: ResultsRef, position: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The pixel's (N,) amplitude and frequency from a results group (None if not computed)."""
    with open_read(ref.file) as f:
        grp = f[ref.group]
        if COMPLETED in grp and not grp[COMPLETED][position]:
            return None
        amp = np.asarray(grp[RESPONSE][position]).ravel()
        freq = np.asarray(grp[FREQUENCY][position]).ravel()
    return amp, freq


def loop_steps(others: list, x_dim: int, step: int) -> np.ndarray:
    """The step numbers along dimension ``x_dim`` of ``others`` (slowest first), the other dims
    fixed where ``step`` has them."""
    idx = indices_of(others, step)
    out = []
    for j in range(others[x_dim].size):
        idx[x_dim] = j
        out.append(step_of(others, idx))
    return np.asarray(out, dtype=np.int64)


class LoopPlot(QWidget):
    """Two stacked plots sharing the x axis: peak amplitude (top), peak frequency (bottom)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._layout: SpectralLayout | None = None
        self._units = ""
        self._step = 0
        self._test: tuple[np.ndarray, np.ndarray] | None = None  # (N,) each
        self._result: tuple[np.ndarray, np.ndarray] | None = None
        self._result_name = ""
        self._key: tuple | None = None  # (position, params) of the cached test

        self._x_label = QLabel("Against:")
        self._x_combo = QComboBox()
        self._x_combo.setToolTip("Remaining spectroscopic dimension on the x axis; the others "
                                 "stay at their slider values")
        self._note = QLabel("")
        self._note.setWordWrap(True)
        self._key_label = QLabel("<span style='color:#1f6fd1'>●— test (current parameters)"
                                 "</span> &nbsp; <span style='color:#e0302b'>- - results</span>")
        self._key_label.setToolTip("Blue: the peak finder on this pixel now, with the "
                                   "parameters as typed. Red: the shown results group's values")
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self._x_label)
        bar.addWidget(self._x_combo)
        bar.addWidget(self._note, 1)

        self._glw = pg.GraphicsLayoutWidget()
        self._amp_plot = self._glw.addPlot(row=0, col=0)
        self._freq_plot = self._glw.addPlot(row=1, col=0)
        self._freq_plot.setXLink(self._amp_plot)
        self._curves = {}
        for key, plot in (("amp", self._amp_plot), ("freq", self._freq_plot)):
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.getAxis("left").setWidth(72)
            test = plot.plot(pen=_TEST_PEN, symbol="o", symbolSize=4, symbolPen=None,
                             symbolBrush=_TEST_BRUSH)
            result = plot.plot(pen=_RESULT_PEN)
            mark = pg.InfiniteLine(angle=90, movable=False, pen=_MARK_PEN)
            plot.addItem(mark)
            self._curves[key] = (test, result, mark)
        self._amp_plot.getAxis("bottom").setStyle(showValues=False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self._key_label)
        layout.addWidget(self._glw, 1)
        self._x_combo.currentIndexChanged.connect(self._on_x_changed)

    # ---- getters -------------------------------------------------------------------------------
    def amplitude_plot(self) -> pg.PlotItem:
        return self._amp_plot

    def frequency_plot(self) -> pg.PlotItem:
        return self._freq_plot

    def x_combo(self) -> QComboBox:
        return self._x_combo

    def x_dim(self) -> int:
        return max(0, self._x_combo.currentIndex())

    def curves(self, which: str = "test") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(x, amplitude, frequency) drawn for 'test' or 'results' (empty if none)."""
        i = 0 if which == "test" else 1
        x, amp = self._curves["amp"][i].getData()
        _, freq = self._curves["freq"][i].getData()
        empty = np.empty(0)
        return tuple(np.asarray(v) if v is not None else empty for v in (x, amp, freq))

    # ---- content -------------------------------------------------------------------------------
    def set_layout(self, layout: SpectralLayout | None, units: str = "") -> None:
        """A new dataset (or axis): the x-axis choices are its remaining dims."""
        self._layout, self._units = layout, units
        self._test, self._result, self._key = None, None, None
        self._step = 0
        others = layout.others if layout is not None else []
        self._x_combo.blockSignals(True)
        self._x_combo.clear()
        for d in others:
            self._x_combo.addItem(d.name)
        if others:  # the longest dim first: the DC offset of a BEPS loop, not its two fields
            self._x_combo.setCurrentIndex(int(np.argmax([d.size for d in others])))
        self._x_combo.blockSignals(False)
        self._x_combo.setVisible(len(others) > 1)
        self._x_label.setVisible(len(others) > 1)
        if layout is not None:
            self._amp_plot.setLabel("left", "Amplitude", units=units)
            self._amp_plot.getAxis("left").enableAutoSIPrefix(
                units.strip().lower() not in NO_PREFIX_UNITS)
            sp = layout.spectral
            self._freq_plot.setLabel("left", sp.name, units=sp.units)
            self._freq_plot.getAxis("left").enableAutoSIPrefix(
                sp.units.strip().lower() not in NO_PREFIX_UNITS)
        self._set_x_label()
        self._draw()

    def set_pixel(self, position: int, spectra: np.ndarray | None,
                  params: PeakParams | None) -> None:
        """The selected pixel's (N, S) spectra: compute the live test at every step (cached)."""
        lay = self._layout
        if lay is None or spectra is None or params is None or lay.n_steps <= 1:
            self._test, self._key = None, None
            self._draw()
            return
        key = (position, id(spectra), params)
        if key != self._key:
            try:
                self._test = pixel_loop(spectra, params, lay.spectral.values)
            except (ValueError, FloatingPointError):
                self._test = None
            self._key = key
        self._draw()

    def set_results(self, row: tuple[np.ndarray, np.ndarray] | None, name: str = "") -> None:
        """The pixel's row of a results group (None: not shown or not computed)."""
        self._result, self._result_name = row, name
        self._draw()

    def set_step(self, step: int) -> None:
        self._step = step
        self._draw()

    # ---- drawing -------------------------------------------------------------------------------
    def _set_x_label(self) -> None:
        others = self._layout.others if self._layout is not None else []
        if not others:
            return
        d = others[self.x_dim()]
        self._freq_plot.setLabel("bottom", d.name, units=d.units)
        self._freq_plot.getAxis("bottom").enableAutoSIPrefix(
            d.units.strip().lower() not in NO_PREFIX_UNITS)

    def _draw(self) -> None:
        lay = self._layout
        others = lay.others if lay is not None else []
        test_amp, res_amp, mark_amp = self._curves["amp"]
        test_freq, res_freq, mark_freq = self._curves["freq"]
        if not others:
            for c in (test_amp, res_amp, test_freq, res_freq):
                c.setData([], [])
            return
        k = self.x_dim()
        steps = loop_steps(others, k, self._step)
        x = np.asarray(others[k].values, dtype=np.float64)
        for data, amp_curve, freq_curve in ((self._test, test_amp, test_freq),
                                            (self._result, res_amp, res_freq)):
            if data is None or len(data[0]) != lay.n_steps:
                amp_curve.setData([], [])
                freq_curve.setData([], [])
            else:
                amp_curve.setData(x, data[0][steps].astype(np.float64))
                freq_curve.setData(x, data[1][steps].astype(np.float64))
        here = x[indices_of(others, self._step)[k]]
        mark_amp.setValue(here)
        mark_freq.setValue(here)
        fixed = [f"{d.name} = {si(d.values[i], d.units)}"
                 for j, (d, i) in enumerate(zip(others, indices_of(others, self._step)))
                 if j != k]
        parts = []
        if fixed:
            parts.append(", ".join(fixed))
        parts.append(f"results: {self._result_name}" if self._result is not None
                     else "no results shown")
        self._note.setText(" · ".join(parts))

    def _on_x_changed(self, _index: int) -> None:
        self._set_x_label()
        self._draw()
