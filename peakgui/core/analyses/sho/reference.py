"""The same fit done per spectrum with ``scipy.optimize.least_squares``: the accuracy oracle of
the tests and the speed baseline of the benchmark.

It poses exactly the compiled kernel's problem (stacked real and imaginary residuals of
BGlib's model, A >= 0, w0 inside the band, q_min <= Q <= q_max, amplitudes over max|x| and
frequencies over max|w|, which moves no minimum) and solves it with scipy's trust-region
reflective method and the analytic Jacobian, starting from a given guess.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import least_squares

from peakgui.core.analyses.sho.model import wrap_phase


def _residual(p: np.ndarray, w: np.ndarray, x: np.ndarray) -> np.ndarray:
    a, u, q, phi = p
    m = a * np.exp(1j * phi) * u**2 / (w**2 - 1j * w * u / q - u**2) - x
    return np.concatenate([m.real, m.imag])


def _jacobian(p: np.ndarray, w: np.ndarray, x: np.ndarray) -> np.ndarray:
    a, u, q, phi = p
    d = w**2 - 1j * w * u / q - u**2
    b = np.exp(1j * phi) * u**2 / d
    m = a * b
    cols = (b, m * (2 * w**2 - 1j * w * u / q) / (u * d), -1j * m * w * u / (q**2 * d), 1j * m)
    jc = np.stack(cols, axis=1)
    return np.concatenate([jc.real, jc.imag])


def scipy_fit(spectrum: np.ndarray, freq: np.ndarray, guess: np.ndarray, q_min: float,
              q_max: float, tol: float = 1e-14, max_nfev: int = 2000) -> tuple[np.ndarray, int]:
    """(A, w0, Q, phi wrapped) fitted from ``guess`` (A, w0, Q, phi) and scipy's status."""
    x = np.asarray(spectrum, dtype=np.complex128)
    w = np.asarray(freq, dtype=np.float64)
    s = float(np.abs(x).max())
    ws = float(np.abs(w).max())
    lo = np.array([0.0, w.min() / ws, q_min, -np.inf])
    hi = np.array([np.inf, w.max() / ws, q_max, np.inf])
    p0 = np.clip(np.array([guess[0] / s, guess[1] / ws, guess[2], guess[3]]), lo, hi)
    res = least_squares(_residual, p0, jac=_jacobian, bounds=(lo, hi), method="trf",
                        x_scale="jac", ftol=tol, xtol=tol, gtol=tol, max_nfev=max_nfev,
                        args=(w / ws, x / s))
    a, u, q, phi = res.x
    return np.array([a * s, u * ws, q, float(wrap_phase(phi))]), int(res.status)
