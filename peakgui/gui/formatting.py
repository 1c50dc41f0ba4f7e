"""Numbers as a microscopist reads them: one rule for units (axes, colour bars, readouts and
exports all use it), short durations and rates. Qt-free, so the CLI and tests can use it too.

The rule: only a real SI unit (V, m, Hz, s, A, N, F, ... or a ratio such as V/m) takes an SI
prefix; counts, indices, pixels, arbitrary units ("a. u."), units that already carry a prefix
(nm, pm/V) and powers (m²) are written as plain numbers; angles are shown in the unit the user
chose (radians or degrees). Names and units written the sidpy way (``$\\sqrt E$``, ``$A/m^2$``)
are shown as plain text (√E, A/m²) by :func:`peakgui.core.labels.plain_label`, applied here.
"""

from __future__ import annotations

import math

import numpy as np

from ..core.errors import PeakGUIError
from ..core.labels import plain_label
from ..core.quantity import SI_SYMBOLS as SI_SYMBOLS  # the core's rule, read from here too
from ..core.quantity import format_quantity
from ..core.quantity import si_prefix as si_prefix
from ..core.quantity import takes_si_prefix as takes_si_prefix

ARBITRARY_UNITS = frozenset({"", "a. u.", "a.u.", "au", "arb. u.", "arb.u.", "arb. units",
                             "arbitrary units"})
RADIANS = frozenset({"rad", "radian", "radians"})
DEGREES = frozenset({"deg", "°", "degree", "degrees"})
ANGLE_UNITS = ("rad", "deg")

_angle_unit = "rad"


def set_angle_unit(unit: str) -> None:
    """Show angles (phase) in ``"rad"`` or ``"deg"`` from now on (the user's choice)."""
    global _angle_unit
    _angle_unit = "deg" if unit == "deg" else "rad"


def angle_unit() -> str:
    return _angle_unit


def is_angle(units: str) -> bool:
    u = (units or "").strip().lower()
    return u in RADIANS or u in DEGREES


def shown_units(units: str) -> tuple[float, str]:
    """(factor, units) to show values stored in ``units``: angles go to the chosen angle unit
    (the factor converts), arbitrary units read "a.u."; TeX-ish units read as plain text."""
    u = plain_label(units or "").strip()
    low = u.lower()
    if low in RADIANS:
        return (180.0 / math.pi, "°") if _angle_unit == "deg" else (1.0, "rad")
    if low in DEGREES:
        return (1.0, "°") if _angle_unit == "deg" else (math.pi / 180.0, "rad")
    if low in ARBITRARY_UNITS:
        return 1.0, "a.u." if u else ""
    return 1.0, u


def axis_label(name: str, units: str, integer: bool = False) -> str:
    """``Name (units)`` as axes, colour bars and exports write it (no unit for counts)."""
    _, shown = shown_units(units)
    if integer and shown.lower() in ARBITRARY_UNITS:
        shown = ""
    name = plain_label(name)
    return f"{name} ({shown})" if shown else name


def format_value(value: float | None, units: str = "", integer: bool = False,
                 precision: int = 4) -> str:
    """One value with its unit by the rule above: ``0.00123, 'V'`` -> ``1.23 mV``;
    ``9, 'a. u.', integer`` -> ``9``; ``1.5708, 'rad'`` -> ``90°`` in degrees; NaN -> ``—``."""
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "—"
    if not math.isfinite(v):
        return "—"
    if integer:
        u = plain_label(units or "").strip()
        u = "" if u.lower() in ARBITRARY_UNITS else u
        return f"{int(round(v)):d} {u}".strip()
    factor, shown = shown_units(units)
    v *= factor
    if shown == "°":
        return f"{v:.{max(precision - 1, 1)}g}°"
    if takes_si_prefix(shown):
        return format_quantity(v, shown, precision)
    return f"{_plain_number(v, precision)} {shown}".strip()


def _plain_number(v: float, precision: int) -> str:
    """``precision`` significant digits, without an exponent from 10⁴ to 10⁷: a spectral axis
    in (V/m)^0.5 reads 10130, not 1.013e+04."""
    if 1e4 <= abs(v) < 1e7:
        digits = int(math.floor(math.log10(abs(v)))) + 1
        return f"{round(v, precision - digits):.0f}"
    return f"{v:.{precision}g}"


def si(value: float, units: str = "", precision: int = 4) -> str:
    """A float value with its unit (see :func:`format_value`)."""
    return format_value(value, units, precision=precision)


def duration(seconds: float) -> str:
    """Seconds as ``4.2 s``, ``3 min 05 s`` or ``1 h 02 min``; inf/NaN -> ``--``."""
    if seconds is None or not math.isfinite(seconds):
        return "--"
    if seconds < 60:
        return f"{seconds:.1f} s"
    m, s = divmod(int(round(seconds)), 60)
    if m < 60:
        return f"{m} min {s:02d} s"
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min"


def rate(spectra_per_s: float) -> str:
    """Throughput with thousands separators."""
    if not spectra_per_s or not math.isfinite(spectra_per_s):
        return "-- spectra/s"
    return f"{spectra_per_s:,.0f} spectra/s"


def step_description(layout, step: int) -> str:
    """Where step ``step`` of a layout sits along its other spectroscopic dims, e.g.
    ``DC_Offset = 2.5 V, Field = 1`` (steps run slowest dimension first)."""
    others = layout.others
    if not others:
        return ""
    idx = np.unravel_index(step, [d.size for d in others])
    return ", ".join(f"{plain_label(d.name)} = {si(d.values[i], d.units)}"
                     for d, i in zip(others, idx))


def step_suffix(layout, step: int) -> str:
    """`` · DC_Offset = 2.5 V`` after a map's title when the data has more than one step."""
    if layout is None or layout.n_steps <= 1:
        return ""
    return f" · {step_description(layout, step)}"


def error_text(exc: BaseException) -> str:
    """One clear sentence for the user (PeakGUIError already is one; OSError has strerror)."""
    if isinstance(exc, PeakGUIError):
        return plain_label(str(exc))  # an axis named the sidpy way reads √E there too
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        return f"{where}{exc.strerror or exc}"
    if isinstance(exc, MemoryError):
        return "out of memory: lower the memory cap or the number of jobs"
    original = getattr(exc, "original", None)  # a worker's wrapped RuntimeError
    if original is not None:
        return error_text(original)
    return f"unexpected {type(exc).__name__}: {exc}"
