"""Complex responses projected onto a real piezoresponse loop, per pixel.

The SHO fit gives, at every DC step, a complex response A e^{i phi}. Away from electrostatic
and background effects these responses lie on a line in the complex plane; the loop is the
position along that line. The line's direction is the principal direction of the responses
(total least squares: the leading eigenvector of their 2x2 covariance), which keeps 100 % of
the loop at every response angle. BGlib's ``projectLoop`` rotates by ``tan(p)`` where
aligning needs ``-arctan(p)`` and loses most of the loop at large angles.

The projected value is ``Re(x e^{-i theta})``: the signed distance along the line from the foot
of the perpendicular from the origin, as BGlib's (correct-angle) projection gives. The line's
sign is fixed by a convention (default: the loop's area is positive, i.e. it switches up at
V+ and down at V- with a_1 > 0, BGlib's rule); a phase offset fixes the direction instead.
By default all steps of a position (fields, cycles) share one direction, so their loops are
comparable; one direction per step is an option.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

SIGN_CONVENTIONS = ("area", "plateaus", "phase")
"""``area``: the loop (V, R) encloses a positive area (counter-clockwise: a_1 > 0 for a loop
switching up at V+ > V-; BGlib's choice); ``plateaus``: the high-voltage end of the loop lies
above the low-voltage end; ``phase``: no flip, the direction within pi/2 of the phase offset."""


@dataclass
class Projection:
    """Projected loops (n, N, S), the direction's angle (n, N) [rad] and the response line's
    distance from the origin (n, N)."""

    loops: np.ndarray
    angle: np.ndarray
    offset: np.ndarray


def principal_angle(responses: np.ndarray, axis: tuple[int, ...]) -> np.ndarray:
    """Angle (-pi/2, pi/2] of the principal direction of complex ``responses`` over ``axis``
    (total least squares line through their mean); non-finite responses are left out."""
    with warnings.catch_warnings():  # a step with no finite response at all
        warnings.simplefilter("ignore", RuntimeWarning)
        z = responses - np.nanmean(responses, axis=axis, keepdims=True)
    sxx = np.nansum(z.real**2, axis=axis)
    syy = np.nansum(z.imag**2, axis=axis)
    sxy = np.nansum(z.real * z.imag, axis=axis)
    return np.asarray(0.5 * np.arctan2(2.0 * sxy, sxx - syy))


def signed_area(voltage: np.ndarray, loops: np.ndarray) -> np.ndarray:
    """Shoelace area of the closed polygon (V_k, R_k) over the last axis: positive when the
    loop runs counter-clockwise."""
    v = np.asarray(voltage, dtype=np.float64)
    r = np.asarray(loops, dtype=np.float64)
    v1 = np.roll(v, -1)
    r1 = np.roll(r, -1, axis=-1)
    return np.asarray(0.5 * np.sum(v * r1 - v1 * r, axis=-1))


def _plateau_rise(voltage: np.ndarray, loops: np.ndarray) -> np.ndarray:
    v = np.asarray(voltage, dtype=np.float64)
    lo, hi = v.min(), v.max()
    top = v >= hi - 0.2 * (hi - lo)
    bottom = v <= lo + 0.2 * (hi - lo)
    return np.asarray(loops[..., top].mean(axis=-1) - loops[..., bottom].mean(axis=-1))


def project_loops(responses: np.ndarray, voltage: np.ndarray, sign: str = "area",
                  phase_offset: float | None = None, per_step: bool = False) -> Projection:
    """Project complex ``responses`` (n, N, S) (N steps: fields, cycles; S DC steps at
    ``voltage``) onto real loops. ``phase_offset`` (rad) fixes the direction instead of the
    principal one; ``per_step`` gives each step its own direction instead of one per position.
    """
    if sign not in SIGN_CONVENTIONS:
        raise ValueError(f"sign convention must be one of {', '.join(SIGN_CONVENTIONS)}")
    x = np.asarray(responses, dtype=np.complex128)
    if x.ndim == 2:
        x = x[None]
    n, steps, _ = x.shape
    axis = (2,) if per_step else (1, 2)
    if phase_offset is None:
        theta = principal_angle(x, axis)  # within pi/2 of the positive real axis
    else:
        theta = np.full((n,) if not per_step else (n, steps), float(phase_offset))
    theta = theta[:, None] if not per_step else theta
    theta = np.broadcast_to(theta, (n, steps)).copy()
    loops = (x * np.exp(-1j * theta)[..., None]).real
    if sign != "phase":
        measure = (signed_area(voltage, loops) if sign == "area"
                   else _plateau_rise(voltage, loops))
        if not per_step:
            measure = np.broadcast_to(np.nansum(measure, axis=1, keepdims=True), (n, steps))
        flip = measure < 0
        loops = np.where(flip[..., None], -loops, loops)
        theta = np.where(flip, theta + np.pi, theta)
    theta = np.pi - np.mod(np.pi - theta, 2 * np.pi)  # wrapped to (-pi, pi]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        offset = np.abs((np.nanmean(x, axis=2) * np.exp(-1j * theta)).imag)
    return Projection(loops, theta, offset)
