"""NSID both ways with the real libraries (interop environment): a file pyNSID/sidpy wrote is
read by its scales, and PeakGUI's results on it (and its demo writer) are read by pyUSID and
pyNSID."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from peakgui.core.demo.nsid import NSID_DATASET, write_nsid_demo
from peakgui.core.io.nsid_write import MAPS_GROUP
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.engine import AnalysisRun
from tests.interop import run_interop
from tests.interop_nsid import (
    E_NAME,
    E_UNITS,
    E_VALUES,
    IV_DATASET,
    NX,
    NY,
    X_VALUES,
    Y_VALUES,
    peak_centres,
    pynsid_copy,
)


@pytest.fixture
def pynsid_file(tmp_path_factory, tmp_path):
    return pynsid_copy(tmp_path_factory, tmp_path)


def test_a_file_pynsid_wrote_is_read_by_its_scales(pynsid_file):
    src = SpectralSource.open(pynsid_file)
    lay = src.layout
    assert src.dataset == IV_DATASET and src.notes == []
    assert (src.info.quantity, src.info.units) == ("log J", "$A/m^2$")
    assert lay.grid_shape == (NY, NX)
    assert (lay.col_dim.name, lay.col_dim.units, lay.row_dim.name) == ("x", "m", "y")
    assert np.allclose(lay.col_dim.values, X_VALUES) and np.allclose(lay.row_dim.values,
                                                                       Y_VALUES)
    assert (lay.spectral.name, lay.spectral.units) == (E_NAME, E_UNITS)
    assert np.allclose(lay.spectral.values, E_VALUES)


def test_peak_positions_are_in_the_spectral_axis_units(pynsid_file):
    last = list(AnalysisRun(SpectralSource.open(pynsid_file), "peak_finding",
                            n_jobs=1).run())[-1]
    with h5py.File(pynsid_file, "r") as f:
        freq = f[last.results.group]["Peak_Frequency"]
        assert (freq.attrs["quantity"], freq.attrs["units"]) == (E_NAME, E_UNITS)
        step = E_VALUES[1] - E_VALUES[0]
        assert np.allclose(freq[:, 0], peak_centres().ravel(), atol=step)


def test_results_pass_pyusid_and_pynsid_and_pynsid_still_reads_the_raw_data(pynsid_file):
    last = list(AnalysisRun(SpectralSource.open(pynsid_file), "peak_finding",
                            n_jobs=1).run())[-1]
    group = last.results.group
    got = run_interop("""
        import h5py, numpy as np, pyUSID
        from pyNSID.io.hdf_utils import check_if_main, read_h5py_dataset
        with h5py.File(path, "r") as f:
            usid = pyUSID.USIDataset(f[group + "/Peak_Frequency"])
            out = {"usid_main": bool(pyUSID.hdf_utils.check_if_main(usid)),
                   "usid_pos": [usid.pos_dim_labels, usid.pos_dim_sizes],
                   "usid_x": usid.get_pos_values("x").tolist()}
            nsid = f[group + "/" + maps + "/Peak_Frequency"]
            ds = read_h5py_dataset(nsid)
            out.update(nsid_main=bool(check_if_main(nsid)), shape=list(ds.shape),
                       units=ds.units, axes=[[ds._axes[i].name, ds._axes[i].units,
                                              ds._axes[i].dimension_type.name]
                                             for i in range(2)],
                       x=np.asarray(ds._axes[0].values).tolist(),
                       values=np.asarray(ds).tolist())
            raw = read_h5py_dataset(f[raw_path])
            out["raw_shape"] = list(raw.shape)
        print(json.dumps(out))
        """, path=str(pynsid_file), group=group, maps=MAPS_GROUP, raw_path=IV_DATASET)
    assert got["usid_main"] and got["usid_pos"] == [["x", "y"], [NX, NY]]
    assert np.allclose(got["usid_x"], X_VALUES)
    assert got["nsid_main"] and got["shape"] == [NX, NY] and got["units"] == E_UNITS
    assert got["axes"] == [["x", "m", "SPATIAL"], ["y", "m", "SPATIAL"]]
    assert np.allclose(got["x"], X_VALUES)
    with h5py.File(pynsid_file, "r") as f:
        flat = f[group]["Peak_Frequency"][:, 0]
    assert np.allclose(got["values"], flat.reshape(NY, NX).T)
    assert got["raw_shape"] == [NX, NY, len(E_VALUES)]


def test_pynsid_reads_the_demo_writer_like_its_own_files(tmp_path):
    path = tmp_path / "nsid.h5"
    write_nsid_demo(path, rows=4, cols=5, bins=16, order="fyx")
    got = run_interop("""
        import h5py
        from pyNSID.io.hdf_utils import check_if_main, read_h5py_dataset
        with h5py.File(path, "r") as f:
            ds = read_h5py_dataset(f[name])
            print(json.dumps({"main": bool(check_if_main(f[name])), "shape": list(ds.shape),
                              "type": ds.data_type.name, "quantity": ds.quantity,
                              "axes": [[ds._axes[i].name, ds._axes[i].units,
                                        ds._axes[i].dimension_type.name] for i in range(3)]}))
        """, path=str(path), name=NSID_DATASET)
    assert got == {"main": True, "shape": [16, 4, 5], "type": "SPECTRAL_IMAGE",
                   "quantity": "Cantilever Vertical Deflection",
                   "axes": [["Frequency", "Hz", "SPECTRAL"], ["y", "m", "SPATIAL"],
                            ["x", "m", "SPATIAL"]]}
