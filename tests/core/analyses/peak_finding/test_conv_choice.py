"""The fast path's prediction of scipy's direct/FFT choice, against scipy's own answer.

The operator is exact only if scipy convolves directly; cwt_operator predicts that from scipy's
cost model so that building an operator needs no ``scipy.signal`` import. If a scipy release
changes its model, this test says so.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy.signal import choose_conv_method

from peakgui.core.analyses.peak_finding.cwt_operator import (
    OPERATOR_BUDGET_BYTES,
    scipy_convolves_directly,
)


@pytest.mark.parametrize("n_points", [3, 4, 17, 64, 119, 120, 256, 333, 523, 700, 2000, 5000, 20000])
def test_prediction_equals_scipys_choice(n_points):
    for kernel_length in sorted({1, 2, 3, n_points // 7 + 1, n_points // 2, n_points - 1, n_points}):
        expected = choose_conv_method(np.zeros(n_points), np.zeros(kernel_length), mode="same")
        assert scipy_convolves_directly(n_points, kernel_length) == (expected == "direct")


def test_operators_for_the_default_widths_do_not_import_scipy_signal():
    """Every spectrum length the default 30 widths get an operator for is a clear case."""
    code = (
        "import sys\n"
        "from peakgui.core.analyses.peak_finding.cwt_operator import cwt_operator, widths_key\n"
        "from peakgui.core.analyses.peak_finding.params import PeakParams\n"
        "key = widths_key(PeakParams().widths())\n"
        "built = [s for s in range(3, 2000) if cwt_operator(s, key) is not None]\n"
        "print(max(built), 'scipy.signal' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    largest, imported = out.stdout.split()
    assert 8 * int(largest) ** 2 * 30 <= OPERATOR_BUDGET_BYTES < 8 * (int(largest) + 1) ** 2 * 30
    assert imported == "False"
