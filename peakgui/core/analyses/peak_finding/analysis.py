"""Peak finding, the tutorial's analysis: amplitude, position and count of the spectral peak.

The declaration the engine, the CLI and the GUI read. Results keep the names and meaning they had
before analyses were plugins (``Peak_Response``, ``Peak_Frequency``, ``Peak_Count``), so earlier
results groups are found and reused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from peakgui.core.analyses.declaration import (
    Analysis,
    FieldKind,
    ParamValues,
    PixelDetail,
    ResultField,
    SpectralContext,
)
from peakgui.core.analyses.peak_finding.cwt_kernel import MAX_SUB_BLOCK
from peakgui.core.analyses.peak_finding.lazy_scipy import scipy
from peakgui.core.analyses.peak_finding.params import PARAMETERS, PeakParams, check_widths
from peakgui.core.analyses.peak_finding.peaks import ALGORITHM, find_peaks_block, inspect_spectrum
from peakgui.core.labels import in_sentence

RESPONSE = "Peak_Response"
FREQUENCY = "Peak_Frequency"
COUNT = "Peak_Count"
COUNT_MAX = np.iinfo(np.uint16).max
MIN_POINTS = 3  # find_peaks_cwt needs a neighbour on each side of a maximum


def _fields(ctx: SpectralContext) -> list[ResultField]:
    return [
        ResultField(RESPONSE, "float32", "Amplitude", ctx.units, np.nan, title="Peak amplitude"),
        ResultField(FREQUENCY, "float32", ctx.axis.name, ctx.axis.units, np.nan,
                    title=f"Peak {in_sentence(ctx.axis.name)}"),
        ResultField(COUNT, "uint16", "Peak count", "", 0, kind=FieldKind.COUNT,
                    title="Peak count"),
    ]


def peak_kernel(spectra: np.ndarray, params: ParamValues,
                ctx: SpectralContext) -> dict[str, np.ndarray]:
    """Results for an (n, S) block; module-level so joblib and Dask workers can import it."""
    blk = find_peaks_block(spectra, PeakParams.from_dict(params))
    return {
        RESPONSE: blk.amplitude.astype(np.float32),
        FREQUENCY: ctx.axis.value_at(blk.index).astype(np.float32),
        COUNT: np.minimum(blk.count, COUNT_MAX).astype(np.uint16),
    }


@dataclass(frozen=True)
class PeakDetail:
    """What the peak-finding view draws at one pixel (``PixelDetail.detail``)."""

    magnitude: np.ndarray  # (S,) |x|, what the peaks were searched in
    peaks: np.ndarray  # bins of every peak found
    index: int  # the chosen bin (the centre one when none was found)
    phase: float  # the phase at the chosen bin (NaN for real data)


def peak_inspect(spectrum: np.ndarray, params: ParamValues, ctx: SpectralContext) -> PixelDetail:
    """Every peak find_peaks_cwt returns for one spectrum, the chosen one and its values."""
    t = inspect_spectrum(spectrum, PeakParams.from_dict(params))
    frequency = float(ctx.axis.value_at(t.index))
    notes = []
    if t.count == 0:
        notes.append("no peak found: the centre bin was taken")
    phase = float(np.angle(spectrum[t.index])) if np.iscomplexobj(spectrum) else float("nan")
    return PixelDetail(
        spectrum=np.asarray(spectrum),
        values={RESPONSE: t.amplitude, FREQUENCY: frequency, COUNT: t.count},
        notes=notes,
        detail=PeakDetail(t.magnitude, t.peaks, int(t.index), phase),
    )


def _provenance() -> dict[str, str]:
    return {"algorithm": ALGORITHM, "algorithm_version": f"scipy {scipy.__version__}"}


def _prepare(params: ParamValues, ctx: SpectralContext) -> None:
    """Run the fast path once on a synthetic resonance, so its one-off costs are paid now."""
    x = np.arange(ctx.n_points, dtype=np.float64)
    probe = 1.0 / (1.0 + ((x - ctx.n_points / 2) / max(ctx.n_points / 10, 1.0)) ** 2)
    find_peaks_block(probe[None, :], PeakParams.from_dict(params))


ANALYSIS = Analysis(
    name="peak_finding",
    title="Peak finding",
    group_name="Peak_Finding",
    description="Amplitude, position and count of the spectral peak (scipy's find_peaks_cwt "
    "on |x|; the peak closest to the centre; the centre when none is found)",
    parameters=PARAMETERS,
    fields=_fields, kernel=peak_kernel, inspect=peak_inspect, provenance=_provenance,  # what it computes
    min_points=MIN_POINTS,
    releases_gil=True,  # the CWT product (BLAS) and the compiled ridge pass both let go of it
    validate=check_widths,
    # magnitude in float64 plus index/count bookkeeping; the CWT itself lives in the
    # kernel's fixed-size sub-block workspace
    bytes_per_spectrum=lambda s, p: 8 * s + 32,
    workspace_bytes=lambda s, p: MAX_SUB_BLOCK * s * int(p["steps"]) * 8,
    prepare=_prepare,
    bad=lambda values: values[COUNT] == 0,  # no peak found: the centre bin was taken
    bad_needs=(COUNT,),
)
