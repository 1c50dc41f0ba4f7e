"""GUI test fixtures: real demo files, a window with scripted dialogs, temporary settings, and a
check that no worker thread outlives its test."""

from __future__ import annotations

import time

import pytest
from PyQt5.QtCore import QSettings, QStandardPaths

from peakgui.core.demo.beps import write_beps_demo
from peakgui.core.run.engine import AnalysisRun
from peakgui.gui.app.launcher import configure_pyqtgraph
from peakgui.gui.app.main_window import MainWindow
from peakgui.gui.app.settings import Settings
from peakgui.gui.workers import running_workers, wait_for_workers
from tests.gui.helpers import ScriptedDialogs, stop_window


@pytest.fixture(scope="session", autouse=True)
def _pyqtgraph_config(qapp):
    configure_pyqtgraph()


@pytest.fixture(autouse=True)
def _no_worker_left_running():
    """Every worker a test started must end with it: one still reading its last block when
    the test is torn down gets a few seconds; one that runs on (stuck, or never told to stop)
    fails the test, and is not left running into the next test."""
    yield
    idle = wait_for_workers(5_000)
    left = running_workers()
    assert idle and not left, f"workers still running after the test: {left}"


@pytest.fixture(autouse=True)
def _temporary_settings(tmp_path, monkeypatch):
    """Settings and data folders under tmp_path, never the user's."""
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "settings"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert str(tmp_path) in QStandardPaths.writableLocation(QStandardPaths.GenericDataLocation)


@pytest.fixture
def dialogs() -> ScriptedDialogs:
    return ScriptedDialogs()


@pytest.fixture
def make_window(qtbot, dialogs):
    """Factory of shown MainWindows; each is stopped and closed at the end of the test."""
    windows: list[MainWindow] = []

    def make(dialogs_=None) -> MainWindow:
        w = MainWindow(Settings(), dialogs_ or dialogs)
        w.chunk_seconds = 0.1
        if w.params_panel.jobs() is None:  # auto -> one in-process worker: the same on any CI
            w.params_panel.set_run_options(1, w.params_panel.max_mem_mb())
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        windows.append(w)
        return w

    yield make
    for w in windows:
        stop_window(qtbot, w)


@pytest.fixture
def window(make_window) -> MainWindow:
    return make_window()


@pytest.fixture
def slow_kernel(monkeypatch):
    """Every 64 spectra of a run take at least 40 ms more, so a test can act while a run is in
    flight however fast the machine is and however the engine sizes its blocks (the results
    are unchanged)."""
    real = AnalysisRun._compute_block

    def slow(run, block, *args, **kwargs):
        spectra = block.shape[0] * (block.shape[1] if block.ndim > 2 else 1)
        time.sleep(0.04 * max(1.0, spectra / 64))
        return real(run, block, *args, **kwargs)

    monkeypatch.setattr(AnalysisRun, "_compute_block", slow)


@pytest.fixture
def beps_file(tmp_path):
    """A small real BEPS demo file (4 x 5 pixels, 24 bins, 24 DC steps, two fields)."""
    path = tmp_path / "beps.h5"
    write_beps_demo(path, rows=4, cols=5, bins=24, dc_steps=24, seed=3)
    return path
