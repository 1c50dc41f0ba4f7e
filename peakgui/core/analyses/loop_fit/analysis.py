"""Loop fit per pixel, chained after the SHO fit: switching loops and their parameters.

Each position's SHO responses A e^{i phi} over the DC steps (per field and cycle) are projected
onto real loops (:mod:`.projection`), every loop is guessed and fitted with BGlib's 9-parameter
model by the compiled kernel (:mod:`.fit`), and the parameters become BGlib's switching values
(:mod:`.switching`) with standard errors (:mod:`.uncertainty`) and model-free cross-checks
(:mod:`.metrics`). Results are per step (field, cycle) of a position; the projected loops are
stored per point. ``docs/loops.md`` says where and why this differs from BGlib.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping

import numpy as np

from peakgui.core.analyses.declaration import (
    Analysis,
    DerivedField,
    FitQuality,
    Parameter,
    ParamValues,
    PixelDetail,
    ResultsInput,
    SpectralContext,
)
from peakgui.core.analyses.loop_fit.branches import FALLING, RISING, branches, sweeps_both_ways
from peakgui.core.analyses.loop_fit.detail import LoopCurves, LoopDetail
from peakgui.core.analyses.loop_fit.fields import (
    LOOPS,
    STAGES,
    STATUS,
    error_field,
    field_units,
    metric_field,
    param_field,
    result_fields,
    switching_field,
)
from peakgui.core.analyses.loop_fit.fit import MAX_STARTS, LoopFitSettings, fit_loops
from peakgui.core.analyses.loop_fit.metrics import loop_metrics
from peakgui.core.analyses.loop_fit.model import PARAM_NAMES, loop_model
from peakgui.core.analyses.loop_fit.projection import SIGN_CONVENTIONS, project_loops
from peakgui.core.analyses.loop_fit.status import LoopStatus
from peakgui.core.analyses.loop_fit.switching import switching_parameters
from peakgui.core.analyses.loop_fit.uncertainty import derived_errors, parameter_errors
from peakgui.core.labels import plain_label

ALGORITHM = ("Loop fit: principal-direction projection, model-free guess, multi-start bounded "
             "Levenberg-Marquardt (PeakGUI, compiled)")
ALGORITHM_VERSION = "1"
MODEL = ("a_0 + a_1 (g erf((V - a) / g) + b_lo) / (b_lo + b_hi) + a_4 V, "
         "g = (b_hi - b_lo) / 2 (erf(1000 (V - a)) + 1) + b_lo; falling branch a = a_2, "
         "b_lo, b_hi = b_0, b_1; rising branch a = a_3, b_2, b_3 (BGlib loop_fit_function)")
POOR_R2 = 0.9  # below this a fit is masked and inspect() warns
UNCERTAIN = 0.1  # sigma(V+) or sigma(V-) above this fraction of V+ - V-: masked as uncertain
DENSE = 201  # points per branch of the model curves inspect() returns
MIN_STEPS = 10  # more DC steps than the model's 9 parameters

PARAMETERS = (
    Parameter("sign", "Sign convention", str, "area", choices=SIGN_CONVENTIONS,
              help="area: the loop encloses a positive area, so a_1 > 0 for a loop switching "
              "up at V+ (BGlib's rule); plateaus: the high-voltage end above the low one; "
              "phase: no flip"),
    Parameter("phase_offset", "Phase offset", float, None, unit="rad", optional=True,
              minimum=-2 * np.pi, maximum=2 * np.pi, decimals=4,
              help="project onto this fixed direction (A cos(phi - offset)) instead of the "
              "principal direction of the responses"),
    Parameter("direction", "One direction per", str, "position", choices=("position", "step"),
              help="position: fields and cycles of a pixel share one projection direction; "
              "step: each field (and cycle) gets its own"),
    Parameter("starts", "Starts", int, 4, minimum=1, maximum=MAX_STARTS,
              help="fits started per loop (the guess, sharper and broader transitions, the "
              "integral estimates of V+ and V-, no slope); the lowest cost is kept"),
    Parameter("max_iter", "Max iterations", int, 200, minimum=1, maximum=100000,
              help="model evaluations allowed per start"),
    Parameter("width_min", "Width from", float, None, unit="V", optional=True, minimum=0.0,
              decimals=4, help="lower bound of b_0..b_3 (default: a quarter of the DC step)"),
    Parameter("nucleation", "Nucleation fraction", float, 0.03, minimum=1e-4, maximum=0.5,
              decimals=4, help="fraction of the switching at the nucleation biases"),
)


def sho_to_complex(values: dict[str, np.ndarray]) -> np.ndarray:
    """The chained input: the SHO fit's A e^{i phi}."""
    return values["Fit_Amplitude"] * np.exp(1j * values["Fit_Phase"])


