"""The frozen one-folder bundle (dist/peakgui): both programs run, workers really run in it.

Skipped unless the bundle exists and is current, or PEAKGUI_FROZEN_TESTS=1 (``make
test-frozen``), which turns a missing bundle into a failure. See helpers.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import h5py
import numpy as np
import psutil
import pytest

from peakgui import __version__, frozen

from .helpers import (
    EXE_SUFFIX,
    bundle_or_skip,
    clean_env,
    describe,
    load_packaging_module,
    png_size,
    record,
    run,
    watch_descendants,
)

pytestmark = pytest.mark.slow

OPTIONAL_SYSTEM_LIBS: set[str] = set()  # every library a bundled file needs must resolve
BUDGET_MIB = 250  # the unpacked one-folder bundle, as an installer's budget
NOT_IN_BUNDLE = [
    "dask", "distributed", "pandas", "matplotlib", "tkinter", "IPython", "pyUSID", "sidpy",
    "pytest", "hypothesis", "PIL", "numba", "llvmlite", "Cython", "PyQt5/Qt5/translations",
    "PyQt5/Qt5/qml",
    "PyQt5/QtWebEngineWidgets.abi3.so", "PyQt5/QtQml.abi3.so", "PyQt5/QtNetwork.abi3.so",
    "PyQt5/Qt5/lib/libQt5Quick.so.5", "PyQt5/Qt5/lib/libQt5Network.so.5",
    "PyQt5/Qt5/lib/libQt5Qml.so.5", "PyQt5/Qt5/lib/libQt5WebEngineCore.so.5",
]


@pytest.fixture(scope="module")
def bundle() -> Path:
    return bundle_or_skip()


def exe(bundle: Path, program: str) -> Path:
    return bundle / f"{program}{EXE_SUFFIX}"


def tree_size(path: Path) -> int:
    return sum(p.lstat().st_size for p in path.rglob("*") if not p.is_dir())


def files_in(path: Path) -> set[str]:
    return {str(p.relative_to(path)) for p in path.rglob("*")}


@pytest.fixture(scope="module")
def bundle_files(bundle) -> set[str]:
    """The bundle's file list before any test ran a program from it."""
    return files_in(bundle)


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("frozen")


@pytest.fixture(scope="module")
def demo_h5(bundle, bundle_files, work) -> Path:
    """The demo dataset, written by the frozen peakgui-batch itself."""
    out = work / "master.h5"
    res, _ = run([exe(bundle, "peakgui-batch"), "--demo", out], clean_env(work / "home-demo"))
    assert res.returncode == 0, describe(res)
    return out


def test_layout_version_and_size(bundle, bundle_files):
    info = load_packaging_module("buildinfo").read(bundle)
    assert info["version"] == __version__
    for program in ("peakgui", "peakgui-batch"):
        assert os.access(exe(bundle, program), os.X_OK), program
    internal = bundle / "_internal"
    icons = sorted(p.name for p in (internal / "peakgui" / "resources").glob("peakgui-*.png"))
    assert "peakgui-256.png" in icons and "peakgui-16.png" in icons
    # the compiled ridge kernel, built when the package was installed
    kernels = internal / "peakgui" / "core" / "analyses" / "peak_finding"
    assert list(kernels.glob("_ridge.*.so")) or list(kernels.glob("_ridge.*.pyd")), kernels
    present = [name for name in NOT_IN_BUNDLE if (internal / name).exists()]
    assert not present, f"excluded from the bundle but present: {present}"
    size = tree_size(bundle)
    record("bundle_mib", round(size / 2**20, 1))
    biggest = sorted(((tree_size(p) if p.is_dir() else p.lstat().st_size, p.name)
                      for p in internal.iterdir()), reverse=True)[:8]
    record("bundle_biggest_mib", {name: round(s / 2**20, 1) for s, name in biggest})
    assert size <= BUDGET_MIB * 2**20, \
        f"bundle is {size / 2**20:.0f} MiB, over its {BUDGET_MIB} MiB budget: {biggest}"


@pytest.mark.skipif(not shutil.which("objdump") or not shutil.which("ldconfig"),
                    reason="needs objdump and ldconfig")
