"""``peakgui-batch`` chains: ``--analysis sho --then NAME`` in one command, ``--from GROUP``,
sidecars and ``--output`` for chained runs, and one clear line for every misuse."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import pytest

from peakgui.core.demo.beps import write_beps_demo
from tests.core.analyses.loop_mean_plugin import install
from tests.core.helpers import cli, dataset_digest, env_with, read_only

RAW = "/Measurement_000/Channel_000/Raw_Data"
SHO0 = RAW + "-SHO_Fit_000"
LOOPS0 = SHO0 + "/Fit-Loop_Mean_000"


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict:
    return env_with(install(tmp_path_factory.mktemp("site")))


@pytest.fixture
def beps(tmp_path) -> Path:
    path = tmp_path / "beps.h5"
    write_beps_demo(path, rows=5, cols=6, bins=32, dc_steps=12, seed=8)
    return path


batch = cli


def test_sho_then_a_chained_analysis_in_one_command(env, beps):
    proc = batch(env, beps, "--analysis", "sho", "--then", "loop_mean",
                 "--then-param", "scale=3", "--json")
    summary = json.loads(proc.stdout)
    assert summary["analysis"] == "loop_mean" and summary["results_group"] == LOOPS0
    assert summary["upstream"]["analysis"] == "sho" and summary["upstream"]["results_group"] \
        == SHO0
    assert summary["computed"] == summary["upstream"]["computed"] == 30
    with h5py.File(beps, "r") as f:
        assert f[LOOPS0].attrs["scale"] == 3.0 and f[LOOPS0].attrs["input_group"] == SHO0
    again = batch(env, beps, "--analysis", "sho", "--then", "loop_mean",
                  "--then-param", "scale=3")
    lines = again.stderr.strip().splitlines()
    assert lines == [f"peakgui-batch: beps.h5: sho reused; results in {beps}:{SHO0}",
                     f"peakgui-batch: beps.h5: loop_mean reused; results in {beps}:{LOOPS0}"]


def test_a_read_only_file_chains_in_its_sidecar(env, beps):
    digest = dataset_digest(beps, RAW)
    side = beps.with_name("beps.peakgui.h5")
    with read_only(beps):
        first = json.loads(batch(env, beps, "--analysis", "sho", "--then", "loop_mean",
                                 "--json").stdout)
        assert first["results_file"] == first["upstream"]["results_file"] == str(side)
        assert first["results_group"] == LOOPS0
        # later, the chained analysis alone finds the SHO group in the sidecar and reuses
        alone = json.loads(batch(env, beps, "--analysis", "loop_mean", "--json").stdout)
        assert alone["reused"] and alone["results_file"] == str(side)
        again = json.loads(batch(env, beps, "--analysis", "loop_mean", "--param", "scale=2",
                                 "--json").stdout)
        assert again["results_group"] == SHO0 + "/Fit-Loop_Mean_001"
    assert dataset_digest(beps, RAW) == digest
    assert not side.with_name("beps.peakgui.peakgui.h5").exists()
    with h5py.File(side, "r") as f:
        assert f[LOOPS0]["Loop_Mean"].shape == (30, 2)
        assert f[LOOPS0].attrs["input_file"] == str(side.resolve())


def test_output_takes_the_whole_chain(env, beps, tmp_path):
    out = tmp_path / "out.h5"
    summary = json.loads(batch(env, beps, "--analysis", "sho", "--then", "loop_mean",
                               "--output", out, "--json").stdout)
    assert summary["results_file"] == summary["upstream"]["results_file"] == str(out)
    with h5py.File(beps, "r") as f:
        assert SHO0 not in f
    alone = json.loads(batch(env, beps, "--analysis", "loop_mean", "--output", out,
                             "--json").stdout)
    assert alone["reused"] and alone["results_group"] == LOOPS0


@pytest.mark.parametrize("args, says", [
    (["--analysis", "loop_mean"], "needs SHO fit results of " + RAW + " and there are none: "
     "run --analysis sho first"),
    (["--analysis", "loop_mean", "--from", "/nope"], "no results group /nope"),
    (["--analysis", "sho", "--from", SHO0], "--from chooses the results a chained --analysis "
     "reads; sho reads raw spectra"),
    (["--analysis", "sho", "--then", "sho"], "--then sho: SHO fit reads raw spectra"),
    (["--analysis", "peak_finding", "--then", "loop_mean"], "reads sho results, not the "
     "results of --analysis peak_finding"),
    (["--analysis", "sho", "--then-param", "scale=2"], "there is none"),
    (["--analysis", "sho", "--then", "loop_mean", "--then-param", "scale"],
     "expected NAME=VALUE"),
    (["--analysis", "sho", "--then", "loop_mean", "--from", SHO0], "exclude each other"),
])
def test_misuse_is_one_line_and_exit_2(env, beps, args, says):
    proc = batch(env, beps, *args, check=False)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1, proc.stderr
    assert says in lines[0], lines[0]


def test_the_loop_fit_chains_from_the_sho_fit_in_one_command(beps):
    """PeakGUI's own chained analysis through the same path: loops under the SHO group."""
    summary = json.loads(batch(None, beps, "--analysis", "sho", "--then", "loop_fit",
                               "--json").stdout)
    group = SHO0 + "/Fit-Loop_Fit_000"
    assert summary["analysis"] == "loop_fit" and summary["results_group"] == group
    with h5py.File(beps, "r") as f:
        loops, fit = f[group]["Projected_Loops"], f[SHO0]["Fit"]
        assert loops.shape == fit.shape == (30, 2 * 12)  # per point: the Fit's own columns
        assert f[loops.attrs["Spectroscopic_Indices"]] == f[fit.attrs["Spectroscopic_Indices"]]
        assert f[group].attrs["input_group"] == SHO0
    again = json.loads(batch(None, beps, "--analysis", "loop_fit", "--json").stdout)
    assert again["reused"] and again["results_group"] == group


@pytest.mark.parametrize("args", [["--analysis", "loop_fit"],
                                  ["--analysis", "sho", "--then", "loop_fit"]])
def test_a_loop_fit_on_data_without_a_dc_sweep_is_refused_before_any_run(tmp_path, args):
    """A BE file has no DC offset: the loop fit said "run --analysis sho first", and after
    that SHO run (or the first link of --then) failed with "no dimension named 'DC_Offset'
    (have: Empty)". Now one line says why, and nothing is computed."""
    from peakgui.core.demo.be import write_demo

    path = tmp_path / "be.h5"
    write_demo(path, rows=4, cols=5, bins=32, seed=3)
    before = dataset_digest(path, RAW)
    proc = batch(None, path, *args, check=False)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1, proc.stderr
    assert "Loop fit reads SHO fit results along DC_Offset" in lines[0], lines[0]
    assert "no DC_Offset (only Frequency)" in lines[0] and "first" not in lines[0], lines[0]
    with h5py.File(path, "r") as f:
        assert not any("SHO_Fit" in name for name in f["Measurement_000/Channel_000"])
    assert dataset_digest(path, RAW) == before
