"""Runs from the window: live map, pause/resume, cancel, resume offer, reuse, errors, closing."""

from __future__ import annotations

import fcntl
import os
import shutil
import time

import numpy as np
import pytest

from peakgui.core.analyses.peak_finding.analysis import COUNT, FREQUENCY, RESPONSE
from peakgui.core.demo.be import DEMO_DATASET
from peakgui.core.io.results import COMPLETED, ResultsRef, sidecar_path
from peakgui.core.io.results_read import read_all
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.engine import AnalysisRun
from peakgui.core.run.progress import ProgressState
from peakgui.gui.presenters.run_controller import RunState
from tests.core.helpers import read_only
from tests.gui.helpers import find_index, open_and_wait, run_batch, select_path, settle

GROUP0 = DEMO_DATASET + "-Peak_Finding_000"


def batch_maps(path, tmp_path) -> dict[str, np.ndarray]:
    """The batch CLI's maps for the same file (run on a copy, default parameters)."""
    copy = tmp_path / "batch_copy.h5"
    shutil.copy(path, copy)
    run_batch(copy)
    lay = SpectralSource.open(copy).layout
    res = read_all(ResultsRef(copy, GROUP0))
    assert res[COMPLETED].all()
    return {layer: lay.to_image(res[name][:, 0].astype(np.float64))
            for layer, name in ((RESPONSE, RESPONSE), (FREQUENCY, FREQUENCY),
                                (COUNT, COUNT))}


def start(qtbot, w, force=False):
    with qtbot.waitSignal(w.run_controller.sigProgressed, timeout=30_000):
        assert w.start_run(force=force)


def test_pause_resume_finish_equals_the_batch_cli(qtbot, window, demo_file, tmp_path,
                                                 slow_kernel):
    w = window
    w.chunk_seconds = 0.1  # many chunks, so pausing lands mid-run
    open_and_wait(qtbot, w, demo_file)
    t0 = time.perf_counter()
    start(qtbot, w)
    assert w.layers.current() == RESPONSE
    assert not w.start_action.isEnabled() and w.pause_action.isEnabled()
    assert not w.params_panel.spin_boxes()["width_lo"].isEnabled()

    t_pause = time.perf_counter()
    with qtbot.waitSignal(w.run_controller.sigPaused, timeout=5_000):
        w.run_controller.pause()
    assert time.perf_counter() - t_pause < 1.0  # takes effect within a second
    assert w.run_controller.state is RunState.PAUSED
    assert w.pause_action.text() == "Resume"
    done = w.last_progress.done
    total = w.last_progress.total
    assert 0 < done < total
    bar = w.run_panel.progress_bar().value()
    qtbot.wait(700)  # the event loop runs; no chunk may arrive while paused
    assert w.last_progress.done == done
    assert w.run_panel.progress_bar().value() == bar
    assert "Paused" in w.run_panel.message()
    # the live map holds exactly the computed positions; the rest is blank
    img = w.live_maps.images[RESPONSE]
    assert np.count_nonzero(np.isnan(img)) == total - done
    assert "%" in w.run_panel.progress_bar().format()
    assert "spectra/s" in w.run_panel.stats_label().text()
    assert "ETA" not in w.run_panel.stats_label().text()  # no ETA while paused

    with qtbot.waitSignal(w.run_controller.sigStopped, timeout=60_000):
        with qtbot.waitSignal(w.run_controller.sigFinished, timeout=60_000):
            w.run_controller.resume()
    elapsed = time.perf_counter() - t0
    assert w.last_progress.state is ProgressState.FINISHED
    assert w.run_controller.state is RunState.IDLE
    assert w.start_action.isEnabled() and not w.pause_action.isEnabled()
    # at most ~10 redraws a second, whatever the chunk rate
    assert w.live_maps.updates <= 10 * elapsed + 3

    expected = batch_maps(demo_file, tmp_path)
    for layer in (RESPONSE, FREQUENCY, COUNT):
        np.testing.assert_array_equal(w.live_maps.images[layer], expected[layer])
        np.testing.assert_array_equal(w.layers.image(layer), expected[layer])
    # the new results group shows up in the tree, marked; the dataset stays the current row
    # with its groups expanded (it used to fall back to a collapsed file row)
    settle(qtbot, w)
    assert find_index(qtbot, w.tree.model(), GROUP0).isValid()
    qtbot.waitUntil(lambda: w.tree.current_node() is not None
                    and w.tree.current_node().path == DEMO_DATASET, timeout=20_000)
    shown = w.tree.model().loaded_index(DEMO_DATASET)
    assert w.tree.view().isExpanded(shown.parent())
    assert "Peak_Finding_000" in w.layers.title(RESPONSE)


