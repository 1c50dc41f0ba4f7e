"""Chained runs in the engine: an analysis reading the SHO fit of a BEPS file, whole positions to
each worker, per-point results in the source's columns, the group under the upstream group, and
reuse only from the same upstream group."""

from __future__ import annotations

from collections import deque

import h5py
import numpy as np
import pytest

from peakgui.core.analyses.declaration import (
    Analysis,
    Parameter,
    PixelDetail,
    ResultField,
    ResultsInput,
)
from peakgui.core.demo.beps import write_beps_demo
from peakgui.core.errors import InputError
from peakgui.core.io.results import COMPLETED
from peakgui.core.io.results_read import read_all, read_group
from peakgui.core.io.results_source import ResultsSource
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.engine import AnalysisRun
from peakgui.core.run.progress import ProgressState
from tests.core.helpers import copy_file
from tests.interop import run_interop

RAW = "/Measurement_000/Channel_000/Raw_Data"
SHO0 = RAW + "-SHO_Fit_000"
ROWS, COLS, DC = 8, 10, 16


def piezo(fields: dict[str, np.ndarray]) -> np.ndarray:
    return fields["Fit_Amplitude"].astype(np.float64) * np.cos(fields["Fit_Phase"])


def _fields(ctx):
    return [ResultField("Mean", "float64", "Piezoresponse", ctx.units, np.nan),
            ResultField("Block", "uint16", "Positions in the block", "", 0),
            ResultField("Centered", "float32", "Piezoresponse", ctx.units, np.nan,
                        per_point=True)]


def loops_kernel(block, params, ctx):
    assert block.ndim == 3 and block.shape[1:] == (len(ctx.steps[0].values), ctx.n_points)
    mean = block.mean(axis=2)
    return {"Mean": mean * params["scale"],
            "Block": np.full(mean.shape, len(block), dtype=np.uint16),
            "Centered": block - mean[:, :, None]}


LOOPS = Analysis(
    name="loops_test", title="Loop mean test", group_name="Loop_Test",
    parameters=(Parameter("scale", "Scale", float, 1.0),),
    fields=_fields, kernel=loops_kernel,
    inspect=lambda s, p, c: PixelDetail(s, {}),
    input=ResultsInput("sho", "DC_Offset", ("Fit_Amplitude", "Fit_Phase"), piezo),
    per_position=True, releases_gil=True,
)


def smooth_kernel(block, params, ctx):
    """Per spectrum, one value per point: the spectrum's magnitude less its mean."""
    mag = np.abs(block).astype(np.float64)
    return {"Level": mag.mean(axis=1), "Detail": mag - mag.mean(axis=1)[:, None]}


DETAIL = Analysis(
    name="detail_test", title="Detail test", group_name="Detail_Test", parameters=(),
    fields=lambda ctx: [ResultField("Level", "float64", "Amplitude", "V", np.nan),
                        ResultField("Detail", "float64", "Amplitude", "V", np.nan,
                                    per_point=True)],
    kernel=smooth_kernel, inspect=lambda s, p, c: PixelDetail(s, {}), releases_gil=True,
)


def run_all(process, **kw):
    return deque(process.run(**kw), maxlen=1)[0]


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    path = tmp_path_factory.mktemp("chain") / "beps.h5"
    write_beps_demo(path, rows=ROWS, cols=COLS, bins=32, dc_steps=DC, seed=5)
    run_all(AnalysisRun(SpectralSource.open(path), "sho", n_jobs=1))
    return path


@pytest.fixture
def copy(fitted, tmp_path):
    return copy_file(fitted, tmp_path / "scan.h5")


def loops_of(path, group=SHO0) -> tuple[np.ndarray, np.ndarray]:
    """(P, Field, DC) piezoresponse straight from the Fit dataset, and its columns."""
    with h5py.File(path, "r") as f:
        fit = f[group]["Fit"]
        a, phi = fit["Amplitude [V]"], fit["Phase [rad]"]
        spec = f[fit.attrs["Spectroscopic_Indices"]]
        rows = {str(k, "utf-8") if isinstance(k, bytes) else k: r
                for k, r in zip(spec.attrs["labels"], spec[()])}
        n_columns = spec.shape[1]
    cols = np.empty((2, DC), dtype=int)
    cols[rows["Field"], rows["DC_Offset"]] = np.arange(n_columns)
    return (a.astype(np.float64) * np.cos(phi))[:, cols], cols


