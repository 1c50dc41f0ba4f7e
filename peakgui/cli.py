"""``peakgui-batch``: run an analysis over whole files from a terminal or a script.

Bad input ends with one clear line on stderr and exit code 2 (other files of the same command
still run); Ctrl-C keeps what is done and exits 130, and running the same command again resumes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .arguments import (
    add_analysis_arguments,
    add_chain_arguments,
    add_input_arguments,
    add_jobs_argument,
    analysis_help,
    chain_values,
    list_analyses,
    parameter_values,
    wants_analysis_help,
)
from .core.errors import InputError, OutputError, PeakGUIError
from .core.io.files import SIDECAR_SUFFIX, expand_inputs  # noqa: F401 (re-exported)
from .core.labels import plain_label

if TYPE_CHECKING:  # the engine loads only when a run starts: --help stays instant
    from .core.analyses.declaration import Analysis, ParamValues
    from .core.run.backends import Backend
    from .core.run.batch import FileFinished, FileStarted

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


def create_parser() -> argparse.ArgumentParser:
    """The argument parser (no heavy imports, so --help is instant)."""
    p = argparse.ArgumentParser(
        prog="peakgui-batch",
        description="Run an analysis (default: peak finding) at every position of USID (or "
        "3-D) HDF5 datasets and write its maps back as USID results groups.",
        epilog="Exit codes: 0 done (or reused), 2 bad input or unwritable output, "
        "130 interrupted (run again to resume).",
    )
    add_input_arguments(p, many=True)
    p.add_argument("--spectral-dim", metavar="NAME",
                   help="spectroscopic dimension each spectrum runs along (default: Frequency)")
    add_analysis_arguments(p)
    add_chain_arguments(p)
    add_jobs_argument(p)
    p.add_argument("--max-mem", type=float, default=None, metavar="MB",
                   help="memory cap for one chunk in MB (default: half the free memory)")
    p.add_argument("--output", metavar="FILE",
                   help="write results to this file instead of beside the source (one input)")
    p.add_argument("--force", action="store_true",
                   help="compute a new results group even if one with these parameters exists")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="run on a running Dask cluster: its scheduler address "
                       "(tcp://HOST:PORT) or scheduler file; workers never open the file")
    where.add_argument("--cluster", metavar="local:N",
                       help="run on a Dask LocalCluster of N worker processes on this machine, "
                       "started for the run and closed at its end")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object per file on stdout (plus a summary line when "
                   "several files were given)")
    p.add_argument("--demo", metavar="OUT.h5", help="write the demo dataset to OUT.h5 and exit")
    p.add_argument("--demo-kind", choices=("be", "beps", "nsid"), default="be",
                   help="with --demo: 'be' (128x128 positions x 119 frequencies, default), "
                   "'beps' (32x32 x 87 frequencies x 64 DC steps x 2 fields) or 'nsid' (64x64 "
                   "x 119 frequencies as pyNSID writes them: x, y in m, frequency in Hz)")
    p.add_argument("--version", action="version", version=f"peakgui {__version__}")
    return p


class _ProgressBar:
    """A one-line progress bar on stderr (this file and all files), only on a terminal."""

    def __init__(self, enabled: bool, n_files: int, total_positions: int):
        self.enabled = enabled
        self.n_files = n_files
        self.total = max(total_positions, 1)
        self.before = 0  # positions of the files already finished
        self.index = 0
        self.name = ""
        self._last = 0.0

    def start_file(self, index: int, name: str) -> None:
        self.index, self.name = index, name

    def end_file(self, positions: int) -> None:
        self.before += positions
        if self.enabled:
            sys.stderr.write("\n")

    def update(self, prog) -> None:
        from .core.run.progress import ProgressState

        now = time.monotonic()
        if not self.enabled or (now - self._last < 0.1 and prog.state is ProgressState.CHUNK):
            return
        self._last = now
        width = 24
        filled = int(width * prog.fraction)
        eta = "--" if prog.eta == float("inf") else f"{prog.eta:5.1f}s"
        where = f"[{self.index}/{self.n_files}] {self.name}  " if self.n_files > 1 else ""
        overall = (f"  all {100 * (self.before + prog.done) / self.total:5.1f}%"
                   if self.n_files > 1 else "")
        sys.stderr.write(
            f"\r{where}[{'#' * filled}{'.' * (width - filled)}] {100 * prog.fraction:5.1f}%  "
            f"{prog.done}/{prog.total}  {prog.rate:8.0f} spectra/s  ETA {eta}{overall} "
        )
        sys.stderr.flush()


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


@dataclass
class BatchPlan:
    """What one command asks for, checked before any file is touched."""

    analysis: Analysis
    params: ParamValues
    files: list[Path]
    notes: list[str] = field(default_factory=list)
    then: Analysis | None = None  # the chained analysis run on the results (--then)
    then_params: ParamValues = field(default_factory=dict)


def plan_batch(args: argparse.Namespace) -> BatchPlan:
    from .core.analyses import registry

    try:
        analysis = registry.get(args.analysis)
        params = analysis.values(parameter_values(args))
    except ValueError as exc:
        raise InputError(f"bad parameters: {exc}") from None
    files = expand_inputs(args.files)
    if args.output and len(files) > 1:
        raise InputError("--output takes one input file; without it each file gets its own "
                         "results")
    plan = BatchPlan(analysis, params, files)
    plan.then, plan.then_params = chain_values(args, analysis)
    return plan


def run_batch(args: argparse.Namespace) -> Iterator[dict[str, Any]]:
    """Run every input file in turn, yielding each file's summary (an ``error`` key when it
    failed); the kernel loads once, the Dask cluster is connected once."""
    from .core.run import batch

    plan = plan_batch(args)
    backend = _cluster_backend(args)  # None: the usual local workers
    totals = _positions_guess(plan.files, args)
    bar = _ProgressBar(sys.stderr.isatty(), len(plan.files), sum(totals))
    stop = _StopRequest()
    # a bad file ends a one-file command; among several, it is said and the others run (a lost
    # cluster ends them all)
    errors = (InputError, OutputError) if len(plan.files) > 1 else ()
    current: int | None = None  # the file on the bar
    with contextlib.ExitStack() as stack:
        if backend is not None:  # connect before anything is written: a bad address fails here
            stack.enter_context(backend)
            print(f"peakgui-batch: running on {backend.describe()}", file=sys.stderr)
        stack.enter_context(stop.installed())
        events = stack.enter_context(contextlib.closing(batch.run_files(
            plan.files, plan.analysis, plan.params, errors=errors, dataset=args.dataset,
            spectral_dim=args.spectral_dim, force=args.force, n_jobs=args.jobs,
            max_mem_mb=args.max_mem, output=args.output, backend=backend,
            worker_kind=args.backend, prepare=True, from_group=args.from_group,
            then=(plan.then, plan.then_params) if plan.then else None)))
        last_link = 1 if plan.then else 0
        first: dict[str, Any] = {}  # the first analysis' summary, while the chained one runs
        try:
            for ev in events:
                if isinstance(ev, batch.FileOpening):
                    current = ev.index
                    bar.start_file(ev.index + 1, ev.path.name)
                elif isinstance(ev, batch.FileStarted):
                    _say_where(ev)
                elif isinstance(ev, batch.FileProgress):
                    bar.update(ev.progress)
                    if stop.requested and ev.progress.done < ev.progress.total:
                        raise KeyboardInterrupt
                elif isinstance(ev, batch.FileFinished) and ev.link < last_link:
                    first = _summary(ev, backend)
                    _report(first, args)
                    if stop.requested:
                        raise KeyboardInterrupt
                else:
                    current = None
                    bar.end_file(totals[ev.index])
                    if isinstance(ev, batch.FileFailed):
                        print(f"peakgui-batch: error: {plain_label(str(ev.error))}", file=sys.stderr)
                        yield {"file": str(ev.path), "analysis": plan.analysis.name,
                               "error": str(ev.error)}
                    else:
                        yield {**_summary(ev, backend), **({"upstream": first} if ev.link
                                                            else {})}
        finally:
            if current is not None:
                bar.end_file(totals[current])


def _say_where(ev: FileStarted) -> None:
    """Results that cannot go beside the source, and what was worked around in the file."""
    from .core.run.target import TargetReason

    target = ev.target
    if target.separate and target.reason is not TargetReason.AS_ASKED:
        print(f"peakgui-batch: {ev.path}: {target.text}; results go to {target.file}",
              file=sys.stderr)
    for note in ev.run.source.notes:
        print(f"peakgui-batch: {ev.path}: {plain_label(note)}", file=sys.stderr)


def _summary(ev: FileFinished, backend: Backend | None) -> dict[str, Any]:
    """One file's JSON summary, from its last report."""
    from .core.run.progress import ProgressState

    run, last, seconds = ev.run, ev.last, ev.seconds
    source = run.source
    computed = last.computed if last else 0
    spectra = computed * source.layout.n_steps
    summary: dict[str, Any] = {
        "file": str(ev.path),
        "dataset": source.dataset,
        "analysis": run.analysis.name,
        "results_file": str(last.results.file) if last else None,
        "results_group": last.results.group if last else None,
        "positions": source.layout.n_positions,
        "computed": computed,
        "reused": bool(last and last.state is ProgressState.REUSED),
        "seconds": round(seconds, 4),
        "kernel_load_seconds": round(ev.prepare_seconds, 4),
        "spectra_per_second": round(spectra / seconds, 1) if seconds > 0 and spectra else 0.0,
        "workers": len(last.worker_pids) if last else 0,
        "worker_pids": sorted(last.worker_pids) if last else [],
        "worker_kind": run.worker_kind.value if backend is None else "dask",
        "worker_threads": len(run.backend.worker_threads),
        "notes": [plain_label(n) for n in source.notes],  # sidpy's $\\sqrt E$ as √E
    }
    if backend is not None:  # pids of different hosts may coincide: count worker addresses
        summary.update(scheduler=backend.address, workers=len(backend.worker_addresses),
                       worker_addresses=sorted(backend.worker_addresses))
    return summary


