"""A BEPS demo whose switching loops are known, so a loop fit can be scored against the truth.

At every pixel the piezoresponse loop r(V) of each field is BGlib's 9-parameter loop model
(``loop_fit_function``: a_0 ... a_4, b_0 ... b_3) with parameters that vary smoothly across the
scan: imprint, coercive biases, switchable response, an electrostatic slope a_4 that is larger
with the bias on, and a patch of pinned pixels that hardly switch. The instrument does not see
r(V) but the complex response ``r(V) exp(i theta) + offset``: a line in the complex plane at an
angle theta that differs from pixel to pixel over the whole circle (plus an offset
perpendicular to it), so a loop only comes back through a projection that finds theta. Each
response becomes a band-excitation spectrum through the SHO model, with noise.

The file is laid out the way BGlib's BEPS translator writes real ones: at every DC step the
in-field spectrum comes first, with ``Field = 1``, then the out-of-field one with ``Field = 0``
(``Field_parameters = ['out-of-field', 'in-field']`` names each value); the spectroscopic
tables list their rows as [Frequency, DC_Offset, Field] although Field varies faster than
DC_Offset. The measurement attributes BGlib's fitters check are there, so BGlib runs on it.
The truth is stored under ``Ground_Truth`` (see :func:`beps_truth`); ``read_truth`` reads it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import h5py
import numpy as np
from scipy.special import erf

from peakgui.core.demo.be import scan_position_dims, sho_response, smooth_field, write_usid_scan
from peakgui.core.dimension import Dimension

FIELDS = ("in-field", "out-of-field")  # in file order at every DC step (Field index 0, 1)
FIELD_VALUES = (1.0, 0.0)  # the Field value BGlib's translator gives each of them
FIELD_PARAMETERS = ("out-of-field", "in-field")  # the name of each Field value, by value
LOOP_PARAMETERS = ("a_0", "a_1", "a_2", "a_3", "a_4", "b_0", "b_1", "b_2", "b_3")
WIDTH_SWITCH = 1000.0  # 1/V: how sharply the model swaps a branch's width at its coercive bias

#: The benchmark file of issue 18: 24 x 20 pixels, 61 bins (300-340 kHz) x 2 fields x 48 DC.
BENCHMARK = {"rows": 24, "cols": 20, "bins": 61, "dc_steps": 48, "f_lo": 300e3,
             "f_hi": 340e3, "noise": 3.5e-3}


def dc_waveform(steps: int, v_max: float = 10.0) -> np.ndarray:
    """The bipolar triangle 0 -> +Vmax -> 0 -> -Vmax -> 0 sampled at ``steps`` points."""
    t = np.arange(steps) / steps
    return np.interp(t, [0, 0.25, 0.75, 1.0], [0, v_max, -v_max, 0])


def rising_steps(volts: np.ndarray) -> np.ndarray:
    """True at the steps of the rising branch: the bias goes up to the next step (the last
    step looks at the first, the waveform being periodic). No assumption about where the
    waveform starts; for :func:`dc_waveform` these are the steps BGlib's quarter-cycle roll
    puts in the second half of its loop."""
    return np.roll(volts, -1) > volts


def loop_model(volts: np.ndarray, params: np.ndarray) -> np.ndarray:
    """BGlib's 9-parameter loop at each bias of the waveform, one row per parameter set.

    Each branch rises from a_0 to a_0 + a_1 with the bias, through an error function centred
    on its coercive bias (a_2 on the falling branch, a_3 on the rising one) whose width is
    b_0 / b_1 below / above a_2 and b_2 / b_3 below / above a_3; a_4 V adds a linear term.
    ``params`` is (..., 9); the result is (..., steps).
    """
    p = np.asarray(params, dtype=np.float64)[..., None]
    a0, a1, a2, a3, a4, b0, b1, b2, b3 = (p[..., k, :] for k in range(9))
    rising = rising_steps(volts)
    centre = np.where(rising, a3, a2)
    below, above = np.where(rising, b2, b0), np.where(rising, b3, b1)
    dv = volts - centre
    width = below + (above - below) * (1.0 + erf(WIDTH_SWITCH * dv)) / 2
    level = (width * erf(dv / width) + below) / (below + above)
    return a0 + a1 * level + a4 * volts


@dataclass
class BepsScene:
    """The known per-pixel truth of the synthetic BEPS scan (pixels flattened row by row)."""

    freq: np.ndarray  # (bins,) drive frequencies, Hz
    volts: np.ndarray  # (dc_steps,) the DC waveform, V
    loops: np.ndarray  # (P, fields, 9) loop parameters, fields in FIELDS order
    angle: np.ndarray  # (P,) response-line angle theta in [0, 2 pi), rad
    offset: np.ndarray  # (P,) complex offset of the response line, perpendicular to it, V
    pinned: np.ndarray  # (P,) bool: pixels whose switchable response is almost nil
    f0: np.ndarray  # (P,) resonance at zero bias, Hz
    q: np.ndarray  # (P,) quality factor
    f_per_volt: tuple[float, float]  # resonance shift per volt of bias, per field, Hz/V
    noise: float  # sigma per real and per imaginary part of every spectrum bin, V
    seed: int
    v_max: float


def beps_scene(rows: int = 32, cols: int = 32, bins: int = 87, dc_steps: int = 64,
               f_lo: float = 300e3, f_hi: float = 350e3, noise: float = 5e-4, seed: int = 0,
               v_max: float = 10.0) -> BepsScene:
    """Smoothly varying loops, angles and resonances of the synthetic sample."""
    rng = np.random.default_rng(seed)
    side = max(rows, cols)

    def smooth(corr: float) -> np.ndarray:
        return smooth_field(rng, rows, cols, corr=side * corr).ravel()

    imprint = 0.6 * smooth(1 / 5)
    coercive = 3.0 + 0.6 * smooth(1 / 4)  # half the distance V+ - V-, V
    switchable = 2e-3 * (1.0 + 0.15 * smooth(1 / 4))
    hardness = smooth(1 / 6)
    pinned = hardness > np.quantile(hardness, 0.9)
    switchable[pinned] *= 0.03
    floor = 1e-4 * smooth(1 / 5)
    slope = 4e-5 * (1.0 + 0.25 * smooth(1 / 5))  # electrostatic a_4 with the bias on, V/V
    widths = 0.8 * np.exp(0.25 * np.stack([smooth(1 / 4) for _ in range(4)], axis=1))

    n = rows * cols
    loops = np.empty((n, len(FIELDS), 9))
    # out of field: less remanent response, a tenth of the slope, narrower loops, wider steps
    for k, (resp, tilt, vc, wider) in enumerate([(1.0, 1.0, 1.0, 1.0), (0.8, 0.1, 0.9, 1.1)]):
        a1 = resp * switchable
        loops[:, k, 0] = floor - a1 / 2
        loops[:, k, 1] = a1
        loops[:, k, 2] = imprint - vc * coercive
        loops[:, k, 3] = imprint + vc * coercive
        loops[:, k, 4] = tilt * slope
        loops[:, k, 5:] = wider * widths

    # angles uniform over the circle yet smooth across the scan: the ranks of a smooth field
    ranks = np.argsort(np.argsort(smooth(1 / 3)))
    angle = 2 * np.pi * (ranks + 0.5) / n
    offset = 1j * np.exp(1j * angle) * 3e-4 * (1.0 + 0.3 * smooth(1 / 5))
    freq = np.linspace(f_lo, f_hi, bins)
    f0 = 0.5 * (f_lo + f_hi) + 0.1 * (f_hi - f_lo) * np.tanh(smooth(1 / 5))
    q = 100.0 + 10.0 * smooth(1 / 6)
    return BepsScene(freq, dc_waveform(dc_steps, v_max), loops, angle, offset, pinned, f0, q,
                     (100.0, 0.0), noise, seed, v_max)


def complex_loops(scene: BepsScene, sl: slice = slice(None)) -> np.ndarray:
    """(n, fields, dc_steps) noise-free complex responses r(V) exp(i theta) + offset, in
    BGlib's SHO convention (the A exp(i phi) an SHO fit gives)."""
    r = loop_model(scene.volts, scene.loops[sl])
    return r * np.exp(1j * scene.angle[sl])[:, None, None] + scene.offset[sl, None, None]


