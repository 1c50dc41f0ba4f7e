"""SHO fit per pixel, PeakGUI's second analysis: amplitude, resonance frequency, Q and phase.

Each spectrum is fitted with BGlib's simple-harmonic-oscillator model (see :mod:`.model`) by the
compiled kernel of :mod:`._sho_fit`. The guess is stored beside the fit, as in BGlib's results
groups. Fields have plain names (``Fit_Amplitude``...) and are stored as the members of BGlib's
compound ``Guess`` and ``Fit`` datasets (:data:`COMPOUND` maps one onto the other).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import DTypeLike

from peakgui.core.analyses.declaration import (
    Analysis,
    DerivedField,
    FieldKind,
    FitQuality,
    Parameter,
    ParamValues,
    PixelDetail,
    ResultField,
    SpectralContext,
    below,
)
from peakgui.core.analyses.sho.fit import (
    GUESS_METHODS,
    MIN_FIT_POINTS,
    FitSettings,
    band_mask,
    fit_spectra,
)
from peakgui.core.analyses.sho.model import sho_model
from peakgui.core.analyses.sho.status import CODES, FitStatus
from peakgui.core.labels import in_sentence

ALGORITHM = "SHO: closed-form guess + bounded Levenberg-Marquardt (PeakGUI, compiled)"
ALGORITHM_VERSION = "1"
MODEL = "A*exp(1j*phi)*w0**2/(w**2 - 1j*w*w0/Q - w0**2) (BGlib SHOfunc), w in Hz"
POOR_R2 = 0.9  # below this inspect() warns that the model does not describe the spectrum

STATUS = "SHO_Status"
_QUANTITIES = ("Amplitude", "Frequency", "Quality_Factor", "Phase", "R2")
BGLIB_NAMES = ("Amplitude [V]", "Frequency [Hz]", "Quality Factor", "Phase [rad]",
               "R2 Criterion")
"""The member names of BGlib's ``sho32`` compound dtype, in its order."""


def field_name(stage: str, column: int) -> str:
    """``Fit_Amplitude``, ``Guess_R2``...: stage is ``Fit`` or ``Guess``, column 0..4."""
    return f"{stage}_{_QUANTITIES[column]}"


COMPOUND = {stage: {BGLIB_NAMES[c]: field_name(stage, c) for c in range(5)}
            for stage in ("Guess", "Fit")}
"""BGlib dataset -> member -> PeakGUI field, e.g. ``COMPOUND["Fit"]["Quality Factor"] ==
"Fit_Quality_Factor"``; what a compound writer needs to produce BGlib's layout."""

PARAMETERS = (
    Parameter("band_lo", "Band from", float, None, unit="Hz", minimum=0.0, optional=True,
              decimals=1, on_axis=True,
              help="lowest frequency fitted (default: the start of the axis)"),
    Parameter("band_hi", "Band to", float, None, unit="Hz", minimum=0.0, optional=True,
              decimals=1, on_axis=True,
              help="highest frequency fitted (default: the end of the axis)"),
    Parameter("guess", "Guess method", str, "peak", choices=GUESS_METHODS,
              help="peak: peak of |x| and its half-maximum width; algebraic: linear least "
              "squares on the model's denominator (falls back to peak)"),
    Parameter("q_min", "Q from", float, 1.0, minimum=1e-6, decimals=2,
              help="lower bound of the quality factor"),
    Parameter("q_max", "Q to", float, 1e4, minimum=1e-6, decimals=1,
              help="upper bound of the quality factor"),
    Parameter("max_iter", "Max iterations", int, 300, minimum=1, maximum=100000,
              help="model evaluations allowed per spectrum before giving up"),
    Parameter("xtol", "Step tolerance", float, 1e-8, minimum=0.0, maximum=1.0, decimals=12,
              help="converged when every parameter moves by less than this, relatively"),
    Parameter("ftol", "Cost tolerance", float, 1e-10, minimum=0.0, maximum=1.0, decimals=12,
              help="converged when a step lowers the squared residual by less than this, "
              "relatively"),
)


