"""A spectral image written by pyNSID/sidpy themselves, in the interop environment.

Not PeakGUI's own writer: sidpy's ``Dataset`` with its TeX-ish labels, saved by
``pyNSID.hdf_io.write_nsid_dataset``, as SciFiReaders and pycroscopy notebooks save them. A
12 x 10 map (x, y in metres) of 53-point curves along a sqrt(E) axis; each curve is one
Gaussian peak whose centre moves with x: 9000 at x = 0 to 10500 at the last column.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.interop import run_interop

NX, NY, NE = 12, 10, 53
IV_DATASET = "/Measurement_000/Channel_000/IV_Sim/IV_Sim"
E_NAME, E_UNITS = r"$\sqrt E$", "$(V/m)^{0.5}$"
X_VALUES = np.linspace(0, 4.4e-6, NX)
Y_VALUES = np.linspace(0, 3.6e-6, NY)
E_VALUES = np.linspace(8592.0, 11180.0, NE)


def peak_centres() -> np.ndarray:
    """(NY, NX) peak centre of each curve, as the map shows it (rows y, columns x)."""
    return np.broadcast_to(9000 + 1500 * np.arange(NX) / (NX - 1), (NY, NX))


def write_pynsid_spectral_image(path: Path) -> Path:
    """Write the file with pyNSID (skips the test when the interop environment is missing)."""
    run_interop("""
        import h5py, numpy as np, sidpy, pyNSID
        xv, yv = np.linspace(0, 4.4e-6, nx), np.linspace(0, 3.6e-6, ny)
        ev = np.linspace(8592.0, 11180.0, ne)
        centre = 9000 + 1500 * np.arange(nx)[:, None] / (nx - 1) + np.zeros(ny)[None, :]
        noise = 0.01 * np.random.default_rng(5).standard_normal((nx, ny, ne))
        data = np.exp(-0.5 * ((ev - centre[..., None]) / 150.0) ** 2) + noise
        ds = sidpy.Dataset.from_array(data, title="IV_Sim")
        ds.data_type = "SPECTRAL_IMAGE"
        ds.quantity, ds.units = "log J", "$A/m^2$"
        for i, (values, name, units, quantity, kind) in enumerate([
                (xv, "x", "m", "distance", "spatial"), (yv, "y", "m", "distance", "spatial"),
                (ev, e_name, e_units, "sqrt E", "spectral")]):
            ds.set_dimension(i, sidpy.Dimension(values, name=name, units=units,
                                                quantity=quantity, dimension_type=kind))
        with h5py.File(path, "w") as f:
            group = f.create_group("Measurement_000/Channel_000")
            main = pyNSID.hdf_io.write_nsid_dataset(ds, group, main_data_name="IV_Sim")
            print(json.dumps({"dataset": main.name}))
        """, path=str(path), nx=NX, ny=NY, ne=NE, e_name=E_NAME, e_units=E_UNITS)
    return path


_MASTER: dict[int, Path] = {}  # one pyNSID run per test session


def pynsid_copy(factory: pytest.TempPathFactory, folder: Path) -> Path:
    """A fresh copy of the file in ``folder``, written once per session (``factory``)."""
    if id(factory) not in _MASTER:
        _MASTER[id(factory)] = write_pynsid_spectral_image(factory.mktemp("pynsid") /
                                                           "iv_sim.h5")
    return Path(shutil.copy(_MASTER[id(factory)], folder / "iv_sim.h5"))