def test_cancel_keeps_progress_and_offers_resume(qtbot, make_window, small_file, slow_kernel):
    w = make_window()
    w.chunk_seconds = 0.2
    open_and_wait(qtbot, w, small_file)
    start(qtbot, w)
    with qtbot.waitSignal(w.run_controller.sigStopped, timeout=10_000):
        with qtbot.waitSignal(w.run_controller.sigCancelled, timeout=10_000) as blocker:
            w.run_controller.cancel()
    last = blocker.args[0]
    assert last is not None and last.done < last.total
    settle(qtbot, w)
    res = read_all(ResultsRef(small_file, GROUP0), [COMPLETED])
    assert int(res[COMPLETED].sum()) == last.done
    # consistent state: idle, Start offers to resume, parameters editable again
    assert w.run_controller.state is RunState.IDLE
    assert w.start_action.isEnabled() and w.start_action.text() == "Resume"
    assert w.info_bar.button("Resume") is not None
    assert w.params_panel.spin_boxes()["steps"].isEnabled()
    assert "Cancelled" in w.run_panel.message()

    # a new window on the same file offers Resume at once, and resuming completes the group
    w.close()
    w2 = make_window()
    open_and_wait(qtbot, w2, small_file)
    assert w2.start_action.text() == "Resume"
    assert "stopped at" in w2.info_bar.text()
    with qtbot.waitSignal(w2.run_controller.sigStopped, timeout=30_000):
        with qtbot.waitSignal(w2.run_controller.sigFinished, timeout=30_000):
            w2.info_bar.button("Resume").click()
    assert w2.last_progress.results.group == GROUP0  # the same group, resumed
    assert w2.last_progress.computed == last.total - last.done
    assert not np.isnan(w2.layers.image(RESPONSE)).any()


def test_reopening_shows_reused_results_at_once(qtbot, make_window, small_file):
    run_batch(small_file)
    w = make_window()
    with qtbot.waitSignal(w.sigResultsShown, timeout=10_000):
        open_and_wait(qtbot, w, small_file)
    assert "already exist" in w.info_bar.text()
    assert "(reused)" in w.layers.title(RESPONSE)
    assert w.layers.current() == RESPONSE
    expected = read_all(ResultsRef(small_file, GROUP0))[RESPONSE][:, 0]
    lay = w.source.layout
    np.testing.assert_array_equal(w.layers.image(RESPONSE),
                                  lay.to_image(expected.astype(np.float64)))
    # Start says so too, and computes nothing
    with qtbot.waitSignal(w.run_controller.sigStopped, timeout=10_000):
        with qtbot.waitSignal(w.run_controller.sigReused, timeout=10_000) as blocker:
            w.start_run()
    assert blocker.args[0].computed == 0
    assert "Reused" in w.run_panel.message()
    # other parameters: no earlier results, Start is plain again
    with qtbot.waitSignal(w.results_browser.sigExistingChecked, timeout=5_000) as blocker:
        w.params_panel.spin_boxes()["steps"].setValue(20)
    assert blocker.args[0] == []
    assert w.start_action.text() == "Start"
    assert "(other parameters)" in w.layers.title(RESPONSE)


