"""Helpers of the GUI tests: dialogs with scripted answers, opening and stopping windows."""

from __future__ import annotations

from peakgui.gui.app.main_window import MainWindow
from peakgui.gui.widgets.dialogs import Dialogs


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
    w.stop_workers()
    w.close()


def settle(qtbot, w: MainWindow, timeout=20_000) -> None:
    """Wait until the window's workers have delivered what they were reading."""
    qtbot.waitUntil(lambda: not w.busy(), timeout=timeout)


def open_and_wait(qtbot, w: MainWindow, path, dataset=None, timeout=20_000) -> None:
    """Open a file and wait until its navigator image, first pixel and tree are there."""
    with qtbot.waitSignals([w.sigNavigatorReady, w.sigPixelTested], timeout=timeout):
        assert w.open_file(path, dataset)
    settle(qtbot, w, timeout)


def select_and_wait(qtbot, w: MainWindow, row: int, col: int, timeout=10_000):
    """Select a pixel and wait until it is read and tested; returns the report."""
    with qtbot.waitSignal(w.sigPixelTested, timeout=timeout):
        assert w.select_pixel(row, col)
    return w.inspector.report


def find_index(qtbot, model, path: str, timeout=10_000):
    """The tree model's index of a path, once the groups along it are listed."""
    found = []
    model.find_path(path, found.append)
    qtbot.waitUntil(lambda: bool(found), timeout=timeout)
    return found[0]


def select_path(qtbot, w: MainWindow, path: str, timeout=10_000) -> str:
    """Select a tree path and wait until it is current; returns the path ('' if not found)."""
    with qtbot.waitSignal(w.tree.sigPathSelected, timeout=timeout) as blocker:
        w.tree.select_path(path)
    return blocker.args[0]


def run_batch(path, **params) -> None:
    """What ``peakgui-batch FILE --jobs 1`` does: the engine over the default dataset."""
    from peakgui.core.io.source import SpectralSource
    from peakgui.core.run.engine import AnalysisRun

    for _ in AnalysisRun(SpectralSource.open(path), "peak_finding", params, n_jobs=1).run():
        pass


def open_fails(qtbot, w: MainWindow, path, dataset=None, timeout=20_000) -> None:
    """Open a file (or, with ``path`` None, a dataset of the open file) and wait until the
    window has said why it cannot."""
    with qtbot.waitSignal(w.sigOpenFinished, timeout=timeout) as blocker:
        started = w.open_file(path, dataset) if path is not None else w.datasets.open_dataset(dataset)
        assert started
    assert blocker.args == [False]
    settle(qtbot, w, timeout)


def open_only(qtbot, w: MainWindow, path, timeout=20_000) -> None:
    """Open a file with no dataset to show and wait until its tree is there."""
    with qtbot.waitSignal(w.sigOpenFinished, timeout=timeout) as blocker:
        assert w.open_file(path)
    assert blocker.args == [True]
    settle(qtbot, w, timeout)
