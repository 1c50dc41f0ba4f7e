"""The chosen analysis and its parameters as typed: the session's configured analysis, its view.

The parameters form checks values against the declaration; the session checks them once more
only against the open spectra (a band outside the axis) and holds the result. Every valid edit
re-tests the selected pixel (the inspector listens to the session) and is remembered for that
analysis once the typing stops (or when the window closes), not on every keystroke.
"""

from __future__ import annotations

from PyQt5.QtCore import QObject, QTimer, pyqtSignal

from ...core.analyses.declaration import Analysis
from ...core.errors import PeakGUIError
from ..app.settings import Settings
from ..panels.parameters_panel import ParametersPanel
from ..session import Configured, Session
from ..views import AnalysisView, view_for
from ..views.loop_plot import LoopPlot
from ..widgets.spectrum_view import SpectrumView
from .map_layers import MapLayers

REMEMBER_DELAY_MS = 1000  # typing pause before the parameters are written to the settings


class AnalysisPresenter(QObject):
    """Connects the parameters panel to the session, and the session to the analysis' view."""

    sigViewChanged = pyqtSignal(object)
    """Another analysis view was chosen (carries it; its ``panel()`` may be docked)."""

    def __init__(self, session: Session, panel: ParametersPanel, settings: Settings,
                 layers: MapLayers, spectrum_view: SpectrumView, loop_plot: LoopPlot,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.session, self.panel, self.settings, self.layers = session, panel, settings, layers
        self.spectrum_view, self.loop_plot = spectrum_view, loop_plot
        self.view: AnalysisView | None = None  # draws the pixel detail
        self._field_names: list[str] | None = None  # result fields the plots are set up for
        self._remember_timer = QTimer(self)
        self._remember_timer.setSingleShot(True)
        self._remember_timer.setInterval(REMEMBER_DELAY_MS)
        self._remember_timer.timeout.connect(self.remember)
        panel.sigAnalysisChanged.connect(self._on_panel_analysis_changed)
        panel.sigParamsChanged.connect(self._on_panel_params_changed)
        panel.sigParamsInvalid.connect(self._on_panel_params_invalid)
        session.configured_changed.connect(self._on_session_configured_changed)

    def ensure_view(self) -> None:
        """Set up the view of the analysis the panel shows (at start-up)."""
        analysis = self.panel.analysis()
        if self.view is None and analysis is not None:
            self._on_panel_analysis_changed(analysis)

    def use(self, name: str | None, given: dict | None = None) -> str:
        """The analysis and parameters a command line asked for (``--analysis``, ``--param``):
        its defaults overlaid with ``given``. Returns why not ('' when done)."""
        from ...core.analyses import registry

        try:
            analysis = registry.get(name or registry.DEFAULT)
            values = analysis.values(given)
        except (KeyError, ValueError, PeakGUIError) as exc:
            return str(exc.args[0] if exc.args else exc)
        if not self.panel.set_analysis(analysis.name):
            return f"the analysis {analysis.name!r} is not available in the window"
        self.panel.set_params(values)
        return ""

    def remember(self) -> None:
        """The chosen analysis and its valid parameters, for the next session."""
        self._remember_timer.stop()
        analysis, params = self.panel.analysis(), self.panel.params()
        if analysis is not None:
            self.settings.set_analysis_name(analysis.name)
            if params is not None:
                self.settings.set_analysis_params(analysis.name, params)

    def apply_params(self, params: dict | None) -> None:
        """The analysis with these parameters as the form checked them (None: not valid)."""
        analysis = self.panel.analysis()
        if params is None:
            self.session.refuse(analysis, self.panel.error(), self.panel.error_fields())
        else:
            self.session.configure(analysis, params, checked=True)

    # ---- the panel and the session --------------------------------------------------------------
    def _on_panel_analysis_changed(self, analysis: Analysis) -> None:
        self.panel.set_params(self.settings.analysis_params(analysis.name), emit=False)
        self.view = view_for(analysis)
        self.sigViewChanged.emit(self.view)
        self._field_names = None
        self.layers.set_analysis(analysis, None, self.view.bad_label)
        self.layers.set_result_layers([])
        self._remember_timer.start()
        self.apply_params(self.panel.params())

    def _on_panel_params_changed(self, params: dict) -> None:
        self.apply_params(params)
        self._say_why(self.session.configured)  # unchanged verdicts send no event: say it again
        self._remember_timer.start()

    def _on_panel_params_invalid(self, reason: str) -> None:
        self.session.refuse(self.panel.analysis(), reason, self.panel.error_fields())

    def _on_session_configured_changed(self, configured: Configured) -> None:
        run = configured.run
        fields = run.result_fields() if run is not None else []
        if run is not None and self.view is not None:  # derived maps and the bad mask
            self.layers.set_analysis(run.analysis, run.context, self.view.bad_label)
        names = [f.name for f in fields]
        if self.view is not None and (self.spectrum_view.overlay() is not self.view
                                      or names != self._field_names):
            self.spectrum_view.set_overlay(self.view, fields)
            self.loop_plot.set_fields(self.view.loop_fields(fields))
        self._field_names = names
        self._say_why(configured)

    def _say_why(self, configured: Configured) -> None:
        """The session's word on the set-up, beside the field it is about."""
        if configured.analysis is not None and configured.params is None:
            self.panel.show_error(configured.error, configured.fields)
        else:
            self.panel.show_error("")
