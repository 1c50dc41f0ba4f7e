"""Files and datasets: opening them (in a worker), the current source, the tree's selection."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PyQt5.QtCore import QObject, pyqtSignal

from ...core.errors import PeakGUIError
from ...core.io.h5access import check_readable_hdf5
from ...core.io.source import SEARCH_BUDGET, SpectralSource
from ...core.labels import plain_label
from ...core.run.engine import spectral_context
from ..app.settings import Settings
from ..formatting import error_text, step_suffix
from ..panels.attributes_table import AttributesTable
from ..panels.run_panel import RunPanel
from ..session import Session
from ..views.loop_plot import LoopPlot
from ..widgets.h5_tree import SPECTRAL_KINDS, H5Node, H5TreeView, Kind, link_text
from ..widgets.info_bar import InfoBar, InfoKind
from ..widgets.map_grid import MapGrid
from ..widgets.map_view import MapView
from ..widgets.spectrum_view import SpectrumView
from ..workers import LatestOnly
from .feedback import Feedback
from .map_layers import NAVIGATOR_MEAN, MapLayers
from .navigator import MEAN, NavigatorController
from .results_browser import ResultsBrowser


@dataclass
class FileChecked:
    """The file is a readable HDF5 file; ``dataset`` is the one to open (None: none found)."""

    file: Path
    dataset: str | None


@dataclass
class DatasetFailed:
    dataset: str
    reason: str


def open_steps(files: list[Path], dataset: str | None,
               whole_file: bool) -> Generator[FileChecked | DatasetFailed | SpectralSource, None, None]:
    """The opener's generator: check the file and find its first spectral dataset (for a new
    file), then describe the dataset (in the first of ``files`` that has it)."""
    if whole_file:
        check_readable_hdf5(files[0])
        if dataset is None:
            dataset = SpectralSource.first_dataset(files[0])
        yield FileChecked(files[0], dataset)
        if dataset is None:
            return
    first_error: BaseException | None = None
    for file in files:
        try:
            yield SpectralSource.open(file, dataset)
            return
        except (PeakGUIError, OSError) as exc:
            first_error = first_error or exc
    if first_error is not None:
        yield DatasetFailed(dataset or "", error_text(first_error))


def notes_line(source: SpectralSource) -> str:
    """One line saying what was missing from the dataset and how PeakGUI recovered ('' when
    nothing was); runs record the same notes in their results' ``source_notes``."""
    # an ancillary's name is enough here ('/Measurement_000/…/Spectroscopic_Indices' is long)
    notes = [plain_label(re.sub(r"/(?:[^/\s:]+/)+([^/\s:]+)", r"\1", n).rstrip("."))
             for n in source.notes]  # and sidpy's "$\\sqrt E$" as √E
    if not notes:
        return ""
    return f"Worked around in this file: {'; '.join(notes)}."