def settings(params: ParamValues) -> FitSettings:
    """The compiled fit's settings from validated parameter values."""
    return FitSettings(band_lo=params["band_lo"], band_hi=params["band_hi"],
                       guess=params["guess"], q_min=params["q_min"], q_max=params["q_max"],
                       max_iter=params["max_iter"], ftol=params["ftol"], xtol=params["xtol"])


def _validate(values: ParamValues) -> None:
    for low, high in (("band_lo", "band_hi"), ("q_min", "q_max")):
        below(PARAMETERS, values, low, high)


def _fields(ctx: SpectralContext) -> list[ResultField]:
    units = (ctx.units, ctx.axis.units, "", "rad", "")
    quantities = ("Amplitude", ctx.axis.name, "Quality factor", "Phase", "R2 criterion")
    titles = ("amplitude", "resonance frequency", "quality factor", "phase", "R²")
    out = []
    for stage in ("Fit", "Guess"):
        prefix = "SHO" if stage == "Fit" else "Guess:"
        out += [ResultField(field_name(stage, c), "float32", quantities[c], units[c], np.nan,
                            title=f"{prefix} {titles[c]}", compound=stage,
                            member=BGLIB_NAMES[c], compound_quantity="SHO")
                for c in range(5)]
    out.append(ResultField(STATUS, "uint8", "Fit status", "", int(FitStatus.NOT_COMPUTED),
                           kind=FieldKind.STATUS, title="SHO fit status", codes=CODES))
    return out


def _named(res_guess: np.ndarray, res_fit: np.ndarray, status: np.ndarray,
           dtype: DTypeLike = np.float32) -> dict[str, np.ndarray]:
    out = {}
    for stage, table in (("Fit", res_fit), ("Guess", res_guess)):
        for c in range(5):
            out[field_name(stage, c)] = table[:, c].astype(dtype)
    out[STATUS] = status.astype(np.uint8)
    return out


def sho_kernel(spectra: np.ndarray, params: ParamValues,
               ctx: SpectralContext) -> dict[str, np.ndarray]:
    """Results for an (n, S) block; module-level so joblib and Dask workers can import it."""
    res = fit_spectra(spectra, ctx.axis.values, settings(params))
    return _named(res.guess, res.fit, res.status)


def _bound_notes(fit: np.ndarray, params: ParamValues, band: np.ndarray) -> list[str]:
    notes = []
    if fit[0] == 0:
        notes.append("A = 0: no oscillator response found")
    if band.size and fit[1] in (band.min(), band.max()):
        notes.append(f"f0 = {fit[1]:.6g} Hz sits on the edge of the band")
    if fit[2] in (params["q_min"], params["q_max"]):
        notes.append(f"Q = {fit[2]:.6g} sits on its bound")
    return notes


@dataclass(frozen=True)
class ShoDetail:
    """What the SHO view draws at one pixel (``PixelDetail.detail`` of an SHO fit)."""

    frequency: np.ndarray  # (S,) the spectral axis, Hz
    fit_curve: np.ndarray  # (S,) complex model at the fitted parameters (NaN: no fit)
    guess_curve: np.ndarray  # (S,) complex model at the guess
    band_mask: np.ndarray  # (S,) bool, the fitted band
    status: FitStatus
    fit: np.ndarray  # (5,) A, f0, Q, phi, R2
    guess: np.ndarray  # (5,)
    model: str = MODEL


