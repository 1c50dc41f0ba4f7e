"""The pixel inspector: read the selected position's spectra in a worker, re-test on every edit.

Reading a pixel reads only that position's row (the core's ``read_position``), in a worker, so a
slow disk or a file locked by a run never freezes the window; a newer click abandons an older
read. The test is the engine's ``inspect`` (the analysis' pixel inspection, exactly what
``AnalysisRun.test`` runs) on the cached row, so editing a parameter costs no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PyQt5.QtCore import QObject, pyqtSignal

from ...core.analyses.declaration import PixelDetail
from ...core.io.source import SpectralSource
from ...core.run.engine import AnalysisRun
from ..formatting import error_text
from ..workers import LatestOnly


@dataclass
class PixelReport:
    """One selected pixel: where it is, its spectrum and the analysis' detail of it."""

    position: int
    row: int
    col: int
    step: int
    spectrum: np.ndarray | None  # (S,) along the spectral dimension
    detail: PixelDetail | None
    error: str = ""


def read_pixel(source: SpectralSource, position: int):
    """The worker's generator: one position's (N, S) spectra."""
    yield source.read_position(position)


class PixelInspector(QObject):
    """Holds the selected pixel and re-runs the analysis' pixel test when the parameters change."""

    sigInspected = pyqtSignal(object)
    """A pixel was read and/or tested again (carries a PixelReport)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.source: SpectralSource | None = None
        self.run: AnalysisRun | None = None  # the analysis and parameters as typed
        self.step = 0
        self.report: PixelReport | None = None
        self._spectra: np.ndarray | None = None  # (N, S) of the selected position
        self._reader = LatestOnly(self)

    @property
    def spectra(self) -> np.ndarray | None:
        """The selected position's (N, S) spectra as read (None if unread or unreadable)."""
        return self._spectra

    def busy(self) -> bool:
        return self._reader.busy()

    def set_source(self, source: SpectralSource | None) -> None:
        self._reader.abort()
        self.source = source
        self.step = 0
        self.report = None
        self._spectra = None

    def select(self, row: int, col: int) -> bool:
        """Start reading a pixel's row; sigInspected follows when it is read and tested."""
        if self.source is None:
            return False
        try:
            position = self.source.layout.position_of(row, col)
        except IndexError:
            return False
        pending = PixelReport(position, row, col, self.step, None, None)
        self._reader.start(read_pixel, self.source, position,
                           on_yield=lambda spectra: self._on_read(pending, spectra, ""),
                           on_error=lambda exc: self._on_read(
                               pending, None, f"reading position {position} failed: "
                                              f"{error_text(exc)}"))
        return True

    def set_run(self, run: AnalysisRun | None) -> PixelReport | None:
        """New analysis or parameters (None: invalid ones) -> test the selected pixel again."""
        self.run = run
        return self._retest()

    def set_step(self, step: int) -> PixelReport | None:
        self.step = step
        if self.report is not None:
            self.report.step = step
        return self._retest()

    def _on_read(self, report: PixelReport, spectra: np.ndarray | None, error: str) -> None:
        self._spectra = spectra
        report.step = self.step
        report.error = error
        self.report = report
        self._retest()

    def _retest(self) -> PixelReport | None:
        rep = self.report
        if rep is None or self.source is None:
            return None
        if self._spectra is not None:
            rep.spectrum = self._spectra[min(rep.step, len(self._spectra) - 1)]
            if self.run is None:
                rep.detail, rep.error = None, "parameters are not valid"
            else:
                try:
                    rep.detail = self.run.inspect(rep.spectrum)
                    rep.error = ""
                except (ValueError, FloatingPointError) as exc:
                    rep.detail, rep.error = None, f"pixel test failed: {exc}"
        self.sigInspected.emit(rep)
        return rep
