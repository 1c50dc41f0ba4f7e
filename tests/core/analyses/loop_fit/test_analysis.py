"""The loop-fit declaration: registry, fields against the kernel, inspection, masks."""

from __future__ import annotations

import numpy as np
import pytest

from peakgui.core.analyses.declaration import FieldKind, SpectralContext
from peakgui.core.analyses.loop_fit.analysis import ANALYSIS, bad_loops, sho_to_complex
from peakgui.core.analyses.loop_fit.detail import LoopDetail
from peakgui.core.analyses.loop_fit.fields import LOOPS, STATUS, param_field, switching_field
from peakgui.core.analyses.loop_fit.status import LoopStatus
from peakgui.core.analyses.registry import get as get_analysis
from peakgui.core.dimension import Dimension

from .synthetic import loops, random_params, triangle

V = triangle(48)


def _ctx(v=V, fields=2):
    steps = (Dimension("Field", "", np.arange(fields)),) if fields else ()
    return SpectralContext(Dimension("DC_Offset", "V", v), "Piezoresponse", "V", steps=steps)


def _block(n, rng, angle=1.3):
    p = random_params(rng, 2 * n)
    y = loops(V, p).reshape(n, 2, -1)
    return (0.2 + 0.1j) + y * np.exp(1j * angle), p.reshape(n, 2, 9)


def test_registered_by_entry_point_with_its_chained_input():
    a = get_analysis("loop_fit")
    assert a is ANALYSIS and a.per_position and a.input.analysis == "sho"
    assert a.input.needs == ("Fit_Amplitude", "Fit_Phase")
    x = sho_to_complex({"Fit_Amplitude": np.array([[2.0]]), "Fit_Phase": np.array([[np.pi]])})
    np.testing.assert_allclose(x, [[-2.0 + 0j]], atol=1e-15)


def test_kernel_returns_every_declared_field_in_its_shape_and_dtype():
    rng = np.random.default_rng(40)
    x, truth = _block(3, rng)
    ctx = _ctx()
    out = ANALYSIS.kernel(x, ANALYSIS.defaults(), ctx)
    fields = ANALYSIS.fields(ctx)
    assert [f.name for f in fields] == list(out)
    for f in fields:
        assert out[f.name].dtype == np.dtype(f.dtype)
        assert out[f.name].shape == ((3, 2, V.size) if f.per_point else (3, 2))
    assert [f.name for f in fields if f.per_point] == [LOOPS]
    assert [f.name for f in fields if f.kind == FieldKind.STATUS] == [STATUS]
    members = {f.member for f in fields if f.compound == "Fit"}
    assert members == {"a_0", "a_1", "a_2", "a_3", "a_4", "b_0", "b_1", "b_2", "b_3",
                       "R2 Criterion"}
    np.testing.assert_allclose(out[switching_field("Fit", "V+")], truth[..., 3], atol=1e-6)
    np.testing.assert_array_equal(out[STATUS], LoopStatus.CONVERGED)


def test_a_position_with_nan_gets_the_non_finite_status():
    rng = np.random.default_rng(41)
    x, _ = _block(2, rng)
    x[0, 1, 4] = np.nan + 0j
    out = ANALYSIS.kernel(x, ANALYSIS.defaults(), _ctx())
    assert out[STATUS][0, 1] == LoopStatus.NON_FINITE
    assert out[STATUS][0, 0] == LoopStatus.CONVERGED
    assert np.all(out[STATUS][1] == LoopStatus.CONVERGED)


def test_size_one_steps_and_positions():
    rng = np.random.default_rng(42)
    x, _ = _block(1, rng)
    out = ANALYSIS.kernel(x[:, :1], ANALYSIS.defaults(), _ctx(fields=0))
    assert out[STATUS].shape == (1, 1) and out[LOOPS].shape == (1, 1, V.size)
    detail = ANALYSIS.inspect(x[0, :1], ANALYSIS.defaults(), _ctx(fields=1))
    assert detail.detail.step_labels == ["Field = 0"]


def test_inspect_gives_what_a_loop_view_draws():
    rng = np.random.default_rng(43)
    x, truth = _block(1, rng)
    d = ANALYSIS.inspect(x[0], ANALYSIS.defaults(), _ctx())
    e = d.detail
    assert isinstance(e, LoopDetail) and d.extra == {}
    assert e.loops.shape == (2, V.size) and e.responses.shape == (2, V.size)
    assert e.fit_curves.rising.shape == (2, e.fit_curves.voltage.size)
    np.testing.assert_allclose(abs(e.direction), 1.0)
    assert e.step_labels == ["Field = 0", "Field = 1"]
    assert e.switching[1]["V-"] == pytest.approx(truth[0, 1, 2], abs=1e-6)
    assert d.values[param_field("Fit", "a_2")] == pytest.approx(truth[0, 0, 2], abs=1e-6)
    assert e.status == [LoopStatus.CONVERGED] * 2 and d.notes == []
    assert e.units["V+"] == "V" and set(e.guess_switching[0]) == set(e.switching[0])


def test_one_way_sweep_is_refused_with_a_sentence():
    msg = ANALYSIS.check(ANALYSIS.defaults(), _ctx(np.linspace(-5, 5, 30)))
    assert "both ways" in msg
    assert ANALYSIS.check(ANALYSIS.defaults(), _ctx()) is None


def test_bad_masks_failed_poor_and_uncertain_fits():
    values = {STATUS: np.array([0, 0, 0, 3, 1]),
              param_field("Fit", "R2 Criterion"): np.array([0.99, 0.5, 0.99, np.nan, 0.99]),
              switching_field("Fit", "V+"): np.array([2.0, 2.0, 2.0, np.nan, 2.0]),
              switching_field("Fit", "V-"): np.full(5, -2.0),
              "Fit_SE_V_Plus": np.array([0.01, 0.01, 0.9, np.nan, 0.01]),
              "Fit_SE_V_Minus": np.full(5, 0.01)}
    from peakgui.core.analyses.maps import bad_mask

    # R² at the declared cut-off (the window's R² box moves it), as for the SHO fit
    np.testing.assert_array_equal(bad_mask(ANALYSIS, values), [False, True, True, False, False])
    np.testing.assert_array_equal(bad_loops(values), [False, False, True, True, False])
    np.testing.assert_array_equal(bad_mask(ANALYSIS, values, 0.4),
                                  [False, False, True, False, False])