def sho_inspect(spectrum: np.ndarray, params: ParamValues, ctx: SpectralContext) -> PixelDetail:
    """Fit and guess of one spectrum, both model curves over the whole axis, and notes."""
    spectrum = np.asarray(spectrum)
    res = fit_spectra(spectrum[None, :], ctx.axis.values, settings(params))
    guess, fit, code = res.guess[0], res.fit[0], FitStatus(int(res.status[0]))
    named = _named(res.guess, res.fit, res.status, dtype=np.float64)
    values = {k: float(v[0]) for k, v in named.items()}
    values[STATUS] = int(code)
    freq = np.asarray(ctx.axis.values, dtype=np.float64)
    notes = [] if code == FitStatus.CONVERGED else [f"fit {code.sentence}"]
    if code == FitStatus.AT_BOUND:
        notes += _bound_notes(fit, params, res.band)
    if code in (FitStatus.CONVERGED, FitStatus.AT_BOUND, FitStatus.MAX_ITER) \
            and fit[4] < POOR_R2:
        notes.append(f"poor fit: R² = {fit[4]:.3f}")
    if not np.iscomplexobj(spectrum):
        notes.append("the spectrum is real: its imaginary part was taken as zero")
    fit_curve, guess_curve = (sho_model(freq, *row[:4]) if np.all(np.isfinite(row[:4]))
                              else np.full(freq.shape, np.nan + 0j) for row in (fit, guess))
    mask = band_mask(freq, params["band_lo"], params["band_hi"])
    return PixelDetail(
        spectrum=spectrum,
        values=values,
        notes=notes,
        detail=ShoDetail(freq, fit_curve, guess_curve, mask, code, fit.copy(), guess.copy()),
    )


def _check_axis(params: ParamValues, ctx: SpectralContext) -> str | None:
    inside = int(band_mask(ctx.axis.values, params["band_lo"], params["band_hi"]).sum())
    if inside < MIN_FIT_POINTS:
        return (f"the fitted band holds {inside} point(s) of positive {in_sentence(ctx.axis.name)}; "
                f"the SHO fit needs at least {MIN_FIT_POINTS}")
    return None


def piezoresponse(values: dict[str, np.ndarray]) -> np.ndarray:
    """A*cos(phi): the signed response microscopists map (BGlib's convention of phi)."""
    return np.asarray(values[field_name("Fit", 0)] * np.cos(values[field_name("Fit", 3)]))


def bad_fits(values: dict[str, np.ndarray]) -> np.ndarray:
    """Spectra whose fit should not be shown as good: not converged (a bound is tolerated).
    A poor R² masks too, at the user's cut-off (``quality``, POOR_R2 by default)."""
    status = values[STATUS]
    ok = (status == int(FitStatus.CONVERGED)) | (status == int(FitStatus.AT_BOUND))
    return np.asarray(~ok)


def _provenance() -> dict[str, str]:
    return {"algorithm": ALGORITHM, "algorithm_version": ALGORITHM_VERSION, "model": MODEL,
            "status_codes": "; ".join(f"{int(s)}={s.name}" for s in FitStatus)}


ANALYSIS = Analysis(
    name="sho",
    title="SHO fit",
    group_name="SHO_Fit",
    description="Amplitude, resonance frequency, quality factor, phase and R² of a simple "
    "harmonic oscillator fitted to each complex spectrum (BGlib's SHO model), with the guess "
    "and a status per spectrum",
    parameters=PARAMETERS,
    fields=_fields, kernel=sho_kernel, inspect=sho_inspect, provenance=_provenance,  # what it computes
    min_points=MIN_FIT_POINTS,
    releases_gil=True,
    validate=_validate,
    # the band as complex128 plus the (5 + 5) float64 results and the status
    bytes_per_spectrum=lambda s, p: 16 * s + 96,
    derived=(DerivedField("Piezoresponse", "SHO piezoresponse A·cos(φ)", "Piezoresponse",
                          units=lambda ctx: ctx.units, compute=piezoresponse,
                          needs=(field_name("Fit", 0), field_name("Fit", 3))),),
    bad=bad_fits,
    bad_needs=(STATUS,),
    quality=FitQuality(field_name("Fit", 4), POOR_R2),
    check_axis=_check_axis,
)
