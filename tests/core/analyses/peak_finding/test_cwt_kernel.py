"""The fast path's parts, each checked against the scipy code it stands in for.

scipy's private helpers (``_ricker``, ``_cwt``, ``_identify_ridge_lines``) are what
``find_peaks_cwt`` itself runs, so they are the oracle for the pieces; the end-to-end equality
with the public ``find_peaks_cwt`` lives in test_peaks.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy.signal import convolve
from scipy.signal._peak_finding import _identify_ridge_lines
from scipy.signal._wavelets import _cwt, _ricker
from scipy.stats import scoreatpercentile

from peakgui.core.analyses.peak_finding import ridge_kernel
from peakgui.core.analyses.peak_finding.cwt_kernel import SUB_BLOCK_BYTES, cwt_peaks, sub_block_size
from peakgui.core.analyses.peak_finding.cwt_operator import (
    band_matrix,
    cwt_operator,
    kernel_points,
    ricker_wavelet,
    rounding_allowance,
    scipy_convolves_directly,
    widths_key,
)
from peakgui.core.analyses.peak_finding.peaks import PeakParams, reference_peaks

DEFAULT_WIDTHS = PeakParams().widths()
LENGTHS = [3, 4, 5, 8, 17, 64, 119, 120, 201, 256, 333]


def operator_for(n_points: int, widths: np.ndarray = DEFAULT_WIDTHS):
    op = cwt_operator(n_points, widths_key(widths))
    assert op is not None
    return op


# --- the wavelet and the operator -------------------------------------------------------------


@pytest.mark.parametrize("n_points", LENGTHS + [512, 700])
def test_ricker_kernels_are_bit_identical_to_scipy(n_points):
    for widths in (DEFAULT_WIDTHS, np.linspace(0.5, 7.3, 11), np.array([1.0, 2.5, 33.3])):
        for width in widths:
            points = kernel_points(width, n_points)
            assert_array_equal(ricker_wavelet(points, width), _ricker(points, width))


@pytest.mark.parametrize("n_points", [3, 10, 119, 120, 250])
@pytest.mark.parametrize("width", [0.35, 1.0, 2.7, 20.0, 41.37931034482759])
def test_band_matrix_is_scipys_same_mode_convolution(n_points, width):
    kernel = ricker_wavelet(kernel_points(np.float64(width), n_points), np.float64(width))
    matrix = band_matrix(kernel, n_points)
    flipped = np.conj(kernel[::-1])
    for k in range(n_points):
        unit = np.zeros(n_points)
        unit[k] = 1.0
        # direct convolution of a unit vector is exact: one product, the rest zeros
        column = convolve(unit, flipped, mode="same", method="direct")
        assert_array_equal(matrix[:, k], column)


def test_symmetric_kernels_use_the_mirror_split():
    odd = operator_for(119)  # every kernel has 119 taps: symmetric about its centre tap
    assert len(odd.mirror_rows) == len(DEFAULT_WIDTHS) and not odd.mirror_shift.any()
    even = operator_for(120)  # 120 taps: symmetric about a half-sample, one-row shift
    assert len(even.mirror_rows) == len(DEFAULT_WIDTHS) and even.mirror_shift.all()
    mixed = operator_for(333)  # kernels of fractional length are asymmetric
    assert 0 < len(mixed.general_rows) < len(DEFAULT_WIDTHS)


@pytest.mark.parametrize("n_points", LENGTHS)
def test_operator_reproduces_the_band_matrices(n_points):
    op = operator_for(n_points)
    eye = np.eye(n_points)
    rebuilt = op.cwt(eye)  # (k, r, j) = M_r[j, k] up to rounding of the mirror split
    for r, width in enumerate(DEFAULT_WIDTHS):
        exact = band_matrix(ricker_wavelet(kernel_points(width, n_points), width), n_points)
        np.testing.assert_allclose(rebuilt[:, r, :].T, exact, rtol=0, atol=1e-15)


def test_operators_are_cached_and_read_only():
    a = cwt_operator(119, widths_key(DEFAULT_WIDTHS))
    b = cwt_operator(119, widths_key(PeakParams().widths()))
    assert a is b
    assert not a.mirror_even.flags.writeable


def test_no_operator_where_the_fast_path_cannot_be_exact_or_cheap():
    assert cwt_operator(2, widths_key(DEFAULT_WIDTHS)) is None
    assert cwt_operator(2000, widths_key(DEFAULT_WIDTHS)) is None  # over the memory budget
    assert cwt_operator(119, widths_key(np.array([1e-3, 1.0]))) is None  # an all-zero kernel
    # scipy switches to FFT only for sizes far beyond the operator budget
    assert scipy_convolves_directly(512, 512)
    assert not scipy_convolves_directly(20000, 20000)


def _test_blocks(rng: np.random.Generator, n_points: int):
    yield rng.random((40, n_points))
    yield np.abs(rng.normal(size=(40, n_points))).astype(np.float32)
    yield rng.random((10, n_points)) * 1e-300
    yield rng.random((10, n_points)) * 1e250
    yield (rng.random((10, n_points)) * 1e-39).astype(np.float32)  # float32 subnormals
    spikes = np.zeros((10, n_points))
    spikes[np.arange(10), rng.integers(0, n_points, 10)] = 1.0
    yield spikes


@pytest.mark.parametrize("n_points", LENGTHS)
def test_rounding_allowance_covers_scipys_cwt(n_points):
    """The bound every decision relies on, against scipy's own CWT values."""
    rng = np.random.default_rng(n_points)
    op = operator_for(n_points)
    coefficient, floor = rounding_allowance(n_points)
    worst = 0.0
    for block in _test_blocks(rng, n_points):
        ours = op.cwt(block.astype(np.float64))
        for i, spectrum in enumerate(block):
            theirs = _cwt(spectrum, _ricker, DEFAULT_WIDTHS)
            allowance = coefficient * float(np.abs(spectrum).max()) * op.row_abs_sum + floor
            error = np.abs(ours[i] - theirs).max(axis=1)
            assert np.all(error <= allowance)
            worst = max(worst, float((error / allowance).max()))
    assert worst < 0.5  # the bound is not just barely holding


