"""Multi-dimensional spectroscopy: the spectral-axis picker, a slider per remaining dimension,
and the loop plot against the core's results and the engine's compute, in both USID orders."""

from __future__ import annotations

import numpy as np
import pytest
from PyQt5.QtCore import Qt
from PyQt5.QtTest import QTest

from peakgui.app import create_parser
from peakgui.core.analyses.peak_finding.analysis import FREQUENCY, RESPONSE
from peakgui.core.demo.beps import write_beps_demo
from peakgui.core.io.results import COMPLETED
from peakgui.core.io.results_read import read_all
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.engine import AnalysisRun
from peakgui.core.run.progress import ProgressState
from peakgui.gui.presenters.map_layers import NAVIGATOR_MEAN
from peakgui.gui.widgets.step_selector import indices_of, step_of
from tests.core.io.test_usid import _multi_dim_file
from tests.gui.helpers import open_and_wait, select_and_wait, settle


def mean_image(path, spectral, step):
    src = SpectralSource.open(path, spectral_dim=spectral)
    block = src.read(0, src.layout.n_positions)
    return src.layout.to_image(np.abs(block[:, step, :]).mean(1))


@pytest.mark.parametrize("fastest_first", [True, False])
def test_picker_and_sliders_in_both_orders(qtbot, window, tmp_path, fastest_first):
    path = tmp_path / "multi.h5"
    _multi_dim_file(path, fastest_first)
    w = window
    open_and_wait(qtbot, w, path, "/Raw")
    sel = w.spectrum_view.step_selector()
    for spectral in ("Frequency", "DC_Offset"):
        if w.source.layout.spectral.name != spectral:
            with qtbot.waitSignal(w.sigNavigatorReady, timeout=10_000):
                w.spectrum_view.spectral_dim_combo().setCurrentText(spectral)
        lay = w.source.layout
        assert lay.spectral.name == spectral
        assert [d.name for d in sel.dims()] == [d.name for d in lay.others]
        assert not sel.isHidden() and not w.loop_dock.isHidden()
        assert w.spectrum_view.plot_item().getAxis("bottom").labelText == spectral
        # move the Field slider with the keyboard: the map follows that step (after the axis
        # switch the slider kept its place at the end, so it goes back to the start)
        field = sel.slider("Field")
        kept = 0 if spectral == "Frequency" else field.maximum()
        qtbot.waitUntil(lambda f=field, k=kept: f.value() == k, timeout=10_000)
        settle(qtbot, w)
        field.setFocus()
        with qtbot.waitSignal(w.sigNavigatorReady, timeout=10_000):
            QTest.keyClick(field, Qt.Key_End if spectral == "Frequency" else Qt.Key_Home)
        idx = [d.size - 1 if d.name == "Field" and spectral == "Frequency" else 0
               for d in lay.others]
        step = step_of(lay.others, idx)
        assert w.inspector.step == step and sel.step() == step
        assert "Field" in w.map_view.title_text()
        np.testing.assert_allclose(w.layers.image(NAVIGATOR_MEAN),
                                   mean_image(path, spectral, step), rtol=1e-6)
        # the pixel is tested again at the new step in a worker: the map may be ready first
        qtbot.waitUntil(lambda s=step: w.inspector.report.step == s
                        and w.inspector.report.spectrum is not None, timeout=10_000)
        np.testing.assert_array_equal(w.inspector.report.spectrum,
                                      w.source.read_position(w.inspector.report.position)[step])
    assert w.dialogs.errors == []


def test_step_numbers_are_slowest_first():
    from peakgui.core.dimension import Dimension

    dims = [Dimension("Field", "", np.arange(2.0)), Dimension("DC", "V", np.arange(5.0))]
    assert step_of(dims, [1, 3]) == 8 and indices_of(dims, 8) == [1, 3]


