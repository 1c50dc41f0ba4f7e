"""Checked entry points to the compiled ridge kernel (:mod:`._ridge`, Cython, built at install).

The kernel runs without bounds checks, so everything that could make it read or write out of
range is checked here first, once per sub-block: dtypes, contiguity, matching shapes and the
operator's row bookkeeping. The semantics, and why they equal scipy's, are described in the
kernel's own docstring.
"""

from __future__ import annotations

import numpy as np

from peakgui.core.analyses.peak_finding import _ridge


def _c(array: np.ndarray, dtype: type, name: str, ndim: int) -> np.ndarray:
    """``array`` as a C-contiguous array of ``dtype``; raises rather than silently copying an
    output (the kernel must write into the caller's memory)."""
    if not isinstance(array, np.ndarray) or array.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-d array")
    if array.dtype != dtype or not array.flags.c_contiguous:
        raise ValueError(f"{name}: expected C-contiguous {np.dtype(dtype).name}, "
                         f"got {array.dtype} (contiguous={array.flags.c_contiguous})")
    return array


def _flags(array: np.ndarray, name: str) -> np.ndarray:
    """A bool (or uint8) output viewed as uint8, sharing its memory."""
    if not isinstance(array, np.ndarray) or array.dtype not in (np.bool_, np.uint8):
        raise ValueError(f"{name}: expected a bool array")
    return _c(array.view(np.uint8), np.uint8, name, 1)


