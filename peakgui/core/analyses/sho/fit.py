"""The Python face of the compiled SHO fit: band selection, dtype handling, named results."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from peakgui.core.analyses.sho._sho_fit import MIN_FIT_POINTS, fit_block

GUESS_METHODS = ("peak", "algebraic")
"""``peak``: peak of |x| and its half-maximum width; ``algebraic``: linear least squares on
x (w^2 - w0^2 - i w w0/Q) = K, falling back to ``peak`` when its w0 or Q is unusable."""

GTOL = 1e-10
"""Stop when every column of the Jacobian is this close to orthogonal to the residual."""

COLUMNS = ("amplitude", "frequency", "q", "phase", "r2")


@dataclass(frozen=True)
class FitSettings:
    """Everything the compiled fit needs besides the spectra and the axis."""

    band_lo: float | None = None
    band_hi: float | None = None
    guess: str = "peak"
    q_min: float = 1.0
    q_max: float = 1e4
    max_iter: int = 300
    ftol: float = 1e-10
    xtol: float = 1e-8
    gtol: float = GTOL


@dataclass
class FitResult:
    """(n, 5) guess and fit (A, w0 [Hz], Q, phi [rad], R2) and an (n,) uint8 status."""

    guess: np.ndarray
    fit: np.ndarray
    status: np.ndarray
    band: np.ndarray  # the frequencies fitted (Hz)


def band_mask(freq: np.ndarray, band_lo: float | None, band_hi: float | None) -> np.ndarray:
    """Which points of the axis lie in the band (inclusive; a missing end means open). Only
    positive frequencies: the model is a function of w and w0 > 0."""
    freq = np.asarray(freq, dtype=np.float64)
    mask = np.isfinite(freq) & (freq > 0)
    if band_lo is not None:
        mask &= freq >= band_lo
    if band_hi is not None:
        mask &= freq <= band_hi
    return np.asarray(mask)


def fit_spectra(spectra: np.ndarray, freq: np.ndarray, s: FitSettings) -> FitResult:
    """Guess and fit every row of ``spectra`` (n, S) over the band of ``freq`` (S,) Hz."""
    spectra = np.atleast_2d(np.asarray(spectra))
    mask = band_mask(freq, s.band_lo, s.band_hi)
    band = np.ascontiguousarray(np.asarray(freq, dtype=np.float64)[mask])
    x = spectra[:, mask] if not mask.all() else spectra
    x = np.ascontiguousarray(x, dtype=np.complex128)
    n = x.shape[0]
    guess = np.empty((n, 5), dtype=np.float64)
    fit = np.empty((n, 5), dtype=np.float64)
    status = np.empty(n, dtype=np.uint8)
    if n:
        fit_block(x.view(np.float64).reshape(n, 2 * band.size), band, float(s.q_min),
                  float(s.q_max), int(s.max_iter), float(s.ftol), float(s.xtol), float(s.gtol),
                  GUESS_METHODS.index(s.guess), guess, fit, status)
    return FitResult(guess, fit, status, band)


__all__ = ["MIN_FIT_POINTS", "FitResult", "FitSettings", "band_mask", "fit_spectra"]
