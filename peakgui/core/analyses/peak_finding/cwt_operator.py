"""The CWT inside ``find_peaks_cwt`` as one cached linear operator, plus its rounding allowance.

scipy convolves ``|x|`` with one ricker kernel per width (``'same'`` mode, kernel length
``ceil(min(10 * w, S))``). For a fixed length S each of those convolutions is a fixed S x S band
matrix, so the CWT of a whole block of spectra is a matrix product, which BLAS does far faster
than thousands of small convolutions.

When a row's kernel is symmetric (integral length: every row at the typical S = 119, or any
S <= 200 with the default widths) its band matrix is symmetric under turning it by 180 degrees
(up to a one-row shift for even lengths); splitting the spectrum into its mirror-even and
mirror-odd parts then halves the multiply-adds.

Our arithmetic differs from scipy's, so results can only be *exact by construction*:
:func:`rounding_allowance` bounds ``|our CWT value - scipy's CWT value|`` and every decision
closer than that is handed back to scipy. The bound needs scipy to convolve directly; if scipy
would pick its FFT path for some row, no operator is built and the caller falls back.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from peakgui.core.analyses.peak_finding.floats import SMALLEST_SUBNORMAL, UNIT_ROUNDOFF
from peakgui.core.analyses.peak_finding.lazy_scipy import scipy_signal

OPERATOR_BUDGET_BYTES = 64 * 2**20
"""Largest operator we are willing to build and cache; longer spectra fall back to scipy."""

MIN_ROW_ABS_SUM = 1e-200
"""Rows this tiny would make subnormal rounding relatively large; no operator is built then."""

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
    return np.asarray(amplitude * shape * envelope)


def kernel_points(width: np.float64, n_points: int) -> np.float64:
    """The ``points`` argument scipy gives the wavelet for one width (kept as numpy float64)."""
    points: np.float64 = np.min([10 * width, n_points])
    return points


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


SCIPY_SAME_FFT_COST = 3.2646654e-9
SCIPY_SAME_DIRECT_COST = 2.8478277e-10
SCIPY_1D_OFFSET = -1e-3
"""scipy's cost model for a 1-d ``'same'`` convolution with the kernel no longer than the signal
(``scipy.signal._signaltools._fftconv_faster``): FFT is chosen when
``FFT_COST * fft_ops < DIRECT_COST * direct_ops + OFFSET``. A test pins these to scipy's answer."""

CLEAR_MARGIN_SECONDS = 5e-4
"""Only a prediction this far from scipy's tipping point is trusted without asking scipy."""


