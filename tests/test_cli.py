"""peakgui-batch end to end, as a user or a script runs it: real processes, real files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest

from peakgui.cli import create_parser
from peakgui.core.analyses.peak_finding.analysis import COUNT, FREQUENCY, RESPONSE
from peakgui.core.demo.be import DEMO_DATASET, write_demo
from peakgui.core.io.results import COMPLETED
from tests.core.helpers import completed_count, dataset_digest, kill_after, tutorial_amplitudes

GROUP0 = DEMO_DATASET + "-Peak_Finding_000"


def batch(*args, check=True, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "peakgui.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=600, **kw)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def results_of(path, group=GROUP0) -> dict:
    with h5py.File(path, "r") as f:
        return {k: f[group][k][()] for k in (RESPONSE, FREQUENCY, COUNT, COMPLETED)}


def test_parser_is_qt_free_and_has_the_documented_options():
    args = create_parser().parse_args(
        ["f.h5", "--dataset", "/d", "--widths", "10", "50", "--steps", "12", "--min-snr", "2",
         "--noise-perc", "5", "--jobs", "3", "--max-mem", "256", "--output", "o.h5", "--force",
         "--json"])
    assert args.widths == [10.0, 50.0] and args.steps == 12 and args.jobs == 3
    assert args.max_mem == 256 and args.force and args.json


def test_demo_run_equals_the_tutorial_loop_bit_for_bit(tmp_path):
    path = tmp_path / "demo.h5"
    batch("--demo", path)
    with h5py.File(path, "r") as f:
        raw = f[DEMO_DATASET][()]
    assert raw.shape == (16384, 119) and raw.dtype == np.complex64
    summary = json.loads(batch(path, "--json", "--jobs", "2").stdout)
    assert summary["positions"] == 16384 and summary["computed"] == 16384
    assert summary["results_group"] == GROUP0 and not summary["reused"]
    assert set(summary) >= {"file", "dataset", "results_file", "results_group", "positions",
                            "computed", "reused", "seconds", "spectra_per_second"}
    res = results_of(path)
    expected = tutorial_amplitudes(raw)
    assert res[RESPONSE].dtype == expected.dtype == np.float32
    assert np.array_equal(res[RESPONSE][:, 0].view(np.uint32), expected.view(np.uint32))
    again = json.loads(batch(path, "--json").stdout)
    assert again["reused"] and again["computed"] == 0


def test_non_square_file_with_other_bins_equals_the_tutorial_loop(tmp_path):
    path = tmp_path / "ns.h5"
    write_demo(path, rows=96, cols=80, bins=87, seed=11)
    with h5py.File(path, "r") as f:
        raw = f[DEMO_DATASET][()]
    batch(path, "--jobs", "2")
    res = results_of(path)
    assert np.array_equal(res[RESPONSE][:, 0].view(np.uint32),
                          tutorial_amplitudes(raw).view(np.uint32))


def test_sigkill_mid_run_then_rerun_completes_identically(tmp_path, small_file):
    clean = tmp_path / "clean.h5"
    clean.write_bytes(small_file.read_bytes())
    batch(clean, "--jobs", "1")
    before = dataset_digest(small_file, DEMO_DATASET)

    # a tiny memory cap makes one-position chunks, so the run is long enough to kill mid-way
    done = kill_after([small_file, "--jobs", "1", "--max-mem", "1"], small_file, GROUP0, 50)
    assert 50 <= done < 768, done

    assert dataset_digest(small_file, DEMO_DATASET) == before
    summary = json.loads(batch(small_file, "--json", "--jobs", "2").stdout)
    assert summary["results_group"] == GROUP0 and summary["computed"] == 768 - done
    got, want = results_of(small_file), results_of(clean)
    for name in want:
        assert np.array_equal(got[name], want[name], equal_nan=True), name
    assert dataset_digest(small_file, DEMO_DATASET) == before


def test_ctrl_c_saves_progress_and_exits_130(small_file):
    proc = subprocess.Popen([sys.executable, "-m", "peakgui.cli", str(small_file),
                             "--jobs", "1", "--max-mem", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while completed_count(small_file, GROUP0) < 20 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "resume" in err
    done = completed_count(small_file, GROUP0)
    assert 20 <= done < 768
    with h5py.File(small_file, "r") as f:
        assert f[GROUP0].attrs["last_pixel"] == done  # saved on the way out
    summary = json.loads(batch(small_file, "--json").stdout)
    assert summary["computed"] == 768 - done


@pytest.mark.parametrize("setup, args, message", [
    (None, ["missing.h5"], "no such file"),
    ("text", ["bad.h5"], "not an HDF5 file"),
    ("empty", ["bad.h5"], "empty"),
    ("truncated", ["bad.h5"], "cannot be"),
    ("demo", ["demo.h5", "--dataset", "/nope"], "no dataset /nope"),
    ("demo", ["demo.h5", "--dataset", "/Measurement_000/Channel_000/Position_Indices"],
     "not a spectral map"),
    ("demo", ["demo.h5", "--widths", "60", "20"], "bad parameters"),
    ("demo", ["demo.h5", "--output", "/proc/peakgui-results.h5"], "cannot"),
])
def test_bad_input_gives_one_line_and_exit_2(tmp_path, small_file, setup, args, message):
    if setup == "text":
        (tmp_path / "bad.h5").write_text("hello")
    elif setup == "empty":
        (tmp_path / "bad.h5").write_bytes(b"")
    elif setup == "truncated":
        (tmp_path / "bad.h5").write_bytes(small_file.read_bytes()[:3000])
    elif setup == "demo":
        os.replace(small_file, tmp_path / "demo.h5")
    proc = batch(*args, check=False, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert message in lines[0]


def test_output_option_writes_elsewhere(tmp_path, small_file):
    out = tmp_path / "out" / "res.h5"
    out.parent.mkdir()
    summary = json.loads(batch(small_file, "--output", out, "--json").stdout)
    assert summary["results_file"] == str(out)
    with h5py.File(small_file, "r") as f:
        assert GROUP0 not in f


def test_many_files_in_one_run_bad_one_said_and_a_second_run_reuses(tmp_path):
    """Two good files and one bad: two results groups, one error line, exit 2; then reused."""
    good = [tmp_path / "a.h5", tmp_path / "scans" / "b.h5"]
    good[1].parent.mkdir()
    for path in good:
        write_demo(path, rows=6, cols=5, bins=48)
    bad = tmp_path / "scans" / "notes.h5"
    bad.write_text("not HDF5")
    (tmp_path / "scans" / "b.peakgui.h5").write_bytes(b"")  # a sidecar: never an input
    proc = batch(good[0], tmp_path / "scans", "--json", "--jobs", "1", check=False)
    assert proc.returncode == 2, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    *files, summary = lines
    assert [f["file"].rsplit("/", 1)[-1] for f in files] == ["a.h5", "b.h5", "notes.h5"]
    assert files[0]["results_group"] == files[1]["results_group"] == GROUP0
    assert "error" in files[2] and "not an HDF5 file" in files[2]["error"]
    assert summary == {"summary": True, "files": 3, "succeeded": 2, "failed": 1,
                       "computed": 60, "seconds": summary["seconds"]}
    errors = [line for line in proc.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and "notes.h5" in errors[0] and "Traceback" not in proc.stderr

    again = batch(good[0], good[1], "--json", "--jobs", "1")
    reused = [json.loads(line) for line in again.stdout.splitlines()][:-1]
    assert [r["reused"] for r in reused] == [True, True]
    assert all(r["computed"] == 0 for r in reused)
