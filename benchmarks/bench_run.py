"""Whole-run benchmarks: PeakGUI against the tutorial's scipy loop, and a 1 GB file under a cap.

Run: ``.venv/bin/python benchmarks/bench_run.py [--big] [--scipy-sample N]``

1. The 128 x 128 x 119 demo: the plain tutorial loop (scipy, one process) and ``peakgui-batch``
   (default jobs, then --jobs 1) on the same file in this run; prints seconds, spectra/s and
   the ratio. The scipy loop runs on every spectrum unless --scipy-sample is given.
2. With --big: a 1024 x 1024 x 119 complex64 file (about 1 GB) run with --max-mem 256; prints
   spectra/s and the peak resident memory of the whole process tree, sampled every 20 ms.
3. With --beps: a 64 x 64 x 87 x 128 x 2 BEPS file (about 0.7 GB), the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import h5py
import numpy as np
import psutil
from scipy.signal import find_peaks_cwt

from peakgui.core.demo.be import DEMO_DATASET, write_demo
from peakgui.core.demo.beps import write_beps_demo


def tutorial_map(spectra: np.ndarray) -> np.float32:
    peak_inds = find_peaks_cwt(np.abs(spectra), np.linspace(20, 60, 30))
    central = len(spectra) // 2
    if len(peak_inds) == 0:
        return np.abs(spectra[central])
    if len(peak_inds) > 1:
        return np.abs(spectra[peak_inds[np.argmin(np.abs(peak_inds - central))]])
    return np.abs(spectra[peak_inds[0]])


class TreeMemory:
    """Peak resident memory of a process and all its children, sampled in a thread."""

    def __init__(self, pid: int, period: float = 0.02):
        self.proc = psutil.Process(pid)
        self.period = period
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                rss = sum(p.memory_info().rss for p in procs if p.is_running())
                self.peak = max(self.peak, rss)
            except psutil.Error:
                pass
            time.sleep(self.period)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def run_batch(path: Path, *args: str) -> tuple[dict, int]:
    cmd = [sys.executable, "-m", "peakgui.cli", str(path), "--json", "--force", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with TreeMemory(proc.pid) as mem:
        out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"peakgui-batch failed: {err}")
    return json.loads(out), mem.peak


def demo_comparison(tmp: Path, sample: int | None) -> None:
    path = tmp / "demo.h5"
    write_demo(path)
    with h5py.File(path, "r") as f:
        raw = f[DEMO_DATASET][()]
    n = len(raw) if sample is None else min(sample, len(raw))
    t0 = time.perf_counter()
    amps = np.array([tutorial_map(row) for row in raw[:n]], dtype=np.float32)
    scipy_rate = n / (time.perf_counter() - t0)
    scipy_seconds = len(raw) / scipy_rate
    print(f"demo 128x128x119: tutorial scipy loop, 1 process: {scipy_rate:9.0f} spectra/s "
          f"({'measured on all' if sample is None else f'measured on {n}'} -> "
          f"{scipy_seconds:.1f} s for the whole map)")
    run_batch(path, "--jobs", "1")  # warm the OS file cache
    for jobs in (None, 1, 2):
        args = [] if jobs is None else ["--jobs", str(jobs)]
        summary, _ = run_batch(path, *args)
        label = "default jobs" if jobs is None else f"--jobs {jobs}"
        with h5py.File(path, "r") as f:
            got = f[summary["results_group"]]["Peak_Response"][:n, 0]
        same = np.array_equal(got.view(np.uint32), amps.view(np.uint32))
        run, load = summary["seconds"], summary["kernel_load_seconds"]
        print(f"  peakgui-batch {label:13s}: whole run {run:6.3f} s, "
              f"{summary['spectra_per_second']:7.0f} spectra/s, "
              f"{scipy_seconds / run:6.1f}x the scipy loop; with the one-off kernel load "
              f"({load:.2f} s) {scipy_seconds / (run + load):5.1f}x; bit-identical: {same}")


def capped_run(label: str, path: Path, write, cap_mb: int) -> None:
    """Write a large file, run it under a memory cap and print the speed and the peak memory
    of the whole process tree (chunks count every step, N*S per position, against the cap)."""
    t0 = time.perf_counter()
    write(path)
    size = path.stat().st_size
    print(f"{label}: {size / 2**20:.0f} MiB written in {time.perf_counter() - t0:.0f} s")
    summary, peak = run_batch(path, "--max-mem", str(cap_mb))
    print(f"  peakgui-batch --max-mem {cap_mb}: {summary['seconds']:.1f} s, "
          f"{summary['spectra_per_second']:.0f} spectra/s, workers {summary['workers']}, "
          f"peak RSS of the process tree {peak / 2**20:.0f} MiB "
          f"(file {size / 2**20:.0f} MiB, cap {cap_mb} MiB)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--big", action="store_true", help="also run the 1 GB file")
    ap.add_argument("--beps", action="store_true", help="also run a 0.7 GB BEPS file")
    ap.add_argument("--max-mem", type=int, default=256)
    ap.add_argument("--scipy-sample", type=int, default=None,
                    help="time the scipy loop on this many spectra only")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / 2**30:.0f} GiB RAM")
    with tempfile.TemporaryDirectory() as d:
        demo_comparison(Path(d), args.scipy_sample)
        if args.big:
            capped_run("1024x1024x119", Path(d) / "big.h5",
                       lambda p: write_demo(p, rows=1024, cols=1024, bins=119), args.max_mem)
        if args.beps:
            capped_run("BEPS 64x64 x 87 bins x 128 DC x 2 fields", Path(d) / "beps.h5",
                       lambda p: write_beps_demo(p, rows=64, cols=64, bins=87, dc_steps=128),
                       args.max_mem)


if __name__ == "__main__":
    main()
