# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, nonecheck=False
"""Ridge lines and their SNR filter as ``find_peaks_cwt`` defines them, compiled ahead of time.

The CWT values handed in are ours, not scipy's; each lies within ``bound[r]`` of scipy's value
for row r (see :func:`peakgui.core.analyses.peak_finding.cwt_operator.rounding_allowance`). A
value-dependent decision (is this sample a strict local maximum? is this ridge's SNR below the
threshold?) is taken only when it holds for *every* value inside those intervals. If any decision
is unsure the spectrum is marked undecided and the caller asks scipy, so the peaks reported for
decided spectra equal scipy's exactly.

The rest of scipy's procedure is integer bookkeeping, reproduced step by step:

* maxima are strict (``>``) against both neighbours; the first and last samples never are
  (scipy's ``'clip'`` edge compares them with themselves);
* ridges start at the highest row with maxima and are followed downwards; each maximum joins the
  line whose last column (as it was before this row) is nearest, the first such line in list
  order on ties, if that distance is ``<= max_distances[row]``, otherwise it starts a new line;
* each row every followed line's gap grows by one, joining resets it, and lines whose gap
  exceeds ``gap_thresh`` stop being followed (not checked on the starting row);
* a line's reported point is the last one it gained (scipy's row sort puts it first), its length
  its number of points; short lines are dropped, then lines with ``|cwt / noise| < min_snr``.

No bounds checks here: :mod:`.ridge_kernel` validates shapes before calling in. The whole pass
over a sub-block runs without the GIL, so threads can share one process.
"""

from libc.math cimport fabs
from libc.stdint cimport int64_t, uint8_t
from libc.stdlib cimport qsort

import numpy as np

from peakgui.core.analyses.peak_finding import floats

cdef double UNIT_ROUNDOFF = floats.UNIT_ROUNDOFF
cdef double RATIO_MARGIN = floats.RATIO_MARGIN

cdef double NOISE_BOUND_GROWTH = 1.01
"""Interpolated noise: the order statistics' bound, slightly widened for the weights' rounding."""

cdef double NOISE_ROUNDINGS = 16.0
"""Interpolated noise: roundings (in u of the larger operand) of the weights, products and sum."""

cdef Py_ssize_t INSERTION_SORT_MAX = 24
"""Noise windows up to this size are sorted by insertion (the default window is S/20 samples)."""


# --- small helpers ---------------------------------------------------------------------------

cdef inline int64_t _iabs(int64_t v) noexcept nogil:
    return -v if v < 0 else v


cdef int _compare_doubles(const void* a, const void* b) noexcept nogil:
    cdef double x = (<const double*>a)[0]
    cdef double y = (<const double*>b)[0]
    return (x > y) - (x < y)


cdef inline void _sort(double* values, Py_ssize_t size) noexcept nogil:
    """Ascending; the values are finite (spectra with NaN/Inf never reach the filter)."""
    cdef Py_ssize_t i, j
    cdef double v
    if size > INSERTION_SORT_MAX:
        qsort(values, size, sizeof(double), _compare_doubles)
        return
    for i in range(1, size):
        v = values[i]
        j = i - 1
        while j >= 0 and values[j] > v:
            values[j + 1] = values[j]
            j -= 1
        values[j + 1] = v


# --- the steps of find_peaks_cwt -----------------------------------------------------------------

