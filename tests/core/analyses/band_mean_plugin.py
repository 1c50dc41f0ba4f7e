"""A lab's analysis as a separate distribution: "mean |x| over a band", for the plugin tests.

:func:`install` writes it into a folder as an installed distribution would be (a module plus a
``.dist-info`` with an ``entry_points.txt`` in the ``peakgui.analyses`` group), so a Python
started with that folder on its path finds it exactly as it would find a pip-installed package.

It ships a GUI view of its own (:data:`VIEW_MODULE`, a separate module the core never imports):
the declaration names it (``view=``), and the pixel detail it draws is a typed dataclass.
"""

from __future__ import annotations

from pathlib import Path

from tests.core.helpers import install_distribution

MODULE = '''
"""Mean |x| over a frequency band: the smallest analysis a lab might ship."""
import time
from dataclasses import dataclass

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


@dataclass(frozen=True)
class BandDetail:
    """The band the mean was taken over, in axis units, for the plugin's view."""
    lo: float
    hi: float
    points: int


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
    band = ctx.axis.values[_band(ctx, params)]
    return PixelDetail(spectrum=spectrum, values={k: float(v[0]) for k, v in out.items()},
                       detail=BandDetail(float(band.min()), float(band.max()), band.size))


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
    view="lab_band_mean_view:BandMeanView",
)
'''

VIEW_MODULE = '''
"""The band-mean plugin's GUI view: the band its mean was taken over, shaded on the spectrum."""
import pyqtgraph as pg

from lab_band_mean import BandDetail
from peakgui.gui.views import AnalysisView


class BandMeanView(AnalysisView):
    bad_label = "outside the band"

    def attach(self, plot, legend):
        super().attach(plot, legend)
        self.band = self.add_item(pg.LinearRegionItem(movable=False,
                                                      brush=pg.mkBrush(60, 160, 60, 50)))
        self.band.setVisible(False)

    def draw(self, detail, x, y, phase):
        band = detail.detail if detail is not None else None
        self.band.setVisible(isinstance(band, BandDetail))
        if isinstance(band, BandDetail):
            self.band.setRegion((band.lo, band.hi))

    def readout(self, detail, fields):
        band = detail.detail
        text = super().readout(detail, fields)
        return text if not isinstance(band, BandDetail) else f"{text} · band of {band.points}"
'''


def install(folder: Path) -> Path:
    """Write the plugin distribution into ``folder`` and return it (put it on the path)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "lab_band_mean_view.py").write_text(VIEW_MODULE)
    return install_distribution(folder, "lab_band_mean", MODULE, "band_mean")
