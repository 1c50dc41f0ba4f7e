"""Per-spectrum status codes of the SHO fit, stored as a uint8 field so bad fits can be masked.

The numbers are part of the file format (they are written to disk); the compiled kernel
``_sho_fit.pyx`` uses the same values.
"""

from __future__ import annotations

import enum


class FitStatus(enum.IntEnum):
    """Why a fit ended; only CONVERGED (and AT_BOUND, read with care) are usable values."""

    CONVERGED = 0
    AT_BOUND = 1  # converged with A = 0, w0 at a band edge or Q at q_min / q_max
    MAX_ITER = 2  # stopped after the maximum number of iterations
    NON_FINITE = 3  # NaN or Inf in the fitted band: nothing computed
    TOO_FEW_POINTS = 4  # fewer than 5 positive frequencies in the band: nothing computed
    NO_SIGNAL = 5  # all zero in the band: nothing to fit, R2 = 0
    FAILED = 6  # the guess or the fit gave a non-finite value (a numerical failure)
    NOT_COMPUTED = 255  # the fill value of positions no run has reached

    @property
    def sentence(self) -> str:
        return _SENTENCES[self]

    @property
    def short(self) -> str:
        """A word or two for a map's legend and readout."""
        return _SHORT[self]


_SENTENCES = {
    FitStatus.CONVERGED: "converged",
    FitStatus.AT_BOUND: "converged against a bound (A = 0, w0 at a band edge or Q at a limit)",
    FitStatus.MAX_ITER: "stopped at the maximum number of iterations",
    FitStatus.NON_FINITE: "NaN or Inf in the fitted band: not fitted",
    FitStatus.TOO_FEW_POINTS: "fewer than 5 points (of positive frequency) in the band: not fitted",
    FitStatus.NO_SIGNAL: "the spectrum is zero in the band: not fitted",
    FitStatus.FAILED: "numerical failure: a non-finite guess or fit",
    FitStatus.NOT_COMPUTED: "not computed yet",
}

_SHORT = {
    FitStatus.CONVERGED: "converged", FitStatus.AT_BOUND: "at a bound",
    FitStatus.MAX_ITER: "max. iterations", FitStatus.NON_FINITE: "NaN input",
    FitStatus.TOO_FEW_POINTS: "too few points", FitStatus.NO_SIGNAL: "no signal",
    FitStatus.FAILED: "failed", FitStatus.NOT_COMPUTED: "not computed",
}

CODES = tuple((int(s), s.short) for s in FitStatus)
"""Every code with its short name, as the status field declares them."""

GOOD = (FitStatus.CONVERGED,)
"""Statuses whose fit values can be shown without a mask."""
