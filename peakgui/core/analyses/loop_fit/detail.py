"""What a loop view draws at one pixel: ``PixelDetail.detail`` of the loop fit, typed, so the
view reads named attributes rather than string keys."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from peakgui.core.analyses.loop_fit.status import LoopStatus


@dataclass
class LoopCurves:
    """The model on a dense voltage grid, per step: one curve per branch."""

    voltage: np.ndarray  # (G,)
    falling: np.ndarray  # (N, G)
    rising: np.ndarray  # (N, G)


@dataclass
class LoopDetail:
    """One position's loops, every step (field, cycle) of it.

    Per step ``k``: the complex responses and their projection direction, the projected loop,
    the guessed and fitted parameters (a_0..b_3, R²) with their model curves, the switching
    values and standard errors by name (``switching32`` names), and the fit's status.
    """

    voltage: np.ndarray  # (S,) DC offset of each point
    labels: np.ndarray  # (S,) branch of each point (branches.FALLING / RISING)
    responses: np.ndarray  # (N, S) complex
    direction: np.ndarray  # (N,) unit complex: the projection direction
    offset: np.ndarray  # (N,) the responses' centre along that direction
    loops: np.ndarray  # (N, S) projected
    fit: np.ndarray  # (N, 10)
    guess: np.ndarray  # (N, 10)
    covariance: np.ndarray  # (N, 9, 9)
    fit_curves: LoopCurves
    guess_curves: LoopCurves
    switching: list[dict[str, float]]  # per step, fitted: V+, V-, Imprint, ...
    guess_switching: list[dict[str, float]]  # per step, from the guess
    errors: list[dict[str, float]]  # per step: a_0..b_3 and V+, V-, ... standard errors
    status: list[LoopStatus]
    step_labels: list[str]
    units: dict[str, str] = field(default_factory=dict)  # switching name -> units
    model: str = ""

    @property
    def n_steps(self) -> int:
        return len(self.status)
