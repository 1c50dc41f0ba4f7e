"""Projection of complex responses onto loops: every response angle, sign conventions, steps."""

from __future__ import annotations

import numpy as np
import pytest

from peakgui.core.analyses.loop_fit.branches import FALLING, RISING, branches
from peakgui.core.analyses.loop_fit.metrics import centroid, loop_metrics, remanent
from peakgui.core.analyses.loop_fit.projection import project_loops, signed_area

from .synthetic import loops, random_params, triangle

V = triangle(64)


def _responses(rng, n, angle):
    """(n, 2, S) responses: two fields with their own loops on one line at ``angle``."""
    p = random_params(rng, 2 * n).reshape(n, 2, 9)
    y = loops(V, p.reshape(-1, 9)).reshape(n, 2, -1)
    base = rng.normal(size=n) + 1j * rng.normal(size=n)
    x = base[:, None, None] + y * np.exp(1j * angle)[:, None, None]
    return x, y, base


def test_principal_direction_keeps_the_whole_loop_at_every_angle():
    rng = np.random.default_rng(0)
    angle = np.linspace(0, 2 * np.pi, 40, endpoint=False)
    x, y, base = _responses(rng, angle.size, angle)
    proj = project_loops(x, V)
    shift = (base * np.exp(-1j * angle)).real  # the line's foot is where the origin projects
    np.testing.assert_allclose(proj.loops, y + shift[:, None, None], atol=1e-9)
    np.testing.assert_allclose(np.exp(1j * proj.angle),
                               np.repeat(np.exp(1j * angle)[:, None], 2, 1), atol=1e-12)
    offset = np.abs((base * np.exp(-1j * angle)).imag)
    np.testing.assert_allclose(proj.offset, np.repeat(offset[:, None], 2, 1), atol=1e-9)


@pytest.mark.parametrize("sign", ["area", "plateaus"])
def test_the_sign_makes_the_switching_positive_whatever_the_angle(sign):
    rng = np.random.default_rng(1)
    angle = rng.uniform(0, 2 * np.pi, 30)
    x, y, _ = _responses(rng, 30, angle)
    proj = project_loops(-x, V, sign=sign)  # the loops upside down in the complex plane
    assert np.all(signed_area(V, proj.loops) > 0)
    np.testing.assert_allclose(np.diff(proj.loops, axis=-1), np.diff(y, axis=-1), atol=1e-9)


def test_phase_offset_fixes_the_direction_and_phase_sign_keeps_it():
    rng = np.random.default_rng(2)
    x, _, _ = _responses(rng, 3, np.full(3, 0.4))
    proj = project_loops(x, V, sign="phase", phase_offset=1.0)
    np.testing.assert_allclose(proj.loops, (x * np.exp(-1j)).real, atol=1e-12)
    np.testing.assert_allclose(proj.angle, 1.0)


def test_one_direction_per_step_when_asked():
    rng = np.random.default_rng(4)
    x, y, _ = _responses(rng, 2, np.zeros(2))
    x[:, 1] *= np.exp(0.7j)  # the second field's line turned
    shared = project_loops(x, V)
    own = project_loops(x, V, per_step=True)
    assert np.all(shared.angle[:, 0] == shared.angle[:, 1])
    np.testing.assert_allclose(np.diff(own.loops, axis=-1), np.diff(y, axis=-1), atol=1e-9)
    np.testing.assert_allclose(own.angle[:, 1] - own.angle[:, 0], 0.7, atol=1e-9)


def test_a_step_without_finite_responses_leaves_the_others_projected():
    rng = np.random.default_rng(5)
    x, y, _ = _responses(rng, 1, np.array([2.0]))
    x[0, 1, 7] = np.nan
    proj = project_loops(x, V)
    assert np.all(np.isfinite(proj.loops[0, 0]))
    assert np.isnan(proj.loops[0, 1, 7]) and np.isfinite(proj.loops[0, 1, 6])


def test_metrics_of_a_known_square_loop():
    v = np.array([-1.0, 1.0, 1.0, -1.0])
    r = np.array([0.0, 0.0, 2.0, 2.0])  # counter-clockwise square, 2 x 2
    assert signed_area(v, r) == pytest.approx(4.0)
    cx, cy = centroid(v, r)
    assert (cx, cy) == (pytest.approx(0.0), pytest.approx(1.0))


def test_remanent_responses_read_the_branches_at_zero_volts():
    v = triangle(64, cycles=2)
    lab = branches(v)
    y = np.where(lab == FALLING, 3.0, -1.0) + 0.5 * v
    m = loop_metrics(v, lab, y, 0.0, 0.0)
    assert m["Remanent Falling"] == pytest.approx(3.0)
    assert m["Remanent Rising"] == pytest.approx(-1.0)
    assert np.isnan(remanent(np.arange(1.0, 9.0), branches(np.arange(1.0, 9.0)), y[:8],
                             RISING))
