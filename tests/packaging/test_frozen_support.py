"""peakgui.frozen without a build: command-line recognition against the command lines joblib's
loky really produces, and a whole parallel batch run through an emulated frozen executable (sys.frozen set, sys.executable a launcher that runs the entry
script), which is exactly the path a PyInstaller build takes. Runs in the regular suite."""

from __future__ import annotations

import json
import os
import stat
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from peakgui import frozen
from peakgui.core.demo.be import write_demo

from .helpers import (
    PACKAGING,
    ROOT,
    clean_env,
    describe,
    load_packaging_module,
    run,
    watch_descendants,
)

EXE = "/opt/peakgui/peakgui"


# --- recognising helper-process command lines ------------------------------------------------

@pytest.mark.parametrize("argv, expected", [
    ([EXE], None),
    ([EXE, "demo.h5", "--run"], None),
    ([EXE, "-v", "file.h5"], None),  # flags alone are not an interpreter invocation
    ([EXE, "-m", frozen.LOKY_POSIX_WORKER, "--process-name", "LokyProcess-1", "--pipe", "7"],
     ("loky-worker", ("--process-name", "LokyProcess-1", "--pipe", "7"))),
    ([EXE, "-B", "-S", "-I", "-c",
      "from joblib.externals.loky.backend.resource_tracker import main; main(6, False)"],
     ("loky-tracker", (6, False))),
    ([EXE, "-c", "from joblib.externals.loky.backend.resource_tracker import main; main(9, 1)"],
     ("loky-tracker", (9, True))),
    ([EXE, "-B", "-S", "-I", "-c", "from multiprocessing.resource_tracker import main;main(14)"],
     ("mp-tracker", (14,))),
    ([EXE, "--multiprocessing-fork", "loky_pipe_handle=1234", "parent_pid=42"],
     ("loky-win32-worker", (1234, 42))),
    ([EXE, "--multiprocessing-fork", "1234"], ("loky-win32-worker", (1234, None))),
    ([EXE, "--multiprocessing-fork", "parent_pid=42", "pipe_handle=1234"],
     ("mp-worker", ("parent_pid=42", "pipe_handle=1234"))),
])
def test_child_requests_are_recognised(argv, expected):
    assert frozen.child_request(argv) == expected


@pytest.mark.parametrize("argv", [
    [EXE, "-c", "import os; os.system('rm -rf ~')"],
    [EXE, "-c", "from joblib.externals.loky.backend.resource_tracker import main; main(6, 0); 1"],
    [EXE, "-m", "http.server"],
    [EXE, "-B", "-m", "pip", "install", "x"],
    [EXE, "-c"],
    [EXE, "--multiprocessing-fork", "loky_pipe_handle=x", "parent_pid=1"],
    [EXE, "--multiprocessing-fork", "rm", "-rf"],
    [EXE, "-S", "--multiprocessing-fork", "12"],
])
def test_unknown_interpreter_command_lines_are_refused(argv, capsys):
    request = frozen.child_request(argv)
    assert request is not None and request[0] == "unknown"
    assert frozen.run_child(request) == frozen.EXIT_REFUSED
    assert "refusing interpreter arguments" in capsys.readouterr().err


def test_windows_worker_command_round_trips():
    cmd = frozen.windows_worker_command(r"C:\PeakGUI\peakgui.exe", 1234, 5678)
    assert frozen.child_request(cmd) == ("loky-win32-worker", (1234, 5678))


def test_the_loky_worker_command_line_loky_really_builds(monkeypatch):
    """Spy on loky's own launcher: the command it builds is the one run_child handles."""
    from joblib.externals.loky import ProcessPoolExecutor
    from joblib.externals.loky.backend import fork_exec as fork_exec_module

    seen = []
    real = fork_exec_module.fork_exec

    def spy(cmd, keep_fds, env=None):
        seen.append([str(c) for c in cmd])
        return real(cmd, keep_fds, env)

    monkeypatch.setattr(fork_exec_module, "fork_exec", spy)
    with ProcessPoolExecutor(max_workers=1) as pool:
        assert pool.submit(abs, -3).result() == 3
    assert seen, "loky started no worker through fork_exec"
    for cmd in seen:
        kind, details = frozen.child_request(cmd)
        assert kind == "loky-worker", cmd
        assert "--pipe" in details


def test_the_resource_tracker_command_lines_really_built(monkeypatch):
    import multiprocessing.resource_tracker as mp_tracker
    import multiprocessing.util as mp_util

    from joblib.externals.loky.backend import resource_tracker as loky_tracker

    seen = []
    real_loky, real_mp = loky_tracker.spawnv_passfds, mp_util.spawnv_passfds

    def spy_loky(path, args, passfds):
        seen.append(("loky", [str(a) for a in args]))
        return real_loky(path, args, passfds)

    def spy_mp(path, args, passfds):
        seen.append(("mp", [str(a) for a in args]))
        return real_mp(path, args, passfds)

    monkeypatch.setattr(loky_tracker, "spawnv_passfds", spy_loky)
    monkeypatch.setattr(mp_util, "spawnv_passfds", spy_mp)
    trackers = [loky_tracker.ResourceTracker(), mp_tracker.ResourceTracker()]
    try:
        for t in trackers:
            t.ensure_running()
    finally:
        for t in trackers:
            t._stop()
    kinds = {src: frozen.child_request(args)[0] for src, args in seen}
    assert kinds == {"loky": "loky-tracker", "mp": "mp-tracker"}, seen


# --- the application's own process -----------------------------------------------------------

