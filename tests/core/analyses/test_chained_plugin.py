"""A lab's *chained* analysis, shipped as its own distribution, runs through the real CLI on a
BEPS file with no PeakGUI change: listed, run from an SHO group, resumed after a SIGKILL bit for
bit, reused, not reused from another SHO group, refused on an incomplete one, and identical on
a Dask local:2 cluster and with other --jobs."""

from __future__ import annotations

import json
import shutil

import h5py
import numpy as np
import pytest

from peakgui.core.demo.beps import write_beps_demo
from peakgui.core.io.results import COMPLETED
from tests.core.analyses.loop_mean_plugin import install
from tests.core.helpers import cli, copy_file, env_with, kill_after

RAW = "/Measurement_000/Channel_000/Raw_Data"
SHO0, SHO1 = RAW + "-SHO_Fit_000", RAW + "-SHO_Fit_001"
LOOPS0 = SHO0 + "/Fit-Loop_Mean_000"
ROWS, COLS, DC = 8, 10, 16
SLOW = ["--param", "delay_ms=25", "--max-mem", "0.02"]


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory) -> dict:
    return env_with(install(tmp_path_factory.mktemp("site")))


batch = cli


def group_values(path, group: str) -> dict[str, np.ndarray]:
    with h5py.File(path, "r", locking=False) as f:
        return {k: v[()] for k, v in f[group].items() if isinstance(v, h5py.Dataset)}


def assert_identical(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


@pytest.fixture(scope="module")
def fitted(plugin_env, tmp_path_factory):
    """A BEPS demo file with one complete SHO group, made by the CLI."""
    path = tmp_path_factory.mktemp("beps") / "beps.h5"
    write_beps_demo(path, rows=ROWS, cols=COLS, bins=32, dc_steps=DC, seed=3)
    batch(plugin_env, path, "--analysis", "sho", "--jobs", "1")
    return path


@pytest.fixture(scope="module")
def reference(plugin_env, fitted, tmp_path_factory) -> dict:
    """The loops of an uninterrupted one-worker run."""
    path = tmp_path_factory.mktemp("ref") / "beps.h5"
    shutil.copy(fitted, path)
    batch(plugin_env, path, "--analysis", "loop_mean", "--jobs", "1")
    return group_values(path, LOOPS0)


@pytest.fixture
def copy(fitted, tmp_path):
    return copy_file(fitted, tmp_path / "scan.h5")


def test_the_chained_plugin_is_listed_and_documented(plugin_env):
    listed = batch(plugin_env, "--list-analyses").stdout
    assert any(line.split()[0] == "loop_mean" for line in listed.splitlines())
    helped = batch(plugin_env, "--analysis", "loop_mean", "--help").stdout
    assert "scale" in helped and "--then NAME" in helped and "--from GROUP" in helped


def test_it_runs_from_the_sho_group_and_writes_under_it(plugin_env, copy, reference):
    summary = json.loads(batch(plugin_env, copy, "--analysis", "loop_mean", "--json").stdout)
    assert summary["results_group"] == LOOPS0 and summary["computed"] == ROWS * COLS
    assert summary["dataset"] == SHO0 + "/Fit" and summary["file"] == str(copy)
    got = group_values(copy, LOOPS0)
    assert_identical(got, reference)
    with h5py.File(copy, "r") as f:
        fit = f[SHO0]["Fit"][()]
        table = f[f[SHO0]["Fit"].attrs["Spectroscopic_Indices"]]
        field_row = table[()][[str(x) for x in table.attrs["labels"].astype(str)].index("Field")]
        attrs = dict(f[LOOPS0].attrs)
        upstream = f[SHO0].attrs["peakgui_parameters"]
    piezo = fit["Amplitude [V]"].astype(np.float64) * np.cos(fit["Phase [rad]"])
    for k in range(2):
        np.testing.assert_allclose(got["Loop_Mean"][:, k], piezo[:, field_row == k].mean(axis=1),
                                   rtol=1e-12)
    assert attrs["input_group"] == SHO0 and attrs["input_parameters"] == upstream
    assert attrs["analysis"] == "loop_mean" and attrs["input_analysis"] == "sho"


def test_a_killed_run_resumes_bit_for_bit_then_is_reused(plugin_env, copy, reference):
    args = ["--analysis", "loop_mean", "--jobs", "1", *SLOW]
    done = kill_after([copy, *args], copy, LOOPS0, 20, env=plugin_env)
    assert 20 <= done < ROWS * COLS
    summary = json.loads(batch(plugin_env, copy, *args, "--json").stdout)
    assert summary["computed"] == ROWS * COLS - done and summary["results_group"] == LOOPS0
    assert_identical(group_values(copy, LOOPS0), reference)
    again = json.loads(batch(plugin_env, copy, *args, "--json").stdout)
    assert again["reused"] and again["computed"] == 0 and again["results_group"] == LOOPS0


def test_another_sho_group_is_another_input(plugin_env, copy):
    batch(plugin_env, copy, "--analysis", "loop_mean")
    batch(plugin_env, copy, "--analysis", "sho", "--param", "q_max=5000")  # SHO_Fit_001
    newest = batch(plugin_env, copy, "--analysis", "loop_mean", "--json")
    summary = json.loads(newest.stdout)
    assert not summary["reused"] and summary["results_group"] == SHO1 + "/Fit-Loop_Mean_000"
    assert "2 complete sho groups; read the newest" in newest.stderr
    old = json.loads(batch(plugin_env, copy, "--analysis", "loop_mean", "--from", SHO0,
                           "--json").stdout)
    assert old["reused"] and old["results_group"] == LOOPS0
    with h5py.File(copy, "r") as f:
        assert f[SHO1 + "/Fit-Loop_Mean_000"].attrs["input_group"] == SHO1


def test_an_incomplete_sho_group_is_refused_in_one_line(plugin_env, copy):
    with h5py.File(copy, "r+") as f:
        f[SHO0][COMPLETED][5:8] = 0
    for extra in ([], ["--from", SHO0]):
        proc = batch(plugin_env, copy, "--analysis", "loop_mean", *extra, check=False)
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2 and len(lines) == 1, proc.stderr
        assert "77 of 80 positions" in lines[0] and "Traceback" not in proc.stderr
    with h5py.File(copy, "r") as f:
        assert "Fit-Loop_Mean_000" not in f[SHO0]
    # completing it (the SHO run resumes) lets the chain run
    batch(plugin_env, copy, "--analysis", "sho")
    batch(plugin_env, copy, "--analysis", "loop_mean")


def test_dask_and_other_jobs_give_identical_loops(plugin_env, copy, reference, tmp_path):
    pytest.importorskip("distributed")
    summary = json.loads(batch(plugin_env, copy, "--analysis", "loop_mean", "--cluster",
                               "local:2", "--max-mem", "0.05", "--json").stdout)
    assert summary["workers"] == 2 and summary["worker_kind"] == "dask"
    assert_identical(group_values(copy, LOOPS0), reference)
    for jobs in ("2", "3"):
        other = tmp_path / f"jobs{jobs}.h5"
        shutil.copy(copy, other)
        with h5py.File(other, "r+") as f:
            del f[LOOPS0]
        batch(plugin_env, other, "--analysis", "loop_mean", "--jobs", jobs, "--max-mem", "0.05")
        assert_identical(group_values(other, LOOPS0), reference)