# --- the compiled pieces against scipy's helpers -----------------------------------------------


def _maxima(matrix: np.ndarray, threshold: float = 0.0):
    steps, s = matrix.shape
    max_cols = np.empty((steps, s), dtype=np.int64)
    n_max = np.empty(steps, dtype=np.int64)
    ok = ridge_kernel._find_maxima(
        np.ascontiguousarray(matrix, dtype=np.float64),
        np.full(steps, threshold),
        max_cols,
        n_max,
        np.zeros(8 * ((s + 7) // 8), dtype=np.bool_),
    )
    return ok, max_cols, n_max


def _ours_ridges(matrix, max_distances, gap_thresh):
    ok, max_cols, n_max = _maxima(matrix)
    assert ok
    cap = matrix.size + 1
    row, col, length, gap, active, snapshot = (np.empty(cap, dtype=np.int64) for _ in range(6))
    n = ridge_kernel._track_ridges(
        max_cols, n_max, np.asarray(max_distances, float), float(gap_thresh),
        row, col, length, gap, active, snapshot,
    )  # fmt: skip
    return sorted(zip(row[:n].tolist(), col[:n].tolist(), length[:n].tolist(), strict=True))


def _scipy_ridges(matrix, max_distances, gap_thresh):
    lines = _identify_ridge_lines(matrix, max_distances, gap_thresh)
    # find_peaks_cwt reads only each line's first (row, col) after scipy's reordering and its length
    return sorted((int(r[0]), int(c[0]), len(r)) for r, c in lines)


@pytest.mark.parametrize("seed", range(12))
def test_ridge_tracking_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    steps, s = int(rng.integers(1, 35)), int(rng.integers(3, 90))
    if seed % 3 == 0:
        matrix = rng.random((steps, s))  # chaotic: many short lines, joins and gaps
    else:  # smooth in both directions, like a CWT: long ridges
        base = np.cumsum(np.cumsum(rng.normal(size=(steps, s)), axis=1), axis=0)
        matrix = base + 1e-3 * rng.random((steps, s))
    max_distances = rng.uniform(0.3, 6.0) * np.linspace(1, 3, steps)
    for gap_thresh in (-1.0, 0.0, 1.0, 2.5, 50.0):
        assert _ours_ridges(matrix, max_distances, gap_thresh) == _scipy_ridges(
            matrix, max_distances, gap_thresh
        )


def test_lines_that_gain_two_points_in_one_row_report_their_last_point():
    # Row 1 has two maxima (cols 2 and 6) both nearest to the single line from row 2 (col 4).
    matrix = np.array(
        [
            [0, 1, 0, 1, 0, 1, 0, 1, 0],
            [0, 1, 5, 1, 0, 1, 5, 1, 0],
            [0, 1, 2, 3, 9, 3, 2, 1, 0],
        ],
        dtype=float,
    )
    assert _ours_ridges(matrix, [9, 9, 9], 3) == _scipy_ridges(matrix, [9, 9, 9], 3)


def test_maxima_near_rounding_are_reported_as_unsure():
    row = np.array([[0.0, 1.0, 1.0 + 1e-15, 0.5]])
    assert _maxima(row, threshold=1e-12)[0] is False
    ok, max_cols, n_max = _maxima(row, threshold=1e-16)
    assert ok and n_max[0] == 1 and max_cols[0, 0] == 2
    flat_minimum = np.array([[3.0, 1.0, 1.0, 3.0, 0.0]])  # a tie that cannot be a maximum
    ok, max_cols, n_max = _maxima(flat_minimum, threshold=1e-12)
    assert ok and n_max[0] == 1 and max_cols[0, 0] == 3


@pytest.mark.parametrize("noise_perc", [0.0, 10.0, 33.3, 50.0, 97.5, 100.0])
@pytest.mark.parametrize("window_size", [1, 2, 3, 6, 7, 40])
def test_window_noise_matches_scoreatpercentile(noise_perc, window_size):
    rng = np.random.default_rng(window_size)
    row0 = rng.normal(size=50)
    scratch = np.empty(50)
    half, odd = divmod(window_size, 2)
    for column in range(50):
        noise, bound, own = ridge_kernel._window_noise(
            row0, column, half, odd, noise_perc, 0.0, scratch
        )
        window = row0[max(column - half, 0) : min(column + half + odd, 50)]
        expected = scoreatpercentile(window, per=noise_perc)
        assert abs(noise - expected) <= bound + 4 * np.finfo(float).eps * np.abs(window).max()
        assert own == (
            noise == row0[column] and float(noise_perc / 100.0 * (len(window) - 1)).is_integer()
        )


def test_snr_verdicts():
    verdict = ridge_kernel._snr_verdict
    assert verdict(5.0, 1e-12, 1.0, 1e-12, 1.0) == 1
    assert verdict(0.5, 1e-12, 1.0, 1e-12, 1.0) == 0
    assert verdict(-5.0, 1e-12, -1.0, 1e-12, 1.0) == 1  # the SNR is an absolute value
    assert verdict(1.0, 1e-12, 1.0, 1e-12, 1.0) == -1  # on the threshold: ask scipy
    assert verdict(1.0, 1e-12, 0.0, 1e-12, 1.0) == 1  # noise ~ 0: huge (or infinite) SNR
    assert verdict(0.0, 1e-12, 0.0, 1e-12, 1.0) == -1  # 0/0 or anything: ask scipy
    assert verdict(0.0, 1e-12, 0.0, 1e-12, 0.0) == 1  # min_snr 0 keeps everything


# --- the block driver ----------------------------------------------------------------------------


def test_block_results_are_exact_or_flagged():
    rng = np.random.default_rng(7)
    mag = np.abs(rng.normal(size=(64, 119)) + 3 * np.hanning(119)).astype(np.float32)
    mag[1, 5] = np.nan
    mag[2, 60] = np.inf
    mag[3] = 0.0
    mag[4] = 2.5  # constant
    result = cwt_peaks(mag, PeakParams(), keep_peaks=True)
    assert result.undecided[1] and result.undecided[2]
    assert not result.undecided[3] and result.count[3] == 0 and result.chosen[3] == 59
    assert result.undecided[5:].mean() < 0.05
    for i in np.flatnonzero(~result.undecided):
        assert_array_equal(result.peaks_of(i), np.asarray(reference_peaks(mag[i], PeakParams())))


def test_sub_block_size_does_not_change_results():
    rng = np.random.default_rng(11)
    mag = rng.random((50, 64))
    reference = cwt_peaks(mag, PeakParams(), keep_peaks=True)
    for block_size in (1, 7, 64):
        other = cwt_peaks(mag, PeakParams(), block_size=block_size, keep_peaks=True)
        assert_array_equal(other.undecided, reference.undecided)
        assert_array_equal(other.count, reference.count)
        assert_array_equal(other.chosen, reference.chosen)
    lean = cwt_peaks(mag, PeakParams())  # without the (n, S) peak buffer
    assert lean.peaks is None
    assert_array_equal(lean.chosen, reference.chosen)
    assert_array_equal(lean.count, reference.count)
    with pytest.raises(ValueError):
        lean.peaks_of(0)
    assert 16 <= sub_block_size(119, 30) <= 1024
    assert sub_block_size(3, 1) == 1024
    assert 8 * 512 * 30 * sub_block_size(512, 30) <= SUB_BLOCK_BYTES


def test_unsupported_inputs_are_all_flagged():
    rng = np.random.default_rng(3)
    assert cwt_peaks(rng.integers(0, 9, (5, 30)), PeakParams()).undecided.all()  # integers
    assert cwt_peaks(rng.random((5, 2)), PeakParams()).undecided.all()  # too short
    assert cwt_peaks(rng.random((2, 700)), PeakParams()).undecided.all()  # too long
    empty = cwt_peaks(np.zeros((0, 119)), PeakParams())
    assert empty.count.shape == (0,)
    with pytest.raises(ValueError):
        cwt_peaks(np.zeros(119), PeakParams())
