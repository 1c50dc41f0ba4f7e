"""Runs on a Dask cluster from the window: a real LocalCluster gives the local run's results;
a bad address gives one clear sentence and a usable window; nothing listens unless asked."""

from __future__ import annotations

import numpy as np
import psutil
import pytest

from peakgui.core.analyses.peak_finding.analysis import COUNT, FREQUENCY, RESPONSE
from peakgui.core.io.results import COMPLETED, ResultsRef
from peakgui.core.io.results_read import read_all
from peakgui.core.run.progress import ProgressState
from peakgui.gui.app.settings import Settings
from peakgui.gui.panels.compute_target import CLUSTER, LOCAL, SCHEDULER, ComputeTarget
from peakgui.gui.presenters.run_controller import RunState
from tests.gui.helpers import open_and_wait, settle
from tests.gui.presenters.test_inspector import click_map
from tests.gui.presenters.test_run import GROUP0, batch_maps

pytest.importorskip("distributed")


def listening_ports() -> set[int]:
    conns = psutil.Process().net_connections(kind="inet")
    return {c.laddr.port for c in conns if c.status == psutil.CONN_LISTEN}


def test_local_dask_cluster_run_equals_a_local_run(qtbot, window, small_file, tmp_path):
    w = window
    open_and_wait(qtbot, w, small_file)
    box = w.params_panel.compute_box()
    box.mode_combo().setCurrentIndex(box.mode_combo().findData(CLUSTER))
    box.workers_spin().setValue(2)
    assert box.workers_spin().isVisibleTo(w) and not box.address_edit().isVisibleTo(w)
    with qtbot.waitSignal(w.run_controller.sigStopped, timeout=120_000):
        with qtbot.waitSignal(w.run_controller.sigConnected, timeout=60_000) as connected:
            assert w.start_run()
        assert "local Dask cluster" in connected.args[0]
        assert "local Dask cluster" in w.run_panel.where_label().text()
        assert not box.isEnabled()  # frozen during the run
    settle(qtbot, w)
    assert w.dialogs.errors == [], w.dialogs.errors
    assert w.last_progress.state is ProgressState.FINISHED
    assert read_all(ResultsRef(small_file, GROUP0), [COMPLETED])[COMPLETED].all()
    expected = batch_maps(small_file, tmp_path)
    for layer in (RESPONSE, FREQUENCY, COUNT):
        np.testing.assert_array_equal(w.layers.image(layer), expected[layer])
    assert box.isEnabled()
    assert Settings().compute_target() == ComputeTarget(CLUSTER, "", 2)  # remembered


def test_bad_scheduler_address_says_so_and_the_window_stays_usable(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    box = w.params_panel.compute_box()
    box.mode_combo().setCurrentIndex(box.mode_combo().findData(SCHEDULER))
    assert box.address_edit().isVisibleTo(w)
    # text that is not an address at all: refused at once, nothing starts
    box.address_edit().setText("tcp://")
    assert not w.start_run()
    assert not w.run_controller.is_active()
    assert "Traceback" not in w.dialogs.errors[-1]
    # a well-formed address where no scheduler listens: one sentence within seconds
    port = 1
    while port in listening_ports():
        port += 1
    box.address_edit().setText(f"tcp://127.0.0.1:{port}")
    with qtbot.waitSignal(w.run_controller.sigStopped, timeout=30_000):
        with qtbot.waitSignal(w.run_controller.sigErrored, timeout=30_000) as err:
            assert w.start_run()
    msg = err.args[0]
    assert "cannot connect to the Dask scheduler" in msg and f"127.0.0.1:{port}" in msg, msg
    assert "Traceback" not in msg and "\n" not in msg
    assert msg in w.dialogs.errors[-1]
    assert "Failed" in w.run_panel.message()
    assert w.dialogs.unexpected_errors == []
    # consistent: idle, editable, Start enabled, no results group, pixels still clickable
    assert w.run_controller.state is RunState.IDLE
    assert w.start_action.isEnabled() and box.isEnabled()
    assert GROUP0 not in str(w.results_browser.existing)
    click_map(qtbot, w, 3, 4)
    assert (w.inspector.report.row, w.inspector.report.col) == (3, 4)


def test_this_computer_opens_no_port(qtbot, window, small_file):
    w = window
    assert w.params_panel.compute_target().mode == LOCAL
    before = listening_ports()
    open_and_wait(qtbot, w, small_file)
    with qtbot.waitSignal(w.run_controller.sigStopped, timeout=60_000):
        assert w.start_run()
    assert w.last_progress.state is ProgressState.FINISHED
    assert "this computer" in w.run_panel.where_label().text()
    assert listening_ports() <= before


def test_the_run_panel_says_how_many_workers_and_of_which_kind(qtbot, window, small_file):
    """Issue 14: threads or processes, chosen under Compute on, remembered, and said."""
    from peakgui.gui.panels.compute_target import PROCESSES, THREADS
    from tests.gui.helpers import open_and_wait, settle

    w = window
    open_and_wait(qtbot, w, small_file)
    box = w.params_panel.compute_box()
    assert box.kind_combo().isVisibleTo(box)  # offered for this computer only
    w.params_panel.set_run_options(2, w.params_panel.max_mem_mb())
    box.kind_combo().setCurrentIndex(box.kind_combo().findData(THREADS))
    assert w.run_presenter.run_for().worker_kind.value == THREADS
    with qtbot.waitSignal(w.run_controller.sigStopped, timeout=60_000):
        assert w.start_run(force=True)
    assert "this computer, 2 worker threads" in w.run_panel.where_label().text()
    assert w.last_progress.where == "this computer, 2 worker threads"
    settle(qtbot, w)
    box.kind_combo().setCurrentIndex(box.kind_combo().findData(PROCESSES))
    assert w.run_presenter.run_for().worker_kind.value == PROCESSES
    assert w.params_panel.compute_target().describe(2, PROCESSES) == \
        "this computer (2 worker processes)"
    w.close()
    assert Settings().compute_target().worker_kind == PROCESSES
    box.mode_combo().setCurrentIndex(box.mode_combo().findData(CLUSTER))
    assert not box.kind_combo().isVisibleTo(box)
