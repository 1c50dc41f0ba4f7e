"""A lab's *chained* analysis as a separate distribution, for the chain tests: the mean of the
SHO piezoresponse A*cos(phi) over the DC steps of each field, and each loop less that mean.

It reads the SHO fit's results, not raw spectra (``input``), gets whole positions at a time
(``per_position``: every field's loop of a pixel) and writes one field per point of the loop
(``per_point``). :func:`install` writes it as an installed distribution would be, as
``band_mean_plugin`` does.
"""

from __future__ import annotations

from pathlib import Path

from tests.core.helpers import install_distribution

MODULE = '''
"""Mean piezoresponse over the DC steps of each field, from an SHO fit's results."""
import time

import numpy as np

from peakgui.core.analyses.declaration import (
    Analysis, Parameter, PixelDetail, ResultField, ResultsInput,
)


def piezoresponse(fields):
    return fields["Fit_Amplitude"].astype(np.float64) * np.cos(fields["Fit_Phase"])


def _fields(ctx):
    return [ResultField("Loop_Mean", "float64", "Piezoresponse", ctx.units, np.nan,
                        title="Mean piezoresponse"),
            ResultField("Loop_Span", "float64", "Piezoresponse", ctx.units, np.nan),
            ResultField("Centered_Loops", "float64", "Piezoresponse", ctx.units, np.nan,
                        per_point=True)]


def kernel(block, params, ctx):
    """(n, N, S) loops: n positions, N fields (and cycles), S DC steps."""
    if params["delay_ms"]:
        time.sleep(params["delay_ms"] / 1000)
    assert block.ndim == 3 and block.shape[2] == ctx.axis.size
    mean = block.mean(axis=2) * params["scale"]
    return {"Loop_Mean": mean, "Loop_Span": np.ptp(block, axis=2),
            "Centered_Loops": block - mean[:, :, None]}


def inspect(loops, params, ctx):
    out = kernel(loops[None], {**params, "delay_ms": 0}, ctx)
    return PixelDetail(spectrum=loops, values={k: float(v[0, 0]) for k, v in out.items()
                                               if v.ndim == 2},
                       extra={"steps": [d.name for d in ctx.steps]})


ANALYSIS = Analysis(
    name="loop_mean",
    title="Mean loop response",
    group_name="Loop_Mean",
    description="mean A*cos(phi) of the SHO fit over the DC steps of each field",
    parameters=(
        Parameter("scale", "Scale", float, 1.0, help="factor on the mean"),
        Parameter("delay_ms", "Delay", float, 0.0, unit="ms", minimum=0.0,
                  help="sleep per block (tests use it to interrupt a run)"),
    ),
    fields=_fields,
    kernel=kernel,
    inspect=inspect,
    input=ResultsInput("sho", "DC_Offset", ("Fit_Amplitude", "Fit_Phase"), piezoresponse,
                       quantity="Piezoresponse"),
    per_position=True,
    provenance=lambda: {"algorithm": "mean of A*cos(phi) over DC_Offset"},
)
'''


def install(folder: Path) -> Path:
    """Write the plugin distribution into ``folder`` and return it (put it on the path)."""
    return install_distribution(folder, "lab_loop_mean", MODULE, "loop_mean")
