"""The chosen analysis and its parameters as typed: the engine for them, its view, its fields.

Every valid edit re-tests the selected pixel (no I/O), redraws the loop, is remembered for that
analysis, and (after a short pause in the typing) looks for earlier results with these values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PyQt5.QtCore import QObject, QTimer

from ..core.analyses.declaration import Analysis
from ..core.errors import PeakGUIError
from ..core.run.engine import AnalysisRun, configured_for
from .analyses import AnalysisView, view_for

if TYPE_CHECKING:
    from .main_window import MainWindow

EXISTING_DELAY_MS = 250  # typing pause before earlier results are looked for


class AnalysisPresenter(QObject):
    """Connects the parameters panel to the inspector, the plots and the results browser."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.w = window
        self.view: AnalysisView | None = None  # draws the pixel detail
        self._field_names: list[str] = []  # result fields the plots are set up for
        self._existing_timer = QTimer(self)
        self._existing_timer.setSingleShot(True)
        self._existing_timer.setInterval(EXISTING_DELAY_MS)
        self._existing_timer.timeout.connect(self.check_existing)
        panel = window.params_panel
        panel.sigAnalysisChanged.connect(self._on_panel_analysis_changed)
        panel.sigParamsChanged.connect(self.apply_params)
        panel.sigParamsInvalid.connect(self._on_panel_params_invalid)

    def ensure_view(self) -> None:
        """Set up the view of the analysis the panel shows (at start-up)."""
        analysis = self.w.params_panel.analysis()
        if self.view is None and analysis is not None:
            self._on_panel_analysis_changed(analysis)

    def use(self, name: str | None, given: dict | None = None) -> str:
        """The analysis and parameters a command line asked for (``--analysis``, ``--param``):
        its defaults overlaid with ``given``. Returns why not ('' when done)."""
        from ..core.analyses import registry

        try:
            analysis = registry.get(name or registry.DEFAULT)
            values = analysis.values(given)
        except (KeyError, ValueError, PeakGUIError) as exc:
            return str(exc.args[0] if exc.args else exc)
        panel = self.w.params_panel
        if not panel.set_analysis(analysis.name):
            return f"the analysis {analysis.name!r} is not available in the window"
        panel.set_params(values)
        return ""

    def run_for(self, params: dict | None = None, backend=None) -> AnalysisRun | None:
        """The engine for the current source, analysis and parameters as typed (None when the
        parameters are not valid); nothing is read."""
        w = self.w
        analysis = w.params_panel.analysis()
        params = params if params is not None else w.params_panel.params()
        if w.source is None or analysis is None or params is None:
            return None
        # the panel checked the values: only the checks against this source's spectra run
        return AnalysisRun.from_configured(
            w.source, configured_for(w.source, analysis, params), n_jobs=w.params_panel.jobs(),
            max_mem_mb=w.params_panel.max_mem_mb(), chunk_seconds=w.chunk_seconds,
            backend=backend, worker_kind=w.params_panel.compute_target().local_kind())

    def apply_params(self, params: dict | None) -> None:
        """The analysis with these parameters (None: invalid) for the inspector and the plots."""
        w = self.w
        try:
            run = self.run_for(params) if params is not None else None
        except (PeakGUIError, ValueError):
            run = None
        fields = run.result_fields() if run is not None else []
        if run is not None and self.view is not None:  # derived maps and the bad mask
            w.layers.set_analysis(run.analysis, run.context, self.view.bad_label)
        if self.view is not None and (w.spectrum_view.overlay() is not self.view
                                      or [f.name for f in fields] != self._field_names):
            w.spectrum_view.set_overlay(self.view, fields)
            w.loop_plot.set_fields(self.view.loop_fields(fields))
        self._field_names = [f.name for f in fields]
        analysis = w.params_panel.analysis()
        if params is not None and analysis is not None:
            w.settings.set_analysis_params(analysis.name, params)
        w.inspector.set_run(run)
        self._existing_timer.start()
        w.update_actions()

    def check_existing(self) -> None:
        """Look for earlier results with the parameters as typed (now, not after a pause)."""
        self._existing_timer.stop()
        self.w.results_browser.check_existing()

    def _on_panel_analysis_changed(self, analysis: Analysis) -> None:
        w = self.w
        w.settings.set_analysis_name(analysis.name)
        w.params_panel.set_params(w.settings.analysis_params(analysis.name), emit=False)
        self.view = view_for(analysis)
        w.layers.set_analysis(analysis, None, self.view.bad_label)
        w.results_browser.clear()
        w.layers.set_result_layers([])
        self.apply_params(w.params_panel.params())

    def _on_panel_params_invalid(self, _reason: str) -> None:
        self.w.inspector.set_run(None)
        self.w.update_actions()
