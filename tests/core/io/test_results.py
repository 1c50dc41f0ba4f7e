"""Results groups: compound datasets (BGlib's Guess/Fit layout) written and read by field."""

from __future__ import annotations

import h5py
import numpy as np

from peakgui.core.analyses.declaration import Analysis, PixelDetail, ResultField
from peakgui.core.demo.be import write_demo
from peakgui.core.io.results import COMPLETED
from peakgui.core.io.results_read import read_all, read_group, read_step
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.engine import AnalysisRun
from tests.interop import run_interop


def _fields(ctx):
    return [ResultField("Fit_Amp", "float32", "Amplitude", "V", np.nan, compound="Fit",
                        member="Amplitude [V]", compound_quantity="SHO"),
            ResultField("Fit_Freq", "float32", "Frequency", "Hz", np.nan, compound="Fit",
                        member="Frequency [Hz]", compound_quantity="SHO"),
            ResultField("Flag", "uint8", "Flag", "", 255)]


def _kernel(block, params, ctx):
    mag = np.abs(block)
    return {"Fit_Amp": mag.max(axis=1).astype(np.float32),
            "Fit_Freq": ctx.axis.value_at(mag.argmax(axis=1)).astype(np.float32),
            "Flag": np.zeros(len(block), dtype=np.uint8)}


COMPOUND = Analysis(name="compound_test", title="Compound test", group_name="Compound_Test",
                    parameters=(), fields=_fields, kernel=_kernel,
                    inspect=lambda s, p, c: PixelDetail(s, {}))


def test_compound_members_are_written_as_one_dataset_and_read_back_by_field(tmp_path):
    path = tmp_path / "scan.h5"
    write_demo(path, rows=6, cols=5, bins=40)
    src = SpectralSource.open(path)
    last = list(AnalysisRun(src, COMPOUND, n_jobs=1, max_mem_mb=0.01).run())[-1]
    with h5py.File(path, "r") as f:
        grp = f[last.results.group]
        fit = grp["Fit"]
        assert fit.shape == (30, 1) and fit.dtype.names == ("Amplitude [V]", "Frequency [Hz]")
        assert fit.attrs["quantity"] == "SHO" and fit.attrs["units"] == "compound"
        assert "Fit_Amp" not in grp and grp[COMPLETED][()].all()
        raw = f[src.dataset][()]
    names = [fl.name for fl in _fields(None)]
    got = read_all(last.results, names)
    step = read_step(last.results, names, 0)
    everything = read_all(last.results)  # compound members by field, never the compound
    assert {COMPLETED, *names} <= set(everything) and "Fit" not in everything
    assert {fl.name: fl.dataset for fl in read_group(last.results).fields} == {
        "Fit_Amp": "Fit", "Fit_Freq": "Fit", "Flag": ""}
    np.testing.assert_array_equal(got["Fit_Amp"][:, 0], np.abs(raw).max(axis=1))
    np.testing.assert_array_equal(step["Fit_Freq"], got["Fit_Freq"][:, 0])
    assert got["Flag"].dtype == np.uint8 and not got["Flag"].any()


def test_pyusid_accepts_the_compound_dataset_as_main(tmp_path):
    path = tmp_path / "scan.h5"
    write_demo(path, rows=4, cols=4, bins=32)
    last = list(AnalysisRun(SpectralSource.open(path), COMPOUND, n_jobs=1).run())[-1]
    got = run_interop("""
        import h5py, pyUSID
        with h5py.File(path, "r") as f:
            fit = f[name]
            print(json.dumps({"main": bool(pyUSID.hdf_utils.check_if_main(fit)),
                              "shape": list(pyUSID.USIDataset(fit).shape)}))
        """, path=str(path), name=f"{last.results.group}/Fit")
    assert got == {"main": True, "shape": [16, 1]}
