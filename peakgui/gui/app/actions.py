"""The window's actions, menus and toolbar, the slots of the File and Help menus, and which
actions are enabled (from the session: a dataset, valid parameters, a run under way)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PyQt5.QtCore import QObject, Qt
from PyQt5.QtGui import QKeySequence
from PyQt5.QtWidgets import QAction, QMainWindow, QMenu, QStyle

from ..export.actions import ExportActions
from ..export.map_export import export_values
from ..formatting import error_text
from ..panels.parameters_panel import ParametersPanel
from ..presenters.dataset_presenter import DatasetPresenter
from ..presenters.feedback import Feedback
from ..presenters.map_layers import MapLayers
from ..presenters.results_browser import ResultsBrowser
from ..presenters.run_controller import RunController, RunState
from ..presenters.run_presenter import RunPresenter
from ..session import RunPhase, Session
from ..widgets.map_view import MapView
from .batch_dialog import BatchDialog
from .help import show_guide, show_shortcuts
from .settings import Settings

ACTIONS = ("open_action", "close_action", "export_png_action", "export_csv_action",
           "export_npy_action", "run_files_action", "quit_action", "start_action",
           "pause_action", "cancel_action", "recompute_action", "about_action", "guide_action",
           "shortcuts_action")


START_TIP = "Run the analysis over the whole dataset with these parameters"


class WindowActions(QObject):
    """Creates the window's QActions (``open_action``...) and menus, and handles the File menu."""

    def __init__(self, window: QMainWindow, session: Session, settings: Settings,
                 feedback: Feedback, datasets: DatasetPresenter, runs: RunPresenter,
                 controller: RunController, results: ResultsBrowser, panel: ParametersPanel,
                 layers: MapLayers, map_view: MapView, exports: ExportActions,
                 tools_menu: QMenu, default_layout: Callable[[], None]):
        super().__init__(window)
        self.w, self.session, self.settings, self.feedback = window, session, settings, feedback
        self.datasets, self.runs, self.rc, self.results = datasets, runs, controller, results
        self.panel, self.layers, self.map_view, self.exports = panel, layers, map_view, exports
        self.default_layout, self.tools_menu = default_layout, tools_menu
        self.batch_dialog: BatchDialog | None = None
        self._build_actions()
        self._build_menus()
        for event in (session.source_changed, session.configured_changed, session.run_changed,
                      session.file_changed):
            event.connect(lambda _value: self.update())
        controller.sigStateChanged.connect(lambda _state: self.update())
        layers.sigLayerChanged.connect(lambda _key: self.update())

    def update(self) -> None:
        """Enable what can be done now: Start only with a dataset and valid parameters."""
        state = self.rc.state
        idle = state is RunState.IDLE
        why = self.session.can_start() if idle else "a run is in progress"
        can_run = not why
        self.start_action.setEnabled(can_run)
        self.start_action.setToolTip(START_TIP if can_run else f"Cannot start: {why}")
        self.recompute_action.setEnabled(can_run)
        run = self.session.run
        resumable = run.resumable and run.phase in (RunPhase.IDLE, RunPhase.FAILED)
        self.start_action.setText("Resume" if resumable and idle else "Start")
        self.pause_action.setEnabled(state in (RunState.RUNNING, RunState.PAUSING,
                                               RunState.PAUSED))
        paused = state in (RunState.PAUSING, RunState.PAUSED)
        self.pause_action.setText("Resume" if paused else "Pause")
        self.pause_action.setIcon(self.w.style().standardIcon(
            QStyle.SP_MediaPlay if paused else QStyle.SP_MediaPause))
        self.cancel_action.setEnabled(not idle and state is not RunState.CANCELLING)
        self.panel.set_editable(idle)
        self.open_action.setEnabled(idle)
        self.recent_menu.setEnabled(idle)
        self.close_action.setEnabled(idle and self.session.file is not None)
        has_map = self.layers.current_image() is not None
        for a in (self.export_png_action, self.export_csv_action, self.export_npy_action):
            a.setEnabled(self.session.source is not None or has_map)

    def new_batch_dialog(self) -> BatchDialog:
        """File ▸ Run on files with the window's analysis, parameters and resources."""
        return BatchDialog(self.panel, self.session, self.settings, self.runs.chunk_seconds,
                           self.results.check_existing, self.w)

    def _act(self, text: str, slot: Callable, shortcut=None, tip: str = "", icon=None,
             name: str = "") -> QAction:
        a = QAction(text, self.w)
        a.setObjectName(name or text)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        if tip:
            a.setToolTip(tip)
            a.setStatusTip(tip)
        if icon is not None:
            a.setIcon(self.w.style().standardIcon(icon))
        a.triggered.connect(slot)
        return a

    def _build_actions(self) -> None:
        w, act = self, self._act
        w.open_action = act("&Open…", self._on_open_triggered, QKeySequence.Open,
                            "Open an HDF5 file", QStyle.SP_DialogOpenButton, "open")
        w.close_action = act("&Close", self.datasets.close_file, "Ctrl+W", "Close the file",
                             QStyle.SP_DialogCloseButton, "close")
        w.export_png_action = act("Map as &figure (PNG or SVG)…",
                                  self.exports.on_map_figure_triggered,
                                  tip="Save the shown map as a figure drawn from its data: "
                                  "title, colour bar, scale bar, no cursor", name="export_png")
        w.export_csv_action = act("Map values as &CSV…",
                                  lambda: self._on_export_values_triggered(".csv"),
                                  tip="Save the shown map's values as a CSV table "
                                  "(rows x columns; nan where not computed)", name="export_csv")
        w.export_npy_action = act("Map values as &NumPy…",
                                  lambda: self._on_export_values_triggered(".npy"),
                                  tip="Save the shown map's values as a .npy array "
                                  "(np.load, no pickle)", name="export_npy")
        w.run_files_action = act("Run on &files…", self._on_run_files_triggered, "Ctrl+Shift+R",
                                 "Run the current analysis and parameters on many files, one "
                                 "after another", name="run_files")
        w.quit_action = act("&Quit", self.w.close, "Ctrl+Q", "Quit PeakGUI", name="quit")
        w.quit_action.setMenuRole(QAction.QuitRole)
        w.start_action = act("Start", lambda: self.runs.start(), "F5", START_TIP,
                             QStyle.SP_MediaPlay, "start")
        w.pause_action = act("Pause", self.runs.toggle_pause, "F6",
                             "Pause after the chunk in flight (about half a second); "
                             "press again to resume", QStyle.SP_MediaPause, "pause")
        w.cancel_action = act("Cancel", self.rc.cancel, "Shift+F5",
                              "Stop the run; finished chunks are saved and Start resumes",
                              QStyle.SP_MediaStop, "cancel")
        w.recompute_action = act("Recompute", lambda: self.runs.start(force=True),
                                 tip="Compute a new results group even if one with these "
                                 "parameters exists", name="recompute")
        w.about_action = act("&About PeakGUI", lambda: self.feedback.dialogs.about(),
                             tip="Versions and credits", name="about")
        w.guide_action = act("Quick &guide", lambda: show_guide(self.w), QKeySequence.HelpContents,
                             "Open a file, test pixels, tune, run, export: the steps in short",
                             name="guide")
        w.shortcuts_action = act("&Keyboard shortcuts", lambda: show_shortcuts(self.w), "Ctrl+/",
                                 "Every keyboard shortcut of the window", name="shortcuts")

    def _build_menus(self) -> None:
        w = self
        mb = self.w.menuBar()
        m = mb.addMenu("&File")
        m.addAction(w.open_action)
        w.recent_menu = QMenu("Open &Recent", self.w)
        w.recent_menu.aboutToShow.connect(self._on_recent_menu_about_to_show)
        m.addMenu(w.recent_menu)
        m.addAction(w.close_action)
        m.addSeparator()
        m.addAction(w.run_files_action)
        m.addSeparator()
        w.export_menu = m.addMenu("&Export")
        for a in (w.export_png_action, w.export_csv_action, w.export_npy_action):
            w.export_menu.addAction(a)
        self.exports.fill_menu(w.export_menu)
        m.addSeparator()
        m.addAction(w.quit_action)
        r = mb.addMenu("&Run")
        for a in (w.start_action, w.pause_action, w.cancel_action, w.recompute_action):
            r.addAction(a)
        self.view_menu = mb.addMenu("&View")
        mb.addMenu(self.tools_menu)
        h = mb.addMenu("&Help")
        h.addAction(w.guide_action)
        h.addAction(w.shortcuts_action)
        h.addSeparator()
        h.addAction(w.about_action)
        tb = self.w.addToolBar("Main")
        tb.setObjectName("toolbar_main")
        tb.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        for a in (w.open_action, None, w.start_action, w.pause_action, w.cancel_action):
            tb.addSeparator() if a is None else tb.addAction(a)

    def fill_view_menu(self, docks: list) -> None:
        for d in docks:
            self.view_menu.addAction(d.toggleViewAction())
        self.view_menu.addSeparator()
        self.view_menu.addAction("Reset layout", self.default_layout)

    # ---- slots ----------------------------------------------------------------------------------
    def _on_open_triggered(self) -> None:
        path = self.feedback.dialogs.ask_open_file(self.settings.last_folder())
        if path:
            self.datasets.open_file(path)

    def _on_run_files_triggered(self) -> None:
        if self.rc.is_active():
            self.feedback.status("A run is in progress: wait for it or cancel it first", 5000)
            return
        self.batch_dialog = self.new_batch_dialog()
        self.batch_dialog.open()

    def _on_recent_menu_about_to_show(self) -> None:
        menu = self.recent_menu
        menu.clear()
        files = self.settings.recent_files()
        for i, f in enumerate(files, 1):
            a = menu.addAction(f"&{i % 10} {Path(f).name}  —  {Path(f).parent}")
            a.setToolTip(f)
            a.setData(f)
            a.triggered.connect(lambda _=False, f=f: self.datasets.open_recent(f))
        if not files:
            menu.addAction("(no recent files)").setEnabled(False)
        menu.addSeparator()
        clear = menu.addAction("Clear the list")
        clear.setEnabled(bool(files))
        clear.triggered.connect(self.settings.clear_recent_files)

    def _default_export_name(self, suffix: str) -> str:
        file = self.session.file
        stem = file.stem if file else "map"
        return str(Path(self.settings.last_folder()) / f"{stem}_{self.layers.current()}{suffix}")

    def _on_export_values_triggered(self, suffix: str) -> None:
        filt = "NumPy arrays (*.npy)" if suffix == ".npy" else "CSV tables (*.csv)"
        path = self.feedback.dialogs.ask_save_path("Export map values", self._default_export_name(suffix),
                                       filt)
        if not path:
            return
        if not Path(path).suffix:
            path += suffix
        try:
            export_values(self.map_view, path)
        except (OSError, ValueError) as exc:
            self.feedback.error("Export failed", error_text(exc))
            return
        self.feedback.status(f"Saved {path}", 5000)
