"""Parallel scaling of a whole ``peakgui-batch`` run: threads and processes, 1..N workers.

Run: ``.venv/bin/python benchmarks/bench_scaling.py [--rows 512 --cols 480] [--max-mem MB]
[--repeat 2]``

On one file (default 512 x 480 x 119 complex64, 227 MiB, written once), every worker count from
1 to the number of cores is run with ``--backend threads`` and ``--backend processes`` (best of
``--repeat`` runs, each a fresh process with ``--force``). Printed side by side: spectra/s of the
computation (the JSON summary's rate), wall time of the whole process, parallel efficiency
against one worker of the same kind, and the peak resident memory of the whole process tree.
Then the baseline memory of ``peakgui-batch`` (its imports only), and an Amdahl fit: the
serial fraction s from the best 2-worker speed-up S2 = 1 / (s + (1 - s) / 2), and what that
predicts for 8 and 16 cores. Finally the results of every run are checked to be bit-identical.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_run import TreeMemory, run_batch

from peakgui.core.analyses.peak_finding.analysis import RESPONSE
from peakgui.core.demo.be import write_demo


def baseline_rss() -> int:
    """Resident memory of a Python that imported what peakgui-batch imports before a run."""
    code = ("import peakgui.cli, peakgui.core.run.engine, peakgui.core.io.source, "
            "peakgui.core.analyses.registry as r; r.available(); import time; time.sleep(0.3)")
    proc = subprocess.Popen([sys.executable, "-c", code])
    with TreeMemory(proc.pid) as mem:
        proc.wait()
    return mem.peak


def results_of(path: Path, group: str) -> np.ndarray:
    with h5py.File(path, "r") as f:
        return f[group][RESPONSE][()]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=512)
    p.add_argument("--cols", type=int, default=480)
    p.add_argument("--max-mem", type=float, default=None, metavar="MB")
    p.add_argument("--repeat", type=int, default=2)
    args = p.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="peakgui-scaling-") as tmp:
        path = Path(tmp) / "scan.h5"
        write_demo(path, rows=args.rows, cols=args.cols)
        size = path.stat().st_size / 2**20
        spectra = args.rows * args.cols
        print(f"peakgui-batch scaling: {args.rows} x {args.cols} x 119 ({spectra:,} spectra, "
              f"{size:.0f} MiB), {cores} cores, best of {args.repeat}"
              + (f", --max-mem {args.max_mem:g}" if args.max_mem else ""))
        print(f"{'kind':<10}{'workers':>8}{'spectra/s':>12}{'wall s':>9}{'speed-up':>10}"
              f"{'efficiency':>12}{'peak tree MiB':>15}")
        rates: dict[tuple[str, int], float] = {}
        reference = None
        for kind in ("threads", "processes"):
            for n in range(1, cores + 1):
                best = None
                for _ in range(args.repeat):
                    extra = ["--max-mem", str(args.max_mem)] if args.max_mem else []
                    t0 = time.perf_counter()
                    summary, peak = run_batch(path, "--jobs", str(n), "--backend", kind, *extra)
                    wall = time.perf_counter() - t0
                    if best is None or summary["spectra_per_second"] > best[0]["spectra_per_second"]:
                        best = (summary, peak, wall)
                    got = results_of(path, summary["results_group"])
                    if reference is None:
                        reference = got
                    elif not np.array_equal(got, reference, equal_nan=True):
                        raise SystemExit(f"results differ for {kind} x {n}")
                summary, peak, wall = best
                rate = summary["spectra_per_second"]
                rates[kind, n] = rate
                speedup = rate / rates[kind, 1]
                print(f"{kind:<10}{n:>8}{rate:>12,.0f}{wall:>9.2f}{speedup:>9.2f}x"
                      f"{100 * speedup / n:>11.0f}%{peak / 2**20:>15.0f}")
        print(f"baseline resident memory of peakgui-batch (imports only): "
              f"{baseline_rss() / 2**20:.0f} MiB")
        if cores >= 2:
            best_kind = max(("threads", "processes"), key=lambda k: rates[k, 2] / rates[k, 1])
            s2 = rates[best_kind, 2] / rates[best_kind, 1]
            serial = min(max((2 / s2 - 1), 0.0), 1.0)
            predict = {c: 1 / (serial + (1 - serial) / c) for c in (8, 16)}
            print(f"Amdahl from {best_kind}, 2 workers: speed-up {s2:.2f}x -> serial fraction "
                  f"{serial:.3f}; predicted speed-up 8 cores {predict[8]:.1f}x, "
                  f"16 cores {predict[16]:.1f}x")
        print("every run's Peak_Response bit-identical: yes")
        print(f"(psutil sees {psutil.cpu_count(logical=False)} physical cores)")


if __name__ == "__main__":
    main()
