"""Ridge lines and their SNR filter as ``find_peaks_cwt`` defines them, compiled with numba.

The CWT values handed in are ours, not scipy's; each is known to lie within ``bound[r]`` of
scipy's value for row r (see :func:`peakgui.core.analyses.peak_finding.cwt_operator.rounding_allowance`). Every
value-dependent decision (is this sample a strict local maximum? is this ridge's SNR below the
threshold?) is taken only when it holds for *every* value inside those intervals. If any
decision is unsure the spectrum is marked undecided and the caller asks scipy instead, so the
peaks reported for decided spectra equal scipy's exactly.

Everything else in scipy's procedure is integer bookkeeping, reproduced step by step:

* maxima are strict (``>``) against both neighbours; the first and last samples are never maxima
  (scipy's ``'clip'`` edge compares them with themselves);
* ridges start at the highest row that has maxima and are followed downwards; each maximum joins
  the line whose last column (as it was before this row) is nearest, the first such line in list
  order on ties, if that distance is ``<= max_distances[row]``, otherwise it starts a new line;
* each row every existing line's gap grows by one, joining resets it, and lines whose gap exceeds
  ``gap_thresh`` stop being followed (not checked on the starting row);
* a line's reported point is the last one it gained (scipy's row sort puts it first), its length
  is its number of points; short lines are dropped, then lines with ``|cwt / noise| < min_snr``.

Compiled lazily on first call and cached on disk (``cache=True``); ``nogil`` so threads can share
a process.
"""

from __future__ import annotations

import numpy as np
from numba import njit


def _compiled(func):
    """``njit(cache=True, nogil=True)``; without the on-disk cache where numba cannot place one
    (e.g. a frozen application without source files), then it compiles once per process."""
    try:
        return njit(cache=True, nogil=True)(func)
    except RuntimeError:
        return njit(nogil=True)(func)


UNIT_ROUNDOFF = 2.0**-53
RATIO_MARGIN = 1e-12
"""Relative slack on the SNR comparison: covers the roundings of the division and of our own
interval arithmetic (a handful of u each)."""


@_compiled
def _assemble_cwt(b, even, odd, general, mirror_rows, mirror_shift, general_rows, cwt):
    """One spectrum's (steps, S) CWT from the operator's products (see CwtOperator)."""
    s = cwt.shape[1]
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


@_compiled
def _find_maxima(cwt, thresholds, max_cols, n_max, is_max) -> bool:
    """Strict interior maxima of every row into ``max_cols[r, :n_max[r]]`` (ascending).

    A sample is surely a maximum when both differences to its neighbours exceed the row's
    threshold, surely not when one of them is below minus the threshold; anything else depends
    on rounding, and then the function returns False. The flag pass has no branches (it
    vectorises); the collecting pass skips eight flags at a time (``is_max`` is zero-padded to a
    multiple of 8 bytes), since maxima are rare.
    """
    steps, s = cwt.shape
    flag_words = is_max.view(np.uint64)
    unsure = False
    for r in range(steps):
        threshold = thresholds[r]
        row = cwt[r]
        row_unsure = False
        for j in range(1, s - 1):
            left = row[j] - row[j - 1]
            right = row[j] - row[j + 1]
            hit = (left > threshold) & (right > threshold)
            row_unsure |= (~hit) & (left >= -threshold) & (right >= -threshold)
            is_max[j] = hit
        unsure |= row_unsure
        found = 0
        for w in range(flag_words.shape[0]):
            if flag_words[w] != 0:
                for j in range(8 * w, 8 * w + 8):
                    if is_max[j]:
                        max_cols[r, found] = j
                        found += 1
        n_max[r] = found
    return not unsure


@_compiled
def _track_ridges(
    max_cols,
    n_max,
    max_distances,
    gap_thresh,
    line_row,
    line_col,
    line_len,
    line_gap,
    active,
    snapshot,
) -> int:
    """Follow ridge lines from the top row with maxima down to row 0; returns the line count.

    For each line we keep only what the filter needs: its last point and its length.
    ``active`` holds the followed lines in scipy's list order (creation order, with stopped
    lines removed), which decides ties between equally near lines.
    """
    start = n_max.shape[0] - 1
    while start >= 0 and n_max[start] == 0:
        start -= 1
    if start < 0:
        return 0
    n_lines = 0
    n_active = 0
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
                dist = abs(col - snapshot[i])
                if nearest < 0 or dist < nearest_dist:
                    nearest = i
                    nearest_dist = dist
            if nearest >= 0 and nearest_dist <= reach:
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
            if not (line_gap[line] > gap_thresh):
                active[kept] = line
                kept += 1
        n_active = kept
    return n_lines


@_compiled
def _window_noise(row0, column, half_window, odd_window, noise_perc, row0_bound, scratch):
    """scipy's noise floor at ``column`` (``scoreatpercentile`` of row 0 in a window).

    Returns ``(noise, bound, own)``: our value, how far scipy's can be from it, and whether the
    percentile surely *is* ``row0[column]`` itself in scipy's values too (an exact identity the
    caller can use: the SNR is then exactly 1). Order statistics move by at most the per-value
    bound; the linear interpolation adds a few roundings on each side.
    """
    s = row0.shape[0]
    start = max(column - half_window, 0)
    stop = min(column + half_window + odd_window, s)
    size = stop - start
    for i in range(size):
        scratch[i] = row0[start + i]
    position = noise_perc / 100.0 * (size - 1)
    lower = int(position)
    own = False
    if lower == position:
        centre = row0[column]
        below = 0
        above = 0
        for i in range(size):
            if scratch[i] < centre - 2.0 * row0_bound:
                below += 1
            elif scratch[i] > centre + 2.0 * row0_bound:
                above += 1
        own = below == lower and above == size - 1 - lower
    scratch[:size].sort()
    if lower == position:
        return scratch[lower], row0_bound, own
    upper = lower + 1
    w_lower = upper - position
    w_upper = position - lower
    weight_sum = w_lower + w_upper
    a = scratch[lower]
    c = scratch[upper]
    noise = (a * w_lower + c * w_upper) / weight_sum
    spread = max(abs(a), abs(c)) + row0_bound
    return noise, 1.01 * row0_bound + 16.0 * UNIT_ROUNDOFF * spread, own


