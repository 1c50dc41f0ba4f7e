"""A deterministic Band-Excitation-like demo file, since no real data is reachable offline.

Each pixel holds the complex response of a damped simple harmonic oscillator (the cantilever in
contact) sampled across a band of drive frequencies. Amplitude, phase, resonance and Q vary in
spatial domains so the amplitude map looks like a PFM image: two polarisation domains with a
180 degree phase contrast, weaker response along their walls, a resonance that drifts with the
smooth 'topography'. A few pixels are noise only (tip lifted) or all zero (dropped lines).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from peakgui.core.dimension import Dimension
from peakgui.core.io.usid_write import TEXT, link_as_main, write_ancillaries

DEMO_DATASET = "/Measurement_000/Channel_000/Raw_Data"
TRUTH_GROUP = "/Measurement_000/Channel_000/Ground_Truth"
BLOCK_POSITIONS = 1 << 16  # positions generated and written at a time


def sho_response(freq: np.ndarray, amp: np.ndarray, f0: np.ndarray, q: np.ndarray,
                 phase: np.ndarray) -> np.ndarray:
    """Complex SHO response A*w0^2 / (w0^2 - w^2 + i*w*w0/Q) * exp(i*phase), one row per pixel."""
    w = freq[None, :]
    w0 = f0[:, None]
    resp = amp[:, None] * w0**2 / (w0**2 - w**2 + 1j * w * w0 / q[:, None])
    return np.asarray(resp * np.exp(1j * phase[:, None]))


def smooth_field(rng: np.random.Generator, rows: int, cols: int, corr: float) -> np.ndarray:
    """A smooth random field with zero mean and unit spread; corr is a length in pixels."""
    white = rng.standard_normal((rows, cols))
    ky = np.fft.fftfreq(rows)[:, None]
    kx = np.fft.rfftfreq(cols)[None, :]
    kernel = np.exp(-2 * (np.pi * corr) ** 2 * (kx**2 + ky**2))
    field = np.fft.irfft2(np.fft.rfft2(white) * kernel, s=(rows, cols))
    return np.asarray((field - field.mean()) / (field.std() or 1.0))


@dataclass
class DemoScene:
    """Per-pixel oscillator parameters of the synthetic scan (flattened row by row)."""

    freq: np.ndarray  # (bins,) drive frequencies in Hz
    amp: np.ndarray
    f0: np.ndarray
    q: np.ndarray
    phase: np.ndarray
    lifted: np.ndarray  # positions that hold noise only
    dropped: np.ndarray  # positions that hold zeros
    noise: float
    seed: int


def demo_scene(rows: int = 128, cols: int = 128, bins: int = 119, f_lo: float = 300e3,
               f_hi: float = 350e3, seed: int = 0) -> DemoScene:
    """Domains, walls, grains and topography of the synthetic sample."""
    rng = np.random.default_rng(seed)
    freq = np.linspace(f_lo, f_hi, bins)
    domains = smooth_field(rng, rows, cols, corr=max(rows, cols) / 10)
    topo = smooth_field(rng, rows, cols, corr=max(rows, cols) / 5)
    grains = smooth_field(rng, rows, cols, corr=max(rows, cols) / 30)

    up = domains > 0
    wall = np.exp(-(domains / 0.15) ** 2)  # response drops where polarisation reverses
    amp = 1e-3 * (1.0 + 0.08 * grains) * (1.0 - 0.8 * wall) * np.where(up, 1.0, 0.6)
    centre = 0.5 * (f_lo + f_hi)
    f0 = centre + 0.12 * (f_hi - f_lo) * np.tanh(topo / 1.5)
    q = 120 + 10 * grains
    phase = np.where(up, 0.0, np.pi) + 0.1 * grains
    n_pix = rows * cols
    lifted = rng.choice(n_pix, size=max(1, n_pix // 2000), replace=False)
    dropped = rng.choice(np.setdiff1d(np.arange(n_pix), lifted),
                         size=max(1, n_pix // 4000), replace=False)
    return DemoScene(freq, amp.ravel(), f0.ravel(), q.ravel(), phase.ravel(), lifted, dropped,
                     noise=4e-6, seed=seed)


def demo_block(scene: DemoScene, start: int, stop: int) -> np.ndarray:
    """complex64 spectra of positions [start, stop), noise seeded by the block's start."""
    rng = np.random.default_rng([scene.seed, start])
    sl = slice(start, stop)
    spectra = sho_response(scene.freq, scene.amp[sl], scene.f0[sl], scene.q[sl], scene.phase[sl])
    spectra += scene.noise * (rng.standard_normal(spectra.shape)
                              + 1j * rng.standard_normal(spectra.shape))
    lifted = scene.lifted[(scene.lifted >= start) & (scene.lifted < stop)] - start
    spectra[lifted] = scene.noise * (rng.standard_normal((len(lifted), len(scene.freq)))
                                     + 1j * rng.standard_normal((len(lifted), len(scene.freq))))
    dropped = scene.dropped[(scene.dropped >= start) & (scene.dropped < stop)] - start
    spectra[dropped] = 0
    return spectra.astype(np.complex64)


def scan_position_dims(rows: int, cols: int, scan_size_m: float = 5e-6) -> list[Dimension]:
    """X and Y in metres for a scan whose longer side is scan_size_m (fastest first)."""
    side = max(rows, cols)
    return [Dimension("X", "m", np.linspace(0, scan_size_m * cols / side, cols)),
            Dimension("Y", "m", np.linspace(0, scan_size_m * rows / side, rows))]


