"""pyqtgraph axes that follow the one units rule of :mod:`peakgui.gui.formatting`.

pyqtgraph prefixes every labelled unit ("Phase (µrad)", "Peak count (ka. u.)") and keeps the
scale it computed for the previous range when prefixing is switched off; here prefixing is on
only for real SI units, the stale scale is dropped, and integer axes (counts, indices) get whole
ticks only.
"""

from __future__ import annotations

import types

import numpy as np
import pyqtgraph as pg

from ...core.labels import plain_label
from ..formatting import axis_label, shown_units, takes_si_prefix


def set_auto_si_prefix(axis: pg.AxisItem, enabled: bool) -> None:
    """Turn an axis' SI prefix on or off. Off also drops the scale pyqtgraph computed from the
    previous range (it keeps it otherwise: counts 1-9 drawn as 1000-9000 after a mV map)."""
    axis.enableAutoSIPrefix(enabled)
    if not enabled:
        axis.autoSIPrefixScale = 1.0
        axis.labelUnitPrefix = ""
        axis.picture = None
        axis._updateLabel()


def _whole_tick_values(axis: pg.AxisItem, min_val: float, max_val: float, size: float):
    """pyqtgraph's ticks without the fractional ones (a count of 2.5 does not exist)."""
    levels = pg.AxisItem.tickValues(axis, min_val, max_val, size)
    out = []
    for spacing, values in levels:
        if spacing >= 1:
            out.append((spacing, values))
    if not out:  # a range narrower than 1: the whole numbers in it
        lo, hi = int(min_val) - 1, int(max_val) + 1
        out = [(1.0, [float(v) for v in range(lo, hi + 1) if min_val <= v <= max_val])]
    return out


def set_axis_units(axis: pg.AxisItem, name: str, units: str, integer: bool = False) -> None:
    """Label an axis ``name (units)`` by the units rule; ``integer`` axes tick at whole numbers.

    Values drawn on an angle axis must already be in the chosen angle unit
    (:func:`peakgui.gui.formatting.shown_units` gives the factor)."""
    _, shown = shown_units(units)
    if not integer and takes_si_prefix(shown):
        axis.setLabel(plain_label(name), units=shown)
        set_auto_si_prefix(axis, True)
    else:
        axis.setLabel(axis_label(name, units, integer))
        axis.labelUnits = ""
        set_auto_si_prefix(axis, False)
    if integer:
        axis.tickValues = types.MethodType(_whole_tick_values, axis)
    elif "tickValues" in axis.__dict__:
        del axis.tickValues
    axis.picture = None
    axis.update()


def finite_points(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The points of a scatter that can be drawn: pyqtgraph skips NaN points anyway, but
    warns ('All-NaN slice') when measuring a scatter that has no finite point left."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    ok = np.isfinite(x) & np.isfinite(y)
    return x[ok], y[ok]
