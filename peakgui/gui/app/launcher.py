"""Starting the desktop application: QApplication, icon, settings, exception hook, window.

Kept apart from ``peakgui.app`` so that parsing the command line never imports Qt.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import pyqtgraph as pg
from PyQt5.QtCore import QSettings, QStandardPaths, Qt
from PyQt5.QtWidgets import QApplication

from ... import __version__
from ...arguments import SHORTHANDS, parameter_values
from ...core.errors import PeakGUIError
from ..panels.compute_target import LOCAL
from ..widgets.dialogs import Dialogs
from .excepthook import ExceptHook, configure_logging
from .icons import app_icon
from .main_window import MainWindow
from .scripted_run import EXIT_BAD_INPUT, ScriptedRun
from .settings import APPLICATION, ORGANISATION, Settings


def configure_pyqtgraph() -> None:
    """Once at start-up: images index as [row, col]; light background for print-like figures."""
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True, background="w",
                        foreground="k")


def create_application(argv: list[str] | None = None) -> QApplication:
    QApplication.setAttribute(Qt.AA_EnableHighDpiScaling, True)
    QApplication.setAttribute(Qt.AA_UseHighDpiPixmaps, True)
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("peakgui")
    app.setWindowIcon(app_icon())
    configure_pyqtgraph()
    return app


def data_dir() -> Path:
    """The user's PeakGUI data folder (QStandardPaths AppDataLocation), created if missing."""
    folder = Path(QStandardPaths.writableLocation(QStandardPaths.AppDataLocation))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def ensure_demo(kind: str = "be") -> Path:
    """The demo file of a kind ('be', 'beps', 'nsid') in the data folder, written first if
    missing."""
    from ...core.demo.kinds import DEMO_FILES, demo_writer

    write = demo_writer(kind)
    path = data_dir() / DEMO_FILES[kind]
    if not path.exists():
        QApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            write(path)
        except OSError as exc:
            raise PeakGUIError(f"{path}: cannot write the demo file ({exc.strerror or exc})") \
                from None
        finally:
            QApplication.restoreOverrideCursor()
    return path


def run_app(args: argparse.Namespace) -> int:
    """Show the window as the arguments say and run the event loop; returns the exit code."""
    app = create_application()
    scripted = bool(args.quit_when_done)
    try:
        log_file = str(data_dir() / "peakgui.log")
    except OSError:
        log_file = None
    configure_logging(log_file)
    # a scripted run starts from the defaults (colormap, layout, parameters) and whatever it
    # changes goes to a throw-away file, never into the user's settings
    scratch = tempfile.TemporaryDirectory(prefix="peakgui-settings-") if scripted else None
    settings = Settings(QSettings(str(Path(scratch.name) / "peakgui.ini"), QSettings.IniFormat)
                        ) if scratch is not None else Settings()
    window = MainWindow(settings, Dialogs(None, interactive=not scripted))
    script = None
    if args.run or args.screenshot or args.quit_when_done:
        script = ScriptedRun(window, args.run, args.screenshot, args.quit_when_done,
                             then=getattr(args, "then", None))
    if getattr(args, "size", None):
        window.resize(*args.size)
        window.default_layout()

    def notify(summary: str) -> None:
        window.show_unexpected_error(summary)
        if script is not None:
            script.unexpected_errors += 1

    hook = ExceptHook(notify).install()
    try:
        if args.analysis or args.param or any(getattr(args, o, None) is not None
                                              for o in SHORTHANDS):  # --analysis, --param
            try:
                why = window.analysis.use(args.analysis, parameter_values(args))
            except ValueError as exc:
                why = str(exc)
            if why:
                window.dialogs.error("Analysis not valid", why)
                if scripted:
                    window.close()
                    return EXIT_BAD_INPUT
        if args.jobs is not None:  # for this session only
            window.params_panel.set_run_options(args.jobs, window.params_panel.max_mem_mb())
            window.remember_run_options = False
        if args.backend is not None:  # --backend threads|processes: this computer's workers
            target = replace(window.params_panel.compute_target(), mode=LOCAL,
                             worker_kind=args.backend)
            window.params_panel.set_compute_target(target)
        window.show()
        path = args.file
        if args.demo and not path:
            window.statusBar().showMessage("Writing the demo dataset…")
            app.processEvents()
            try:
                path = str(ensure_demo(args.demo))
            except PeakGUIError as exc:
                window.dialogs.error("Cannot write the demo file", str(exc))
                if scripted:
                    return EXIT_BAD_INPUT
                path = None
        if script is not None:
            if not path:
                if scripted:
                    window.close()
                    return EXIT_BAD_INPUT
            else:
                window.sigOpenFinished.connect(script.on_open_finished)
        if path:
            window.open_file(path, args.dataset)  # a worker checks and describes it
        code = app.exec_()
        return script.exit_code if script is not None and scripted else code
    finally:
        hook.uninstall()
        if scratch is not None:
            scratch.cleanup()
