"""The bad-input catalogue through peakgui-batch: one clear line, exit 2, source unchanged.
Plus the two cases that only happen during a run: the file vanishes, the disk fills up."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time

import h5py
import pytest

from peakgui.core.demo.be import DEMO_DATASET, write_demo
from peakgui.core.errors import OutputError
from peakgui.core.io.results import COMPLETED
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.engine import Progress
from tests.catalogue import CASES, as_plain_user
from tests.core.helpers import peak_run


def _source(path):
    with h5py.File(path, "r", locking=False) as f:
        return f[DEMO_DATASET][()].tobytes()


def _bytes(path):
    try:
        return path.read_bytes() if path.is_file() else "dir"
    except OSError:
        return "unreadable"


@pytest.mark.parametrize("build", CASES, ids=lambda b: b.__name__)
def test_catalogue_through_the_cli(tmp_path, build):
    case = build(tmp_path)
    before = _bytes(case.path) if case.exit_code else _source(case.path)
    cmd = [sys.executable, "-m", "peakgui.cli", str(case.path), "--jobs", "1"]
    if case.dataset:
        cmd += ["--dataset", case.dataset]
    proc = subprocess.run(as_plain_user(cmd), capture_output=True, text=True, timeout=300)
    assert proc.returncode == case.exit_code, proc.stderr
    assert "Traceback" not in proc.stderr and "RuntimeWarning" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    if case.exit_code == 2:
        assert len(lines) == 1, proc.stderr
    assert any(case.message in line for line in lines), proc.stderr
    if case.exit_code:
        assert _bytes(case.path) == before  # a refused file is not touched at all
    else:
        assert _source(case.path) == before  # results were added; the source is unchanged


def test_catalogue_has_at_least_fifteen_kinds():
    assert len({b.__name__ for b in CASES}) >= 15


def test_file_deleted_during_a_run_stops_with_a_clear_error(tmp_path):
    path = tmp_path / "scan.h5"
    write_demo(path, rows=24, cols=32, bins=64)
    gen = peak_run(SpectralSource.open(path), n_jobs=1, max_mem_mb=1).run()
    first = next(gen)
    assert isinstance(first, Progress)
    path.unlink()
    with pytest.raises(OutputError, match="moved or deleted during the run"):
        for _ in gen:
            pass


def test_file_moved_during_a_run_keeps_finished_chunks(tmp_path):
    path = tmp_path / "scan.h5"
    write_demo(path, rows=24, cols=32, bins=64)
    gen = peak_run(SpectralSource.open(path), n_jobs=1, max_mem_mb=1).run()
    for i, _ in enumerate(gen):
        if i == 3:
            break
    moved = tmp_path / "moved.h5"
    os.replace(path, moved)
    with pytest.raises(OutputError, match="moved or deleted"):
        next(gen)
    with h5py.File(moved, "r") as f:
        grp = f["/Measurement_000/Channel_000/Raw_Data-Peak_Finding_000"]
        assert grp[COMPLETED][()].sum() >= 4


def _limit_file_size(limit: int):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_disk_full_is_refused_before_the_file_is_touched(tmp_path):
    """A file-size limit stands in for a full disk. One clear line, exit 2, the file is
    byte-identical, and with room again the same command completes."""
    path = tmp_path / "scan.h5"
    write_demo(path, rows=128, cols=128, bins=32)
    before = path.read_bytes()
    cmd = [sys.executable, "-m", "peakgui.cli", str(path), "--jobs", "1"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                          preexec_fn=_limit_file_size(len(before) + 100_000))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert "the disk is full or the file size limit was reached" in lines[0]
    assert path.read_bytes() == before
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr


def test_locked_file_through_the_cli_goes_to_the_sidecar(tmp_path):
    path = tmp_path / "held.h5"
    write_demo(path, rows=8, cols=8, bins=64)
    before = _source(path)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import h5py, sys, time; f = h5py.File(sys.argv[1], 'r+');"
         "print('ok', flush=True); time.sleep(120)", str(path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        proc = subprocess.run([sys.executable, "-m", "peakgui.cli", str(path), "--jobs", "1"],
                              capture_output=True, text=True, timeout=300)
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 0, proc.stderr
    # a plain h5py writer is not PeakGUI: named as another program, with its process id
    assert f"locked by another program (process {holder.pid}); results go to" in proc.stderr
    assert (tmp_path / "held.peakgui.h5").exists()
    assert _source(path) == before


def test_file_deleted_during_a_cli_run_is_one_line_and_exit_2(tmp_path):
    path = tmp_path / "scan.h5"
    write_demo(path, rows=24, cols=32, bins=64)
    proc = subprocess.Popen([sys.executable, "-m", "peakgui.cli", str(path), "--jobs", "1",
                             "--max-mem", "1"], stderr=subprocess.PIPE, text=True)
    group = DEMO_DATASET + "-Peak_Finding_000"

    def done() -> int:
        try:
            with h5py.File(path, "r", locking=False) as f:
                return int(f[group][COMPLETED][()].sum())
        except (OSError, KeyError):
            return 0

    for _ in range(6000):
        if done() >= 5 or proc.poll() is not None:
            break
        time.sleep(0.01)
    path.unlink()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "moved or deleted during the run" in lines[0]
