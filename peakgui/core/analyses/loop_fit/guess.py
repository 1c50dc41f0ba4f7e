"""The model-free guess of a loop's 9 parameters and the starts the fit tries from it.

Computed by the compiled kernel (``_loop_fit.pyx``, the same code ``fit_loops`` runs), without
any model evaluation:

- a_4 (electrostatic slope): the mean of the straight-line slopes of the two ends of the sweep
  (the outer 20 % of the voltage range on each side, both branches together);
- a_0 and a_0 + a_1 (the plateaus): the mean response at the low and high end, slope removed;
- a_2 and a_3 (the transitions): on each branch, the crossing of the mid level nearest the
  branch's integral estimate (the voltage below which, averaged over the sweep, the loop sits
  on its low plateau), so noise crossings far from the step are ignored;
- b_0..b_3 (the widths): the distance from the transition to the 25 % crossing below it and
  to the 75 % crossing above it, divided by erfinv(1/2) (the half-width of erf there).

The starts after the guess: all widths x0.4, all widths x2.5, the integral estimates for a_2
and a_3, and no electrostatic slope. The fit keeps the start that ends lowest.
"""

from __future__ import annotations

import numpy as np

from peakgui.core.analyses.loop_fit._loop_fit import MAX_STARTS, guess_block
from peakgui.core.analyses.loop_fit.branches import branches
from peakgui.core.analyses.loop_fit.fit import LoopFitSettings


def loop_starts(loops: np.ndarray, voltage: np.ndarray, settings: LoopFitSettings | None = None,
                labels: np.ndarray | None = None) -> np.ndarray:
    """(n, n_starts, 9) starting parameters per loop (start 0 is the guess); NaN rows for
    non-finite or flat loops."""
    s = settings or LoopFitSettings()
    v = np.ascontiguousarray(np.asarray(voltage, dtype=np.float64).ravel())
    y = np.ascontiguousarray(np.atleast_2d(np.asarray(loops, dtype=np.float64)))
    lab = np.ascontiguousarray(branches(v) if labels is None else labels, dtype=np.uint8)
    out = np.empty((y.shape[0], s.n_starts, 9))
    w_lo, w_hi = s.widths(v)
    guess_block(y, v, lab, int(s.n_starts), w_lo, w_hi, out)
    return out


def loop_guess(loops: np.ndarray, voltage: np.ndarray,
               settings: LoopFitSettings | None = None) -> np.ndarray:
    """(n, 9) model-free guess per loop."""
    return loop_starts(loops, voltage, settings)[:, 0, :]


__all__ = ["MAX_STARTS", "loop_guess", "loop_starts"]
