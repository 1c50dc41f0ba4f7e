"""Throughput of find_peaks_block against the per-spectrum scipy loop, on one core.

Generates seeded Band Excitation-like spectra (damped harmonic oscillators plus noise, complex64),
times scipy.signal.find_peaks_cwt spectrum by spectrum on a subset and peakgui's block path on all
of them, and checks that both give the same answers. BLAS is limited to one thread, as in the
engine (one worker per core); a last line runs two threads in one process, which pays only
because the compiled ridge kernel releases the GIL.

    .venv/bin/python benchmarks/bench_peaks.py [--spectra 20000] [--scipy-spectra 1000]
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy loads BLAS

import argparse  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from peakgui.core.analyses.peak_finding.peaks import (  # noqa: E402
    PeakParams,
    choose_peak,
    find_peaks_block,
    magnitude_of,
    reference_peaks,
)
from peakgui.core.demo.be import sho_response  # noqa: E402


def sho_spectra(n: int, bins: int, seed: int) -> np.ndarray:
    """|response| = A w0^2 / sqrt((w0^2 - w^2)^2 + (w w0 / Q)^2) with phase, plus complex noise."""
    rng = np.random.default_rng(seed)
    w = np.linspace(0.9, 1.1, bins)
    w0 = rng.uniform(0.92, 1.08, (n, 1))
    q = rng.uniform(20.0, 300.0, (n, 1))
    amplitude = rng.uniform(0.1, 2.0, (n, 1))
    phase = rng.uniform(-np.pi, np.pi, (n, 1))
    response = sho_response(w, amplitude[:, 0], w0[:, 0], q[:, 0], phase[:, 0])
    level = rng.uniform(0.0, 0.3, (n, 1)) * amplitude
    noise = level * (rng.normal(size=(n, bins)) + 1j * rng.normal(size=(n, bins)))
    return (response + noise).astype(np.complex64)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spectra", type=int, default=20000)
    parser.add_argument("--scipy-spectra", type=int, default=1000)
    parser.add_argument("--bins", type=int, default=119)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    params = PeakParams()
    data = sho_spectra(args.spectra, args.bins, seed=2024)
    subset = data[: args.scipy_spectra]
    print(f"{args.spectra} spectra x {args.bins} bins, complex64; params {params}")

    with threadpool_limits(limits=1):
        t0 = time.perf_counter()
        find_peaks_block(data[:2], params)  # builds the cached CWT operator; nothing compiles
        first_call = time.perf_counter() - t0

        from peakgui.core.analyses.peak_finding.cwt_kernel import cwt_peaks

        print(f"first call (CWT operator built; the kernel is compiled ahead of time): "
              f"{first_call * 1e3:.1f} ms")

        mag = magnitude_of(subset)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            t0 = time.perf_counter()
            expected = [np.asarray(reference_peaks(row, params)) for row in mag]
            scipy_time = time.perf_counter() - t0
        scipy_rate = len(subset) / scipy_time
        print(f"scipy loop   : {scipy_rate:10,.0f} spectra/s  ({len(subset)} spectra)")

        best = np.inf
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            block = find_peaks_block(data, params)
            best = min(best, time.perf_counter() - t0)
        fast_rate = len(data) / best
        print(
            f"peakgui block: {fast_rate:10,.0f} spectra/s  ({len(data)} spectra, best of "
            f"{args.repeats})"
        )
        print(f"speed-up     : {fast_rate / scipy_rate:10,.1f} x")

        # the ridge kernel runs without the GIL (and BLAS too), so threads share one process
        halves = np.array_split(data, 2)
        best2 = np.inf
        with ThreadPoolExecutor(2) as pool:
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                list(pool.map(lambda part: find_peaks_block(part, params), halves))
                best2 = min(best2, time.perf_counter() - t0)
        print(f"2 threads    : {len(data) / best2:10,.0f} spectra/s  "
              f"({best / best2:.2f}x one thread, {os.cpu_count()} CPUs here)")

        fast = cwt_peaks(magnitude_of(data), params, keep_peaks=True)
        print(
            f"fell back to scipy: {fast.undecided.mean():.4%} "
            f"({int(fast.undecided.sum())} of {len(data)})"
        )

    index = np.array([choose_peak(p, args.bins) for p in expected])
    same = (
        np.array_equal(block.index[: len(subset)], index)
        and np.array_equal(block.count[: len(subset)], [len(p) for p in expected])
        and np.array_equal(block.amplitude[: len(subset)], mag[np.arange(len(mag)), index])
        and all(
            np.array_equal(fast.peaks_of(i), p.astype(np.int64))
            for i, p in enumerate(expected)
            if not fast.undecided[i]
        )
    )
    print(
        f"identical to scipy on the {len(subset)}-spectrum subset "
        f"(peak arrays, index, amplitude, count): {same}"
    )
    if not same:
        raise SystemExit("MISMATCH with scipy")


if __name__ == "__main__":
    main()