def resonances(scene: BepsScene, sl: slice = slice(None)) -> np.ndarray:
    """(n, fields, dc_steps) resonance frequencies, shifted by the bias where it is on."""
    shift = np.asarray(scene.f_per_volt)[:, None] * scene.volts[None, :]
    return scene.f0[sl, None, None] + shift[None]


def beps_block(scene: BepsScene, start: int, stop: int) -> np.ndarray:
    """complex64 spectra of positions [start, stop): Frequency fastest, then Field, then
    DC_Offset, as BGlib's translator orders the columns; noise seeded by the block's start."""
    sl = slice(start, stop)
    z = complex_loops(scene, sl).transpose(0, 2, 1)  # (n, dc, fields)
    f0 = resonances(scene, sl).transpose(0, 2, 1)
    q = np.broadcast_to(scene.q[sl, None, None], z.shape)
    # sho_response draws A w0^2 / (w0^2 - w^2 + i w w0/Q) exp(i phase), -1 times BGlib's SHO
    resp = sho_response(scene.freq, np.abs(z).ravel(), f0.ravel(), q.ravel(),
                        np.angle(-z).ravel())
    rng = np.random.default_rng([scene.seed, start])
    resp += scene.noise * (rng.standard_normal(resp.shape) + 1j * rng.standard_normal(resp.shape))
    return resp.astype(np.complex64).reshape(stop - start, -1)


