"""The BEPS demo's known loops: the stored truth regenerates the data, means what BGlib means,
spans the response angles, and the file is laid out as BGlib's translator writes real ones."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from peakgui.core.analyses.sho.fit import FitSettings, fit_spectra
from peakgui.core.demo.be import DEMO_DATASET, read_truth, sho_response
from peakgui.core.demo.beps import (
    BENCHMARK,
    FIELD_PARAMETERS,
    LOOP_PARAMETERS,
    beps_block,
    beps_scene,
    dc_waveform,
    loop_model,
    rising_steps,
    write_beps_demo,
)
from peakgui.core.io.source import SpectralSource
from tests.interop import run_interop

CHAN = "/Measurement_000/Channel_000"
SMALL = {"rows": 4, "cols": 3, "bins": 40, "dc_steps": 16}


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """A small demo without noise."""
    path = tmp_path_factory.mktemp("beps_truth") / "clean.h5"
    write_beps_demo(path, **SMALL, noise=0.0, seed=3)
    return path


def test_the_truth_regenerates_the_noise_free_spectra(clean):
    truth = read_truth(clean)
    with h5py.File(clean, "r") as f:
        raw = f[DEMO_DATASET][()]
        stored = f[f"{CHAN}/Bin_Frequencies"][()]
    # the bins are stored as float32, too coarse near a resonance: the ends are exact
    freq = np.linspace(float(stored[0]), float(stored[-1]), len(stored))
    z = truth["Amplitude"] * np.exp(1j * truth["Phase"])  # (P, field, DC), BGlib's convention
    # the demo's oscillator is -1 times BGlib's SHOfunc, hence angle(-z)
    spectra = sho_response(freq, np.abs(z).ravel(), truth["Frequency"].ravel(),
                           truth["Quality_Factor"].ravel(), np.angle(-z).ravel())
    # columns: Frequency fastest, then Field, then DC_Offset
    expected = spectra.reshape(*z.shape, -1).transpose(0, 2, 1, 3).reshape(raw.shape)
    np.testing.assert_allclose(raw, expected, rtol=0, atol=1e-6 * np.abs(expected).max())

    # the response lies on a line at Angle, offset from the origin perpendicular to it; along
    # the line it is the 9-parameter loop of the stored parameters
    along = (z - truth["Offset"][..., None]) * np.exp(-1j * truth["Angle"])[..., None]
    np.testing.assert_allclose(along.imag, 0, atol=1e-12)
    assert np.allclose((truth["Offset"] * np.exp(-1j * truth["Angle"])).real, 0, atol=1e-15)
    volts = dc_waveform(SMALL["dc_steps"])
    np.testing.assert_allclose(along.real, loop_model(volts, truth["Loop_Parameters"]),
                               rtol=1e-12, atol=1e-15)


def test_the_switching_figures_are_bglibs_of_the_parameters(clean):
    truth = read_truth(clean)
    p = truth["Loop_Parameters"]
    assert p.shape == (12, 2, 9)
    np.testing.assert_array_equal(truth["V+"], p[..., 3])
    np.testing.assert_array_equal(truth["V-"], p[..., 2])
    np.testing.assert_array_equal(truth["Imprint"], (p[..., 2] + p[..., 3]) / 2)
    np.testing.assert_array_equal(truth["Switchable_Response"], p[..., 1])
    with h5py.File(clean, "r") as f:
        assert list(f[f"{CHAN}/Ground_Truth/Loop_Parameters"].attrs["names"]) == \
            list(LOOP_PARAMETERS)


def test_the_loop_is_hysteretic_on_the_branches_the_bias_takes():
    volts = dc_waveform(48)
    rising = rising_steps(volts)
    # 0 -> +10 rises, +10 -> -10 falls, -10 -> 0 rises
    assert rising[:12].all() and not rising[12:36].any() and rising[36:].all()
    params = np.array([-1.0, 2.0, -3.0, 3.0, 0.0, 0.5, 0.5, 0.5, 0.5])
    loop = loop_model(volts, params)
    at_zero = np.flatnonzero(volts == 0)  # step 0 (rising) and step 24 (falling)
    np.testing.assert_allclose(loop[at_zero], [-1.0, 1.0], atol=1e-6)  # the two remanent states
    assert loop.max() == pytest.approx(1.0) and loop.min() == pytest.approx(-1.0)


def test_angles_span_the_circle_smoothly_and_parameters_vary_across_the_scan():
    rows, cols = BENCHMARK["rows"], BENCHMARK["cols"]
    scene = beps_scene(**BENCHMARK)
    angle = scene.angle
    assert angle.min() >= 0 and angle.max() < 2 * np.pi
    counts, _ = np.histogram(angle, bins=12, range=(0, 2 * np.pi))
    assert counts.min() >= 0.8 * counts.mean()  # uniform over the circle
    step = np.abs(np.angle(np.exp(1j * np.diff(angle.reshape(rows, cols), axis=1))))
    assert np.median(step) < 0.3  # yet smooth from pixel to pixel
    p = scene.loops
    in_field, out_field = p[:, 0], p[:, 1]
    assert (in_field[:, 4] > 3 * out_field[:, 4]).all() and (out_field[:, 4] > 0).all()
    assert (p[..., 3] > p[..., 2]).all()  # V+ above V-
    assert np.std((p[..., 2] + p[..., 3]) / 2) > 0.2  # imprint varies
    assert np.std(p[..., 3] - p[..., 2]) > 0.5  # so does the loop's width
    assert 0.85 <= 1 - scene.pinned.mean() <= 0.95  # a patch that hardly switches


def test_the_file_is_laid_out_as_bglibs_translator_writes(clean):
    with h5py.File(clean, "r") as f:
        assert f.attrs["data_type"] == "BEPSData"
        meas = f["Measurement_000"]
        assert meas.attrs["VS_mode"] == "DC modulation mode"
        assert meas.attrs["VS_cycle_fraction"] == "full"
        inds = f[f"{CHAN}/Spectroscopic_Indices"]
        vals = f[f"{CHAN}/Spectroscopic_Values"]
        for table in (inds, vals):
            assert list(table.attrs["labels"]) == ["Frequency", "DC_Offset", "Field"]
            assert list(table.attrs["Field_parameters"]) == list(FIELD_PARAMETERS)
        bins = SMALL["bins"]
        field_vals, field_inds = vals[2], inds[2]
        # at every DC step: the in-field spectrum (Field = 1) first, then out-of-field (0)
        np.testing.assert_array_equal(field_vals[:2 * bins], [1] * bins + [0] * bins)
        np.testing.assert_array_equal(field_inds[:2 * bins], [0] * bins + [1] * bins)
        np.testing.assert_array_equal(inds[1][:4 * bins], np.repeat([0, 1], 2 * bins))
    src = SpectralSource.open(clean)
    assert [d.name for d in src.layout.others] == ["DC_Offset", "Field"]
    # the in-field loop carries the larger electrostatic slope
    truth = read_truth(clean)
    slope = truth["Loop_Parameters"][..., 4]
    assert (slope[:, 0] > slope[:, 1]).all()


def test_the_demo_is_deterministic_by_seed(tmp_path):
    def raw(seed, name):
        path = tmp_path / name
        write_beps_demo(path, **SMALL, seed=seed)
        with h5py.File(path, "r") as f:
            return f[DEMO_DATASET][()]

    first = raw(5, "a.h5")
    np.testing.assert_array_equal(first, raw(5, "b.h5"))
    assert not np.array_equal(first, raw(6, "c.h5"))


def test_the_benchmark_noise_gives_about_a_1_4_percent_sho_amplitude_error():
    scene = beps_scene(**BENCHMARK)
    n = BENCHMARK["rows"] * BENCHMARK["cols"]
    spectra = beps_block(scene, 0, n).reshape(-1, BENCHMARK["bins"])
    fit = fit_spectra(spectra, scene.freq, FitSettings()).fit
    z_true = np.abs(loop_model(scene.volts, scene.loops) * np.exp(1j * scene.angle)[:, None, None]
                    + scene.offset[:, None, None])  # (P, field, DC)
    amplitude = fit[:, 0].reshape(n, -1, 2).transpose(0, 2, 1)  # (P, DC, field) in the file
    error = np.median(np.abs(amplitude / z_true - 1))
    assert 0.012 < error < 0.016


def test_bglibs_loop_function_and_switching_figures_agree_with_the_truth(clean):
    """BGlib evaluates its model on the waveform rolled by a quarter cycle, the falling branch
    in the first half: on that order it must give back the stored loops exactly."""
    truth = read_truth(clean)
    volts = dc_waveform(SMALL["dc_steps"])
    along = ((truth["Amplitude"] * np.exp(1j * truth["Phase"]) - truth["Offset"][..., None])
             * np.exp(-1j * truth["Angle"])[..., None]).real
    got = run_interop("""
        import numpy as np
        from BGlib.be.analysis.utils.be_loop import loop_fit_function, calc_switching_coef_vec
        params = np.array(params).reshape(-1, 9)
        vdc = np.roll(np.array(volts), -len(volts) // 4)
        loops = [loop_fit_function(vdc, p).tolist() for p in params]
        sw = calc_switching_coef_vec(params, 0.03).ravel()
        print(json.dumps({"loops": loops, "V+": sw["V+"].tolist(), "V-": sw["V-"].tolist(),
                          "imprint": sw["Imprint"].tolist(),
                          "switchable": sw["Switchable Polarization"].tolist()}))
        """, params=truth["Loop_Parameters"].reshape(-1, 9).tolist(), volts=volts.tolist())
    shift = -SMALL["dc_steps"] // 4
    expected = np.roll(along.reshape(-1, SMALL["dc_steps"]), shift, axis=1)
    np.testing.assert_allclose(got["loops"], expected, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(got["V+"], truth["V+"].ravel(), rtol=1e-12)
    np.testing.assert_allclose(got["V-"], truth["V-"].ravel(), rtol=1e-12)
    np.testing.assert_allclose(got["imprint"], truth["Imprint"].ravel(), rtol=1e-12)
    np.testing.assert_allclose(got["switchable"], truth["Switchable_Response"].ravel(),
                               rtol=1e-12)


@pytest.mark.slow
def test_bglibs_whole_pipeline_runs_on_the_demo_file(tmp_path):
    """The attributes and tables BGlib's fitters read are there: BESHOfitter, then
    BELoopFitter on its Fit, give a loop per pixel and field, labelled by Field value."""
    path = tmp_path / "beps.h5"
    write_beps_demo(path, rows=3, cols=2, bins=30, dc_steps=16, seed=2)
    got = run_interop("""
        import h5py
        import numpy as np
        from sidpy.hdf.hdf_utils import get_attr
        from BGlib.be.analysis.be_sho_fitter import BESHOfitter
        from BGlib.be.analysis.be_loop_fitter import BELoopFitter
        with h5py.File(path, "r+") as f:
            raw = f[name]
            sho = BESHOfitter(raw, cores=1, verbose=False)
            sho.set_up_guess()
            sho.do_guess()
            sho.set_up_fit()
            fit = sho.do_fit()
            meas = raw.parent.parent
            loops = BELoopFitter(fit, get_attr(f, "data_type"), get_attr(meas, "VS_mode"),
                                 get_attr(meas, "VS_cycle_fraction"), cores=1, verbose=False)
            loops.set_up_guess()
            loops.do_guess()
            loops.set_up_fit()
            params = loops.do_fit().parent["Fit_Loop_Parameters"]
            spec = f[params.attrs["Spectroscopic_Values"]]
            labels = [x.decode() if isinstance(x, bytes) else str(x)
                      for x in spec.attrs["labels"]]
            print(json.dumps({"shape": list(params.shape), "labels": labels,
                              "field": spec[labels.index("Field")].tolist(),
                              "finite": bool(np.isfinite(params["V+"]).all())}))
        """, path=str(path), name=DEMO_DATASET)
    assert got["shape"] == [6, 2] and got["labels"] == ["Field"]
    assert sorted(got["field"]) == [0.0, 1.0] and got["finite"]