class DatasetPresenter(QObject):
    """Which file and spectral dataset the window shows, and everything that follows a change."""

    sigFileOpened = pyqtSignal(str)
    """A file was opened (carries its path)."""
    sigDatasetOpened = pyqtSignal(str)
    """A spectral dataset became the current source (carries its HDF5 path)."""
    sigOpenFinished = pyqtSignal(bool)
    """Opening a file or dataset ended (True: shown; False: refused, and said why)."""
    sigOpenWanted = pyqtSignal()
    """The user asked, from a message, to open another file."""

    def __init__(self, session: Session, tree: H5TreeView, attributes: AttributesTable,
                 info_bar: InfoBar, layers: MapLayers, map_view: MapView,
                 spectrum_view: SpectrumView, loop_plot: LoopPlot, run_panel: RunPanel,
                 navigator: NavigatorController, results: ResultsBrowser, settings: Settings,
                 feedback: Feedback, parent: QObject | None = None):
        super().__init__(parent)
        self.session, self.tree, self.attributes = session, tree, attributes
        self.info_bar, self.layers, self.map_view = info_bar, layers, map_view
        self.spectrum_view, self.loop_plot, self.run_panel = spectrum_view, loop_plot, run_panel
        self.navigator, self.results, self.settings = navigator, results, settings
        self.feedback = feedback
        self._opener = LatestOnly(self)
        self._then: Callable[[], None] | None = None  # after the dataset being opened
        tree.sigNodeSelected.connect(self._on_tree_node_selected)
        tree.sigNodeActivated.connect(self._on_tree_node_activated)
        tree.sigNodeClickedAgain.connect(self._on_tree_node_clicked_again)
        results.sigSourceWanted.connect(self._on_results_source_wanted)
        navigator.sigFailed.connect(self._on_navigator_failed)

    def busy(self) -> bool:
        return self._opener.busy()

    def abort(self) -> None:
        self._opener.abort()
        self._then = None

    def _running(self) -> bool:
        return self.session.run.phase.active

    def open_file(self, path: str | Path, dataset: str | None = None) -> bool:
        """Show a file's tree and open its first (or the given) spectral dataset, once a worker
        has checked and described them; False when it cannot even start (a run is on)."""
        if self._running():
            self.feedback.error("Cannot open a file now", "A run is in progress: pause is not "
                                "enough, cancel it (its progress is saved) before opening "
                                "another file.")
            return False
        path = Path(path).expanduser()
        self._then = None
        self._opener.start(open_steps, [path], dataset, True, on_yield=self._on_opener_yielded,
                           on_error=lambda exc: self._on_file_failed(path, exc))
        return True

    def open_dataset(self, dataset: str, file: Path | None = None,
                     then: Callable[[], None] | None = None,
                     also_in: Path | None = None) -> bool:
        """Make a spectral dataset the current source (map, navigator, first pixel) once a worker
        has described it; ``then`` runs after it (or after it failed); ``also_in``: a second
        file to look in."""
        file = file or self.session.file
        if file is None:
            return False
        if self._running():
            self.feedback.status("A run is in progress: the dataset can be changed after it "
                                 "ends", 5000)
            return False
        self._then = then
        files = [file] + ([also_in] if also_in is not None and also_in != file else [])
        self._opener.start(open_steps, files, dataset, False, on_yield=self._on_opener_yielded,
                           on_error=lambda exc: self._on_dataset_failed(dataset, error_text(exc)))
        return True

    def _on_results_source_wanted(self, dataset: str, file: Path, then: Callable[[], None],
                                  also_in: Path) -> None:
        if not self.open_dataset(dataset, file, then=then, also_in=also_in):
            then()

    def _on_opener_yielded(self, item: FileChecked | DatasetFailed | SpectralSource) -> None:
        if isinstance(item, FileChecked):
            self._show_file(item.file, item.dataset)
        elif isinstance(item, DatasetFailed):
            self._on_dataset_failed(item.dataset, item.reason)
        else:
            try:
                self._check_source(item)
            except (PeakGUIError, OSError) as exc:
                self._on_dataset_failed(item.dataset, error_text(exc))
                return
            then, self._then = self._then, None
            self.set_source(item, check=then is None)
            if then is not None:
                then()
            self.sigOpenFinished.emit(True)

    def _show_file(self, path: Path, dataset: str | None) -> None:
        self._clear_dataset()
        self.tree.set_file(path)
        self.attributes.clear()
        self.session.set_file(path)
        self.settings.add_recent_file(path)
        self.feedback.status(f"Opened {path}", 5000)
        self.sigFileOpened.emit(str(path))
        if dataset is None:
            self.info_bar.show_message(
                f"{path.name} has no spectral dataset in its first {SEARCH_BUDGET} objects "
                "(no USID main dataset and no 3-D cube): pick one in the tree.",
                InfoKind.WARNING)
            self.sigOpenFinished.emit(True)

    def _on_file_failed(self, path: Path, exc: BaseException) -> None:
        """Nothing of the previous file stays on screen: the window is as after Close."""
        self.close_file()
        self._say("Cannot open the file", error_text(exc),
                  "Open another file (Ctrl+O), or drop one on the window.")
        self.sigOpenFinished.emit(False)

    def _on_dataset_failed(self, dataset: str, reason: str) -> None:
        then, self._then = self._then, None
        if then is not None:  # showing a results group: its maps are shown all the same
            then()
        else:
            self._say("Not a spectral dataset", reason,
                      "Pick another dataset in the tree: USID main datasets are in bold blue.",
                      f"<b>{html.escape(dataset)}</b> cannot be analysed: ")
        self.sigOpenFinished.emit(False)

    def _say(self, title: str, text: str, what_to_do: str, lead: str = "") -> None:
        """An open failed: said once, in the banner above the map, with what the user can do
        (not also in a dialog and the status bar)."""
        self.info_bar.show_message(f"{lead}{html.escape(text)}<br>{html.escape(what_to_do)}",
                                   InfoKind.ERROR, [("Open…", self.sigOpenWanted.emit)])
        self.feedback.clear_status()
        self.feedback.dialogs.said_inline(title, text)

    def _check_source(self, source: SpectralSource) -> None:
        """Refuse spectra the chosen analysis cannot use (too short, say) before showing them."""
        analysis = self.session.configured.analysis
        if analysis is not None:
            why = analysis.check_points(spectral_context(source))
            if why:
                raise PeakGUIError(f"{source.dataset}: {why}")

    def set_spectral_dim(self, name: str) -> bool:
        """Let the spectra run along another spectroscopic dimension (a new layout)."""
        src = self.session.source
        if src is None or name == src.layout.spectral.name:
            return False
        if self._running():
            self.feedback.status("The spectral axis can be changed after the run", 5000)
            ok = False
        else:
            try:
                source = src.with_spectral_dim(name)
                self._check_source(source)
                ok = True
            except (PeakGUIError, OSError) as exc:
                self.feedback.error("Cannot use that axis", error_text(exc))
                ok = False
        if not ok:
            self.spectrum_view.set_spectral_dims(src.info.spectroscopic.names,
                                                 src.layout.spectral.name)
            return False
        self.set_source(source, keep_pixel=self.session.pixel)
        return True

    def set_source(self, source: SpectralSource, keep_pixel: tuple[int, int] | None = None,
                   check: bool = True) -> None:
        """The dataset everything shows; ``check``: look for earlier results at once."""
        self.navigator.set_source(source)
        self.results.clear()
        self.info_bar.hide()
        self.info_bar.show_note(notes_line(source))
        lay, info = source.layout, source.info
        self.layers.clear()
        self.map_view.set_grid(MapGrid.from_layout(lay))
        self.layers.set_bin_axis(lay.spectral.values, lay.spectral.units, lay.n_points // 2)
        self.layers.show(NAVIGATOR_MEAN)
        self.spectrum_view.set_axis(lay.spectral, info.quantity, info.units,
                                    np.iscomplexobj(np.empty(0, dtype=info.dtype)))
        self.spectrum_view.set_spectral_dims(info.spectroscopic.names, lay.spectral.name)
        self.spectrum_view.set_steps(lay.others, 0)
        self.loop_plot.set_layout(lay)
        self.run_panel.reset()
        self.run_panel.set_note("")
        self.session.set_source(source)  # the analysis is configured for it
        if source.file == self.session.file:
            self.tree.select_path(source.dataset)  # shows its attributes; it is current already
        self.navigator.start(MEAN, self.layers.current_bin(), 0, step_suffix(lay, 0))
        r0, c0 = keep_pixel or (int(v) for v in lay.pixel_rc[0])
        self.session.select_pixel(r0, c0)
        self.sigDatasetOpened.emit(source.dataset)
        if check:
            self.results.check_existing()

    def _clear_dataset(self) -> None:
        self.navigator.set_source(None)
        self.results.clear()
        if self.session.source is not None:
            self.session.set_source(None)
        self.layers.clear()
        self.spectrum_view.clear()
        self.loop_plot.set_layout(None)
        self.run_panel.reset()
        self.run_panel.set_note("")
        self.info_bar.hide()
        self.info_bar.show_note("")
        self._forget_views()

    def _forget_views(self) -> None:
        """Axes, colour bar, histogram, spectral-axis chooser and step sliders of the dataset
        that was shown: none of them may stay when it is gone."""
        mv, sv = self.map_view, self.spectrum_view
        for plot in (mv.plot_item(), sv.plot_item()):  # empty, unlabelled 0..1 axes
            plot.setLabel("bottom", "")
            plot.setLabel("left", "")
            plot.getViewBox().setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
            plot.getViewBox().enableAutoRange()  # the next data sets the range again
        hist = mv.histogram()
        hist.axis.setLabel("")
        for curve in hist.plots:
            curve.setData([], [])
        auto = mv.auto_levels_check().isChecked()
        hist.setLevels(0, 1)  # the handles of the old range go too; the user's choice stays:
        mv.auto_levels_check().setChecked(auto)
        hist.vb.setYRange(0, 1, padding=0)
        hist.vb.enableAutoRange()
        sv.set_steps([], 0)
        sv.set_spectral_dims([], "")

    def close_file(self) -> None:
        if self._running():
            self.feedback.status("Cancel the run before closing the file", 5000)
            return
        self._clear_dataset()
        self.tree.set_file(None)
        self.attributes.clear()
        self.session.set_file(None)

    def open_recent(self, path: str) -> bool:
        if not Path(path).exists():
            self.settings.remove_recent_file(path)
            self._say("File not found", f"{path}: no such file (removed from the recent list)",
                      "Was it moved or renamed? Open it from its new place (Ctrl+O).")
            return False
        return self.open_file(path)

    # ---- the tree --------------------------------------------------------------------------------
    def _on_tree_node_selected(self, node: H5Node) -> None:
        file = self.session.file
        if file is None:
            return
        readable = node.kind not in (Kind.BROKEN, Kind.ERROR)
        self.attributes.show_node(file, node.path or "/", link_text(node.info), readable)
        src = self.session.source
        if node.kind in SPECTRAL_KINDS and (src is None or src.file != file
                                            or node.path != src.dataset):
            self.open_dataset(node.path)
        elif node.kind == Kind.RESULTS:
            self.results.open_group(node.path)

    def _on_tree_node_clicked_again(self, node: H5Node) -> None:
        """A click on the node that was already selected: open it all the same (after a failed
        open of it, or to go back from a results group to the dataset's own map)."""
        src = self.session.source
        if node.kind in SPECTRAL_KINDS and src is not None and src.file == self.session.file \
                and node.path == src.dataset:
            self.layers.show(NAVIGATOR_MEAN)
        elif node.kind in SPECTRAL_KINDS or node.kind == Kind.RESULTS:
            self._on_tree_node_selected(node)

    def _on_tree_node_activated(self, node: H5Node) -> None:
        if node.kind == Kind.DATASET:
            self.open_dataset(node.path)  # says clearly why it is not a spectral map
        elif node.kind in (Kind.BROKEN, Kind.ERROR):
            self.feedback.status(f"{node.path}: {node.info.note}", 10000)

    def _on_navigator_failed(self, message: str) -> None:
        self.feedback.status(message, 10000)
        self.info_bar.show_message(message, InfoKind.ERROR)
