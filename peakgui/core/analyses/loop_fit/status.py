"""Per-loop status codes of the loop fit, stored as a uint8 field so bad fits can be masked.

The numbers are part of the file format (they are written to disk); the compiled kernel
``_loop_fit.pyx`` uses the same values.
"""

from __future__ import annotations

import enum


class LoopStatus(enum.IntEnum):
    """Why a loop fit ended; CONVERGED values can be shown as they are."""

    CONVERGED = 0
    AT_BOUND = 1  # converged with a coercive voltage at the sweep's end or a width at a limit
    MAX_ITER = 2  # stopped after the maximum number of model evaluations
    NON_FINITE = 3  # NaN or Inf in the loop: nothing computed
    TOO_FEW_POINTS = 4  # fewer than 3 steps on a branch, or fewer steps than parameters
    NO_SWITCHING = 5  # flat loop, or a switchable response not above twice its standard error
    FAILED = 6  # the guess or the fit gave a non-finite value (a numerical failure)
    NOT_COMPUTED = 255  # the fill value of positions no run has reached

    @property
    def sentence(self) -> str:
        return _SENTENCES[self]


_SENTENCES = {
    LoopStatus.CONVERGED: "converged",
    LoopStatus.AT_BOUND: "converged against a bound (a coercive voltage at the end of the sweep "
    "or a transition width at its limit)",
    LoopStatus.MAX_ITER: "stopped at the maximum number of iterations",
    LoopStatus.NON_FINITE: "NaN or Inf in the loop: not fitted",
    LoopStatus.TOO_FEW_POINTS: "too few DC steps on a branch: not fitted",
    LoopStatus.NO_SWITCHING: "no switching: the loop is flat or its switchable response is "
    "within twice its standard error",
    LoopStatus.FAILED: "numerical failure: a non-finite guess or fit",
    LoopStatus.NOT_COMPUTED: "not computed yet",
}

GOOD = (LoopStatus.CONVERGED,)
"""Statuses whose values can be shown without a mask."""
