"""The same loop fit done per loop with ``scipy.optimize.least_squares``: the accuracy oracle
of the tests and the speed baseline of the benchmark.

It poses exactly the compiled kernel's problem (the residuals of BGlib's model at every step,
a_1 >= 0, a_2 and a_3 inside the swept voltages, widths inside the same bounds), starts from the
same guess and starts (:func:`.guess.loop_starts`), solves each with scipy's trust-region
reflective method, the analytic Jacobian and tolerances of 1e-12, and keeps the lowest cost.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import least_squares

from peakgui.core.analyses.loop_fit.branches import branches
from peakgui.core.analyses.loop_fit.fit import LoopFitSettings
from peakgui.core.analyses.loop_fit.guess import loop_starts
from peakgui.core.analyses.loop_fit.model import loop_jacobian, loop_model


def bounds(voltage: np.ndarray, settings: LoopFitSettings) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of a_0..a_4, b_0..b_3, as the kernel sets them."""
    v = np.asarray(voltage, dtype=np.float64)
    w_lo, w_hi = settings.widths(v)
    lo = np.array([-np.inf, 0.0, v.min(), v.min(), -np.inf] + [w_lo] * 4)
    hi = np.array([np.inf, np.inf, v.max(), v.max(), np.inf] + [w_hi] * 4)
    return lo, hi


def scipy_fit(loop: np.ndarray, voltage: np.ndarray, settings: LoopFitSettings | None = None,
              tol: float = 1e-12, max_nfev: int = 5000) -> tuple[np.ndarray, float]:
    """(a_0..a_4, b_0..b_3) of the best start and its R^2; NaN for a loop with no start."""
    s = settings or LoopFitSettings()
    v = np.asarray(voltage, dtype=np.float64)
    y = np.asarray(loop, dtype=np.float64)
    lab = branches(v)
    lo, hi = bounds(v, s)
    best, cost = np.full(9, np.nan), np.inf
    for p0 in loop_starts(y[None, :], v, s, lab)[0]:
        if not np.all(np.isfinite(p0)):
            continue
        res = least_squares(lambda p: loop_model(v, lab, p) - y, np.clip(p0, lo, hi),
                            jac=lambda p: loop_jacobian(v, lab, p), bounds=(lo, hi),
                            method="trf", x_scale="jac", ftol=tol, xtol=tol, gtol=tol,
                            max_nfev=max_nfev)
        if res.cost < cost:
            best, cost = res.x, float(res.cost)
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - 2.0 * cost / ss_tot if ss_tot > 0 and np.isfinite(cost) else np.nan
    return best, r2