# same memoryview arguments as peaks_from_cwt_block: typed views cross the nogil call one each
cdef inline void _assemble_cwt(
    Py_ssize_t b,
    const double[:, :, ::1] even,
    const double[:, :, ::1] odd,
    const double[:, :, ::1] general,
    const int64_t[::1] mirror_rows,
    const int64_t[::1] mirror_shift,
    const int64_t[::1] general_rows,
    double[:, ::1] cwt,
) noexcept nogil:
    """One spectrum's (steps, S) CWT from the operator's products (see CwtOperator)."""
    cdef Py_ssize_t s = cwt.shape[1]
    cdef Py_ssize_t t, j, r, shift, direct
    for t in range(mirror_rows.shape[0]):
        r = mirror_rows[t]
        shift = mirror_shift[t]
        direct = (s - 1 + shift) // 2 + 1
        for j in range(direct):
            cwt[r, j] = even[b, t, j] + odd[b, t, j]
        for j in range(shift, s + shift - direct):  # partners land at direct .. S-1
            cwt[r, s - 1 + shift - j] = even[b, t, j] - odd[b, t, j]
    for t in range(general_rows.shape[0]):
        r = general_rows[t]
        for j in range(s):
            cwt[r, j] = general[b, t, j]


cdef inline bint _find_maxima(
    const double[:, ::1] cwt,
    const double[::1] thresholds,
    int64_t[:, ::1] max_cols,
    int64_t[::1] n_max,
) noexcept nogil:
    """Strict interior maxima of every row into ``max_cols[r, :n_max[r]]`` (ascending).

    A sample is surely a maximum when both differences to its neighbours exceed the row's
    (non-negative) threshold, surely not when one of them is below minus the threshold (or NaN);
    anything else depends
    on rounding, and then the result is False at once (the caller hands the spectrum to scipy,
    so the remaining rows do not matter). On a CWT row most samples sit on a long rising or
    falling slope, so the early ``continue`` branches are well predicted and usually one
    subtraction decides a sample.
    """
    cdef Py_ssize_t steps = cwt.shape[0]
    cdef Py_ssize_t s = cwt.shape[1]
    cdef Py_ssize_t r, j, found
    cdef const double* row
    cdef double threshold, left, right
    for r in range(steps):
        threshold = thresholds[r]
        row = &cwt[r, 0]
        found = 0
        for j in range(1, s - 1):
            left = row[j] - row[j - 1]
            if not (left >= -threshold):
                continue  # falling from the left (or NaN): surely not a maximum
            right = row[j] - row[j + 1]
            if not (right >= -threshold):
                continue  # rising to the right: surely not a maximum
            if not (left > threshold and right > threshold):
                return False  # within rounding of a tie: ask scipy
            max_cols[r, found] = j
            found += 1
        n_max[r] = found
    return True


cdef inline Py_ssize_t _track_ridges(
    const int64_t[:, ::1] max_cols,
    const int64_t[::1] n_max,
    const double[::1] max_distances,
    double gap_thresh,
    int64_t[::1] line_row,
    int64_t[::1] line_col,
    int64_t[::1] line_len,
    int64_t[::1] line_gap,
    int64_t[::1] active,
    int64_t[::1] snapshot,
) noexcept nogil:
    """Follow ridge lines from the top row with maxima down to row 0; returns the line count.

    Of each line only what the filter needs is kept: its last point and its length. ``active``
    holds the followed lines in scipy's list order (creation order, stopped lines removed),
    which decides ties between equally near lines.
    """
    cdef Py_ssize_t start = n_max.shape[0] - 1
    cdef Py_ssize_t n_lines = 0, n_active = 0, n_known, kept
    cdef Py_ssize_t r, q, i, nearest, line
    cdef int64_t col, dist, nearest_dist
    cdef double reach
    while start >= 0 and n_max[start] == 0:
        start -= 1
    if start < 0:
        return 0
    for q in range(n_max[start]):
        line_row[n_lines] = start
        line_col[n_lines] = max_cols[start, q]
        line_len[n_lines] = 1
        line_gap[n_lines] = 0
        active[n_active] = n_lines
        n_active += 1
        n_lines += 1
    for r in range(start - 1, -1, -1):
        for i in range(n_active):
            line_gap[active[i]] += 1
        n_known = n_active
        for i in range(n_known):
            snapshot[i] = line_col[active[i]]
        reach = max_distances[r]
        for q in range(n_max[r]):
            col = max_cols[r, q]
            nearest = -1
            nearest_dist = 0
            for i in range(n_known):
                dist = _iabs(col - snapshot[i])
                if nearest < 0 or dist < nearest_dist:
                    nearest = i
                    nearest_dist = dist
            if nearest >= 0 and <double>nearest_dist <= reach:
                line = active[nearest]
                line_row[line] = r
                line_col[line] = col
                line_len[line] += 1
                line_gap[line] = 0
            else:
                line_row[n_lines] = r
                line_col[n_lines] = col
                line_len[n_lines] = 1
                line_gap[n_lines] = 0
                active[n_active] = n_lines
                n_active += 1
                n_lines += 1
        kept = 0
        for i in range(n_active):
            line = active[i]
            if not (<double>line_gap[line] > gap_thresh):
                active[kept] = line
                kept += 1
        n_active = kept
    return n_lines


