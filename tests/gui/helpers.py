"""Helpers of the GUI tests: dialogs with scripted answers, opening and stopping windows."""

from __future__ import annotations

from peakgui.gui.dialogs import Dialogs
from peakgui.gui.main_window import MainWindow


class ScriptedDialogs(Dialogs):
    """Dialogs that never block: errors are recorded, questions get the answers set here."""

    def __init__(self):
        super().__init__(None, interactive=False)
        self.stop_run_answer = True
        self.stop_run_asked = 0
        self.open_path: str | None = None
        self.save_path: str | None = None
        self.about_shown = 0
        self.unexpected_errors: list[str] = []

    def error(self, title: str, text: str) -> None:
        self.errors.append(text)

    def ask_stop_run(self) -> bool:
        self.stop_run_asked += 1
        return self.stop_run_answer

    def ask_open_file(self, folder: str) -> str | None:
        return self.open_path

    def ask_save_path(self, title: str, suggested: str, name_filter: str) -> str | None:
        return self.save_path

    def about(self) -> None:
        self.about_shown += 1

    def unexpected(self, summary: str) -> None:
        self.unexpected_errors.append(summary)


def stop_window(qtbot, w: MainWindow) -> None:
    """Cancel a run, let the navigator finish and close the window without questions."""
    rc = w.run_controller
    if rc.is_active():
        with qtbot.waitSignal(rc.sigStopped, timeout=60_000):
            rc.cancel()
    w._abort_navigators()
    for t in list(w._navigators):
        t.wait(10_000)
    w.close()


def open_and_wait(qtbot, w: MainWindow, path, dataset=None, timeout=20_000) -> None:
    """Open a file and wait until its navigator image is there."""
    with qtbot.waitSignal(w.sigNavigatorReady, timeout=timeout):
        assert w.open_file(path, dataset)
