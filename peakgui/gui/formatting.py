"""Numbers as a microscopist reads them: SI prefixes with units, short durations and rates."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

from ..core.errors import PeakGUIError

# Units that take no SI prefix ("1 ka.u." or "3 kpixel" would read oddly).
NO_PREFIX_UNITS = {"", "a. u.", "a.u.", "au", "pixel", "index", "rad", "deg", "%", "count"}


def si(value: float, units: str = "", precision: int = 4) -> str:
    """``0.00123, 'V'`` -> ``1.23 mV``; NaN -> ``—``."""
    if value is None or not math.isfinite(float(value)):
        return "—"
    if units.strip().lower() in NO_PREFIX_UNITS:
        text = f"{float(value):.{precision}g}"
        return f"{text} {units}".strip()
    return pg.siFormat(float(value), precision=precision, suffix=units, allowUnicode=True)


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
    return ", ".join(f"{d.name} = {si(d.values[i], d.units)}" for d, i in zip(others, idx))


def error_text(exc: BaseException) -> str:
    """One clear sentence for the user (PeakGUIError already is one; OSError has strerror)."""
    if isinstance(exc, PeakGUIError):
        return str(exc)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        return f"{where}{exc.strerror or exc}"
    if isinstance(exc, MemoryError):
        return "out of memory: lower the memory cap or the number of jobs"
    original = getattr(exc, "original", None)  # a worker's wrapped RuntimeError
    if original is not None:
        return error_text(original)
    return f"unexpected {type(exc).__name__}: {exc}"


def set_auto_si_prefix(axis: pg.AxisItem, enabled: bool) -> None:
    """Turn an axis' SI prefix on or off. Off also drops the scale pyqtgraph computed from the
    previous range (it keeps it otherwise: counts 1-9 drawn as 1000-9000 after a mV map)."""
    axis.enableAutoSIPrefix(enabled)
    if not enabled:
        axis.autoSIPrefixScale = 1.0
        axis.labelUnitPrefix = ""
        axis.picture = None
        axis._updateLabel()
