"""The SHO fit in the window: the pixel's fit and guess over the spectrum, the fitted band, the
readout, refits on parameter edits, maps of every field plus the derived piezoresponse, and the
mask of failed fits (generic: any analysis declaring ``bad`` gets it)."""

from __future__ import annotations

import numpy as np

from peakgui.core.analyses import registry
from peakgui.core.analyses.maps import bad_mask
from peakgui.core.analyses.sho.analysis import piezoresponse
from peakgui.core.io.results_read import read_all
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.engine import AnalysisRun
from peakgui.gui.views import view_for
from peakgui.gui.views.sho import SHOView
from peakgui.gui.widgets.spectrum_view import PHASE_MODE
from tests.gui.helpers import open_and_wait, select_and_wait, settle


def use_sho(qtbot, w, **params) -> None:
    assert w.params_panel.set_analysis("sho", params or None)
    qtbot.waitUntil(lambda: isinstance(w.analysis.view, SHOView), timeout=5_000)


def run_to_end(qtbot, w) -> None:
    with qtbot.waitSignal(w.sigResultsShown, timeout=60_000):
        with qtbot.waitSignal(w.run_controller.sigFinished, timeout=60_000):
            assert w.start_run()
    settle(qtbot, w)


def test_sho_pixel_shows_fit_guess_band_and_readout(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    use_sho(qtbot, w)
    rep = select_and_wait(qtbot, w, 5, 7)
    view = w.analysis.view
    assert view is w.spectrum_view.overlay()
    fx, fy = view.fit_data()
    gx, gy = view.guess_data()
    expected = np.abs(rep.detail.detail.fit_curve)
    np.testing.assert_allclose(fy, expected[np.isfinite(expected)])
    assert len(gx) == len(fx) == len(w.source.layout.spectral.values)
    freq = w.source.layout.spectral.values
    assert view.band_region() == (float(freq.min()), float(freq.max()))  # default: whole axis
    text = w.spectrum_view.readout().text()
    for label in ("<b>A</b>", "f<sub>0</sub>", "<b>Q</b>", "φ", "R²", "converged"):
        assert label in text
    assert "kHz" in text
    w.spectrum_view.set_mode(PHASE_MODE)  # the phase view draws the model's phase
    np.testing.assert_allclose(view.fit_data()[1],
                               np.angle(rep.detail.detail.fit_curve), atol=1e-12)


def test_editing_the_band_refits_the_pixel_at_once(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    use_sho(qtbot, w)
    select_and_wait(qtbot, w, 3, 4)
    freq = np.asarray(w.source.layout.spectral.values, dtype=np.float64)
    before = w.inspector.report.detail.values["Fit_Frequency"]
    lo, hi = (freq[9] + freq[10]) / 2, (freq[60] + freq[61]) / 2  # between bins
    with qtbot.waitSignal(w.sigPixelTested, timeout=5_000):
        w.params_panel.set_params({**w.params_panel.params(), "band_lo": lo, "band_hi": hi})
    detail = w.inspector.report.detail
    assert np.asarray(detail.detail.band_mask).sum() == 51
    assert w.analysis.view.band_region() == (freq[10], freq[60])
    assert detail.values["Fit_Frequency"] != before or lo <= before <= hi
    assert lo <= detail.values["Fit_Frequency"] <= hi
    with qtbot.waitSignal(w.sigPixelTested, timeout=5_000):  # the guess method too
        w.params_panel.set_params({**w.params_panel.params(), "guess": "algebraic"})
    assert w.inspector.run.params["guess"] == "algebraic"


def test_sho_run_maps_every_field_the_derived_piezoresponse_and_masks(qtbot, window,
                                                                      small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    use_sho(qtbot, w)
    run_to_end(qtbot, w)
    keys = w.layers.result_keys()
    for name in ("Fit_Amplitude", "Fit_Frequency", "Fit_Quality_Factor", "Fit_Phase",
                 "Fit_R2", "SHO_Status", "Piezoresponse"):
        assert name in keys
    assert w.layers.derived_keys() == ["Piezoresponse"]
    stored = read_all(w.results.ref)
    lay = w.source.layout
    w.layers.mask_check().setChecked(False)
    w.layers.show("Piezoresponse")
    expected = lay.to_image(piezoresponse(stored).astype(np.float64)[:, 0])
    np.testing.assert_allclose(w.map_view.image(), expected, rtol=1e-6)
    # the mask: bad fits blanked on value maps, drawn grey, counted in the title
    bad = bad_mask(registry.get("sho"), stored)[:, 0]
    w.layers.mask_check().setChecked(True)
    w.layers.show("Fit_Frequency")
    shown = w.map_view.image()
    mask = lay.to_image(bad.astype(np.float64)).astype(bool)
    assert np.isnan(shown[mask]).all() and np.isfinite(shown[~mask]).all()
    n = int(bad.sum())
    assert n > 0  # the demo has noise-only and all-zero positions
    assert w.layers.mask_count() == n
    assert f"{n:,} pixels with a failed or poor fit" in w.map_view.title_text()
    assert f"{n:,} pixels with a failed or poor fit" in w.run_panel.message()
    assert w.layers.mask_item().image is not None
    w.layers.show("SHO_Status")  # status codes are never masked: they say why
    assert np.isfinite(w.map_view.image()).all() and w.layers.mask_count() == 0
    w.layers.show("Fit_Frequency")
    w.layers.mask_check().setChecked(False)  # every value as stored (NaN: not fitted)
    assert w.map_view.image() is w.layers.image("Fit_Frequency")
    assert w.layers.mask_count() == 0 and w.layers.mask_item().image is None


def test_the_sho_loop_draws_piezoresponse_f0_and_q(qtbot, small_file):
    sho = registry.get("sho")
    view = view_for(sho)
    run = AnalysisRun(SpectralSource.open(small_file), sho, {}, n_jobs=1)
    names = [f.name for f in view.loop_fields(run.result_fields())]
    assert names == ["Piezoresponse", "Fit_Frequency", "Fit_Quality_Factor"]


def test_beps_sho_maps_per_step_and_loops_with_the_derived_piezoresponse(qtbot, window,
                                                                         tmp_path):
    from peakgui.core.demo.beps import write_beps_demo

    path = tmp_path / "beps.h5"
    write_beps_demo(path, rows=3, cols=2, bins=40, dc_steps=6)
    w = window
    open_and_wait(qtbot, w, path)
    use_sho(qtbot, w)
    select_and_wait(qtbot, w, 1, 1)
    plot = w.loop_plot
    assert plot.field_names() == ["Piezoresponse", "Fit_Frequency", "Fit_Quality_Factor"]
    spectra = w.inspector.spectra
    values = w.inspector.run.compute(spectra)
    x, ys = plot.curves("test")
    assert len(x) == 6
    # the in-field loop: every other step, as the in-field spectrum comes first at each DC
    np.testing.assert_allclose(ys["Piezoresponse"], piezoresponse(values)[0::2], rtol=1e-6)
    np.testing.assert_array_equal(ys["Fit_Frequency"], values["Fit_Frequency"][0::2])
    run_to_end(qtbot, w)
    qtbot.waitUntil(lambda: plot.curves("results")[1]["Piezoresponse"].size == 6,
                    timeout=10_000)
    np.testing.assert_allclose(plot.curves("results")[1]["Piezoresponse"],
                               piezoresponse(values)[0::2], rtol=1e-5)
    stored = read_all(w.results.ref)
    with qtbot.waitSignal(w.sigResultsShown, timeout=10_000):
        w.spectrum_view.set_step(4)  # the maps follow the step, derived ones too
    w.layers.mask_check().setChecked(False)
    w.layers.show("Piezoresponse")
    expected = w.source.layout.to_image(piezoresponse(stored)[:, 4].astype(np.float64))
    np.testing.assert_allclose(w.map_view.image(), expected, rtol=1e-6)
    assert "Piezoresponse" in w.map_view.title_text() or "A·cos" in w.map_view.title_text()


def test_switching_analyses_back_and_forth_redraws_each_view(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    select_and_wait(qtbot, w, 2, 2)
    use_sho(qtbot, w)
    qtbot.waitUntil(lambda: "f<sub>0</sub>" in w.spectrum_view.readout().text(), timeout=5_000)
    assert w.params_panel.set_analysis("peak_finding")
    qtbot.waitUntil(lambda: "peak" in w.spectrum_view.readout().text(), timeout=5_000)
    assert w.spectrum_view.overlay().bad_label == "without a peak"
    w.close_file()
    assert w.layers.mask_item().image is None and w.layers.mask_count() == 0


def test_the_command_lines_analysis_and_parameters_are_used(qtbot, window):
    """``peakgui --analysis sho --param q_max=500 --band LO HI``: what the launcher applies."""
    from peakgui.app import create_parser
    from peakgui.arguments import parameter_values

    w = window
    args = create_parser().parse_args(["--analysis", "sho", "--param", "q_max=500",
                                       "--band", "310000", "340000"])
    assert w.analysis.use(args.analysis, parameter_values(args)) == ""
    assert w.params_panel.analysis().name == "sho"
    params = w.params_panel.params()
    assert (params["q_max"], params["band_lo"], params["band_hi"]) == (500.0, 310000.0, 340000.0)
    assert "no analysis called 'nope'" in w.analysis.use("nope", {})
    assert "Q to" in w.analysis.use("sho", {"q_max": "-1"})
    assert w.params_panel.analysis().name == "sho"  # a refused command line changes nothing


def test_the_mask_choice_is_remembered(qtbot, make_window):
    from peakgui.gui.app.settings import Settings

    w = make_window()
    assert w.layers.mask_check().isChecked()
    w.layers.mask_check().setChecked(False)
    assert not Settings().mask_shown()
    assert not make_window().layers.mask_check().isChecked()


def test_the_readout_shows_the_peak_height_a_times_q_beside_a(qtbot, window, small_file):
    """BGlib's convention: the peak of |x| is A·Q; A alone is ~100 times smaller."""
    from peakgui.gui.formatting import format_value

    w = window
    open_and_wait(qtbot, w, small_file)
    use_sho(qtbot, w)
    rep = select_and_wait(qtbot, w, 5, 7)
    fit = rep.detail.detail.fit
    peak = float(fit[0] * fit[2])
    text = w.spectrum_view.readout().text()
    unit = w.source.layout.units if hasattr(w.source.layout, "units") else "V"
    assert "(A·Q " in text
    shown = text.split("(A·Q ")[1].split(")")[0]
    assert shown == format_value(peak, unit) or shown.split()[0] == format_value(peak, unit
                                                                                 ).split()[0]
    # and it is the height of the spectrum's peak (within the noise), unlike A
    top = float(np.abs(rep.spectrum).max())
    assert abs(peak - top) < 0.05 * top and fit[0] < 0.1 * top
