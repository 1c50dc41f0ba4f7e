"""The window's actions, menus and toolbar, and the slots of the File and Help menus."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PyQt5.QtCore import QObject, Qt
from PyQt5.QtGui import QKeySequence
from PyQt5.QtWidgets import QAction, QMenu, QStyle

from ..export.actions import ExportActions
from ..export.map_export import export_values
from ..formatting import error_text
from .help import show_guide, show_shortcuts

if TYPE_CHECKING:
    from .main_window import MainWindow


class WindowActions(QObject):
    """Creates the QActions on the window (``w.open_action``...) and handles the file menu."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.w = window
        self.exports = ExportActions(window)
        self._build_actions()
        self._build_menus()

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
        w, act = self.w, self._act
        w.open_action = act("&Open…", self._on_open_triggered, QKeySequence.Open,
                            "Open an HDF5 file", QStyle.SP_DialogOpenButton, "open")
        w.close_action = act("&Close", w.close_file, "Ctrl+W", "Close the file",
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
        w.quit_action = act("&Quit", w.close, "Ctrl+Q", "Quit PeakGUI", name="quit")
        w.quit_action.setMenuRole(QAction.QuitRole)
        w.start_action = act("Start", lambda: w.start_run(), "F5",
                             "Run the analysis over the whole dataset with these parameters",
                             QStyle.SP_MediaPlay, "start")
        w.pause_action = act("Pause", w.run_presenter.toggle_pause, "F6",
                             "Pause after the chunk in flight (about half a second); "
                             "press again to resume", QStyle.SP_MediaPause, "pause")
        w.cancel_action = act("Cancel", w.cancel_run, "Shift+F5",
                              "Stop the run; finished chunks are saved and Start resumes",
                              QStyle.SP_MediaStop, "cancel")
        w.recompute_action = act("Recompute", lambda: w.start_run(force=True),
                                 tip="Compute a new results group even if one with these "
                                 "parameters exists", name="recompute")
        w.about_action = act("&About PeakGUI", lambda: w.dialogs.about(),
                             tip="Versions and credits", name="about")
        w.guide_action = act("Quick &guide", lambda: show_guide(w), QKeySequence.HelpContents,
                             "Open a file, test pixels, tune, run, export: the steps in short",
                             name="guide")
        w.shortcuts_action = act("&Keyboard shortcuts", lambda: show_shortcuts(w), "Ctrl+/",
                                 "Every keyboard shortcut of the window", name="shortcuts")

    def _build_menus(self) -> None:
        w = self.w
        mb = w.menuBar()
        m = mb.addMenu("&File")
        m.addAction(w.open_action)
        w.recent_menu = QMenu("Open &Recent", w)
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
        h = mb.addMenu("&Help")
        h.addAction(w.guide_action)
        h.addAction(w.shortcuts_action)
        h.addSeparator()
        h.addAction(w.about_action)
        tb = w.addToolBar("Main")
        tb.setObjectName("toolbar_main")
        tb.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        for a in (w.open_action, None, w.start_action, w.pause_action, w.cancel_action):
            tb.addSeparator() if a is None else tb.addAction(a)

    def fill_view_menu(self, docks: list) -> None:
        for d in docks:
            self.view_menu.addAction(d.toggleViewAction())
        self.view_menu.addSeparator()
        self.view_menu.addAction("Reset layout", self.w.default_layout)

    # ---- slots ----------------------------------------------------------------------------------
    def _on_open_triggered(self) -> None:
        path = self.w.dialogs.ask_open_file(self.w.settings.last_folder())
        if path:
            self.w.open_file(path)

    def _on_run_files_triggered(self) -> None:
        from .batch_dialog import BatchDialog

        w = self.w
        if w.run_controller.is_active():
            w.statusBar().showMessage("A run is in progress: wait for it or cancel it first",
                                      5000)
            return
        self.batch_dialog = BatchDialog(w)
        self.batch_dialog.open()

    def _on_recent_menu_about_to_show(self) -> None:
        w = self.w
        menu = w.recent_menu
        menu.clear()
        files = w.settings.recent_files()
        for i, f in enumerate(files, 1):
            a = menu.addAction(f"&{i % 10} {Path(f).name}  —  {Path(f).parent}")
            a.setToolTip(f)
            a.setData(f)
            a.triggered.connect(lambda _=False, f=f: w.open_recent(f))
        if not files:
            menu.addAction("(no recent files)").setEnabled(False)
        menu.addSeparator()
        clear = menu.addAction("Clear the list")
        clear.setEnabled(bool(files))
        clear.triggered.connect(w.settings.clear_recent_files)

    def _default_export_name(self, suffix: str) -> str:
        w = self.w
        stem = w.file.stem if w.file else "map"
        return str(Path(w.settings.last_folder()) / f"{stem}_{w.layers.current()}{suffix}")

    def _on_export_values_triggered(self, suffix: str) -> None:
        w = self.w
        filt = "NumPy arrays (*.npy)" if suffix == ".npy" else "CSV tables (*.csv)"
        path = w.dialogs.ask_save_path("Export map values", self._default_export_name(suffix),
                                       filt)
        if not path:
            return
        if not Path(path).suffix:
            path += suffix
        try:
            export_values(w.map_view, path)
        except (OSError, ValueError) as exc:
            w.error("Export failed", error_text(exc))
            return
        w.statusBar().showMessage(f"Saved {path}", 5000)
