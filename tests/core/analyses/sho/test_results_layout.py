"""SHO results as BGlib writes them: compound Guess and Fit datasets that pyUSID and BGlib read."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from peakgui.core.analyses.sho.analysis import BGLIB_NAMES, COMPOUND, STATUS
from peakgui.core.demo.be import write_demo
from peakgui.core.io.results_read import read_all
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.engine import AnalysisRun
from tests.interop import run_interop


@pytest.fixture(scope="module")
def sho_results(tmp_path_factory):
    path = tmp_path_factory.mktemp("sho") / "scan.h5"
    write_demo(path, rows=8, cols=6, bins=64)
    last = list(AnalysisRun(SpectralSource.open(path), "sho", n_jobs=1).run())[-1]
    return path, last.results


def test_guess_and_fit_are_compound_main_datasets_with_bglib_members(sho_results):
    path, ref = sho_results
    with h5py.File(path, "r") as f:
        grp = f[ref.group]
        assert ref.group.endswith("Raw_Data-SHO_Fit_000")
        for name in ("Guess", "Fit"):
            ds = grp[name]
            assert ds.shape == (48, 1) and ds.dtype.names == BGLIB_NAMES
            assert all(ds.dtype[m] == np.float32 for m in BGLIB_NAMES)
            assert ds.attrs["quantity"] == "SHO" and ds.attrs["units"] == "compound"
        assert grp[STATUS].dtype == np.uint8
        fit = grp["Fit"][()]
    got = read_all(ref)
    for member, field in COMPOUND["Fit"].items():
        np.testing.assert_array_equal(got[field], fit[member])


def test_pyusid_and_bglib_read_fit(sho_results):
    path, ref = sho_results
    got = run_interop("""
        import h5py, pyUSID
        from BGlib.be.analysis.be_sho_fitter import sho32
        with h5py.File(path, "r") as f:
            fit = pyUSID.USIDataset(f[name])
            data = fit[()]
            print(json.dumps({"pos": list(fit.pos_dim_labels), "shape": list(fit.shape),
                              "bglib_names": list(sho32.names),
                              "names": list(data.dtype.names),
                              "freq": [float(v) for v in data["Frequency [Hz]"].ravel()]}))
        """, path=str(path), name=f"{ref.group}/Fit")
    assert got["pos"] == ["X", "Y"] and got["shape"] == [48, 1]
    assert got["names"] == got["bglib_names"] == list(BGLIB_NAMES)
    np.testing.assert_array_equal(np.float32(got["freq"]),
                                  read_all(ref)["Fit_Frequency"].ravel())
