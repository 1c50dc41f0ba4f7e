"""A USID file whose ancillary dataset was deleted (its reference in the main dataset dangles):
the run goes on, and the user is told once on stderr and in the results' ``source_notes``."""

from __future__ import annotations

import subprocess
import sys

import h5py
import pytest

from peakgui.core.demo.be import DEMO_DATASET, write_demo

PARENT = DEMO_DATASET.rsplit("/", 1)[0]


def write_without(path, ancillary: str):
    write_demo(path, rows=6, cols=8, bins=64, seed=2)
    with h5py.File(path, "r+") as f:
        del f[f"{PARENT}/{ancillary}"]
    return path


@pytest.mark.parametrize("ancillary", ["Spectroscopic_Values", "Position_Values"])
def test_a_deleted_ancillary_runs_and_says_so(tmp_path, ancillary):
    path = write_without(tmp_path / "scan.h5", ancillary)
    proc = subprocess.run([sys.executable, "-m", "peakgui.cli", str(path), "--jobs", "1"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    said = [line for line in proc.stderr.splitlines() if ancillary in line]
    assert len(said) == 1, proc.stderr
    assert "deleted" in said[0] and "dangling reference" in said[0]
    with h5py.File(path, "r") as f:
        notes = f[f"{DEMO_DATASET}-Peak_Finding_000"].attrs["source_notes"]
    assert f"{ancillary} was deleted from the file" in notes


def test_an_intact_file_says_nothing(tmp_path):
    path = tmp_path / "scan.h5"
    write_demo(path, rows=6, cols=8, bins=64, seed=2)
    proc = subprocess.run([sys.executable, "-m", "peakgui.cli", str(path), "--jobs", "1"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "dangling" not in proc.stderr, proc.stderr
