"""The selected pixel's spectrum, with the analysis' pixel detail drawn over it.

The view draws |x| (or the phase) against the spectral axis; what an analysis found is drawn by
its view module (:mod:`peakgui.gui.views`), which adds its own overlay items and readout.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import Qt, QTimer, pyqtSignal
from PyQt5.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...core.analyses.declaration import PixelDetail, ResultField
from ...core.dimension import Dimension
from ...core.labels import plain_label
from ..formatting import shown_units
from ..views import AnalysisView
from .axes import finite_points, set_axis_units
from .parts import Part
from .readout import ReadoutLabel
from .step_selector import StepSelector, step_of

AMPLITUDE_MODE = "amplitude"
PHASE_MODE = "phase"

_DATA_BRUSH = pg.mkBrush(70, 130, 220, 200)


class SpectrumView(QWidget):
    """|x| (or phase) of one pixel against the spectroscopic axis, with the analysis' overlay."""

    sigStepChanged = pyqtSignal(int)
    """The user chose another step along the remaining spectroscopic dimensions."""
    sigSpectralDimChanged = pyqtSignal(str)
    """The user chose another spectroscopic dimension for the spectra to run along."""
    sigModeChanged = pyqtSignal(str)
    """Amplitude or phase was chosen (carries AMPLITUDE_MODE or PHASE_MODE)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._axis: Dimension | None = None
        self._quantity, self._units = "", ""
        self._statistic = ""  # what the curve is of several spectra ("mean"), "" for one
        self._spectrum: np.ndarray | None = None
        self._detail: PixelDetail | None = None
        self._overlay: AnalysisView | None = None
        self._fields: list[ResultField] = []
        self._hidden_legend: list[tuple[pg.GraphicsObject, str]] = []  # rows of hidden items
        self._remembered_steps: dict[str, int] = {}  # slider index per dim, this dataset
        self._step_memory: dict[str, int] | None = None  # set by an axis switch in flight

        self._mode_combo = QComboBox()
        self._mode_combo.addItem("|x|", AMPLITUDE_MODE)  # short: the title beside it wraps
        self._mode_combo.addItem("Phase", PHASE_MODE)
        self._mode_combo.setToolTip("Show the magnitude |x| or the phase of the spectrum")
        self._dim_label = QLabel("Spectral axis:")
        self._dim_combo = QComboBox()
        self._dim_combo.setToolTip("Spectroscopic dimension each spectrum runs along (the "
                                   "analysis works along it)")
        self._steps = StepSelector()  # one slider per remaining dimension; the maps follow
        # fixed-size lines: the plot must not move when the values change from click to click
        self._title = ReadoutLabel(2, "The selected pixel")  # wraps: X and Y both shown
        self._title.setText("No pixel selected")
        # the position header has the dock's width to wrap in; the |x|/phase choice sits
        # beside the readout under the plot
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        # which step and which axis: shown only for data with several spectroscopic dims; the
        # window may place them above the map (take_controls), leaving the plot its height
        self._controls = QWidget()
        bar = QHBoxLayout(self._controls)
        bar.setContentsMargins(0, 0, 0, 0)
        for w in (self._dim_label, self._dim_combo):
            bar.addWidget(w, 0, Qt.AlignTop)
        bar.addWidget(self._steps, 1)

        self._plot = pg.PlotWidget()
        self._plot.showGrid(x=True, y=True, alpha=0.2)
        self._plot.getViewBox().setDefaultPadding(0.06)  # room for overlay markers
        # room right of the plot for the half of the last x tick label that overhangs it
        self._plot.getPlotItem().setContentsMargins(0, 4, self.fontMetrics()
                                                    .horizontalAdvance("000"), 0)
        self._legend = self._outside_legend()
        self._data = pg.ScatterPlotItem(size=6, pen=None, brush=_DATA_BRUSH, name="|x|")
        self._plot.addItem(self._data)
        self._legend.setBrush(pg.mkBrush(255, 255, 255, 210))
        self._readout = ReadoutLabel(3, "What the analysis finds on this pixel with the "
                                        "current parameters")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self._title)
        layout.addWidget(self._controls)
        layout.addWidget(self._plot, 1)
        bottom.addWidget(self._readout, 1)
        bottom.addWidget(self._mode_combo, 0, Qt.AlignTop)
        layout.addLayout(bottom)

        self._mode_combo.currentIndexChanged.connect(self._on_mode_changed)
        self._steps.sigStepChanged.connect(self.sigStepChanged)
        self._dim_combo.currentTextChanged.connect(self._on_dim_changed)
        self.set_steps([])
        self.set_spectral_dims([], "")
        self.clear()

    def _outside_legend(self) -> pg.LegendItem:
        """A legend in a row of its own under the plot, so it never covers the data."""
        p = self._plot.getPlotItem()
        legend = pg.LegendItem(offset=None, colCount=4, labelTextSize="8pt",
                               horSpacing=6, verSpacing=-6)
        legend.mouseDragEvent = lambda ev: ev.ignore()  # it has its place in the layout
        p.layout.addItem(legend, 4, 1, alignment=Qt.AlignHCenter)
        p.legend = legend  # items added with a name appear in it
        p.vb.sigResized.connect(self._on_plot_resized)
        return legend

    def _fit_legend(self) -> None:
        """As many legend entries per row as the plot's width holds (none clipped): one row
        when it fits, so the legend takes little height from the plot."""
        n = len(self._legend.items)
        room = self.plot_item().vb.width()
        for cols in range(max(n, 1), 0, -1):
            self._legend.setColumnCount(cols)
            if self._legend.layout.preferredWidth() <= room:
                break

    def _on_plot_resized(self, *_) -> None:
        self._fit_legend()

    # ---- getters --------------------------------------------------------------------------------
    legend = Part[pg.LegendItem]("_legend")

    def legend_names(self) -> list[str]:
        """The legend's entries as shown."""
        return [label.text for _, label in self._legend.items]

    plot_widget = Part[pg.PlotWidget]("_plot")

    def plot_item(self) -> pg.PlotItem:
        return self._plot.getPlotItem()

    readout = Part[QLabel]("_readout")
    title = Part[QLabel]("_title")

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

    def spectrum(self) -> np.ndarray | None:
        """The complex (or real) spectrum shown, as given."""
        return self._spectrum

    def axis(self) -> Dimension | None:
        return self._axis

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
        the data has steps besides the spectral axis. Right after the user switched the
        spectral axis, each dimension seen before gets its slider position back (the DC step
        survives a look along another axis), announced once the new source is set up."""
        memory, self._step_memory = self._step_memory, None
        if memory is None:  # another dataset: nothing to bring back
            self._remembered_steps = {}
        self._steps.set_dims(dims, current)
        self._show_controls()
        if memory and dims:
            indices = [min(memory.get(d.name, i), d.size - 1)
                       for d, i in zip(dims, self._steps.indices())]
            if indices != self._steps.indices():
                QTimer.singleShot(0, lambda: self._steps.set_step(step_of(dims, indices)))

    def set_spectral_dims(self, names: list[str], current: str) -> None:
        """The spectroscopic dimensions a spectrum can run along (chooser shown if several)."""
        self._dim_combo.blockSignals(True)
        self._dim_combo.clear()
        for name in names:  # shown as plain text, the file's name kept as the item's data
            self._dim_combo.addItem(plain_label(name), name)
        self._dim_combo.setCurrentIndex(max(self._dim_combo.findData(current), 0))
        self._dim_combo.blockSignals(False)
        self._dim_combo.setVisible(len(names) > 1)
        self._dim_label.setVisible(len(names) > 1)
        self._show_controls()

    def _show_controls(self) -> None:
        """No empty row where there is neither a slider nor a choice of axis."""
        self._controls.setVisible(not self._steps.isHidden() or not self._dim_combo.isHidden())

    def step(self) -> int:
        return self._steps.step()

    def set_step(self, step: int) -> None:
        """Move the sliders to a step number (emits sigStepChanged)."""
        self._steps.set_step(step)

    step_selector = Part[StepSelector]("_steps")

    def take_controls(self) -> QWidget:
        """The step sliders and the spectral-axis chooser, out of this view's layout, for the
        caller to place (the window puts them above the map: on a short screen the plot keeps
        their height)."""
        self.layout().removeWidget(self._controls)
        return self._controls

    spectral_dim_combo = Part[QComboBox]("_dim_combo")

    def set_overlay(self, overlay: AnalysisView | None, fields: list[ResultField]) -> None:
        """The chosen analysis' view (it adds its items to the plot) and its result fields."""
        for item, name in self._hidden_legend:  # the old overlay removes its own rows
            self._legend.addItem(item, name)
        self._hidden_legend = []
        if self._overlay is not None:
            self._overlay.detach()
        self._overlay, self._fields = overlay, list(fields)
        # a view with a panel of its own (the loop fit) says it all there: one line here, whole
        # in the tooltip, and the spectrum keeps the height
        self._readout.set_lines(1 if overlay is not None and overlay.panel() is not None else 3)
        if overlay is not None:
            overlay.attach(self.plot_item(), self._legend)
        self._draw()

    def clear(self, message: str = "No pixel selected") -> None:
        self._spectrum, self._detail = None, None
        if self._statistic:
            self._statistic = ""
            self._set_y_label()
        self._title.setText(message)
        self._readout.setText(" ")
        self._data.setData([], [])
        if self._overlay is not None:
            self._overlay.draw(None, np.empty(0), np.empty(0), False)

    def show_pixel(self, spectrum: np.ndarray, detail: PixelDetail | None, title: str,
                   error: str = "", statistic: str = "") -> None:
        """Draw a pixel's spectrum and, when given, the analysis' detail of it; ``statistic``
        ('mean' for a region) names what the curve is, on the axis and in the legend."""
        self._spectrum = np.asarray(spectrum)
        self._detail = detail
        self._title.setText(title)
        if statistic != self._statistic:
            self._statistic = statistic
            self._set_y_label()
        self._draw(error)

    # ---- drawing --------------------------------------------------------------------------------
    def _set_y_label(self) -> None:
        axis = self.plot_item().getAxis("left")
        of = f"{self._statistic} " if self._statistic else ""
        if self.mode() == PHASE_MODE:
            set_axis_units(axis, f"Phase of the {self._statistic}" if of else "Phase", "rad")
        else:
            quantity = plain_label(self._quantity)
            set_axis_units(axis, of + (f"|{quantity}|" if len(quantity) < 24 else "|x|"),
                           self._units)

    def _draw(self, error: str = "") -> None:
        if self._spectrum is None or self._axis is None:
            return
        x = np.asarray(self._axis.values, dtype=np.float64)
        phase = self.mode() == PHASE_MODE
        y = np.angle(self._spectrum) * shown_units("rad")[0] if phase else np.abs(self._spectrum)
        y = np.asarray(y, dtype=np.float64)
        self._data.setData(*finite_points(x, y))  # a NaN/Inf bin is a gap
        d = self._detail
        if self._overlay is not None:
            self._overlay.draw(d, x, y, phase)
        self._sync_legend()
        if d is None or self._overlay is None:
            self._readout.setText(f"<span style='color:#c0392b'>{error}</span>" if error else " ")
            return
        self._readout.setText(self._overlay.readout(d, self._fields))

    def _sync_legend(self) -> None:
        """No legend row for what is not drawn (hidden overlay items); the data's row names
        what is drawn (|x| or the phase)."""
        for item, name in list(self._hidden_legend):
            if item.isVisible():
                self._hidden_legend.remove((item, name))
                self._legend.addItem(item, name)
        for sample, label in list(self._legend.items):
            if not sample.item.isVisible():
                self._hidden_legend.append((sample.item, label.text))
                self._legend.removeItem(sample.item)
        of = f"{self._statistic} " if self._statistic else ""
        name = ("phase" if not of else f"phase of the {self._statistic}") \
            if self.mode() == PHASE_MODE else f"{of}|x|"
        for sample, label in self._legend.items:
            if sample.item is self._data and label.text != name:
                label.setText(name)
        self._fit_legend()

    def _on_dim_changed(self, text: str) -> None:
        name = self._dim_combo.currentData() or text  # the file's name behind the shown one
        if name:
            self._remembered_steps.update({d.name: i for d, i in zip(self._steps.dims(),
                                                                     self._steps.indices())})
            self._step_memory = dict(self._remembered_steps)
            self.sigSpectralDimChanged.emit(name)  # the new source is set up in here
            self._step_memory = None  # (unused if the switch was refused)

    def _on_mode_changed(self, _index: int) -> None:
        self._set_y_label()
        self._draw()
        self._sync_legend()
        self.sigModeChanged.emit(self.mode())
