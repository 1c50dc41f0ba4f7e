"""Dask benchmark: one file, a local single-process run and a LocalCluster of 1 and of 2 workers.

Run: ``.venv/bin/python benchmarks/bench_dask.py [--rows R --cols C --bins S] [--repeat N]``

Each run computes the whole demo map in this process through the engine (``peak_run(...,
backend=...)``) on a fresh copy of the file. Cluster start-up and the workers' first call (imports,
the CWT operator) are excluded: every backend is entered and warmed up before the clock
starts, so the numbers are steady-state throughput, as on a long run. Prints spectra/s, the
ratios between the runs, and what travelled per chunk: the input bytes of its blocks (the
spectra, sent inside the tasks), the result bytes that came back, and the loopback traffic the
kernel counted for the whole machine (driver -> scheduler -> worker and back; a rough cross-check
that includes anything else using 127.0.0.1 meanwhile). Results must be bit-identical.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np
import psutil

from peakgui.core.analyses.peak_finding.analysis import COUNT, FREQUENCY, RESPONSE
from peakgui.core.demo.be import write_demo
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.backends import LocalBackend, split_blocks
from peakgui.core.run.dask_backend import DaskBackend
from peakgui.core.run.engine import AnalysisRun
from tests.core.helpers import peak_run


def loopback_bytes() -> int:
    nics = psutil.net_io_counters(pernic=True)
    lo = nics.get("lo")
    return lo.bytes_sent if lo is not None else 0


class OneBlasThread:
    """A backend run with BLAS/OpenMP limited to one thread in this process, which is how Dask's
    nanny starts workers (OMP_NUM_THREADS=1 and friends); without it, a single local process
    may run the kernel's matrix products on several BLAS threads that fight other work."""

    def __init__(self, backend):
        self.backend = backend
        self.n_workers = backend.n_workers
        self._limits = None

    def __enter__(self):
        from threadpoolctl import threadpool_limits

        self._limits = threadpool_limits(1)
        self.backend.__enter__()
        return self

    def __exit__(self, *exc):
        self.backend.__exit__(*exc)
        self._limits.restore_original_limits()

    def map(self, func, blocks, *args):
        return self.backend.map(func, blocks, *args)

    def __getattr__(self, name):  # what the engine asks of a backend besides (worker_pids...)
        return getattr(self.backend, name)


def warm_up(backend, finder: AnalysisRun) -> None:
    """One small map per worker, so compilation and imports are not timed."""
    func, args = finder.analysis.kernel, (finder.params, finder.context)
    block = finder.source.read(0, 1).reshape(-1, finder.source.layout.n_points)
    block = np.repeat(block, 64 * backend.n_workers, axis=0)[: 64 * backend.n_workers]
    parts = split_blocks(len(block), backend.n_workers)
    backend.map(func, [block[s] for s in parts], *args)


def run(label: str, master: Path, tmp: Path, make_backend, repeat: int) -> dict:
    best = None
    for i in range(repeat):
        path = tmp / f"{label.replace(' ', '_')}_{i}.h5"
        shutil.copy(master, path)
        backend = make_backend()
        with backend:
            finder = peak_run(SpectralSource.open(path), backend=backend,
                                n_jobs=getattr(backend, "local_workers", None) or 1)
            warm_up(backend, finder)
            stats0 = dict(getattr(backend, "stats", {}))
            lo0 = loopback_bytes()
            t0 = time.perf_counter()
            progress = list(finder.run(force=True))
            chunks, prog = len(progress), progress[-1]
            seconds = time.perf_counter() - t0
            lo = loopback_bytes() - lo0
            stats = {k: v - stats0.get(k, 0) for k, v in getattr(backend, "stats", {}).items()}
        spectra = prog.total * finder.source.layout.n_steps
        with h5py.File(path, "r") as f:
            grp = f[prog.results.group]
            values = {k: grp[k][()] for k in (RESPONSE, FREQUENCY, COUNT)}
        result = {"label": label, "seconds": seconds, "rate": spectra / seconds,
                  "chunks": chunks, "spectra": spectra, "stats": stats, "loopback": lo,
                  "values": values, "workers": backend.n_workers}
        if best is None or result["rate"] > best["rate"]:
            best = result
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=384)
    ap.add_argument("--cols", type=int, default=384)
    ap.add_argument("--bins", type=int, default=119)
    ap.add_argument("--repeat", type=int, default=1, help="runs of each kind; the best counts")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, "
          f"load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        master = tmp / "master.h5"
        write_demo(master, rows=args.rows, cols=args.cols, bins=args.bins)
        print(f"file: demo {args.rows}x{args.cols}x{args.bins} complex64 "
              f"({master.stat().st_size / 2**20:.1f} MiB)")
        runs = [
            run("local 1 process", master, tmp, lambda: LocalBackend(1), args.repeat),
            run("local 1 process 1 BLAS", master, tmp, lambda: OneBlasThread(LocalBackend(1)),
                args.repeat),
            run("LocalCluster 1 worker", master, tmp, lambda: DaskBackend(local_workers=1),
                args.repeat),
            run("LocalCluster 2 workers", master, tmp, lambda: DaskBackend(local_workers=2),
                args.repeat),
        ]
        base = runs[0]
        for r in runs:
            same = all(np.array_equal(r["values"][k].view(np.uint8), base["values"][k].view(np.uint8))
                       for k in base["values"])
            line = (f"{r['label']:24s}: {r['seconds']:7.3f} s, {r['rate']:9.0f} spectra/s, "
                    f"{r['chunks']:3d} chunks, x{r['rate'] / base['rate']:5.2f} of local, "
                    f"bit-identical: {same}")
            print(line)
            st = r["stats"]
            if st.get("chunks"):
                n = st["chunks"]
                print(f"{'':26s}per chunk: {st['bytes_sent'] / n / 2**10:8.1f} KiB of spectra sent "
                      f"in {st['tasks'] / n:.1f} tasks ({st['bytes_sent'] / r['spectra']:.0f} B "
                      f"per spectrum), {st['bytes_received'] / n / 2**10:6.1f} KiB of results "
                      f"back; loopback traffic {r['loopback'] / n / 2**10:8.1f} KiB per chunk")
        capped, one, two = runs[1], runs[2], runs[3]
        print(f"2 workers / 1 worker: x{two['rate'] / one['rate']:.2f}; "
              f"1 worker / local process: x{one['rate'] / base['rate']:.2f} "
              f"(x{one['rate'] / capped['rate']:.2f} against the local process limited to one "
              "BLAS thread, as Dask's nanny starts its workers)")


if __name__ == "__main__":
    main()