def settings(params: ParamValues) -> LoopFitSettings:
    """The compiled fit's settings from validated parameter values."""
    return LoopFitSettings(n_starts=params["starts"], max_iter=params["max_iter"],
                           width_min=params["width_min"])


def _compute(spectra: np.ndarray, params: ParamValues,
             ctx: SpectralContext) -> dict[str, np.ndarray]:
    """Everything for an (n, N, S) block, as float64 arrays shaped (n, N) and (n, N, S)."""
    x = np.asarray(spectra)
    if x.ndim == 2:
        x = x[:, None, :]
    n, steps, size = x.shape
    v = np.asarray(ctx.axis.values, dtype=np.float64)
    proj = project_loops(x, v, params["sign"], params["phase_offset"],
                         per_step=params["direction"] == "step")
    res = fit_loops(proj.loops.reshape(n * steps, size), v, settings(params))
    shape = (n, steps)
    out: dict[str, np.ndarray] = {}
    for stage, table in (("Fit", res.fit), ("Guess", res.guess)):
        for c, name in enumerate((*PARAM_NAMES, "R2 Criterion")):
            out[param_field(stage, name)] = table[:, c].reshape(shape)
        sw = switching_parameters(table[:, :9], float(v.min()), float(v.max()),
                                  params["nucleation"])
        for name, val in sw.items():
            out[switching_field(stage, name)] = val.reshape(shape)
    for name, val in zip(PARAM_NAMES, parameter_errors(res.cov).T):
        out[error_field(name)] = val.reshape(shape)
    for name, val in derived_errors(res.cov).items():
        out[error_field(name)] = val.reshape(shape)
    for name, val in loop_metrics(v, res.labels, proj.loops, proj.angle, proj.offset).items():
        out[metric_field(name)] = val
    out[STATUS] = res.status.reshape(shape)
    out[LOOPS] = proj.loops
    out["_cov"] = res.cov.reshape(n, steps, 9, 9)
    out["_angle"] = proj.angle
    out["_labels"] = res.labels
    return out


def loop_fit_kernel(spectra: np.ndarray, params: ParamValues,
                    ctx: SpectralContext) -> dict[str, np.ndarray]:
    """Results for an (n, N, S) block of whole positions (N steps of S DC points each);
    module-level so joblib and Dask workers can import it."""
    out = _compute(spectra, params, ctx)
    return {f.name: out[f.name].astype(f.dtype) for f in result_fields(ctx)}


def step_labels(ctx: SpectralContext, steps: int) -> list[str]:
    """``Field = 1, Cycle = 0``...: one label per step, the slowest dimension first."""
    dims = [d for d in ctx.steps if d.size > 0]
    if not dims or int(np.prod([d.size for d in dims])) != steps:
        return [f"step {k}" for k in range(steps)]
    return [", ".join(f"{d.name} = {d.values[i]}" for d, i in zip(dims, idx))
            for idx in itertools.product(*(range(d.size) for d in dims))]


