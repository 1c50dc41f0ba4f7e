"""Per-loop status codes of the loop fit, stored as a uint8 field so bad fits can be masked.

The numbers are part of the file format (they are written to disk); the compiled kernel
``_loop_fit.pyx`` uses the same values. Codes 0-4 and 6 mean what they mean for the SHO fit.
"""

from __future__ import annotations

import enum


class LoopStatus(enum.IntEnum):
    """Why a loop fit ended; CONVERGED values can be shown as they are. Each member carries the
    sentence a user reads (``.sentence``)."""

    sentence: str

    # ``sentence`` has a default only so that ``LoopStatus(code)`` (a lookup) type-checks
    def __new__(cls, code: int, sentence: str = "") -> LoopStatus:
        member = int.__new__(cls, code)
        member._value_ = code
        member.sentence = sentence
        return member

    CONVERGED = 0, "converged"
    AT_BOUND = 1, ("converged against a bound (a coercive voltage at the end of the sweep or "
                   "a transition width at its limit)")
    MAX_ITER = 2, "stopped at the maximum number of iterations"
    NON_FINITE = 3, "NaN or Inf in the loop: not fitted"
    TOO_FEW_POINTS = 4, "too few DC steps on a branch: not fitted"
    NO_SWITCHING = 5, ("no switching: the loop is flat or its switchable response is within "
                       "twice its standard error")
    FAILED = 6, "numerical failure: a non-finite guess or fit"
    NOT_COMPUTED = 255, "not computed yet"


SHORT = {LoopStatus.CONVERGED: "converged", LoopStatus.AT_BOUND: "at a bound",
         LoopStatus.MAX_ITER: "max. iterations", LoopStatus.NON_FINITE: "NaN input",
         LoopStatus.TOO_FEW_POINTS: "too few points", LoopStatus.NO_SWITCHING: "no switching",
         LoopStatus.FAILED: "failed", LoopStatus.NOT_COMPUTED: "not computed"}
"""A word or two per code for a map's legend and readout."""

CODES = tuple((int(s), SHORT[s]) for s in LoopStatus)
"""Every code with its short name, as the status field declares them."""

GOOD = (LoopStatus.CONVERGED,)
"""Statuses whose values can be shown without a mask."""
