"""A run as the window shows it: starting it, the live maps, the progress panel and the outcome.

A run starts only here, from Start (F5), Recompute or the info bar's Resume, and only when the
session says it can: a dataset is open, the parameters are valid for its spectra and no run is
under way. Where the run stands goes to the session's run status, which the run panel and the
actions follow.
"""

from __future__ import annotations

import logging

from PyQt5.QtCore import QObject, pyqtSignal

from ...core.errors import PeakGUIError
from ...core.io.h5access import check_readable_hdf5, lock_holder_text
from ...core.io.results import ResultsRef, results_parent
from ...core.run.engine import AnalysisRun
from ...core.run.progress import Progress, ProgressState
from ...core.run.target import TargetReason
from ..app.settings import Settings
from ..formatting import duration, error_text, rate, step_suffix
from ..panels.compute_target import LOCAL
from ..panels.parameters_panel import ParametersPanel
from ..panels.run_panel import RunPanel
from ..session import RunPhase, RunStatus, Session
from ..session.chained import step_in
from ..views.loop_plot import LoopPlot
from ..widgets.info_bar import InfoBar, InfoKind
from .analysis_presenter import AnalysisPresenter
from .feedback import Feedback
from .map_layers import MapLayers
from .results_browser import ResultsBrowser
from .results_maps import LiveMaps
from .run_controller import RunController, RunState
from .warmup import WarmUp

log = logging.getLogger(__name__)


