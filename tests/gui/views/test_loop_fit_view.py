"""The loop fit in the window, on small real BEPS demo files: offered once the SHO results are
there (with one line saying what to run first before), the pixel's loops fitted in the
inspector's worker and drawn in the view's panel, matching what the run stores for that pixel,
parameter edits refitting it at once, and no run before Start."""

from __future__ import annotations

import numpy as np
import pytest

from peakgui.core.analyses.loop_fit.detail import LoopDetail
from peakgui.core.analyses.loop_fit.fields import STATUS, switching_field
from peakgui.core.io.h5access import open_read
from peakgui.core.io.results_read import read_all
from peakgui.gui.views.loop_fit import LoopFitView
from tests.gui.helpers import open_and_wait, select_and_wait, settle
from tests.gui.loop_helpers import run_to_end, sho_then_loop_fit, use

VPLUS = switching_field("Fit", "V+")


def test_loop_fit_offered_after_an_sho_run_and_not_before(qtbot, window, beps_file):
    w = window
    open_and_wait(qtbot, w, beps_file)
    use(qtbot, w, "loop_fit")
    assert not w.session.configured.valid  # no SHO results yet: one line says what to do
    assert "run SHO" in w.session.configured.error and "\n" not in w.session.configured.error
    assert not w.start_run()
    offer = w.info_bar.button("Choose the SHO fit")  # the offer to run it first
    assert offer is not None and "run SHO" in w.info_bar.text()
    offer.click()
    qtbot.waitUntil(lambda: w.session.configured.analysis.name == "sho", timeout=5_000)
    run_to_end(qtbot, w)
    use(qtbot, w, "loop_fit")
    qtbot.waitUntil(lambda: w.session.configured.valid, timeout=10_000)
    assert isinstance(w.analysis.view, LoopFitView)
    assert w.session.run_source is not w.session.source  # it reads the SHO group
    assert "SHO_Fit" in w.session.run_source.dataset
    assert not w.view_dock.isHidden() and w.view_dock.widget() is w.analysis.view.panel()


def test_pixel_fit_shown_and_matching_the_run(qtbot, window, beps_file):
    w = window
    sho_then_loop_fit(qtbot, w, beps_file)
    rep = select_and_wait(qtbot, w, 2, 3)
    loop = rep.detail.detail
    assert isinstance(loop, LoopDetail) and loop.n_steps == 2
    panel = w.analysis.view.panel()
    assert panel.step_combo().count() == 2
    x, y = panel.fit_data()
    assert x.size > 100 and np.all(np.isfinite(y))
    lo, hi = panel.loop_plot().viewRange()[0]  # the whole voltage range in view
    assert lo <= loop.voltage.min() and hi >= loop.voltage.max()
    marks = panel.marks()
    assert marks["V+"] == pytest.approx(loop.switching[0]["V+"])
    assert {"V-", "Imprint", "Nucleation Bias 1", "Nucleation Bias 2"} <= set(marks)
    text = panel.readout_text()
    for label in ("V<sub>+</sub>", "Imprint", "R²", " V", "±"):
        assert label in text
    assert panel.plane_plot().getAxis("bottom").labelText.startswith("Re")
    run_to_end(qtbot, w)  # the run's stored values for that pixel are the pixel test's
    ref = w.results_browser.results.ref
    assert ref.group.endswith("Fit-Loop_Fit_000") and "SHO_Fit" in ref.group
    stored = read_all(ref)
    pos = rep.position
    for k in range(2):  # one position alone vs in a block: sums may round differently
        assert stored[VPLUS][pos, k] == pytest.approx(loop.switching[k]["V+"], rel=1e-9)
        assert stored[STATUS][pos, k] == int(loop.status[k])
    assert w.layers.current() == VPLUS  # the map a loop fit is run for


def test_a_parameter_edit_refits_the_pixel(qtbot, window, beps_file):
    w = window
    sho_then_loop_fit(qtbot, w, beps_file)
    select_and_wait(qtbot, w, 1, 1)
    before = w.inspector.report.detail.detail
    assert before.fit[0][9] > 0.9
    with qtbot.waitSignal(w.sigPixelTested, timeout=10_000):
        w.params_panel.set_params({**w.params_panel.params(), "starts": 1, "max_iter": 1})
    after = w.inspector.report.detail.detail
    assert w.inspector.run.params["max_iter"] == 1
    assert not np.array_equal(before.fit, after.fit)
    with qtbot.waitSignal(w.sigPixelTested, timeout=10_000):
        w.params_panel.set_params({**w.params_panel.params(), "nucleation": 0.2})
    again = w.inspector.report.detail.detail
    assert again.switching[0]["Nucleation Bias 1"] != after.switching[0]["Nucleation Bias 1"]


def test_no_loop_run_without_start(qtbot, window, beps_file):
    w = window
    sho_then_loop_fit(qtbot, w, beps_file)
    select_and_wait(qtbot, w, 0, 0)
    with qtbot.waitSignal(w.sigPixelTested, timeout=10_000):
        w.params_panel.set_params({**w.params_panel.params(), "starts": 2})
    settle(qtbot, w)
    names: list[str] = []
    with open_read(beps_file) as f:
        f.visit(names.append)
    assert any("SHO_Fit" in n for n in names)
    assert not any("Loop_Fit" in n for n in names)
    assert w.session.run.group is None or "Loop_Fit" not in w.session.run.group.group


def test_a_window_started_with_the_loop_fit_remembered_opens(qtbot, make_window, beps_file):
    """Quit with the loop fit chosen, start again: the pixel-fit dock's panel comes back
    before any other dock is shown (this raised ZeroDivisionError while the window was being
    made), and the window works."""
    w = make_window()
    sho_then_loop_fit(qtbot, w, beps_file)
    w.close()
    again = make_window()
    assert again.analysis.view is not None and again.analysis.view.panel() is not None
    open_and_wait(qtbot, again, beps_file)
    qtbot.waitUntil(lambda: again.analysis.view.panel().isVisible(), timeout=5_000)


def test_a_loop_fit_reports_one_rate(qtbot, window, beps_file):
    """The run panel said 5,489 spectra/s and the finished message 351,320 for the same loop
    fit: the message counted the raw file's spectra, the engine the loops it fitted."""
    w = window
    sho_then_loop_fit(qtbot, w, beps_file)
    run_to_end(qtbot, w)
    stats = w.run_panel.stats_label().text()
    panel_rate = stats.split(" spectra/s")[0]
    assert panel_rate.replace(",", "").isdigit(), stats
    assert f"({panel_rate} spectra/s)" in w.run_panel.message(), (stats, w.run_panel.message())


def test_the_loop_fit_on_a_be_file_says_why_it_cannot_run(qtbot, window, small_file):
    """A BE file has no DC sweep: no offer to run the SHO fit first (it would end in "no
    dimension named 'DC_Offset'"), one line saying what the loop fit needs instead."""
    w = window
    open_and_wait(qtbot, w, small_file)
    use(qtbot, w, "loop_fit")
    error = w.session.configured.error
    assert not w.session.configured.valid and not w.start_run()
    assert "along DC_Offset" in error and "no DC_Offset" in error and "\n" not in error, error
    assert w.info_bar.button("Choose the SHO fit") is None
    assert "DC_Offset" in w.session.can_start()
