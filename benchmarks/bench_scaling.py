"""Parallel scaling of the engine, measured from its own timers: rate, speed-up, serial fraction.

Run: ``.venv/bin/python benchmarks/bench_scaling.py [--rows 512 --cols 512] [--jobs 1,2]
[--repeat 3] [--analyses peak_finding,sho] [--no-gzip]``

On the demo file (``write_demo``, default 512 x 512 x 119 complex64) and on a gzip-compressed,
chunked copy of it, each analysis runs in this process with every worker count of ``--jobs``
(default 1, 2 and the other powers of two up to the cores), best of ``--repeat`` runs taken
side by side. Printed per run: spectra/s over the engine's time, the speed-up against one
worker, and the **serial fraction**: the run's time that more workers would not shorten (the
engine's time less the workers' measured work shared among them: reading, reshaping, writing,
flushing, waiting on the slowest) divided by the one-worker run's time. From it, Amdahl's
projection for 8, 16 and 64 cores. Then the fixed cost of a small run: the share of a
2,000-spectrum SHO run's engine time spent in the kernel. Results of every run of one analysis
and file are checked to be bit-identical.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import deque
from pathlib import Path

import h5py
import numpy as np

from peakgui.core.demo.be import DEMO_DATASET, write_demo
from peakgui.core.io.results_read import read_all
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.engine import AnalysisRun
from peakgui.core.run.stats import RunStats

PROJECT = (8, 16, 64)


def gzip_copy(src: Path, dst: Path, chunk_positions: int) -> None:
    """The same file with its main dataset gzip-compressed in chunks of whole spectra rows."""
    dst.write_bytes(src.read_bytes())
    with h5py.File(dst, "r+") as f:
        d = f[DEMO_DATASET]
        data, attrs = d[()], dict(d.attrs)
        del f[DEMO_DATASET]
        new = f.create_dataset(DEMO_DATASET, data=data, compression="gzip", compression_opts=4,
                               chunks=(min(chunk_positions, data.shape[0]), data.shape[1]))
        for k, v in attrs.items():
            new.attrs[k] = v


def one_run(path: Path, analysis: str, jobs: int, out: Path) -> tuple[RunStats, dict]:
    run = AnalysisRun(SpectralSource.open(path), analysis, n_jobs=jobs, output=out)
    run.prepare()
    last = deque(run.run(force=True), maxlen=1)[0]
    values = read_all(last.results)
    out.unlink()
    return run.stats, values


def amdahl(s: float, p: int) -> float:
    return 1.0 / (s + (1.0 - s) / p)


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        np.array_equal(a[k], b[k], equal_nan=a[k].dtype.kind in "fc") for k in a)


def main() -> None:
    cores = os.cpu_count() or 1
    default_jobs = sorted({1, 2, *(2**k for k in range(8) if 2**k <= cores), cores})
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=512)
    p.add_argument("--cols", type=int, default=512)
    p.add_argument("--jobs", default=",".join(map(str, default_jobs)),
                   help="worker counts, comma-separated")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--analyses", default="peak_finding,sho")
    p.add_argument("--no-gzip", action="store_true")
    args = p.parse_args()
    jobs = [int(j) for j in args.jobs.split(",")]
    if 1 not in jobs:
        jobs.insert(0, 1)
    with tempfile.TemporaryDirectory(prefix="peakgui-scaling-") as tmp:
        plain = Path(tmp) / "scan.h5"
        write_demo(plain, rows=args.rows, cols=args.cols)
        files = {"plain": plain}
        if not args.no_gzip:
            files["gzip"] = Path(tmp) / "scan-gzip.h5"
            gzip_copy(plain, files["gzip"], args.cols)
        spectra = args.rows * args.cols
        size = plain.stat().st_size / 2**20
        print(f"engine scaling: {args.rows} x {args.cols} x 119 ({spectra:,} spectra, "
              f"{size:.0f} MiB), {cores} cores, best of {args.repeat}, "
              f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        head = (f"{'analysis':<13}{'file':<6}{'jobs':>5}{'spectra/s':>11}{'speed-up':>9}"
                f"{'engine s':>9}{'kernel s':>9}{'read s':>8}{'write s':>8}{'wait s':>8}"
                f"{'serial':>8}" + "".join(f"{f'{n} cores':>9}" for n in PROJECT))
        print(head)
        for analysis in args.analyses.split(","):
            for label, path in files.items():
                best: dict[int, RunStats] = {}
                reference = None
                for _ in range(args.repeat):  # repeats interleaved: the machine's noise is shared
                    for n in jobs:
                        stats, values = one_run(path, analysis, n, Path(tmp) / "out.h5")
                        if reference is None:
                            reference = values
                        elif not same(values, reference):
                            sys.exit(f"{analysis} {label} --jobs {n}: results differ")
                        if n not in best or stats.engine_seconds < best[n].engine_seconds:
                            best[n] = stats
                t1 = best[1].engine_seconds
                for n in jobs:
                    s = best[n]
                    frac = s.serial_seconds / t1
                    print(f"{analysis:<13}{label:<6}{n:>5}{spectra / s.engine_seconds:>11,.0f}"
                          f"{t1 / s.engine_seconds:>9.2f}{s.engine_seconds:>9.3f}"
                          f"{s.kernel_seconds:>9.3f}{s.read_seconds:>8.3f}"
                          f"{s.write_seconds:>8.3f}{s.wait_seconds:>8.3f}{frac:>8.4f}"
                          + "".join(f"{amdahl(frac, c):>8.2f}x" for c in PROJECT))
        small = Path(tmp) / "small.h5"
        write_demo(small, rows=40, cols=50)
        for n in sorted({1, min(2, cores)}):
            runs = [one_run(small, "sho", n, Path(tmp) / "out.h5")[0] for _ in range(5)]
            s = min(runs, key=lambda r: r.engine_seconds)
            print(f"small run: sho on 2,000 spectra, --jobs {n}: engine {s.engine_seconds * 1e3:.1f}"
                  f" ms, kernel {s.kernel_seconds * 1e3:.1f} ms summed over workers, kernel share "
                  f"{s.kernel_seconds / (s.engine_seconds * s.n_workers):.2f}")
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print("results bit-identical across worker counts: yes")


if __name__ == "__main__":
    main()