def beps_truth(scene: BepsScene) -> dict[str, np.ndarray]:
    """What the file's loops are made of, per pixel and field (FIELDS order, i.e. Field index):
    the 9 parameters, BGlib's switching figures of them (V+ = a_3, V- = a_2, Imprint, the
    Switchable response a_1), the response-line angle and offset, whether the loop switches
    within the sweep, and the SHO parameters of every spectrum as (P, fields, dc_steps)."""
    p = scene.loops
    fields = np.ones(p.shape[:2])
    b = p[..., 5:]
    inside = (p[..., 2] - 2 * b.max(axis=-1) > -scene.v_max) & \
             (p[..., 3] + 2 * b.max(axis=-1) < scene.v_max)
    z = complex_loops(scene)
    return {
        "Loop_Parameters": p,
        "V+": p[..., 3], "V-": p[..., 2], "Imprint": (p[..., 2] + p[..., 3]) / 2,
        "Switchable_Response": p[..., 1],
        "Angle": scene.angle[:, None] * fields, "Offset": scene.offset[:, None] * fields,
        "Switching": (inside & ~scene.pinned[:, None]).astype(np.uint8),
        "Amplitude": np.abs(z), "Phase": np.angle(z), "Frequency": resonances(scene),
        "Quality_Factor": scene.q[:, None, None] * np.ones(z.shape),
    }


_UNITS = {"Loop_Parameters": "", "V+": "V", "V-": "V", "Imprint": "V",
          "Switchable_Response": "V", "Angle": "rad", "Offset": "V", "Switching": "",
          "Amplitude": "V", "Phase": "rad", "Frequency": "Hz", "Quality_Factor": ""}


def _write_truth(scene: BepsScene):
    def write(chan: h5py.Group) -> None:
        chan.file.attrs["data_type"] = "BEPSData"  # where BGlib's fitters look for it
        grp = chan.create_group("Ground_Truth")
        grp.attrs["model"] = ("loop r(V): BGlib loop_fit_function (a_0..a_4, b_0..b_3) on the "
                              "falling (a_2) and rising (a_3) branches; response "
                              "r(V)*exp(1j*Angle) + Offset in BGlib's SHO convention")
        grp.attrs["fields"] = list(FIELDS)
        grp.attrs["noise_sigma"] = scene.noise
        grp.attrs["note"] = ("one row per position of Raw_Data; axis 1 is the Field index "
                             "(0 in-field, 1 out-of-field); Amplitude, Phase, Frequency and "
                             "Quality_Factor are (P, field, DC step); Switching = 0 marks loops "
                             "that are pinned or switch outside the sweep")
        for name, values in beps_truth(scene).items():
            ds = grp.create_dataset(name, data=values)
            ds.attrs["units"] = _UNITS[name]
        grp["Loop_Parameters"].attrs["names"] = list(LOOP_PARAMETERS)

    return write


def write_beps_demo(path: str | os.PathLike[str], rows: int = 32, cols: int = 32, bins: int = 87,
                    dc_steps: int = 64, seed: int = 0, f_lo: float = 300e3,
                    f_hi: float = 350e3, noise: float = 5e-4) -> str:
    """Write the BEPS demo file and return the main dataset's path inside it.
    ``write_beps_demo(path, **BENCHMARK)`` writes issue 18's benchmark file."""
    scene = beps_scene(rows, cols, bins, dc_steps, f_lo, f_hi, noise, seed)
    spec_dims = [Dimension("Frequency", "Hz", scene.freq),
                 Dimension("Field", "", np.asarray(FIELD_VALUES)),
                 Dimension("DC_Offset", "V", scene.volts)]
    attrs = {"data_type": "BEPSData", "VS_mode": "DC modulation mode",
             "VS_cycle_fraction": "full", "VS_measure_in_field_loops": "in and out-of-field",
             "VS_number_of_cycles": 1, "VS_steps_per_full_cycle": dc_steps,
             "FORC_num_of_FORC_cycles": 1, "num_bins": bins * dc_steps * len(FIELDS),
             "num_UDVS_steps": dc_steps * len(FIELDS), "num_pix": rows * cols,
             "grid_num_rows": rows, "grid_num_cols": cols,
             "BE_center_frequency_[Hz]": 0.5 * (f_lo + f_hi),
             "BE_band_width_[Hz]": f_hi - f_lo,
             "generator": f"peakgui.core.demo.beps (seed {seed}): synthetic BEPS loops"}
    return write_usid_scan(path, scan_position_dims(rows, cols), spec_dims,
                           lambda a, b: beps_block(scene, a, b), attrs,
                           extra=_write_truth(scene), spec_rows=[0, 2, 1],
                           spec_attrs={"Field_parameters": list(FIELD_PARAMETERS)})
