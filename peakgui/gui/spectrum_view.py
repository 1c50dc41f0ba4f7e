"""The selected pixel's spectrum, with the analysis' pixel detail drawn over it.

The view draws |x| (or the phase) against the spectral axis; what an analysis found is drawn by
its view module (:mod:`peakgui.gui.analyses`), which adds its own overlay items and readout.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..core.analyses.declaration import PixelDetail, ResultField
from ..core.dimension import Dimension
from .analyses import AnalysisView
from .axes import set_axis_units
from .formatting import shown_units
from .readout import ReadoutLabel
from .step_selector import StepSelector

AMPLITUDE_MODE = "amplitude"
PHASE_MODE = "phase"

_DATA_BRUSH = pg.mkBrush(70, 130, 220, 200)


class SpectrumView(QWidget):
    """|x| (or phase) of one pixel against the spectroscopic axis, with the analysis' overlay."""

    sigStepChanged = pyqtSignal(int)
    """The user chose another step along the remaining spectroscopic dimensions."""
    sigSpectralDimChanged = pyqtSignal(str)
    """The user chose another spectroscopic dimension for the spectra to run along."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._axis: Dimension | None = None
        self._quantity, self._units = "", ""
        self._spectrum: np.ndarray | None = None
        self._detail: PixelDetail | None = None
        self._overlay: AnalysisView | None = None
        self._fields: list[ResultField] = []

        self._mode_combo = QComboBox()
        self._mode_combo.addItem("Amplitude |x|", AMPLITUDE_MODE)
        self._mode_combo.addItem("Phase", PHASE_MODE)
        self._mode_combo.setToolTip("Show the magnitude |x| or the phase of the spectrum")
        self._dim_label = QLabel("Spectral axis:")
        self._dim_combo = QComboBox()
        self._dim_combo.setToolTip("Spectroscopic dimension each spectrum runs along (the "
                                   "analysis works along it)")
        self._steps = StepSelector()  # one slider per remaining dimension; the maps follow
        # fixed-size lines: the plot must not move when the values change from click to click
        self._title = ReadoutLabel(1, "The selected pixel")
        self._title.setText("No pixel selected")
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
        self._plot.getViewBox().setDefaultPadding(0.06)  # room for overlay markers
        self._legend = self._plot.addLegend(offset=(-10, 10), labelTextSize="9pt")
        self._data = pg.ScatterPlotItem(size=6, pen=None, brush=_DATA_BRUSH, name="|x|")
        self._plot.addItem(self._data)
        self._legend.setBrush(pg.mkBrush(255, 255, 255, 210))
        self._readout = ReadoutLabel(2, "What the analysis finds on this pixel with the "
                                        "current parameters")

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

    # ---- getters --------------------------------------------------------------------------------
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

    def overlay(self) -> AnalysisView | None:
        """The analysis view drawing over the spectrum."""
        return self._overlay

    def detail(self) -> PixelDetail | None:
        return self._detail

    # ---- content --------------------------------------------------------------------------------
    def set_axis(self, axis: Dimension, quantity: str, units: str, complex_data: bool) -> None:
        """The spectroscopic axis and the data's quantity/units, once per dataset."""
        self._axis = axis
        self._quantity, self._units = quantity or "Signal", units
        self._mode_combo.model().item(1).setEnabled(complex_data)
        if not complex_data:
            self.set_mode(AMPLITUDE_MODE)
        set_axis_units(self.plot_item().getAxis("bottom"), axis.name, axis.units)
        self._set_y_label()

    def units_changed(self) -> None:
        """The angle unit changed: relabel and redraw the phase in it."""
        self._set_y_label()
        self._draw()

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

    def set_overlay(self, overlay: AnalysisView | None, fields: list[ResultField]) -> None:
        """The chosen analysis' view (it adds its items to the plot) and its result fields."""
        if self._overlay is not None:
            self._overlay.detach()
        self._overlay, self._fields = overlay, list(fields)
        if overlay is not None:
            overlay.attach(self.plot_item(), self._legend)
        self._draw()

    def clear(self, message: str = "No pixel selected") -> None:
        self._spectrum, self._detail = None, None
        self._title.setText(message)
        self._readout.setText(" ")
        self._data.setData([], [])
        if self._overlay is not None:
            self._overlay.draw(None, np.empty(0), np.empty(0), False)

    def show_pixel(self, spectrum: np.ndarray, detail: PixelDetail | None, title: str,
                   error: str = "") -> None:
        """Draw a pixel's spectrum and, when given, the analysis' detail of it."""
        self._spectrum = np.asarray(spectrum)
        self._detail = detail
        self._title.setText(title)
        self._draw(error)

    # ---- drawing --------------------------------------------------------------------------------
    def _set_y_label(self) -> None:
        axis = self.plot_item().getAxis("left")
        if self.mode() == PHASE_MODE:
            set_axis_units(axis, "Phase", "rad")
        else:
            set_axis_units(axis, f"|{self._quantity}|" if len(self._quantity) < 24 else "|x|",
                           self._units)

    def _draw(self, error: str = "") -> None:
        if self._spectrum is None or self._axis is None:
            return
        x = np.asarray(self._axis.values, dtype=np.float64)
        phase = self.mode() == PHASE_MODE
        y = np.angle(self._spectrum) * shown_units("rad")[0] if phase else np.abs(self._spectrum)
        y = np.asarray(y, dtype=np.float64)
        self._data.setData(x, y)
        d = self._detail
        if self._overlay is not None:
            self._overlay.draw(d, x, y, phase)
        if d is None or self._overlay is None:
            self._readout.setText(f"<span style='color:#c0392b'>{error}</span>" if error else " ")
            return
        self._readout.setText(self._overlay.readout(d, self._fields))

    def _on_dim_changed(self, name: str) -> None:
        if name:
            self.sigSpectralDimChanged.emit(name)

    def _on_mode_changed(self, _index: int) -> None:
        self._set_y_label()
        self._draw()
