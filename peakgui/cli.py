"""``peakgui-batch``: run the peak finder over a whole file from a terminal or a script.

Bad input ends with one clear line on stderr and exit code 2; Ctrl-C keeps what is done and exits
130, and running the same command again resumes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .core.errors import PeakGUIError

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


def create_parser() -> argparse.ArgumentParser:
    """The argument parser (no heavy imports, so --help is instant)."""
    p = argparse.ArgumentParser(
        prog="peakgui-batch",
        description="Find the spectral peak at every position of a USID (or 3-D) HDF5 dataset "
        "and write amplitude, frequency and peak-count maps back as a USID results group.",
    )
    p.add_argument("file", nargs="?", help="HDF5 file with the spectral dataset")
    p.add_argument("--dataset", metavar="H5PATH",
                   help="main dataset (default: the first USID main dataset)")
    p.add_argument("--spectral-dim", metavar="NAME",
                   help="spectroscopic dimension each spectrum runs along (default: Frequency)")
    p.add_argument("--widths", nargs=2, type=float, metavar=("LO", "HI"), default=(20.0, 60.0),
                   help="CWT width range in points (default: 20 60)")
    p.add_argument("--steps", type=int, default=30, help="number of CWT widths (default: 30)")
    p.add_argument("--min-snr", type=float, default=1.0, help="minimum SNR (default: 1)")
    p.add_argument("--noise-perc", type=float, default=10.0,
                   help="noise percentile (default: 10)")
    p.add_argument("--jobs", type=int, default=None,
                   help="worker processes (default: all cores but one)")
    p.add_argument("--max-mem", type=float, default=None, metavar="MB",
                   help="memory cap for one chunk in MB (default: half the free memory)")
    p.add_argument("--output", metavar="FILE",
                   help="write results to this file instead of beside the source")
    p.add_argument("--force", action="store_true",
                   help="compute a new results group even if one with these parameters exists")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="run on a running Dask cluster: its scheduler address "
                       "(tcp://HOST:PORT) or scheduler file; workers never open the file")
    where.add_argument("--cluster", metavar="local:N",
                       help="run on a Dask LocalCluster of N worker processes on this machine, "
                       "started for the run and closed at its end")
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    p.add_argument("--demo", metavar="OUT.h5", help="write the demo dataset to OUT.h5 and exit")
    p.add_argument("--demo-kind", choices=("be", "beps"), default="be",
                   help="with --demo: 'be' (128x128 positions x 119 frequencies, default) or "
                   "'beps' (32x32 x 87 frequencies x 64 DC steps x 2 fields)")
    p.add_argument("--version", action="version", version=f"peakgui {__version__}")
    return p


class _ProgressBar:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self._last = 0.0

    def update(self, prog) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self._last < 0.1 and prog.state == "chunk"):
            return
        self._last = now
        width = 30
        filled = int(width * prog.fraction)
        eta = "--" if prog.eta == float("inf") else f"{prog.eta:5.1f}s"
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {100 * prog.fraction:5.1f}%  "
            f"{prog.done}/{prog.total}  {prog.rate:8.0f} spectra/s  ETA {eta} "
        )
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


class _StopRequest:
    """First Ctrl-C (or SIGTERM): finish the chunk in flight, save, stop. A second one: now.

    Raising KeyboardInterrupt from the signal handler could land anywhere (even inside a
    destructor, where Python swallows it), so the first signal only sets a flag that the run
    loop checks between chunks.
    """

    def __init__(self) -> None:
        self.requested = False

    def _handle(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    @contextlib.contextmanager
    def installed(self):
        old = {s: signal.signal(s, self._handle) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield self
        finally:
            for s, handler in old.items():
                signal.signal(s, handler)


def run_batch(args: argparse.Namespace) -> dict:
    """Run (or reuse) the peak finder as the arguments say and return the JSON summary."""
    from .core.analyses.peak_finding.peaks import PeakParams
    from .core.io.source import SpectralSource
    from .core.run.peak_process import PeakFinder

    source = SpectralSource.open(args.file, args.dataset, args.spectral_dim)
    try:
        params = PeakParams(width_lo=args.widths[0], width_hi=args.widths[1], steps=args.steps,
                            min_snr=args.min_snr, noise_perc=args.noise_perc)
    except ValueError as exc:
        raise PeakGUIError(f"bad parameters: {exc}") from None
    backend = _cluster_backend(args)  # None: the usual local worker processes
    n_jobs = args.jobs if backend is None else backend.local_workers or 1
    process = PeakFinder(source, params, n_jobs=n_jobs, max_mem_mb=args.max_mem,
                         output=args.output, backend=backend)
    target = process.results_target()
    if target.separate and target.reason != "as asked":
        print(f"peakgui-batch: {target.reason}; results go to {target.file}", file=sys.stderr)
    with contextlib.ExitStack() as cluster:
        if backend is not None:  # connect before anything is written: a bad address fails here
            cluster.enter_context(backend)
            print(f"peakgui-batch: running on {backend.describe()}", file=sys.stderr)
        t_prepare = time.perf_counter()
        computes_here = backend is None and process.n_jobs == 1
        if computes_here and (args.force or not any(e.complete for e in process.find_existing())):
            process.prepare()  # the kernel's one-off load is reported apart from the run
        prepare_seconds = time.perf_counter() - t_prepare
        bar = _ProgressBar(sys.stderr.isatty())
        t0 = time.perf_counter()
        last = None
        gen = process.run(force=args.force)
        stop = _StopRequest()
        with contextlib.closing(gen), stop.installed():
            try:
                for last in gen:
                    bar.update(last)
                    if stop.requested:
                        break
            finally:
                bar.close()
        seconds = time.perf_counter() - t0
    if stop.requested and last is not None and last.done < last.total:
        raise KeyboardInterrupt
    computed = last.computed if last else 0
    spectra = computed * source.layout.n_steps
    summary = {
        "file": str(source.file),
        "dataset": source.dataset,
        "results_file": str(last.results.file) if last else None,
        "results_group": last.results.group if last else None,
        "positions": source.layout.n_positions,
        "computed": computed,
        "reused": bool(last and last.state == "reused"),
        "seconds": round(seconds, 4),
        "kernel_load_seconds": round(prepare_seconds, 4),
        "spectra_per_second": round(spectra / seconds, 1) if seconds > 0 and spectra else 0.0,
        "workers": len(last.worker_pids) if last else 0,
        "worker_pids": sorted(last.worker_pids) if last else [],
    }
    if backend is not None:  # pids of different hosts may coincide: count worker addresses
        summary.update(scheduler=backend.address, workers=len(backend.worker_addresses),
                       worker_addresses=sorted(backend.worker_addresses))
    return summary


def _cluster_backend(args: argparse.Namespace):
    """The Dask backend for --scheduler / --cluster, or None for a local run (Dask not loaded)."""
    if not (args.scheduler or args.cluster):
        return None
    if args.jobs is not None:
        raise PeakGUIError("--jobs is for local runs; a cluster's workers are set where it "
                           "starts (--cluster local:N, or the dask worker commands)")
    from .core.run.dask_backend import make_backend

    # Dask's client keeps reconnecting in the background after a lost scheduler and may log a
    # traceback as the process exits; this program reports such failures itself, in one line
    for name in ("distributed", "tornado", "asyncio"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    return make_backend(scheduler=args.scheduler, cluster=args.cluster)


def main(argv: Sequence[str] | None = None) -> int:
    parser = create_parser()
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # outside a run: like Ctrl-C
    try:
        if args.demo:
            from .core.demo.be import write_demo
            from .core.demo.beps import write_beps_demo

            out = Path(args.demo)
            try:
                (write_beps_demo if args.demo_kind == "beps" else write_demo)(out)
            except OSError as exc:
                raise PeakGUIError(f"{out}: cannot write the demo file ({exc.strerror})") from None
            print(f"peakgui-batch: wrote demo dataset to {out}", file=sys.stderr)
            return 0
        if not args.file:
            parser.error("a FILE is required (or --demo OUT.h5)")
        summary = run_batch(args)
    except KeyboardInterrupt:
        print("\npeakgui-batch: interrupted; finished chunks are saved, run again to resume",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    except PeakGUIError as exc:
        print(f"peakgui-batch: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:  # disk full and the like, while writing
        print(f"peakgui-batch: error: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        print(json.dumps(summary))
    else:
        verb = "reused" if summary["reused"] else f"computed {summary['computed']} positions"
        print(f"peakgui-batch: {verb}; results in {summary['results_file']}:"
              f"{summary['results_group']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
