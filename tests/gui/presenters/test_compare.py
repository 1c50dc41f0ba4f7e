"""Comparing two results groups of one dataset: the difference map, with a diverging colormap."""

from __future__ import annotations

import numpy as np
from PyQt5.QtGui import QColor, QImage

from peakgui.core.analyses.maps import Difference
from peakgui.core.analyses.peak_finding.analysis import RESPONSE
from peakgui.core.io.results_read import read_all
from peakgui.gui.export.figures import figure_layout, map_figure
from peakgui.gui.presenters.compare import symmetric_levels
from peakgui.gui.presenters.map_layers import NAVIGATOR_MEAN
from tests.gui.helpers import open_and_wait, settle


def _run(qtbot, w, force=False):
    with qtbot.waitSignal(w.run_controller.sigStopped, timeout=120_000):
        assert w.start_run(force=force)
    settle(qtbot, w)


def test_difference_of_two_results_groups(qtbot, window, small_file, tmp_path):
    w = window
    open_and_wait(qtbot, w, small_file)
    _run(qtbot, w)
    first = w.results.ref
    params = dict(w.params_panel.params())
    params["min_snr"] = 3.0
    w.params_panel.set_params(params)
    _run(qtbot, w)
    second = w.results.ref
    assert second != first
    tools = w.map_tools.comparison
    qtbot.waitUntil(lambda: len(tools.groups) == 2, timeout=10_000)
    assert tools.group_combo.currentData() == first  # the other group is offered
    w.layers.show(RESPONSE)
    assert tools.show_difference()
    key = Difference(RESPONSE)
    qtbot.waitUntil(lambda: w.layers.current() == key, timeout=10_000)
    lay = w.source.layout
    a = lay.to_image(read_all(second, [RESPONSE])[RESPONSE][:, 0].astype(np.float64))
    b = lay.to_image(read_all(first, [RESPONSE])[RESPONSE][:, 0].astype(np.float64))
    np.testing.assert_allclose(w.layers.image(key), a - b, rtol=1e-6, atol=1e-12)
    assert "−" in w.map_view.title_text() and w.map_view.units() == "V"
    # a diverging colormap, levels centred on zero
    lo, hi = w.map_view.histogram().getLevels()
    assert lo == -hi and (lo, hi) == symmetric_levels(a - b)
    mid = w.map_view.histogram().gradient.colorMap().map(0.5, mode="qcolor")
    assert min(mid.red(), mid.green(), mid.blue()) > 180  # white-ish middle
    # its figure is drawn with the same diverging colours: zero is white-ish, not teal
    out = tmp_path / "diff.png"
    w.actions.exports.set_options(1, 100)
    w.actions.exports.export_map_figure(str(out))
    lay = figure_layout(map_figure(w.map_view), 1, 100)
    bar = lay.bar_rect
    mid = QColor(QImage(str(out)).pixel(int(bar.center().x()), int(bar.center().y())))
    assert min(mid.red(), mid.green(), mid.blue()) > 180
    # back to another layer: the user's colormap and auto levels again
    w.layers.show(NAVIGATOR_MEAN)
    assert w.map_view.auto_levels_check().isChecked()
    mid = w.map_view.histogram().gradient.colorMap().map(0.5, mode="qcolor")
    assert not min(mid.red(), mid.green(), mid.blue()) > 180  # viridis' middle is teal


def test_difference_needs_a_results_field(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    assert not w.map_tools.comparison.show_difference()
    assert "results group" in w.statusBar().currentMessage()
