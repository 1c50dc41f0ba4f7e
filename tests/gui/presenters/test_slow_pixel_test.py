"""Pixel and loop tests run in the inspector's worker: a plugin whose pixel test takes a second
never freezes the window; parameters reach the settings when the typing stops, not per key."""

from __future__ import annotations

import dataclasses
import time

import pytest
from PyQt5.QtCore import QElapsedTimer, QTimer

from peakgui.core.analyses import registry
from peakgui.gui.presenters.analysis_presenter import REMEMBER_DELAY_MS
from tests.gui.helpers import open_and_wait, select_and_wait
from tests.gui.views.test_plugin_analysis import BAND_MEAN, band_inspect

SLOW_S = 1.0


def slow_inspect(spectrum, params, ctx):
    time.sleep(SLOW_S)
    return band_inspect(spectrum, params, ctx)


SLOW = dataclasses.replace(BAND_MEAN, name="slow_band_mean_test", title="Slow band mean (test)",
                           inspect=slow_inspect)


@pytest.fixture
def slow_analysis():
    registry.register(SLOW)
    yield SLOW
    registry._registered.pop(SLOW.name, None)


def test_a_slow_pixel_test_never_blocks_the_window(qtbot, make_window, small_file,
                                                   slow_analysis):
    w = make_window()
    open_and_wait(qtbot, w, small_file)
    with qtbot.waitSignal(w.sigPixelTested, timeout=10_000):
        assert w.params_panel.set_analysis(slow_analysis.name)
    gaps: list[int] = []
    clock = QElapsedTimer()
    clock.start()

    def tick() -> None:
        gaps.append(clock.restart())

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(tick)
    timer.start()
    assert w.select_pixel(3, 4)  # returns at once; the test runs in the worker
    rep = select_and_wait(qtbot, w, 5, 6, timeout=10_000)  # a newer pixel wins
    timer.stop()
    assert (rep.row, rep.col) == (5, 6) and rep.detail is not None
    assert w.inspector.report is rep
    assert len(gaps) >= 20  # the timer kept firing during two one-second tests
    assert max(gaps) < SLOW_S * 1000 / 2  # never a one-second freeze


def test_parameters_are_remembered_when_the_typing_stops(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    boxes = w.params_panel.spin_boxes()
    for value in (2.0, 2.5, 3.0):  # three edits in quick succession
        boxes["min_snr"].setValue(value)
        w.params_panel.commit()
    assert w.settings.analysis_params("peak_finding").get("min_snr") != 3.0
    qtbot.waitUntil(lambda: w.settings.analysis_params("peak_finding").get("min_snr") == 3.0,
                    timeout=REMEMBER_DELAY_MS * 5)
