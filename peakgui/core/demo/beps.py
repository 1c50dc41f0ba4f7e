"""A BEPS-like demo: a band-excitation spectrum at every step of a DC-offset loop, measured
with the bias on and off, so every pixel holds a piezoresponse hysteresis loop.

Spectroscopic dims, fastest first: Frequency x DC_Offset x Field. The DC offset runs a triangle
0 -> +Vmax -> -Vmax -> 0; the polarisation switches at coercive biases that vary across the
sample. Amplitude follows |P| (plus an electrostatic term while the bias is on), the phase flips
by 180 degrees with the sign of P, and the resonance shifts a little with the bias.
"""

from __future__ import annotations

import os

import numpy as np

from peakgui.core.demo.be import scan_position_dims, sho_response, smooth_field, write_usid_scan
from peakgui.core.dimension import Dimension

FIELDS = ("on-field", "off-field")


def dc_waveform(steps: int, v_max: float = 10.0) -> np.ndarray:
    """The triangle 0 -> +Vmax -> -Vmax -> 0 sampled at ``steps`` points."""
    t = np.arange(steps) / steps
    return np.interp(t, [0, 0.25, 0.75, 1.0], [0, v_max, -v_max, 0])


def polarisation(volts: np.ndarray, vc_up: np.ndarray, vc_down: np.ndarray,
                 width: float = 0.8) -> np.ndarray:
    """P(V) per pixel (rows) along the waveform (columns): rising branches switch up at vc_up,
    falling branches switch down at -vc_down; the loop starts poled down."""
    rising = np.diff(np.concatenate([[volts[0] - 1], volts])) > 0
    up = np.tanh((volts[None, :] - vc_up[:, None]) / width)
    down = np.tanh((volts[None, :] + vc_down[:, None]) / width)
    return np.asarray(np.where(rising[None, :], up, down))


def write_beps_demo(path: str | os.PathLike[str], rows: int = 32, cols: int = 32, bins: int = 87,
                    dc_steps: int = 64, seed: int = 0) -> str:
    """Write the BEPS demo file and return the main dataset's path inside it."""
    rng = np.random.default_rng(seed)
    freq = np.linspace(300e3, 350e3, bins)
    volts = dc_waveform(dc_steps)
    imprint = smooth_field(rng, rows, cols, corr=max(rows, cols) / 6).ravel()
    strength = 1.0 + 0.15 * smooth_field(rng, rows, cols, corr=max(rows, cols) / 4).ravel()
    topo = smooth_field(rng, rows, cols, corr=max(rows, cols) / 5).ravel()
    vc_up = 3.0 + 0.8 * imprint
    vc_down = 3.0 - 0.8 * imprint
    f0 = 325e3 + 4e3 * np.tanh(topo)
    noise = 2e-6

    def block(start: int, stop: int) -> np.ndarray:
        sl = slice(start, stop)
        p = polarisation(volts, vc_up[sl], vc_down[sl])  # (n, dc)
        out = np.empty((stop - start, len(FIELDS), dc_steps, bins), dtype=np.complex64)
        block_rng = np.random.default_rng([seed, start])
        for k, field in enumerate(FIELDS):
            electrostatic = 0.25 * volts[None, :] / volts.max() if field == "on-field" else 0.0
            signal = 1e-3 * strength[sl, None] * (p + electrostatic)
            amp = np.abs(signal)
            phase = np.where(signal >= 0, 0.0, np.pi)
            shift = f0[sl, None] + 150.0 * volts[None, :]
            resp = sho_response(freq, amp.ravel(), shift.ravel(),
                                np.full(amp.size, 110.0), phase.ravel())
            resp += noise * (block_rng.standard_normal(resp.shape)
                             + 1j * block_rng.standard_normal(resp.shape))
            out[:, k] = resp.reshape(stop - start, dc_steps, bins)
        return out.reshape(stop - start, -1)  # Frequency fastest, then DC, then Field

    spec_dims = [Dimension("Frequency", "Hz", freq), Dimension("DC_Offset", "V", volts),
                 Dimension("Field", "", np.arange(len(FIELDS), dtype=float))]
    attrs = {"data_type": "BEPSData", "VS_mode": "DC modulation mode",
             "grid_num_rows": rows, "grid_num_cols": cols,
             "generator": f"peakgui.core.demo.beps (seed {seed}): synthetic BEPS loops"}
    return write_usid_scan(path, scan_position_dims(rows, cols), spec_dims, block, attrs)
