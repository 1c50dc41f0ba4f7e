"""Facts about IEEE binary64 that the rounding bounds rest on, defined once for Python and Cython.

:mod:`.cwt_operator` derives its CWT allowance from them and the compiled ridge kernel
(:mod:`._ridge`) reads them when it is imported, so both sides of the proof use the same numbers.
"""

UNIT_ROUNDOFF = 2.0**-53
"""Unit roundoff u of IEEE binary64 (round to nearest)."""

SMALLEST_SUBNORMAL = 2.0**-1074
"""The spacing of floats near zero: the most a subnormal result can lose is half of it."""

RATIO_MARGIN = 1e-12
"""Relative slack on the SNR comparison: covers the roundings of the division and of the kernel's
own interval arithmetic (a handful of u each)."""
