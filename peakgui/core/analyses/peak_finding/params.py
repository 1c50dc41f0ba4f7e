"""The parameters of scipy's ``find_peaks_cwt`` as a typed, validated value."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

import numpy as np


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
