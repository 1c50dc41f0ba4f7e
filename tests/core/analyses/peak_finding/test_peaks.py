"""find_peaks_block against the real scipy.signal.find_peaks_cwt, spectrum by spectrum.

Over 20,000 spectra in total, most of them 119-bin Band Excitation responses. For every spectrum
the fast path decides, its peak array must equal scipy's; for every spectrum at all, the chosen
index, amplitude and count from find_peaks_block must equal what scipy's peaks give.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from peakgui.core.analyses.peak_finding.cwt_kernel import cwt_peaks
from peakgui.core.analyses.peak_finding.peaks import (
    PeakParams,
    choose_peak,
    find_peaks_block,
    inspect_spectrum,
    magnitude_of,
    reference_peaks,
)
from peakgui.core.demo.be import sho_response

BINS = 119


# --- data -----------------------------------------------------------------------------------


def sho_spectra(
    rng: np.random.Generator, n: int, bins: int = BINS, noise: tuple[float, float] = (0.0, 0.4)
) -> np.ndarray:
    """Complex responses of damped simple harmonic oscillators plus complex Gaussian noise.

    |response| = A w0^2 / sqrt((w0^2 - w^2)^2 + (w w0 / Q)^2), on a drive band around w0.
    """
    w = np.linspace(0.9, 1.1, bins)
    w0 = rng.uniform(0.9, 1.1, (n, 1))
    q = rng.uniform(5.0, 400.0, (n, 1))
    amplitude = rng.uniform(0.01, 3.0, (n, 1))
    phase = rng.uniform(-np.pi, np.pi, (n, 1))
    response = sho_response(w, amplitude[:, 0], w0[:, 0], q[:, 0], phase[:, 0])
    level = rng.uniform(*noise, (n, 1)) * amplitude
    jitter = rng.normal(size=(n, bins)) + 1j * rng.normal(size=(n, bins))
    return (response + level * jitter).astype(np.complex64)


# --- the oracle -------------------------------------------------------------------------------


def expected_choice(peaks: np.ndarray, n_points: int) -> int:
    """The tutorial's rule, written independently of choose_peak: nearest the centre, first wins."""
    centre = n_points // 2
    if len(peaks) == 0:
        return centre
    return int(min(peaks, key=lambda p: abs(int(p) - centre)))


def assert_matches_scipy(spectra: np.ndarray, params: PeakParams) -> float:
    """Check a block against scipy; returns the fraction the fast path left to scipy."""
    spectra = np.asarray(spectra)
    mag = magnitude_of(spectra)
    n, s = mag.shape
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # scipy divides by zero noise floors
        expected = [np.asarray(reference_peaks(row, params)) for row in mag]
        block = find_peaks_block(spectra, params)
        fast = cwt_peaks(mag, params, keep_peaks=True)
    for i in np.flatnonzero(~fast.undecided):
        assert_array_equal(fast.peaks_of(i), expected[i].astype(np.int64), err_msg=f"row {i}")
    index = np.array([expected_choice(p, s) for p in expected], dtype=np.int64)
    assert_array_equal(block.index, index)
    assert_array_equal(block.count, [len(p) for p in expected])
    assert block.amplitude.dtype == mag.dtype
    assert_array_equal(block.amplitude, mag[np.arange(n), index])
    return float(fast.undecided.mean()) if n else 0.0


# --- Band Excitation responses: the bulk ------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_sho_responses_match_scipy(seed):
    rng = np.random.default_rng(1000 + seed)
    undecided = assert_matches_scipy(sho_spectra(rng, 2000), PeakParams())
    assert undecided < 0.01  # the fast path answers nearly everything itself


@pytest.mark.parametrize("seed, kind", [(1, "float32"), (2, "float64"), (3, "complex64")])
def test_pure_noise_matches_scipy(seed, kind):
    rng = np.random.default_rng(seed)
    if kind == "complex64":
        data = (rng.normal(size=(1000, BINS)) + 1j * rng.normal(size=(1000, BINS))).astype(kind)
    else:
        data = rng.normal(size=(1000, BINS)).astype(kind)
    assert assert_matches_scipy(data, PeakParams()) < 0.01