def test_a_chained_run_reads_the_fit_and_writes_under_its_group(copy):
    src = ResultsSource.open_group(copy, SHO0, LOOPS.input)
    run = AnalysisRun(src, LOOPS, {"scale": 2.0}, n_jobs=2, worker_kind="threads")
    assert run.context.axis.name == "DC_Offset" and [d.name for d in run.context.steps] == \
        ["Field"]
    last = run_all(run)
    assert last.state is ProgressState.FINISHED and last.results.group == \
        SHO0 + "/Fit-Loop_Test_000"
    res = read_all(last.results)
    want, cols = loops_of(copy)
    np.testing.assert_array_equal(res["Mean"], want.mean(axis=2) * 2.0)
    # whole positions to each worker (the kernel checks (n, N, S)), many to a block: a block
    # of k positions marks k positions with k
    sizes, counts = np.unique(res["Block"][:, 0], return_counts=True)
    assert (sizes > 1).all() and (counts % sizes == 0).all() and len(sizes) >= 1
    centered = res["Centered"][:, cols]  # per point, in the Fit's own columns
    np.testing.assert_array_equal(centered, (want - want.mean(axis=2)[:, :, None])
                                  .astype(np.float32))
    with h5py.File(copy, "r") as f:
        grp = f[last.results.group]
        fit = f[SHO0]["Fit"]
        assert grp["Centered"].shape == (ROWS * COLS, 2 * DC) and grp["Mean"].shape == \
            (ROWS * COLS, 2)
        # per point: the Fit's spectroscopic table; per field: a table of Field alone
        assert f[grp["Centered"].attrs["Spectroscopic_Indices"]] == \
            f[fit.attrs["Spectroscopic_Indices"]]
        assert list(f[grp["Mean"].attrs["Spectroscopic_Indices"]].attrs["labels"]) == ["Field"]
        assert f[grp["Mean"].attrs["Position_Indices"]].name == \
            "/Measurement_000/Channel_000/Position_Indices"
        a = grp.attrs
        assert a["input_group"] == SHO0 and a["input_analysis"] == "sho"
        assert a["input_parameters"] == f[SHO0].attrs["peakgui_parameters"]
        assert a["source_dataset"] == SHO0 + "/Fit" and a["spectral_dimension"] == "DC_Offset"
        assert a["input_file"] == str(copy.resolve()) and grp[COMPLETED][()].all()


def test_a_viewer_reads_the_chained_group_by_its_narrow_datasets(copy):
    src = ResultsSource.open_group(copy, SHO0, LOOPS.input)
    ref = run_all(AnalysisRun(src, LOOPS, n_jobs=1)).results
    group = read_group(ref)
    assert group.layout.info.n_columns == 2 and group.done == ROWS * COLS  # Field only
    assert {f.name: f.per_point for f in group.fields} == \
        {"Block": False, "Centered": True, "Mean": False}
    assert group.analysis_name == "loops_test"


def test_one_position_in_memory_gives_what_the_run_wrote(copy):
    src = ResultsSource.open_group(copy, SHO0, LOOPS.input)
    run = AnalysisRun(src, LOOPS, n_jobs=1)
    res = read_all(run_all(run).results)
    one = run.compute(src.read_position(17))
    np.testing.assert_array_equal(one["Mean"], res["Mean"][17])
    assert one["Centered"].shape == (2, DC)
    assert run.test(17).spectrum.shape == (2, DC)  # inspect gets the whole position


def test_reuse_needs_the_same_upstream_group(copy):
    spec = LOOPS.input
    first = run_all(AnalysisRun(ResultsSource.open_group(copy, SHO0, spec), LOOPS, n_jobs=1))
    again = run_all(AnalysisRun(ResultsSource.open_group(copy, SHO0, spec), LOOPS, n_jobs=1))
    assert again.state is ProgressState.REUSED and again.results == first.results
    # the SHO fit computed again (same parameters, a new group): the loops are computed again,
    # under the new group
    sho1 = run_all(AnalysisRun(SpectralSource.open(copy), "sho", n_jobs=1), force=True)
    other = run_all(AnalysisRun(ResultsSource.open_group(copy, sho1.results.group, spec), LOOPS,
                                n_jobs=1))
    assert other.state is ProgressState.FINISHED
    assert other.results.group == sho1.results.group + "/Fit-Loop_Test_000"
    # the same group changed under the loops (recomputed in place): not reused either
    with h5py.File(copy, "r+") as f:
        f[SHO0].attrs["timestamp_start"] = "2030-01-01T00:00:00+0000"
    redo = run_all(AnalysisRun(ResultsSource.open_group(copy, SHO0, spec), LOOPS, n_jobs=1))
    assert redo.state is ProgressState.FINISHED and redo.results.group.endswith("Loop_Test_001")


