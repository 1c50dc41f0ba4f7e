"""The pixel inspector: read the selected position's spectra once, re-test on every parameter edit.

Reading a pixel reads only that position's row (the core's ``read_position``), so it is done in
the GUI thread. The test is the core's ``inspect_spectrum`` — exactly what ``PeakFinder.test``
runs — on the cached row, so editing a parameter costs one ``find_peaks_cwt`` call, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PyQt5.QtCore import QObject, pyqtSignal

from ..core.analyses.peak_finding.peaks import PeakParams, PixelTest, inspect_spectrum
from ..core.io.source import SpectralSource
from .run_controller import error_text


@dataclass
class PixelReport:
    """One selected pixel: where it is, its spectrum and the peak test on it."""

    position: int
    row: int
    col: int
    step: int
    spectrum: np.ndarray | None  # (S,) along the spectral dimension
    test: PixelTest | None
    error: str = ""


class PixelInspector(QObject):
    """Holds the selected pixel and re-runs the peak test when the parameters change."""

    sigInspected = pyqtSignal(object)
    """A pixel was read and/or tested again (carries a PixelReport)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.source: SpectralSource | None = None
        self.params: PeakParams | None = PeakParams()
        self.step = 0
        self.report: PixelReport | None = None
        self._spectra: np.ndarray | None = None  # (N, S) of the selected position

    @property
    def spectra(self) -> np.ndarray | None:
        """The selected position's (N, S) spectra as read (None if unread or unreadable)."""
        return self._spectra

    def set_source(self, source: SpectralSource | None) -> None:
        self.source = source
        self.step = 0
        self.report = None
        self._spectra = None

    def select(self, row: int, col: int) -> PixelReport | None:
        """Read the pixel's row from the file and test it."""
        if self.source is None:
            return None
        lay = self.source.layout
        try:
            position = lay.position_of(row, col)
        except IndexError:
            return None
        try:
            self._spectra = self.source.read_position(position)
            error = ""
        except Exception as exc:  # noqa: BLE001 - a bad read is shown, not raised
            self._spectra = None
            error = f"reading position {position} failed: {error_text(exc)}"
        self.report = PixelReport(position, row, col, self.step, None, None, error)
        return self._retest()

    def set_params(self, params: PeakParams | None) -> PixelReport | None:
        """New parameters (None: invalid ones) -> test the selected pixel again."""
        self.params = params
        return self._retest()

    def set_step(self, step: int) -> PixelReport | None:
        self.step = step
        if self.report is not None:
            self.report.step = step
        return self._retest()

    def _retest(self) -> PixelReport | None:
        rep = self.report
        if rep is None or self.source is None:
            return None
        if self._spectra is not None:
            rep.spectrum = self._spectra[min(rep.step, len(self._spectra) - 1)]
            if self.params is None:
                rep.test, rep.error = None, "parameters are not valid"
            else:
                try:
                    rep.test = inspect_spectrum(rep.spectrum, self.params,
                                                self.source.layout.spectral.values)
                    rep.error = ""
                except (ValueError, FloatingPointError) as exc:
                    rep.test, rep.error = None, f"peak test failed: {exc}"
        self.sigInspected.emit(rep)
        return rep