# --- awkward inputs ---------------------------------------------------------------------------


def test_constants_zeros_and_spikes_match_scipy():
    rng = np.random.default_rng(5)
    levels = np.repeat([0.0, 1.0, 2.5, 1e-30, 1e30, -3.0], 5)
    constants = np.repeat(levels[:, None], BINS, axis=1)
    spikes = np.zeros((BINS, BINS), dtype=np.float32)
    spikes[np.arange(BINS), np.arange(BINS)] = 1.0
    spikes_on_noise = spikes * 10 + rng.random((BINS, BINS)).astype(np.float32)
    zeros = np.zeros((20, BINS), dtype=np.complex64)
    for block in (constants, spikes, spikes_on_noise, zeros):
        assert_matches_scipy(block, PeakParams())


def test_zero_spectra_are_answered_without_scipy():
    result = cwt_peaks(np.zeros((3, BINS), dtype=np.float32), PeakParams())
    assert not result.undecided.any()
    assert_array_equal(result.count, 0)


@pytest.mark.parametrize("scale", [1e-30, 1e30])
def test_extreme_scales_match_scipy(scale):
    rng = np.random.default_rng(int(np.log10(scale)) + 100)
    data = (sho_spectra(rng, 400) * np.complex64(scale)).astype(np.complex64)
    assert assert_matches_scipy(data, PeakParams()) < 0.01
    huge = rng.random((50, BINS)) * 1e300  # float64 beyond the safe range: scipy answers
    assert_matches_scipy(huge, PeakParams())


def test_nan_and_inf_are_handed_to_scipy():
    rng = np.random.default_rng(9)
    data = sho_spectra(rng, 300)
    rows = rng.choice(300, 150, replace=False)
    cols = rng.integers(0, BINS, 150)
    data[rows[:50], cols[:50]] = np.nan
    data[rows[50:100], cols[50:100]] = np.inf
    data[rows[100:], cols[100:]] = complex(np.nan, np.inf)
    assert_matches_scipy(data, PeakParams())
    assert cwt_peaks(magnitude_of(data), PeakParams()).undecided[rows].all()


LENGTHS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 16, 20, 31, 32, 50, 63, 64, 100, 118, 120, 121, 128]
LENGTHS += [199, 200, 201, 255, 256, 257, 300, 399, 400, 401, 511, 512, 513]


@pytest.mark.parametrize("n_points", LENGTHS)
def test_other_lengths_match_scipy(n_points):
    rng = np.random.default_rng(n_points)
    assert_matches_scipy(sho_spectra(rng, 30, bins=n_points), PeakParams())


@pytest.mark.parametrize("n_points", [700, 1024, 1500, 2000])
def test_long_spectra_match_scipy(n_points):
    rng = np.random.default_rng(n_points)
    assert_matches_scipy(sho_spectra(rng, 3, bins=n_points), PeakParams())


# --- parameters -------------------------------------------------------------------------------

PARAMS = [
    PeakParams(min_snr=0.0),
    PeakParams(min_snr=3.0),
    PeakParams(noise_perc=0.0),
    PeakParams(noise_perc=50.0),
    PeakParams(noise_perc=100.0),
    PeakParams(gap_thresh=0.0),
    PeakParams(gap_thresh=5.5),
    PeakParams(gap_thresh=-1.0),
    PeakParams(min_length=1),
    PeakParams(min_length=20),
    PeakParams(window_size=1),
    PeakParams(window_size=25),
    PeakParams(window_size=1, min_snr=2.0),  # the noise floor is the peak itself: SNR exactly 1
    PeakParams(noise_perc=100.0, min_snr=1.5),
    PeakParams(width_lo=2.0, width_hi=10.0, steps=9),
    PeakParams(width_lo=5.0, width_hi=5.0, steps=1),
    PeakParams(width_lo=0.5, width_hi=80.0, steps=64, min_snr=1.5, noise_perc=25.0),
    PeakParams(width_lo=3.3, width_hi=17.7, steps=12, gap_thresh=2, min_length=3, window_size=4),
]


