"""Which branch of the loop each DC step lies on, from the sign of the voltage change.

BGlib rolls the DC vector by a hard-coded quarter cycle and splits it into halves, which is right
only for a bipolar triangle starting at 0 V. Here every step is labelled by the direction the
waveform moves *from* it (the last step by the direction it arrived with), so any start, any
number of cycles and flat steps work: the maximum opens the falling sweep and the minimum the
rising one, as in BGlib's halves.
"""

from __future__ import annotations

import numpy as np

FALLING = 0
"""Branch of steps where V decreases: the model's first half (a_2 = V-, widths b_0 and b_1)."""
RISING = 1
"""Branch of steps where V increases: the model's second half (a_3 = V+, widths b_2 and b_3)."""


def branches(voltage: np.ndarray) -> np.ndarray:
    """(S,) uint8 branch label per step: ``FALLING`` or ``RISING``.

    A step that does not move (repeated voltage) takes the direction of the nearest move before
    it, or after it at the start. A waveform that never moves is labelled ``RISING`` throughout.
    """
    v = np.asarray(voltage, dtype=np.float64).ravel()
    out = np.full(v.size, RISING, dtype=np.uint8)
    if v.size < 2:
        return out
    step = np.sign(np.diff(v))
    step = np.append(step, step[-1])  # the last step keeps the direction it arrived with
    moving = np.flatnonzero(step != 0)
    if moving.size == 0:
        return out
    # carry the last non-zero direction forward, and the first one back to the start
    idx = np.maximum.accumulate(np.where(step != 0, np.arange(v.size), -1))
    idx[idx < 0] = moving[0]
    out[:] = np.where(step[idx] < 0, FALLING, RISING)
    return out


def sweeps_both_ways(labels: np.ndarray, minimum: int = 3) -> bool:
    """Whether both branches hold at least ``minimum`` steps (a loop can be fitted)."""
    labels = np.asarray(labels)
    return bool(np.count_nonzero(labels == FALLING) >= minimum
                and np.count_nonzero(labels == RISING) >= minimum)
