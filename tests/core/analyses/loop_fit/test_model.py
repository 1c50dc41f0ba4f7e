"""BGlib's loop model: its limits, its transition level, its analytic Jacobian."""

from __future__ import annotations

import numpy as np
import pytest

from peakgui.core.analyses.loop_fit.branches import FALLING, RISING, branches
from peakgui.core.analyses.loop_fit.model import loop_jacobian, loop_model, r_squared

from .synthetic import random_params, triangle

P = np.array([-1.0, 2.0, -3.0, 2.5, 0.05, 0.8, 1.2, 0.6, 0.9])


@pytest.mark.parametrize("label, a, lo, hi", [(FALLING, 2, 5, 6), (RISING, 3, 7, 8)])
def test_each_branch_rises_from_a0_to_a0_plus_a1_through_its_own_transition(label, a, lo, hi):
    v = np.array([-40.0, P[a], 40.0])
    lab = np.full(3, label)
    y = loop_model(v, lab, P) - P[4] * v
    np.testing.assert_allclose(y, [P[0], P[0] + P[1] * P[lo] / (P[lo] + P[hi]), P[0] + P[1]],
                               rtol=1e-12)


def test_the_width_below_the_transition_is_b_lo_and_above_it_b_hi():
    # y(a - b_lo) and y(a + b_hi) sit at erf(-1) and erf(+1) of their own sides
    from scipy.special import erf

    lab = np.full(2, FALLING)
    v = np.array([P[2] - P[5], P[2] + P[6]])
    y = (loop_model(v, lab, P) - P[0] - P[4] * v) / P[1]
    s = P[5] + P[6]
    np.testing.assert_allclose(y, [P[5] * (1 + erf(-1.0)) / s, (P[6] * erf(1.0) + P[5]) / s],
                               rtol=1e-12)


def test_analytic_jacobian_matches_central_differences():
    rng = np.random.default_rng(3)
    v = triangle(64)
    lab = branches(v)
    for p in random_params(rng, 5):
        jac = loop_jacobian(v, lab, p)
        num = np.empty_like(jac)
        for i in range(9):
            h = 1e-6 * max(1.0, abs(p[i]))
            dp = np.zeros(9)
            dp[i] = h
            num[:, i] = (loop_model(v, lab, p + dp) - loop_model(v, lab, p - dp)) / (2 * h)
        np.testing.assert_allclose(jac, num, atol=1e-7)


def test_r_squared_is_one_for_the_model_and_zero_for_constant_data():
    v = triangle(32)
    y = loop_model(v, branches(v), P)
    assert r_squared(y, y) == 1.0
    assert r_squared(np.ones(5), np.zeros(5)) == 0.0
    assert r_squared(y, np.full_like(y, y.mean())) == pytest.approx(0.0, abs=1e-12)
