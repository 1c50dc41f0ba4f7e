"""The SHO fit drawn at the selected pixel: the fitted and the guessed model over the spectrum
(amplitude or phase, as the spectrum view shows), the fitted band shaded, and a readout of
A (with the peak height A·Q beside it), f0, Q, φ, R² and the fit's status."""

from __future__ import annotations

import html
from dataclasses import replace

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import Qt

from ...core.analyses.declaration import FieldKind, PixelDetail, ResultField
from ...core.analyses.sho.analysis import STATUS, ShoDetail, field_name
from ...core.analyses.sho.status import FitStatus
from .generic import AnalysisView, value_text

_FIT_COLOUR = "#e0302b"
_GUESS_COLOUR = "#7f7f7f"
_BAND_BRUSH = (255, 196, 0, 40)

AMPLITUDE, FREQUENCY, QUALITY, PHASE, R2 = (field_name("Fit", c) for c in range(5))
READOUT = ((AMPLITUDE, "A"), (FREQUENCY, "f<sub>0</sub>"), (QUALITY, "Q"), (PHASE, "φ"),
           (R2, "R²"))
PIEZORESPONSE = "Piezoresponse"  # the declaration's derived field


class SHOView(AnalysisView):
    """Fit (solid), guess (dashed), fitted band (shaded) and the fit's numbers."""

    bad_label = "with a failed or poor fit"
    analyses = ("sho",)

    def attach(self, plot: pg.PlotItem, legend: pg.LegendItem | None) -> None:
        super().attach(plot, legend)
        self._band = self.add_item(pg.LinearRegionItem(
            movable=False, brush=pg.mkBrush(*_BAND_BRUSH), pen=pg.mkPen(None)))
        self._band.setZValue(-10)  # under the data points
        self._guess = self.add_item(pg.PlotDataItem(
            pen=pg.mkPen(_GUESS_COLOUR, width=1.3, style=Qt.DashLine)), legend, "SHO guess")
        self._fit = self.add_item(pg.PlotDataItem(pen=pg.mkPen(_FIT_COLOUR, width=2)),
                                  legend, "SHO fit")
        self._legend = legend

    def detach(self) -> None:
        legend = getattr(self, "_legend", None)
        if legend is not None:
            for name in ("SHO guess", "SHO fit"):
                legend.removeItem(name)
        super().detach()

    def draw(self, detail: PixelDetail | None, x: np.ndarray, y: np.ndarray,
             phase: bool) -> None:
        sho = detail.detail if detail is not None else None
        if not isinstance(sho, ShoDetail):  # none, or another analysis'
            self._fit.setData([], [])
            self._guess.setData([], [])
            self._band.setVisible(False)
            return
        for item, curve in ((self._fit, sho.fit_curve), (self._guess, sho.guess_curve)):
            shown = np.angle(curve) if phase else np.abs(curve)
            ok = np.isfinite(shown)
            item.setData(sho.frequency[ok], shown[ok])
        band = sho.frequency[np.asarray(sho.band_mask, dtype=bool)]
        self._band.setVisible(band.size > 0)
        if band.size:
            self._band.setRegion((float(band.min()), float(band.max())))

    def readout(self, detail: PixelDetail, fields: list[ResultField]) -> str:
        if STATUS not in detail.values:  # another analysis' detail, until the re-test
            return super().readout(detail, fields)
        by_name = {f.name: f for f in fields}
        parts = []
        for name, symbol in READOUT:
            fld = by_name.get(name)
            if fld is not None and name in detail.values:
                value = detail.values[name]
                if name == R2 and np.isfinite(value):
                    text = f"{value:.4f}"  # 0.9987, not 1
                elif name == PHASE and np.isfinite(value):
                    text = f"{round(value, 3) + 0.0:.3f} rad"  # not -1.307e-05 rad
                else:
                    text = value_text(value, fld)
                q = detail.values.get(QUALITY, float("nan"))
                if name == AMPLITUDE and np.isfinite(value) and np.isfinite(q):
                    # BGlib's model: the peak of |x| is A·Q, not A (docs/sho.md); short, so
                    # the readout keeps its three lines on a laptop's right column
                    text += f" (A·Q {value_text(value * q, fld)})"
                parts.append(f"<b>{symbol}</b> {html.escape(text)}")
        status = FitStatus(int(detail.values.get(STATUS, int(FitStatus.NOT_COMPUTED))))
        colour = "#1e8449" if status is FitStatus.CONVERGED else "#c0392b"
        parts.append(f"<span style='color:{colour}'>{html.escape(status.sentence)}</span>")
        notes = [n for n in detail.notes if n != f"fit {status.sentence}"]
        parts += [f"<span style='color:#c0392b'>{html.escape(n)}</span>" for n in notes]
        return " · ".join(parts)

    def main_field(self, names: list[str]) -> str | None:
        """The resonance frequency: the map an SHO fit is run for."""
        return FREQUENCY if FREQUENCY in names else super().main_field(names)

    def loop_fields(self, fields: list[ResultField]) -> list[ResultField]:
        """Piezoresponse A·cos φ (derived), resonance frequency and Q against the DC offset."""
        by_name = {f.name: f for f in fields}
        out = []
        amp = by_name.get(AMPLITUDE)
        for d in self.analysis.derived:
            if d.name == PIEZORESPONSE and amp is not None:
                out.append(ResultField(d.name, "float64", "A·cos φ", amp.units, np.nan,
                                       FieldKind.VALUE, title=d.title))
        # short axis names: three stacked plots in a dock leave little room for labels
        out += [replace(by_name[n], quantity=short) for n, short in ((FREQUENCY, "f₀"),
                                                                     (QUALITY, "Q"))
                if n in by_name]
        return out or super().loop_fields(fields)

    # ---- getters for tests -------------------------------------------------------------------
    def fit_data(self) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._fit.getData()
        return np.asarray(x), np.asarray(y)

    def guess_data(self) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._guess.getData()
        return np.asarray(x), np.asarray(y)

    def band_region(self) -> tuple[float, float] | None:
        return tuple(self._band.getRegion()) if self._band.isVisible() else None

