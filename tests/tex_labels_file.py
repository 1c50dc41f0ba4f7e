"""A USID demo file whose names and units are written the sidpy way (``$\\sqrt E$``, ``$A/m^2$``),
as pycroscopy's ``bfo_iv_final.hf5`` names them; and a snapshot of every attribute, to show
that PeakGUI leaves them as they are."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from peakgui.core.demo.be import DEMO_DATASET, write_demo

CHANNEL = DEMO_DATASET.rsplit("/", 1)[0]
SCALE = CHANNEL + "/$\\sqrt E$"  # a dataset named as sidpy names a dimension scale
X_NAME, Y_NAME = r"$\Delta x$", r"$\Delta y$"
AXIS_NAME, AXIS_UNITS = r"$\sqrt E$", r"$(V/m)^{0.5}$"
QUANTITY, UNITS = "log J", r"$A/m^2$"


def write_tex_file(path: Path, rows: int = 8, cols: int = 10, bins: int = 53) -> Path:
    """The demo scan (metres, SHO peaks) relabelled: x/y as Δx/Δy, the spectral axis √E in
    (V/m)^0.5 from 8592 to 11180, the data log J in A/m²."""
    write_demo(path, rows=rows, cols=cols, bins=bins, seed=4, scan_size_m=5e-9)
    with h5py.File(path, "r+") as f:
        main = f[DEMO_DATASET]
        main.attrs["quantity"], main.attrs["units"] = QUANTITY, UNITS
        for name in ("Position_Indices", "Position_Values"):
            f[CHANNEL][name].attrs["labels"] = np.array([X_NAME, Y_NAME], dtype=object)
        for name in ("Spectroscopic_Indices", "Spectroscopic_Values"):
            f[CHANNEL][name].attrs["labels"] = np.array([AXIS_NAME], dtype=object)
            f[CHANNEL][name].attrs["units"] = np.array([AXIS_UNITS], dtype=object)
        values = f[CHANNEL]["Spectroscopic_Values"]
        values[...] = np.linspace(8592.0, 11180.0, bins, dtype=np.float32)[None, :]
        scale = f.create_dataset(SCALE, data=values[0])
        scale.attrs["quantity"], scale.attrs["units"] = AXIS_NAME, AXIS_UNITS
    return path


def attributes(path: Path) -> dict[str, dict[str, str]]:
    """Every attribute of every object, as text, by path (references as their target)."""
    out: dict[str, dict[str, str]] = {}
    with h5py.File(path, "r") as f:
        def visit(name: str, obj) -> None:
            out[name] = {k: repr(v) if not isinstance(v, h5py.Reference) else f[v].name
                         for k, v in obj.attrs.items()}
        f.visititems(visit)
    return out


def write_tex_nsid(path: Path, rows: int = 8, cols: int = 10, bins: int = 53) -> Path:
    """The NSID demo relabelled as pycroscopy's ``bfo_iv_final.hf5``: x and y in m over 5 nm,
    the spectral scale renamed ``$\\sqrt E$`` in ``$(V/m)^{0.5}$`` (8592 to 11180), the data
    ``log J`` in ``$A/m^2$``."""
    from peakgui.core.demo.nsid import NSID_DATASET, write_nsid_demo

    write_nsid_demo(path, rows=rows, cols=cols, bins=bins, seed=4, scan_size_m=5e-9)
    with h5py.File(path, "r+") as f:
        dset = f[NSID_DATASET]
        dset.attrs["quantity"], dset.attrs["units"] = QUANTITY, UNITS
        axis = [i for i in range(dset.ndim) if len(dset.dims[i]) and
                dset.dims[i][0].attrs.get("dimension_type") in ("SPECTRAL", b"SPECTRAL")][0]
        scale = dset.dims[axis][0]
        scale[...] = np.linspace(8592.0, 11180.0, bins)
        scale.attrs["name"] = scale.attrs["quantity"] = AXIS_NAME
        scale.attrs["units"] = AXIS_UNITS
        dset.parent.move(scale.name.rsplit("/", 1)[1], AXIS_NAME)  # named as pyNSID names it
        dset.dims[axis].label = AXIS_NAME
    return path
