"""Fast ``find_peaks_cwt`` for a block of magnitude spectra: exact where decided, else flagged.

The CWT of a sub-block is one BLAS product with a cached operator (:mod:`.cwt_operator`); the
ridge lines and their filter run in compiled Cython (:mod:`._ridge`, entered through the checks
in :mod:`.ridge_kernel`) on values whose distance to scipy's is bounded. Spectra whose outcome that bound cannot settle — near-ties, NaN/Inf, huge
values — or whose shape has no operator (fewer than 3 or very many points, scipy choosing FFT)
come back flagged ``undecided`` for the caller to hand to scipy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from peakgui.core.analyses.peak_finding.cwt_operator import (
    cwt_operator,
    rounding_allowance,
    widths_key,
)
from peakgui.core.analyses.peak_finding.params import PeakParams
from peakgui.core.analyses.peak_finding.ridge_kernel import peaks_from_cwt_block

MAX_SAFE_MAGNITUDE = 1e290
"""Above this a float64 CWT could overflow; such spectra are left to scipy."""

MAX_SUB_BLOCK = 1024
"""Most spectra transformed at once; the workspace a worker needs is sized from it."""

SUB_BLOCK_BYTES = 4 * 2**20
"""Size of the (sub-block, steps, S) float64 CWT intermediate; keeps memory flat and cache warm."""


@dataclass
class CwtPeaks:
    """Per-spectrum fast-path results for a block of n spectra.

    Rows with ``undecided[i]`` set carry no result: recompute them with scipy.
    """

    peaks: np.ndarray | None  # (n, S) int64, row i's peaks in peaks[i, :count[i]]; None if not kept
    count: np.ndarray  # (n,) int64
    chosen: np.ndarray  # (n,) int64, the tutorial's choice among the peaks
    undecided: np.ndarray  # (n,) bool

    def peaks_of(self, i: int) -> np.ndarray:
        """Spectrum i's peak indices, as ``find_peaks_cwt`` returns them (for decided rows)."""
        if self.peaks is None:
            raise ValueError("peak arrays were not kept; call cwt_peaks(..., keep_peaks=True)")
        return np.array(self.peaks[i, : self.count[i]])


def sub_block_size(n_points: int, steps: int) -> int:
    """How many spectra to transform at once so the CWT intermediate stays near SUB_BLOCK_BYTES."""
    return int(min(MAX_SUB_BLOCK, max(16, SUB_BLOCK_BYTES // (8 * n_points * max(steps, 1)))))


def _undecided_result(n: int, n_points: int, keep_peaks: bool) -> CwtPeaks:
    return CwtPeaks(
        peaks=np.full((n, max(n_points, 1)), -1, dtype=np.int64) if keep_peaks else None,
        count=np.zeros(n, dtype=np.int64),
        chosen=np.full(n, n_points // 2, dtype=np.int64),
        undecided=np.ones(n, dtype=bool),
    )


def _scipy_defaults(params: PeakParams, n_points: int,
                    widths: np.ndarray) -> tuple[float, float, int]:
    """The ridge/filter settings exactly as find_peaks_cwt derives them when left as None."""
    gap_thresh = math.ceil(widths[0]) if params.gap_thresh is None else params.gap_thresh
    min_length = math.ceil(len(widths) / 4) if params.min_length is None else params.min_length
    window = math.ceil(n_points / 20) if params.window_size is None else params.window_size
    return float(gap_thresh), float(min_length), int(window)


def cwt_peaks(
    magnitude: np.ndarray,
    params: PeakParams,
    block_size: int | None = None,
    keep_peaks: bool = False,
) -> CwtPeaks:
    """``find_peaks_cwt(magnitude[i], params.widths(), ...)`` for every row, where certain.

    Parameters
    ----------
    magnitude : (n, S) array of non-negative real samples (``np.abs`` of the data).
    params : the peak-finding parameters.
    block_size : spectra per sub-block; by default sized from S and the number of widths.
    keep_peaks : also return every spectrum's full peak array (an (n, S) int64 buffer); the
        chosen index and the count never need it.

    Returns
    -------
    CwtPeaks
        Exact results for decided rows; ``undecided`` marks rows to recompute with scipy.
    """
    mag = np.asarray(magnitude)
    if mag.ndim != 2:
        raise ValueError(f"expected an (n, S) block, got shape {mag.shape}")
    n, s = mag.shape
    result = _undecided_result(n, s, keep_peaks)
    # float16/32/64 convert to float64 exactly, as scipy's np.correlate converts them.
    if n == 0 or mag.dtype.kind != "f" or mag.dtype.itemsize > 8:
        return result
    widths = params.widths()
    operator = cwt_operator(s, widths_key(widths))
    if operator is None:
        return result
    coefficient, floor = rounding_allowance(s)
    gap_thresh, min_length, window_size = _scipy_defaults(params, s, widths)
    max_distances = widths / 4.0
    step = block_size or sub_block_size(s, len(widths))
    # where each sub-block's peaks go: the result's rows, or one reused scratch buffer
    peaks_out = result.peaks if result.peaks is not None else np.empty((min(step, n), s),
                                                                        dtype=np.int64)
    for start in range(0, n, step):
        stop = min(start + step, n)
        x = np.ascontiguousarray(mag[start:stop], dtype=np.float64)
        with np.errstate(invalid="ignore", over="ignore"):  # NaN/Inf rows: flagged below
            even, odd, general = operator.transform(x)
        peaks_from_cwt_block(
            x,
            even,
            odd,
            general,
            operator.mirror_rows,
            operator.mirror_shift,
            operator.general_rows,
            operator.row_abs_sum,
            coefficient,
            floor,
            MAX_SAFE_MAGNITUDE,
            max_distances,
            gap_thresh,
            min_length,
            float(params.min_snr),
            float(params.noise_perc),
            window_size,
            peaks_out[start:stop] if keep_peaks else peaks_out[: stop - start],
            result.count[start:stop],
            result.chosen[start:stop],
            result.undecided[start:stop],
        )
    return result