def test_opening_a_results_group_in_the_tree_shows_its_maps(qtbot, window, small_file):
    run_batch(small_file, steps=12)
    w = window
    open_and_wait(qtbot, w, small_file)
    with qtbot.waitSignal(w.sigResultsShown, timeout=5_000) as blocker:
        assert select_path(qtbot, w, GROUP0) == GROUP0
    maps = blocker.args[0]
    assert maps.ref.group == GROUP0 and maps.done == maps.total == 768
    assert w.layers.current() == RESPONSE
    count = read_all(ResultsRef(small_file, GROUP0))[COUNT][:, 0]
    np.testing.assert_array_equal(w.layers.image(COUNT),
                                  w.source.layout.to_image(count.astype(np.float64)))
    assert w.layers.units(FREQUENCY) == "Hz"
    w.layers.show(FREQUENCY)
    assert w.map_view.title_text().startswith("Peak frequency")


def test_an_error_in_the_worker_is_shown_and_leaves_a_consistent_window(qtbot, window, small_file,
                                                                       monkeypatch):
    w = window
    open_and_wait(qtbot, w, small_file)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(AnalysisRun, "_compute_block", disk_full)
    with qtbot.waitSignal(w.run_controller.sigStopped, timeout=10_000):
        with qtbot.waitSignal(w.run_controller.sigErrored, timeout=10_000) as blocker:
            assert w.start_run()
    assert "No space left on device" in blocker.args[0]
    assert any("No space left on device" in e for e in w.dialogs.errors)
    assert "Traceback" not in w.dialogs.errors[-1]
    assert w.run_controller.state is RunState.IDLE
    assert w.start_action.isEnabled() and not w.cancel_action.isEnabled()
    assert w.params_panel.spin_boxes()["steps"].isEnabled()
    assert "Failed" in w.run_panel.message()
    # the window still works: the next run succeeds
    monkeypatch.undo()
    with qtbot.waitSignal(w.run_controller.sigFinished, timeout=30_000):
        assert w.start_run()
    qtbot.waitUntil(lambda: not w.run_controller.is_active(), timeout=5_000)


def test_closing_during_a_run_asks_and_saves_progress(qtbot, make_window, small_file,
                                                      slow_kernel):
    w = make_window()
    w.chunk_seconds = 0.02
    open_and_wait(qtbot, w, small_file)
    start(qtbot, w)
    w.dialogs.stop_run_answer = False
    w.close()
    assert w.dialogs.stop_run_asked == 1
    assert w.isVisible() and w.run_controller.is_active()  # kept running
    w.dialogs.stop_run_answer = True
    with qtbot.waitSignal(w.run_controller.sigStopped, timeout=10_000):
        w.close()
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=5_000)
    done = int(read_all(ResultsRef(small_file, GROUP0), [COMPLETED])[COMPLETED].sum())
    assert done >= w.last_progress.done > 0


@pytest.mark.parametrize("why", ["read-only", "locked"])
def test_unwritable_source_sends_results_to_a_sidecar(qtbot, window, small_file, why):
    w = window
    open_and_wait(qtbot, w, small_file)
    fd = None
    if why == "locked":
        fd = os.open(small_file, os.O_RDONLY)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as another program's HDF5 lock
        guard = _Nothing()
    else:
        guard = read_only(small_file)
    try:
        with guard:
            with qtbot.waitSignal(w.run_controller.sigStopped, timeout=30_000):
                with qtbot.waitSignal(w.run_controller.sigFinished, timeout=30_000):
                    assert w.start_run()
            said = why if why == "read-only" else f"another program (process {os.getpid()})"
            assert "sidecar" in w.info_bar.text() and said in w.info_bar.text()
            side = sidecar_path(small_file)
            assert w.last_progress.results.file == side
            assert read_all(ResultsRef(side, GROUP0), [COMPLETED])[COMPLETED].all()
            assert not np.isnan(w.layers.image(RESPONSE)).any()
    finally:
        if fd is not None:
            os.close(fd)


def test_no_writable_place_for_results_is_said(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    with read_only(small_file, small_file.parent):
        assert not w.start_run()
    assert "not writable for a sidecar" in w.dialogs.errors[-1]
    assert not w.run_controller.is_active() and w.start_action.isEnabled()


class _Nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
