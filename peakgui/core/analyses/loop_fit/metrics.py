"""Model-free figures of a projected loop: BGlib's ``Loop_Metrics`` and the remanent responses.

They are read straight from the data, so they cross-check the model: the shoelace area against
the fitted loop's area, the remanent responses at V = 0 against R+ and R-.
"""

from __future__ import annotations

import numpy as np

from peakgui.core.analyses.loop_fit.branches import FALLING, RISING
from peakgui.core.analyses.loop_fit.projection import signed_area

METRIC_NAMES = ("Area", "Centroid x", "Centroid y", "Rotation Angle [rad]", "Offset",
                "Remanent Falling", "Remanent Rising")
"""BGlib's ``Loop_Metrics`` members, then PeakGUI's remanent responses at V = 0 on the falling
(V decreasing) and rising branches."""


def centroid(voltage: np.ndarray, loops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centroid (V, R) of the closed polygon of each loop (last axis); NaN where its area is
    zero."""
    v = np.asarray(voltage, dtype=np.float64)
    r = np.asarray(loops, dtype=np.float64)
    v1 = np.roll(v, -1)
    r1 = np.roll(r, -1, axis=-1)
    cross = v * r1 - v1 * r
    area = 0.5 * np.sum(cross, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cx = np.sum((v + v1) * cross, axis=-1) / (6.0 * area)
        cy = np.sum((r + r1) * cross, axis=-1) / (6.0 * area)
    bad = ~(area != 0)
    return np.where(bad, np.nan, cx), np.where(bad, np.nan, cy)


def remanent(voltage: np.ndarray, labels: np.ndarray, loops: np.ndarray,
             branch: int) -> np.ndarray:
    """The response at V = 0 on one branch: linear interpolation on each of its segments that
    reaches 0 V, averaged over sweeps; NaN when the branch never reaches 0 V."""
    v = np.asarray(voltage, dtype=np.float64)
    r = np.asarray(loops, dtype=np.float64)
    lab = np.asarray(labels)
    k = np.flatnonzero((lab[:-1] == branch) & (lab[1:] == branch)
                       & (np.minimum(v[:-1], v[1:]) <= 0) & (np.maximum(v[:-1], v[1:]) >= 0)
                       & (v[:-1] != v[1:]))
    # a segment ending exactly at 0 V and the next starting there would count the step twice
    k = k[~np.isin(k, k + 1) | (v[k] != 0)]
    if k.size == 0:
        return np.full(r.shape[:-1], np.nan)
    w = (0.0 - v[k]) / (v[k + 1] - v[k])
    vals = r[..., k] * (1 - w) + r[..., k + 1] * w
    return np.asarray(vals.mean(axis=-1))


def loop_metrics(voltage: np.ndarray, labels: np.ndarray, loops: np.ndarray,
                 angle: np.ndarray, offset: np.ndarray) -> dict[str, np.ndarray]:
    """Every member of :data:`METRIC_NAMES` for loops (..., S), as arrays of shape (...)."""
    cx, cy = centroid(voltage, loops)
    return {"Area": signed_area(voltage, loops), "Centroid x": cx, "Centroid y": cy,
            "Rotation Angle [rad]": np.asarray(angle, dtype=np.float64),
            "Offset": np.asarray(offset, dtype=np.float64),
            "Remanent Falling": remanent(voltage, labels, loops, FALLING),
            "Remanent Rising": remanent(voltage, labels, loops, RISING)}
