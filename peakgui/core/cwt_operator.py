"""The CWT inside ``find_peaks_cwt`` as one cached linear operator, plus its rounding allowance.

scipy convolves ``|x|`` with one ricker kernel per width (``'same'`` mode, kernel length
``ceil(min(10 * w, S))``). For a fixed length S each of those convolutions is a fixed S x S band
matrix, so the CWT of a whole block of spectra is a matrix product, which BLAS does far faster
than thousands of small convolutions.

When a row's band matrix is persymmetric (``M[j, k] == M[S-1-j, S-1-k]``: odd kernel length and
symmetric kernel values, e.g. every row at the typical S = 119) the spectrum is split into its
mirror-even and mirror-odd halves, which halves the multiply-adds.

Our arithmetic differs from scipy's, so results can only be *exact by construction*:
:func:`rounding_allowance` bounds ``|our CWT value - scipy's CWT value|`` and every decision
closer than that is handed back to scipy. The bound needs scipy to convolve directly; if scipy
would pick its FFT path for some row, no operator is built and the caller falls back.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy.signal import choose_conv_method

UNIT_ROUNDOFF = 2.0**-53
"""Unit roundoff u of IEEE binary64 (round to nearest)."""

SMALLEST_SUBNORMAL = 2.0**-1074

OPERATOR_BUDGET_BYTES = 64 * 2**20
"""Largest operator we are willing to build and cache; longer spectra fall back to scipy."""

SAFETY_FACTOR = 2.0
"""Multiplies the derived bound; also absorbs the few roundings made while *checking* decisions
(one subtraction, the bound's own arithmetic), each a relative error of at most u."""

KERNEL_TOLERANCE_ULPS = 16.0
"""Allowance for our ricker values differing from scipy's. They are built with the same float
operations and the tests check they are bit-identical; this is insurance, not a known gap."""


def ricker_wavelet(points: float, width: float) -> np.ndarray:
    """The ricker ("Mexican hat") wavelet scipy uses, evaluated with the same float operations.

    ``points`` may be fractional (scipy passes ``min(10 * width, S)``): the kernel then has
    ``ceil(points)`` samples centred on ``(points - 1) / 2`` and is slightly asymmetric.
    """
    amplitude = 2 / (np.sqrt(3 * width) * (np.pi**0.25))
    width_sq = width**2
    offsets = np.arange(0, points) - (points - 1.0) / 2
    offsets_sq = offsets**2
    shape = 1 - offsets_sq / width_sq
    envelope = np.exp(-offsets_sq / (2 * width_sq))
    return amplitude * shape * envelope


def kernel_points(width: np.float64, n_points: int) -> np.float64:
    """The ``points`` argument scipy gives the wavelet for one width (kept as numpy float64)."""
    return np.min([10 * width, n_points])


def band_matrix(kernel: np.ndarray, n_points: int) -> np.ndarray:
    """The S x S matrix of scipy's ``'same'`` convolution with ``kernel`` (``out = M @ x``).

    scipy ends up in ``np.correlate(x, ricker, 'same')``, whose output j is
    ``sum_i x[j - K//2 + i] * ricker[i]``; hence ``M[j, k] = ricker[k - j + K//2]`` in the band.
    """
    length = len(kernel)
    rows = np.arange(n_points)[:, None]
    cols = np.arange(n_points)[None, :]
    tap = cols - rows + length // 2
    inside = (tap >= 0) & (tap < length)
    return np.where(inside, kernel[np.clip(tap, 0, length - 1)], 0.0)


def scipy_convolves_directly(n_points: int, kernel_length: int) -> bool:
    """Whether ``scipy.signal.convolve(method='auto')`` picks the direct method for these sizes.

    The choice depends only on the shapes for float data, so zeros stand in for the values.
    """
    method = choose_conv_method(np.zeros(n_points), np.zeros(kernel_length), mode="same")
    return method == "direct"


@dataclass(frozen=True)
class CwtOperator:
    """Matrices that map a block of spectra (n, S) to their CWT, row group by row group.

    ``mirror_rows`` use the half-size even/odd matrices (already scaled by 1/2, which is exact),
    ``general_rows`` the full band matrices. ``row_abs_sum[r]`` is the largest absolute row sum of
    row r's band matrix, the factor that scales every rounding error of that row.
    """

    n_points: int
    mirror_rows: np.ndarray  # (n_mirror,) int64
    general_rows: np.ndarray  # (n_general,) int64
    mirror_even: np.ndarray  # (ceil(S/2), n_mirror * ceil(S/2))
    mirror_odd: np.ndarray  # (S//2, n_mirror * ceil(S/2))
    general: np.ndarray  # (S, n_general * S)
    row_abs_sum: np.ndarray  # (steps,)

    @property
    def half_out(self) -> int:
        return (self.n_points + 1) // 2

    def transform(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Products for a float64 block ``x`` (n, S).

        Returns ``(even, odd, general)`` shaped (n, n_mirror, ceil(S/2)), same, and
        (n, n_general, S). A mirror row's CWT is ``even + odd`` on its first half and
        ``even - odd`` (read backwards) on its second half; :meth:`cwt` assembles them.
        """
        n = x.shape[0]
        s = self.n_points
        half = self.half_out
        if len(self.mirror_rows):
            flipped = x[:, ::-1]
            even_part = x[:, :half] + flipped[:, :half]
            odd_part = x[:, : s // 2] - flipped[:, : s // 2]
            even = (even_part @ self.mirror_even).reshape(n, -1, half)
            odd = (odd_part @ self.mirror_odd).reshape(n, -1, half)
        else:
            even = odd = np.zeros((n, 0, half))
        if len(self.general_rows):
            general = (x @ self.general).reshape(n, -1, s)
        else:
            general = np.zeros((n, 0, s))
        return even, odd, general

    def cwt(self, x: np.ndarray) -> np.ndarray:
        """The full (n, steps, S) CWT of a float64 block, assembled with numpy.

        The numba kernel does the same assembly on the fly; this is for tests and inspection.
        """
        even, odd, general = self.transform(np.ascontiguousarray(x, dtype=np.float64))
        s = self.n_points
        out = np.empty((x.shape[0], len(self.row_abs_sum), s))
        out[:, self.mirror_rows, : self.half_out] = even + odd
        out[:, self.mirror_rows, self.half_out :] = (even - odd)[:, :, : s // 2][:, :, ::-1]
        out[:, self.general_rows, :] = general
        return out


def _is_persymmetric(matrix: np.ndarray) -> bool:
    return bool(np.array_equal(matrix, matrix[::-1, ::-1]))


def _split_mirror(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Half-size matrices acting on ``x[k] + x[S-1-k]`` and ``x[k] - x[S-1-k]``, scaled by 1/2.

    For a persymmetric M, ``M @ flip(x) == flip(M @ x)``, so ``M @ (x + flip x)`` and
    ``M @ (x - flip x)`` are mirror-even / mirror-odd and each is fixed by its first half.
    """
    s = matrix.shape[0]
    half_in, pairs = (s + 1) // 2, s // 2
    top = matrix[: (s + 1) // 2]
    even = np.empty((half_in, top.shape[0]))
    even[:pairs] = (top[:, :pairs] + top[:, ::-1][:, :pairs]).T
    if s % 2:
        even[pairs] = top[:, pairs]  # the centre sample is paired with itself
    odd = (top[:, :pairs] - top[:, ::-1][:, :pairs]).T
    return 0.5 * even, 0.5 * odd


@functools.lru_cache(maxsize=16)
def cwt_operator(n_points: int, widths: tuple[float, ...]) -> CwtOperator | None:
    """The cached operator for spectra of ``n_points`` samples and these CWT widths.

    Returns None when the fast path cannot be exact or would not pay: fewer than 3 points, an
    operator above :data:`OPERATOR_BUDGET_BYTES`, or a row scipy would convolve by FFT.
    """
    s = int(n_points)
    steps = len(widths)
    if s < 3 or steps == 0 or 8 * s * s * steps > OPERATOR_BUDGET_BYTES:
        return None
    width_array = np.asarray(widths, dtype=np.float64)
    mirror_rows: list[int] = []
    general_rows: list[int] = []
    evens, odds, generals = [], [], []
    row_abs_sum = np.empty(steps)
    for r, width in enumerate(width_array):
        kernel = ricker_wavelet(kernel_points(width, s), width)
        if not scipy_convolves_directly(s, len(kernel)):
            return None
        matrix = band_matrix(kernel, s)
        row_abs_sum[r] = np.abs(matrix).sum(axis=1).max()
        if _is_persymmetric(matrix):
            even, odd = _split_mirror(matrix)
            mirror_rows.append(r)
            evens.append(even)
            odds.append(odd)
        else:
            general_rows.append(r)
            generals.append(matrix.T)
    half = (s + 1) // 2

    def stack(parts: list[np.ndarray], n_in: int) -> np.ndarray:
        if not parts:
            return np.zeros((n_in, 0))
        return np.ascontiguousarray(np.concatenate(parts, axis=1))

    operator = CwtOperator(
        n_points=s,
        mirror_rows=np.asarray(mirror_rows, dtype=np.int64),
        general_rows=np.asarray(general_rows, dtype=np.int64),
        mirror_even=stack(evens, half),
        mirror_odd=stack(odds, s // 2),
        general=stack(generals, s),
        row_abs_sum=row_abs_sum,
    )
    for array in (operator.mirror_even, operator.mirror_odd, operator.general):
        array.setflags(write=False)
    return operator


def _gamma(n: int) -> float:
    """Higham's gamma_n = n u / (1 - n u): the relative error bound of an n-term dot product."""
    nu = n * UNIT_ROUNDOFF
    return nu / (1.0 - nu)


def rounding_allowance(n_points: int) -> tuple[float, float]:
    """``(coefficient, floor)`` with ``|ours - scipy's| <= coefficient * max|x| * row_abs_sum[r]
    + floor`` for every CWT value of row r of a spectrum with finite, non-negative samples x.

    Derivation (x >= 0, float64 throughout, any summation order, FMA or not):

    * scipy, direct method: one dot product of at most S terms per value, error
      ``<= gamma_S * sum_k |M[j,k]| x[k] <= gamma_S * max|x| * row_abs_sum``.
    * ours, general rows: the same bound (a dot product of S terms inside BLAS).
    * ours, mirror rows: forming ``x[k] +- x[S-1-k]`` and the halved matrix entries costs one
      rounding each, each half-size dot product ``gamma_{S/2+1}``, the final ``even +- odd`` one
      more rounding; with ``sum_k |P[j,k]| |e[k]| <= max|x| * row_abs_sum`` this stays below
      ``3 * gamma_{S+4} * max|x| * row_abs_sum``.
    * kernel insurance: ``KERNEL_TOLERANCE_ULPS * u * max|x| * row_abs_sum``.

    All of that is multiplied by :data:`SAFETY_FACTOR`. The floor covers gradual underflow: each
    of the at most ``2S + 8`` operations per value on either side can lose half a subnormal step.
    Overflow is excluded by the caller (it falls back for huge inputs).
    """
    s = int(n_points)
    coefficient = SAFETY_FACTOR * (
        _gamma(s) + 3 * _gamma(s + 4) + KERNEL_TOLERANCE_ULPS * UNIT_ROUNDOFF
    )
    floor = SAFETY_FACTOR * (4 * s + 16) * SMALLEST_SUBNORMAL
    return coefficient, floor


def widths_key(widths: np.ndarray) -> tuple[float, ...]:
    """A hashable, exact key for :func:`cwt_operator` (Python floats round-trip float64)."""
    return tuple(float(w) for w in np.asarray(widths, dtype=np.float64))


__all__ = [
    "CwtOperator",
    "band_matrix",
    "cwt_operator",
    "widths_key",
    "kernel_points",
    "ricker_wavelet",
    "rounding_allowance",
    "scipy_convolves_directly",
]
