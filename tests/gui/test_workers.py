"""The generator workers, and the window staying responsive while a slow file is read."""

from __future__ import annotations

import contextlib
import time

import numpy as np
from PyQt5.QtCore import QElapsedTimer, Qt, QTimer

from peakgui.core.io import browse, h5access, results_read, source
from peakgui.gui.workers import LatestOnly, WorkerError, running_workers, start_worker
from tests.gui.helpers import find_index, open_and_wait, run_batch, settle

GROUP0 = "/Measurement_000/Channel_000/Raw_Data-Peak_Finding_000"
SLOW_S = 0.4  # every open of the file, by the workers' core readers


def counting(n: int, pause: float = 0.0):
    for i in range(n):
        time.sleep(pause)
        yield i


def test_a_worker_yields_in_order_and_finishes(qtbot):
    got, done = [], []
    start_worker(counting, 5, on_yield=got.append, on_finish=lambda: done.append(True))
    qtbot.waitUntil(lambda: bool(done), timeout=5_000)
    assert got == [0, 1, 2, 3, 4]


def test_a_runtime_error_is_reported_not_swallowed(qtbot):
    def broken():
        yield 1
        raise RuntimeError("h5py says no")

    errors, done = [], []
    start_worker(broken, on_error=errors.append, on_finish=lambda: done.append(True))
    qtbot.waitUntil(lambda: bool(done), timeout=5_000)
    assert len(errors) == 1 and isinstance(errors[0], WorkerError)
    assert "h5py says no" in str(errors[0])


def test_the_generator_is_closed_in_the_worker_thread_when_aborted(qtbot):
    closed = []

    def endless():
        try:
            while True:
                time.sleep(0.01)
                yield
        finally:
            closed.append(True)

    done = []
    w = start_worker(endless, on_finish=lambda: done.append(True))
    qtbot.wait(50)
    w.quit()
    qtbot.waitUntil(lambda: bool(done), timeout=5_000)
    assert closed == [True]
    qtbot.waitUntil(lambda: not running_workers(), timeout=2_000)


def test_latest_only_drops_an_abandoned_workers_values(qtbot):
    holder = LatestOnly()
    got = []
    holder.start(counting, 3, 0.05, on_yield=lambda v: got.append(("old", v)))
    holder.start(counting, 2, on_yield=lambda v: got.append(("new", v)))
    qtbot.waitUntil(lambda: not holder.busy(), timeout=5_000)
    qtbot.waitUntil(lambda: not running_workers(), timeout=5_000)
    assert [g for g in got if g[0] == "old"] == [] and got == [("new", 0), ("new", 1)]


class GapProbe:
    """The longest time the GUI thread's event loop took to serve a 10 ms timer."""

    def __init__(self):
        self.worst = 0.0
        self._clock = QElapsedTimer()
        self._timer = QTimer()
        self._timer.setTimerType(Qt.PreciseTimer)
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._on_timer_timeout)

    @contextlib.contextmanager
    def running(self):
        self._clock.start()
        self._timer.start()
        try:
            yield self
        finally:
            self._timer.stop()

    def _on_timer_timeout(self) -> None:
        self.worst = max(self.worst, self._clock.restart() / 1000.0)


def test_the_window_keeps_serving_timers_while_a_slow_file_loads(qtbot, window, small_file,
                                                                 monkeypatch):
    run_batch(small_file)
    w = window
    open_and_wait(qtbot, w, small_file)  # opening itself is not the subject here
    group = find_index(qtbot, w.tree.model(), GROUP0)
    assert group.isValid() and w.tree.model().rowCount(group) == 0  # not expanded yet
    monkeypatch.setattr(source, "open_read", _slow(h5access.open_read))
    monkeypatch.setattr(browse, "open_read", _slow(h5access.open_read))
    monkeypatch.setattr(results_read, "open_read", _slow(h5access.open_read))
    probe = GapProbe()
    with probe.running():
        t0 = time.perf_counter()
        with qtbot.waitSignals([w.sigPixelTested, w.sigResultsShown,
                                w.tree.model().sigChildrenLoaded], timeout=20_000):
            assert w.select_pixel(5, 6)  # a pixel
            w.results_browser.open_group(GROUP0)  # a results group
            w.tree.view().expand(group)  # a tree node
            assert time.perf_counter() - t0 < SLOW_S / 2  # none of them waited for the disk
        took = time.perf_counter() - t0
        settle(qtbot, w)
    assert took >= SLOW_S  # the reads really were slow
    assert probe.worst < 0.15, f"the event loop stalled for {probe.worst * 1000:.0f} ms"
    assert (w.inspector.report.row, w.inspector.report.col) == (5, 6)
    assert w.results.ref.group == GROUP0 and not np.isnan(w.results.images["Peak_Response"]).all()
    assert w.tree.model().rowCount(group) > 0


def _slow(real):
    @contextlib.contextmanager
    def slow_open(path):
        time.sleep(SLOW_S)
        with real(path) as f:
            yield f

    return slow_open
