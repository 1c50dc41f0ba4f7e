"""SHO fits per second per core: the compiled kernel, the per-spectrum scipy loop, BGlib.

On the 128 x 128 x 119 demo file (written to a temporary folder) this times

* the compiled kernel (guess + bounded Levenberg-Marquardt) on every spectrum, one thread;
* ``scipy.optimize.least_squares`` (trust-region reflective, analytic Jacobian, scipy's default
  tolerances) spectrum by spectrum on a subset, from the kernel's own guess, on the same problem;
* optionally BGlib's ``BESHOfitter`` (guess + fit, one core) on the same file;
* the whole demo run through ``AnalysisRun(source, "sho")`` with 1 and 2 workers.

Rates are given per wall second and per CPU second of this process (the machine may be shared;
CPU time is what "per core" means). The kernel's results at default tolerances are compared
with scipy's at tight tolerances. BLAS is limited to one thread, as in the engine.

BGlib needs numpy < 2, so it lives in its own environment, the one ``make test`` builds for the
interoperability tests (``.venv-interop``, pinned in ``packaging/interop-requirements.txt``)::

    .venv/bin/python benchmarks/bench_sho.py --bglib-python .venv-interop/bin/python

(bglib 0.0.6's own metadata pins numpy_groupies 0.9.7, which uses ``np.object``; the pinned
set takes a newer one, and dask-ml and pyarrow < 18 for sidpy). BGlib's ``BESHOfitter(cores=1)`` runs its guess
(``complex_gaussian``) and its fit on a copy of the same demo file, in one process.

Other options: ``--scipy-spectra 1000``, ``--repeats 3``, ``--json FILE``.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy loads BLAS

import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import textwrap  # noqa: E402
import time  # noqa: E402
from collections import deque  # noqa: E402
from pathlib import Path  # noqa: E402

import h5py  # noqa: E402
import numpy as np  # noqa: E402

from peakgui.core.analyses.sho.fit import FitSettings, fit_spectra  # noqa: E402
from peakgui.core.analyses.sho.reference import scipy_fit  # noqa: E402
from peakgui.core.demo.be import DEMO_DATASET, read_truth, write_demo  # noqa: E402
from peakgui.core.io.source import SpectralSource  # noqa: E402
from peakgui.core.run.engine import AnalysisRun  # noqa: E402

FREQ_PATH = "/Measurement_000/Channel_000/Bin_Frequencies"


def _timed(fn):
    """(result, wall seconds, CPU seconds of this process)."""
    c0, w0 = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.perf_counter() - w0, time.process_time() - c0


def bench_kernel(spectra, freq, repeats: int) -> dict:
    best = None
    for _ in range(repeats):
        res, wall, cpu = _timed(lambda: fit_spectra(spectra, freq, FitSettings()))
        if best is None or cpu < best[2]:
            best = (res, wall, cpu)
    res, wall, cpu = best
    n = len(spectra)
    return {"spectra": n, "wall_s": wall, "cpu_s": cpu, "fits_per_s_wall": n / wall,
            "fits_per_cpu_s": n / cpu, "status_counts": np.bincount(res.status).tolist()}, res


def bench_scipy(spectra, freq, guesses, tol: float) -> tuple[dict, np.ndarray]:
    """The per-spectrum loop; tol = 1e-8 are least_squares' own default ftol, xtol, gtol."""
    fits, wall, cpu = _timed(lambda: np.array([
        scipy_fit(x, freq, g, 1.0, 1e4, tol=tol)[0] for x, g in zip(spectra, guesses)]))
    n = len(spectra)
    return {"spectra": n, "wall_s": wall, "cpu_s": cpu, "fits_per_s_wall": n / wall,
            "fits_per_cpu_s": n / cpu, "tolerance": tol}, fits


def agreement(ours: np.ndarray, ref: np.ndarray, signal: np.ndarray) -> dict:
    rel = np.abs(ours[:, :3] / ref[:, :3] - 1)
    dphi = np.abs(np.angle(np.exp(1j * (ours[:, 3] - ref[:, 3]))))
    worst = np.maximum(rel.max(axis=1), dphi)[signal]
    return {"signal_pixels": int(signal.sum()),
            "within_1e-4": float(np.mean(worst <= 1e-4)),
            "within_1e-6": float(np.mean(worst <= 1e-6)),
            "median_difference": float(np.median(worst)), "worst_difference": float(worst.max())}


def bench_run(path: Path, n_jobs: int) -> dict:
    src = SpectralSource.open(path)
    run = AnalysisRun(src, "sho", n_jobs=n_jobs)
    run.prepare()

    def go():
        return deque(run.run(force=True), maxlen=1)[0]  # the last report

    last, wall, cpu = _timed(go)
    n = src.layout.n_positions * src.layout.n_steps
    return {"n_jobs": n_jobs, "spectra": n, "wall_s": wall, "spectra_per_s": n / wall,
            "group": last.results.group}


_BGLIB_SCRIPT = textwrap.dedent("""
    import json, os, sys, time, warnings
    warnings.filterwarnings("ignore")

    def cpu():  # this process and its finished children (BGlib may use joblib)
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    import h5py
    from BGlib.be.analysis.be_sho_fitter import BESHOfitter
    path = sys.argv[1]
    t0 = time.perf_counter()
    with h5py.File(path, "r+") as f:
        fitter = BESHOfitter(f["{dataset}"], cores=1, verbose=False)
        fitter.set_up_guess()
        c0, t_guess0 = cpu(), time.perf_counter()
        guess = fitter.do_guess()
        t_guess, cpu_guess = time.perf_counter() - t_guess0, cpu() - c0
        fitter.set_up_fit()
        c0, t_fit0 = cpu(), time.perf_counter()
        fit = fitter.do_fit()
        t_fit, cpu_fit = time.perf_counter() - t_fit0, cpu() - c0
        fields = fit.dtype.names
        fitted = fit[()]
    print(json.dumps({{"guess_s": t_guess, "fit_s": t_fit, "total_s": time.perf_counter() - t0,
                      "cpu_s": cpu_guess + cpu_fit, "cpu_guess_s": cpu_guess,
                      "cpu_fit_s": cpu_fit,
                      "fields": list(fields),
                      "frequency": fitted["Frequency [Hz]"][:, 0].tolist(),
                      "r2": fitted["R2 Criterion"][:, 0].tolist()}}))
""")


