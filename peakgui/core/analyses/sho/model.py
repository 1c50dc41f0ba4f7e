"""BGlib's SHO model and R2 criterion in numpy, for pixel inspection, plots and tests.

``sho_model`` is BGlib's ``SHOfunc`` (``BGlib/be/analysis/utils/be_sho.py``) written out with
the same sign convention, so A, w0, Q and phi mean what they mean in BGlib's ``Fit`` datasets:
``A exp(i phi) w0^2 / (w^2 - i w w0 / Q - w0^2)``. At resonance the response is ``i A Q
exp(i phi)``; the textbook form ``w0^2 - w^2 + i w w0 / Q`` differs by a sign, i.e. by pi in phi.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def sho_model(freq: np.ndarray, amp: float, f0: float, q: float, phi: float) -> np.ndarray:
    """Complex SHO response over ``freq`` (Hz)."""
    w = np.asarray(freq, dtype=np.float64)
    return np.asarray(amp * np.exp(1j * phi) * f0**2 / (w**2 - 1j * w * f0 / q - f0**2))


def r2_criterion(data: np.ndarray, fitted: np.ndarray) -> float:
    """BGlib's "R2 Criterion": 1 - sum|x - m|^2 / sum|x - mean(x)|^2 on the complex values,
    0 when the data are constant."""
    data = np.asarray(data, dtype=np.complex128)
    ss_tot = float(np.sum(np.abs(data - data.mean()) ** 2))
    ss_res = float(np.sum(np.abs(data - fitted) ** 2))
    return 1.0 - ss_res / ss_tot if ss_tot > 0 else 0.0


def wrap_phase(phi: ArrayLike) -> np.ndarray:
    """Angles wrapped to (-pi, pi]."""
    return np.pi - np.mod(np.pi - np.asarray(phi, dtype=np.float64), 2 * np.pi)