cdef inline double _window_noise(
    const double* row0,
    Py_ssize_t s,
    Py_ssize_t column,
    Py_ssize_t half_window,
    Py_ssize_t odd_window,
    double noise_perc,
    double row0_bound,
    double* scratch,
    double* bound,
    bint* own,
) noexcept nogil:
    """scipy's noise floor at ``column`` (``scoreatpercentile`` of row 0 in a window).

    Returns our value and sets ``bound`` (how far scipy's can be from it) and ``own`` (whether
    the percentile surely *is* ``row0[column]`` itself in scipy's values too: then the SNR is
    exactly 1). Order statistics move by at most the per-value bound; the linear interpolation
    adds a few roundings on each side.
    """
    cdef Py_ssize_t start = column - half_window
    cdef Py_ssize_t stop = column + half_window + odd_window
    cdef Py_ssize_t size, i, lower, upper, below, above
    cdef double position, centre, w_lower, w_upper, a, c, spread
    if start < 0:
        start = 0
    if stop > s:
        stop = s
    size = stop - start
    for i in range(size):
        scratch[i] = row0[start + i]
    position = noise_perc / 100.0 * <double>(size - 1)
    lower = <Py_ssize_t>position
    own[0] = False
    if <double>lower == position:
        centre = row0[column]
        below = 0
        above = 0
        for i in range(size):
            if scratch[i] < centre - 2.0 * row0_bound:
                below += 1
            elif scratch[i] > centre + 2.0 * row0_bound:
                above += 1
        own[0] = below == lower and above == size - 1 - lower
    _sort(scratch, size)
    if <double>lower == position:
        bound[0] = row0_bound
        return scratch[lower]
    upper = lower + 1
    w_lower = <double>upper - position
    w_upper = position - <double>lower
    a = scratch[lower]
    c = scratch[upper]
    spread = max(fabs(a), fabs(c)) + row0_bound
    bound[0] = NOISE_BOUND_GROWTH * row0_bound + NOISE_ROUNDINGS * UNIT_ROUNDOFF * spread
    return (a * w_lower + c * w_upper) / (w_lower + w_upper)


cdef inline int _snr_verdict(
    double value, double value_bound, double noise, double noise_bound, double min_snr
) noexcept nogil:
    """1: scipy keeps the line, 0: scipy drops it (``|value / noise| < min_snr``), -1: unsure."""
    cdef double v, n
    if min_snr <= 0.0:
        return 1  # |v / n| is >= 0 or NaN, never below 0
    v = fabs(value)
    n = fabs(noise)
    if n - noise_bound > 0.0 and v + value_bound < min_snr * (n - noise_bound) * (1.0 - RATIO_MARGIN):
        return 0
    if v - value_bound > min_snr * (n + noise_bound) * (1.0 + RATIO_MARGIN):
        return 1
    return -1


cdef inline int _own_noise_verdict(double value, double value_bound, double min_snr) noexcept nogil:
    """The verdict when scipy's noise floor is the very sample the SNR divides.

    Then ``|v / v|`` is exactly 1 (or NaN if v is 0), whatever the rounding of v: common with
    ``window_size=1`` or a percentile that picks the window's maximum.
    """
    if min_snr <= 1.0:
        return 1  # neither 1.0 nor NaN is below min_snr
    if fabs(value) > value_bound:
        return 0  # v != 0 in scipy's arithmetic too, so its SNR is exactly 1.0 < min_snr
    return -1


