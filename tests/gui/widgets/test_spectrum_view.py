"""The spectrum view: |x| or phase of a pixel, the analysis view's overlay and readout."""

from __future__ import annotations

import numpy as np

from peakgui.core.analyses import registry
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.engine import AnalysisRun
from peakgui.gui.views import AnalysisView, view_for
from peakgui.gui.widgets.spectrum_view import PHASE_MODE, SpectrumView


def test_the_overlay_follows_the_analysis_view(qtbot, small_file):
    src = SpectralSource.open(small_file)
    run = AnalysisRun(src, "peak_finding", {}, n_jobs=1)
    view = SpectrumView()
    qtbot.addWidget(view)
    lay = src.layout
    view.set_axis(lay.spectral, src.info.quantity, src.info.units, True)
    peak = view_for(registry.get("peak_finding"))
    view.set_overlay(peak, run.result_fields())
    detail = run.test(11)
    view.show_pixel(detail.spectrum, detail, "<b>Position 11</b>")
    x, y = view.curve_data()
    np.testing.assert_allclose(y, np.abs(detail.spectrum), rtol=1e-6)
    assert "Amplitude" in view.readout().text()
    assert len(peak.peak_data()[0]) == len(detail.detail.peaks)
    view.set_mode(PHASE_MODE)
    assert view.plot_item().getAxis("left").labelText == "Phase (rad)"
    np.testing.assert_allclose(view.curve_data()[1], np.angle(detail.spectrum), rtol=1e-6)
    # another analysis' view replaces the overlay items; an error is said in the readout
    generic = AnalysisView(registry.get("peak_finding"))
    view.set_overlay(generic, run.result_fields())
    assert peak._peaks not in view.plot_item().items  # detached
    view.show_pixel(detail.spectrum, None, "again", "pixel test failed: bad")
    assert "pixel test failed" in view.readout().text()
    view.clear("no pixel")
    assert view.title().text() == "no pixel" and view.curve_data()[0].size == 0
