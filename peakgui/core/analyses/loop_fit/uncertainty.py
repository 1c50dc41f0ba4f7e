"""Standard errors of the fitted parameters and of the switching values that are linear in them.

The covariance of a least-squares fit is sigma^2 (J^T J)^-1 at the optimum, with sigma^2 the
sum of squared residuals over (steps - 9): the compiled kernel returns it per loop. V+, V-,
Imprint, R+, R- and the switchable response are linear in the parameters, so their variances
are exact quadratic forms of that covariance (no linearisation beyond the fit's own).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from peakgui.core.analyses.loop_fit.model import loop_jacobian

DERIVED_NAMES = ("V+", "V-", "Imprint", "R+", "R-", "Switchable Polarization")
"""The ``switching32`` members whose standard errors are propagated."""

_GRADIENTS = {
    "V+": {3: 1.0},
    "V-": {2: 1.0},
    "Imprint": {2: 0.5, 3: 0.5},
    "R+": {0: 1.0, 1: 1.0},
    "R-": {0: 1.0},
    "Switchable Polarization": {1: 1.0},
}


def parameter_errors(cov: np.ndarray) -> np.ndarray:
    """(..., 9) standard errors from covariances (..., 9, 9); NaN where undetermined."""
    d = np.diagonal(np.asarray(cov, dtype=np.float64), axis1=-2, axis2=-1)
    with np.errstate(invalid="ignore"):
        return np.where(d >= 0, np.sqrt(d), np.nan)


def derived_errors(cov: np.ndarray) -> dict[str, np.ndarray]:
    """Standard errors of :data:`DERIVED_NAMES` from covariances (..., 9, 9)."""
    c = np.asarray(cov, dtype=np.float64)
    out = {}
    for name, grad in _GRADIENTS.items():
        var = sum(gi * gj * c[..., i, j] for i, gi in grad.items() for j, gj in grad.items())
        with np.errstate(invalid="ignore"):
            out[name] = np.where(var >= 0, np.sqrt(var), np.nan)
    return out


def covariance(voltage: np.ndarray, labels: np.ndarray, loop: np.ndarray,
               params: np.ndarray,
               model: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
    """sigma^2 (J^T J)^-1 of one loop in numpy (``model`` evaluates the loop): the reference
    for the kernel's covariance in the tests."""
    jac = loop_jacobian(voltage, labels, params)
    resid = model(voltage, labels, params) - np.asarray(loop, dtype=np.float64)
    s2 = float(resid @ resid) / (resid.size - len(params))
    return np.asarray(s2 * np.linalg.inv(jac.T @ jac))
