"""BGlib's 9-parameter loop model and its analytic Jacobian, in numpy.

``loop_model`` is BGlib's ``loop_fit_function`` (``BGlib/be/analysis/utils/be_loop.py``)
written per step with a branch label instead of two halves of the voltage vector, so that
a_0..a_4 and b_0..b_3 mean what they mean in BGlib's ``Fit`` datasets:

    f(V) = a_0 + a_1 y(V) + a_4 V
    y(V) = (g erf((V - a) / g) + b_lo) / (b_lo + b_hi)
    g(V) = (b_hi - b_lo) / 2 (erf(1000 (V - a)) + 1) + b_lo

with (a, b_lo, b_hi) = (a_2, b_0, b_1) on the falling branch and (a_3, b_2, b_3) on the rising
one (see :mod:`.branches`). y rises from 0 to 1 through ``a`` with width ``b_lo`` below it and
``b_hi`` above it; ``g`` switches between them within about a millivolt (BGlib's constant 1000
per volt is kept, so voltages are in volts). a_0 is the lower plateau and a_0 + a_1 the upper.
The compiled kernel evaluates the same expressions; this module serves inspection, the scipy
reference and the tests.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import erf

PARAM_NAMES = ("a_0", "a_1", "a_2", "a_3", "a_4", "b_0", "b_1", "b_2", "b_3")
"""BGlib's ``loop_fit32`` member names, in order (without its trailing ``R2 Criterion``)."""

SHARPNESS = 1000.0
"""BGlib's ``d``: how fast (per volt) the width switches from b_lo to b_hi at the transition."""

_TWO_OVER_SQRT_PI = 2.0 / np.sqrt(np.pi)


def _branch_terms(v: np.ndarray, rising: np.ndarray, p: np.ndarray,
                  d: float) -> tuple[Any, ...]:
    a = np.where(rising, p[3], p[2])
    lo = np.where(rising, p[7], p[5])
    hi = np.where(rising, p[8], p[6])
    u = v - a
    step = erf(u * d)
    g = (hi - lo) / 2.0 * (step + 1.0) + lo
    e = erf(u / g)
    s = lo + hi
    n = g * e + lo
    return a, lo, hi, u, step, g, e, s, n


def loop_model(voltage: np.ndarray, labels: np.ndarray, p: np.ndarray,
               sharpness: float = SHARPNESS) -> np.ndarray:
    """The model's response at each step; ``labels`` from :func:`.branches.branches`."""
    v = np.asarray(voltage, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    rising = np.asarray(labels) != 0
    *_, s, n = _branch_terms(v, rising, p, sharpness)
    return np.asarray(p[0] + p[1] * n / s + p[4] * v)


def loop_jacobian(voltage: np.ndarray, labels: np.ndarray, p: np.ndarray,
                  sharpness: float = SHARPNESS) -> np.ndarray:
    """(S, 9) derivatives of :func:`loop_model` with respect to a_0..a_4, b_0..b_3."""
    v = np.asarray(voltage, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    rising = np.asarray(labels) != 0
    _, lo, hi, u, step, g, e, s, n = _branch_terms(v, rising, p, sharpness)
    gauss = _TWO_OVER_SQRT_PI * np.exp(-(u / g) ** 2)
    dn_dg = e - gauss * u / g
    dg_du = (hi - lo) * sharpness / 2.0 * _TWO_OVER_SQRT_PI * np.exp(-(u * sharpness) ** 2)
    dy_da = -(gauss + dn_dg * dg_du) / s
    dy_dlo = (dn_dg * (1.0 - step) / 2.0 + 1.0) / s - n / s**2
    dy_dhi = dn_dg * (1.0 + step) / 2.0 / s - n / s**2
    jac = np.zeros((v.size, 9))
    jac[:, 0] = 1.0
    jac[:, 1] = n / s
    jac[:, 4] = v
    for col_a, col_lo, col_hi, on in ((2, 5, 6, ~rising), (3, 7, 8, rising)):
        jac[on, col_a] = p[1] * dy_da[on]
        jac[on, col_lo] = p[1] * dy_dlo[on]
        jac[on, col_hi] = p[1] * dy_dhi[on]
    return jac


def r_squared(data: np.ndarray, fitted: np.ndarray) -> float:
    """1 - SS_res / SS_tot about the mean (BGlib stores 1 minus this as "R2 Criterion");
    0 when the data are constant."""
    data = np.asarray(data, dtype=np.float64)
    ss_tot = float(np.sum((data - data.mean()) ** 2))
    ss_res = float(np.sum((data - fitted) ** 2))
    return 1.0 - ss_res / ss_tot if ss_tot > 0 else 0.0

