"""Where the frozen bundle is, whether its tests run, and small process helpers.

The bundle tests need ``dist/peakgui`` (``make dist``). In a plain ``make test`` they run only
when that bundle exists and was built from the current sources; otherwise they skip, saying why.
``make test-frozen`` builds the bundle and the .deb, then sets PEAKGUI_FROZEN_TESTS=1: from then
on a missing bundle, .deb or tool is a failure, not a skip (CI must not pass on a broken build).
Installing the .deb (root only) also needs PEAKGUI_FROZEN_TESTS=1: a plain test run never
installs system packages.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
FROZEN_ENV = "PEAKGUI_FROZEN_TESTS"
BUNDLE = Path(os.environ.get("PEAKGUI_BUNDLE") or ROOT / "dist" / "peakgui")
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""
REPORT = ROOT / "build" / "frozen-report.json"
REPORT_DATA: dict = {}


def required() -> bool:
    """True under ``make test-frozen``: what is missing fails instead of skipping."""
    return os.environ.get(FROZEN_ENV) == "1"


def missing(reason: str) -> None:
    """Fail when the frozen tests were asked for, otherwise skip with the reason."""
    if required():
        pytest.fail(f"{reason} ({FROZEN_ENV}=1: the frozen build is required)")
    pytest.skip(reason)


def load_packaging_module(name: str):
    """Import packaging/<name>.py (the folder is not a package)."""
    spec = importlib.util.spec_from_file_location(f"_packaging_{name}", PACKAGING / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def bundle_or_skip(bundle: Path = BUNDLE) -> Path:
    for program in ("peakgui", "peakgui-batch"):
        if not (bundle / f"{program}{EXE_SUFFIX}").is_file():
            missing(f"no frozen bundle at {bundle} (build it with `make dist`)")
    if not required():
        buildinfo = load_packaging_module("buildinfo")
        try:
            built_from = buildinfo.read(bundle).get("source_digest")
        except (OSError, ValueError):
            built_from = None
        if built_from != buildinfo.source_digest():
            pytest.skip(f"{bundle} was built from other sources than these; `make dist` "
                        "rebuilds it (`make test-frozen` builds and tests)")
    return bundle


def record(key: str, value) -> None:
    """Keep a measurement for build/frozen-report.json (printed at the end of the run)."""
    REPORT_DATA[key] = value


def write_report() -> None:
    if not REPORT_DATA:
        return
    old = {}
    if REPORT.is_file():
        try:
            old = json.loads(REPORT.read_text())
        except ValueError:
            old = {}
    old.update(REPORT_DATA)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(old, indent=2, sort_keys=True) + "\n")


def clean_env(home: Path, **extra) -> dict:
    """An environment with its own HOME and caches, offscreen Qt, no XDG/PEAKGUI/PYTHON settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("XDG_", "PEAKGUI_", "PYTHON"))}
    home.mkdir(parents=True, exist_ok=True)
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen",
               XDG_RUNTIME_DIR=str(home / "runtime"))
    (home / "runtime").mkdir(mode=0o700, exist_ok=True)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run(cmd, env: dict, timeout: float = 600, cwd: Path | None = None):
    """Run, returning (CompletedProcess, wall seconds)."""
    t0 = time.perf_counter()
    res = subprocess.run([str(c) for c in cmd], env=env, cwd=cwd, capture_output=True,
                         text=True, timeout=timeout)
    return res, time.perf_counter() - t0


def describe(res: subprocess.CompletedProcess) -> str:
    return f"exit {res.returncode}\n--- stdout\n{res.stdout[-4000:]}\n--- stderr\n{res.stderr[-4000:]}"


PRE_EXEC_GRACE = 1.0
PF_FORKNOEXEC = 0x40  # Linux task flag: forked and not (yet) exec'd


def forked_not_execd(pid: int) -> bool | None:
    """Whether the kernel marks the process as forked without exec (None: not known here).
    Such a child shows its parent's command line, yet is not the application started again:
    h5py's import asks ``uname -p`` through a (v)fork, and a busy machine can hold the child
    there for a second."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "; flags is the 7th
    return bool(int(fields[6]) & PF_FORKNOEXEC)


def watch_descendants(proc: subprocess.Popen) -> dict[int, list[str]]:
    """pid -> command line of every process ``proc`` started, polled until it exits.

    A child caught between fork() and exec() still shows the parent's command line; the entry
    is replaced when the child has exec'd, and dropped if the parent's command line is all
    that was seen of it and the kernel said it had not exec'd (where /proc cannot tell: if
    it was seen so for less than PRE_EXEC_GRACE seconds). Loky and multiprocessing fork+exec
    their helpers; nothing of ours forks without exec.
    """
    import psutil

    latest: dict[int, list[str]] = {}
    as_parent: dict[int, list[float]] = {}  # pid -> [first, last] time seen with parent's cmd
    pre_exec: dict[int, bool] = {}  # pid -> every sighting with parent's cmd was pre-exec
    try:
        me = psutil.Process(proc.pid)
        parent_cmd = me.cmdline()
        while not parent_cmd and proc.poll() is None:  # still inside its exec: empty for now
            time.sleep(0.005)
            parent_cmd = me.cmdline()
    except psutil.Error:
        return latest
    while proc.poll() is None:
        now = time.monotonic()
        try:
            children = me.children(recursive=True)
        except psutil.Error:
            children = []
        for child in children:
            marked = forked_not_execd(child.pid)  # before the command line: an exec between
            try:                                  # the two reads shows the new one
                cmd = child.cmdline()
            except psutil.Error:
                continue
            if not cmd:
                continue
            latest[child.pid] = cmd
            if cmd == parent_cmd:
                as_parent.setdefault(child.pid, [now, now])[1] = now
                if marked is not None:
                    pre_exec[child.pid] = pre_exec.get(child.pid, True) and marked
        time.sleep(0.02)

    def not_started(pid: int) -> bool:
        if pid in pre_exec:
            return pre_exec[pid]
        first, last = as_parent[pid]
        return last - first < PRE_EXEC_GRACE

    return {pid: cmd for pid, cmd in latest.items()
            if not (cmd == parent_cmd and not_started(pid))}


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
