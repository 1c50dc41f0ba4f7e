"""An analysis shipped as its own distribution runs through the CLI with no PeakGUI change:
found through the entry point, listed, documented, run, resumed after a kill and reused."""

from __future__ import annotations

import json
import subprocess
import sys

import h5py
import numpy as np
import pytest

from peakgui.core.demo.be import DEMO_DATASET, write_demo
from tests.core.analyses.band_mean_plugin import install
from tests.core.helpers import cli, env_with, kill_after

GROUP = DEMO_DATASET + "-Band_Mean_000"


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory) -> dict:
    return env_with(install(tmp_path_factory.mktemp("site")))


batch = cli


def expected_means(path, lo, hi) -> np.ndarray:
    with h5py.File(path, "r") as f:
        raw = f[DEMO_DATASET][()]
        freq = f[f[DEMO_DATASET].attrs["Spectroscopic_Values"]][()].ravel()
    inside = (freq >= lo) & (freq <= hi)
    return np.abs(raw[:, inside]).astype(np.float64).mean(axis=1).astype(np.float32)


def test_the_plugin_is_listed_and_documented(plugin_env):
    listed = batch(plugin_env, "--list-analyses").stdout.splitlines()
    names = [line.split()[0] for line in listed]
    assert names[0] == "peak_finding" and "band_mean" in names
    assert any("Mean |x| over a band" in line for line in listed)
    helped = batch(plugin_env, "--analysis", "band_mean", "--help").stdout
    assert "band_lo" in helped and "unit Hz" in helped and "default 0.0" in helped
    # without the distribution on the path it is unknown, said in one line
    bare = {k: v for k, v in plugin_env.items() if k != "PYTHONPATH"}
    proc = batch(bare, "x.h5", "--analysis", "band_mean", check=False)
    assert proc.returncode == 2 and "no analysis called 'band_mean'" in proc.stderr


def test_the_plugin_runs_resumes_after_a_kill_and_is_reused(plugin_env, tmp_path):
    path = tmp_path / "scan.h5"
    write_demo(path, rows=24, cols=20, bins=64)
    args = ["--analysis", "band_mean", "--param", "band_lo=320e3", "--param", "band_hi=360e3",
            "--param", "delay_ms=15", "--jobs", "1", "--max-mem", "0.02"]
    done = kill_after([path, *args], path, GROUP, 40, env=plugin_env)
    assert 40 <= done < 24 * 20

    summary = json.loads(batch(plugin_env, path, *args, "--json").stdout)
    assert summary["analysis"] == "band_mean" and summary["results_group"] == GROUP
    assert summary["computed"] == 24 * 20 - done  # resumed, not restarted
    with h5py.File(path, "r") as f:
        grp = f[GROUP]
        got = grp["Band_Mean"][()][:, 0]
        assert grp.attrs["analysis"] == "band_mean"
        assert grp.attrs["band_lo"] == 320e3 and grp["Band_Mean"].attrs["units"] == "V"
        assert int(grp["Band_Points"][0, 0]) > 0
    np.testing.assert_array_equal(got, expected_means(path, 320e3, 360e3))

    again = json.loads(batch(plugin_env, path, *args, "--json").stdout)
    assert again["reused"] and again["computed"] == 0
    other = json.loads(batch(plugin_env, path, "--analysis", "band_mean", "--json").stdout)
    assert other["results_group"].endswith("Band_Mean_001")  # new parameters, new group


def test_a_bad_parameter_is_one_line(plugin_env, tmp_path):
    path = tmp_path / "scan.h5"
    write_demo(path, rows=4, cols=4, bins=32)
    for bad, says in (("delay_ms=-1", "Delay must be at least 0"),
                      ("nope=1", "has no parameter 'nope'"),
                      ("band_lo", "expected NAME=VALUE")):
        proc = batch(plugin_env, path, "--analysis", "band_mean", "--param", bad, check=False)
        assert proc.returncode == 2 and says in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1


def test_the_plugins_analysis_loads_without_its_gui_view(plugin_env):
    """The declaration names its view as text: reading the analysis never imports Qt."""
    code = ("import sys; from peakgui.core.analyses import registry; "
            "a = registry.get('band_mean'); print(a.view); "
            "assert not any(m.startswith(('PyQt5', 'pyqtgraph')) for m in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], env=plugin_env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "lab_band_mean_view:BandMeanView"