def test_loop_plot_equals_the_core_and_the_results(qtbot, window, tmp_path):
    path = tmp_path / "beps.h5"
    write_beps_demo(path, rows=6, cols=5, bins=40, dc_steps=12)
    w = window
    open_and_wait(qtbot, w, path)
    lay = w.source.layout
    assert [d.name for d in lay.others] == ["DC_Offset", "Field"]  # BGlib's layout
    loop = w.loop_plot
    assert not w.loop_dock.isHidden()
    assert loop.x_combo().currentText() == "DC_Offset"  # the longest remaining dim
    assert loop.plot(FREQUENCY).getAxis("bottom").labelUnits == "V"
    assert loop.plot(RESPONSE).getAxis("left").labelText == "Amplitude"
    assert loop.plot(FREQUENCY).getAxis("left").labelUnits == "Hz"

    select_and_wait(qtbot, w, 2, 3)
    p = lay.position_of(2, 3)
    spectra = w.source.read_position(p)
    blk = AnalysisRun(w.source, "peak_finding", {}, n_jobs=1).compute(spectra)
    dc = lay.others[0]
    x, ys = loop.curves("test")
    np.testing.assert_array_equal(x, dc.values)
    np.testing.assert_array_equal(ys[RESPONSE], blk[RESPONSE][0::2])  # in-field, every DC step
    np.testing.assert_array_equal(ys[FREQUENCY], blk[FREQUENCY][0::2])
    assert loop.curves("results")[1][RESPONSE].size == 0  # nothing computed yet

    # the out-of-field loop: move the Field slider; the loop follows it
    sel = w.spectrum_view.step_selector()
    sel.slider("Field").setValue(1)
    x, ys = loop.curves("test")
    np.testing.assert_array_equal(ys[RESPONSE], blk[RESPONSE][1::2])

    # the loop plot takes the other remaining dim as its x axis when asked
    loop.x_combo().setCurrentText("Field")
    x, ys = loop.curves("test")
    np.testing.assert_array_equal(x, [1, 0])  # in-field is Field = 1, as BGlib writes it
    np.testing.assert_array_equal(ys[RESPONSE], blk[RESPONSE][[0, 1]])
    loop.x_combo().setCurrentText("DC_Offset")
    with qtbot.waitSignal(w.sigNavigatorReady, timeout=10_000):
        sel.slider("Field").setValue(0)

    # a run: the results curve is the pixel's row of the group, the maps follow the sliders
    with qtbot.waitSignal(w.run_controller.sigStopped, timeout=60_000):
        assert w.start_run()
    settle(qtbot, w)
    assert w.last_progress.state is ProgressState.FINISHED
    res = read_all(w.results.ref, [RESPONSE, FREQUENCY, COMPLETED])
    assert res[COMPLETED].all()
    x, ys = loop.curves("results")
    np.testing.assert_array_equal(ys[RESPONSE], res[RESPONSE][p, 0::2])
    np.testing.assert_array_equal(ys[FREQUENCY], res[FREQUENCY][p, 0::2])
    np.testing.assert_array_equal(loop.curves("test")[1][RESPONSE], ys[RESPONSE])  # agree

    dc_slider = sel.slider("DC_Offset")
    dc_slider.setFocus()
    with qtbot.waitSignal(w.sigResultsShown, timeout=10_000):
        QTest.keyClick(dc_slider, Qt.Key_Right)
    assert sel.step() == 2 and w.results.step == 2  # DC step 1 of the in-field spectra
    assert "V" in sel.value_text("DC_Offset")
    np.testing.assert_array_equal(w.layers.image(RESPONSE),
                                  lay.to_image(res[RESPONSE][:, 2].astype(np.float64)))
    np.testing.assert_array_equal(w.layers.image(FREQUENCY),
                                  lay.to_image(res[FREQUENCY][:, 2].astype(np.float64)))
    assert "DC_Offset" in w.map_view.title_text()


def test_single_step_data_has_no_loop_plot(qtbot, window, small_file):
    open_and_wait(qtbot, window, small_file)
    assert window.loop_dock.isHidden()
    assert window.spectrum_view.step_selector().isHidden()


def test_demo_kinds_in_the_parser():
    p = create_parser()
    assert p.parse_args(["--demo"]).demo == "be"
    assert p.parse_args(["--demo", "beps", "--run"]).demo == "beps"
    assert p.parse_args(["--demo", "be"]).demo == "be"
    assert p.parse_args([]).demo is None
    with pytest.raises(SystemExit):
        p.parse_args(["--demo", "bogus"])


def test_ensure_demo_beps_writes_a_beps_file(qtbot):
    from peakgui.gui.app.launcher import ensure_demo

    path = ensure_demo("beps")
    assert path.name == "beps_demo.h5" and path.exists()
    assert SpectralSource.open(path).layout.n_steps == 128
    assert ensure_demo("beps") == path  # not written again