def _curves(v: np.ndarray, table: np.ndarray) -> LoopCurves:
    """Model curves of each step's parameters on a dense grid of each branch."""
    grid = np.linspace(v.min(), v.max(), DENSE)
    out = {}
    for key, label in (("falling", FALLING), ("rising", RISING)):
        lab = np.full(DENSE, label, dtype=np.uint8)
        out[key] = np.array([loop_model(grid, lab, row[:9]) if np.all(np.isfinite(row[:9]))
                             else np.full(DENSE, np.nan) for row in table])
    return LoopCurves(grid, out["falling"], out["rising"])


def loop_fit_inspect(spectrum: np.ndarray, params: ParamValues,
                     ctx: SpectralContext) -> PixelDetail:
    """One position (N steps x S DC points) in full, for a view to draw.

    ``values`` holds every stored field at the first step (a float each); ``detail`` is a
    :class:`~peakgui.core.analyses.loop_fit.detail.LoopDetail` with every step.
    """
    x = np.asarray(spectrum)
    if x.ndim == 1:
        x = x[None, :]
    steps = x.shape[0]
    out = _compute(x[None], params, ctx)
    names = [f.name for f in result_fields(ctx) if not f.per_point]
    per_step = [{name: float(out[name][0, k]) for name in names} for k in range(steps)]
    for row in per_step:
        row[STATUS] = int(row[STATUS])
    v = np.asarray(ctx.axis.values, dtype=np.float64)
    fit = np.stack([out[param_field("Fit", n)][0] for n in (*PARAM_NAMES, "R2 Criterion")], 1)
    guess = np.stack([out[param_field("Guess", n)][0]
                      for n in (*PARAM_NAMES, "R2 Criterion")], 1)
    codes = [LoopStatus(int(c)) for c in out[STATUS][0]]
    labels = step_labels(ctx, steps)
    notes = []
    for label, code, row in zip(labels, codes, per_step):
        if code != LoopStatus.CONVERGED:
            notes.append(f"{label}: fit {code.sentence}")
        elif row[param_field("Fit", "R2 Criterion")] < POOR_R2:
            notes.append(f"{label}: poor fit, R² = {row[param_field('Fit', 'R2 Criterion')]:.3f}")
    if not np.iscomplexobj(x):
        notes.append("the responses are real: their imaginary part was taken as zero")
    if not sweeps_both_ways(branches(v)):
        notes.append("the DC waveform does not sweep both ways: no loop to fit")
    switching = [{n: row[switching_field("Fit", n)] for n in _SWITCH_ORDER} for row in per_step]
    guessed = [{n: row[switching_field("Guess", n)] for n in _SWITCH_ORDER} for row in per_step]
    errors = [{n: row[error_field(n)] for n in (*PARAM_NAMES, *_ERROR_ORDER)}
              for row in per_step]
    detail = LoopDetail(
        voltage=v, labels=out["_labels"], responses=x.astype(np.complex128),
        direction=np.exp(1j * out["_angle"][0]), offset=out[metric_field("Offset")][0],
        loops=out[LOOPS][0], fit=fit, guess=guess, covariance=out["_cov"][0],
        fit_curves=_curves(v, fit), guess_curves=_curves(v, guess), switching=switching,
        guess_switching=guessed, errors=errors, status=codes, step_labels=labels,
        units=field_units(ctx), model=MODEL)
    return PixelDetail(spectrum=x, values=dict(per_step[0]), notes=notes, detail=detail)


_SWITCH_ORDER = ("V+", "V-", "Imprint", "R+", "R-", "Switchable Polarization",
                 "Work of Switching", "Nucleation Bias 1", "Nucleation Bias 2", "Loop Area")
_ERROR_ORDER = ("V+", "V-", "Imprint", "R+", "R-", "Switchable Polarization")