def test_every_library_resolves(bundle):
    """No dangling links; every library a bundled ELF file needs is bundled or on the system
    (what the .deb's Depends lists)."""
    dangling = [str(p) for p in bundle.rglob("*") if p.is_symlink() and not p.exists()]
    assert not dangling, dangling
    build_deb = load_packaging_module("build_deb")
    bundled = {p.name for p in bundle.rglob("*")}
    needed: set[str] = set()
    for path in bundle.rglob("*"):
        if path.is_file() and not path.is_symlink() and build_deb.is_elf(path):
            needed |= build_deb.elf_needs(path)[0]
    system = needed - bundled
    _, unresolved = build_deb.system_library_packages(system)
    assert unresolved <= OPTIONAL_SYSTEM_LIBS, unresolved
    qt_missing = {n for n in system if n.startswith("libQt5")}
    assert not qt_missing, f"Qt libraries dropped but still needed: {qt_missing}"
    record("system_libraries", sorted(system))


def test_batch_help_and_version(bundle):
    env = clean_env(Path(os.environ.get("TMPDIR", "/tmp")) / "peakgui-frozen-help")
    times = []
    for _ in range(3):
        res, seconds = run([exe(bundle, "peakgui-batch"), "--help"], env, timeout=60)
        assert res.returncode == 0 and "--jobs" in res.stdout, describe(res)
        times.append(seconds)
    record("batch_help_seconds", {"first": round(times[0], 3), "best": round(min(times), 3)})
    res, _ = run([exe(bundle, "peakgui-batch"), "--version"], env, timeout=60)
    assert res.returncode == 0 and __version__ in res.stdout + res.stderr, describe(res)


def run_batch_watched(cmd, env) -> tuple[dict, dict[int, list[str]], float]:
    """Run the frozen batch program; return its JSON summary, every descendant process seen
    (pid -> command line) and the wall time."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(c) for c in cmd], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    seen = watch_descendants(proc)
    out, err = proc.communicate(timeout=600)
    seconds = time.perf_counter() - t0
    assert proc.returncode == 0, f"exit {proc.returncode}\n{out}\n{err}"
    return json.loads(out), seen, seconds


def assert_only_helpers(seen: dict[int, list[str]], program: Path) -> list[str]:
    """Every process the program started is one of its helpers (never a second application);
    returns their kinds."""
    kinds = []
    for pid, cmd in seen.items():
        if Path(cmd[0]).name != program.name:
            continue  # not the program started again (e.g. a shell helper Qt ran)
        request = frozen.child_request(cmd)
        assert request is not None and request[0] != "unknown", \
            f"pid {pid} ran the application again: {cmd}"
        kinds.append(request[0])
    return kinds


def gone(pids, timeout: float = 10.0) -> list[int]:
    deadline = time.monotonic() + timeout
    alive = list(pids)
    while alive and time.monotonic() < deadline:
        alive = [p for p in alive if _running(p)]
        time.sleep(0.1)
    return alive


def _running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def read_results(path: Path, group: str) -> dict[str, np.ndarray]:
    with h5py.File(path, "r") as f:
        g = f[group]
        return {name: g[name][()] for name in ("Peak_Response", "Peak_Frequency", "Peak_Count")}


def test_batch_runs_on_two_worker_processes(bundle, bundle_files, demo_h5, work):
    """The acceptance test: --jobs 2 in the bundle, two frozen worker processes did the work,
    results equal to the unfrozen package's; nothing compiled or cached per user."""
    batch = exe(bundle, "peakgui-batch")
    home = work / "home-batch"
    data = work / "batch.h5"
    shutil.copy(demo_h5, data)
    env = clean_env(home)

    cold, seen, cold_wall = run_batch_watched(
        [batch, data, "--jobs", "2", "--backend", "processes", "--json"], env)
    assert cold["workers"] >= 2, cold
    pids = set(cold["worker_pids"])
    assert len(pids) >= 2, cold
    kinds = assert_only_helpers(seen, batch)
    assert kinds.count("loky-worker") >= 2, seen
    assert pids <= {pid for pid, cmd in seen.items()
                    if frozen.child_request(cmd) and frozen.child_request(cmd)[0] == "loky-worker"}
    assert not gone(seen), "helper processes outlived the batch program"

    assert not (home / ".cache").exists(), "the frozen app wrote a per-user cache"
    warm, _, warm_wall = run_batch_watched(
        [batch, data, "--jobs", "2", "--backend", "processes", "--json", "--force"], env)
    assert warm["workers"] >= 2 and warm["computed"] == cold["computed"]

    # the default for this GIL-free kernel: two threads of the one frozen process
    threaded, seen_t, _ = run_batch_watched(
        [batch, data, "--jobs", "2", "--json", "--force"], env)
    assert threaded["worker_kind"] == "threads" and threaded["worker_threads"] == 2, threaded
    assert "loky-worker" not in assert_only_helpers(seen_t, batch)

    # same numbers as the package computes unfrozen (in this process, one worker)
    from peakgui.cli import main as cli_main

    reference = work / "reference.h5"
    shutil.copy(demo_h5, reference)
    assert cli_main([str(reference), "--jobs", "1", "--json"]) == 0
    with h5py.File(reference, "r") as f:
        ref_group = next(k for k in f["Measurement_000/Channel_000"]
                         if k.startswith("Raw_Data-Peak_Finding"))
    ref = read_results(reference, f"Measurement_000/Channel_000/{ref_group}")
    got = read_results(data, cold["results_group"])
    for name in ref:
        np.testing.assert_array_equal(got[name], ref[name], err_msg=name)

    # nothing was written into the bundle (no __pycache__, no cache of any kind)
    assert files_in(bundle) == bundle_files
    record("batch_jobs2_demo", {
        "positions": cold["positions"], "worker_pids_cold": cold["worker_pids"],
        "first_run_seconds": cold["seconds"], "first_wall_seconds": round(cold_wall, 2),
        "second_run_seconds": warm["seconds"], "second_wall_seconds": round(warm_wall, 2),
        "kernel_load_seconds": cold["kernel_load_seconds"],
        "helper_processes": sorted(kinds),
    })


