"""The main window: it builds the widgets, the session and the presenters, and hands each
presenter the session and the few widgets it works with (no presenter holds the window).

The session (:mod:`peakgui.gui.session`) holds the state; presenters change it through its
methods and follow its events. Files are read only in workers, each read opening them briefly.
"""

from __future__ import annotations

from pathlib import Path

from PyQt5.QtCore import Qt, QTimer
from PyQt5.QtGui import QCloseEvent, QShowEvent
from PyQt5.QtWidgets import QMainWindow, QVBoxLayout, QWidget

from ...core.analyses import registry
from ..export.actions import ExportActions
from ..panels.attributes_table import AttributesTable
from ..panels.parameters_panel import ParametersPanel
from ..panels.run_panel import RunPanel
from ..presenters.analysis_presenter import AnalysisPresenter
from ..presenters.dataset_presenter import DatasetPresenter
from ..presenters.feedback import Feedback
from ..presenters.inspector import PixelInspector
from ..presenters.loop_maps import LoopMaps
from ..presenters.map_layers import MapLayers
from ..presenters.map_tools import MapTools
from ..presenters.navigator import NavigatorController
from ..presenters.pixel_presenter import PixelPresenter
from ..presenters.results_browser import ResultsBrowser
from ..presenters.results_maps import LiveMaps
from ..presenters.run_controller import RunController
from ..presenters.run_presenter import RunPresenter
from ..session import Session
from ..views.loop_plot import LoopPlot
from ..widgets.dataset_label import DatasetLabel
from ..widgets.dialogs import Dialogs
from ..widgets.h5_tree import H5TreeView
from ..widgets.info_bar import InfoBar
from ..widgets.map_view import MapView
from ..widgets.spectrum_view import SpectrumView
from ..workers import wait_for_workers
from .actions import ACTIONS, WindowActions
from .docks import add_dock, analysis_panel, arrange, default_sizes, scrolled
from .file_drop import FileDrop
from .icons import app_icon
from .settings import Settings
from .view_dock import ViewDock
from .view_options import ViewOptions
from .window_geometry import (
    LAYOUT_VERSION,
    keep_docks_readable,
    layout_is_readable,
    restore_or_place,
)

LEFT, RIGHT = Qt.LeftDockWidgetArea, Qt.RightDockWidgetArea


