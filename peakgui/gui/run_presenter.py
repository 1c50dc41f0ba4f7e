"""A run as the window shows it: starting it, the live maps, the progress panel and the outcome."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PyQt5.QtCore import QObject
from PyQt5.QtWidgets import QStyle

from ..core.errors import PeakGUIError
from ..core.io.h5access import check_readable_hdf5, lock_holder_text
from ..core.io.results import ResultsRef
from ..core.run.progress import Progress, ProgressState
from ..core.run.target import TargetReason
from .compute_target import LOCAL
from .formatting import duration, error_text, rate
from .results_maps import LiveMaps
from .run_controller import RunController, RunState
from .warmup import WarmUp

if TYPE_CHECKING:
    from .main_window import MainWindow

log = logging.getLogger(__name__)


class RunPresenter(QObject):
    """Connects the run controller to the map, the run panel, the status bar and the actions."""

    def __init__(self, window: MainWindow, controller: RunController, live_maps: LiveMaps):
        super().__init__(window)
        self.w = window
        self.rc = controller
        self.live_maps = live_maps
        self.last_progress: Progress | None = None
        self.close_after_stop = False
        self._run_ref: ResultsRef | None = None
        self._titles: dict[str, str] = {}
        self._group_short = ""  # the running group's short name, for the map titles
        self.warmup = WarmUp(self)
        window.sigDatasetOpened.connect(self._on_window_dataset_opened)
        rc = controller
        rc.sigStarted.connect(self._on_run_started)
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

    def start(self, force: bool = False) -> bool:
        """Run the analysis over the dataset in a worker (resumes or reuses)."""
        w = self.w
        if w.source is None or self.rc.is_active():
            return False
        params = w.params_panel.params()
        if params is None:
            w.error("Parameters not valid", w.params_panel.error())
            return False
        compute = w.params_panel.compute_target()
        try:
            check_readable_hdf5(w.source.file)  # deleted or moved since it was opened?
            backend = compute.backend(w.params_panel.jobs())  # parses only; no connection
            run = w.analysis_run(backend=backend)
            if run is None:  # no source or no valid parameters: checked above
                return False
            target = run.results_target()
        except (PeakGUIError, OSError, ValueError) as exc:
            w.error("Cannot run", error_text(exc))
            return False
        w.remember_analysis()
        w.settings.set_compute_target(compute)
        if target.separate:
            reason = target.text
            if target.reason is TargetReason.LOCKED:  # who holds it, with its process id when the OS says
                reason = f"the source file is locked by {lock_holder_text(w.source.file)}"
            w.info_bar.show_message(
                f"Results go to the sidecar file <b>{target.file.name}</b>: {reason} "
                "(the source file is not modified).", "warning")
        elif w.info_bar.kind in ("ok", "info"):
            w.info_bar.hide()
        w.results_browser.abort()
        fields = run.result_fields()
        self.live_maps.start(w.source.layout, [f.name for f in fields], w.inspector.step)
        specs = w.results_browser.layer_specs([f.name for f in fields])
        w.layers.set_result_layers(specs)
        self._titles = {key: label for key, label, _ in specs}
        suffix = w.step_suffix(w.inspector.step)
        for f in fields:
            w.layers.set_layer(f.name, self.live_maps.images[f.name],
                               f"{self._titles[f.name]} · running{suffix}", f.units)
        if fields:
            view = w.analysis.view
            main = view.main_field([f.name for f in fields]) if view is not None else None
            w.layers.show(main or fields[0].name)
        w.results_browser.results = None
        w.loop_plot.set_results(None)
        w.start_action.setText("Start")  # not "Resume" once this run is under way
        self._run_ref = None
        self._group_short = ""
        self.last_progress = None
        w.run_panel.reset()
        # local runs: the engine's own words (threads or processes, how many); nothing starts
        # until the run enters its backend
        where = (compute.describe(run.n_jobs, run.worker_kind.value) if backend is not None
                 else run.backend.describe())
        w.run_panel.set_where(f"Computes on {where}")
        w.run_panel.set_message(f"Connecting to {where}…" if backend is not None
                                else f"Starting on {where}…")
        self.rc.start(run, force, backend)
        return True

    def _on_window_dataset_opened(self, _dataset: str) -> None:
        """Warm up what a run of this dataset needs, so the first Start does not wait."""
        w = self.w
        if w.params_panel.compute_target().mode != LOCAL:
            return  # the kernel runs on the cluster's workers
        try:
            run = w.analysis_run()
        except (PeakGUIError, OSError, ValueError):
            return
        self.warmup.start(run)

    def toggle_pause(self) -> None:
        if self.rc.state is RunState.RUNNING:
            self.rc.pause()
        else:
            self.rc.resume()

    def update_actions(self) -> None:
        w = self.w
        state = self.rc.state
        idle = state is RunState.IDLE
        has_source = w.source is not None
        valid = w.params_panel.params() is not None
        w.start_action.setEnabled(idle and has_source and valid)
        w.recompute_action.setEnabled(idle and has_source and valid)
        w.pause_action.setEnabled(state in (RunState.RUNNING, RunState.PAUSING,
                                            RunState.PAUSED))
        paused = state in (RunState.PAUSING, RunState.PAUSED)
        w.pause_action.setText("Resume" if paused else "Pause")
        w.pause_action.setIcon(w.style().standardIcon(
            QStyle.SP_MediaPlay if paused else QStyle.SP_MediaPause))
        w.cancel_action.setEnabled(not idle and state is not RunState.CANCELLING)
        w.params_panel.set_editable(idle)
        w.open_action.setEnabled(idle)
        w.recent_menu.setEnabled(idle)
        w.close_action.setEnabled(idle and w.file is not None)
        has_map = w.layers.current_image() is not None
        for a in (w.export_png_action, w.export_csv_action, w.export_npy_action):
            a.setEnabled(has_source or has_map)

    # ---- the controller's events ----------------------------------------------------------------
    def _on_run_started(self) -> None:
        self.w.statusBar().showMessage("Running the analysis…")

    def _on_run_connected(self, where: str) -> None:
        self.w.run_panel.set_where(f"Computes on {where}")
        self.w.run_panel.set_message("Connected; starting…")

    def _on_run_progressed(self, prog: Progress) -> None:
        w = self.w
        self.last_progress = prog
        self.live_maps.apply(prog)
        w.run_panel.show_progress(prog)
        if prog.results != self._run_ref:
            self._run_ref = prog.results
            name = prog.results.group.rsplit("/", 1)[-1]
            self._group_short = name.rsplit("-", 1)[-1]
            self._set_map_titles("running")
            where = f" in {prog.results.file.name}" if prog.results.sidecar else ""
            w.run_panel.set_message(f"Writing {name}{where}")

    def _set_map_titles(self, doing: str) -> None:
        """The live maps' titles say what the run is doing ('running', 'paused')."""
        w = self.w
        group = f"{self._group_short} " if self._group_short else ""
        suffix = w.step_suffix(self.live_maps.step)
        for key, label in self._titles.items():
            w.layers.set_title(key, f"{label} · {group}({doing}){suffix}")

    def _on_live_maps_updated(self) -> None:
        for key in self.live_maps.images:
            self.w.layers.refresh(key)

    def _on_run_paused(self, last: Progress | None) -> None:
        if self.rc.state is not RunState.PAUSED:
            return
        done = f" at {last.done:,} / {last.total:,} positions" if last else ""
        self.w.run_panel.set_message(f"Paused{done}. Finished chunks are saved; Resume (F6) "
                                     "continues.")
        self.w.run_panel.show_paused(last)
        self._set_map_titles("paused")
        self.w.statusBar().showMessage(f"Paused{done}")

    def _on_run_resumed(self) -> None:
        self.w.run_panel.set_message("Running…")
        self.w.run_panel.show_resumed(self.last_progress)
        self._set_map_titles("running")
        self.w.statusBar().showMessage("Resumed")

    def _on_run_reused(self, prog: Progress) -> None:
        w = self.w
        self.last_progress = prog
        self.live_maps.stop()
        w.run_panel.show_progress(prog)
        name = prog.results.group.rsplit("/", 1)[-1]
        w.results_browser.load(prog.results, " (reused)", w.source.layout if w.source else None,
                               on_error=lambda exc: w.error("Cannot show the results",
                                                            error_text(exc)))
        msg = (f"Reused {name}: complete results with these parameters already existed, "
               "nothing was computed.")
        w.run_panel.set_message(msg)
        w.statusBar().showMessage(msg, 10000)

    def _on_run_finished(self, prog: Progress) -> None:
        w = self.w
        self.last_progress = prog
        self.live_maps.stop()
        w.run_panel.show_progress(prog)
        name = prog.results.group.rsplit("/", 1)[-1]
        spectra = prog.computed * (w.source.layout.n_steps if w.source else 1)
        msg = (f"Done: {prog.computed:,} positions computed in {duration(prog.elapsed)} "
               f"({rate(spectra / prog.elapsed if prog.elapsed else 0)}); results in {name}"
               + (f" ({prog.results.file.name})" if prog.results.sidecar else ""))
        w.run_panel.set_message(msg)
        w.statusBar().showMessage(msg, 15000)

    def _on_run_cancelled(self, last: Progress | None) -> None:
        self.live_maps.stop()
        done = f" at {last.done:,} / {last.total:,} positions" if last else ""
        msg = f"Cancelled{done}. Finished chunks are saved; Start resumes where it stopped."
        self.w.run_panel.set_message(msg)
        self.w.statusBar().showMessage(msg, 15000)

    def _on_run_errored(self, message: str) -> None:
        self.live_maps.stop()
        self.w.run_panel.set_message(f"Failed: {message}")
        self.w.statusBar().showMessage(f"The run failed: {message}", 15000)
        self.w.error("The run failed", f"{message}\n\nFinished chunks are kept; Start resumes.")

    def _on_run_state_changed(self, state: RunState) -> None:
        if state is RunState.PAUSING:
            self.w.run_panel.set_message("Pausing after the chunk in flight…")
        elif state is RunState.CANCELLING:
            self.w.run_panel.set_message("Cancelling after the chunk in flight…")
        self.update_actions()

    def _on_run_stopped(self) -> None:
        w = self.w
        self.update_actions()
        if self.close_after_stop:
            w.close()
            return
        if w.source is not None and w.source.file == w.file:
            w.tree.refresh_path(w.source.info.parent)  # show the new results group
        last = self.last_progress
        if last is not None and last.state.is_done:
            w.start_action.setText("Start")  # nothing left to resume
        if last is not None and last.state is ProgressState.FINISHED:
            w.results_browser.load(last.results, "", w.source.layout if w.source else None)
        elif last is None or last.state is not ProgressState.REUSED:
            keep = w.run_panel.message()
            w.check_existing()  # offers Resume after a cancel or an error
            w.run_panel.set_message(keep)