# --- the block driver ------------------------------------------------------------------------

# the operator's views as _assemble_cwt takes them (one typed argument each, as it must)
def peaks_from_cwt_block(
    const double[:, ::1] x,
    const double[:, :, ::1] even,
    const double[:, :, ::1] odd,
    const double[:, :, ::1] general,
    const int64_t[::1] mirror_rows,
    const int64_t[::1] mirror_shift,
    const int64_t[::1] general_rows,
    const double[::1] row_abs_sum,
    double bound_coefficient,
    double bound_floor,
    double max_magnitude,
    const double[::1] max_distances,
    double gap_thresh,
    double min_length,
    double min_snr,
    double noise_perc,
    Py_ssize_t window_size,
    int64_t[:, ::1] peaks,
    int64_t[::1] count,
    int64_t[::1] chosen,
    uint8_t[::1] undecided,
):
    """Peaks of every spectrum of a block whose outcome is certain; flags the others.

    Unchecked: call it through :func:`.ridge_kernel.peaks_from_cwt_block`, which validates the
    shapes. Writes ``peaks[b, :count[b]]`` (sorted, as scipy returns them), ``chosen[b]`` (the
    tutorial's choice) and ``undecided[b]`` (1: ask scipy; the other outputs are then unset).
    """
    cdef Py_ssize_t n = x.shape[0]
    cdef Py_ssize_t s = x.shape[1]
    cdef Py_ssize_t steps = row_abs_sum.shape[0]
    cdef Py_ssize_t capacity = peaks.shape[1]
    cdef Py_ssize_t line_cap = steps * s + 1
    # workspace, allocated once per call while the GIL is held
    cdef double[:, ::1] cwt = np.empty((steps, s))
    cdef double[::1] bounds = np.empty(steps)
    cdef double[::1] thresholds = np.empty(steps)
    cdef int64_t[:, ::1] max_cols = np.empty((steps, s), dtype=np.int64)
    cdef int64_t[::1] n_max = np.empty(steps, dtype=np.int64)
    cdef int64_t[::1] line_row = np.empty(line_cap, dtype=np.int64)
    cdef int64_t[::1] line_col = np.empty(line_cap, dtype=np.int64)
    cdef int64_t[::1] line_len = np.empty(line_cap, dtype=np.int64)
    cdef int64_t[::1] line_gap = np.empty(line_cap, dtype=np.int64)
    cdef int64_t[::1] active = np.empty(line_cap, dtype=np.int64)
    cdef int64_t[::1] snapshot = np.empty(line_cap, dtype=np.int64)
    cdef double[::1] scratch = np.empty(s)
    cdef Py_ssize_t half_window = window_size // 2
    cdef Py_ssize_t odd_window = window_size % 2
    cdef int64_t centre = s // 2
    cdef Py_ssize_t b, k, r, line, n_lines, found, i, j, r0, c0
    cdef double magnitude, top, noise, noise_bound
    cdef bint usable, certain, own
    cdef int verdict
    cdef int64_t value, best
    with nogil:
        for b in range(n):
            undecided[b] = 1
            count[b] = 0
            chosen[b] = centre
            top = 0.0
            usable = True
            for k in range(s):
                magnitude = fabs(x[b, k])
                if not (magnitude <= max_magnitude):  # NaN, inf or too large to bound safely
                    usable = False
                    break
                if magnitude > top:
                    top = magnitude
            if not usable:
                continue
            if top == 0.0:
                # An all-zero spectrum has an all-zero CWT in any arithmetic: no strict maximum.
                undecided[b] = 0
                continue
            for r in range(steps):
                bounds[r] = bound_coefficient * top * row_abs_sum[r] + bound_floor
                thresholds[r] = 2.0 * bounds[r]
            _assemble_cwt(b, even, odd, general, mirror_rows, mirror_shift, general_rows, cwt)
            if not _find_maxima(cwt, thresholds, max_cols, n_max):
                continue
            n_lines = _track_ridges(max_cols, n_max, max_distances, gap_thresh,
                                    line_row, line_col, line_len, line_gap, active, snapshot)
            found = 0
            certain = True
            for line in range(n_lines):
                if <double>line_len[line] < min_length:
                    continue
                r0 = line_row[line]
                c0 = line_col[line]
                noise = _window_noise(&cwt[0, 0], s, c0, half_window, odd_window, noise_perc,
                                      bounds[0], &scratch[0], &noise_bound, &own)
                if own and r0 == 0:
                    verdict = _own_noise_verdict(cwt[0, c0], bounds[0], min_snr)
                else:
                    verdict = _snr_verdict(cwt[r0, c0], bounds[r0], noise, noise_bound, min_snr)
                if verdict < 0 or (verdict == 1 and found == capacity):
                    certain = False
                    break
                if verdict == 1:
                    peaks[b, found] = c0
                    found += 1
            if not certain:
                continue
            for i in range(1, found):  # insertion sort: a handful of peaks
                value = peaks[b, i]
                j = i - 1
                while j >= 0 and peaks[b, j] > value:
                    peaks[b, j + 1] = peaks[b, j]
                    j -= 1
                peaks[b, j + 1] = value
            if found:
                best = peaks[b, 0]
                for i in range(1, found):
                    if _iabs(peaks[b, i] - centre) < _iabs(best - centre):
                        best = peaks[b, i]
                chosen[b] = best
            count[b] = found
            undecided[b] = 0