@pytest.mark.parametrize("params", PARAMS, ids=range(len(PARAMS)))
def test_non_default_parameters_match_scipy(params):
    rng = np.random.default_rng(PARAMS.index(params))
    data = sho_spectra(rng, 160, noise=(0.0, 1.0))
    assert assert_matches_scipy(data, params) < 0.05


# --- generated spectra ------------------------------------------------------------------------


@st.composite
def spectra_blocks(draw):
    n_points = draw(st.integers(3, 260))
    n = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    kind = draw(st.sampled_from(["sho", "noise", "plateaus", "steps"]))
    if kind == "sho":
        data = sho_spectra(rng, n, bins=n_points).astype(np.complex128)
    elif kind == "noise":
        data = rng.normal(size=(n, n_points))
    elif kind == "plateaus":  # runs of equal values: exact ties in the CWT
        data = np.repeat(rng.integers(0, 4, (n, n_points // 3 + 1)), 3, axis=1)[:, :n_points]
    else:
        data = np.cumsum(rng.integers(-1, 2, (n, n_points)), axis=1).astype(float)
    data = data * 10.0 ** draw(st.integers(-30, 30))
    dtype = draw(st.sampled_from(["float32", "float64", "complex64"]))
    if np.iscomplexobj(data) and not dtype.startswith("complex"):
        data = np.abs(data)
    data = data.astype(dtype)
    for value in draw(st.lists(st.sampled_from([np.nan, np.inf, -np.inf]), max_size=3)):
        data[rng.integers(0, n), rng.integers(0, n_points)] = value
    params = draw(
        st.sampled_from([PeakParams(), PeakParams(width_lo=1.0, width_hi=6.0, steps=8)] + PARAMS)
    )
    return data, params


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(spectra_blocks())
def test_generated_spectra_match_scipy(block):
    data, params = block
    assert_matches_scipy(data, params)


# --- the choice rule and the block API --------------------------------------------------------


def test_choice_rule():
    assert choose_peak(np.array([], dtype=np.int64), 119) == 59  # no peak: the centre
    assert choose_peak(np.array([10]), 119) == 10  # one: that one
    assert choose_peak(np.array([10, 50, 100]), 119) == 50  # several: nearest the centre
    assert choose_peak(np.array([55, 63]), 119) == 55  # tie at distance 4: the first
    assert choose_peak(np.array([40, 40, 90]), 120) == 40  # duplicates are harmless


def test_no_peak_gives_the_centre_index_and_its_amplitude():
    zeros = np.zeros((2, BINS), dtype=np.complex64)
    responses = sho_spectra(np.random.default_rng(4), 3)
    for spectra, params in ((zeros, PeakParams()), (responses, PeakParams(min_snr=1e9))):
        block = find_peaks_block(spectra, params)
        assert_array_equal(block.index, 59)
        assert_array_equal(block.count, 0)
        assert block.amplitude.dtype == np.float32
        assert_array_equal(block.amplitude, np.abs(spectra[:, 59]))
        assert all(len(reference_peaks(m, params)) == 0 for m in magnitude_of(spectra))


def test_block_api_edges():
    empty = find_peaks_block(np.zeros((0, BINS), dtype=np.complex64), PeakParams())
    assert empty.index.shape == empty.count.shape == empty.amplitude.shape == (0,)
    with pytest.raises(ValueError):
        find_peaks_block(np.zeros(BINS), PeakParams())
    rng = np.random.default_rng(2)
    data = sho_spectra(rng, 4)
    block = find_peaks_block(data, PeakParams())
    detail = inspect_spectrum(data[0], PeakParams())
    assert detail.index == block.index[0] and detail.count == block.count[0]


def test_a_fast_path_run_does_not_load_scipy_signal():
    """scipy.signal costs ~0.3 s to import; only a fallback spectrum or the inspector needs it."""
    code = (
        "import sys, numpy as np\n"
        "from peakgui.core.analyses.peak_finding.peaks import PeakParams, find_peaks_block\n"
        "x = np.hanning(119)[None, :] + np.linspace(0, 0.1, 119)\n"
        "assert find_peaks_block(x, PeakParams()).count[0] == 1\n"
        "print(sorted(m for m in ('scipy.signal', 'numba') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
