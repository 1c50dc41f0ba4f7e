"""The loop plot opens showing the whole loop, and a flat field stays flat on its panel."""

from __future__ import annotations

import numpy as np
from PyQt5.QtGui import QFontMetrics

from peakgui.gui.views.loop_plot import AXIS_WIDTH, MIN_SPAN, min_span
from tests.gui.helpers import open_and_wait, settle
from tests.gui.loop_helpers import use


def test_the_loop_opens_on_all_of_its_x_axis(qtbot, window, beps_file):
    open_and_wait(qtbot, window, beps_file)
    lp = window.loop_plot
    qtbot.waitUntil(lambda: lp.curves("test")[0].size > 0, timeout=10_000)
    x, _ = lp.curves("test")
    for name in lp.field_names():
        lo, hi = lp.plot(name).viewRange()[0]
        assert lo <= x.min() and hi >= x.max(), (name, lo, hi, x.min(), x.max())


def test_a_tiny_spread_is_not_blown_up_and_keeps_its_tick_labels(qtbot, window, beps_file):
    open_and_wait(qtbot, window, beps_file)
    use(qtbot, window, "sho")
    lp = window.loop_plot
    qtbot.waitUntil(lambda: "Fit_Frequency" in lp.field_names(), timeout=10_000)
    settle(qtbot, window)  # the pixel's own test is in: it would replace the values below
    n = window.source.layout.n_steps
    values = {name: np.ones(n) for name in lp.field_names()}
    values["Fit_Frequency"] = 327_400.0 + 0.4 * np.random.default_rng(0).random(n)  # 0.4 Hz
    lp.set_test(values)
    lp.set_results(None)
    plot = lp.plot("Fit_Frequency")

    def fitted() -> bool:
        lo, hi = plot.viewRange()[1]
        return lo < 327_400.0 and hi > 327_400.4  # the values in the middle...
    qtbot.waitUntil(fitted, timeout=5_000)
    lo, hi = plot.viewRange()[1]
    assert hi - lo >= MIN_SPAN * 327_400  # ...not filling the panel
    assert hi - lo < 0.01 * 327_400  # and still auto-ranged to them
    axis = plot.getAxis("left")
    levels = axis.tickValues(lo, hi, axis.height())
    spacing, ticks = next((s, t) for s, t in levels if len(t) >= 2)
    strings = axis.tickStrings(ticks, axis.autoSIPrefixScale, spacing)
    assert len(set(strings)) == len(strings) >= 2  # labels, and distinct
    # "f0 (kHz)" beside the widest tick label, not over it
    font = axis.style["tickFont"]
    widest = max(QFontMetrics(font).horizontalAdvance(s) for s in strings)
    label = axis.label.boundingRect().height()
    assert label + widest + axis.style["tickTextOffset"][0] + 4 <= axis.width() == AXIS_WIDTH


def test_min_span():
    assert min_span(np.array([327_400.0, 327_400.4])) == MIN_SPAN * 327_400.4
    assert min_span(np.array([np.nan, 0.0])) == 0.0
    assert min_span(np.array([])) == 0.0
