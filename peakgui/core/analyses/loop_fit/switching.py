"""BGlib's ``switching32`` quantities from the 9 loop parameters, computed on each branch.

V- = a_2 and V+ = a_3 are the transitions of the falling and rising branches (BGlib's names),
Imprint their mean, R- = a_0 and R+ = a_0 + a_1 the plateaus, Switchable Polarization a_1 and
Work of Switching |a_3 - a_2| |a_1| (BGlib's product of the coercive width and the step).

Nucleation biases are where 3 % of the switching has happened, each on its own branch with the
width that holds there: on the rising branch (switching up through a_3) where y has risen to
0.03, below a_3, so with b_2 (Nucleation Bias 1); on the falling branch (switching down through
a_2) where y has fallen to 0.97, above a_2, so with b_1 (Nucleation Bias 2). BGlib's
``calc_switching_coef_vec`` takes b_0 for the second (a width of the other side of a_2) and
falls back to the other width only when its formula gives NaN.

``Loop Area`` is the area between the model's two branches over the swept voltages, in closed
form; the electrostatic slope cancels in it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import erf, erfinv

SWITCHING_NAMES = ("V+", "V-", "Imprint", "R+", "R-", "Switchable Polarization",
                   "Work of Switching", "Nucleation Bias 1", "Nucleation Bias 2")
"""BGlib's ``switching32`` member names, in its order."""

EXTRA_NAMES = ("Loop Area",)
"""PeakGUI's additions after the ``switching32`` members."""

NUCLEATION = 0.03
"""The fraction of the switching that has happened at a nucleation bias (BGlib's default)."""


def _level_voltage(level: float, a: Any, lo: Any, hi: Any) -> np.ndarray:
    """Where y of a branch (transition a, widths lo below / hi above) equals ``level``."""
    at_a = lo / (lo + hi)
    width = np.where(level < at_a, lo, hi)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(a + width * erfinv((level * (lo + hi) - lo) / width))


def nucleation_biases(params: np.ndarray,
                      fraction: float = NUCLEATION) -> tuple[np.ndarray, np.ndarray]:
    """(Nucleation Bias 1, Nucleation Bias 2) for parameters (..., 9)."""
    p = np.asarray(params, dtype=np.float64)
    nb1 = _level_voltage(fraction, p[..., 3], p[..., 7], p[..., 8])
    nb2 = _level_voltage(1.0 - fraction, p[..., 2], p[..., 5], p[..., 6])
    return nb1, nb2


def _branch_integral(v: float, a: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Integral of y from a to v for one branch (exact away from BGlib's millivolt switch)."""
    u = v - a
    w = np.where(u < 0, lo, hi)
    t = u / w
    prim = w * w * (t * erf(t) + np.exp(-t * t) / np.sqrt(np.pi))
    return np.asarray((prim - w * w / np.sqrt(np.pi) + lo * u) / (lo + hi))


def loop_area(params: np.ndarray, v_min: float, v_max: float) -> np.ndarray:
    """Area between the falling and the rising branch of the model over [v_min, v_max]:
    a_1 times the integral of (y_falling - y_rising); positive for a loop switching up at
    V+ > V- with a_1 > 0, like the shoelace area of the data."""
    p = np.asarray(params, dtype=np.float64)

    def integral(a: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        return np.asarray(_branch_integral(v_max, a, lo, hi) - _branch_integral(v_min, a, lo, hi))

    falling = integral(p[..., 2], p[..., 5], p[..., 6])
    rising = integral(p[..., 3], p[..., 7], p[..., 8])
    return np.asarray(p[..., 1] * (falling - rising))


def switching_parameters(params: np.ndarray, v_min: float, v_max: float,
                         fraction: float = NUCLEATION) -> dict[str, np.ndarray]:
    """Every name of :data:`SWITCHING_NAMES` and :data:`EXTRA_NAMES` from parameters (..., 9)
    (a_0..a_4, b_0..b_3) of loops swept over [v_min, v_max] volts."""
    p = np.asarray(params, dtype=np.float64)
    nb1, nb2 = nucleation_biases(p, fraction)
    return {
        "V+": p[..., 3],
        "V-": p[..., 2],
        "Imprint": 0.5 * (p[..., 2] + p[..., 3]),
        "R+": p[..., 0] + p[..., 1],
        "R-": p[..., 0],
        "Switchable Polarization": p[..., 1],
        "Work of Switching": np.abs(p[..., 3] - p[..., 2]) * np.abs(p[..., 1]),
        "Nucleation Bias 1": nb1,
        "Nucleation Bias 2": nb2,
        "Loop Area": loop_area(p, v_min, v_max),
    }
