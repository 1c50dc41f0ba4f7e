"""The loop plot: one plot per result field the analysis view picks, test and results curves."""

from __future__ import annotations

import numpy as np

from peakgui.core.analyses import registry
from peakgui.core.demo.beps import write_beps_demo
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.engine import AnalysisRun
from peakgui.gui.views import view_for
from peakgui.gui.views.loop_plot import LoopPlot, loop_steps


def test_loop_steps_fix_the_other_dimensions():
    from peakgui.core.dimension import Dimension

    dims = [Dimension("Field", "", np.arange(2.0)), Dimension("DC", "V", np.arange(4.0))]
    assert loop_steps(dims, 1, 5).tolist() == [4, 5, 6, 7]
    assert loop_steps(dims, 0, 5).tolist() == [1, 5]


def test_the_loop_plot_draws_the_engines_compute(qtbot, tmp_path):
    path = tmp_path / "beps.h5"
    write_beps_demo(path, rows=3, cols=2, bins=40, dc_steps=6)
    src = SpectralSource.open(path)
    run = AnalysisRun(src, "peak_finding", {}, n_jobs=1)
    fields = view_for(registry.get("peak_finding")).loop_fields(run.result_fields())
    plot = LoopPlot()
    qtbot.addWidget(plot)
    plot.set_fields(fields)
    plot.set_layout(src.layout)
    assert plot.field_names() == ["Peak_Response", "Peak_Frequency"]
    assert plot.plot("Peak_Frequency").getAxis("left").labelUnits == "Hz"
    values = run.compute(src.read_position(4))
    plot.set_test(values)
    x, ys = plot.curves("test")
    np.testing.assert_array_equal(x, src.layout.others[0].values)  # DC_Offset, the slower
    np.testing.assert_array_equal(ys["Peak_Response"], values["Peak_Response"][0::2])
    assert plot.curves("results")[1]["Peak_Response"].size == 0
    plot.set_results(values, "G_000")
    np.testing.assert_array_equal(plot.curves("results")[1]["Peak_Frequency"],
                                  values["Peak_Frequency"][0::2])
    plot.set_step(7)  # DC step 3 of the other field: the loop follows it
    np.testing.assert_array_equal(plot.curves("test")[1]["Peak_Response"],
                                  values["Peak_Response"][1::2])