def test_bootstrap_leaves_an_unfrozen_process_alone(monkeypatch):
    monkeypatch.delenv(frozen.CHILD_ENV, raising=False)
    before = dict(os.environ)
    frozen.bootstrap("peakgui-batch", ["peakgui-batch", "x.h5"])
    assert dict(os.environ) == before  # no compile cache to point anywhere: kernels are AOT


# --- the entry scripts, unfrozen and emulated-frozen ----------------------------------------

FAKE_FROZEN = """\
import runpy, sys
# what PyInstaller's bootloader gives the entry script: sys.frozen, and sys.executable = the
# program itself (here a launcher script that comes back to this file)
sys.frozen = True
sys.executable = sys.argv[1]
sys.argv = sys.argv[1:]
runpy.run_path({entry!r}, run_name="__main__")
"""


def _fake_frozen_program(tmp_path: Path, entry: str) -> Path:
    script = tmp_path / f"fake_frozen_{entry}.py"
    script.write_text(FAKE_FROZEN.format(entry=str(PACKAGING / f"{entry}.py")))
    launcher = tmp_path / entry.replace("entry_", "").replace("_", "-")
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{script}" "$0" "$@"\n')
    launcher.chmod(launcher.stat().st_mode | stat.S_IXUSR)
    return launcher


@pytest.mark.parametrize("entry", ["entry_peakgui", "entry_peakgui_batch"])
def test_entry_scripts_refuse_interpreter_arguments_and_worker_descendants(tmp_path, entry):
    env = clean_env(tmp_path / "home")
    script = PACKAGING / f"{entry}.py"
    res, _ = run([sys.executable, script, "-c", "print('ran arbitrary code')"], env, timeout=60)
    assert res.returncode == frozen.EXIT_REFUSED, describe(res)
    assert "ran arbitrary code" not in res.stdout
    env[frozen.CHILD_ENV] = "loky-worker"
    res, _ = run([sys.executable, script, "--version"], env, timeout=60)
    assert res.returncode == frozen.EXIT_REFUSED, describe(res)
    assert "not starting" in res.stderr


@pytest.fixture(scope="module")
def _small_h5(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fake-frozen") / "small.h5"
    write_demo(path, rows=24, cols=32, bins=119, seed=3)
    return path


def test_parallel_batch_run_through_an_emulated_frozen_executable(tmp_path, _small_h5):
    """loky re-executes "the frozen program" for 2 workers and 2 resource trackers; every one
    of them goes through frozen.bootstrap and none runs a second batch."""
    program = _fake_frozen_program(tmp_path, "entry_peakgui_batch")
    data = tmp_path / "small.h5"
    data.write_bytes(_small_h5.read_bytes())
    env = clean_env(tmp_path / "home")
    proc = subprocess.Popen([str(program), str(data), "--jobs", "2", "--backend", "processes",
                             "--json"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    helpers = watch_descendants(proc)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, f"{out}\n{err}"
    summary = json.loads(out)
    # two workers started (below); on 768 spectra the first one up may compute every chunk
    assert 1 <= summary["workers"] <= 2 and len(set(summary["worker_pids"])) >= 1
    assert summary["computed"] == 24 * 32
    # the workers really were "the frozen program" started again, as loky workers
    started = {pid: cmd for pid, cmd in helpers.items() if str(program) in cmd}
    kinds = [(frozen.child_request(cmd[cmd.index(str(program)):]) or ("application",))[0]
             for cmd in started.values()]
    assert kinds.count("loky-worker") >= 2, helpers
    assert set(kinds) <= {"loky-worker", "loky-tracker", "mp-tracker"}, helpers
    assert set(summary["worker_pids"]) <= set(helpers), (summary, helpers)


# --- installer helpers ----------------------------------------------------------------------

def test_make_ico_writes_every_png_size(tmp_path):
    make_ico = load_packaging_module("make_ico")
    out = tmp_path / "peakgui.ico"
    assert make_ico.main([str(out)]) == 0
    data = out.read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1) and count == len(list(
        (ROOT / "peakgui" / "resources").glob("peakgui-*.png")))
    for i in range(count):
        w, h, _, _, planes, bpp, size, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * i: 22 + 16 * i])
        assert data[offset:offset + 8] == make_ico.PNG_MAGIC
        assert make_ico.png_size(data[offset:offset + size])[0] % 256 == w


def test_version_helpers():
    nsis = load_packaging_module("build_nsis")
    deb = load_packaging_module("build_deb")
    assert nsis.version4("0.1.0") == "0.1.0.0"
    assert nsis.version4("1.2rc1") == "1.2.0.0"
    assert deb.debian_version("0.1.0") == "0.1.0"
    assert deb.debian_version("1.0rc1") == "1.0~rc1"
    assert deb.debian_version("1.0.dev3") == "1.0~dev3"


def test_source_digest_follows_the_sources(tmp_path):
    buildinfo = load_packaging_module("buildinfo")
    (tmp_path / "peakgui" / "core").mkdir(parents=True)
    kernel = tmp_path / "peakgui" / "core" / "k.py"
    kernel.write_text("x = 1\n")
    first = buildinfo.source_digest(tmp_path)
    (tmp_path / "peakgui" / "core" / "__pycache__").mkdir()
    (tmp_path / "peakgui" / "core" / "__pycache__" / "k.cpython-311.pyc").write_bytes(b"junk")
    assert buildinfo.source_digest(tmp_path) == first
    kernel.write_text("x = 2\n")
    assert buildinfo.source_digest(tmp_path) != first
