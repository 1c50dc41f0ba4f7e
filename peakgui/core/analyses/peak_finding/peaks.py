"""The peak-finding science: find_peaks_cwt on |spectrum| and the tutorial's choice rule.

Everything here is a pure function on arrays. ``find_peaks_block`` is the batch entry point the
engine calls for a block of spectra; its peak indices equal ``scipy.signal.find_peaks_cwt`` on
every spectrum, exactly. ``reference_peaks`` is that scipy call, kept as the definition of
correctness and as the fallback for spectra whose fast-path decisions are too close to call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from peakgui.core.analyses.peak_finding.cwt_kernel import cwt_peaks
from peakgui.core.analyses.peak_finding.lazy_scipy import scipy_signal

# re-exported: the block and pixel entry points are called with it
from peakgui.core.analyses.peak_finding.params import PeakParams as PeakParams

ALGORITHM = "scipy.signal.find_peaks_cwt"


@dataclass
class PeakBlock:
    """Per-spectrum results for a block of n spectra."""

    index: np.ndarray  # (n,) int64, the chosen peak index
    amplitude: np.ndarray  # (n,) |x[index]| in the source's magnitude dtype
    count: np.ndarray  # (n,) int64, how many peaks find_peaks_cwt returned


@dataclass
class PixelTest:
    """Everything the pixel inspector shows for one spectrum."""

    magnitude: np.ndarray  # |x|
    peaks: np.ndarray  # every index find_peaks_cwt returned
    index: int  # the chosen one
    amplitude: float
    count: int


def reference_peaks(magnitude: np.ndarray, params: PeakParams) -> np.ndarray:
    """scipy's find_peaks_cwt on one magnitude spectrum: the definition of correct. A spectrum
    with NaN/Inf gets scipy's answer too, without its 'invalid value' warnings (the results
    say what became of such a spectrum)."""
    with np.errstate(invalid="ignore"):
        return np.asarray(scipy_signal().find_peaks_cwt(magnitude, params.widths(),
                                                        **params.scipy_kwargs()))


def choose_peak(peaks: np.ndarray, n_points: int) -> int:
    """The tutorial's rule: none -> centre; several -> the one closest to the centre (first on
    ties, as argmin); one -> that one."""
    centre = n_points // 2
    if len(peaks) == 0:
        return centre
    peaks = np.asarray(peaks)
    return int(peaks[np.argmin(np.abs(peaks - centre))])


def magnitude_of(spectra: np.ndarray) -> np.ndarray:
    """|x| in the dtype numpy gives (float32 for complex64), exactly as the tutorial feeds scipy."""
    return np.asarray(np.abs(spectra))


def find_peaks_block(spectra: np.ndarray, params: PeakParams) -> PeakBlock:
    """Peak index, amplitude and count for every row of an (n, S) block.

    The fast path (:mod:`peakgui.core.analyses.peak_finding.cwt_kernel`: one BLAS product for
    the CWT, compiled Cython for the ridge lines) answers every spectrum whose result it can prove equal to scipy's; the rest —
    near-ties, NaN/Inf, shapes without a fast operator — go through :func:`reference_peaks`.
    """
    mag = magnitude_of(np.asarray(spectra))
    if mag.ndim != 2:
        raise ValueError(f"expected an (n, S) block, got shape {mag.shape}")
    n, s = mag.shape
    fast = cwt_peaks(mag, params)
    index = fast.chosen
    count = fast.count
    for i in np.flatnonzero(fast.undecided):
        peaks = reference_peaks(mag[i], params)
        count[i] = len(peaks)
        index[i] = choose_peak(peaks, s)
    amplitude = mag[np.arange(n), index] if n else np.empty(0, dtype=mag.dtype)
    return PeakBlock(index=index, amplitude=amplitude, count=count)


def inspect_spectrum(spectrum: np.ndarray, params: PeakParams) -> PixelTest:
    """Full detail for one spectrum, for the pixel test and the GUI's inspector."""
    mag = magnitude_of(np.asarray(spectrum))
    peaks = np.asarray(reference_peaks(mag, params), dtype=np.int64)
    idx = choose_peak(peaks, len(mag))
    return PixelTest(
        magnitude=mag,
        peaks=peaks,
        index=idx,
        amplitude=float(mag[idx]),
        count=len(peaks),
    )

