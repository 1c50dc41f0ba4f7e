"""Stress: many pause/resume cycles and a cancel/restart in one run give bit-for-bit the batch
run's results; closing the window mid-run leaves a resumable group."""

from __future__ import annotations

import shutil
import time

import numpy as np

from peakgui.core.analyses.peak_finding.analysis import COUNT, FREQUENCY, RESPONSE
from peakgui.core.io.results import COMPLETED, ResultsRef
from peakgui.core.io.results_read import read_all
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.engine import AnalysisRun
from peakgui.gui.presenters.run_controller import RunState
from tests.gui.helpers import open_and_wait, run_batch, settle
from tests.gui.presenters.test_run import GROUP0

FIELDS = [RESPONSE, FREQUENCY, COUNT, COMPLETED]


def batch_results(path, tmp_path) -> dict[str, np.ndarray]:
    copy = tmp_path / "batch_copy.h5"
    shutil.copy(path, copy)
    run_batch(copy)
    return read_all(ResultsRef(copy, GROUP0), FIELDS)


def test_fifty_pause_resume_cycles_and_a_restart_equal_a_clean_batch_run(
        qtbot, window, small_file, tmp_path, slow_kernel):
    t0 = time.perf_counter()
    expected = batch_results(small_file, tmp_path)  # before the GUI writes into the file
    w = window
    rc = w.run_controller
    w.chunk_seconds = 0.01  # chunks of a few positions: many pause points
    open_and_wait(qtbot, w, small_file)
    with qtbot.waitSignal(rc.sigProgressed, timeout=30_000):
        assert w.start_run()
    for _ in range(50):
        with qtbot.waitSignal(rc.sigPaused, timeout=5_000):
            w.run_controller.pause()
        assert rc.state is RunState.PAUSED
        with qtbot.waitSignal(rc.sigResumed, timeout=5_000):
            w.run_controller.resume()
        assert rc.state is RunState.RUNNING
    with qtbot.waitSignal(rc.sigStopped, timeout=10_000):
        with qtbot.waitSignal(rc.sigCancelled, timeout=10_000) as cancelled:
            w.run_controller.cancel()
    last = cancelled.args[0]
    assert last is not None and 50 < last.done < last.total
    settle(qtbot, w)  # the existing-results check offers Resume
    assert w.start_action.text() == "Resume"
    w.chunk_seconds = 0.4
    with qtbot.waitSignal(rc.sigStopped, timeout=60_000):
        with qtbot.waitSignal(rc.sigFinished, timeout=60_000):
            assert w.start_run()
    assert w.last_progress.results.group == GROUP0  # resumed, not a second group
    got = read_all(ResultsRef(small_file, GROUP0), FIELDS)
    for name in FIELDS:
        np.testing.assert_array_equal(got[name], expected[name], err_msg=name)
        assert got[name].dtype == expected[name].dtype
    assert w.dialogs.errors == [] and w.dialogs.unexpected_errors == []
    assert time.perf_counter() - t0 < 60


def test_closing_the_window_mid_run_saves_a_resumable_group(qtbot, make_window, small_file,
                                                            slow_kernel):
    w = make_window()
    w.chunk_seconds = 0.05
    rc = w.run_controller
    open_and_wait(qtbot, w, small_file)
    with qtbot.waitSignal(rc.sigProgressed, timeout=30_000):
        assert w.start_run()
    with qtbot.waitSignal(rc.sigStopped, timeout=10_000):
        w.close()  # asks (scripted: stop), cancels after the chunk in flight, then closes
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=5_000)
    done = read_all(ResultsRef(small_file, GROUP0), [COMPLETED])[COMPLETED]
    assert 0 < done.sum() < done.size
    found = AnalysisRun(SpectralSource.open(small_file), "peak_finding", {}, n_jobs=1).find_existing()
    assert [e.ref.group for e in found if not e.complete] == [GROUP0]
    assert found[0].done == int(done.sum())