def test_wrong_sources_are_refused(copy):
    with pytest.raises(InputError, match="reads sho results, not raw spectra"):
        AnalysisRun(SpectralSource.open(copy), LOOPS)
    with pytest.raises(InputError, match="reads raw spectra, not the results"):
        AnalysisRun(ResultsSource.open_group(copy, SHO0, LOOPS.input), "sho")
    with h5py.File(copy, "r+") as f:
        f[SHO0][COMPLETED][3] = 0
    with pytest.raises(InputError, match=r"incomplete \(79 of 80 positions\)"):
        ResultsSource.open_group(copy, SHO0, LOOPS.input)


def test_per_point_fields_of_raw_spectra_use_the_raw_columns(copy):
    src = SpectralSource.open(copy)
    last = run_all(AnalysisRun(src, DETAIL, n_jobs=2, max_mem_mb=1))
    res = read_all(last.results)
    with h5py.File(copy, "r") as f:
        raw = f[RAW][()]
        grp = f[last.results.group]
        assert f[grp["Detail"].attrs["Spectroscopic_Indices"]] == \
            f[f[RAW].attrs["Spectroscopic_Indices"]]
    mag = np.abs(raw).astype(np.float64)
    lay = src.layout
    for n in (0, 5, 2 * DC - 1):
        cols = lay.columns[n]
        np.testing.assert_array_equal(res["Level"][:, n], mag[:, cols].mean(axis=1))
        np.testing.assert_array_equal(res["Detail"][:, cols],
                                      mag[:, cols] - mag[:, cols].mean(axis=1)[:, None])


def test_a_chained_group_in_an_output_file_copies_its_tables(copy, tmp_path):
    out = tmp_path / "out.h5"
    src = ResultsSource.open_group(copy, SHO0, LOOPS.input)
    last = run_all(AnalysisRun(src, LOOPS, n_jobs=1, output=out))
    assert last.results.file == out and last.results.group == SHO0 + "/Fit-Loop_Test_000"
    want, cols = loops_of(copy)
    with h5py.File(out, "r") as f:
        grp = f[last.results.group]
        spec = f[grp["Centered"].attrs["Spectroscopic_Indices"]]
        assert spec.name.startswith(last.results.group)  # a copy of the Fit's table
        centered = grp["Centered"][()]
    np.testing.assert_array_equal(centered[:, cols],
                                  (want - want.mean(axis=2)[:, :, None]).astype(np.float32))
    again = run_all(AnalysisRun(src, LOOPS, n_jobs=1, output=out))
    assert again.state is ProgressState.REUSED


def test_pyusid_reads_a_chained_group_as_usid_main_datasets(copy):
    src = ResultsSource.open_group(copy, SHO0, LOOPS.input)
    last = run_all(AnalysisRun(src, LOOPS, n_jobs=1))
    got = run_interop("""
        import h5py, pyUSID
        out = {}
        with h5py.File(path, "r") as f:
            for name in ("Mean", "Centered"):
                ds = pyUSID.USIDataset(f[group + "/" + name])
                out[name] = {"spec": dict(zip(ds.spec_dim_labels, map(int, ds.spec_dim_sizes))),
                             "pos": dict(zip(ds.pos_dim_labels, map(int, ds.pos_dim_sizes))),
                             "nd": list(ds.get_n_dim_form().shape)}
        print(json.dumps(out))
        """, path=str(copy), group=last.results.group)
    assert got["Mean"]["spec"] == {"Field": 2}
    assert got["Centered"]["spec"] == {"DC_Offset": DC, "Field": 2}
    assert sorted(got["Mean"]["pos"].values()) == sorted([ROWS, COLS])
    assert got["Centered"]["nd"][-2:] in ([DC, 2], [2, DC])
