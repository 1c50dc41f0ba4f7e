"""Switching parameters: BGlib's names and formulas, nucleation biases on their own branch,
the model's true area, and the standard errors of the derived values."""

from __future__ import annotations

import numpy as np
import pytest

from peakgui.core.analyses.loop_fit.branches import FALLING, RISING
from peakgui.core.analyses.loop_fit.model import loop_model
from peakgui.core.analyses.loop_fit.projection import signed_area
from peakgui.core.analyses.loop_fit.switching import (
    SWITCHING_NAMES,
    loop_area,
    switching_parameters,
)
from peakgui.core.analyses.loop_fit.uncertainty import derived_errors, parameter_errors

from .synthetic import loops, random_params, triangle

P = random_params(np.random.default_rng(20), 8)


def _y(v, label, p):
    """The branch's normalised switching y(V) in [0, 1]."""
    lab = np.full(np.size(v), label)
    return (loop_model(np.atleast_1d(v), lab, p) - p[0] - p[4] * np.atleast_1d(v)) / p[1]


def test_bglib_names_and_linear_members():
    sw = switching_parameters(P, -10, 10)
    assert tuple(sw)[:9] == SWITCHING_NAMES
    np.testing.assert_array_equal(sw["V+"], P[:, 3])
    np.testing.assert_array_equal(sw["V-"], P[:, 2])
    np.testing.assert_allclose(sw["Imprint"], (P[:, 2] + P[:, 3]) / 2)
    np.testing.assert_allclose(sw["R+"], P[:, 0] + P[:, 1])
    np.testing.assert_array_equal(sw["R-"], P[:, 0])
    np.testing.assert_allclose(sw["Work of Switching"], (P[:, 3] - P[:, 2]) * P[:, 1])


@pytest.mark.parametrize("fraction", [0.03, 0.1, 0.3])
def test_nucleation_biases_are_where_that_fraction_of_the_switching_happened(fraction):
    sw = switching_parameters(P, -10, 10, fraction)
    for k, p in enumerate(P):
        # rising branch: switching up has begun (y = fraction) below V+
        assert _y(sw["Nucleation Bias 1"][k], RISING, p)[0] == pytest.approx(fraction, abs=1e-9)
        assert sw["Nucleation Bias 1"][k] < p[3]
        # falling branch: switching down has begun (y = 1 - fraction) above V-
        assert _y(sw["Nucleation Bias 2"][k], FALLING, p)[0] == pytest.approx(1 - fraction,
                                                                             abs=1e-9)
        assert sw["Nucleation Bias 2"][k] > p[2]


def test_bglib_width_for_nucleation_bias_2_misses_the_level_when_b0_differs_from_b1():
    """The doc's claim: BGlib's formula (width b_0 above a_2) lands off the 97 % level."""
    from scipy.special import erfinv

    p = np.array([0.0, 1.0, -3.0, 3.0, 0.0, 1.5, 1.0, 1.0, 1.0])
    t = 0.97
    bglib = p[5] * erfinv((t * p[5] + t * p[6] - p[5]) / p[5]) + p[2]
    ours = switching_parameters(p, -10, 10)["Nucleation Bias 2"]
    assert _y(ours, FALLING, p)[0] == pytest.approx(t, abs=1e-9)
    assert abs(_y(bglib, FALLING, p)[0] - t) > 0.01


def test_loop_area_is_the_area_between_the_branches():
    v = triangle(4000)
    sw = switching_parameters(P, v.min(), v.max())
    np.testing.assert_allclose(sw["Loop Area"], signed_area(v, loops(v, P)), rtol=1e-4)
    assert np.all(loop_area(P, -10, 10) > 0)


def test_derived_errors_are_quadratic_forms_of_the_covariance():
    rng = np.random.default_rng(21)
    a = rng.normal(size=(3, 9, 9))
    cov = a @ np.swapaxes(a, 1, 2)
    se = derived_errors(cov)
    np.testing.assert_allclose(se["Imprint"] ** 2,
                               (cov[:, 2, 2] + cov[:, 3, 3] + 2 * cov[:, 2, 3]) / 4)
    np.testing.assert_allclose(se["R+"] ** 2, cov[:, 0, 0] + cov[:, 1, 1] + 2 * cov[:, 0, 1])
    np.testing.assert_allclose(se["V+"], np.sqrt(cov[:, 3, 3]))
    np.testing.assert_allclose(parameter_errors(cov)[:, 5], np.sqrt(cov[:, 5, 5]))
    assert np.isnan(parameter_errors(np.full((9, 9), np.nan))).all()
