"""peakgui-batch on NSID files and other non-USID files: the raw dataset is the default before
and after a run, bad scales cost one line and no traceback, and the NSID demo."""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest

from peakgui.core.demo.nsid import NSID_DATASET
from tests.interop_nsid import E_UNITS, IV_DATASET, pynsid_copy
from tests.test_cli import batch


@pytest.fixture
def pynsid_file(tmp_path_factory, tmp_path):
    return pynsid_copy(tmp_path_factory, tmp_path)


def runs(*args) -> dict:
    return json.loads(batch(*args, "--json").stdout.strip().splitlines()[-1])


def test_a_second_run_on_a_pynsid_file_opens_the_raw_dataset_again(pynsid_file):
    first = runs(pynsid_file)
    assert first["dataset"] == IV_DATASET and first["notes"] == []
    with h5py.File(pynsid_file, "r") as f:
        assert f[first["results_group"]]["Peak_Frequency"].attrs["units"] == E_UNITS
    second = runs(pynsid_file, "--analysis", "sho")
    assert second["dataset"] == IV_DATASET
    assert runs(pynsid_file)["reused"]


def test_a_second_run_on_a_plain_cube_opens_the_cube_not_the_first_results(tmp_path):
    path = tmp_path / "cube.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("scan/data", data=np.random.default_rng(0).random((4, 5, 30)))
    assert runs(path)["dataset"] == "/scan/data"
    assert runs(path, "--analysis", "sho")["dataset"] == "/scan/data"


def test_dataset_option_still_chooses_a_results_dataset(tmp_path):
    path = tmp_path / "cube.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("scan/data", data=np.random.default_rng(0).random((4, 5, 30)))
    chosen = runs(path)["results_group"] + "/Peak_Response"
    proc = batch(path, "--dataset", chosen, check=False)  # one value per position: no spectra
    assert proc.returncode == 2 and f"{chosen}: spectra along" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_scale_of_the_wrong_length_costs_one_line_and_the_run_goes_on(pynsid_file):
    with h5py.File(pynsid_file, "a") as f:
        grp = f[IV_DATASET.rsplit("/", 1)[0]]
        dset = grp[IV_DATASET.rsplit("/", 1)[1]]
        dset.dims[0].detach_scale(grp["x"])
        short = grp.create_dataset("x_short", data=np.arange(7.0))
        short.attrs.update({"name": "x", "units": "m", "quantity": "distance",
                            "dimension_type": "SPATIAL"})
        short.make_scale("x")
        dset.dims[0].attach_scale(short)
    proc = batch(pynsid_file)
    lines = [ln for ln in proc.stderr.splitlines() if "values for the" in ln]
    assert len(lines) == 1 and "'x' has 7 values for the 12 points" in lines[0]
    assert "Traceback" not in proc.stderr


def test_nsid_demo_is_written_and_run(tmp_path):
    out = tmp_path / "nsid_demo.h5"
    proc = batch("--demo", out, "--demo-kind", "nsid")
    assert "wrote demo dataset" in proc.stderr
    assert runs(out)["dataset"] == NSID_DATASET
