"""Results groups on the map: opening one from the tree, stepping through it, finding earlier
results with the current parameters, and the selected pixel's row for the loop plot.

Every read happens in a worker (one step of the maps at a time); the newest request wins.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PyQt5.QtCore import QObject, pyqtSignal

from ..core.analyses.declaration import FieldKind
from ..core.errors import PeakGUIError
from ..core.io.results import ExistingResults, ResultsRef
from ..core.io.results_read import ResultsGroup, read_row
from ..core.run.engine import AnalysisRun
from .formatting import error_text
from .map_layers import with_derived
from .results_maps import ResultsMaps, load_results
from .workers import LatestOnly

if TYPE_CHECKING:
    from .main_window import MainWindow

log = logging.getLogger(__name__)


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

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.w = window
        self.results: ResultsMaps | None = None
        self.existing: list[ExistingResults] = []
        self._mask_note = ""
        mask = window.layers.mask_check()
        mask.setChecked(window.settings.mask_shown())
        mask.toggled.connect(window.settings.set_mask_shown)
        self._loader = LatestOnly(self)
        self._checker = LatestOnly(self)
        self._row_reader = LatestOnly(self)

    def busy(self) -> bool:
        return self._loader.busy() or self._checker.busy() or self._row_reader.busy()

    def abort(self) -> None:
        for w in (self._loader, self._checker, self._row_reader):
            w.abort()

    def clear(self) -> None:
        self.abort()
        self.results = None
        self.existing = []

    # ---- showing a group ------------------------------------------------------------------------
    def open_group(self, group: str) -> bool:
        """Show a results group picked in the tree; its source dataset becomes current when it
        can be found."""
        w = self.w
        if w.file is None:
            return False
        ref = ResultsRef(w.file, group, sidecar=w.file.name.endswith(".peakgui.h5"))

        def failed(exc: BaseException) -> None:
            w.info_bar.show_message(f"<b>{group}</b> cannot be shown: {error_text(exc)}",
                                    "error")

        self.load(ref, "", layout=None, adopt_source=True, on_error=failed)
        return True

    def load(self, ref: ResultsRef, note: str = "", layout=None, adopt_source: bool = False,
             on_error: Callable[[BaseException], None] | None = None,
             group: ResultsGroup | None = None) -> None:
        """Read one step of a group in a worker, then show it."""
        step = self.w.inspector.step

        def loaded(maps: ResultsMaps) -> None:
            if not (adopt_source and self._adopt_source(maps, lambda: self.show(maps, note))):
                self.show(maps, note)

        def failed(exc: BaseException) -> None:
            if on_error is not None:
                on_error(exc)
            else:
                log.warning("results cannot be read: %s", exc)
                self.w.statusBar().showMessage(f"Results cannot be read: {error_text(exc)}",
                                               10000)

        self._loader.start(load_results, ref, step, layout, group, on_yield=loaded,
                           on_error=failed)

    def _adopt_source(self, maps: ResultsMaps, then: Callable[[], None]) -> bool:
        """Open the group's source dataset when it is not the current one, then ``then``;
        False when there is nothing to open (``then`` is not called)."""
        w = self.w
        src_ds = str(maps.attrs.get("source_dataset", ""))
        if (not src_ds or w.run_controller.is_active()
                or (w.source is not None and w.source.dataset == src_ds)):
            return False
        src_file = Path(str(maps.attrs.get("source_file", "")) or w.file or "")
        return w.datasets.open_dataset(src_ds, w.file, then=then, also_in=src_file)

    def layer_specs(self, names: list[str],
                    stored: dict[str, str] | None = None) -> list[tuple[str, str, bool]]:
        """(key, label, integer) of result layers: labels and kinds from the current analysis'
        declaration when it has the field, else the stored quantity."""
        declared = {f.name: f for f in self.w.result_fields()}
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
        w = self.w
        lay = maps.layout
        grid = w.map_view.grid()
        if grid is None or (grid.rows, grid.cols) != lay.grid_shape:
            w.set_map_grid(lay)
        stored = {f.name: f for f in maps.group.fields}
        order = [f.name for f in self.w.result_fields() if f.name in stored]
        order += [n for n in stored if n not in order]  # the declaration's order first
        specs = self.layer_specs(order, {n: f.dtype for n, f in stored.items()})
        w.layers.set_result_layers(specs)
        declared = {f.name: f for f in self.w.result_fields()}
        for key, label, _ in specs:
            units = declared[key].units if key in declared else stored[key].units
            w.layers.set_layer(key, maps.images.get(key),
                               f"{label} · {maps.short_name}{note}{w.step_suffix(maps.step)}",
                               units)
        view = w.analysis.view
        first = view.main_field([k for k, _, _ in specs]) if view is not None else None
        if first is not None or specs:
            w.layers.show(first or specs[0][0])
        maps.note = note
        self.results = maps
        self._summarise_mask()
        self.update_loop_row()
        w.run_panel.show_done_fraction(maps.done, maps.total)
        self.sigResultsShown.emit(maps)

    def _summarise_mask(self) -> None:
        """'N pixels without a peak' (or with a failed fit) after the run panel's message."""
        w = self.w
        msg = w.run_panel.message()
        if self._mask_note and msg.endswith(self._mask_note):
            msg = msg[:-len(self._mask_note)]
        mask = w.layers.mask()
        n = int(mask.sum()) if mask is not None else 0
        self._mask_note = (f" · {w.layers.mask_summary(n)} (masked on the maps)" if n else "")
        w.run_panel.set_message(msg + self._mask_note)

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
        w = self.w
        if w.source is None or w.run_controller.is_active():
            return
        try:
            run = w.analysis_run()
        except (PeakGUIError, OSError, ValueError):
            return
        if run is None:
            return
        self._checker.start(find_existing, run, on_yield=self._on_existing_found,
                            on_error=lambda exc: self._on_existing_found([], exc))

    def _on_existing_found(self, found: list[ExistingResults],
                           exc: BaseException | None = None) -> None:
        w = self.w
        if exc is not None:
            log.warning("looking for earlier results failed: %s", exc)
        if w.run_controller.is_active():
            return
        layout = w.source.layout if w.source is not None else None
        self.existing = found
        complete = [e for e in found if e.complete]
        partial = [e for e in found if not e.complete]
        if w.info_bar.kind in ("ok", "info") or not w.info_bar.isVisible():
            w.info_bar.hide()
        w.start_action.setText("Start")
        if complete:
            e = complete[-1]  # the one the engine reuses
            self.load(e.ref, " (reused)", layout)
            name = e.ref.group.rsplit("/", 1)[-1]
            here = w.source is not None and e.ref.file == w.source.file
            where = "" if here else f" in {e.ref.file.name}"
            w.info_bar.show_message(
                f"Results with these parameters already exist ({name}{where}) and are shown: "
                "reused, nothing to compute.", "ok",
                [("Recompute", lambda: w.start_run(force=True))])
            w.run_panel.set_message("Reused: complete results with these parameters.")
        elif partial:
            e = max(partial, key=lambda x: x.done)
            w.start_action.setText("Resume")
            self.load(e.ref, " (partial)", layout)
            pct = 100 * e.done / e.total if e.total else 0
            w.info_bar.show_message(
                f"A run with these parameters stopped at {pct:.0f}% ({e.done:,} of "
                f"{e.total:,} positions, {e.ref.group.rsplit('/', 1)[-1]}). Resume continues "
                "where it stopped.", "info", [("Resume", lambda: w.start_run())])
        else:
            self.mark_other_parameters()
        self.sigExistingChecked.emit(found)

    # ---- the loop plot's results row ------------------------------------------------------------
    def update_loop_row(self) -> None:
        """The selected pixel's row of the shown results group, on the loop plot."""
        w = self.w
        rep, maps, src = w.inspector.report, self.results, w.source
        plot = w.loop_plot
        name = maps.group_name if maps is not None else ""
        if (rep is None or maps is None or src is None or w.run_controller.is_active()
                or src.layout.n_steps <= 1
                or maps.layout.n_positions != src.layout.n_positions
                or maps.attrs.get("spectral_dimension", src.layout.spectral.name)
                != src.layout.spectral.name):
            self._row_reader.abort()
            plot.set_results(None, name)
            return
        names = plot.field_names()
        run = w.inspector.run
        self._row_reader.start(pixel_row, maps.ref, rep.position, names,
                               run.analysis if run is not None else None,
                               on_yield=lambda row: plot.set_results(row, name),
                               on_error=lambda exc: w.statusBar().showMessage(
                                   f"Results cannot be read: {error_text(exc)}", 10000))