# --- single steps, for tests against scipy's helpers ---------------------------------------------

def find_maxima(const double[:, ::1] cwt, const double[::1] thresholds,
                int64_t[:, ::1] max_cols, int64_t[::1] n_max) -> bool:
    """:func:`_find_maxima` (unchecked; see :mod:`.ridge_kernel`)."""
    cdef bint ok
    with nogil:
        ok = _find_maxima(cwt, thresholds, max_cols, n_max)
    return ok


def track_ridges(const int64_t[:, ::1] max_cols, const int64_t[::1] n_max,
                 const double[::1] max_distances, double gap_thresh,
                 int64_t[::1] line_row, int64_t[::1] line_col, int64_t[::1] line_len,
                 int64_t[::1] line_gap, int64_t[::1] active, int64_t[::1] snapshot) -> int:
    """:func:`_track_ridges` (unchecked; see :mod:`.ridge_kernel`)."""
    cdef Py_ssize_t n_lines
    with nogil:
        n_lines = _track_ridges(max_cols, n_max, max_distances, gap_thresh,
                                line_row, line_col, line_len, line_gap, active, snapshot)
    return n_lines


def window_noise(const double[::1] row0, Py_ssize_t column, Py_ssize_t half_window,
                 Py_ssize_t odd_window, double noise_perc, double row0_bound,
                 double[::1] scratch) -> tuple:
    """:func:`_window_noise` as ``(noise, bound, own)`` (unchecked; see :mod:`.ridge_kernel`)."""
    cdef double noise, bound
    cdef bint own
    noise = _window_noise(&row0[0], row0.shape[0], column, half_window, odd_window, noise_perc,
                          row0_bound, &scratch[0], &bound, &own)
    return noise, bound, bool(own)


def snr_verdict(double value, double value_bound, double noise, double noise_bound,
                double min_snr) -> int:
    """:func:`_snr_verdict`: 1 keep, 0 drop, -1 unsure."""
    return _snr_verdict(value, value_bound, noise, noise_bound, min_snr)


def own_noise_verdict(double value, double value_bound, double min_snr) -> int:
    """:func:`_own_noise_verdict`: 1 keep, 0 drop, -1 unsure."""
    return _own_noise_verdict(value, value_bound, min_snr)
