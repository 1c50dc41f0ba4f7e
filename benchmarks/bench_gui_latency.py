"""How responsive the window stays while the peak finder runs.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_gui_latency.py [--rows R --cols C]
[--jobs N] [--probe-ms 5]``

A precise QTimer fires every ``--probe-ms`` in the GUI thread; its lateness (actual interval minus
the nominal one) is the time the event loop was busy elsewhere, i.e. what a click or a repaint
would wait. It is measured with the window idle (dataset open, map shown), then during a whole
run of the real window (live map, progress bar, redraw throttle), and printed side by side with
the run's throughput against the batch CLI on a copy of the same file. Also printed: how long
Pause and Cancel take to take effect, and how often the live map was redrawn.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PyQt5.QtCore import QElapsedTimer, QEventLoop, QSettings, Qt, QTimer
from PyQt5.QtWidgets import QApplication

from peakgui.core.demo.be import write_demo
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.engine import AnalysisRun
from peakgui.core.run.progress import ProgressState
from peakgui.gui.app.launcher import create_application
from peakgui.gui.app.main_window import MainWindow
from peakgui.gui.app.settings import Settings
from peakgui.gui.widgets.dialogs import Dialogs


class LatencyProbe:
    """Lateness of a periodic GUI-thread timer, in milliseconds."""

    def __init__(self, interval_ms: int):
        self.interval = interval_ms
        self.samples: list[float] = []
        self._clock = QElapsedTimer()
        self._last = 0
        self._timer = QTimer()
        self._timer.setTimerType(Qt.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timeout)

    def start(self) -> None:
        self.samples = []
        self._clock.start()
        self._last = self._clock.nsecsElapsed()
        self._timer.start()

    def stop(self) -> np.ndarray:
        self._timer.stop()
        return np.asarray(self.samples)

    def _on_timeout(self) -> None:
        now = self._clock.nsecsElapsed()
        self.samples.append(max(0.0, (now - self._last) / 1e6 - self.interval))
        self._last = now


def wait_signal(signal, timeout_s: float = 180.0) -> float:
    """Run the event loop until ``signal`` fires; return the seconds it took."""
    loop = QEventLoop()
    got = []

    def done(*args):
        got.append(args)
        loop.quit()

    signal.connect(done)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    t0 = time.perf_counter()
    loop.exec_()
    signal.disconnect(done)
    if not got:
        raise TimeoutError(f"no signal within {timeout_s} s")
    return time.perf_counter() - t0


def spin(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec_()


def batch_run(path: Path, jobs: int | None) -> None:
    """What ``peakgui-batch FILE [--jobs N]`` runs: the engine over the default dataset with the
    default parameters, in this process (the CLI adds only argument parsing and printing)."""
    for _ in AnalysisRun(SpectralSource.open(path), "peak_finding", {}, n_jobs=jobs).run():
        pass


def stats(name: str, lat: np.ndarray) -> str:
    if lat.size == 0:
        return f"{name:<34} (no samples)"
    p50, p95, p99 = np.percentile(lat, [50, 95, 99])
    return (f"{name:<34} {lat.size:6d} {p50:8.2f} {p95:8.2f} {p99:8.2f} {lat.max():8.1f} "
            f"{np.mean(lat > 50) * 100:7.2f}%")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=512)
    ap.add_argument("--cols", type=int, default=512)
    ap.add_argument("--jobs", type=int, default=None, help="worker processes (default: auto)")
    ap.add_argument("--probe-ms", type=int, default=5)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="peakgui-bench-"))
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp / "settings"))
    app: QApplication = create_application()
    path = tmp / "scan.h5"
    write_demo(path, rows=args.rows, cols=args.cols)
    batch_copy = tmp / "batch.h5"
    shutil.copy(path, batch_copy)
    warm = tmp / "warm.h5"
    write_demo(warm, rows=24, cols=32)

    w = MainWindow(Settings(), Dialogs(None, interactive=False))
    w.resize(1600, 1000)
    w.show()
    if args.jobs:
        w.params_panel.set_run_options(args.jobs, None)
    probe = LatencyProbe(args.probe_ms)
    # warm-up: start the worker pool and load the compiled kernel once, as any earlier run
    # would have; the batch CLI below then runs on the same warm pool, so the two compare fairly
    t = time.perf_counter()
    w.open_file(warm)
    wait_signal(w.sigNavigatorReady)
    w.start_run()
    wait_signal(w.run_controller.sigStopped)
    cold_s = time.perf_counter() - t
    t_open = time.perf_counter()
    w.open_file(path)
    wait_signal(w.sigNavigatorReady)
    t_nav = time.perf_counter() - t_open
    jobs = w.run_presenter.run_for().n_jobs

    probe.start()
    spin(2.0)
    idle = probe.stop()
    warm_redraws = w.live_maps.updates

    # a whole run, probed all along
    probe.start()
    t0 = time.perf_counter()
    w.start_run()
    wait_signal(w.run_controller.sigStopped)
    run_s = time.perf_counter() - t0
    during = probe.stop()
    prog = w.last_progress
    assert prog is not None and prog.state is ProgressState.FINISHED, w.dialogs.errors
    n_spectra = prog.total * w.source.layout.n_steps
    redraws = w.live_maps.updates - warm_redraws
    run1_s = run_s

    # pause and cancel: time from the click to the worker having stopped between chunks
    w.start_run(force=True)
    wait_signal(w.run_controller.sigProgressed)
    spin(0.3)
    t = time.perf_counter()
    w.run_controller.pause()
    wait_signal(w.run_controller.sigPaused)
    pause_s = time.perf_counter() - t
    w.run_controller.resume()
    wait_signal(w.run_controller.sigProgressed)
    t = time.perf_counter()
    w.run_controller.cancel()
    wait_signal(w.run_controller.sigStopped)
    cancel_s = time.perf_counter() - t

    # the same work from the batch CLI, for the throughput ratio (best of two, like the GUI)
    batch_times = []
    for _ in range(2):
        fresh = tmp / f"batch{len(batch_times)}.h5"
        shutil.copy(batch_copy, fresh)
        t = time.perf_counter()
        batch_run(fresh, args.jobs)
        batch_times.append(time.perf_counter() - t)
    batch_s = min(batch_times)
    # and a second full run in the window (force: a new group), probed too
    probe.start()
    t = time.perf_counter()
    w.start_run(force=True)
    wait_signal(w.run_controller.sigStopped)
    run2_s = time.perf_counter() - t
    during = np.concatenate([during, probe.stop()])
    run_s = min(run_s, run2_s)
    w.close()

    print(f"PeakGUI event-loop latency: {args.rows} x {args.cols} x 119 demo "
          f"({prog.total:,} positions), {jobs} worker(s), probe every {args.probe_ms} ms, "
          f"{os.cpu_count()} cores, Qt platform {app.platformName()}")
    print(f"first run in a fresh process (worker start-up, kernel load, 768 positions): "
          f"{cold_s:.2f} s")
    print(f"navigator image ready {t_nav:.2f} s after opening")
    print(f"{'lateness of a GUI-thread timer (ms)':<34} {'n':>6} {'p50':>8} {'p95':>8} "
          f"{'p99':>8} {'max':>8} {'>50ms':>8}")
    print(stats("window idle (dataset open)", idle))
    print(stats("during two whole runs", during))
    print(f"run in the window (best of two): {run_s:.2f} s, {n_spectra / run_s:,.0f} spectra/s; batch CLI on a "
          f"copy (best of two): {batch_s:.2f} s, {n_spectra / batch_s:,.0f} spectra/s; ratio GUI/CLI time "
          f"{run_s / batch_s:.2f}")
    print(f"live map redraws: {redraws} in {run1_s:.2f} s = {redraws / run1_s:.1f} per second "
          "(throttled to <= 10/s)")
    print(f"pause took effect after {pause_s * 1000:.0f} ms; cancel after {cancel_s * 1000:.0f} ms "
          f"(chunk target {w.chunk_seconds} s)")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
