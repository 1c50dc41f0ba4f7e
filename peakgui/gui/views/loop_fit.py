"""The loop fit drawn at the selected pixel, in its own panel: the projected loop of one field
(or cycle) with its guess and fit and the switching voltages marked, the complex responses with
the projection direction, and a readout of the switching parameters with their standard errors.

The loop fit reads the SHO results, not the raw spectrum, so nothing is drawn over the spectrum
plot; :meth:`LoopFitView.panel` is the widget the window docks beside it.
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import Qt
from PyQt5.QtGui import QResizeEvent
from PyQt5.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...core.analyses.declaration import PixelDetail, ResultField
from ...core.analyses.loop_fit.branches import FALLING
from ...core.analyses.loop_fit.detail import LoopDetail
from ...core.analyses.loop_fit.fields import switching_field
from ...core.analyses.loop_fit.status import LoopStatus
from ..formatting import format_value
from ..widgets.axes import set_axis_units
from ..widgets.readout import ReadoutLabel
from .generic import AnalysisView

_FIT_PEN = pg.mkPen("#e0302b", width=2)
_GUESS_PEN = pg.mkPen("#7f7f7f", width=1.3, style=Qt.DashLine)
_DATA = {"falling": "#1f6fd1", "rising": "#2ca02c"}
# (name, colour, style, label, where the label sits up the line): staggered, never on each other
_MARKS = (("V+", "#8e44ad", Qt.SolidLine, "V+", 0.95), ("V-", "#8e44ad", Qt.SolidLine, "V−", 0.95),
          ("Imprint", "#444444", Qt.DashLine, "imprint", 0.5),  # between the branches
          ("Nucleation Bias 1", "#d35400", Qt.DotLine, "n₁", 0.08),
          ("Nucleation Bias 2", "#d35400", Qt.DotLine, "n₂", 0.2))
PLANE_MIN_HEIGHT = 340  # px of plot area: below it the loop alone gets them
KEY = ("<span style='color:#1f6fd1'>●</span><span style='color:#2ca02c'>●</span> data · "
       "<span style='color:#e0302b'>━</span> fit · <span style='color:#7f7f7f'>╌</span> guess")
READOUT = ("V+", "V-", "Imprint", "R+", "R-", "Switchable Polarization", "Work of Switching",
           "Nucleation Bias 1", "Nucleation Bias 2")
SHORT = {"Switchable Polarization": "Switchable", "Work of Switching": "Work",
         "Nucleation Bias 1": "V<sub>nuc,1</sub>", "Nucleation Bias 2": "V<sub>nuc,2</sub>",
         "V+": "V<sub>+</sub>", "V-": "V<sub>−</sub>"}


class LoopFitPanel(QWidget):
    """Two plots (the loop, the complex plane), a field chooser and the readout."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.detail: LoopDetail | None = None
        self._step_combo = QComboBox()
        self._step_combo.setToolTip("Loop of: the field (and cycle) whose loop is drawn")
        self._step_combo.currentIndexChanged.connect(lambda _i: self._draw())
        # at most two lines (a long fit note is whole in its tooltip): the loop keeps the height
        self._note = ReadoutLabel(2, "The loop's key, or what went wrong with this pixel's fit")
        self._note.setText(KEY)
        self._readout = QLabel(" ")
        self._readout.setWordWrap(True)
        self._readout.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # wraps to the
        # dock, never widens it
        font = self._readout.font()
        font.setPointSizeF(font.pointSizeF() * 0.85)
        self._readout.setFont(font)
        self._readout.setTextFormat(Qt.RichText)
        self._readout.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self._glw = pg.GraphicsLayoutWidget()
        self._loop = self._glw.addPlot(row=0, col=0)  # docks are narrow: one above the other
        self._plane = self._glw.addPlot(row=1, col=0)
        self._glw.ci.layout.setRowStretchFactor(0, 3)  # the loop first on a short screen
        self._glw.ci.layout.setRowStretchFactor(1, 1)
        for p in (self._loop, self._plane):
            p.showGrid(x=True, y=True, alpha=0.2)
        # a smaller y label (kept by later labels): "Response (mV)" whole on a laptop's column
        self._loop.getAxis("left").setLabel(" ", **{"font-size": "8pt"})
        self._plane.setAspectLocked(True)
        self._plane.setTitle("Responses (blue), projection direction (red)", size="8pt")
        self._points = {k: self._loop.plot([], [], pen=None, symbol="o", symbolSize=5,
                                           symbolBrush=c, symbolPen=None)
                        for k, c in _DATA.items()}
        self._guess = {k: self._loop.plot([], [], pen=_GUESS_PEN) for k in _DATA}
        self._fit = {k: self._loop.plot([], [], pen=_FIT_PEN) for k in _DATA}
        self._marks: dict[str, pg.InfiniteLine] = {}
        for name, colour, style, label, where in _MARKS:
            line = pg.InfiniteLine(angle=90, movable=False,
                                   pen=pg.mkPen(colour, width=1.2, style=style), label=label,
                                   labelOpts={"position": where, "color": colour})
            self._loop.addItem(line)
            self._marks[name] = line
        self._resp = self._plane.plot([], [], pen=pg.mkPen("#bbbbbb", width=1), symbol="o",
                                      symbolSize=4, symbolBrush="#1f6fd1", symbolPen=None)
        self._direction = self._plane.plot([], [], pen=pg.mkPen("#e0302b", width=2))
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self._step_combo)  # no "Loop of:" label: the key keeps to one line
        bar.addWidget(self._note, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self._glw, 1)
        layout.addWidget(self._readout_scroll())
        self._controls = QGridLayout()
        self._controls.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._controls)
        self._layout = layout

    def _readout_scroll(self) -> QScrollArea:
        """The switching values, at most two lines high (they scroll past that): on a short
        screen the loop keeps the dock's height."""
        scroll = QScrollArea()
        scroll.setWidget(self._readout)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setMaximumHeight(self._readout.fontMetrics().lineSpacing() * 2 + 2)
        return scroll

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The complex-plane plot only where the loop keeps room beside it: on a laptop's
        right column the loop takes the whole plot area (the plane comes back when taller)."""
        super().resizeEvent(event)
        self._place_plane()

    def _place_plane(self) -> None:
        room = self._glw.height() >= PLANE_MIN_HEIGHT
        shown = self._plane.scene() is not None
        if room and not shown:
            self._glw.addItem(self._plane, row=1, col=0)
            self._glw.ci.layout.setRowStretchFactor(1, 1)
        elif shown and not room:
            self._glw.removeItem(self._plane)

    def plane_shown(self) -> bool:
        return self._plane.scene() is not None

    # ---- getters for tests and the window -------------------------------------------------------
    def loop_plot(self) -> pg.PlotItem:
        return self._loop

    def plane_plot(self) -> pg.PlotItem:
        return self._plane

    def step_combo(self) -> QComboBox:
        return self._step_combo

    def readout_text(self) -> str:
        return self._readout.text()

    def fit_data(self) -> tuple[np.ndarray, np.ndarray]:
        """The fitted model drawn (both branches, falling first)."""
        parts = [self._fit[k].getData() for k in _DATA]
        xs = [np.asarray(p[0], dtype=np.float64) for p in parts if p[0] is not None]
        ys = [np.asarray(p[1], dtype=np.float64) for p in parts if p[1] is not None]
        return (np.concatenate(xs) if xs else np.empty(0),
                np.concatenate(ys) if ys else np.empty(0))

    def marks(self) -> dict[str, float]:
        return {k: float(m.value()) for k, m in self._marks.items() if m.isVisible()}

    def step(self) -> int:
        return max(self._step_combo.currentIndex(), 0)

    def add_controls(self, cells: list[QWidget], below: QWidget | None = None) -> None:
        """Controls a presenter keeps (the map mask's thresholds) in a row under the readout,
        and one more widget under them."""
        for i, w in enumerate(cells):
            self._controls.addWidget(w, 0, i)
        self._controls.setColumnStretch(len(cells), 1)
        if below is not None:
            self._layout.addWidget(below)

    # ---- drawing --------------------------------------------------------------------------------
    def show_detail(self, detail: LoopDetail | None, units: tuple[str, str] = ("", "V"),
                    error: str = "") -> None:
        """A new pixel test (None: clear, with ``error`` said)."""
        self.detail = detail
        self._units = units
        if detail is not None:
            labels = detail.step_labels
            if [self._step_combo.itemText(i) for i in range(self._step_combo.count())] != labels:
                keep = self._step_combo.currentIndex()
                self._step_combo.blockSignals(True)
                self._step_combo.clear()
                self._step_combo.addItems(labels)
                self._step_combo.setCurrentIndex(min(max(keep, 0), len(labels) - 1))
                self._step_combo.blockSignals(False)
        self._note.setText(html.escape(error) if error else KEY)
        self._note.setToolTip(html.escape(error) if error else "The loop's key")
        self._draw()

    def _draw(self) -> None:
        d = self.detail
        resp, volt = getattr(self, "_units", ("", "V"))
        set_axis_units(self._loop.getAxis("bottom"), "DC offset", volt)
        set_axis_units(self._loop.getAxis("left"), "Response", resp)
        set_axis_units(self._plane.getAxis("bottom"), "Re", resp)
        set_axis_units(self._plane.getAxis("left"), "Im", resp)
        if d is None or d.n_steps == 0:
            for items in (self._points, self._guess, self._fit):
                for item in items.values():
                    item.setData([], [])
            for m in self._marks.values():
                m.setVisible(False)
            self._resp.setData([], [])
            self._direction.setData([], [])
            self._readout.setText(" ")
            return
        k = min(self.step(), d.n_steps - 1)
        falling = np.asarray(d.labels) == FALLING
        for key, sel in (("falling", falling), ("rising", ~falling)):
            self._points[key].setData(d.voltage[sel], d.loops[k][sel])
        for items, curves in ((self._fit, d.fit_curves), (self._guess, d.guess_curves)):
            for key in _DATA:
                y = getattr(curves, key)[k]
                ok = np.isfinite(y)
                items[key].setData(curves.voltage[ok], y[ok])
        for name, line in self._marks.items():
            value = d.switching[k].get(name, np.nan)
            line.setVisible(bool(np.isfinite(value)))
            if np.isfinite(value):
                line.setValue(value)
        self._loop.setXRange(float(d.voltage.min()), float(d.voltage.max()), padding=0.03)
        self._loop.enableAutoRange(axis="y")
        r = d.responses[k]
        self._resp.setData(r.real, r.imag)
        centre = complex(np.mean(r)) if r.size else 0j
        half = float(np.max(np.abs(r - centre))) if r.size else 1.0
        ends = centre + np.array([-1, 1]) * half * d.direction[k]
        self._direction.setData(ends.real, ends.imag)
        self._readout.setText(readout_html(d, k))


def readout_html(d: LoopDetail, k: int) -> str:
    """The switching values of step ``k`` with units and ± standard errors, and the status."""
    parts = []
    for name in READOUT:
        value = d.switching[k].get(name, np.nan)
        units = d.units.get(name, "")
        text = format_value(value, units)
        se = d.errors[k].get(name)
        if se is not None and np.isfinite(se) and np.isfinite(value):
            text += f" ± {format_value(se, units)}"
        parts.append(f"<b>{SHORT.get(name, name)}</b> {html.escape(text)}")
    r2 = d.fit[k][9]
    parts.append(f"<b>R²</b> {r2:.4f}" if np.isfinite(r2) else "<b>R²</b> —")
    status = d.status[k]
    colour = "#1e8449" if status is LoopStatus.CONVERGED else "#c0392b"
    parts.append(f"<span style='color:{colour}'>{html.escape(status.sentence)}</span>")
    return " · ".join(parts)


class LoopFitView(AnalysisView):
    """The loop fit's view: its panel shows the loop; the spectrum plot keeps the raw data."""

    bad_label = "with a failed or uncertain loop fit"
    analyses = ("loop_fit",)

    def __init__(self, analysis):
        super().__init__(analysis)
        self._panel: LoopFitPanel | None = None

    def panel(self) -> LoopFitPanel:
        """The widget the window docks for this analysis (made on first use)."""
        if self._panel is None:
            self._panel = LoopFitPanel()
        return self._panel

    def draw(self, detail: PixelDetail | None, x: np.ndarray, y: np.ndarray,
             phase: bool) -> None:
        loop = detail.detail if detail is not None else None
        if not isinstance(loop, LoopDetail):
            loop = None
        units = ("", "V")
        if loop is not None:
            units = (loop.units.get("R+", ""), loop.units.get("V+", "V") or "V")
        self.panel().show_detail(loop, units, "; ".join(detail.notes) if detail else "")

    def readout(self, detail: PixelDetail, fields: list[ResultField]) -> str:
        loop = detail.detail
        if not isinstance(loop, LoopDetail):
            return super().readout(detail, fields)
        k = min(self.panel().step(), loop.n_steps - 1)
        return f"<b>{html.escape(loop.step_labels[k])}</b>: " + readout_html(loop, k)

    def main_field(self, names: list[str]) -> str | None:
        """V+: the map a loop fit is run for."""
        vplus = switching_field("Fit", "V+")
        return vplus if vplus in names else super().main_field(names)

    def loop_fields(self, fields: list[ResultField]) -> list[ResultField]:
        """No per-step plot of its own: the loop panel draws the loops."""
        return []