def scipy_convolves_directly(n_points: int, kernel_length: int) -> bool:
    """Whether ``scipy.signal.convolve(method='auto')`` picks the direct method for these sizes.

    The choice depends only on the shapes for float data. Importing ``scipy.signal`` costs
    ~0.3 s, more than a whole small run, so clear cases (S up to ~1900 samples: every operator
    of the default 30 widths within :data:`OPERATOR_BUDGET_BYTES`) are predicted from scipy's
    cost model; anything near its tipping point, or outside the model, is asked of scipy.
    """
    s, k = int(n_points), int(kernel_length)
    if 1 <= k <= s:
        direct_ops = s * k - (k // 2) * ((k + 1) // 2)
        full = s + k - 1
        fft_estimate = SCIPY_SAME_FFT_COST * 3 * full * math.log(full)
        direct_estimate = SCIPY_SAME_DIRECT_COST * direct_ops + SCIPY_1D_OFFSET
        if fft_estimate - direct_estimate > CLEAR_MARGIN_SECONDS:
            return True
    # only for sizes far beyond the operator budget
    method = scipy_signal().choose_conv_method(np.zeros(s), np.zeros(k), mode="same")
    return bool(method == "direct")


def mirror_outputs(n_points: int, shift: int) -> int:
    """How many leading outputs a mirror row computes directly (the rest are their partners)."""
    return (n_points - 1 + shift) // 2 + 1


@dataclass(frozen=True)
class CwtOperator:
    """Matrices that map a block of spectra (n, S) to their CWT, row group by row group.

    ``mirror_rows`` use half-size matrices acting on ``x[k] + x[S-1-k]`` ("even") and
    ``x[k] - x[S-1-k]`` ("odd"), pre-scaled by 1/2 (exact). For any row, output j of the CWT is
    ``even[j] + odd[j]``. If the row's band matrix satisfies the mirror relation
    ``M[S-1-j, S-1-k] == M[j + shift, k]`` (shift 0: odd kernel length, shift 1: even length),
    then ``even[j] - odd[j]`` is output ``S - 1 + shift - j`` too, so only the first
    ``mirror_outputs(S, shift)`` outputs are computed: half the multiply-adds.
    ``general_rows`` (asymmetric kernels of fractional length) use the full band matrices.
    ``row_abs_sum[r]`` is the largest absolute row sum of row r's band matrix, the factor that
    scales every rounding error of that row.
    """

    n_points: int
    half_out: int  # outputs per mirror row held in the products
    mirror_rows: np.ndarray  # (n_mirror,) int64
    mirror_shift: np.ndarray  # (n_mirror,) int64, 0 or 1
    general_rows: np.ndarray  # (n_general,) int64
    mirror_even: np.ndarray  # (ceil(S/2), n_mirror * half_out)
    mirror_odd: np.ndarray  # (S//2, n_mirror * half_out)
    general: np.ndarray  # (S, n_general * S)
    row_abs_sum: np.ndarray  # (steps,)

    def transform(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Products for a float64 block ``x`` (n, S).

        Returns ``(even, odd, general)`` shaped (n, n_mirror, half_out), same, and
        (n, n_general, S); :meth:`cwt` (or the compiled kernel) assembles the CWT from them.
        """
        n = x.shape[0]
        s = self.n_points
        if len(self.mirror_rows):
            flipped = x[:, ::-1]
            even_part = x[:, : (s + 1) // 2] + flipped[:, : (s + 1) // 2]
            odd_part = x[:, : s // 2] - flipped[:, : s // 2]
            even = (even_part @ self.mirror_even).reshape(n, -1, self.half_out)
            odd = (odd_part @ self.mirror_odd).reshape(n, -1, self.half_out)
        else:
            even = odd = np.zeros((n, 0, self.half_out))
        if len(self.general_rows):
            general = (x @ self.general).reshape(n, -1, s)
        else:
            general = np.zeros((n, 0, s))
        return even, odd, general

    def cwt(self, x: np.ndarray) -> np.ndarray:
        """The full (n, steps, S) CWT of a float64 block, assembled with numpy.

        The compiled kernel does the same assembly on the fly; this is for tests and inspection.
        """
        even, odd, general = self.transform(np.ascontiguousarray(x, dtype=np.float64))
        s = self.n_points
        out = np.empty((x.shape[0], len(self.row_abs_sum), s))
        for t, (r, shift) in enumerate(zip(self.mirror_rows, self.mirror_shift, strict=True)):
            direct = mirror_outputs(s, int(shift))
            out[:, r, :direct] = even[:, t, :direct] + odd[:, t, :direct]
            j = np.arange(shift, direct)
            partner = s - 1 + shift - j
            j, partner = j[partner >= direct], partner[partner >= direct]
            out[:, r, partner] = even[:, t, j] - odd[:, t, j]
        out[:, self.general_rows, :] = general
        return out


def _mirror_shift(matrix: np.ndarray) -> int | None:
    """0 or 1 if ``M[S-1-j, S-1-k] == M[j + shift, k]`` holds exactly, else None."""
    turned = matrix[::-1, ::-1]
    if np.array_equal(turned, matrix):
        return 0
    if np.array_equal(turned[:-1], matrix[1:]):
        return 1
    return None


def _split_mirror(matrix: np.ndarray, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """The (1/2-scaled) matrices taking ``x[k] + x[S-1-k]`` and ``x[k] - x[S-1-k]`` to the first
    ``n_out`` outputs; transposed, ready for ``block @ matrix``."""
    s = matrix.shape[0]
    pairs = s // 2
    top = matrix[:n_out]
    mirrored = top[:, ::-1]
    even = np.empty(((s + 1) // 2, n_out))
    even[:pairs] = (top[:, :pairs] + mirrored[:, :pairs]).T
    if s % 2:
        even[pairs] = top[:, pairs]  # the centre sample pairs with itself: x + x = 2x
    odd = (top[:, :pairs] - mirrored[:, :pairs]).T
    return 0.5 * even, 0.5 * odd


@functools.lru_cache(maxsize=4)
def cwt_operator(n_points: int, widths: tuple[float, ...]) -> CwtOperator | None:
    """The cached operator for spectra of ``n_points`` samples and these CWT widths.

    Returns None when the fast path cannot be exact or would not pay: fewer than 3 points, an
    operator above :data:`OPERATOR_BUDGET_BYTES`, a row scipy would convolve by FFT, or a row
    of vanishing kernel values (see :func:`rounding_allowance`).
    """
    s = int(n_points)
    steps = len(widths)
    if s < 3 or steps == 0 or 8 * s * s * steps > OPERATOR_BUDGET_BYTES:
        return None
    matrices = []
    for width in np.asarray(widths, dtype=np.float64):
        kernel = ricker_wavelet(kernel_points(width, s), width)
        if not scipy_convolves_directly(s, len(kernel)):
            return None
        matrices.append(band_matrix(kernel, s))
    row_abs_sum = np.array([np.abs(m).sum(axis=1).max() for m in matrices])
    if not row_abs_sum.min() >= MIN_ROW_ABS_SUM:
        return None
    shifts = [_mirror_shift(m) for m in matrices]
    mirrored = {r: shift for r, shift in enumerate(shifts) if shift is not None}
    mirror_rows = list(mirrored)
    general_rows = [r for r, shift in enumerate(shifts) if shift is None]
    half_out = max((mirror_outputs(s, mirrored[r]) for r in mirror_rows), default=(s + 1) // 2)
    halves = [_split_mirror(matrices[r], half_out) for r in mirror_rows]

    def stack(parts: list[np.ndarray], n_in: int) -> np.ndarray:
        if not parts:
            return np.zeros((n_in, 0))
        stacked = np.ascontiguousarray(np.concatenate(parts, axis=1))
        stacked.setflags(write=False)
        return stacked

    return CwtOperator(
        n_points=s,
        half_out=half_out,
        mirror_rows=np.asarray(mirror_rows, dtype=np.int64),
        mirror_shift=np.asarray([shifts[r] for r in mirror_rows], dtype=np.int64),
        general_rows=np.asarray(general_rows, dtype=np.int64),
        mirror_even=stack([even for even, _ in halves], (s + 1) // 2),
        mirror_odd=stack([odd for _, odd in halves], s // 2),
        general=stack([matrices[r].T for r in general_rows], s),
        row_abs_sum=row_abs_sum,
    )


def _gamma(n: int) -> float:
    """Higham's gamma_n = n u / (1 - n u): the relative error bound of an n-term dot product."""
    nu = n * UNIT_ROUNDOFF
    return nu / (1.0 - nu)


def rounding_allowance(n_points: int) -> tuple[float, float]:
    """``(coefficient, floor)`` with ``|ours - scipy's| <= coefficient * max|x| * row_abs_sum[r]
    + floor`` for every CWT value of row r of a spectrum with finite samples x.

    Derivation (float64 throughout, any summation order, FMA or not):

    * scipy, direct method: one dot product of at most S terms per value, error
      ``<= gamma_S * sum_k |M[j,k]| x[k] <= gamma_S * max|x| * row_abs_sum``.
    * ours, general rows: the same bound (a dot product of S terms inside BLAS).
    * ours, mirror rows: forming ``x[k] +- x[S-1-k]`` and the halved matrix entries costs one
      rounding each, each half-size dot product ``gamma_{S/2+1}``, the final ``even +- odd`` one
      more rounding; with ``sum_k |P[j,k]| |e[k]| <= max|x| * row_abs_sum`` this stays below
      ``3 * gamma_{S+4} * max|x| * row_abs_sum``.
    * kernel insurance: ``KERNEL_TOLERANCE_ULPS * u * max|x| * row_abs_sum``. It also covers
      the halved mirror entries of tiny kernel values that round in the subnormal range (at most
      ``S * 2**-1075 * max|x|`` per value), since :func:`cwt_operator` refuses rows whose
      ``row_abs_sum`` is below :data:`MIN_ROW_ABS_SUM`.

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
    "mirror_outputs",
    "ricker_wavelet",
    "rounding_allowance",
    "scipy_convolves_directly",
]
