"""The loop fit's result fields: plain PeakGUI names, stored as members of BGlib's compound
datasets (``Guess``, ``Fit``, ``Guess_Loop_Parameters``, ``Fit_Loop_Parameters``,
``Loop_Metrics``) plus PeakGUI's standard errors, a status and the projected loops.

BGlib stores 1 - R^2 in the ``R2 Criterion`` member of ``Fit``; PeakGUI stores R^2 itself there
(the name is kept so BGlib's readers find the member).
"""

from __future__ import annotations

import numpy as np

from peakgui.core.analyses.declaration import FieldKind, ResultField, SpectralContext
from peakgui.core.analyses.loop_fit.metrics import METRIC_NAMES
from peakgui.core.analyses.loop_fit.model import PARAM_NAMES
from peakgui.core.analyses.loop_fit.status import CODES, LoopStatus
from peakgui.core.analyses.loop_fit.switching import EXTRA_NAMES, SWITCHING_NAMES
from peakgui.core.analyses.loop_fit.uncertainty import DERIVED_NAMES

STATUS = "Loop_Status"
LOOPS = "Projected_Loops"
STAGES = ("Fit", "Guess")

_KEYS = {"V+": "V_Plus", "V-": "V_Minus", "Imprint": "Imprint", "R+": "R_Plus",
         "R-": "R_Minus", "Switchable Polarization": "Switchable_Polarization",
         "Work of Switching": "Work_of_Switching", "Nucleation Bias 1": "Nucleation_Bias_1",
         "Nucleation Bias 2": "Nucleation_Bias_2", "Loop Area": "Loop_Area"}
_METRIC_KEYS = {"Area": "Area", "Centroid x": "Centroid_x", "Centroid y": "Centroid_y",
                "Rotation Angle [rad]": "Rotation_Angle", "Offset": "Offset",
                "Remanent Falling": "Remanent_Falling", "Remanent Rising": "Remanent_Rising"}


def param_field(stage: str, name: str) -> str:
    """``Fit_a_2``, ``Guess_b_0``, ``Fit_R2``: stage ``Fit`` or ``Guess``, a loop_fit32 name."""
    return f"{stage}_R2" if name == "R2 Criterion" else f"{stage}_{name}"


def switching_field(stage: str, name: str) -> str:
    """``Fit_V_Plus``, ``Guess_Imprint``...: a switching32 name (or ``Loop Area``)."""
    return f"{stage}_{_KEYS[name]}"


def error_field(name: str) -> str:
    """``Fit_SE_a_2``, ``Fit_SE_V_Plus``: the standard error of a fitted value."""
    return f"Fit_SE_{_KEYS.get(name, name)}"


def metric_field(name: str) -> str:
    """``Metric_Area``, ``Metric_Centroid_x``...: a Loop_Metrics member."""
    return f"Metric_{_METRIC_KEYS[name]}"


def _param_units(resp: str, volt: str) -> dict[str, str]:
    out = {n: volt for n in PARAM_NAMES}
    out.update({"a_0": resp, "a_1": resp, "a_4": f"{resp}/{volt}" if resp else f"1/{volt}"})
    return out


def _switching_units(resp: str, volt: str) -> dict[str, str]:
    area = f"{resp}·{volt}" if resp else volt
    return {"V+": volt, "V-": volt, "Imprint": volt, "R+": resp, "R-": resp,
            "Switchable Polarization": resp, "Work of Switching": area,
            "Nucleation Bias 1": volt, "Nucleation Bias 2": volt, "Loop Area": area}


def field_units(ctx: SpectralContext) -> dict[str, str]:
    """Units of every loop parameter (a_0..b_3) and switching value (V+, R+...) by name."""
    resp, volt = ctx.units, ctx.axis.units or "V"
    return {**_param_units(resp, volt), **_switching_units(resp, volt)}


def result_fields(ctx: SpectralContext) -> list[ResultField]:
    """Every field the kernel returns, in the order they are written."""
    resp, volt = ctx.units, ctx.axis.units or "V"
    punits = _param_units(resp, volt)
    sunits = _switching_units(resp, volt)
    out: list[ResultField] = []
    for stage in STAGES:
        label = "Loop fit" if stage == "Fit" else "Loop guess"
        out += [ResultField(param_field(stage, n), "float64", n, punits[n], np.nan,
                            title=f"{label}: {n}", compound=stage, member=n,
                            compound_quantity="Loop fit parameters")
                for n in PARAM_NAMES]
        out.append(ResultField(param_field(stage, "R2 Criterion"), "float64", "R2", "", np.nan,
                               title=f"{label}: R²", compound=stage, member="R2 Criterion",
                               compound_quantity="Loop fit parameters"))
    for stage in STAGES:
        label = "Loop fit" if stage == "Fit" else "Loop guess"
        out += [ResultField(switching_field(stage, n), "float64", n, sunits[n], np.nan,
                            title=f"{label}: {n}", compound=f"{stage}_Loop_Parameters",
                            member=n, compound_quantity="Switching parameters")
                for n in SWITCHING_NAMES + EXTRA_NAMES]
    out += [ResultField(error_field(n), "float64", f"Standard error of {n}", punits[n], np.nan,
                        title=f"Loop fit: σ({n})", compound="Fit_Std_Error", member=n,
                        compound_quantity="Standard errors")
            for n in PARAM_NAMES]
    out += [ResultField(error_field(n), "float64", f"Standard error of {n}", sunits[n], np.nan,
                        title=f"Loop fit: σ({n})", compound="Fit_Loop_Parameters_Std_Error",
                        member=n, compound_quantity="Standard errors")
            for n in DERIVED_NAMES]
    munits = {"Area": f"{resp}·{volt}" if resp else volt, "Centroid x": volt, "Centroid y": resp,
              "Rotation Angle [rad]": "rad", "Offset": resp, "Remanent Falling": resp,
              "Remanent Rising": resp}
    out += [ResultField(metric_field(n), "float64", n, munits[n], np.nan,
                        title=f"Loop: {n}", compound="Loop_Metrics", member=n,
                        compound_quantity="Loop metrics")
            for n in METRIC_NAMES]
    out.append(ResultField(STATUS, "uint8", "Loop fit status", "",
                           int(LoopStatus.NOT_COMPUTED), kind=FieldKind.STATUS,
                           title="Loop fit status", codes=CODES))
    out.append(ResultField(LOOPS, "float64", "Projected piezoresponse", resp, np.nan,
                           title="Projected loop", per_point=True))
    return out
