"""Synthetic BEPS loops with known parameters, shared by the loop-fit tests."""

from __future__ import annotations

import numpy as np

from peakgui.core.analyses.loop_fit.branches import branches
from peakgui.core.analyses.loop_fit.model import loop_model


def triangle(steps_per_cycle: int = 64, amplitude: float = 10.0, cycles: int = 1,
             start: int = 0) -> np.ndarray:
    """Bipolar triangle 0 -> +A -> 0 -> -A -> (0), rolled to start ``start`` steps later."""
    t = np.arange(steps_per_cycle * cycles) / steps_per_cycle
    v = amplitude * (2 / np.pi) * np.arcsin(np.sin(2 * np.pi * t))
    return np.roll(np.round(v, 12), -start)


def random_params(rng: np.random.Generator, n: int) -> np.ndarray:
    """(n, 9) parameters of switching loops: imprint, asymmetric widths, a slope."""
    v_minus = rng.uniform(-5.0, -1.5, n)
    v_plus = rng.uniform(1.5, 5.0, n)
    return np.column_stack([
        rng.uniform(-1.0, 1.0, n),  # a_0
        rng.uniform(0.5, 2.0, n),  # a_1
        v_minus, v_plus,
        rng.uniform(-0.05, 0.05, n),  # a_4
        rng.uniform(0.6, 1.5, (n, 4)),  # b_0..b_3
    ])


def loops(voltage: np.ndarray, params: np.ndarray) -> np.ndarray:
    """(n, S) model loops."""
    lab = branches(voltage)
    return np.array([loop_model(voltage, lab, p) for p in np.atleast_2d(params)])