def peaks_from_cwt_block(
    x: np.ndarray,
    even: np.ndarray,
    odd: np.ndarray,
    general: np.ndarray,
    mirror_rows: np.ndarray,
    mirror_shift: np.ndarray,
    general_rows: np.ndarray,
    row_abs_sum: np.ndarray,
    bound_coefficient: float,
    bound_floor: float,
    max_magnitude: float,
    max_distances: np.ndarray,
    gap_thresh: float,
    min_length: float,
    min_snr: float,
    noise_perc: float,
    window_size: int,
    peaks: np.ndarray,
    count: np.ndarray,
    chosen: np.ndarray,
    undecided: np.ndarray,
) -> None:
    """Peaks of every spectrum of a block whose outcome is certain; flags the others.

    ``x`` (n, S) are the float64 magnitudes, ``even``/``odd``/``general`` the operator's products
    for them (see CwtOperator.transform). Writes ``peaks[b, :count[b]]`` (sorted, as scipy
    returns them), ``chosen[b]`` (the tutorial's choice) and ``undecided[b]`` (True: ask scipy;
    the other outputs are then unset). Spectra with a sample that is NaN, infinite or above
    ``max_magnitude`` are undecided.
    """
    x = _c(x, np.float64, "x", 2)
    n, s = x.shape
    steps = len(row_abs_sum)
    mirror_rows = _c(mirror_rows, np.int64, "mirror_rows", 1)
    mirror_shift = _c(mirror_shift, np.int64, "mirror_shift", 1)
    general_rows = _c(general_rows, np.int64, "general_rows", 1)
    rows = np.concatenate([mirror_rows, general_rows])
    if not np.array_equal(np.sort(rows), np.arange(steps)):
        raise ValueError("mirror_rows and general_rows must together list each row once")
    if len(mirror_shift) != len(mirror_rows) or not np.isin(mirror_shift, (0, 1)).all():
        raise ValueError("mirror_shift: one 0 or 1 per mirror row")
    even = _c(even, np.float64, "even", 3)
    odd = _c(odd, np.float64, "odd", 3)
    general = _c(general, np.float64, "general", 3)
    if even.shape != odd.shape or even.shape[:2] != (n, len(mirror_rows)):
        raise ValueError("even/odd: expected (n, n_mirror, half_out) each")
    if len(mirror_rows):
        # outputs read per mirror row: 0 .. (S - 1 + shift) // 2 and shift .. S - 1 + shift - that
        needed = max(max((s - 1 + t) // 2 + 1, s - 1 + t - (s - 1 + t) // 2)
                     for t in np.unique(mirror_shift).tolist())
        if even.shape[2] < needed:
            raise ValueError(f"even/odd: need at least {needed} outputs per mirror row")
    if general.shape != (n, len(general_rows), s):
        raise ValueError("general: expected (n, n_general, S)")
    row_abs_sum = _c(row_abs_sum, np.float64, "row_abs_sum", 1)
    if not (bound_coefficient >= 0 and bound_floor >= 0 and (row_abs_sum >= 0).all()):
        raise ValueError("rounding bounds are never negative")
    max_distances = _c(max_distances, np.float64, "max_distances", 1)
    if len(max_distances) != steps:
        raise ValueError("max_distances: one per row")
    peaks = _c(peaks, np.int64, "peaks", 2)
    count = _c(count, np.int64, "count", 1)
    chosen = _c(chosen, np.int64, "chosen", 1)
    undecided = _flags(undecided, "undecided")
    if peaks.shape[0] != n or len(count) != n or len(chosen) != n or len(undecided) != n:
        raise ValueError("peaks/count/chosen/undecided: one row per spectrum")
    if s < 3 or window_size < 0:
        raise ValueError("need at least 3 samples and a non-negative window")
    _ridge.peaks_from_cwt_block(
        x, even, odd, general, mirror_rows, mirror_shift, general_rows, row_abs_sum,
        float(bound_coefficient), float(bound_floor), float(max_magnitude), max_distances,
        float(gap_thresh), float(min_length), float(min_snr), float(noise_perc),
        int(window_size), peaks, count, chosen, undecided,
    )  # fmt: skip


# --- single steps, for the tests that compare them with scipy's helpers ----------------------


def _find_maxima(
    cwt: np.ndarray,
    thresholds: np.ndarray,
    max_cols: np.ndarray,
    n_max: np.ndarray,
    is_max: np.ndarray | None = None,
) -> bool:
    """Strict interior maxima of every row; False if rounding could change any of them.

    ``is_max`` is accepted and ignored: the numba kernel needed a flag buffer, the compiled one
    records maxima directly (the step keeps the signature its tests call).
    """
    del is_max
    cwt = _c(cwt, np.float64, "cwt", 2)
    steps, s = cwt.shape
    thresholds = _c(thresholds, np.float64, "thresholds", 1)
    max_cols = _c(max_cols, np.int64, "max_cols", 2)
    n_max = _c(n_max, np.int64, "n_max", 1)
    if len(thresholds) != steps or max_cols.shape != (steps, s) or len(n_max) != steps:
        raise ValueError("thresholds/max_cols/n_max do not match the CWT's shape")
    if not (thresholds >= 0).all():
        raise ValueError("thresholds: rounding bounds, never negative")
    return _ridge.find_maxima(cwt, thresholds, max_cols, n_max)


def _track_ridges(
    max_cols: np.ndarray,
    n_max: np.ndarray,
    max_distances: np.ndarray,
    gap_thresh: float,
    *lines: np.ndarray,
) -> int:
    """Ridge lines from the maxima; ``lines`` are the six (row, col, len, gap, active, snapshot)
    work arrays, each at least steps * S + 1 long. Returns the line count."""
    max_cols = _c(max_cols, np.int64, "max_cols", 2)
    n_max = _c(n_max, np.int64, "n_max", 1)
    steps, s = max_cols.shape
    if len(n_max) != steps or len(max_distances) != steps or n_max.min(initial=0) < 0 \
            or n_max.max(initial=0) > s:
        raise ValueError("n_max/max_distances do not match max_cols")
    if len(lines) != 6:
        raise ValueError("expected six work arrays")
    work = [_c(a, np.int64, "work", 1) for a in lines]
    if min(len(a) for a in work) < steps * s + 1:
        raise ValueError("work arrays shorter than steps * S + 1")
    if ((max_cols < 0) | (max_cols >= s))[np.arange(s) < n_max[:, None]].any():
        raise ValueError("max_cols: columns out of range")
    return _ridge.track_ridges(max_cols, n_max, _c(max_distances, np.float64, "max_distances", 1),
                               float(gap_thresh), *work)


def _window_noise(
    row0: np.ndarray,
    column: int,
    half_window: int,
    odd_window: int,
    noise_perc: float,
    row0_bound: float,
    scratch: np.ndarray,
) -> tuple[float, float, bool]:
    """``(noise, bound, own)``: scipy's noise floor at ``column``, how far scipy's value can be
    from ours, and whether it surely is ``row0[column]`` itself."""
    row0 = _c(row0, np.float64, "row0", 1)
    scratch = _c(scratch, np.float64, "scratch", 1)
    if not 0 <= column < len(row0) or len(scratch) < len(row0) or half_window < 0 \
            or odd_window not in (0, 1) or not 0.0 <= noise_perc <= 100.0:
        raise ValueError("window_noise: arguments out of range")
    return _ridge.window_noise(row0, int(column), int(half_window), int(odd_window),
                               float(noise_perc), float(row0_bound), scratch)


def _snr_verdict(
    value: float, value_bound: float, noise: float, noise_bound: float, min_snr: float
) -> int:
    """1: scipy keeps the line, 0: scipy drops it (``|value / noise| < min_snr``), -1: unsure."""
    return _ridge.snr_verdict(value, value_bound, noise, noise_bound, min_snr)


def _own_noise_verdict(value: float, value_bound: float, min_snr: float) -> int:
    """The verdict when scipy's noise floor is the very sample the SNR divides."""
    return _ridge.own_noise_verdict(value, value_bound, min_snr)
