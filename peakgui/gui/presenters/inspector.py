"""The pixel inspector: read the selected position and test it, in a worker.

Reading a pixel reads only that position's row (the core's ``read_position``); the test is the
analysis' pixel inspection on the spectrum at the selected step, and the loop test its compute
over every step of the position. Both run in the inspector's worker, never on the GUI thread, so
a slow plugin never freezes the window; a newer pixel, step or set-up abandons an older test. A
new set-up re-tests the cached row: editing a parameter costs no I/O.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

import numpy as np
from PyQt5.QtCore import QObject, pyqtSignal

from ...core.analyses.declaration import PixelDetail
from ...core.io.source import SpectralSource
from ...core.run.engine import AnalysisRun
from ..formatting import error_text
from ..session import Configured, Session
from ..workers import LatestOnly
from .map_layers import with_derived


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
    spectra: np.ndarray | None = None  # (N, S): every step of the position
    loop: dict[str, np.ndarray] | None = None  # the analysis at every step (N > 1)


def inspect_pixel(source: SpectralSource, report: PixelReport, spectra: np.ndarray | None,
                  run: AnalysisRun | None) -> Generator[PixelReport, None, None]:
    """The worker's generator: read the position (unless ``spectra`` are given), then test its
    spectrum at the report's step and, with more than one step, every step. A chained analysis
    (the loop fit) is tested on the position's row of its input group instead, every step at
    once; the spectrum shown stays the raw one."""
    if spectra is None:
        try:
            spectra = source.read_position(report.position)
        except (OSError, ValueError) as exc:
            report.error = f"reading position {report.position} failed: {error_text(exc)}"
            yield report
            return
    report.spectra = spectra
    report.spectrum = spectra[min(report.step, len(spectra) - 1)]
    if run is None:
        report.detail, report.error = None, "parameters are not valid"
    elif run.source is not source:  # chained: the analysis reads its input group's row
        try:
            report.detail = run.inspect(run.source.read_position(report.position))
        except (OSError, ValueError, FloatingPointError) as exc:
            report.detail, report.error = None, f"pixel test failed: {error_text(exc)}"
    else:
        try:
            report.detail = run.inspect(report.spectrum)
        except (ValueError, FloatingPointError) as exc:
            report.detail, report.error = None, f"pixel test failed: {exc}"
        if len(spectra) > 1:
            try:
                report.loop = with_derived(run.analysis, run.compute(spectra))
            except (ValueError, FloatingPointError):
                report.loop = None
    yield report


class PixelInspector(QObject):
    """Follows the session's pixel, step and configured analysis; reports each tested pixel."""

    sigInspected = pyqtSignal(object)
    """A pixel was read and/or tested again (carries a PixelReport)."""

    def __init__(self, session: Session, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.report: PixelReport | None = None
        self._spectra: np.ndarray | None = None  # (N, S) of the selected position
        self._worker = LatestOnly(self)
        session.source_changed.connect(self._on_session_source_changed)
        session.pixel_changed.connect(self._on_session_pixel_changed)
        session.step_changed.connect(self._on_session_step_changed)
        session.configured_changed.connect(self._on_session_configured_changed)

    @property
    def source(self) -> SpectralSource | None:
        return self.session.source

    @property
    def run(self) -> AnalysisRun | None:
        """The analysis and parameters as set up (None when not valid)."""
        return self.session.configured.run

    @property
    def step(self) -> int:
        return self.session.step

    @property
    def spectra(self) -> np.ndarray | None:
        """The selected position's (N, S) spectra as read (None if unread or unreadable)."""
        return self._spectra

    def busy(self) -> bool:
        return self._worker.busy()

    def abort(self) -> None:
        self._worker.abort()

    # ---- the session ----------------------------------------------------------------------------
    def _on_session_source_changed(self, _source: SpectralSource | None) -> None:
        self._worker.abort()
        self.report = None
        self._spectra = None

    def _on_session_pixel_changed(self, pixel: tuple[int, int] | None) -> None:
        source = self.session.source
        if pixel is None or source is None:
            return
        row, col = pixel
        position = source.layout.position_of(row, col)
        self._spectra = None
        self._test(PixelReport(position, row, col, self.session.step, None, None))

    def _on_session_step_changed(self, step: int) -> None:
        if self.report is not None:
            self._test(self._again(step))

    def _on_session_configured_changed(self, _configured: Configured) -> None:
        if self.report is not None:
            self._test(self._again(self.session.step))

    def _again(self, step: int) -> PixelReport:
        r = self.report
        assert r is not None
        return PixelReport(r.position, r.row, r.col, step, None, None)

    def _test(self, pending: PixelReport) -> None:
        source = self.session.source
        if source is None:
            return
        self._worker.start(inspect_pixel, source, pending, self._spectra, self.run,
                           on_yield=self._on_tested,
                           on_error=lambda exc: self._on_tested(self._failed(pending, exc)))

    @staticmethod
    def _failed(report: PixelReport, exc: BaseException) -> PixelReport:
        report.error = f"pixel test failed: {error_text(exc)}"
        return report

    def _on_tested(self, report: PixelReport) -> None:
        self._spectra = report.spectra
        self.report = report
        self.sigInspected.emit(report)
