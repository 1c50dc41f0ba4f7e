"""A lab's analysis as a separate distribution: "mean |x| over a band", for the plugin tests.

:func:`install` writes it into a folder as an installed distribution would be (a module plus a
``.dist-info`` with an ``entry_points.txt`` in the ``peakgui.analyses`` group), so a Python
started with that folder on its path finds it exactly as it would find a pip-installed package.
"""

from __future__ import annotations

from pathlib import Path

from tests.core.helpers import install_distribution

MODULE = '''
"""Mean |x| over a frequency band: the smallest analysis a lab might ship."""
import time

import numpy as np

from peakgui.core.analyses.declaration import (
    Analysis, Parameter, PixelDetail, ResultField, SpectralContext,
)


def _band(ctx, params):
    values = ctx.axis.values
    lo = values.min() if params["band_lo"] is None else params["band_lo"]
    hi = values.max() if params["band_hi"] is None else params["band_hi"]
    inside = (values >= lo) & (values <= hi)
    if not inside.any():
        raise ValueError("the band holds no point of the axis")
    return inside


def _fields(ctx):
    return [ResultField("Band_Mean", "float32", "Amplitude", ctx.units, np.nan,
                        title="Mean |x| in band"),
            ResultField("Band_Points", "uint16", "Points", "", 0)]


def kernel(block, params, ctx):
    if params["delay_ms"]:
        time.sleep(params["delay_ms"] / 1000)
    inside = _band(ctx, params)
    mag = np.abs(block[:, inside]).astype(np.float64)
    return {"Band_Mean": mag.mean(axis=1).astype(np.float32),
            "Band_Points": np.full(len(block), inside.sum(), dtype=np.uint16)}


def inspect(spectrum, params, ctx):
    out = kernel(spectrum[None, :], {**params, "delay_ms": 0}, ctx)
    return PixelDetail(spectrum=spectrum, values={k: float(v[0]) for k, v in out.items()})


ANALYSIS = Analysis(
    name="band_mean",
    title="Mean |x| over a band",
    group_name="Band_Mean",
    description="the mean magnitude between two frequencies",
    parameters=(
        Parameter("band_lo", "Band from", float, None, unit="Hz", optional=True,
                  help="lowest frequency of the band"),
        Parameter("band_hi", "Band to", float, None, unit="Hz", optional=True,
                  help="highest frequency of the band"),
        Parameter("delay_ms", "Delay", float, 0.0, unit="ms", minimum=0.0,
                  help="sleep per block (tests use it to interrupt a run)"),
    ),
    fields=_fields,
    kernel=kernel,
    inspect=inspect,
    provenance=lambda: {"algorithm": "mean of |x| in [band_lo, band_hi]"},
)
'''


def install(folder: Path) -> Path:
    """Write the plugin distribution into ``folder`` and return it (put it on the path)."""
    return install_distribution(folder, "lab_band_mean", MODULE, "band_mean")
