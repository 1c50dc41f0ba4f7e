"""The compiled ridge kernel releases the GIL for its whole pass over a block.

No timing: the kernel writes each spectrum's outputs as it goes, so a Python thread that can
look at them *while* a call is running sees a block that is partly written. Were the GIL held,
the main thread could look only before a call starts or after it ends (all or nothing), in any
number of tries; a busy machine may only make it take more tries to catch one in the act.
"""

from __future__ import annotations

import threading

import numpy as np

from peakgui.core.analyses.peak_finding import _ridge, cwt_kernel
from peakgui.core.analyses.peak_finding.cwt_operator import (
    cwt_operator,
    rounding_allowance,
    widths_key,
)
from peakgui.core.analyses.peak_finding.params import PeakParams

SPECTRA = 1500  # ~10 ms per call on one core; the operator's products take ~45 MB
TRIES = 40


def _block_call(n: int):
    """Arguments for one kernel call on n copies of a resonance, and its ``count`` output."""
    params = PeakParams()
    widths = params.widths()
    s = 119
    spectrum = 1.0 / (1.0 + ((np.arange(s) - 60.0) / 6.0) ** 2)
    op = cwt_operator(s, widths_key(widths))
    x = np.ascontiguousarray(np.tile(spectrum, (n, 1)))
    even, odd, general = op.transform(x)
    coefficient, floor = rounding_allowance(s)
    gap, length, window = cwt_kernel._scipy_defaults(params, s, widths)
    count = np.full(n, -1, dtype=np.int64)
    args = (
        x, even, odd, general, op.mirror_rows, op.mirror_shift, op.general_rows, op.row_abs_sum,
        coefficient, floor, cwt_kernel.MAX_SAFE_MAGNITUDE, widths / 4.0, gap, length,
        float(params.min_snr), float(params.noise_perc), window,
        np.empty((n, 4), dtype=np.int64), count, np.empty(n, dtype=np.int64),
        np.empty(n, dtype=np.uint8),
    )  # fmt: skip
    return args, count


def test_the_block_result_is_the_single_spectrum_result():
    args, count = _block_call(50)
    _ridge.peaks_from_cwt_block(*args)
    assert (count == 1).all()  # one clear resonance, decided for every copy


def test_python_runs_while_the_kernel_works():
    args, count = _block_call(SPECTRA)
    caught = False
    for _ in range(TRIES):
        count[:] = -1
        worker = threading.Thread(target=_ridge.peaks_from_cwt_block, args=args)
        worker.start()
        while worker.is_alive() and not caught:
            written = int(np.count_nonzero(count >= 0))
            caught = 0 < written < SPECTRA
        worker.join()
        assert (count == 1).all()
        if caught:
            break
    assert caught, f"in {TRIES} calls the main thread never ran while the kernel was working"
