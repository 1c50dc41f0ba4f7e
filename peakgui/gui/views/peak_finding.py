"""Peak finding drawn as in the tutorial's figure: every peak found, the chosen one circled, a
dashed line at its amplitude and a dotted one at its position."""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import Qt

from ...core.analyses.declaration import PixelDetail, ResultField
from ...core.analyses.peak_finding.analysis import COUNT, FREQUENCY, RESPONSE, PeakDetail
from ...core.labels import plain_label
from ..widgets.axes import finite_points
from .generic import AnalysisView, value_text

_PEAK_COLOUR = "#f39c12"
_CHOSEN_COLOUR = "#e0302b"


class PeakFindingView(AnalysisView):
    """Peaks (triangles), the chosen peak (ring), amplitude (dashed) and position (dotted)."""

    bad_label = "without a peak"
    analyses = ("peak_finding",)

    def attach(self, plot: pg.PlotItem, legend: pg.LegendItem | None) -> None:
        super().attach(plot, legend)
        self._peaks = self.add_item(
            pg.ScatterPlotItem(size=13, symbol="t1", pen=pg.mkPen("k", width=0.8),
                               brush=pg.mkBrush(_PEAK_COLOUR)),
            legend, "peaks found")
        self._chosen = self.add_item(
            pg.ScatterPlotItem(size=17, symbol="o", pen=pg.mkPen(_CHOSEN_COLOUR, width=2.5),
                               brush=None), legend, "chosen peak")
        self._amp_line = self.add_item(pg.InfiniteLine(
            angle=0, movable=False, pen=pg.mkPen(_CHOSEN_COLOUR, width=1.5, style=Qt.DashLine)))
        self._pos_line = self.add_item(pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen(_CHOSEN_COLOUR, width=1, style=Qt.DotLine)))
        if legend is not None:
            self._legend_sample = pg.PlotDataItem(pen=pg.mkPen(_CHOSEN_COLOUR, width=1.5,
                                                               style=Qt.DashLine))
            legend.addItem(self._legend_sample, "amplitude")
        self._legend = legend

    def detach(self) -> None:
        legend = getattr(self, "_legend", None)
        if legend is not None:
            for name in ("peaks found", "chosen peak", "amplitude"):
                legend.removeItem(name)
        super().detach()

    def draw(self, detail: PixelDetail | None, x: np.ndarray, y: np.ndarray,
             phase: bool) -> None:
        found = detail.detail if detail is not None else None
        if detail is None or not isinstance(found, PeakDetail):  # none, or another analysis'
            self._peaks.setData([], [])
            self._chosen.setData([], [])
            self._amp_line.setVisible(False)
            self._pos_line.setVisible(False)
            return
        peaks = np.asarray(found.peaks, dtype=np.int64)
        index = found.index
        self._peaks.setData(*finite_points(x[peaks], y[peaks]))
        self._chosen.setData(*finite_points(x[[index]], y[[index]]))  # none on a NaN bin
        self._pos_line.setValue(x[index])
        self._pos_line.setVisible(True)
        amplitude = float(detail.values[RESPONSE])
        finite = bool(np.isfinite(amplitude))  # a NaN position would poison the view's range
        if finite:
            self._amp_line.setValue(amplitude)
        self._amp_line.setVisible(not phase and finite)

    def readout(self, detail: PixelDetail, fields: list[ResultField]) -> str:
        by_name = {f.name: f for f in fields}
        found = detail.detail
        if not isinstance(found, PeakDetail) or FREQUENCY not in by_name:  # another analysis'
            return super().readout(detail, fields)
        count = int(detail.values[COUNT])
        index = found.index
        found = (f"bin {index}" if count == 0  # the analysis' note says why, in red
                 else f"1 peak found (bin {index})" if count == 1
                 else f"{count} peaks found, the one nearest the centre chosen (bin {index})")
        pos = by_name[FREQUENCY]
        return (f"<b>Amplitude</b> {value_text(detail.values[RESPONSE], by_name[RESPONSE])} · "
                f"<b>{html.escape(plain_label(pos.quantity))}</b> "
                f"{value_text(detail.values[FREQUENCY], pos)} · "
                f"{found}"
                + "".join(f" · <span style='color:#c0392b'>{html.escape(n)}</span>"
                          for n in detail.notes))

    # ---- getters for tests -------------------------------------------------------------------
    def peak_data(self) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._peaks.getData()
        return np.asarray(x), np.asarray(y)

    def amplitude_line(self) -> float:
        return float(self._amp_line.value())