def test_gui_demo_run_screenshot_with_two_workers(bundle, bundle_files, work):
    """peakgui --demo --run --screenshot --quit-when-done offscreen; its workers are the frozen
    GUI executable started again, and none of them opened a window."""
    gui = exe(bundle, "peakgui")
    shot = work / "gui.png"
    env = clean_env(work / "home-gui")
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(gui), "--demo", "--run", "--jobs", "2", "--backend",
                             "processes", "--screenshot", str(shot), "--quit-when-done"],
                            env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    seen = watch_descendants(proc)
    out, err = proc.communicate(timeout=600)
    wall = time.perf_counter() - t0
    assert proc.returncode == 0, f"exit {proc.returncode}\n{out}\n{err}"
    w, h = png_size(shot)
    assert w >= 800 and h >= 600, (w, h)
    kinds = assert_only_helpers(seen, gui)
    workers = [pid for pid, cmd in seen.items()
               if Path(cmd[0]).name == gui.name and frozen.child_request(cmd)
               and frozen.child_request(cmd)[0] == "loky-worker"]
    assert len(workers) >= 2, seen
    assert not gone(seen), "helper processes outlived the GUI"
    assert files_in(bundle) == bundle_files
    record("gui_demo_run_jobs2", {"wall_seconds": round(wall, 2),
                                  "worker_pids": sorted(workers),
                                  "helper_processes": sorted(kinds),
                                  "screenshot": [w, h]})


def test_gui_start_to_window(bundle, demo_h5, work):
    """Start -> window shown with the file open -> screenshot -> exit (an upper bound of the
    time to the window: it includes a 300 ms settle, the capture and the shutdown)."""
    gui = exe(bundle, "peakgui")
    env = clean_env(work / "home-start")
    times = []
    for i in range(3):
        shot = work / f"start{i}.png"
        res, seconds = run([gui, demo_h5, "--screenshot", shot, "--quit-when-done"], env,
                           timeout=120)
        assert res.returncode == 0, describe(res)
        assert shot.is_file()
        times.append(seconds)
    record("gui_open_file_screenshot_exit_seconds",
           {"first": round(times[0], 2), "best": round(min(times), 2)})
    assert min(times) < 15, times


@pytest.mark.parametrize("program", ["peakgui", "peakgui-batch"])
def test_child_guard(bundle, work, program):
    """Interpreter-style arguments are refused, and a process that descends from a PeakGUI
    helper never starts the application (no second GUI, no nested batch run)."""
    target = exe(bundle, program)
    env = clean_env(work / f"home-guard-{program}")
    for args in (["-c", "import os; print('arbitrary code ran')"], ["-m", "http.server"],
                 ["-B", "-S", "-I", "-c", "from multiprocessing.forkserver import main"]):
        res, seconds = run([target, *args], env, timeout=60)
        assert res.returncode == frozen.EXIT_REFUSED, describe(res)
        assert "arbitrary code ran" not in res.stdout
        assert re.search("refusing interpreter arguments", res.stderr), describe(res)
    shot = work / f"guard-{program}.png"
    env[frozen.CHILD_ENV] = "loky-worker"
    args = ["--demo", "--screenshot", shot, "--quit-when-done"] if program == "peakgui" \
        else ["--demo", work / "guard.h5"]
    res, seconds = run([target, *args], env, timeout=60)
    assert res.returncode == frozen.EXIT_REFUSED, describe(res)
    assert not shot.exists() and not (work / "guard.h5").exists()
    assert seconds < 10
