"""A catalogue of bad inputs, each built as a real file, for the CLI and the GUI tests alike.

Every case says what a user must see: the exit code of ``peakgui-batch`` and a phrase of the one
line it prints (the GUI shows the same sentence, which comes from the core's errors).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

from peakgui.core.demo.be import DEMO_DATASET, write_demo
from peakgui.core.dimension import Dimension
from peakgui.core.io.usid_write import link_as_main, write_ancillaries


@dataclass
class Case:
    name: str
    path: Path
    dataset: str | None
    exit_code: int  # 2: refused with one line; 0: handled (e.g. sidecar) with a note
    message: str  # a phrase of what the user is told


def _usid(f: h5py.File, name: str, data: np.ndarray, n_pos: int | None = None,
          freq_points: int | None = None) -> h5py.Dataset:
    """A main dataset with its own ancillaries (optionally of the wrong length)."""
    grp = f.create_group(name + "_anc")
    n_pos = data.shape[0] if n_pos is None else n_pos
    s = data.shape[1] if freq_points is None else freq_points
    pos = write_ancillaries(grp, [Dimension("X", "m", np.arange(n_pos) * 1e-7)], False)
    spec = write_ancillaries(grp, [Dimension("Frequency", "Hz", np.linspace(3e5, 3.5e5, s))],
                             True)
    dset = f.create_dataset(name, data=data)
    link_as_main(dset, pos, spec, "Amplitude", "V")
    return dset


def not_hdf5(d: Path) -> Case:
    p = d / "notes.h5"
    p.write_text("Scan notes: tip 3, setpoint 0.5 V\n")
    return Case("not HDF5", p, None, 2, "not an HDF5 file")


def empty_file(d: Path) -> Case:
    p = d / "empty.h5"
    p.write_bytes(b"")
    return Case("empty file", p, None, 2, "empty")


def truncated(d: Path) -> Case:
    src = d / "whole.h5"
    write_demo(src, rows=8, cols=8, bins=32)
    p = d / "truncated.h5"
    p.write_bytes(src.read_bytes()[: src.stat().st_size // 3])
    src.unlink()
    return Case("truncated HDF5", p, None, 2, "cannot be")


def directory(d: Path) -> Case:
    p = d / "scan.h5"
    p.mkdir()
    return Case("a directory", p, None, 2, "directory")


def permission_denied(d: Path) -> Case:
    p = d / "private.h5"
    write_demo(p, rows=4, cols=4, bins=32)
    os.chmod(p, 0)
    return Case("permission denied", p, None, 2, "permission denied")


def string_dataset(d: Path) -> Case:
    p = d / "strings.h5"
    with h5py.File(p, "w") as f:
        f.create_dataset("log", data=np.array([b"line one", b"line two"]))
    return Case("string dataset", p, "/log", 2, "not numbers")


def one_d(d: Path) -> Case:
    p = d / "line.h5"
    with h5py.File(p, "w") as f:
        f["trace"] = np.linspace(0, 1, 500)
    return Case("1-D dataset", p, "/trace", 2, "not a spectral map")


def four_d(d: Path) -> Case:
    p = d / "hyper.h5"
    with h5py.File(p, "w") as f:
        f["hyper"] = np.zeros((3, 4, 5, 6))
    return Case("4-D dataset", p, "/hyper", 2, "not a spectral map")


def wrong_length_ancillaries(d: Path) -> Case:
    p = d / "wronglen.h5"
    with h5py.File(p, "w") as f:
        _usid(f, "Raw", np.ones((10, 40), np.float32), n_pos=12)
    return Case("ancillaries of the wrong length", p, "/Raw", 2, "has 12 position entries")


def missing_ancillary(d: Path) -> Case:
    p = d / "missing_anc.h5"
    with h5py.File(p, "w") as f:
        dset = _usid(f, "Raw", np.ones((10, 40), np.float32))
        del dset.attrs["Spectroscopic_Values"]
    return Case("missing ancillary reference", p, "/Raw", 2, "missing: Spectroscopic_Values")


def dangling_ancillary(d: Path) -> Case:
    p = d / "dangling.h5"
    with h5py.File(p, "w") as f:
        dset = _usid(f, "Raw", np.ones((10, 40), np.float32))
        del f["Raw_anc/Position_Values"]
        del dset  # the attribute still holds the reference to the deleted dataset
    return Case("dangling ancillary reference", p, "/Raw", 2, "points at nothing")


def broken_external_link(d: Path) -> Case:
    p = d / "links.h5"
    with h5py.File(p, "w") as f:
        f["elsewhere"] = h5py.ExternalLink("moved_away.h5", "/Measurement_000/Raw_Data")
    return Case("broken external link", p, "/elsewhere", 2, "broken external link")


def zero_length(d: Path) -> Case:
    p = d / "zero.h5"
    with h5py.File(p, "w") as f:
        f["cube"] = np.zeros((4, 0, 50), np.float32)
    return Case("zero-length dimension", p, "/cube", 2, "empty dimension")


def too_short(d: Path) -> Case:
    p = d / "short.h5"
    with h5py.File(p, "w") as f:
        _usid(f, "Raw", np.ones((10, 2), np.float32))
    return Case("spectra shorter than 3 points", p, "/Raw", 2, "at least 3")


def nan_inf_spectra(d: Path) -> Case:
    p = d / "nan.h5"
    write_demo(p, rows=8, cols=8, bins=64)
    with h5py.File(p, "r+") as f:
        raw = f[DEMO_DATASET]
        block = raw[:10]
        block[0, :] = np.nan
        block[1, 5] = np.inf
        block[2, 30] = complex(np.nan, 1.0)
        raw[:10] = block
    return Case("spectra with NaN/Inf", p, None, 0, "computed 64 positions")


def read_only_file(d: Path) -> Case:
    p = d / "readonly.h5"
    write_demo(p, rows=8, cols=8, bins=64)
    os.chmod(p, 0o444)
    return Case("read-only file", p, None, 0, "read-only; results go to")


CASES: list[Callable[[Path], Case]] = [
    not_hdf5, empty_file, truncated, directory, permission_denied, string_dataset, one_d,
    four_d, wrong_length_ancillaries, missing_ancillary, dangling_ancillary,
    broken_external_link, zero_length, too_short, nan_inf_spectra, read_only_file,
]


def as_plain_user(cmd: list[str]) -> list[str]:
    """Run cmd without root's power to ignore file permissions (so 'permission denied' and
    'read-only' mean what they mean for a lab user); unchanged when not root."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        return cmd
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}", "--", *cmd]