@_compiled
def _snr_verdict(value, value_bound, noise, noise_bound, min_snr) -> int:
    """1: scipy keeps the line, 0: scipy drops it (``|value / noise| < min_snr``), -1: unsure."""
    if min_snr <= 0.0:
        return 1  # |v / n| is >= 0 or NaN, never below 0
    v = abs(value)
    n = abs(noise)
    v_low = v - value_bound
    v_high = v + value_bound
    n_low = n - noise_bound
    n_high = n + noise_bound
    if n_low > 0.0 and v_high < min_snr * n_low * (1.0 - RATIO_MARGIN):
        return 0
    if v_low > min_snr * n_high * (1.0 + RATIO_MARGIN):
        return 1
    return -1


@_compiled
def _own_noise_verdict(value, value_bound, min_snr) -> int:
    """The verdict when scipy's noise floor is the very sample the SNR divides.

    Then ``|v / v|`` is exactly 1 (or NaN if v is 0), whatever the rounding of v: common with
    ``window_size=1`` or a percentile that picks the window's maximum.
    """
    if min_snr <= 1.0:
        return 1  # neither 1.0 nor NaN is below min_snr
    if abs(value) > value_bound:
        return 0  # v != 0 in scipy's arithmetic too, so its SNR is exactly 1.0 < min_snr
    return -1


@_compiled
def peaks_from_cwt_block(
    x,
    even,
    odd,
    general,
    mirror_rows,
    mirror_shift,
    general_rows,
    row_abs_sum,
    bound_coefficient,
    bound_floor,
    max_magnitude,
    max_distances,
    gap_thresh,
    min_length,
    min_snr,
    noise_perc,
    window_size,
    peaks,
    count,
    chosen,
    undecided,
):
    """Peaks of every spectrum of a block whose outcome is certain; flags the others.

    ``x`` (n, S) are the float64 magnitudes, ``even``/``odd``/``general`` the operator's products
    for them. Writes ``peaks[b, :count[b]]`` (sorted, as scipy returns them), ``chosen[b]`` (the
    tutorial's choice) and ``undecided[b]`` (True: ask scipy; the other outputs are then unset).
    Spectra with a sample that is NaN, infinite or above ``max_magnitude`` are undecided.
    """
    n, s = x.shape
    steps = row_abs_sum.shape[0]
    capacity = peaks.shape[1]
    cwt = np.empty((steps, s))
    bounds = np.empty(steps)
    thresholds = np.empty(steps)
    max_cols = np.empty((steps, s), dtype=np.int64)
    n_max = np.empty(steps, dtype=np.int64)
    line_cap = steps * s + 1
    line_row = np.empty(line_cap, dtype=np.int64)
    line_col = np.empty(line_cap, dtype=np.int64)
    line_len = np.empty(line_cap, dtype=np.int64)
    line_gap = np.empty(line_cap, dtype=np.int64)
    active = np.empty(line_cap, dtype=np.int64)
    snapshot = np.empty(line_cap, dtype=np.int64)
    scratch = np.empty(s)
    is_max = np.zeros(8 * ((s + 7) // 8), dtype=np.bool_)  # padded for _find_maxima
    half_window = window_size // 2
    odd_window = window_size % 2
    centre = s // 2
    for b in range(n):
        undecided[b] = True
        count[b] = 0
        chosen[b] = centre
        top = 0.0
        usable = True
        for k in range(s):
            magnitude = abs(x[b, k])
            if not magnitude <= max_magnitude:  # NaN, inf or too large to bound safely
                usable = False
                break
            if magnitude > top:
                top = magnitude
        if not usable:
            continue
        if top == 0.0:
            # An all-zero spectrum has an all-zero CWT in any arithmetic: no strict maximum.
            undecided[b] = False
            continue
        for r in range(steps):
            bounds[r] = bound_coefficient * top * row_abs_sum[r] + bound_floor
            thresholds[r] = 2.0 * bounds[r]
        _assemble_cwt(b, even, odd, general, mirror_rows, mirror_shift, general_rows, cwt)
        if not _find_maxima(cwt, thresholds, max_cols, n_max, is_max):
            continue
        n_lines = _track_ridges(
            max_cols,
            n_max,
            max_distances,
            gap_thresh,
            line_row,
            line_col,
            line_len,
            line_gap,
            active,
            snapshot,
        )
        found = 0
        certain = True
        for line in range(n_lines):
            if line_len[line] < min_length:
                continue
            r0 = line_row[line]
            c0 = line_col[line]
            noise, noise_bound, own = _window_noise(
                cwt[0], c0, half_window, odd_window, noise_perc, bounds[0], scratch
            )
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
                if abs(peaks[b, i] - centre) < abs(best - centre):
                    best = peaks[b, i]
            chosen[b] = best
        count[b] = found
        undecided[b] = False