def bench_bglib(python: str, path: Path, folder: Path) -> dict:
    """BGlib's guess and fit on a fresh copy of the demo file, in its own interpreter."""
    copy = folder / "bglib.h5"
    shutil.copy(path, copy)  # BGlib writes its results group into the file it reads
    script = _BGLIB_SCRIPT.format(dataset=DEMO_DATASET)
    out = subprocess.run([python, "-c", script, str(copy)], capture_output=True, text=True,
                         timeout=3600)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-5:]}
    res = json.loads(out.stdout.strip().splitlines()[-1])
    n = len(res["frequency"])
    return {"spectra": n, "guess_s": res["guess_s"], "fit_s": res["fit_s"],
            "cpu_guess_s": res["cpu_guess_s"], "cpu_fit_s": res["cpu_fit_s"],
            "cpu_s": res["cpu_s"], "fits_per_s_wall": n / (res["guess_s"] + res["fit_s"]),
            "fits_per_cpu_s": n / res["cpu_s"], "fields": res["fields"],
            "frequency": np.array(res["frequency"]), "r2": np.array(res["r2"])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scipy-spectra", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--bglib-python", help="python of an environment with BGlib (numpy < 2)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()

    report: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.h5"
        write_demo(path)
        with h5py.File(path, "r") as f:
            spectra = f[DEMO_DATASET][()]
            freq = f[FREQ_PATH][()].astype(np.float64)
        truth = read_truth(path)
        signal = truth["Signal"].astype(bool)
        print(f"demo: {spectra.shape[0]} spectra x {spectra.shape[1]} bins, complex64")

        k, res = bench_kernel(spectra, freq, args.repeats)
        report["kernel"] = k
        print(f"compiled kernel : {k['fits_per_cpu_s']:>9.0f} fits/CPU-s "
              f"({k['fits_per_s_wall']:.0f}/s wall), status counts {k['status_counts']}")

        rng = np.random.default_rng(7)
        sub = np.sort(rng.choice(len(spectra), min(args.scipy_spectra, len(spectra)),
                                 replace=False))
        sub = sub[np.isfinite(res.guess[sub, 0])]
        s, ref_default = bench_scipy(spectra[sub], freq, res.guess[sub], 1e-8)
        report["scipy"] = s
        ratio = k["fits_per_cpu_s"] / s["fits_per_cpu_s"]
        report["ratio_kernel_over_scipy"] = ratio
        print(f"scipy loop      : {s['fits_per_cpu_s']:>9.0f} fits/CPU-s "
              f"({s['fits_per_s_wall']:.0f}/s wall) on {len(sub)} spectra (tolerances 1e-8)")
        print(f"kernel / scipy  : {ratio:9.1f} x per core")

        _, ref_tight = bench_scipy(spectra[sub], freq, res.guess[sub], 1e-14)
        acc = agreement(res.fit[sub], ref_tight, signal[sub])
        report["accuracy_default_tolerances_vs_tight_scipy"] = acc
        acc_d = agreement(ref_default, ref_tight, signal[sub])
        report["accuracy_scipy_defaults_vs_tight_scipy"] = acc_d
        print(f"accuracy (kernel defaults vs scipy at 1e-14): {acc['within_1e-4']:.2%} of "
              f"{acc['signal_pixels']} signal pixels within 1e-4, {acc['within_1e-6']:.2%} "
              f"within 1e-6, worst {acc['worst_difference']:.1e}")
        print(f"  (scipy at 1e-8 vs scipy at 1e-14: worst {acc_d['worst_difference']:.1e})")

        for n_jobs in (1, 2):
            r = bench_run(path, n_jobs)
            report[f"run_jobs{n_jobs}"] = r
            print(f"whole demo run, {n_jobs} worker(s): {r['wall_s']:.2f} s, "
                  f"{r['spectra_per_s']:.0f} spectra/s -> {r['group']}")

        if args.bglib_python:
            b = bench_bglib(args.bglib_python, path, Path(tmp))
            if "error" in b:
                print("BGlib failed:", *b["error"], sep="\n  ")
                report["bglib"] = b
            else:
                n = b["spectra"]
                df = np.abs(b["frequency"] - res.fit[:n, 1]) / res.fit[:n, 1]
                good = signal[:n] & (b["r2"] > 0.9)
                b["frequency_rel_difference_median"] = float(np.median(df[good]))
                ratio_b = k["fits_per_cpu_s"] / b["fits_per_cpu_s"]
                print(f"BGlib BESHOfitter: {b['fits_per_cpu_s']:>7.0f} fits/CPU-s "
                      f"({b['fits_per_s_wall']:.0f}/s wall; CPU: guess {b['cpu_guess_s']:.1f} "
                      f"s, fit {b['cpu_fit_s']:.1f} s for {n} spectra, one core)")
                print(f"kernel / BGlib  : {ratio_b:9.1f} x per core; median |f0 difference| "
                      f"{b['frequency_rel_difference_median']:.1e} relative")
                report["ratio_kernel_over_bglib"] = ratio_b
                report["bglib"] = {k2: v for k2, v in b.items()
                                   if not isinstance(v, np.ndarray)}
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