class RunPresenter(QObject):
    """Connects the run controller to the session, the live maps and the run panel."""

    sigCloseWanted = pyqtSignal()
    """The run stopped because the window is closing: close it now."""
    sigFileChanged = pyqtSignal(str)
    """A run wrote a new group into the open file (carries the group's parent path)."""

    def __init__(self, session: Session, controller: RunController, live_maps: LiveMaps,
                 panel: ParametersPanel, run_panel: RunPanel, layers: MapLayers,
                 info_bar: InfoBar, loop_plot: LoopPlot, results: ResultsBrowser,
                 analysis: AnalysisPresenter, settings: Settings, feedback: Feedback,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.session, self.rc, self.live_maps, self.panel = session, controller, live_maps, panel
        self.run_panel, self.layers, self.info_bar = run_panel, layers, info_bar
        self.loop_plot, self.results, self.analysis = loop_plot, results, analysis
        self.settings, self.feedback = settings, feedback
        self.chunk_seconds = 0.4  # seconds of work per chunk: how soon Pause/Cancel take effect
        self.last_progress: Progress | None = None
        self.close_after_stop = False
        self._run_ref: ResultsRef | None = None
        self._titles: dict[str, str] = {}
        self._group_short = ""  # the running group's short name, for the map titles
        self.warmup = WarmUp(self)
        rc = controller
        rc.sigConnected.connect(self._on_run_connected)
        rc.sigProgressed.connect(self._on_run_progressed)
        rc.sigPaused.connect(self._on_run_paused)
        rc.sigResumed.connect(self._on_run_resumed)
        rc.sigReused.connect(self._on_run_reused)
        rc.sigFinished.connect(self._on_run_finished)
        rc.sigCancelled.connect(self._on_run_cancelled)
        rc.sigErrored.connect(self._on_run_errored)
        rc.sigStateChanged.connect(self._on_run_state_changed)
        rc.sigStopped.connect(self._on_run_stopped)
        live_maps.sigMapsUpdated.connect(self._on_live_maps_updated)
        results.sigStartWanted.connect(lambda force: self.start(force))

    def run_for(self, backend=None) -> AnalysisRun | None:
        """The engine for the session's configured analysis with the panel's resources (None
        when the parameters are not valid for the open spectra); nothing is read."""
        set_up = self.session.configured.run
        if set_up is None or self.session.source is None:
            return None
        return AnalysisRun.from_configured(
            set_up.source, set_up.configured, n_jobs=self.panel.jobs(),
            max_mem_mb=self.panel.max_mem_mb(), chunk_seconds=self.chunk_seconds,
            backend=backend, worker_kind=self.panel.compute_target().local_kind())

    def start(self, force: bool = False) -> bool:
        """Run the analysis over the dataset in a worker (resumes or reuses)."""
        s = self.session
        if not self.rc.is_active():
            self.panel.commit()  # the values as shown, not those before the last keystrokes
        why = s.can_start()
        if why or self.rc.is_active():
            if s.source is not None and not self.rc.is_active():
                self.feedback.error("Cannot run", why)
            return False
        source = s.source
        assert source is not None  # can_start() says why not otherwise
        compute = self.panel.compute_target()
        try:
            check_readable_hdf5(source.file)  # deleted or moved since it was opened?
            backend = compute.backend(self.panel.jobs())  # parses only; no connection
            run = self.run_for(backend)
            assert run is not None
            target = run.results_target()
        except (PeakGUIError, OSError, ValueError) as exc:
            self.feedback.error("Cannot run", error_text(exc))
            return False
        self.analysis.remember()
        self.settings.set_compute_target(compute)
        self._say_target(target, source.file)
        self.results.abort()
        fields = [f for f in run.result_fields() if not f.per_point]  # maps: one value a step
        lay = run.source.layout  # a chained run's steps are its input group's
        self.live_maps.start(lay, [f.name for f in fields],
                             step_in(source.layout, s.step, lay))
        specs = self.results.layer_specs([f.name for f in fields])
        self.layers.set_result_layers(specs)
        self._titles = {key: label for key, label, _ in specs}
        suffix = step_suffix(lay, self.live_maps.step)
        for f in fields:
            self.layers.set_layer(f.name, self.live_maps.images[f.name],
                                  f"{self._titles[f.name]} · running{suffix}", f.units)
        if fields and self.analysis.view is not None:
            self.layers.show(self.analysis.view.main_field([f.name for f in fields])
                             or fields[0].name)
        self.results.results = None
        self.session.show_group(None)  # the map shows the run's live maps: its group, once known
        self.loop_plot.set_results(None)
        self._run_ref = None
        self._group_short = ""
        self.last_progress = None
        self.run_panel.reset()
        self.run_panel.set_note("")
        # local runs: the engine's own words (threads or processes, how many); nothing starts
        # until the run enters its backend
        where = (compute.describe(run.n_jobs, run.worker_kind.value) if backend is not None
                 else run.backend.describe())
        self.run_panel.set_where(f"Computes on {where}")
        s.set_run(RunStatus(RunPhase.WARMING_UP, message=f"Connecting to {where}…"
                            if backend is not None else f"Starting on {where}…"))
        self.rc.start(run, force, backend)
        self.feedback.status("Running the analysis…")
        return True

    def _say_target(self, target, source_file) -> None:
        if target.separate:
            reason = target.text
            if target.reason is TargetReason.LOCKED:  # who holds it, with its process id
                reason = f"the source file is locked by {lock_holder_text(source_file)}"
            self.info_bar.show_message(
                f"Results go to the sidecar file <b>{target.file.name}</b>: {reason} "
                "(the source file is not modified).", InfoKind.WARNING)
        elif self.info_bar.kind in (InfoKind.OK, InfoKind.INFO):
            self.info_bar.hide()

    def warm_up(self) -> None:
        """Warm up what a run of this dataset needs, so the first Start does not wait."""
        if self.panel.compute_target().mode != LOCAL:
            return  # the kernel runs on the cluster's workers
        try:
            run = self.run_for()
        except (PeakGUIError, OSError, ValueError):
            return
        self.warmup.start(run)

    def toggle_pause(self) -> None:
        if self.rc.state is RunState.RUNNING:
            self.rc.pause()
        else:
            self.rc.resume()

    # ---- the controller's events ----------------------------------------------------------------
    def _on_run_connected(self, where: str) -> None:
        self.run_panel.set_where(f"Computes on {where}")
        self.session.update_run(message="Connected; starting…")

    def _on_run_progressed(self, prog: Progress) -> None:
        self.last_progress = prog
        self.live_maps.apply(prog)
        self.run_panel.show_progress(prog)
        changes: dict = {}  # the panel shows the count itself: the status changes rarely
        if self.session.run.phase is RunPhase.WARMING_UP:
            changes["phase"] = RunPhase.RUNNING
        if prog.results != self._run_ref:
            self._run_ref = prog.results
            name = prog.results.group.rsplit("/", 1)[-1]
            self._group_short = name.rsplit("-", 1)[-1]
            self._set_map_titles("running")
            where = f" in {prog.results.file.name}" if prog.results.sidecar else ""
            changes.update(group=prog.results, message=f"Writing {name}{where}")
            self.session.show_group(prog.results)
        if changes:
            self.session.update_run(**changes)

    def _set_map_titles(self, doing: str) -> None:
        """The live maps' titles say what the run is doing ('running', 'paused')."""
        group = f"{self._group_short} " if self._group_short else ""
        source = self.session.run_source
        suffix = step_suffix(source.layout if source else None, self.live_maps.step)
        for key, label in self._titles.items():
            self.layers.set_title(key, f"{label} · {group}({doing}){suffix}")

    def _on_live_maps_updated(self) -> None:
        for key in self.live_maps.images:
            self.layers.refresh(key)

    def _on_run_paused(self, last: Progress | None) -> None:
        if self.rc.state is not RunState.PAUSED:
            return
        done = f" at {last.done:,} / {last.total:,} positions" if last else ""
        self.session.update_run(phase=RunPhase.PAUSED, message=f"Paused{done}. Finished "
                                "chunks are saved; Resume (F6) continues.")
        self.run_panel.show_paused(last)
        self._set_map_titles("paused")
        self.feedback.status(f"Paused{done}")

    def _on_run_resumed(self) -> None:
        self.session.update_run(phase=RunPhase.RUNNING, message="Running…")
        self.run_panel.show_resumed(self.last_progress)
        self._set_map_titles("running")
        self.feedback.status("Resumed")

    def _run_ended(self, prog: Progress) -> str:
        """Shows the run's last report; returns the short name of its results group."""
        self.last_progress = prog
        self.live_maps.stop()
        self.run_panel.show_progress(prog)
        return prog.results.group.rsplit("/", 1)[-1]

    def _on_run_reused(self, prog: Progress) -> None:
        name = self._run_ended(prog)
        source = self.session.run_source
        self.results.load(prog.results, " (reused)", source.layout if source else None,
                          on_error=lambda exc: self.feedback.error("Cannot show the results",
                                                                   error_text(exc)))
        msg = (f"Reused {name}: complete results with these parameters already existed, "
               "nothing was computed.")
        self.session.set_run(RunStatus(RunPhase.REUSED, prog.results, prog.done, prog.total,
                                       msg))
        self.feedback.status(msg, 10000)

    def _on_run_finished(self, prog: Progress) -> None:
        name = self._run_ended(prog)
        # the engine's rate, per spectrum of what the run read (a loop fit's are loops, not
        # the raw file's spectra): the same figure as the run panel's
        msg = (f"Done: {prog.computed:,} positions computed in {duration(prog.elapsed)} "
               f"({rate(prog.rate)}); results in {name}"
               + (f" ({prog.results.file.name})" if prog.results.sidecar else ""))
        self.session.set_run(RunStatus(RunPhase.FINISHED, prog.results, prog.done, prog.total,
                                       msg))
        self.feedback.status(msg, 15000)

    def _on_run_cancelled(self, last: Progress | None) -> None:
        self.live_maps.stop()
        done = f" at {last.done:,} / {last.total:,} positions" if last else ""
        msg = f"Cancelled{done}. Finished chunks are saved; Start resumes where it stopped."
        self.session.set_run(RunStatus(RunPhase.IDLE, last.results if last else None,
                                       last.done if last else 0, last.total if last else 0,
                                       msg))
        self.feedback.status(msg, 15000)

    def _on_run_errored(self, message: str) -> None:
        self.live_maps.stop()
        self.session.update_run(phase=RunPhase.FAILED, message=f"Failed: {message}")
        self.feedback.status(f"The run failed: {message}", 15000)
        self.feedback.error("The run failed",
                            f"{message}\n\nFinished chunks are kept; Start resumes.")

    def _on_run_state_changed(self, state: RunState) -> None:
        if state is RunState.PAUSING:
            self.session.update_run(message="Pausing after the chunk in flight…")
        elif state is RunState.CANCELLING:
            self.session.update_run(message="Cancelling after the chunk in flight…")

    def _on_run_stopped(self) -> None:
        s = self.session
        if s.run.phase.active:  # stopped without a word (the worker ended)
            s.update_run(phase=RunPhase.IDLE)
        if self.close_after_stop:
            self.sigCloseWanted.emit()
            return
        if s.source is not None and s.source.file == s.file:
            self.sigFileChanged.emit(results_parent(s.source.dataset)[0])  # show the new group
        last = self.last_progress
        if last is not None and last.state is ProgressState.FINISHED:
            src = s.run_source
            self.results.load(last.results, "", src.layout if src else None)
        elif last is None or last.state is not ProgressState.REUSED:
            self.results.check_existing()  # offers Resume after a cancel or an error
