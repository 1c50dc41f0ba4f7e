"""Analysis views: peak finding's overlay module, and the generic view for any other."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from peakgui.core.analyses import registry
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.engine import AnalysisRun
from peakgui.gui.views import AnalysisView, view_for
from peakgui.gui.views.peak_finding import PeakFindingView


def test_peak_finding_has_its_view_and_draws_the_detail(qtbot, small_file):
    peak = registry.get("peak_finding")
    view = view_for(peak)
    assert isinstance(view, PeakFindingView)
    src = SpectralSource.open(small_file)
    run = AnalysisRun(src, peak, {}, n_jobs=1)
    detail = run.test(17)
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    plot = widget.getPlotItem()
    legend = plot.addLegend()
    n_items = len(plot.items)
    view.attach(plot, legend)
    x = src.layout.spectral.values.astype(np.float64)
    y = np.abs(detail.spectrum)
    view.draw(detail, x, y, phase=False)
    px, py = view.peak_data()
    np.testing.assert_array_equal(px, x[detail.detail.peaks])
    assert view.amplitude_line() == detail.values["Peak_Response"]
    text = view.readout(detail, run.result_fields())
    assert "Amplitude" in text and "kHz" in text and f"bin {detail.detail.index}" in text
    names = [label.text for _, label in legend.items]
    assert names.count("peaks found") == 1 and names.count("chosen peak") == 1
    view.detach()
    assert len(plot.items) == n_items and not legend.items


def test_an_analysis_without_a_view_module_gets_the_generic_view(small_file):
    from dataclasses import replace

    other = replace(registry.get("peak_finding"), name="no_view_here")
    view = view_for(other)
    assert type(view) is AnalysisView
    run = AnalysisRun(SpectralSource.open(small_file), other, {}, n_jobs=1)
    detail = run.test(3)
    text = view.readout(detail, run.result_fields())
    assert "Peak amplitude" in text and "Peak count" in text
    count = f"{detail.values['Peak_Count']:d}"
    assert f"Peak count</b> {count}" in text  # counts as integers
