"""The Python face of the compiled loop fit: branch labels, bounds, dtype handling.

One call fits a block of projected loops that share a DC waveform: guess, several starts of a
bounded Levenberg-Marquardt fit, the best start kept, R^2, the parameters' covariance and a
status per loop (:class:`.status.LoopStatus`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from peakgui.core.analyses.loop_fit._loop_fit import MAX_STARTS, fit_block
from peakgui.core.analyses.loop_fit.branches import branches
from peakgui.core.analyses.loop_fit.model import SHARPNESS

N_PARAMS = 9


@dataclass(frozen=True)
class LoopFitSettings:
    """Everything the compiled fit needs besides the loops and the waveform."""

    n_starts: int = 4
    max_iter: int = 200  # model evaluations per start
    ftol: float = 1e-12
    xtol: float = 1e-10
    gtol: float = 1e-10
    width_min: float | None = None  # V; default a quarter of the median DC step
    width_max: float | None = None  # V; default the sweep's range

    def widths(self, voltage: np.ndarray) -> tuple[float, float]:
        """The bounds of b_0..b_3 for this waveform, in volts. A transition much sharper than
        the DC step is not resolved by the data: without a floor the fit can trade a real width
        for a step between two samples."""
        v = np.asarray(voltage, dtype=np.float64)
        span = float(np.ptp(v)) if v.size else 0.0
        steps = np.abs(np.diff(v))
        steps = steps[steps > 0]
        floor = 0.25 * float(np.median(steps)) if steps.size else 1e-3 * span
        lo = self.width_min if self.width_min is not None else floor
        hi = self.width_max if self.width_max is not None else span
        return float(lo), float(hi)


@dataclass
class LoopFitResult:
    """(n, 10) guess and fit (a_0..a_4, b_0..b_3, R^2), (n, 9, 9) covariance of the fitted
    parameters and an (n,) uint8 status."""

    guess: np.ndarray
    fit: np.ndarray
    cov: np.ndarray
    status: np.ndarray
    labels: np.ndarray  # the branch of each DC step (branches.FALLING / RISING)


def fit_loops(loops: np.ndarray, voltage: np.ndarray, settings: LoopFitSettings | None = None,
              labels: np.ndarray | None = None) -> LoopFitResult:
    """Guess and fit every row of ``loops`` (n, S) over the DC ``voltage`` (S,) in volts."""
    s = settings or LoopFitSettings()
    if not 1 <= s.n_starts <= MAX_STARTS:
        raise ValueError(f"the number of starts must be between 1 and {MAX_STARTS}")
    v = np.ascontiguousarray(np.asarray(voltage, dtype=np.float64).ravel())
    y = np.ascontiguousarray(np.atleast_2d(np.asarray(loops, dtype=np.float64)))
    if y.shape[1] != v.size:
        raise ValueError(f"loops have {y.shape[1]} steps, the waveform {v.size}")
    lab = branches(v) if labels is None else np.asarray(labels)
    lab = np.ascontiguousarray(lab, dtype=np.uint8)
    n = y.shape[0]
    guess = np.empty((n, N_PARAMS + 1))
    fit = np.empty((n, N_PARAMS + 1))
    cov = np.empty((n, N_PARAMS * N_PARAMS))
    status = np.empty(n, dtype=np.uint8)
    w_lo, w_hi = s.widths(v)
    if n:
        fit_block(y, v, lab, int(s.max_iter), float(s.ftol), float(s.xtol), float(s.gtol),
                  int(s.n_starts), w_lo, w_hi, SHARPNESS, guess, fit, cov, status)
    return LoopFitResult(guess, fit, cov.reshape(n, N_PARAMS, N_PARAMS), status, lab)


__all__ = ["MAX_STARTS", "LoopFitResult", "LoopFitSettings", "fit_loops"]
