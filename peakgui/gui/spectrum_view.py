"""The selected pixel's spectrum with the peak-finder test drawn on it, as in the tutorial's figure.

The tutorial checks one pixel with a scatter of |x| against frequency and a horizontal line at the
amplitude it picked; this view draws the same, adds every peak ``find_peaks_cwt`` returned, and
highlights the chosen one. The phase can be shown instead of |x|.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..core.analyses.peak_finding.peaks import PixelTest
from ..core.dimension import Dimension
from .formatting import NO_PREFIX_UNITS, si
from .step_selector import StepSelector

AMPLITUDE_MODE = "amplitude"
PHASE_MODE = "phase"

_DATA_BRUSH = pg.mkBrush(70, 130, 220, 200)
_PEAK_COLOUR = "#f39c12"
_CHOSEN_COLOUR = "#e0302b"


class SpectrumView(QWidget):
    """|x| (or phase) of one pixel against the spectroscopic axis, with the pixel test overlaid."""

    sigStepChanged = pyqtSignal(int)
    """The user chose another step along the remaining spectroscopic dimensions."""
    sigSpectralDimChanged = pyqtSignal(str)
    """The user chose another spectroscopic dimension for the spectra to run along."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._axis: Dimension | None = None
        self._quantity, self._units = "", ""
        self._spectrum: np.ndarray | None = None
        self._test: PixelTest | None = None

        self._mode_combo = QComboBox()
        self._mode_combo.addItem("Amplitude |x|", AMPLITUDE_MODE)
        self._mode_combo.addItem("Phase", PHASE_MODE)
        self._mode_combo.setToolTip("Show the magnitude |x| the peak finder works on, or the phase")
        self._dim_label = QLabel("Spectral axis:")
        self._dim_combo = QComboBox()
        self._dim_combo.setToolTip("Spectroscopic dimension each spectrum runs along (the peak "
                                   "finder looks for the peak along it)")
        self._steps = StepSelector()  # one slider per remaining dimension; the maps follow
        self._title = QLabel("No pixel selected")
        self._title.setWordWrap(True)  # long coordinates must not widen the dock
        self._title.setTextInteractionFlags(Qt.TextSelectableByMouse)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self._title, 1)
        top.addWidget(self._mode_combo, 0, Qt.AlignTop)
        bar = QHBoxLayout()  # only shown for data with several spectroscopic dimensions
        bar.setContentsMargins(0, 0, 0, 0)
        for w in (self._dim_label, self._dim_combo):
            bar.addWidget(w)
        bar.addStretch(1)

        self._plot = pg.PlotWidget()
        self._plot.showGrid(x=True, y=True, alpha=0.2)
        self._plot.getViewBox().setDefaultPadding(0.06)  # room for the chosen-peak ring
        self._legend = self._plot.addLegend(offset=(-10, 10), labelTextSize="9pt")
        self._data = pg.ScatterPlotItem(size=6, pen=None, brush=_DATA_BRUSH, name="|x|")
        self._peaks = pg.ScatterPlotItem(size=13, symbol="t1", pen=pg.mkPen("k", width=0.8),
                                         brush=pg.mkBrush(_PEAK_COLOUR), name="peaks found")
        self._chosen = pg.ScatterPlotItem(size=17, symbol="o", pen=pg.mkPen(_CHOSEN_COLOUR, width=2.5),
                                          brush=None, name="chosen peak")
        self._amp_line = pg.InfiniteLine(angle=0, movable=False,
                                         pen=pg.mkPen(_CHOSEN_COLOUR, width=1.5, style=Qt.DashLine))
        self._freq_line = pg.InfiniteLine(angle=90, movable=False,
                                          pen=pg.mkPen(_CHOSEN_COLOUR, width=1, style=Qt.DotLine))
        for item in (self._data, self._peaks, self._chosen, self._amp_line, self._freq_line):
            self._plot.addItem(item)
        self._legend.setBrush(pg.mkBrush(255, 255, 255, 210))
        self._legend.addItem(pg.PlotDataItem(pen=pg.mkPen(_CHOSEN_COLOUR, width=1.5,
                                                          style=Qt.DashLine)), "amplitude")
        self._readout = QLabel(" ")
        self._readout.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self._readout.setToolTip("Result of the peak finder on this pixel with the current "
                                 "parameters")
        self._readout.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addLayout(bar)
        layout.addWidget(self._steps)
        layout.addWidget(self._plot, 1)
        layout.addWidget(self._readout)

        self._mode_combo.currentIndexChanged.connect(self._on_mode_changed)
        self._steps.sigStepChanged.connect(self.sigStepChanged)
        self._dim_combo.currentTextChanged.connect(self._on_dim_changed)
        self.set_steps([])
        self.set_spectral_dims([], "")
        self.clear()

    # ---- getters -------------------------------------------------------------------------------
    def plot_widget(self) -> pg.PlotWidget:
        return self._plot

    def plot_item(self) -> pg.PlotItem:
        return self._plot.getPlotItem()

    def readout(self) -> QLabel:
        return self._readout

    def title(self) -> QLabel:
        return self._title

    def mode(self) -> str:
        return self._mode_combo.currentData()

    def set_mode(self, mode: str) -> None:
        self._mode_combo.setCurrentIndex(self._mode_combo.findData(mode))

    def curve_data(self) -> tuple[np.ndarray, np.ndarray]:
        """The (x, y) points drawn for the spectrum."""
        x, y = self._data.getData()
        return np.asarray(x), np.asarray(y)

    def peak_data(self) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._peaks.getData()
        return np.asarray(x), np.asarray(y)

    def amplitude_line(self) -> float:
        return float(self._amp_line.value())

    # ---- content ------------------------------------------------------------------------------
    def set_axis(self, axis: Dimension, quantity: str, units: str, complex_data: bool) -> None:
        """The spectroscopic axis and the data's quantity/units, once per dataset."""
        self._axis = axis
        self._quantity, self._units = quantity or "Signal", units
        self._mode_combo.model().item(1).setEnabled(complex_data)
        if not complex_data:
            self.set_mode(AMPLITUDE_MODE)
        p = self.plot_item()
        p.setLabel("bottom", axis.name, units=axis.units)
        p.getAxis("bottom").enableAutoSIPrefix(axis.units.strip().lower() not in NO_PREFIX_UNITS)
        self._set_y_label()

    def set_steps(self, dims: list[Dimension], current: int = 0) -> None:
        """The remaining spectroscopic dims (slowest first): a slider each, shown only when
        the data has steps besides the spectral axis."""
        self._steps.set_dims(dims, current)

    def set_spectral_dims(self, names: list[str], current: str) -> None:
        """The spectroscopic dimensions a spectrum can run along (chooser shown if several)."""
        self._dim_combo.blockSignals(True)
        self._dim_combo.clear()
        self._dim_combo.addItems(names)
        self._dim_combo.setCurrentText(current)
        self._dim_combo.blockSignals(False)
        self._dim_combo.setVisible(len(names) > 1)
        self._dim_label.setVisible(len(names) > 1)

    def step(self) -> int:
        return self._steps.step()

    def set_step(self, step: int) -> None:
        """Move the sliders to a step number (emits sigStepChanged)."""
        self._steps.set_step(step)

    def step_selector(self) -> StepSelector:
        return self._steps

    def spectral_dim_combo(self) -> QComboBox:
        return self._dim_combo

    def clear(self, message: str = "No pixel selected") -> None:
        self._spectrum, self._test = None, None
        self._title.setText(message)
        self._readout.setText(" ")
        self._data.setData([], [])
        self._peaks.setData([], [])
        self._chosen.setData([], [])
        self._amp_line.setVisible(False)
        self._freq_line.setVisible(False)

    def show_pixel(self, spectrum: np.ndarray, test: PixelTest | None, title: str) -> None:
        """Draw a pixel's spectrum and, when given, its peak test."""
        self._spectrum = np.asarray(spectrum)
        self._test = test
        self._title.setText(title)
        self._draw()

    def show_test(self, test: PixelTest | None, error: str = "") -> None:
        """Redraw the overlay after the parameters changed (the spectrum is unchanged)."""
        self._test = test
        self._draw(error)

    # ---- drawing ------------------------------------------------------------------------------
    def _set_y_label(self) -> None:
        p = self.plot_item()
        if self.mode() == PHASE_MODE:
            p.setLabel("left", "Phase", units="rad")
            p.getAxis("left").enableAutoSIPrefix(False)
        else:
            p.setLabel("left", f"|{self._quantity}|" if len(self._quantity) < 24 else "|x|",
                       units=self._units)
            p.getAxis("left").enableAutoSIPrefix(self._units.strip().lower() not in NO_PREFIX_UNITS)

    def _draw(self, error: str = "") -> None:
        if self._spectrum is None or self._axis is None:
            return
        x = np.asarray(self._axis.values, dtype=np.float64)
        phase = self.mode() == PHASE_MODE
        y = np.angle(self._spectrum) if phase else np.abs(self._spectrum)
        y = np.asarray(y, dtype=np.float64)
        self._data.setData(x, y)
        t = self._test
        if t is None:
            self._peaks.setData([], [])
            self._chosen.setData([], [])
            self._amp_line.setVisible(False)
            self._freq_line.setVisible(False)
            self._readout.setText(f"<span style='color:#c0392b'>{error}</span>" if error else " ")
            return
        peaks = np.asarray(t.peaks, dtype=np.int64)
        self._peaks.setData(x[peaks], y[peaks])
        self._chosen.setData([x[t.index]], [y[t.index]])
        self._freq_line.setValue(x[t.index])
        self._freq_line.setVisible(True)
        finite = bool(np.isfinite(t.amplitude))  # a NaN position would poison the view's range
        if finite:
            self._amp_line.setValue(t.amplitude)
        self._amp_line.setVisible(not phase and finite)
        found = ("no peak found, centre bin used" if t.count == 0
                 else "1 peak found" if t.count == 1
                 else f"{t.count} peaks found, the one nearest the centre chosen")
        self._readout.setText(
            f"<b>Amplitude</b> {si(t.amplitude, self._units)} · "
            f"<b>{self._axis.name}</b> {si(t.frequency, self._axis.units)} · "
            f"{found} (bin {t.index})"
        )

    def _on_dim_changed(self, name: str) -> None:
        if name:
            self.sigSpectralDimChanged.emit(name)

    def _on_mode_changed(self, _index: int) -> None:
        self._set_y_label()
        self._draw()
