"""The parameters of scipy's ``find_peaks_cwt``: declared once, and as a typed value.

``PARAMETERS`` is the one place their defaults and ranges are written: the GUI's form, the CLI's
options and the stored attributes read it, and :class:`PeakParams` takes its defaults from it.
Values are checked once, on their way in (:meth:`Analysis.values`); ``PeakParams`` trusts them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from peakgui.core.analyses.declaration import Parameter, ParamValues, below

PARAMETERS = (
    Parameter("width_lo", "Widths from", float, 20.0, unit="points", minimum=0.01,
              decimals=2, help="narrowest CWT wavelet width"),
    Parameter("width_hi", "Widths to", float, 60.0, unit="points", minimum=0.01,
              decimals=2, help="widest CWT wavelet width"),
    Parameter("steps", "Width steps", int, 30, minimum=1, maximum=1000,
              help="number of CWT widths, np.linspace(from, to, steps)"),
    Parameter("min_snr", "Min SNR", float, 1.0, minimum=0.0, decimals=2,
              help="smallest signal-to-noise ratio a ridge line must reach"),
    Parameter("noise_perc", "Noise percentile", float, 10.0, unit="%", minimum=0.0,
              maximum=100.0, decimals=1, help="percentile of the smallest-width CWT taken "
              "as the noise floor"),
    Parameter("gap_thresh", "Gap threshold", float, None, unit="widths", minimum=0.0,
              optional=True, help="find_peaks_cwt's gap_thresh (default: its own)"),
    Parameter("min_length", "Min ridge length", float, None, unit="widths", minimum=0.0,
              optional=True, help="find_peaks_cwt's min_length (default: its own)"),
    Parameter("window_size", "Noise window", int, None, unit="points", minimum=1,
              optional=True, help="find_peaks_cwt's window_size (default: its own)"),
)
_DEFAULT: dict[str, Any] = {p.name: p.default for p in PARAMETERS}


def check_widths(values: ParamValues) -> None:
    """The one rule across parameters (each one's own range is in its declaration)."""
    below(PARAMETERS, values, "width_lo", "width_hi", strict=False)


@dataclass(frozen=True)
class PeakParams:
    """Parameters of find_peaks_cwt as a microscopist sets them.

    ``None`` keeps scipy's default for that argument (derived from the widths or the length).
    """

    width_lo: float = _DEFAULT["width_lo"]
    width_hi: float = _DEFAULT["width_hi"]
    steps: int = _DEFAULT["steps"]
    min_snr: float = _DEFAULT["min_snr"]
    noise_perc: float = _DEFAULT["noise_perc"]
    gap_thresh: float | None = _DEFAULT["gap_thresh"]
    min_length: float | None = _DEFAULT["min_length"]
    window_size: int | None = _DEFAULT["window_size"]

    def widths(self) -> np.ndarray:
        """The CWT widths, as the tutorial builds them with ``np.linspace``."""
        return np.linspace(self.width_lo, self.width_hi, int(self.steps))

    def scipy_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``find_peaks_cwt`` (the ones left at None are omitted)."""
        kw: dict[str, Any] = {"min_snr": self.min_snr, "noise_perc": self.noise_perc}
        for name in ("gap_thresh", "min_length", "window_size"):
            value = getattr(self, name)
            if value is not None:
                kw[name] = value
        return kw

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> PeakParams:
        """Build from a mapping such as validated parameter values; unknown keys are ignored."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})