def _report(summary: dict[str, Any], args: argparse.Namespace) -> None:
    """One line on stderr for a file's finished (or reused) run, unless --json."""
    if args.json or "error" in summary:
        return
    verb = "reused" if summary["reused"] else f"computed {summary['computed']} positions"
    print(f"peakgui-batch: {Path(summary['file']).name}: {summary['analysis']} {verb}; "
          f"results in {summary['results_file']}:{summary['results_group']}", file=sys.stderr)


def _positions_guess(files: list[Path], args: argparse.Namespace) -> list[int]:
    """Positions per file for the overall bar (0 for a file that cannot be described now)."""
    if len(files) < 2:
        return [0] * len(files)
    from .core.io.source import SpectralSource

    out = []
    for path in files:
        try:
            out.append(SpectralSource.open(path, args.dataset).layout.n_positions)
        except (PeakGUIError, OSError):
            out.append(0)
    return out


def _cluster_backend(args: argparse.Namespace):
    """The Dask backend for --scheduler / --cluster, or None for a local run (Dask not loaded)."""
    if not (args.scheduler or args.cluster):
        return None
    if args.jobs is not None:
        raise PeakGUIError("--jobs is for local runs; a cluster's workers are set where it "
                           "starts (--cluster local:N, or the dask worker commands)")
    from .core.run.dask_backend import make_backend, silence_dask_logs

    # Dask's client keeps reconnecting in the background after a lost scheduler and may log a
    # traceback as the process exits; this program reports such failures itself, in one line
    logging.getLogger("asyncio").setLevel(logging.CRITICAL + 1)
    silence_dask_logs()
    return make_backend(scheduler=args.scheduler, cluster=args.cluster)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = create_parser()
    named = wants_analysis_help(argv)
    if named is not None:
        try:
            print(parser.format_help() + "\n" + analysis_help(named))
        except ValueError as exc:
            print(f"peakgui-batch: error: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        return EXIT_OK
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # outside a run: like Ctrl-C
    if args.list_analyses:
        print(list_analyses())
        return EXIT_OK
    if args.demo:
        return _write_demo(args)
    if not args.files:
        parser.error("a FILE is required (or --demo OUT.h5, or --list-analyses)")
    summaries = []
    try:
        for summary in run_batch(args):
            summaries.append(summary)
            if args.json:
                print(json.dumps(summary), flush=True)
            else:
                _report(summary, args)
    except KeyboardInterrupt:
        print("\npeakgui-batch: interrupted; finished chunks are saved, run again to resume",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    except PeakGUIError as exc:
        print(f"peakgui-batch: error: {plain_label(str(exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:  # disk full and the like, while writing
        print(f"peakgui-batch: error: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    failed = sum("error" in s for s in summaries)
    if args.json and len(summaries) > 1:
        print(json.dumps({"summary": True, "files": len(summaries),
                          "succeeded": len(summaries) - failed, "failed": failed,
                          "computed": sum(s.get("computed", 0) for s in summaries),
                          "seconds": round(sum(s.get("seconds", 0) for s in summaries), 4)}))
    return EXIT_BAD_INPUT if failed else EXIT_OK


def _write_demo(args: argparse.Namespace) -> int:
    from .core.demo.kinds import demo_writer

    out = Path(args.demo)
    try:
        demo_writer(args.demo_kind)(out)
    except OSError as exc:
        print(f"peakgui-batch: error: {out}: cannot write the demo file ({exc.strerror})",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"peakgui-batch: wrote demo dataset to {out}", file=sys.stderr)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
