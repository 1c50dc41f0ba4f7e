"""The compiled loop fit: the whole chain on noise-free loops, statuses, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from peakgui.core.analyses.loop_fit.branches import branches
from peakgui.core.analyses.loop_fit.fit import LoopFitSettings, fit_loops
from peakgui.core.analyses.loop_fit.model import loop_model
from peakgui.core.analyses.loop_fit.projection import project_loops
from peakgui.core.analyses.loop_fit.status import LoopStatus
from peakgui.core.analyses.loop_fit.uncertainty import covariance

from .synthetic import loops, random_params, triangle

V = triangle(64)


def test_noise_free_chain_recovers_every_parameter_at_every_response_angle():
    """Complex responses of two fields (their own a_1, slope and imprint) on a line at angles
    over [0, 2 pi): projection, guess and fit give the 9 parameters to 1e-6 relative."""
    rng = np.random.default_rng(10)
    n = 48
    truth = random_params(rng, 2 * n).reshape(n, 2, 9)
    truth[:, 1, 4] += 0.08  # in-field electrostatic slope
    truth[:, 1, 2:4] += 0.4  # and imprint
    angle = np.linspace(0, 2 * np.pi, n, endpoint=False) + 0.01
    base = rng.normal(size=n) + 1j * rng.normal(size=n)
    y = loops(V, truth.reshape(-1, 9)).reshape(n, 2, -1)
    x = base[:, None, None] + y * np.exp(1j * angle)[:, None, None]
    proj = project_loops(x, V)
    res = fit_loops(proj.loops.reshape(2 * n, -1), V)
    expected = truth.copy()
    expected[..., 0] += (base * np.exp(-1j * angle)).real[:, None]  # the line's foot
    np.testing.assert_array_equal(res.status, LoopStatus.CONVERGED)
    fit = res.fit[:, :9].reshape(n, 2, 9)
    np.testing.assert_allclose(fit, expected, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(fit[..., 2:4], expected[..., 2:4], rtol=0, atol=1e-6)  # V-, V+
    np.testing.assert_allclose(res.fit[:, 9], 1.0, atol=1e-12)


@pytest.mark.parametrize("start, cycles", [(0, 1), (13, 1), (40, 2), (7, 3)])
def test_waveforms_starting_anywhere_with_several_cycles(start, cycles):
    v = triangle(48, cycles=cycles, start=start)
    truth = random_params(np.random.default_rng(start), 4)
    res = fit_loops(loops(v, truth), v)
    assert np.all(res.status == LoopStatus.CONVERGED)
    np.testing.assert_allclose(res.fit[:, :9], truth, rtol=1e-6, atol=1e-9)


def test_covariance_is_sigma2_inverse_normal_matrix():
    rng = np.random.default_rng(11)
    truth = random_params(rng, 6)
    y = loops(V, truth) + rng.normal(0, 0.02, (6, V.size))
    res = fit_loops(y, V)
    lab = branches(V)
    for k in range(6):
        ref = covariance(V, lab, y[k], res.fit[k, :9], loop_model)
        np.testing.assert_allclose(res.cov[k], ref, rtol=1e-6,
                                   atol=1e-9 * np.abs(ref).max())
        assert np.all(np.diag(res.cov[k]) > 0)


def test_results_do_not_depend_on_how_the_block_is_split():
    rng = np.random.default_rng(12)
    y = loops(V, random_params(rng, 30)) + rng.normal(0, 0.05, (30, V.size))
    y[4, 3] = np.nan
    whole = fit_loops(y, V)
    parts = [fit_loops(y[a:b], V) for a, b in ((0, 1), (1, 17), (17, 30))]
    for name in ("guess", "fit", "cov", "status"):
        np.testing.assert_array_equal(getattr(whole, name),
                                      np.concatenate([getattr(p, name) for p in parts]))


def test_bad_loops_get_a_status_and_never_crash():
    y = loops(V, random_params(np.random.default_rng(13), 4))
    y[0, 5] = np.nan
    y[1, 9] = np.inf
    y[2] = 0.7  # flat
    res = fit_loops(y, V)
    assert list(res.status[:3]) == [LoopStatus.NON_FINITE, LoopStatus.NON_FINITE,
                                    LoopStatus.NO_SWITCHING]
    assert np.all(np.isnan(res.fit[:2]))
    assert res.status[3] == LoopStatus.CONVERGED


def test_noise_only_is_never_a_clean_converged_loop():
    rng = np.random.default_rng(14)
    res = fit_loops(rng.normal(0, 1.0, (20, V.size)) + 0.01 * V, V)
    assert np.any(res.status == LoopStatus.NO_SWITCHING)
    assert set(res.status.tolist()) <= {LoopStatus.NO_SWITCHING, LoopStatus.AT_BOUND,
                                        LoopStatus.MAX_ITER}


@pytest.mark.parametrize("v", [np.arange(20.0), np.array([1.0]), triangle(8)])
def test_waveforms_without_a_loop_are_too_few_points(v):
    res = fit_loops(np.ones((3, v.size)) * np.arange(v.size), v)
    np.testing.assert_array_equal(res.status, LoopStatus.TOO_FEW_POINTS)
    assert np.all(np.isnan(res.fit))


def test_empty_block_and_bad_settings():
    res = fit_loops(np.empty((0, V.size)), V)
    assert res.fit.shape == (0, 10) and res.cov.shape == (0, 9, 9)
    with pytest.raises(ValueError, match="starts"):
        fit_loops(np.zeros((1, V.size)), V, LoopFitSettings(n_starts=9))
    with pytest.raises(ValueError, match="steps"):
        fit_loops(np.zeros((1, 5)), V)
