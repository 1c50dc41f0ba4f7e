"""What the run panel and the map titles say: paused, resumed, finished, where, who holds a lock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from peakgui.core.analyses.peak_finding.analysis import RESPONSE
from peakgui.core.io.h5access import lock_holder
from peakgui.core.run.progress import ProgressState
from peakgui.gui.formatting import duration, rate
from peakgui.gui.presenters import warmup
from tests.gui.helpers import open_and_wait, settle


def start(qtbot, w, force=False):
    with qtbot.waitSignal(w.run_controller.sigProgressed, timeout=30_000):
        assert w.start_run(force=force)


def test_paused_is_said_and_rate_continues_from_the_engine(qtbot, window, demo_file,
                                                            slow_kernel):
    w = window
    w.chunk_seconds = 0.1  # many chunks, so pausing lands mid-run
    open_and_wait(qtbot, w, demo_file)
    start(qtbot, w)
    for _ in range(3):  # a few chunks, so the rate has settled
        with qtbot.waitSignal(w.run_controller.sigProgressed, timeout=10_000):
            pass
    with qtbot.waitSignal(w.run_controller.sigPaused, timeout=5_000):
        w.run_controller.pause()
    before = w.last_progress
    assert "(running)" not in w.layers.title(RESPONSE)
    assert "(paused)" in w.layers.title(RESPONSE)
    stats = w.run_panel.stats_label().text()
    assert stats.startswith("Paused") and "ETA" not in stats
    assert "Paused" in w.run_panel.message()
    qtbot.wait(1500)  # paused for longer than the run has computed: must not lower the rate

    with qtbot.waitSignal(w.run_controller.sigResumed, timeout=5_000):
        w.run_controller.resume()
    assert "(running)" in w.layers.title(RESPONSE)
    with qtbot.waitSignal(w.run_controller.sigProgressed, timeout=10_000) as blocker:
        pass
    after = blocker.args[0]
    # the panel shows the engine's own figures, and those leave the pause out
    assert w.run_panel.stats_label().text() == f"{rate(after.rate)} · ETA {duration(after.eta)}"
    assert after.rate > 0.6 * before.rate
    with qtbot.waitSignal(w.run_controller.sigStopped, timeout=30_000):
        w.run_controller.cancel()  # before pytest-qt closes the window


def test_buttons_say_start_after_a_resumed_run_finished(qtbot, make_window, small_file,
                                                        slow_kernel):
    w = make_window()
    w.chunk_seconds = 0.2
    open_and_wait(qtbot, w, small_file)
    start(qtbot, w)
    with qtbot.waitSignal(w.run_controller.sigStopped, timeout=10_000):
        w.run_controller.cancel()
    settle(qtbot, w)
    assert w.start_action.text() == "Resume"  # offered after the cancel
    with qtbot.waitSignal(w.run_controller.sigStopped, timeout=30_000):
        with qtbot.waitSignal(w.run_controller.sigFinished, timeout=30_000):
            w.start_run()
    settle(qtbot, w)
    assert w.last_progress.state is ProgressState.FINISHED
    assert w.start_action.text() == "Start"
    assert w.pause_action.text() == "Pause"
    assert w.run_panel.progress_bar().value() == 1000


def test_run_panel_says_how_many_workers_of_which_kind(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    with qtbot.waitSignal(w.run_controller.sigStopped, timeout=30_000):
        with qtbot.waitSignal(w.run_controller.sigFinished, timeout=30_000) as blocker:
            w.start_run()
    where = blocker.args[0].where
    assert where and "1 worker" in where  # the tests run one worker
    assert w.run_panel.where_label().text() == f"Computes on {where}"


def test_the_run_is_warmed_up_when_a_dataset_opens(qtbot, window, small_file):
    w = window
    warmup._warmed.clear()
    with qtbot.waitSignal(w.run_presenter.warmup.sigReady, timeout=30_000) as blocker:
        open_and_wait(qtbot, w, small_file)
    assert blocker.args == ["peak_finding"]
    run = w.run_presenter.run_for()
    assert warmup.warm_key(run) in warmup._warmed
    # the same set-up is not warmed twice
    assert not w.run_presenter.warmup.start(run)


def test_another_peakgui_run_holding_the_file_is_named_with_its_process_id(qtbot, window,
                                                                           demo_file):
    """A real peakgui-batch run holds the demo file's lock while the window starts a run."""
    w = window
    open_and_wait(qtbot, w, demo_file)
    batch = Path(sys.executable).with_name("peakgui-batch")
    proc = subprocess.Popen([str(batch), str(demo_file), "--jobs", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        qtbot.waitUntil(lambda: lock_holder(demo_file) == proc.pid or proc.poll() is not None,
                        timeout=30_000)
        assert proc.poll() is None, "the batch run ended before its lock was seen"
        start(qtbot, w)
        text = w.info_bar.text()
        with qtbot.waitSignal(w.run_controller.sigStopped, timeout=30_000):
            w.run_controller.cancel()
        assert "sidecar" in text and f"another PeakGUI run (process {proc.pid})" in text
        assert "locked by another program" not in text
    finally:
        proc.terminate()
        proc.wait(30)
        assert os.path.exists(demo_file)
