"""SIGKILL at random moments of a run: the file stays readable, the source unchanged, nothing
completed is lost, and resuming gives results bit-identical to an uninterrupted run."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest

from peakgui.core.analyses.peak_finding.analysis import COUNT, FREQUENCY, RESPONSE
from peakgui.core.demo.be import DEMO_DATASET, write_demo
from peakgui.core.io.results import COMPLETED

FIELDS = (RESPONSE, FREQUENCY, COUNT)
MIN_TRIALS = 20
MIN_MID_RUN = 12  # kills that landed while positions were being written
MAX_TRIALS = 60


def _cmd(path, jobs: int = 1) -> list[str]:
    # one-position chunks: each chunk reads, computes, writes, flushes, marks and flushes again
    return [sys.executable, "-m", "peakgui.cli", str(path), "--jobs", str(jobs), "--max-mem", "1"]


def _gzip(path) -> None:
    """The main dataset gzip-compressed in chunks of 8 positions: the workers read raw chunks."""
    with h5py.File(path, "r+") as f:
        d = f[DEMO_DATASET]
        data, attrs = d[()], dict(d.attrs)
        del f[DEMO_DATASET]
        f.create_dataset(DEMO_DATASET, data=data, chunks=(8, data.shape[1]),
                         compression="gzip").attrs.update(attrs)


def _source_bytes(path) -> bytes:
    with h5py.File(path, "r", locking=False) as f:
        return f[DEMO_DATASET][()].tobytes()


def _groups(path) -> dict[str, dict]:
    """Every results group in the file with its arrays (the file must open)."""
    out = {}
    with h5py.File(path, "r", locking=False) as f:
        parent = f[DEMO_DATASET.rsplit("/", 1)[0]]
        for name in parent:
            if "-Peak_Finding_" in name and COMPLETED in parent[name]:
                out[name] = {k: parent[name][k][()] for k in (*FIELDS, COMPLETED)}
    return out


@pytest.fixture(scope="module", params=[
    ("plain", 1),  # read by file offset, one worker thread beside the writer
    pytest.param(("gzip", 2), marks=pytest.mark.slow),  # raw chunks decoded by two workers
    pytest.param(("gzip", 1), marks=pytest.mark.slow),  # decoded ahead of the one worker
], ids=lambda p: f"{p[0]}-jobs{p[1]}")
def scan(request, tmp_path_factory):
    """A 48 x 64 demo, its source bytes, a reference result, an uninterrupted run's time and
    the worker count the trials use."""
    storage, jobs = request.param
    d = tmp_path_factory.mktemp("crash")
    path = d / "scan.h5"
    write_demo(path, rows=48, cols=64, bins=119, seed=21)
    if storage == "gzip":
        _gzip(path)
    ref = d / "ref.h5"
    shutil.copy(path, ref)
    t0 = time.monotonic()
    subprocess.run(_cmd(ref, jobs), check=True, capture_output=True, timeout=600)
    duration = time.monotonic() - t0
    (reference,) = _groups(ref).values()
    return path, _source_bytes(path), reference, duration, jobs


def test_random_sigkills_never_corrupt_or_lose_work(scan, tmp_path):
    master, source, reference, duration, jobs = scan
    rng = random.Random(1234)
    trials = mid_run = 0
    log = []
    while (trials < MIN_TRIALS or mid_run < MIN_MID_RUN) and trials < MAX_TRIALS:
        trials += 1
        path = tmp_path / f"trial{trials}.h5"
        shutil.copy(master, path)
        kills = 1 if trials % 2 else 2  # every other trial: kill the resumed run as well
        for _ in range(kills):
            delay = rng.uniform(0.0, duration)
            proc = subprocess.Popen(_cmd(path, jobs), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)

            # the file opens, the source dataset is byte-identical
            assert _source_bytes(path) == source
            groups = _groups(path)
            assert len(groups) <= 1, f"trial {trials}: a resumed run made a second group"
            for g in groups.values():
                done = g[COMPLETED].astype(bool)
                # everything marked complete holds exactly the reference results
                for name in FIELDS:
                    assert np.array_equal(g[name][done], reference[name][done]), name
                n = int(done.sum())
                if 0 < n < len(done):
                    mid_run += 1
                log.append((trials, round(delay, 3), n))

        subprocess.run(_cmd(path, jobs), check=True, capture_output=True, timeout=600)
        (final,) = _groups(path).values()
        for name in (*FIELDS, COMPLETED):
            assert np.array_equal(final[name], reference[name], equal_nan=True), (trials, name)
        assert _source_bytes(path) == source
    assert trials >= MIN_TRIALS
    assert mid_run >= MIN_MID_RUN, f"only {mid_run} kills landed mid-run: {log}"


def test_file_survives_kills_near_results_group_creation(scan, tmp_path):
    """Kills soon after start land in imports or in results-group creation, the moments when
    the file's structure changes: every object in the file must still open."""
    master, source, _, _, jobs = scan
    rng = random.Random(99)
    for i in range(6):
        path = tmp_path / f"early{i}.h5"
        shutil.copy(master, path)
        proc = subprocess.Popen(_cmd(path, jobs), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        assert _source_bytes(path) == source
        with h5py.File(path, "r", locking=False) as f:
            f.visititems(lambda name, obj: list(obj.attrs.keys()))  # every object opens
        subprocess.run(_cmd(path, jobs), check=True, capture_output=True, timeout=600)
        assert len(_groups(path)) >= 1
