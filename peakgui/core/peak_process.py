"""PeakFinder: the tutorial's peak-amplitude analysis as a Process."""

from __future__ import annotations

import numpy as np
import scipy

from .engine import Process
from .errors import InputError
from .peaks import ALGORITHM, PeakParams, PixelTest, find_peaks_block, inspect_spectrum
from .results import ResultField
from .source import SpectralSource

RESPONSE = "Peak_Response"
FREQUENCY = "Peak_Frequency"
COUNT = "Peak_Count"
COUNT_MAX = np.iinfo(np.uint16).max
MIN_POINTS = 3  # find_peaks_cwt needs a neighbour on each side of a maximum


def peak_kernel(spectra: np.ndarray, params: PeakParams,
                axis_values: np.ndarray) -> dict[str, np.ndarray]:
    """Results for an (n, S) block; module-level so joblib and Dask workers can import it."""
    blk = find_peaks_block(spectra, params)
    return {
        RESPONSE: blk.amplitude.astype(np.float32),
        FREQUENCY: np.asarray(axis_values)[blk.index].astype(np.float32),
        COUNT: np.minimum(blk.count, COUNT_MAX).astype(np.uint16),
    }


class PeakFinder(Process):
    """Amplitude, frequency and count of the spectral peak at every position (and step)."""

    process_name = "Peak_Finding"

    def __init__(self, source: SpectralSource, params: PeakParams | None = None, **options):
        lay = source.layout
        if lay.n_points < MIN_POINTS:
            raise InputError(f"{source.dataset}: spectra along {lay.spectral.name} have only "
                             f"{lay.n_points} point(s); the peak finder needs at least "
                             f"{MIN_POINTS}")
        super().__init__(source, **options)
        self.params = params or PeakParams()

    def parameters(self) -> dict:
        return {**self.params.as_dict(), "spectral_dimension": self.source.layout.spectral.name}

    def result_fields(self) -> list[ResultField]:
        lay = self.source.layout
        units = self.source.info.units
        return [
            ResultField(RESPONSE, "float32", "Amplitude", units, np.nan),
            ResultField(FREQUENCY, "float32", lay.spectral.name, lay.spectral.units, np.nan),
            ResultField(COUNT, "uint16", "Peak count", "a. u.", 0),
        ]

    def kernel(self):
        return peak_kernel, (self.params, self.source.layout.spectral.values)

    def provenance(self) -> dict:
        return {"algorithm": ALGORITHM, "algorithm_version": f"scipy {scipy.__version__}"}

    def bytes_per_spectrum(self) -> int:
        # magnitude in float64 plus index/count bookkeeping; the CWT itself lives in the
        # kernel's fixed-size sub-block workspace
        return 8 * self.source.layout.n_points + 32

    def workspace_bytes(self) -> int:
        s = self.source.layout.n_points
        return 1024 * s * int(self.params.steps) * 8

    def prepare(self) -> None:
        """Load numba's compiled ridge kernel (about 0.5 s from its cache, seconds the first
        time) by running the fast path on one real spectrum."""
        find_peaks_block(self.source.read_position(0)[:1], self.params)

    def test(self, position: int, step: int = 0) -> PixelTest:
        """Full detail for one pixel (and one step along the other spectroscopic dims)."""
        spectra = self.source.read_position(position)
        return inspect_spectrum(spectra[step], self.params, self.source.layout.spectral.values)
