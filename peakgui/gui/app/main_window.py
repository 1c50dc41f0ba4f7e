"""The main window: it builds the widgets and wires them to the presenters that do the work.

Presenters: :class:`RunPresenter` (a run), :class:`ResultsBrowser` (results groups and earlier
results), :class:`NavigatorController` (navigator images), :class:`PixelInspector` (the selected
pixel), :class:`WindowActions` (actions and menus). Files are never kept open and never read on
the GUI thread by them: their workers open the file briefly for each read (the engine opens the
results file read-write during a run, and HDF5 refuses that while this process holds it).
"""

from __future__ import annotations

from pathlib import Path

from PyQt5.QtCore import Qt, QTimer, pyqtSignal
from PyQt5.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PyQt5.QtWidgets import (
    QDockWidget,
    QFrame,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMenu,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...core.analyses import registry
from ...core.analyses.declaration import ResultField
from ...core.io.layout import SpectralLayout
from ...core.io.source import SpectralSource
from ...core.run.engine import AnalysisRun
from ..formatting import step_description
from ..panels.attributes_table import AttributesTable
from ..panels.parameters_panel import ParametersPanel
from ..panels.run_panel import RunPanel
from ..presenters.analysis_presenter import AnalysisPresenter
from ..presenters.dataset_presenter import DatasetPresenter
from ..presenters.inspector import PixelInspector
from ..presenters.map_layers import MapLayers
from ..presenters.map_tools import MapTools
from ..presenters.navigator import NavigatorController
from ..presenters.pixel_presenter import PixelPresenter
from ..presenters.results_browser import ResultsBrowser
from ..presenters.results_maps import LiveMaps
from ..presenters.run_controller import RunController
from ..presenters.run_presenter import RunPresenter
from ..views.loop_plot import LoopPlot
from ..widgets.h5_tree import H5TreeView
from ..widgets.info_bar import InfoBar
from ..widgets.map_grid import MapGrid
from ..widgets.map_view import MapView
from ..widgets.spectrum_view import SpectrumView
from ..workers import wait_for_workers
from .actions import WindowActions
from .dialogs import Dialogs
from .icons import app_icon
from .settings import Settings
from .view_options import ViewOptions
from .window_geometry import keep_docks_readable, restore_or_place


class MainWindow(QMainWindow):
    """HDF5 tree, map, spectrum, analysis parameters and run controls of one file."""

    sigFileOpened = pyqtSignal(str)
    """A file was opened (carries its path)."""
    sigDatasetOpened = pyqtSignal(str)
    """A spectral dataset became the current source (carries its HDF5 path)."""
    sigOpenFinished = pyqtSignal(bool)
    """Opening a file or dataset ended (True: shown; False: refused, and said why)."""
    sigPixelTested = pyqtSignal(object)
    """The selected pixel was read and tested (carries a PixelReport)."""

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
        self.setWindowTitle("PeakGUI")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.setDockOptions(QMainWindow.AnimatedDocks | QMainWindow.AllowNestedDocks)

        self._build_widgets()
        self.inspector = PixelInspector(self)
        self.run_controller = RunController(self)
        self.live_maps = LiveMaps(self)
        self.navigator = NavigatorController(self.layers, self)
        self.results_browser = ResultsBrowser(self)
        self.datasets = DatasetPresenter(self)
        self.pixels = PixelPresenter(self)
        self.analysis = AnalysisPresenter(self)
        self.run_presenter = RunPresenter(self, self.run_controller, self.live_maps)
        self.actions = WindowActions(self)
        self.view_options = ViewOptions(self.settings, self.map_view, self.spectrum_view, self)
        self.inspector.sigInspected.connect(self.pixels.on_pixel_inspected)  # shown first
        self.map_tools = MapTools(self.map_view, self.spectrum_view, self.layers, self.inspector,
                                  self.results_browser, self.statusBar().showMessage,
                                  self.step_suffix, self)
        help_menu = next(m for m in self.menuBar().findChildren(QMenu) if m.title() == "&Help")
        self.menuBar().insertMenu(help_menu.menuAction(), self.map_tools.menu)
        self._build_docks()
        self._connect()
        self.bin_timer = self._single_shot(200, self.pixels.on_bin_timer_timeout)
        self._restore_settings()
        self.update_actions()
        self.statusBar().showMessage("Open an HDF5 file (File ▸ Open, or drop it on the window)")

    # ---- signals relayed from the presenters ----------------------------------------------------
    @property
    def sigNavigatorReady(self):
        """A complete navigator image is shown (carries 'mean' or 'bin')."""
        return self.navigator.sigReady

    @property
    def sigResultsShown(self):
        """A results group's maps are shown (carries ResultsMaps)."""
        return self.results_browser.sigResultsShown

    @property
    def sigExistingChecked(self):
        """Earlier results with the current parameters were looked for (carries the list)."""
        return self.results_browser.sigExistingChecked

    @property
    def results(self):
        return self.results_browser.results

    @property
    def existing(self):
        return self.results_browser.existing

    @property
    def last_progress(self):
        return self.run_presenter.last_progress

    # ---- construction ---------------------------------------------------------------------------
    def _single_shot(self, msecs: int, slot) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(msecs)
        timer.timeout.connect(slot)
        return timer

    def _build_widgets(self) -> None:
        self.map_view = MapView()
        self.layers = MapLayers(self.map_view, self)
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
        self.params_panel = ParametersPanel(registry.available())
        self.loop_plot = LoopPlot()
        self.dataset_label = QLabel("")
        self.statusBar().addPermanentWidget(self.dataset_label)

    def _build_docks(self) -> None:
        self.tree_dock = self._dock("HDF5 file", "tree", self.tree, Qt.LeftDockWidgetArea)
        self.attributes_dock = self._dock("Attributes", "attributes", self.attributes,
                                          Qt.LeftDockWidgetArea)
        self.spectrum_dock = self._dock("Spectrum and pixel test", "spectrum",
                                        self.spectrum_view, Qt.RightDockWidgetArea)
        self.splitDockWidget(self.tree_dock, self.attributes_dock, Qt.Vertical)
        self.loop_dock = self._dock("Loop at the selected pixel", "loop", self.loop_plot,
                                    Qt.LeftDockWidgetArea)
        self.tabifyDockWidget(self.attributes_dock, self.loop_dock)
        self.loop_dock.hide()  # only for data with more than one step
        self.run_panel = RunPanel(self.start_action, self.pause_action, self.cancel_action)
        boxes = []
        for title, widget in (("Parameters", self.params_panel),
                              ("Run over the whole dataset", self.run_panel)):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(widget)
            boxes.append(box)
        scroll = QScrollArea()  # a short screen scrolls the parameters; Start stays in view
        scroll.setWidget(boxes[0])
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(boxes[0].minimumSizeHint().width()
                               + scroll.verticalScrollBar().sizeHint().width())
        panel = QWidget()
        v = QVBoxLayout(panel)
        v.setContentsMargins(2, 2, 2, 2)
        v.addWidget(scroll, 1)
        v.addWidget(boxes[1])
        self.run_dock = self._dock("Analysis", "analysis", panel, Qt.RightDockWidgetArea)
        self.splitDockWidget(self.spectrum_dock, self.run_dock, Qt.Vertical)
        tools = QScrollArea()
        tools.setWidget(self.map_tools.panel)
        tools.setWidgetResizable(True)
        tools.setFrameShape(QFrame.NoFrame)
        tools.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.tools_dock = self._dock("Regions and comparisons", "tools", tools,
                                     Qt.LeftDockWidgetArea)
        self.tabifyDockWidget(self.attributes_dock, self.tools_dock)
        self.attributes_dock.raise_()
        self.actions.fill_view_menu([self.tree_dock, self.attributes_dock, self.spectrum_dock,
                                     self.loop_dock, self.run_dock, self.tools_dock])
        self.view_options.add_to_menu(self.actions.view_menu)
        keep_docks_readable([self.tree_dock, self.attributes_dock, self.spectrum_dock,
                             self.loop_dock, self.run_dock, self.tools_dock])

    def _dock(self, title: str, name: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{name}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _connect(self) -> None:
        self.tree.sigNodeSelected.connect(self.datasets.on_tree_node_selected)
        self.tree.sigNodeActivated.connect(self.datasets.on_tree_node_activated)
        self.tree.sigNodeClickedAgain.connect(self.datasets.on_tree_node_clicked_again)
        self.tree.model().sigFetchFailed.connect(lambda m: self.statusBar().showMessage(m, 10000))
        self.map_view.sigPixelClicked.connect(self.select_pixel)
        self.map_view.sigColormapChanged.connect(self.settings.set_colormap)
        self.layers.sigLayerChanged.connect(self.pixels.on_layers_layer_changed)
        self.layers.sigBinChanged.connect(lambda _bin: self.bin_timer.start())
        self.spectrum_view.sigStepChanged.connect(self.pixels.on_spectrum_step_changed)
        self.spectrum_view.sigSpectralDimChanged.connect(self.set_spectral_dim)
        self.navigator.sigFailed.connect(self.pixels.on_navigator_failed)
        self.map_tools.sigShowWanted.connect(lambda: (self.tools_dock.show(),
                                                      self.tools_dock.raise_()))
        self.map_tools.connect_map_updates(self.live_maps.sigMapsUpdated, self.navigator.sigReady)
        self.sigDatasetOpened.connect(lambda _ds: self.map_tools.on_source_changed(self.source))

    def _restore_settings(self) -> None:
        geom, state = self.settings.window_geometry(), self.settings.window_state()
        fitted = restore_or_place(self, geom)  # a saved size only if it fits this screen
        if state is None or not fitted or not self.restoreState(state):
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
        for d in (self.tree_dock, self.attributes_dock, self.spectrum_dock, self.run_dock):
            d.show()
        self.show_loop_dock()
        right = self.run_dock.widget().minimumSizeHint().width()  # the analysis panel
        self.resizeDocks([self.tree_dock, self.spectrum_dock], [380, max(440, right)],
                         Qt.Horizontal)
        self.resizeDocks([self.tree_dock, self.attributes_dock], [420, 440], Qt.Vertical)
        self.resizeDocks([self.spectrum_dock, self.run_dock], [340, 560], Qt.Vertical)

    def _save_settings(self) -> None:
        self.settings.save_window(self.saveGeometry(), self.saveState())
        self.remember_analysis()
        if self.remember_run_options:
            self.settings.set_run_options(self.params_panel.jobs() or 0,
                                          int(self.params_panel.max_mem_mb() or 0))
        self.settings.set_compute_target(self.params_panel.compute_target())
        self.settings.sync()

    def remember_analysis(self) -> None:
        """The chosen analysis and its valid parameters, for the next session."""
        analysis, params = self.params_panel.analysis(), self.params_panel.params()
        if analysis is not None:
            self.settings.set_analysis_name(analysis.name)
            if params is not None:
                self.settings.set_analysis_params(analysis.name, params)

    # ---- the analysis (see AnalysisPresenter) ---------------------------------------------------
    def analysis_run(self, params: dict | None = None, backend=None) -> AnalysisRun | None:
        return self.analysis.run_for(params, backend)

    def result_fields(self) -> list[ResultField]:
        run = self.inspector.run
        return run.result_fields() if run is not None else []

    def apply_params(self, params: dict | None) -> None:
        self.analysis.apply_params(params)

    def check_existing(self) -> None:
        self.analysis.check_existing()

    # ---- files and datasets (see DatasetPresenter) ----------------------------------------------
    def open_file(self, path: str | Path, dataset: str | None = None) -> bool:
        """Show a file's tree and open its first (or the given) spectral dataset."""
        return self.datasets.open_file(path, dataset)

    def open_dataset(self, dataset: str, file: Path | None = None) -> bool:
        """Open a spectral dataset of the file (sigOpenFinished says how it went)."""
        return self.datasets.open_dataset(dataset, file)

    def set_spectral_dim(self, name: str) -> bool:
        return self.datasets.set_spectral_dim(name)

    def set_source(self, source: SpectralSource, keep_pixel: tuple[int, int] | None = None,
                   check: bool = True) -> None:
        self.datasets.set_source(source, keep_pixel, check)

    def close_file(self) -> None:
        self.datasets.close_file()

    def open_recent(self, path: str) -> bool:
        return self.datasets.open_recent(path)

    def open_results_group(self, group: str) -> bool:
        return self.results_browser.open_group(group)

    def set_map_grid(self, layout: SpectralLayout) -> None:
        self.map_view.set_grid(MapGrid.from_layout(layout))

    # ---- the selected pixel ---------------------------------------------------------------------
    def select_pixel(self, row: int, col: int) -> bool:
        """Read and test one pixel, in a worker (sigPixelTested follows)."""
        return self.inspector.select(row, col)

    def step_suffix(self, step: int) -> str:
        lay = self.source.layout if self.source is not None else None
        if lay is None or lay.n_steps <= 1:
            return ""
        return f" · {step_description(lay, step)}"

    def show_loop_dock(self) -> None:
        multi = self.source is not None and self.source.layout.n_steps > 1
        self.loop_dock.setVisible(multi)
        if multi:
            self.loop_dock.raise_()

    # ---- running --------------------------------------------------------------------------------
    def start_run(self, force: bool = False) -> bool:
        """Run the analysis over the dataset (resumes or reuses); see RunPresenter."""
        return self.run_presenter.start(force)

    def pause_run(self) -> None:
        self.run_controller.pause()

    def resume_run(self) -> None:
        self.run_controller.resume()

    def cancel_run(self) -> None:
        self.run_controller.cancel()

    def update_actions(self) -> None:
        self.run_presenter.update_actions()

    # ---- messages -------------------------------------------------------------------------------
    def show_unexpected_error(self, summary: str) -> None:
        """Called by the global exception hook: a short note, the window stays usable."""
        self.statusBar().showMessage(f"Unexpected error: {summary}", 15000)
        self.dialogs.unexpected(summary)

    def error(self, title: str, text: str) -> None:
        self.statusBar().showMessage(text, 15000)
        self.dialogs.error(title, text)

    # ---- Qt events ------------------------------------------------------------------------------
    def busy(self) -> bool:
        """A worker is still reading for the window (a pixel, maps, the tree, a navigator)."""
        return (self.datasets.busy() or self.inspector.busy() or self.results_browser.busy()
                or self.navigator.busy() or self.tree.model().busy() or self.map_tools.busy()
                or self.run_presenter.warmup.busy())

    def stop_workers(self, msecs: int = 10_000) -> bool:
        """Abandon every read in flight and wait for the workers (closing, tests)."""
        self.datasets.abort()
        self.navigator.abort()
        self.results_browser.abort()
        self.map_tools.abort()
        self.attributes.clear()
        self.inspector.set_source(self.inspector.source)
        self.tree.model().abort()
        self.live_maps.stop()
        self.run_presenter.warmup.abort()
        return wait_for_workers(msecs)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if urls and urls[0].isLocalFile() and not self.run_controller.is_active():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        local = [u.toLocalFile() for u in urls if u.isLocalFile()]
        if not local:
            event.ignore()
            return
        event.acceptProposedAction()
        # open after the drop returns, so the drag source is not kept waiting by a dialog
        QTimer.singleShot(0, lambda: self.open_file(local[0]))

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
