"""Results groups on the map: opening one from the tree, stepping through it, finding earlier
results with the current parameters, and the selected pixel's row for the loop plot.

Every read happens in a worker (one step of the maps at a time); the newest request wins.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from pathlib import Path

import numpy as np
from PyQt5.QtCore import QObject, QTimer, pyqtSignal

from ...core.analyses.declaration import FieldKind
from ...core.io.results import ExistingResults, ResultsRef
from ...core.io.results_read import ResultsGroup, read_row
from ...core.run.engine import AnalysisRun
from ..app.settings import Settings
from ..formatting import error_text, step_suffix
from ..panels.run_panel import RunPanel
from ..session import Configured, RunPhase, RunStatus, Session
from ..views.loop_plot import LoopPlot
from ..widgets.info_bar import InfoBar, InfoKind
from ..widgets.map_grid import MapGrid
from ..widgets.map_view import MapView
from ..workers import LatestOnly
from .analysis_presenter import AnalysisPresenter
from .feedback import Feedback
from .inspector import PixelReport
from .map_layers import MapLayers, with_derived
from .results_maps import ResultsMaps, load_results

log = logging.getLogger(__name__)

EXISTING_DELAY_MS = 250  # typing pause before earlier results are looked for


def find_existing(run: AnalysisRun) -> Generator[list[ExistingResults], None, None]:
    """The worker's generator: groups with these exact parameters (the engine's search)."""
    yield run.find_existing()


def pixel_row(ref: ResultsRef, position: int, names: list[str], analysis=None):
    """The worker's generator: one position's stored values, plus derived fields."""
    derived = [d for d in analysis.derived if d.name in names] if analysis is not None else []
    stored = [n for n in names if n not in {d.name for d in derived}]
    stored += [n for d in derived for n in d.needs if n not in stored]
    row = with_derived(analysis, read_row(ref, position, stored))
    yield {k: v for k, v in row.items() if k in names} if row is not None else None


class ResultsBrowser(QObject):
    """Owns the result layers of the map while no run is writing them."""

    sigResultsShown = pyqtSignal(object)
    """A results group's maps are shown (carries ResultsMaps)."""
    sigExistingChecked = pyqtSignal(object)
    """Earlier results with the current parameters were looked for (carries the list)."""

    sigStartWanted = pyqtSignal(bool)
    """The info bar's Recompute (True) or Resume (False) was pressed."""
    sigSourceWanted = pyqtSignal(str, object, object, object)
    """A group's source dataset should become current (dataset, file, then, also_in)."""

    def __init__(self, session: Session, layers: MapLayers, map_view: MapView,
                 info_bar: InfoBar, run_panel: RunPanel, loop_plot: LoopPlot,
                 analysis: AnalysisPresenter, settings: Settings, feedback: Feedback,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.session, self.layers, self.map_view = session, layers, map_view
        self.info_bar, self.run_panel, self.loop_plot = info_bar, run_panel, loop_plot
        self.analysis, self.feedback = analysis, feedback
        self.results: ResultsMaps | None = None
        self.existing: list[ExistingResults] = []
        mask = layers.mask_check()
        mask.setChecked(settings.mask_shown())
        mask.toggled.connect(settings.set_mask_shown)
        r2 = layers.r2_spin()
        r2.setValue(settings.mask_r2())
        r2.valueChanged.connect(settings.set_mask_r2)
        r2.valueChanged.connect(lambda _v: self._summarise_mask())
        self._loader = LatestOnly(self)
        self._checker = LatestOnly(self)
        self._row_reader = LatestOnly(self)
        self._existing_timer = QTimer(self)
        self._existing_timer.setSingleShot(True)
        self._existing_timer.setInterval(EXISTING_DELAY_MS)
        self._existing_timer.timeout.connect(self.check_existing)
        self._analysis_name = ""
        self._report: PixelReport | None = None  # the selected pixel, for the loop plot's row
        session.configured_changed.connect(self._on_session_configured_changed)

    def busy(self) -> bool:
        """A read in flight, or a search for earlier results waiting for the typing to stop."""
        return (self._loader.busy() or self._checker.busy() or self._row_reader.busy()
                or self._existing_timer.isActive())

    def abort(self) -> None:
        """Abandon reads in flight and a search still waiting for the typing to stop (a run
        that starts and ends within that wait must not be reported as reused afterwards)."""
        self._existing_timer.stop()
        for w in (self._loader, self._checker, self._row_reader):
            w.abort()

    def clear(self) -> None:
        self.abort()
        self._existing_timer.stop()
        self.results = None
        self.existing = []
        self._report = None
        self.session.show_group(None)

    def _on_session_configured_changed(self, configured: Configured) -> None:
        """Another set-up: what was offered for the old one (reuse, resume) is withdrawn, and
        earlier results with the new one are looked for once the typing stops."""
        name = configured.analysis.name if configured.analysis is not None else ""
        if name != self._analysis_name:
            self._analysis_name = name
            self.clear()
        if self.info_bar.kind in (InfoKind.OK, InfoKind.INFO):
            self.info_bar.hide()
        if self.session.run.phase.active:
            return
        if configured.run is not None:
            self._existing_timer.start()
        else:
            self._existing_timer.stop()
            self._checker.abort()
            self.existing = []
            self.mark_other_parameters()

    def result_fields(self) -> list:
        run = self.session.configured.run
        return run.result_fields() if run is not None else []

    # ---- showing a group ------------------------------------------------------------------------
    def open_group(self, group: str) -> bool:
        """Show a results group picked in the tree; its source dataset becomes current when it
        can be found."""
        file = self.session.file
        if file is None:
            return False
        self._existing_timer.stop()  # the group the user picked wins over a search still due
        ref = ResultsRef(file, group, sidecar=file.name.endswith(".peakgui.h5"))

        def failed(exc: BaseException) -> None:
            self.info_bar.show_message(f"<b>{group}</b> cannot be shown: {error_text(exc)}",
                                       InfoKind.ERROR)

        self.load(ref, "", layout=None, adopt_source=True, on_error=failed)
        return True

    def load(self, ref: ResultsRef, note: str = "", layout=None, adopt_source: bool = False,
             on_error: Callable[[BaseException], None] | None = None,
             group: ResultsGroup | None = None) -> None:
        """Read one step of a group in a worker, then show it."""
        step = self.session.step

        def loaded(maps: ResultsMaps) -> None:
            if not (adopt_source and self._adopt_source(maps, lambda: self.show(maps, note))):
                self.show(maps, note)

        def failed(exc: BaseException) -> None:
            if on_error is not None:
                on_error(exc)
            else:
                log.warning("results cannot be read: %s", exc)
                self.feedback.status(f"Results cannot be read: {error_text(exc)}", 10000)

        stepped = self.session.source.layout if self.session.source is not None else None
        self._loader.start(load_results, ref, step, layout, group, stepped, on_yield=loaded,
                           on_error=failed)

    def _adopt_source(self, maps: ResultsMaps, then: Callable[[], None]) -> bool:
        """Open the group's source dataset when it is not the current one, then ``then``;
        False when there is nothing to open (``then`` is not called)."""
        s = self.session
        src_ds = str(maps.attrs.get("source_dataset", ""))
        if (not src_ds or s.run.phase.active or s.file is None
                or (s.source is not None and s.source.dataset == src_ds)):
            return False
        src_file = Path(str(maps.attrs.get("source_file", "")) or s.file)
        self.sigSourceWanted.emit(src_ds, s.file, then, src_file)
        return True

    def layer_specs(self, names: list[str],
                    stored: dict[str, str] | None = None) -> list[tuple[str, str, bool]]:
        """(key, label, integer) of result layers: labels and kinds from the current analysis'
        declaration when it has the field, else the stored quantity."""
        declared = {f.name: f for f in self.result_fields()}
        specs = []
        for name in names:
            fld = declared.get(name)
            if fld is not None:
                specs.append((name, fld.label, fld.kind is not FieldKind.VALUE))
            else:
                dtype = (stored or {}).get(name, "float")
                specs.append((name, name.replace("_", " "),
                              np.issubdtype(np.dtype(dtype), np.integer)))
        return specs

    def show(self, maps: ResultsMaps, note: str = "") -> None:
        """Put a group's maps on the map view (its first field shown)."""
        lay = maps.layout
        grid = self.map_view.grid()
        if grid is None or (grid.rows, grid.cols) != lay.grid_shape:
            self.map_view.set_grid(MapGrid.from_layout(lay))
        stored = {f.name: f for f in maps.group.fields}
        order = [f.name for f in self.result_fields() if f.name in stored]
        order += [n for n in stored if n not in order]  # the declaration's order first
        specs = self.layer_specs(order, {n: f.dtype for n, f in stored.items()})
        self.layers.set_result_layers(specs)
        declared = {f.name: f for f in self.result_fields()}
        suffix = step_suffix(lay, maps.step)
        for key, label, _ in specs:
            units = declared[key].units if key in declared else stored[key].units
            self.layers.set_layer(key, maps.images.get(key),
                                  f"{label} · {maps.short_name}{note}{suffix}", units)
        view = self.analysis.view
        first = view.main_field([k for k, _, _ in specs]) if view is not None else None
        if first is not None or specs:
            self.layers.show(first or specs[0][0])
        maps.note = note
        self.results = maps
        self.session.show_group(maps.ref)
        self._describe_shown(maps)
        self._summarise_mask()
        self.update_loop_row()
        self.run_panel.show_done_fraction(maps.done, maps.total)
        self.sigResultsShown.emit(maps)

    def _describe_shown(self, maps: ResultsMaps) -> None:
        """The run panel speaks of the group on the map: another one than the run status
        names (picked in the tree) gets its own words, and a banner about another goes."""
        s = self.session
        if s.run.phase.active or s.run.group == maps.ref:
            return
        if self.info_bar.kind in (InfoKind.OK, InfoKind.INFO):
            self.info_bar.hide()
        pct = 100 * maps.done / maps.total if maps.total else 0.0
        state = ("complete" if maps.done >= maps.total
                 else f"{pct:.0f}% complete ({maps.done:,} of {maps.total:,} positions)")
        s.set_run(RunStatus(RunPhase.IDLE, maps.ref, maps.done, maps.total,
                            f"Shown: {maps.group_name}, {state}."))

    def _summarise_mask(self) -> None:
        """'N pixels without a peak' (or with a failed fit) after the run panel's message."""
        mask = self.layers.mask()
        n = int(mask.sum()) if mask is not None else 0
        self.run_panel.set_note(f" · {self.layers.mask_summary(n)} (masked on the maps)"
                                if n else "")

    def set_step(self, step: int) -> None:
        """Another spectroscopic step: the shown group's maps at that step."""
        if self.results is not None:
            self.load(self.results.ref, self.results.note, group=self.results.group)

    def mark_other_parameters(self) -> None:
        """The maps shown were computed with other parameters: say so on them."""
        r = self.results
        if r is not None and r.note != " (other parameters)":
            self.show(r, " (other parameters)")

    # ---- earlier results with these parameters --------------------------------------------------
    def check_existing(self) -> None:
        """Show complete results with these parameters at once, or offer to resume a partial run."""
        self._existing_timer.stop()
        run = self.session.configured.run
        if self.session.source is None or self.session.run.phase.active or run is None:
            return
        self._checker.start(find_existing, run, on_yield=lambda found: self._on_existing_found(
                                found, run), on_error=lambda exc: self._on_existing_found([], run, exc))

    def _on_existing_found(self, found: list[ExistingResults], run: AnalysisRun,
                           exc: BaseException | None = None) -> None:
        s = self.session
        if exc is not None:
            log.warning("looking for earlier results failed: %s", exc)
        if s.run.phase.active or s.configured.run is not run or s.source is None:
            return  # a run started, or the set-up changed since the search began
        self.existing = found
        complete = [e for e in found if e.complete]
        partial = [e for e in found if not e.complete]
        if self.info_bar.kind in (InfoKind.OK, InfoKind.INFO) or not self.info_bar.isVisible():
            self.info_bar.hide()
        if complete:
            e = complete[-1]  # the one the engine reuses
            self.load(e.ref, " (reused)", run.source.layout)  # a chained run: its input's
            name = e.ref.group.rsplit("/", 1)[-1]
            where = "" if e.ref.file == s.source.file else f" in {e.ref.file.name}"
            self.info_bar.show_message(
                f"Results with these parameters already exist ({name}{where}) and are shown: "
                "reused, nothing to compute.", InfoKind.OK,
                [("Recompute", lambda: self.sigStartWanted.emit(True))])
            s.set_run(RunStatus(RunPhase.REUSED, e.ref, e.done, e.total,
                                f"Reused {name}: complete results with these parameters."))
        elif partial:
            e = max(partial, key=lambda x: x.done)
            self.load(e.ref, " (partial)", run.source.layout)
            pct = 100 * e.done / e.total if e.total else 0
            name = e.ref.group.rsplit("/", 1)[-1]
            self.info_bar.show_message(
                f"A run with these parameters stopped at {pct:.0f}% ({e.done:,} of "
                f"{e.total:,} positions, {name}). Resume continues where it stopped.",
                InfoKind.INFO, [("Resume", lambda: self.sigStartWanted.emit(False))])
            said = s.run.message if s.run.group == e.ref else ""  # "Cancelled at ..."
            s.set_run(RunStatus(RunPhase.IDLE, e.ref, e.done, e.total, said or (
                f"Partial results with these parameters: {name} at {pct:.0f}%; Resume "
                "continues where it stopped."), resumable=True))
        else:
            self.mark_other_parameters()
        self.sigExistingChecked.emit(found)

    # ---- the loop plot's results row ------------------------------------------------------------
    def update_loop_row(self, report: PixelReport | None = None) -> None:
        """The selected pixel's row of the shown results group, on the loop plot."""
        if report is not None:
            self._report = report
        rep, maps, src = self._report, self.results, self.session.source
        plot = self.loop_plot
        name = maps.group_name if maps is not None else ""
        if (rep is None or maps is None or src is None or self.session.run.phase.active
                or src.layout.n_steps <= 1
                or maps.layout.n_positions != src.layout.n_positions
                or maps.attrs.get("spectral_dimension", src.layout.spectral.name)
                != src.layout.spectral.name):
            self._row_reader.abort()
            plot.set_results(None, name)
            return
        names = plot.field_names()
        run = self.session.configured.run
        self._row_reader.start(pixel_row, maps.ref, rep.position, names,
                               run.analysis if run is not None else None,
                               on_yield=lambda row: plot.set_results(row, name),
                               on_error=lambda exc: self.feedback.status(
                                   f"Results cannot be read: {error_text(exc)}", 10000))