def write_usid_scan(path: str | os.PathLike[str], pos_dims: list[Dimension],
                    spec_dims: list[Dimension], block: Callable[[int, int], np.ndarray],
                    attrs: dict[str, Any], extra: Callable[[h5py.Group], None] | None = None,
                    spec_rows: Sequence[int] | None = None,
                    spec_attrs: Mapping[str, object] | None = None) -> str:
    """Write a BE-style USID file whose spectra come from ``block(start, stop)``, in blocks of
    positions so a gigabyte file needs no gigabyte of memory; returns the main dataset path.
    ``extra(channel_group)`` may add more before the file takes its name. ``spec_rows`` puts
    the spectroscopic table's rows (``spec_dims`` indices) in another order than fastest first,
    as some acquisition software does; ``spec_attrs`` go on both spectroscopic tables."""
    n_pos = int(np.prod([d.size for d in pos_dims]))
    n_cols = int(np.prod([d.size for d in spec_dims]))
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    step = max(1, BLOCK_POSITIONS * 128 // max(n_cols, 1))
    with h5py.File(tmp, "w") as f:
        meas = f.create_group("Measurement_000")
        for key, value in attrs.items():
            meas.attrs[key] = value
        chan = meas.create_group("Channel_000")
        pos = write_ancillaries(chan, pos_dims, spectroscopic=False)
        spec = write_ancillaries(chan, spec_dims, spectroscopic=True)
        if spec_rows is not None:
            _reorder_rows(spec, spec_rows)
        for table in spec:
            table.attrs.update(dict(spec_attrs or {}))
        raw = chan.create_dataset("Raw_Data", shape=(n_pos, n_cols), dtype=np.complex64)
        for start in range(0, n_pos, step):
            stop = min(n_pos, start + step)
            raw[start:stop] = block(start, stop)
        link_as_main(raw, pos, spec, "Cantilever Vertical Deflection", "V")
        chan.create_dataset("Bin_Frequencies", data=spec_dims[0].values.astype(np.float32))
        if extra is not None:
            extra(chan)
    os.replace(tmp, path)  # a half-written demo never takes the real name
    return DEMO_DATASET


def _reorder_rows(tables: tuple[h5py.Dataset, h5py.Dataset], rows: Sequence[int]) -> None:
    """Rewrite an index/value pair with its rows (and labels, units) in the order ``rows``."""
    rows = list(rows)
    for table in tables:
        table[...] = table[()][rows]
        for key in ("labels", "units"):
            names = [str(n) for n in table.attrs[key]]
            table.attrs.create(key, [names[r] for r in rows], dtype=TEXT)


def sho_truth(scene: DemoScene) -> dict[str, np.ndarray]:
    """The oscillator parameters per position in BGlib's SHO convention
    (``A exp(i phi) w0^2 / (w^2 - i w w0/Q - w0^2)``): the demo draws ``A w0^2 / (w0^2 - w^2
    + i w w0/Q) exp(i phase)``, which is -1 times that, so phi = phase + pi wrapped to (-pi, pi].
    ``Signal`` is 0 for the noise-only and all-zero positions, whose parameters mean nothing."""
    signal = np.ones(scene.amp.size, dtype=np.uint8)
    signal[scene.lifted] = 0
    signal[scene.dropped] = 0
    phi = np.pi - np.mod(np.pi - (scene.phase + np.pi), 2 * np.pi)
    return {"Amplitude": scene.amp, "Frequency": scene.f0, "Quality_Factor": scene.q,
            "Phase": phi, "Signal": signal}


def _write_truth(scene: DemoScene) -> Callable[[h5py.Group], None]:
    def write(chan: h5py.Group) -> None:
        grp = chan.create_group(TRUTH_GROUP.rsplit("/", 1)[1])
        grp.attrs["model"] = "A*exp(1j*phi)*w0**2/(w**2 - 1j*w*w0/Q - w0**2) (BGlib SHOfunc)"
        grp.attrs["noise_sigma"] = scene.noise  # per real and per imaginary part, in V
        grp.attrs["note"] = ("one value per row of Raw_Data; Signal = 0 marks noise-only and "
                             "all-zero positions")
        units = {"Amplitude": "V", "Frequency": "Hz", "Quality_Factor": "", "Phase": "rad",
                 "Signal": ""}
        for name, values in sho_truth(scene).items():
            ds = grp.create_dataset(name, data=values)
            ds.attrs["units"] = units[name]

    return write


def read_truth(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """The ground truth a demo file stores beside its data (see :func:`sho_truth`)."""
    with h5py.File(path, "r", locking=False) as f:
        grp = f[TRUTH_GROUP]
        return {name: grp[name][()] for name in grp}


def write_demo(path: str | os.PathLike[str], rows: int = 128, cols: int = 128, bins: int = 119,
               seed: int = 0, scan_size_m: float = 5e-6) -> str:
    """Write the BE-PFM demo file and return the main dataset's path inside it."""
    scene = demo_scene(rows, cols, bins, seed=seed)
    attrs = {
        "data_type": "BELineData",
        "grid_num_rows": rows,
        "grid_num_cols": cols,
        "generator": f"peakgui.core.demo.be (seed {seed}): synthetic SHO responses",
    }
    return write_usid_scan(path, scan_position_dims(rows, cols, scan_size_m),
                           [Dimension("Frequency", "Hz", scene.freq)],
                           lambda a, b: demo_block(scene, a, b), attrs,
                           extra=_write_truth(scene))