def loop_mask(uncertain: float = UNCERTAIN) -> Callable[[Mapping[str, np.ndarray]], np.ndarray]:
    """A ``bad`` rule with the user's threshold on the standard errors: not converged (a bound
    is tolerated), or sigma(V+) or sigma(V-) above ``uncertain`` times the loop's width. A poor
    R² masks too, at the user's cut-off (``quality``, POOR_R2 by default), as for the SHO fit."""

    def bad(values: Mapping[str, np.ndarray]) -> np.ndarray:
        status = values[STATUS]
        ok = (status == int(LoopStatus.CONVERGED)) | (status == int(LoopStatus.AT_BOUND))
        width = np.abs(values[switching_field("Fit", "V+")]
                       - values[switching_field("Fit", "V-")])
        with np.errstate(invalid="ignore"):
            sure = ((values[error_field("V+")] <= uncertain * width)
                    & (values[error_field("V-")] <= uncertain * width))
            return np.asarray(~ok | ~sure)

    return bad


def bad_loops(values: dict[str, np.ndarray]) -> np.ndarray:
    """Loops not to show unmasked by default: :func:`loop_mask` at UNCERTAIN (the window lets
    the user set it, and the R² cut-off)."""
    return loop_mask()(values)


def coercive_width(values: dict[str, np.ndarray]) -> np.ndarray:
    """V+ - V-: the loop's width along the voltage axis."""
    out: np.ndarray = values[switching_field("Fit", "V+")] - values[switching_field("Fit", "V-")]
    return out


def _check_axis(params: ParamValues, ctx: SpectralContext) -> str | None:
    v = np.asarray(ctx.axis.values, dtype=np.float64)
    if not np.all(np.isfinite(v)):
        return f"the {plain_label(ctx.axis.name)} values are not all finite"
    if not sweeps_both_ways(branches(v)):
        return (f"{plain_label(ctx.axis.name)} does not sweep both ways (at least 3 steps rising and 3 "
                "falling): there is no loop to fit")
    return None


def _provenance() -> dict[str, str]:
    return {"algorithm": ALGORITHM, "algorithm_version": ALGORITHM_VERSION, "model": MODEL,
            "r2_criterion": "R2 Criterion holds R² (BGlib stores 1 - R² there)",
            "status_codes": "; ".join(f"{int(s)}={s.name}" for s in LoopStatus)}


ANALYSIS = Analysis(
    name="loop_fit", title="Loop fit", group_name="Loop_Fit",
    description="Switching loops from the SHO responses over the DC steps (principal-direction "
    "projection), fitted per pixel, field and cycle with BGlib's 9-parameter loop model: "
    "V+, V-, imprint, R+, R-, switchable response, work of switching, nucleation biases, "
    "with standard errors, R², a status and model-free loop metrics",
    # what it reads: the SHO fit's A e^{i phi} along DC_Offset, all steps of a position at once
    input=ResultsInput(analysis="sho", dimension="DC_Offset",
                       needs=("Fit_Amplitude", "Fit_Phase"), convert=sho_to_complex,
                       quantity="Piezoresponse"),
    per_position=True,
    parameters=PARAMETERS, min_points=MIN_STEPS, check_axis=_check_axis,
    fields=result_fields, kernel=loop_fit_kernel, inspect=loop_fit_inspect,
    releases_gil=True, provenance=_provenance,
    # complex128 responses and float64 loops per point, ~75 float64 results per step
    bytes_per_spectrum=lambda s, p: 24 * s + 600,
    derived=(DerivedField("Coercive_Width", "Loop fit: V+ - V-", "Coercive width",
                          units=lambda ctx: ctx.axis.units or "V", compute=coercive_width,
                          needs=(switching_field("Fit", "V+"), switching_field("Fit", "V-"))),),
    bad=bad_loops,
    quality=FitQuality(param_field("Fit", "R2 Criterion"), POOR_R2),
    bad_needs=(STATUS, switching_field("Fit", "V+"),
               switching_field("Fit", "V-"), error_field("V+"), error_field("V-")),
)

__all__ = ["ANALYSIS", "STAGES"]
