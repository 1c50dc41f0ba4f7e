"""Branches from the sign of dV: any start, several cycles, flat steps, degenerate waveforms."""

from __future__ import annotations

import numpy as np
import pytest

from peakgui.core.analyses.loop_fit.branches import FALLING, RISING, branches, sweeps_both_ways

from .synthetic import triangle


@pytest.mark.parametrize("cycles", [1, 2, 3])
@pytest.mark.parametrize("start", [0, 5, 16, 31, 47])
def test_every_step_is_labelled_by_the_direction_it_moves(start, cycles):
    v = triangle(64, cycles=cycles, start=start)
    lab = branches(v)
    moves = np.sign(np.diff(v))
    np.testing.assert_array_equal(lab[:-1], np.where(moves < 0, FALLING, RISING))
    assert lab[-1] == lab[-2]
    # the maxima open the falling sweep and the minima the rising one, as in BGlib's halves
    assert np.all(lab[np.flatnonzero(v[:-1] == v.max())] == FALLING)
    assert np.all(lab[np.flatnonzero(v[:-1] == v.min())] == RISING)
    assert np.count_nonzero(lab == FALLING) == np.count_nonzero(lab == RISING)


def test_bglib_rolled_triangle_splits_into_its_two_halves():
    v = np.roll(triangle(48), -12)  # BGlib's quarter-cycle roll: starts at the maximum
    lab = branches(v)
    np.testing.assert_array_equal(lab, np.repeat([FALLING, RISING], 24))


def test_flat_steps_take_the_direction_of_the_move_before_them():
    v = np.array([0.0, 0.0, 1.0, 2.0, 2.0, 2.0, 1.0, 0.0, 0.0, -1.0, -1.0, 0.0])
    lab = branches(v)
    np.testing.assert_array_equal(lab, [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1])


@pytest.mark.parametrize("v", [np.array([]), np.array([3.0]), np.zeros(7),
                               np.arange(10.0), np.arange(10.0)[::-1]])
def test_degenerate_waveforms_do_not_sweep_both_ways(v):
    lab = branches(v)
    assert lab.shape == v.shape
    assert not sweeps_both_ways(lab)


def test_a_loop_sweeps_both_ways():
    assert sweeps_both_ways(branches(triangle(16)))