class MainWindow(FileDrop):
    """HDF5 tree, map, spectrum, analysis parameters and run controls of one file."""

    def __init__(self, settings: Settings | None = None, dialogs: Dialogs | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings or Settings()
        self.dialogs = dialogs or Dialogs(self)
        if self.dialogs.parent is None:
            self.dialogs.parent = self
        self.session = Session()
        self.remember_run_options = True  # False when --jobs came from the command line
        self.setWindowTitle("PeakGUI")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.setDockOptions(QMainWindow.AnimatedDocks | QMainWindow.AllowNestedDocks)
        self._build()
        self._build_docks()
        self._connect()
        self._restore_settings()
        self.actions.update()
        self.statusBar().showMessage("Open an HDF5 file (File ▸ Open, or drop it on the window)")

    # ---- construction ---------------------------------------------------------------------------
    def _build(self) -> None:
        s, settings = self.session, self.settings
        self.map_view = MapView()
        self.layers = MapLayers(self.map_view, self)
        self.info_bar = InfoBar()
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(2, 2, 2, 2)
        self.tree = H5TreeView()
        self.attributes = AttributesTable()
        self.spectrum_view = SpectrumView()
        lay.addWidget(self.info_bar)
        lay.addWidget(self.spectrum_view.take_controls())  # the step sliders: maps and spectrum
        lay.addWidget(self.map_view, 1)
        self.setCentralWidget(central)
        self.params_panel = ParametersPanel(registry.available())
        self.loop_plot = LoopPlot()
        self.run_panel = RunPanel()
        self.dataset_label = DatasetLabel()
        self.statusBar().addPermanentWidget(self.dataset_label)
        self.feedback = fb = Feedback(self.statusBar(), self.dialogs)
        self.inspector = PixelInspector(s, self)
        self.run_controller = RunController(self)
        self.live_maps = LiveMaps(self)
        self.navigator = NavigatorController(self.layers, self)
        self.analysis = AnalysisPresenter(s, self.params_panel, settings, self.layers,
                                          self.spectrum_view, self.loop_plot, self)
        self.results_browser = ResultsBrowser(s, self.layers, self.map_view, self.info_bar,
                                              self.run_panel, self.loop_plot, self.analysis,
                                              settings, fb, self)
        self.datasets = DatasetPresenter(s, self.tree, self.attributes, self.info_bar,
                                         self.layers, self.map_view, self.spectrum_view,
                                         self.loop_plot, self.run_panel, self.navigator,
                                         self.results_browser, settings, fb, self)
        self.pixels = PixelPresenter(s, self.inspector, self.map_view, self.spectrum_view,
                                     self.loop_plot, self.layers, self.navigator,
                                     self.results_browser, self)
        self.run_presenter = RunPresenter(s, self.run_controller, self.live_maps,
                                          self.params_panel, self.run_panel, self.layers,
                                          self.info_bar, self.loop_plot, self.results_browser,
                                          self.analysis, settings, fb, self)
        self.map_tools = MapTools(s, self.map_view, self.spectrum_view, self.layers,
                                  self.inspector, self.results_browser, fb, self)
        self.loop_maps = LoopMaps(self.results_browser, self)  # the loop fit's maps
        exports = ExportActions(s, settings, fb, self.map_view, self.layers,
                                self.spectrum_view, self.loop_plot, self.map_tools, self)
        self.actions = WindowActions(self, s, settings, fb, self.datasets, self.run_presenter,
                                     self.run_controller, self.results_browser,
                                     self.params_panel, self.layers, self.map_view, exports,
                                     self.map_tools.menu, self.default_layout)
        for name in ACTIONS:  # the window's actions, by name (menus, tests, scripts)
            setattr(self, name, getattr(self.actions, name))
        self.recent_menu = self.actions.recent_menu
        self.run_panel.bind(self.start_action, self.pause_action, self.cancel_action)
        self.view_options = ViewOptions(settings, self.map_view, self.spectrum_view, self)
        self.bin_timer = QTimer(self)
        self.bin_timer.setSingleShot(True)
        self.bin_timer.setInterval(200)

    def _build_docks(self) -> None:
        self.tree_dock = add_dock(self, "HDF5 file", "tree", self.tree, LEFT)
        self.attributes_dock = add_dock(self, "Attributes", "attributes", self.attributes, LEFT)
        self.spectrum_dock = add_dock(self, "Spectrum and pixel test", "spectrum",
                                      self.spectrum_view, RIGHT)
        self.loop_dock = add_dock(self, "Loop at the selected pixel", "loop", self.loop_plot,
                                  RIGHT)
        self.run_dock = add_dock(self, "Analysis", "analysis",
                                 analysis_panel(self.params_panel, self.run_panel), LEFT)
        self.tools_dock = add_dock(self, "Regions and comparisons", "tools",
                                   scrolled(self.map_tools.panel), LEFT)
        self.view_dock = ViewDock(self, self.analysis, self.loop_dock).dock  # a view's panel
        self._docks = {"tree": self.tree_dock, "attributes": self.attributes_dock,
                       "tools": self.tools_dock, "spectrum": self.spectrum_dock,
                       "loop": self.loop_dock, "view": self.view_dock, "run": self.run_dock}
        arrange(self, self._docks)
        self.loop_dock.hide()  # only for data with more than one step
        self.view_dock.hide()
        docks = [self.tree_dock, self.attributes_dock, self.spectrum_dock, self.loop_dock,
                 self.view_dock, self.run_dock, self.tools_dock]
        self.actions.fill_view_menu(docks)
        self.view_options.add_to_menu(self.actions.view_menu)
        keep_docks_readable(docks)

    def _connect(self) -> None:
        s = self.session
        show = self.layers.combo()  # the longest map names read whole; any in the tooltip
        show.setMinimumContentsLength(30)
        about = show.toolTip()
        show.currentTextChanged.connect(lambda text: show.setToolTip(
            f"<b>{text}</b><br>{about}" if text else about))
        self.tree.model().sigFetchFailed.connect(lambda m: self.statusBar().showMessage(m, 10000))
        self.map_view.sigPixelClicked.connect(self.select_pixel)
        self.map_view.sigColormapChanged.connect(self.settings.set_colormap)
        self.layers.sigLayerChanged.connect(s.show_layer)
        self.layers.sigBinChanged.connect(lambda _bin: self.bin_timer.start())
        self.bin_timer.timeout.connect(self.pixels.on_bin_timer_timeout)
        self.spectrum_view.sigSpectralDimChanged.connect(self.datasets.set_spectral_dim)
        s.run_changed.connect(self.run_panel.show_status)
        s.file_changed.connect(self._on_session_file_changed)
        s.source_changed.connect(self.dataset_label.show_source)
        s.source_changed.connect(lambda _source: self.show_loop_dock())
        self.datasets.sigDatasetOpened.connect(lambda _ds: self.run_presenter.warm_up())
        self.datasets.sigOpenWanted.connect(self.open_action.trigger)
        self.run_presenter.sigCloseWanted.connect(self.close)
        self.run_presenter.sigFileChanged.connect(self.tree.refresh_path)
        self.map_tools.sigShowWanted.connect(lambda: (self.tools_dock.show(),
                                                      self.tools_dock.raise_()))
        self.map_tools.connect_map_updates(self.live_maps.sigMapsUpdated, self.navigator.sigReady)

    def _on_session_file_changed(self, path: Path | None) -> None:
        self.setWindowTitle(f"PeakGUI — {path.name}" if path else "PeakGUI")
        self.setWindowFilePath(str(path) if path else "")

    def _restore_settings(self) -> None:
        geom = self.settings.window_geometry()
        state = self.settings.window_state(LAYOUT_VERSION)  # None if saved by another layout
        fitted = restore_or_place(self, geom)  # a saved size only if it fits this screen
        self._restored = (state is not None and fitted
                          and self.restoreState(state, LAYOUT_VERSION))
        if not self._restored:
            self.default_layout()
        name = self.settings.analysis_name() or registry.DEFAULT
        self.params_panel.set_analysis(name, self.settings.analysis_params(name))
        self.analysis.ensure_view()
        jobs, mem = self.settings.run_options()
        self.params_panel.set_run_options(jobs, mem)
        self.params_panel.set_compute_target(self.settings.compute_target())
        self.map_view.set_colormap(self.settings.colormap())

    def default_layout(self) -> None:
        """Dock sizes that leave the map the most room (first start, or View ▸ Reset layout)."""
        arrange(self, self._docks)
        self.view_dock.setVisible(self.analysis.view is not None
                                  and self.analysis.view.panel() is not None)
        default_sizes(self, self._docks)
        self.show_loop_dock()

    def show_loop_dock(self) -> None:
        """The loop dock for data with more than one step, sharing the right column evenly
        with the spectrum when it comes up (both need their height on a short screen)."""
        source = self.session.source
        multi = source is not None and source.layout.n_steps > 1
        was_hidden = self.loop_dock.isHidden()
        self.loop_dock.setVisible(multi)
        if multi:
            self.loop_dock.raise_()
            if was_hidden and not self.loop_dock.isFloating() and not self.spectrum_dock.isHidden():
                both = max(self.spectrum_dock.height() + self.loop_dock.height(),
                           self.height() - 120)
                top = int(both * 0.56)  # the spectrum has its title and readout to hold too
                self.resizeDocks([self.spectrum_dock, self.loop_dock], [top, both - top],
                                 Qt.Vertical)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._restored:  # once laid out: a restored layout that cuts a dock is dropped
            self._restored = False
            QTimer.singleShot(0, self._check_restored_layout)

    def _check_restored_layout(self) -> None:
        if not layout_is_readable(self, list(self._docks.values())):
            self.default_layout()

    def _save_settings(self) -> None:
        self.settings.save_window(self.saveGeometry(), self.saveState(LAYOUT_VERSION),
                                  LAYOUT_VERSION)
        self.analysis.remember()
        if self.remember_run_options:
            self.settings.set_run_options(self.params_panel.jobs() or 0,
                                          int(self.params_panel.max_mem_mb() or 0))
        self.settings.set_compute_target(self.params_panel.compute_target())
        self.settings.sync()

    # ---- what scripts, tests and the launcher use -----------------------------------------------
    file = property(lambda self: self.session.file)
    source = property(lambda self: self.session.source)
    results = property(lambda self: self.results_browser.results)
    last_progress = property(lambda self: self.run_presenter.last_progress)
    sigFileOpened = property(lambda self: self.datasets.sigFileOpened)
    sigDatasetOpened = property(lambda self: self.datasets.sigDatasetOpened)
    sigOpenFinished = property(lambda self: self.datasets.sigOpenFinished)
    sigPixelTested = property(lambda self: self.pixels.sigPixelTested)
    sigNavigatorReady = property(lambda self: self.navigator.sigReady)
    sigResultsShown = property(lambda self: self.results_browser.sigResultsShown)

    @property
    def chunk_seconds(self) -> float:
        """Seconds of work per chunk of a run: how soon Pause and Cancel take effect."""
        return self.run_presenter.chunk_seconds

    @chunk_seconds.setter
    def chunk_seconds(self, value: float) -> None:
        self.run_presenter.chunk_seconds = value

    def open_file(self, path: str | Path, dataset: str | None = None) -> bool:
        """Show a file's tree and open its first (or the given) spectral dataset."""
        return self.datasets.open_file(path, dataset)

    def close_file(self) -> None:
        self.datasets.close_file()

    def select_pixel(self, row: int, col: int) -> bool:
        """Read and test one pixel, in a worker (sigPixelTested follows)."""
        return self.session.select_pixel(row, col)

    def drop_allowed(self) -> bool:
        return not self.run_controller.is_active()

    def start_run(self, force: bool = False) -> bool:
        """Run the analysis over the dataset (resumes or reuses); see RunPresenter."""
        return self.run_presenter.start(force)

    def show_unexpected_error(self, summary: str) -> None:
        """Called by the global exception hook: a short note, the window stays usable."""
        self.statusBar().showMessage(f"Unexpected error: {summary}", 15000)
        self.dialogs.unexpected(summary)

    # ---- workers and Qt events ------------------------------------------------------------------
    def _readers(self) -> tuple:
        """Every part that reads in workers for the window (a pixel, maps, the tree...)."""
        return (self.datasets, self.navigator, self.results_browser, self.map_tools,
                self.inspector, self.tree.model(), self.run_presenter.warmup, self.loop_maps)

    def busy(self) -> bool:
        """A worker is still reading for the window."""
        return any(part.busy() for part in self._readers())

    def stop_workers(self, msecs: int = 10_000) -> bool:
        """Abandon every read in flight and wait for the workers (closing, tests)."""
        for part in self._readers():
            part.abort()
        self.attributes.clear()
        self.live_maps.stop()
        return wait_for_workers(msecs)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.run_controller.is_active():
            if self.run_presenter.close_after_stop or self.dialogs.ask_stop_run():
                self.run_presenter.close_after_stop = True
                self.run_controller.cancel()
                self.statusBar().showMessage("Stopping the run (finished chunks are saved)…")
            event.ignore()
            return
        self.stop_workers()
        self._save_settings()
        event.accept()
