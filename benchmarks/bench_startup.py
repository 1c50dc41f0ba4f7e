"""Start-up of the frozen bundle: batch --help, GUI start to window, a first and a second run.

    .venv/bin/python benchmarks/bench_startup.py [--bundle dist/peakgui] [--repeat 5]

* ``peakgui-batch --help``: process start to exit (the parser needs no numpy).
* GUI start to window: under a private Xvfb display, from process start until the main window
  ("PeakGUI — demo.h5") is mapped and viewable, polled with ``xwininfo`` every 10 ms; the GUI
  is then terminated. Also for the unfrozen package (``.venv/bin/peakgui``) for comparison.
  Needs Xvfb and xwininfo (Debian: xvfb, x11-utils); skipped without them.
* runs: a whole ``--jobs 1`` and ``--jobs 2`` run on the demo file in a fresh home folder, then
  again; with kernels compiled ahead of time the first run should cost what the second does.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def env_for(home: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    home.mkdir(parents=True, exist_ok=True)
    env.update(HOME=str(home), XDG_RUNTIME_DIR=str(home))
    env.update({k: str(v) for k, v in extra.items()})
    return env


def timed(cmd, env) -> float:
    t0 = time.perf_counter()
    subprocess.run([str(c) for c in cmd], env=env, check=True, capture_output=True)
    return time.perf_counter() - t0


def summary(times: list[float]) -> dict:
    return {"first": round(times[0], 3), "best": round(min(times), 3),
            "median": round(statistics.median(times), 3)}


def window_mapped(display: str, title: str) -> bool:
    env = {**os.environ, "DISPLAY": display}
    tree = subprocess.run(["xwininfo", "-root", "-children"], env=env, capture_output=True,
                          text=True).stdout
    for wid in re.findall(rf'^\s+(0x[0-9a-f]+) "{re.escape(title)}', tree, re.M):
        info = subprocess.run(["xwininfo", "-id", wid], env=env, capture_output=True,
                              text=True).stdout
        if "IsViewable" in info:
            return True
    return False


def time_to_window(cmd, env, display: str, title: str, timeout: float = 60) -> float:
    env = {**env, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(c) for c in cmd], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - t0 < timeout:
            if window_mapped(display, title):
                return time.perf_counter() - t0
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd[0]} exited with {proc.returncode} before a window")
            time.sleep(0.01)
        raise TimeoutError(f"no window {title!r} after {timeout} s")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


class Xvfb:
    def __init__(self, number: int = 97):
        self.display = f":{number}"
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen(["Xvfb", self.display, "-screen", "0", "1920x1200x24",
                                      "-nolisten", "tcp"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        for _ in range(100):
            if subprocess.run(["xwininfo", "-root"], env={**os.environ, "DISPLAY": self.display},
                              capture_output=True).returncode == 0:
                return self
            time.sleep(0.05)
        raise RuntimeError("Xvfb did not start")

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(10)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bundle", type=Path, default=ROOT / "dist" / "peakgui")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--no-runs", action="store_true", help="skip the first/second batch runs")
    args = p.parse_args(argv)
    batch, gui = args.bundle / "peakgui-batch", args.bundle / "peakgui"
    if not batch.is_file():
        print(f"no bundle at {args.bundle}: run `make dist` first", file=sys.stderr)
        return 1
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="peakgui-bench-") as tmp:
        tmp = Path(tmp)
        env = env_for(tmp / "home")
        results["batch_help_s"] = summary([timed([batch, "--help"], env)
                                           for _ in range(args.repeat)])
        demo = tmp / "demo.h5"
        subprocess.run([batch, "--demo", demo], env=env, check=True, capture_output=True)

        if shutil.which("Xvfb") and shutil.which("xwininfo"):
            title = f"PeakGUI — {demo.name}"
            with Xvfb() as x:
                results["gui_start_to_window_s"] = summary(
                    [time_to_window([gui, demo], env, x.display, title)
                     for _ in range(args.repeat)])
                venv_gui = ROOT / ".venv" / "bin" / "peakgui"
                if venv_gui.is_file():
                    results["unfrozen_gui_start_to_window_s"] = summary(
                        [time_to_window([venv_gui, demo], env, x.display, title)
                         for _ in range(args.repeat)])
        else:
            print("no Xvfb/xwininfo: GUI start-to-window not measured", file=sys.stderr)

        if not args.no_runs:
            for jobs in (1, 2):
                run_env = env_for(tmp / f"home-runs-{jobs}")
                runs = {}
                for label in ("first", "second"):
                    data = tmp / f"run-{jobs}-{label}.h5"
                    shutil.copy(demo, data)
                    t0 = time.perf_counter()
                    out = subprocess.run([batch, data, "--jobs", str(jobs), "--json"],
                                         env=run_env, check=True, capture_output=True,
                                         text=True).stdout
                    s = json.loads(out)
                    runs[label] = {"run_s": s["seconds"],
                                   "kernel_load_s": s["kernel_load_seconds"],
                                   "wall_s": round(time.perf_counter() - t0, 2),
                                   "workers": s["workers"], "worker_pids": s["worker_pids"]}
                results[f"batch_jobs{jobs}"] = runs
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
