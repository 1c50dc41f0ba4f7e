"""The peak-finding science: find_peaks_cwt on |spectrum| and the tutorial's choice rule.

Everything here is a pure function on arrays. ``find_peaks_block`` is the batch entry point the
engine calls for a block of spectra; its peak indices equal ``scipy.signal.find_peaks_cwt`` on
every spectrum, exactly. ``reference_peaks`` is that scipy call, kept as the definition of
correctness and as the fallback for spectra whose fast-path decisions are too close to call.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

import numpy as np

ALGORITHM = "scipy.signal.find_peaks_cwt"


@dataclass(frozen=True)
class PeakParams:
    """Parameters of find_peaks_cwt as a microscopist sets them.

    ``None`` keeps scipy's default for that argument (derived from the widths or the length).
    """

    width_lo: float = 20.0
    width_hi: float = 60.0
    steps: int = 30
    min_snr: float = 1.0
    noise_perc: float = 10.0
    gap_thresh: float | None = None
    min_length: float | None = None
    window_size: int | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.width_lo) and math.isfinite(self.width_hi)):
            raise ValueError("peak widths must be finite numbers")
        if not 0 < self.width_lo <= self.width_hi:
            raise ValueError("peak widths need 0 < low <= high")
        if int(self.steps) != self.steps or self.steps < 1:
            raise ValueError("steps must be a whole number >= 1")
        if not 0 <= self.noise_perc <= 100:
            raise ValueError("noise percentile must lie in [0, 100]")
        if not math.isfinite(self.min_snr) or self.min_snr < 0:
            raise ValueError("min SNR must be a finite number >= 0")
        if self.window_size is not None and self.window_size < 1:
            raise ValueError("window size must be >= 1")

    def widths(self) -> np.ndarray:
        """The CWT widths, as the tutorial builds them with ``np.linspace``."""
        return np.linspace(self.width_lo, self.width_hi, int(self.steps))

    def scipy_kwargs(self) -> dict:
        """Keyword arguments for ``find_peaks_cwt`` (the ones left at None are omitted)."""
        kw: dict = {"min_snr": self.min_snr, "noise_perc": self.noise_perc}
        for name in ("gap_thresh", "min_length", "window_size"):
            value = getattr(self, name)
            if value is not None:
                kw[name] = value
        return kw

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> PeakParams:
        """Build from a mapping such as HDF5 attributes; unknown keys are ignored."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})


@dataclass
class PeakBlock:
    """Per-spectrum results for a block of n spectra."""

    index: np.ndarray  # (n,) int64, the chosen peak index
    amplitude: np.ndarray  # (n,) |x[index]| in the source's magnitude dtype
    count: np.ndarray  # (n,) int64, how many peaks find_peaks_cwt returned

    def frequency(self, axis_values: np.ndarray) -> np.ndarray:
        """The spectroscopic value at each chosen index."""
        return np.asarray(axis_values)[self.index]


@dataclass
class PixelTest:
    """Everything the pixel inspector shows for one spectrum."""

    magnitude: np.ndarray  # |x|
    peaks: np.ndarray  # every index find_peaks_cwt returned
    index: int  # the chosen one
    amplitude: float
    frequency: float
    count: int


def reference_peaks(magnitude: np.ndarray, params: PeakParams) -> np.ndarray:
    """scipy's find_peaks_cwt on one magnitude spectrum: the definition of correct."""
    from scipy.signal import find_peaks_cwt  # scipy.signal takes ~1 s to import: not at start-up
    return find_peaks_cwt(magnitude, params.widths(), **params.scipy_kwargs())


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
    return np.abs(spectra)


def find_peaks_block(spectra: np.ndarray, params: PeakParams) -> PeakBlock:
    """Peak index, amplitude and count for every row of an (n, S) block.

    The fast path (:mod:`peakgui.core.cwt_kernel`: one BLAS product for the CWT, numba for the
    ridge lines) answers every spectrum whose result it can prove equal to scipy's; the rest —
    near-ties, NaN/Inf, shapes without a fast operator — go through :func:`reference_peaks`.
    """
    mag = magnitude_of(np.asarray(spectra))
    if mag.ndim != 2:
        raise ValueError(f"expected an (n, S) block, got shape {mag.shape}")
    n, s = mag.shape
    # Imported here so that importing this module stays cheap (numba loads on first use).
    from .cwt_kernel import cwt_peaks

    fast = cwt_peaks(mag, params)
    index = fast.chosen
    count = fast.count
    for i in np.flatnonzero(fast.undecided):
        peaks = reference_peaks(mag[i], params)
        count[i] = len(peaks)
        index[i] = choose_peak(peaks, s)
    amplitude = mag[np.arange(n), index] if n else np.empty(0, dtype=mag.dtype)
    return PeakBlock(index=index, amplitude=amplitude, count=count)


def inspect_spectrum(spectrum: np.ndarray, params: PeakParams, axis_values: np.ndarray) -> PixelTest:
    """Full detail for one spectrum, for the pixel test and the GUI's inspector."""
    mag = magnitude_of(np.asarray(spectrum))
    peaks = np.asarray(reference_peaks(mag, params), dtype=np.int64)
    idx = choose_peak(peaks, len(mag))
    return PixelTest(
        magnitude=mag,
        peaks=peaks,
        index=idx,
        amplitude=float(mag[idx]),
        frequency=float(np.asarray(axis_values)[idx]),
        count=len(peaks),
    )

