"""The main window: it only wires the widgets, the pixel inspector and the run controller together.

Files are never kept open here: every read opens the file briefly (the core's ``open_read``),
because the engine opens the results file read-write during a run and HDF5 refuses that while the
same process holds it read-only.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
from PyQt5.QtCore import Qt, QTimer, pyqtSignal
from PyQt5.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PyQt5.QtWidgets import (
    QAction,
    QDockWidget,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMenu,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ..core.analyses.peak_finding.params import PeakParams
from ..core.errors import PeakGUIError
from ..core.io.h5access import check_readable_hdf5
from ..core.io.results import ExistingResults, ResultsRef
from ..core.io.source import SEARCH_BUDGET, SpectralSource
from ..core.run.engine import Progress
from ..core.run.peak_process import PeakFinder
from .attributes_table import AttributesTable
from .dialogs import Dialogs
from .export import export_png, export_values
from .formatting import duration, rate, si, step_description
from .h5_tree import SPECTRAL_KINDS, H5Node, H5TreeView, Kind, link_text
from .icons import app_icon
from .info_bar import InfoBar
from .inspector import PixelInspector, PixelReport
from .loop_plot import LoopPlot, results_row
from .map_view import AMPLITUDE, NAVIGATOR_BIN, NAVIGATOR_MEAN, RESULT_LAYERS, MapGrid, MapView
from .navigator import BIN, MEAN, NavigatorThread
from .parameters_panel import ParametersPanel
from .results_maps import FIELD_OF_LAYER, TITLES, LiveMaps, ResultsMaps, load_results_maps
from .run_controller import RunController, RunState, error_text
from .run_panel import RunPanel
from .settings import Settings
from .spectrum_view import SpectrumView

log = logging.getLogger(__name__)

class MainWindow(QMainWindow):
    """HDF5 tree, map, spectrum, parameters and run controls of one file."""

    sigFileOpened = pyqtSignal(str)
    """A file was opened (carries its path)."""
    sigDatasetOpened = pyqtSignal(str)
    """A spectral dataset became the current source (carries its HDF5 path)."""
    sigPixelTested = pyqtSignal(object)
    """The selected pixel was read and tested (carries a PixelReport)."""
    sigNavigatorReady = pyqtSignal(str)
    """A complete navigator image is shown (carries 'mean' or 'bin')."""
    sigResultsShown = pyqtSignal(object)
    """A results group's maps are shown (carries ResultsMaps)."""
    sigExistingChecked = pyqtSignal(object)
    """Earlier results with the current parameters were looked for (carries the list)."""

    def __init__(self, settings: Settings | None = None, dialogs: Dialogs | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings or Settings()
        self.dialogs = dialogs or Dialogs(self)
        if self.dialogs.parent is None:
            self.dialogs.parent = self
        self.file: Path | None = None
        self.source: SpectralSource | None = None
        self.chunk_seconds = 0.4  # seconds of work per chunk: how soon Pause/Cancel take effect
        self.remember_run_options = True  # False when --jobs came from the command line
        self.results: ResultsMaps | None = None  # the results group whose maps are shown
        self.existing: list[ExistingResults] = []
        self.last_progress: Progress | None = None
        self._navigators: list[NavigatorThread] = []
        self._close_after_stop = False
        self._run_ref: ResultsRef | None = None
        self._results_note = ""

        self.setWindowTitle("PeakGUI")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.setDockOptions(QMainWindow.AnimatedDocks | QMainWindow.AllowNestedDocks)

        self.inspector = PixelInspector(self)
        self.run_controller = RunController(self)
        self.live_maps = LiveMaps(self)
        self._build_widgets()
        self._build_actions()
        self._build_menus()
        self._connect()
        self._existing_timer = QTimer(self)
        self._existing_timer.setSingleShot(True)
        self._existing_timer.setInterval(250)
        self._existing_timer.timeout.connect(self.check_existing)
        self._bin_timer = QTimer(self)
        self._bin_timer.setSingleShot(True)
        self._bin_timer.setInterval(200)
        self._bin_timer.timeout.connect(self._on_bin_timer_timeout)
        self._restore_settings()
        self._update_actions()
        self.statusBar().showMessage("Open an HDF5 file (File ▸ Open, or drop it on the window)")

    # ---- construction ---------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.map_view = MapView()
        self.info_bar = InfoBar()
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.info_bar)
        lay.addWidget(self.map_view, 1)
        self.setCentralWidget(central)

        self.tree = H5TreeView()
        self.attributes = AttributesTable()
        self.spectrum_view = SpectrumView()
        self.params_panel = ParametersPanel()

        self.tree_dock = self._dock("HDF5 file", "tree", self.tree, Qt.LeftDockWidgetArea)
        self.attributes_dock = self._dock("Attributes", "attributes", self.attributes,
                                          Qt.LeftDockWidgetArea)
        self.spectrum_dock = self._dock("Spectrum and peak test", "spectrum", self.spectrum_view,
                                        Qt.RightDockWidgetArea)
        self.splitDockWidget(self.tree_dock, self.attributes_dock, Qt.Vertical)
        self.loop_plot = LoopPlot()
        self.loop_dock = self._dock("Loop at the selected pixel", "loop", self.loop_plot,
                                    Qt.LeftDockWidgetArea)
        self.tabifyDockWidget(self.attributes_dock, self.loop_dock)
        self.loop_dock.hide()  # only for data with more than one step
        self.dataset_label = QLabel("")
        self.statusBar().addPermanentWidget(self.dataset_label)

    def _dock(self, title: str, name: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{name}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_actions(self) -> None:
        style = self.style()

        def act(text: str, slot, shortcut=None, tip: str = "", icon=None, name: str = "") -> QAction:
            a = QAction(text, self)
            a.setObjectName(name or text)
            if shortcut is not None:
                a.setShortcut(QKeySequence(shortcut))
            if tip:
                a.setToolTip(tip)
                a.setStatusTip(tip)
            if icon is not None:
                a.setIcon(style.standardIcon(icon))
            a.triggered.connect(slot)
            return a

        self.open_action = act("&Open…", self._on_open_triggered, QKeySequence.Open,
                               "Open an HDF5 file", QStyle.SP_DialogOpenButton, "open")
        self.close_action = act("&Close", self.close_file, "Ctrl+W",
                                "Close the file", QStyle.SP_DialogCloseButton, "close")
        self.export_png_action = act("Export map as &PNG…", self._on_export_png_triggered,
                                     tip="Save the shown map as an image, with its axes and "
                                     "colour scale", name="export_png")
        self.export_csv_action = act("Export map values as &CSV…",
                                     lambda: self._on_export_values_triggered(".csv"),
                                     tip="Save the shown map's values as a CSV table "
                                     "(rows x columns; nan where not computed)", name="export_csv")
        self.export_npy_action = act("Export map values as &NumPy…",
                                     lambda: self._on_export_values_triggered(".npy"),
                                     tip="Save the shown map's values as a .npy array "
                                     "(np.load, no pickle)", name="export_npy")
        self.quit_action = act("&Quit", self.close, "Ctrl+Q", "Quit PeakGUI",
                               name="quit")
        self.quit_action.setMenuRole(QAction.QuitRole)
        self.start_action = act("Start", lambda: self.start_run(), "F5",
                                "Run the peak finder over the whole dataset with these parameters",
                                QStyle.SP_MediaPlay, "start")
        self.pause_action = act("Pause", self._on_pause_triggered, "F6",
                                "Pause after the chunk in flight (about half a second); "
                                "press again to resume", QStyle.SP_MediaPause, "pause")
        self.cancel_action = act("Cancel", self.cancel_run, "Shift+F5",
                                 "Stop the run; finished chunks are saved and Start resumes",
                                 QStyle.SP_MediaStop, "cancel")
        self.recompute_action = act("Recompute", lambda: self.start_run(force=True),
                                    tip="Compute a new results group even if one with these "
                                    "parameters exists", name="recompute")
        self.about_action = act("&About PeakGUI", self.dialogs_about, tip="Versions and credits",
                                name="about")

        self.run_panel = RunPanel(self.start_action, self.pause_action, self.cancel_action)
        box_params = QGroupBox("Parameters")
        QVBoxLayout(box_params).addWidget(self.params_panel)
        box_run = QGroupBox("Run over the whole dataset")
        QVBoxLayout(box_run).addWidget(self.run_panel)
        panel = QWidget()
        v = QVBoxLayout(panel)
        v.setContentsMargins(2, 2, 2, 2)
        v.addWidget(box_params)
        v.addWidget(box_run)
        v.addStretch(1)
        self.run_dock = self._dock("Peak finder", "peak_finder", panel, Qt.RightDockWidgetArea)
        self.splitDockWidget(self.spectrum_dock, self.run_dock, Qt.Vertical)

        tb = self.addToolBar("Main")
        tb.setObjectName("toolbar_main")
        tb.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        for a in (self.open_action, None, self.start_action, self.pause_action,
                  self.cancel_action):
            tb.addSeparator() if a is None else tb.addAction(a)

    def _build_menus(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu("&File")
        m.addAction(self.open_action)
        self.recent_menu = QMenu("Open &Recent", self)
        self.recent_menu.aboutToShow.connect(self._on_recent_menu_about_to_show)
        m.addMenu(self.recent_menu)
        m.addAction(self.close_action)
        m.addSeparator()
        for a in (self.export_png_action, self.export_csv_action, self.export_npy_action):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.quit_action)
        r = mb.addMenu("&Run")
        for a in (self.start_action, self.pause_action, self.cancel_action, self.recompute_action):
            r.addAction(a)
        v = mb.addMenu("&View")
        for d in (self.tree_dock, self.attributes_dock, self.spectrum_dock, self.loop_dock,
                  self.run_dock):
            v.addAction(d.toggleViewAction())
        v.addSeparator()
        v.addAction("Reset layout", self.default_layout)
        h = mb.addMenu("&Help")
        h.addAction(self.about_action)

    def _connect(self) -> None:
        self.tree.sigNodeSelected.connect(self._on_tree_node_selected)
        self.tree.sigNodeActivated.connect(self._on_tree_node_activated)
        self.tree.model().sigFetchFailed.connect(self._on_tree_fetch_failed)
        self.map_view.sigPixelClicked.connect(self._on_map_pixel_clicked)
        self.map_view.sigLayerChanged.connect(self._on_map_layer_changed)
        self.map_view.sigBinChanged.connect(self._on_map_bin_changed)
        self.map_view.sigColormapChanged.connect(self.settings.set_colormap)
        self.spectrum_view.sigStepChanged.connect(self._on_spectrum_step_changed)
        self.spectrum_view.sigSpectralDimChanged.connect(self.set_spectral_dim)
        self.params_panel.sigParamsChanged.connect(self._on_params_changed)
        self.params_panel.sigParamsInvalid.connect(self._on_params_invalid)
        self.inspector.sigInspected.connect(self._on_pixel_inspected)
        rc = self.run_controller
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
        self.live_maps.sigMapsUpdated.connect(self._on_live_maps_updated)

    def _restore_settings(self) -> None:
        geom, state = self.settings.window_geometry(), self.settings.window_state()
        if geom is not None:
            self.restoreGeometry(geom)
        else:
            self.resize(1500, 950)
        if state is None or not self.restoreState(state):
            self.default_layout()
        self.params_panel.set_params(self.settings.peak_params())
        jobs, mem = self.settings.run_options()
        self.params_panel.set_run_options(jobs, mem)
        self.params_panel.set_compute_target(self.settings.compute_target())
        self.map_view.set_colormap(self.settings.colormap())

    def default_layout(self) -> None:
        """Dock sizes that leave the map the most room (first start, or View ▸ Reset layout)."""
        for d in (self.tree_dock, self.attributes_dock, self.spectrum_dock, self.run_dock):
            d.show()
        self._show_loop_dock()
        self.resizeDocks([self.tree_dock, self.spectrum_dock], [470, 440], Qt.Horizontal)
        self.resizeDocks([self.tree_dock, self.attributes_dock], [420, 440], Qt.Vertical)
        self.resizeDocks([self.spectrum_dock, self.run_dock], [515, 345], Qt.Vertical)

    def _save_settings(self) -> None:
        self.settings.save_window(self.saveGeometry(), self.saveState())
        params = self.params_panel.params()
        if params is not None:
            self.settings.set_peak_params(params)
        if self.remember_run_options:
            self.settings.set_run_options(self.params_panel.jobs() or 0,
                                          int(self.params_panel.max_mem_mb() or 0))
        self.settings.set_compute_target(self.params_panel.compute_target())
        self.settings.sync()

    # ---- files and datasets ---------------------------------------------------------------------
    def open_file(self, path: str | Path, dataset: str | None = None) -> bool:
        """Show a file's tree and open its first (or the given) spectral dataset."""
        if self.run_controller.is_active():
            self._error("Cannot open a file now", "A run is in progress: pause is not enough, "
                        "cancel it (its progress is saved) before opening another file.")
            return False
        path = Path(path).expanduser()
        try:
            check_readable_hdf5(path)
            self.tree.set_file(path)
        except (PeakGUIError, OSError) as exc:
            self._error("Cannot open the file", error_text(exc))
            return False
        self._clear_dataset()
        self.file = path
        self.settings.add_recent_file(path)
        self.setWindowTitle(f"PeakGUI — {path.name}")
        self.setWindowFilePath(str(path))
        self.statusBar().showMessage(f"Opened {path}", 5000)
        self.sigFileOpened.emit(str(path))
        if dataset is None:
            try:
                dataset = SpectralSource.first_dataset(path)
            except (PeakGUIError, OSError) as exc:
                self._error("Cannot read the file", error_text(exc))
                return False
            if dataset is None:
                self.info_bar.show_message(
                    f"{path.name} has no spectral dataset in its first {SEARCH_BUDGET} objects "
                    "(no USID main dataset and no 3-D cube): pick one in the tree.", "warning")
                return True
        return self.open_dataset(dataset)

    def open_dataset(self, dataset: str, file: Path | None = None) -> bool:
        """Make a spectral dataset the current source: map, navigator, first pixel, parameters."""
        file = file or self.file
        if file is None:
            return False
        if self.run_controller.is_active():
            self.statusBar().showMessage("A run is in progress: the dataset can be changed "
                                         "after it ends", 5000)
            return False
        try:
            source = SpectralSource.open(file, dataset)
            PeakFinder(source, n_jobs=1)  # spectra the peak finder cannot use are refused now
        except (PeakGUIError, OSError) as exc:
            msg = error_text(exc)
            self.info_bar.show_message(f"<b>{dataset}</b> cannot be analysed: {msg}", "error")
            self._error("Not a spectral dataset", msg)
            return False
        self._set_source(source)
        return True

    def set_spectral_dim(self, name: str) -> bool:
        """Let the spectra run along another spectroscopic dimension (a new layout)."""
        if self.source is None or name == self.source.layout.spectral.name:
            return False
        if self.run_controller.is_active():
            self.statusBar().showMessage("The spectral axis can be changed after the run", 5000)
            self.spectrum_view.set_spectral_dims(self.source.info.spectroscopic.names,
                                                 self.source.layout.spectral.name)
            return False
        try:
            source = self.source.with_spectral_dim(name)
            PeakFinder(source, n_jobs=1)  # refuses axes too short for the peak finder
        except (PeakGUIError, OSError) as exc:
            self._error("Cannot use that axis", error_text(exc))
            self.spectrum_view.set_spectral_dims(self.source.info.spectroscopic.names,
                                                 self.source.layout.spectral.name)
            return False
        rep = self.inspector.report
        self._set_source(source, keep_pixel=(rep.row, rep.col) if rep else None)
        return True

    def _set_source(self, source: SpectralSource,
                    keep_pixel: tuple[int, int] | None = None) -> None:
        self._abort_navigators()
        self.source = source
        self.results = None
        self.existing = []
        self.inspector.set_source(source)
        self.info_bar.hide()
        lay = source.layout
        info = source.info
        self.map_view.clear()
        self.map_view.set_grid(MapGrid.from_layout(lay))
        self.map_view.set_bin_axis(lay.spectral.values, lay.spectral.units, lay.n_points // 2)
        self.map_view.show_layer(NAVIGATOR_MEAN)
        self.spectrum_view.set_axis(lay.spectral, info.quantity, info.units,
                                    np.iscomplexobj(np.empty(0, dtype=info.dtype)))
        self.spectrum_view.set_spectral_dims(info.spectroscopic.names, lay.spectral.name)
        self.spectrum_view.set_steps(lay.others, 0)
        self.loop_plot.set_layout(lay, info.units)
        self._show_loop_dock()
        self.run_panel.reset()
        self.run_panel.set_message("")
        rows, cols = lay.grid_shape
        self.dataset_label.setText(f"{info.name}: {rows} × {cols} × {lay.n_points}")
        self.dataset_label.setToolTip(f"{source.file}:{source.dataset}\n{rows} × {cols} "
                                      f"positions, {lay.n_points} points along "
                                      f"{lay.spectral.name}, {lay.n_steps} step(s)")
        if source.file == self.file:
            self.tree.select_path(source.dataset)  # shows its attributes; it is current already
        self._start_navigator(MEAN)
        r0, c0 = keep_pixel or (int(v) for v in lay.pixel_rc[0])
        self.select_pixel(r0, c0)
        self._update_actions()
        self.sigDatasetOpened.emit(source.dataset)
        self.check_existing()

    def _clear_dataset(self) -> None:
        self._abort_navigators()
        self.source = None
        self.results = None
        self.existing = []
        self.inspector.set_source(None)
        self.map_view.clear()
        self.spectrum_view.clear()
        self.loop_plot.set_layout(None)
        self._show_loop_dock()
        self.run_panel.reset()
        self.run_panel.set_message("")
        self.info_bar.hide()
        self.dataset_label.setText("")
        self._update_actions()

    def close_file(self) -> None:
        if self.run_controller.is_active():
            self.statusBar().showMessage("Cancel the run before closing the file", 5000)
            return
        self._clear_dataset()
        self.tree.set_file(None)
        self.attributes.clear()
        self.file = None
        self.setWindowTitle("PeakGUI")
        self.setWindowFilePath("")
        self._update_actions()

    def open_results_group(self, group: str) -> bool:
        """Show a results group's maps; its source dataset becomes current when it can be found."""
        if self.file is None:
            return False
        ref = ResultsRef(self.file, group, sidecar=self.file.name.endswith(".peakgui.h5"))
        try:
            maps = load_results_maps(ref, self.inspector.step)  # may belong to another dataset
        except (PeakGUIError, OSError, KeyError, ValueError) as exc:
            self.info_bar.show_message(f"<b>{group}</b> cannot be shown: {error_text(exc)}",
                                       "error")
            return False
        if not self.run_controller.is_active():
            src_ds = str(maps.attrs.get("source_dataset", ""))
            src_file = Path(str(maps.attrs.get("source_file", "")) or self.file)
            if src_ds and (self.source is None or self.source.dataset != src_ds):
                for f in (self.file, src_file):
                    try:
                        source = SpectralSource.open(f, src_ds)
                    except (PeakGUIError, OSError):
                        continue
                    self._set_source(source)
                    break
        self.show_results(maps)
        return True

    def _layout(self):
        """The current source's layout, for loading results computed from it (same positions;
        load_results_maps checks the count and works the grid out itself otherwise)."""
        return self.source.layout if self.source is not None else None

    def show_results(self, maps: ResultsMaps, note: str = "") -> None:
        """Put a results group's three maps on the map view (amplitude shown)."""
        grid = self.map_view.grid()
        if grid is None or (grid.rows, grid.cols) != maps.layout.grid_shape:
            self.map_view.set_grid(MapGrid.from_layout(maps.layout))
        for layer in RESULT_LAYERS:
            if layer in maps.images:
                self.map_view.set_layer(layer, maps.images[layer],
                                        f"{TITLES[layer]} · {maps.short_name}{note}"
                                        f"{self._step_suffix(maps.step)}",
                                        maps.units.get(layer, ""))
        self.map_view.show_layer(AMPLITUDE)
        self.results = maps
        self._results_note = note
        self._update_loop_results()
        self.run_panel.show_done_fraction(maps.done, maps.total)
        self.sigResultsShown.emit(maps)

    # ---- pixel inspector -------------------------------------------------------------------------
    def select_pixel(self, row: int, col: int) -> PixelReport | None:
        """Read and test one pixel (what a click on the map does)."""
        return self.inspector.select(row, col)

    def _on_map_pixel_clicked(self, row: int, col: int) -> None:
        self.select_pixel(row, col)

    def _on_pixel_inspected(self, rep: PixelReport) -> None:
        self.map_view.set_marker(rep.row, rep.col)
        grid = self.map_view.grid()
        where = grid.describe(rep.row, rep.col) if grid else f"row {rep.row}, col {rep.col}"
        title = f"<b>Position {rep.position}</b> · {where}"
        if rep.spectrum is None:
            self.spectrum_view.clear(rep.error or "no spectrum")
        else:
            self.spectrum_view.show_pixel(rep.spectrum, rep.test, title)
            if rep.test is None:
                self.spectrum_view.show_test(None, rep.error)
        self.loop_plot.set_pixel(rep.position, self.inspector.spectra, self.inspector.params)
        self._update_loop_results()
        self.sigPixelTested.emit(rep)

    def _on_spectrum_step_changed(self, step: int) -> None:
        """Another step along the other spectroscopic dims: the spectrum and the maps follow
        (a running run's live maps keep the step they started with)."""
        self.inspector.set_step(step)
        self.loop_plot.set_step(step)
        if self.source is None or self.run_controller.is_active():
            return
        self._start_navigator(MEAN)
        if self.map_view.layer_image(NAVIGATOR_BIN) is not None:
            self._start_navigator(BIN)
        if self.results is not None:
            try:
                maps = load_results_maps(self.results.ref, step, self._layout())
            except (PeakGUIError, OSError, KeyError, ValueError) as exc:
                self.statusBar().showMessage(f"Results cannot be read: {error_text(exc)}", 10000)
            else:
                self.show_results(maps, self._results_note)

    def _show_loop_dock(self) -> None:
        multi = self.source is not None and self.source.layout.n_steps > 1
        self.loop_dock.setVisible(multi)
        if multi:
            self.loop_dock.raise_()

    def _update_loop_results(self) -> None:
        """The selected pixel's row of the shown results group on the loop plot."""
        rep, maps, src = self.inspector.report, self.results, self.source
        row = None
        if (rep is not None and maps is not None and src is not None
                and not self.run_controller.is_active() and src.layout.n_steps > 1
                and maps.layout.n_positions == src.layout.n_positions
                and maps.attrs.get("spectral_dimension", src.layout.spectral.name)
                == src.layout.spectral.name):
            try:
                row = results_row(maps.ref, rep.position)
            except (PeakGUIError, OSError, KeyError, ValueError) as exc:
                self.statusBar().showMessage(f"Results cannot be read: {error_text(exc)}", 10000)
        self.loop_plot.set_results(row, maps.group_name if maps is not None else "")

    def _step_suffix(self, step: int) -> str:
        lay = self.source.layout if self.source is not None else None
        if lay is None or lay.n_steps <= 1:
            return ""
        return f" · {step_description(lay, step)}"

    def _on_params_changed(self, params: PeakParams) -> None:
        self.inspector.set_params(params)
        self._existing_timer.start()
        self._update_actions()

    def _on_params_invalid(self, reason: str) -> None:
        self.inspector.set_params(None)
        self._update_actions()

    # ---- navigator -------------------------------------------------------------------------------
    def _start_navigator(self, mode: str) -> None:
        if self.source is None:
            return
        for t in self._navigators:
            if t.mode == mode:
                t.abort()
        t = NavigatorThread(self.source, mode, self.map_view.current_bin(), self.inspector.step)
        t.sigImageReady.connect(self._on_navigator_image_ready)
        t.sigFailed.connect(self._on_navigator_failed)
        t.finished.connect(self._on_navigator_finished)
        self._navigators.append(t)
        t.start()

    def _abort_navigators(self) -> None:
        for t in self._navigators:
            t.abort()

    def _on_navigator_image_ready(self, image, mode: str, bin_index: int, step: int,
                                  complete: bool) -> None:
        t = self.sender()
        if self.source is None or t.source is not self.source or getattr(t, "_abort", False):
            return
        units = self.source.info.units
        lay = self.source.layout
        if mode == BIN:
            key = NAVIGATOR_BIN
            title = f"|x| at {lay.spectral.name} = {si(lay.spectral.values[bin_index], lay.spectral.units)}"
        else:
            key = NAVIGATOR_MEAN
            title = f"Mean |x| over {lay.spectral.name}"
        title += self._step_suffix(step)
        self.map_view.set_layer(key, image, title + ("" if complete else " (loading…)"), units)
        if complete:
            self.sigNavigatorReady.emit(mode)

    def _on_navigator_failed(self, message: str) -> None:
        self.statusBar().showMessage(message, 10000)
        self.info_bar.show_message(message, "error")

    def _on_navigator_finished(self) -> None:
        t = self.sender()
        if t in self._navigators:
            self._navigators.remove(t)
            t.deleteLater()

    def _on_map_layer_changed(self, key: str) -> None:
        if key == NAVIGATOR_BIN and self.map_view.layer_image(NAVIGATOR_BIN) is None:
            self._start_navigator(BIN)

    def _on_map_bin_changed(self, _bin: int) -> None:
        self._bin_timer.start()

    def _on_bin_timer_timeout(self) -> None:
        if self.map_view.current_layer() == NAVIGATOR_BIN:
            self._start_navigator(BIN)

    # ---- existing results ------------------------------------------------------------------------
    def check_existing(self) -> None:
        """Show complete results with these parameters at once, or offer to resume a partial run."""
        params = self.params_panel.params()
        if self.source is None or params is None or self.run_controller.is_active():
            return
        try:
            found = self._make_finder(params).find_existing()
        except (PeakGUIError, OSError) as exc:
            log.warning("looking for earlier results failed: %s", exc)
            found = []
        self.existing = found
        complete = [e for e in found if e.complete]
        partial = [e for e in found if not e.complete]
        if self.info_bar.kind in ("ok", "info") or not self.info_bar.isVisible():
            self.info_bar.hide()
        self.start_action.setText("Start")
        if complete:
            e = complete[-1]  # the one the engine reuses
            try:
                maps = load_results_maps(e.ref, self.inspector.step, self._layout())
            except (PeakGUIError, OSError, KeyError, ValueError) as exc:
                log.warning("earlier results cannot be read: %s", exc)
            else:
                self.show_results(maps, " (reused)")
                where = "" if e.ref.file == self.source.file else f" in {e.ref.file.name}"
                self.info_bar.show_message(
                    f"Results with these parameters already exist ({maps.group_name}{where}) "
                    "and are shown: reused, nothing to compute.", "ok",
                    [("Recompute", lambda: self.start_run(force=True))])
                self.run_panel.set_message("Reused: complete results with these parameters.")
        elif partial:
            e = max(partial, key=lambda x: x.done)
            self.start_action.setText("Resume")
            try:
                self.show_results(load_results_maps(e.ref, self.inspector.step,
                                                     self._layout()), " (partial)")
            except (PeakGUIError, OSError, KeyError, ValueError):
                pass
            pct = 100 * e.done / e.total if e.total else 0
            self.info_bar.show_message(
                f"A run with these parameters stopped at {pct:.0f}% ({e.done:,} of "
                f"{e.total:,} positions, {e.ref.group.rsplit('/', 1)[-1]}). Resume continues "
                "where it stopped.", "info", [("Resume", lambda: self.start_run())])
        elif self.results is not None and self._results_note != " (other parameters)":
            # the maps shown were computed with other parameters: say so on them
            self.show_results(self.results, " (other parameters)")
        self.sigExistingChecked.emit(found)

    # ---- running ---------------------------------------------------------------------------------
    def _make_finder(self, params: PeakParams, backend=None) -> PeakFinder:
        return PeakFinder(self.source, params, n_jobs=self.params_panel.jobs(),
                          max_mem_mb=self.params_panel.max_mem_mb(),
                          chunk_seconds=self.chunk_seconds, backend=backend)

    def start_run(self, force: bool = False) -> bool:
        """Run the peak finder over the dataset in the worker thread (resumes or reuses)."""
        if self.source is None or self.run_controller.is_active():
            return False
        params = self.params_panel.params()
        if params is None:
            self._error("Parameters not valid", self.params_panel.error())
            return False
        compute = self.params_panel.compute_target()
        try:
            check_readable_hdf5(self.source.file)  # deleted or moved since it was opened?
            backend = compute.backend(self.params_panel.jobs())  # parses only; no connection
            finder = self._make_finder(params, backend)
            target = finder.results_target()
        except (PeakGUIError, OSError) as exc:
            self._error("Cannot run", error_text(exc))
            return False
        self.settings.set_peak_params(params)
        self.settings.set_compute_target(compute)
        if target.separate:
            self.info_bar.show_message(
                f"Results go to the sidecar file <b>{target.file.name}</b>: {target.reason} "
                "(the source file is not modified).", "warning")
        elif self.info_bar.kind in ("ok", "info"):
            self.info_bar.hide()
        lay = self.source.layout
        self.live_maps.start(lay, self.inspector.step)
        units = {f.name: f.units for f in finder.result_fields()}
        for layer in RESULT_LAYERS:
            self.map_view.set_layer(layer, self.live_maps.images[layer],
                                    f"{TITLES[layer]} · running{self._step_suffix(self.inspector.step)}",
                                    units.get(FIELD_OF_LAYER[layer], ""))
        self.map_view.show_layer(AMPLITUDE)
        self.results = None
        self.loop_plot.set_results(None)
        self._run_ref = None
        self.last_progress = None
        self.run_panel.reset()
        where = compute.describe(finder.n_jobs)
        self.run_panel.set_where(f"Computes on {where}")
        self.run_panel.set_message(f"Connecting to {where}…" if backend is not None
                                   else f"Starting ({finder.n_jobs} worker"
                                   f"{'s' if finder.n_jobs != 1 else ''})…")
        self.run_controller.start(finder, force, backend)
        return True

    def pause_run(self) -> None:
        self.run_controller.pause()

    def resume_run(self) -> None:
        self.run_controller.resume()

    def cancel_run(self) -> None:
        self.run_controller.cancel()

    def _on_pause_triggered(self) -> None:
        if self.run_controller.state is RunState.RUNNING:
            self.pause_run()
        else:
            self.resume_run()

    def _on_run_started(self) -> None:
        self.statusBar().showMessage("Running the peak finder…")

    def _on_run_connected(self, where: str) -> None:
        self.run_panel.set_where(f"Computes on {where}")
        self.run_panel.set_message("Connected; starting…")

    def _on_run_progressed(self, prog: Progress) -> None:
        self.last_progress = prog
        self.live_maps.apply(prog)
        self.run_panel.show_progress(prog)
        if prog.results != self._run_ref:
            self._run_ref = prog.results
            name = prog.results.group.rsplit("/", 1)[-1]
            short = name.rsplit("-", 1)[-1]
            for layer in RESULT_LAYERS:
                self.map_view.set_layer(layer, self.live_maps.images[layer],
                                        f"{TITLES[layer]} · {short} (running)"
                                        f"{self._step_suffix(self.live_maps.step)}",
                                        self.map_view.layer_units(layer))
            where = f" in {prog.results.file.name}" if prog.results.sidecar else ""
            self.run_panel.set_message(f"Writing {name}{where}")

    def _on_live_maps_updated(self) -> None:
        for layer in RESULT_LAYERS:
            self.map_view.refresh_layer(layer)

    def _on_run_paused(self, last: Progress | None) -> None:
        if self.run_controller.state is not RunState.PAUSED:
            return
        done = f" at {last.done:,} / {last.total:,} positions" if last else ""
        self.run_panel.set_message(f"Paused{done}. Finished chunks are saved.")
        self.statusBar().showMessage(f"Paused{done}")

    def _on_run_resumed(self) -> None:
        self.run_panel.set_message("Running…")
        self.statusBar().showMessage("Resumed")

    def _on_run_reused(self, prog: Progress) -> None:
        self.last_progress = prog
        self.live_maps.stop()
        self.run_panel.show_progress(prog)
        try:
            maps = load_results_maps(prog.results, self.inspector.step,
                                     self._layout())
        except (PeakGUIError, OSError, KeyError, ValueError) as exc:
            self._error("Cannot show the results", error_text(exc))
            return
        self.show_results(maps, " (reused)")
        msg = (f"Reused {maps.group_name}: complete results with these parameters already "
               "existed, nothing was computed.")
        self.run_panel.set_message(msg)
        self.statusBar().showMessage(msg, 10000)

    def _on_run_finished(self, prog: Progress) -> None:
        self.last_progress = prog
        self.live_maps.stop()
        self.run_panel.show_progress(prog)
        name = prog.results.group.rsplit("/", 1)[-1]
        try:
            maps = load_results_maps(prog.results, self.inspector.step,
                                     self._layout())
        except (PeakGUIError, OSError, KeyError, ValueError) as exc:
            log.warning("results written but not readable: %s", exc)
        else:
            self.show_results(maps)
        spectra = prog.computed * (self.source.layout.n_steps if self.source else 1)
        msg = (f"Done: {prog.computed:,} positions computed in {duration(prog.elapsed)} "
               f"({rate(spectra / prog.elapsed if prog.elapsed else 0)}); results in {name}"
               + (f" ({prog.results.file.name})" if prog.results.sidecar else ""))
        self.run_panel.set_message(msg)
        self.statusBar().showMessage(msg, 15000)

    def _on_run_cancelled(self, last: Progress | None) -> None:
        self.live_maps.stop()
        done = f" at {last.done:,} / {last.total:,} positions" if last else ""
        msg = f"Cancelled{done}. Finished chunks are saved; Start resumes where it stopped."
        self.run_panel.set_message(msg)
        self.statusBar().showMessage(msg, 15000)

    def _on_run_errored(self, message: str) -> None:
        self.live_maps.stop()
        self.run_panel.set_message(f"Failed: {message}")
        self.statusBar().showMessage(f"The run failed: {message}", 15000)
        self._error("The run failed", f"{message}\n\nFinished chunks are kept; Start resumes.")

    def _on_run_state_changed(self, state: RunState) -> None:
        if state is RunState.PAUSING:
            self.run_panel.set_message("Pausing after the chunk in flight…")
        elif state is RunState.CANCELLING:
            self.run_panel.set_message("Cancelling after the chunk in flight…")
        self._update_actions()

    def _on_run_stopped(self) -> None:
        self._update_actions()
        if self._close_after_stop:
            self.close()
            return
        if self.source is not None and self.source.file == self.file:
            self.tree.refresh_path(self.source.info.parent)  # show the new results group
        self._update_loop_results()  # the results file is closed now
        if self.last_progress is None or self.last_progress.state != "finished":
            keep = self.run_panel.message()
            self.check_existing()  # offers Resume after a cancel or an error
            self.run_panel.set_message(keep)

    def _update_actions(self) -> None:
        state = self.run_controller.state
        idle = state is RunState.IDLE
        has_source = self.source is not None
        valid = self.params_panel.params() is not None
        self.start_action.setEnabled(idle and has_source and valid)
        self.recompute_action.setEnabled(idle and has_source and valid)
        self.pause_action.setEnabled(state in (RunState.RUNNING, RunState.PAUSING,
                                               RunState.PAUSED))
        paused = state in (RunState.PAUSING, RunState.PAUSED)
        self.pause_action.setText("Resume" if paused else "Pause")
        self.pause_action.setIcon(self.style().standardIcon(
            QStyle.SP_MediaPlay if paused else QStyle.SP_MediaPause))
        self.cancel_action.setEnabled(not idle and state is not RunState.CANCELLING)
        self.params_panel.set_editable(idle)
        for a in (self.open_action, self.close_action):
            a.setEnabled(idle)
        self.recent_menu.setEnabled(idle)
        self.close_action.setEnabled(idle and self.file is not None)
        has_map = self.map_view.current_image() is not None
        for a in (self.export_png_action, self.export_csv_action, self.export_npy_action):
            a.setEnabled(has_source or has_map)

    # ---- tree ------------------------------------------------------------------------------------
    def _on_tree_node_selected(self, node: H5Node) -> None:
        if self.file is None:
            return
        readable = node.kind not in (Kind.BROKEN, Kind.ERROR)
        self.attributes.show_node(self.file, node.path or "/", link_text(node.info), readable)
        if node.kind in SPECTRAL_KINDS and (self.source is None or self.source.file != self.file
                                            or node.path != self.source.dataset):
            self.open_dataset(node.path)
        elif node.kind == Kind.RESULTS:
            self.open_results_group(node.path)

    def _on_tree_node_activated(self, node: H5Node) -> None:
        if node.kind == Kind.DATASET:
            self.open_dataset(node.path)  # says clearly why it is not a spectral map
        elif node.kind in (Kind.BROKEN, Kind.ERROR):
            self.statusBar().showMessage(f"{node.path}: {node.info.note}", 10000)

    def _on_tree_fetch_failed(self, message: str) -> None:
        self.statusBar().showMessage(message, 10000)

    # ---- menus and dialogs -----------------------------------------------------------------------
    def _on_open_triggered(self) -> None:
        path = self.dialogs.ask_open_file(self.settings.last_folder())
        if path:
            self.open_file(path)

    def _on_recent_menu_about_to_show(self) -> None:
        self.recent_menu.clear()
        files = self.settings.recent_files()
        for i, f in enumerate(files, 1):
            a = self.recent_menu.addAction(f"&{i % 10} {Path(f).name}  —  {Path(f).parent}")
            a.setToolTip(f)
            a.setData(f)
            a.triggered.connect(lambda _=False, f=f: self.open_recent(f))
        if not files:
            self.recent_menu.addAction("(no recent files)").setEnabled(False)
        self.recent_menu.addSeparator()
        clear = self.recent_menu.addAction("Clear the list")
        clear.setEnabled(bool(files))
        clear.triggered.connect(self.settings.clear_recent_files)

    def open_recent(self, path: str) -> bool:
        if not Path(path).exists():
            self.settings.remove_recent_file(path)
            self._error("File not found", f"{path}: no such file (removed from the recent list)")
            return False
        return self.open_file(path)

    def _default_export_name(self, suffix: str) -> str:
        stem = self.file.stem if self.file else "map"
        return str(Path(self.settings.last_folder()) / f"{stem}_{self.map_view.current_layer()}"
                   f"{suffix}")

    def _on_export_png_triggered(self) -> None:
        path = self.dialogs.ask_save_path("Export map as PNG", self._default_export_name(".png"),
                                          "PNG images (*.png)")
        if not path:
            return
        try:
            export_png(self.map_view, path)
        except OSError as exc:
            self._error("Export failed", error_text(exc))
            return
        self.statusBar().showMessage(f"Saved {path}", 5000)

    def _on_export_values_triggered(self, suffix: str) -> None:
        filt = "NumPy arrays (*.npy)" if suffix == ".npy" else "CSV tables (*.csv)"
        path = self.dialogs.ask_save_path("Export map values", self._default_export_name(suffix),
                                          filt)
        if not path:
            return
        if not Path(path).suffix:
            path += suffix
        try:
            export_values(self.map_view, path)
        except (OSError, ValueError) as exc:
            self._error("Export failed", error_text(exc))
            return
        self.statusBar().showMessage(f"Saved {path}", 5000)

    def dialogs_about(self) -> None:
        self.dialogs.about()

    def show_unexpected_error(self, summary: str) -> None:
        """Called by the global exception hook: a short note, the window stays usable."""
        self.statusBar().showMessage(f"Unexpected error: {summary}", 15000)
        self.dialogs.unexpected(summary)

    def _error(self, title: str, text: str) -> None:
        self.statusBar().showMessage(text, 15000)
        self.dialogs.error(title, text)

    # ---- Qt events -------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if urls and urls[0].isLocalFile() and not self.run_controller.is_active():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        local = [u.toLocalFile() for u in urls if u.isLocalFile()]
        if not local:
            event.ignore()
            return
        event.acceptProposedAction()
        # open after the drop returns, so the drag source is not kept waiting by a dialog
        QTimer.singleShot(0, lambda: self.open_file(local[0]))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self.run_controller.is_active():
            if self._close_after_stop or self.dialogs.ask_stop_run():
                self._close_after_stop = True
                self.run_controller.cancel()
                self.statusBar().showMessage("Stopping the run (finished chunks are saved)…")
            event.ignore()
            return
        self._abort_navigators()
        for t in list(self._navigators):
            t.wait(10_000)  # one block of the navigator at most
        self._save_settings()
        event.accept()
