"""Loop fits per second per core: the compiled kernel against per-loop scipy, side by side.

Synthetic BEPS loops like the issue's file (a bipolar triangle 0 -> +10 -> 0 -> -10 -> 0 V in
48 DC steps, switching loops with imprint, asymmetric widths and an electrostatic slope, noise
at 1.5 % of the switchable response) are

* guessed and fitted by the compiled kernel (``fit_loops``: guess, 4 starts of bounded
  Levenberg-Marquardt, covariance) on every loop, one thread;
* fitted loop by loop by ``scipy.optimize.least_squares`` (trust-region reflective, analytic
  Jacobian, tolerances 1e-12, the same bounds and the same starts) on a subset;

and the two answers compared. Rates are per CPU second of this process (what "per core" means;
the machine may be shared). The whole analysis kernel (projection from complex responses,
fits, switching values, errors, metrics) is timed too.

Options: ``--loops 960``, ``--scipy-loops 100``, ``--steps 48``, ``--repeats 3``.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy loads BLAS

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from peakgui.core.analyses.declaration import SpectralContext  # noqa: E402
from peakgui.core.analyses.loop_fit.analysis import ANALYSIS  # noqa: E402
from peakgui.core.analyses.loop_fit.branches import branches  # noqa: E402
from peakgui.core.analyses.loop_fit.fit import LoopFitSettings, fit_loops  # noqa: E402
from peakgui.core.analyses.loop_fit.model import loop_model  # noqa: E402
from peakgui.core.analyses.loop_fit.reference import scipy_fit  # noqa: E402
from peakgui.core.analyses.loop_fit.status import LoopStatus  # noqa: E402
from peakgui.core.dimension import Dimension  # noqa: E402


def waveform(steps: int) -> np.ndarray:
    t = np.arange(steps) / steps
    return np.round(10.0 * (2 / np.pi) * np.arcsin(np.sin(2 * np.pi * t)), 12)


def synthetic(n: int, v: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = np.column_stack([rng.uniform(-1, 1, n), rng.uniform(0.5, 2.0, n),
                         rng.uniform(-5, -1.5, n), rng.uniform(1.5, 5, n),
                         rng.uniform(-0.05, 0.05, n), rng.uniform(0.6, 1.5, (n, 4))])
    lab = branches(v)
    y = np.array([loop_model(v, lab, q) for q in p])
    return y + rng.normal(0, 0.015, y.shape) * p[:, 1:2], p


def cpu(fn, repeats: int) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeats):
        t = time.process_time()
        out = fn()
        best = min(best, time.process_time() - t)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag, default in (("--loops", 960), ("--scipy-loops", 100), ("--steps", 48),
                          ("--repeats", 3)):
        ap.add_argument(flag, type=int, default=default)
    args = ap.parse_args()
    v = waveform(args.steps)
    y, truth = synthetic(args.loops, v)
    settings = LoopFitSettings()

    t_kernel, res = cpu(lambda: fit_loops(y, v, settings), args.repeats)
    t_one, _ = cpu(lambda: fit_loops(y, v, LoopFitSettings(n_starts=1)), args.repeats)
    m = min(args.scipy_loops, args.loops)
    t0 = time.process_time()
    ref = np.array([scipy_fit(y[k], v, settings)[0] for k in range(m)])
    t_scipy = (time.process_time() - t0) / m

    x = (0.3 + 0.2j + y * np.exp(1.1j)).reshape(-1, 2, args.steps)
    ctx = SpectralContext(Dimension("DC_Offset", "V", v), "Piezoresponse", "V",
                          steps=(Dimension("Field", "", np.arange(2)),))
    t_analysis, _ = cpu(lambda: ANALYSIS.kernel(x, ANALYSIS.defaults(), ctx), args.repeats)

    per_loop = t_kernel / args.loops
    switching = res.status[:m] != LoopStatus.NO_SWITCHING
    rel = np.max(np.abs(res.fit[:m, :9] - ref) / np.maximum(np.abs(ref), 1e-3), axis=1)
    err_vp = np.abs(res.fit[:, 3] - truth[:, 3])
    print(f"{args.loops} loops of {args.steps} DC steps, {settings.n_starts} starts, one thread")
    print(f"  compiled loop fit     : {args.loops / t_kernel:10.0f} fits/s/core "
          f"({per_loop * 1e6:.0f} us per loop; 1 start: {args.loops / t_one:.0f} fits/s)")
    print(f"  scipy least_squares   : {1 / t_scipy:10.1f} fits/s/core "
          f"({t_scipy * 1e3:.1f} ms per loop, {m} loops, same starts, tol 1e-12)")
    print(f"  ratio                 : {t_scipy / per_loop:10.0f} x   (issue: >= 2000 fits/s/core, "
          ">= 50 x)")
    print(f"  whole analysis kernel : {args.loops / t_analysis:10.0f} loops/s/core "
          "(projection, fits, switching, errors, metrics)")
    print(f"  agreement with scipy  : {np.mean(rel[switching] <= 1e-4) * 100:.1f} % of "
          f"{switching.sum()} switching loops within 1e-4 relative")
    print("  status                : " + ", ".join(
        f"{LoopStatus(s).name} {c}" for s, c in enumerate(np.bincount(res.status)) if c))
    print(f"  |V+ - truth|          : median {np.median(err_vp):.4f} V, "
          f"p95 {np.percentile(err_vp, 95):.4f} V")


if __name__ == "__main__":
    main()
