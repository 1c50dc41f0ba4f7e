"""The ``peakgui`` entry point: a Qt-free parser, and the scripted run end to end in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PyQt5.QtGui import QImage

from peakgui.app import create_parser
from peakgui.core.demo.be import DEMO_DATASET
from peakgui.core.io.results import COMPLETED, ResultsRef
from peakgui.core.io.results_read import read_all

GROUP0 = DEMO_DATASET + "-Peak_Finding_000"


def run_peakgui(args, tmp_path, timeout=120):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_RUNTIME_DIR=str(tmp_path))
    return subprocess.run([sys.executable, "-m", "peakgui", *args], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=tmp_path)


def test_the_parser_does_not_import_qt():
    code = ("import sys\nfrom peakgui.app import create_parser\n"
            "a = create_parser().parse_args(['f.h5', '--run', '--jobs', '2'])\n"
            "assert a.run and a.jobs == 2\n"
            "print(','.join(m for m in sys.modules if m.split('.')[0] in "
            "('PyQt5', 'pyqtgraph') or m.startswith('peakgui.gui')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_parser_options():
    a = create_parser().parse_args(["--demo", "--run", "--screenshot", "out.png",
                                    "--quit-when-done", "--jobs", "3"])
    assert (a.demo, a.run, a.screenshot, a.quit_when_done, a.jobs, a.file) == \
        ("be", True, "out.png", True, 3, None)
    a = create_parser().parse_args(["scan.h5", "--dataset", "/a/b"])
    assert (a.file, a.dataset, a.run) == ("scan.h5", "/a/b", False)


def test_usage_errors_exit_2(tmp_path):
    r = run_peakgui(["--run"], tmp_path)
    assert r.returncode == 2 and "--run needs a FILE" in r.stderr


def test_run_screenshot_quit_when_done(tmp_path, small_file):
    out = tmp_path / "shot.png"
    r = run_peakgui([str(small_file), "--run", "--screenshot", str(out), "--quit-when-done",
                     "--jobs", "1"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    img = QImage(str(out))
    assert (img.width(), img.height()) == (1600, 1000)
    done = read_all(ResultsRef(small_file, GROUP0), [COMPLETED])[COMPLETED]
    assert done.all()
    # a second time, the same parameters: reused, still success
    r = run_peakgui([str(small_file), "--run", "--quit-when-done"], tmp_path)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("args, code, text", [
    (["not_hdf5.txt"], 2, "not an HDF5 file"),
    (["small.h5", "--dataset", "/nope"], 2, "no dataset /nope"),
])
def test_scripted_failures_exit_nonzero_with_one_line(tmp_path, small_file, args, code, text):
    (tmp_path / "not_hdf5.txt").write_text("hello")
    if small_file.parent != tmp_path:
        (tmp_path / "small.h5").write_bytes(small_file.read_bytes())
    out = tmp_path / "shot.png"
    r = run_peakgui([*args, "--run", "--screenshot", str(out), "--quit-when-done"], tmp_path)
    assert r.returncode == code, r.stderr
    assert text in r.stderr and "Traceback" not in r.stderr


def test_demo_run_writes_the_demo_into_the_data_folder(tmp_path):
    out = tmp_path / "demo.png"
    r = run_peakgui(["--demo", "--run", "--screenshot", str(out), "--quit-when-done"], tmp_path)
    assert r.returncode == 0, r.stderr
    demo = tmp_path / "data" / "PeakGUI" / "PeakGUI" / "demo.h5"
    assert demo.exists()
    assert read_all(ResultsRef(demo, GROUP0), [COMPLETED])[COMPLETED].all()
    assert Path(out).stat().st_size > 10_000


def test_backend_option_chooses_this_computers_worker_kind(tmp_path, small_file):
    """peakgui --backend processes (scripted): loky worker processes do the run's blocks."""
    import psutil

    data = tmp_path / "small.h5"
    data.write_bytes(small_file.read_bytes())
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_RUNTIME_DIR=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-m", "peakgui", str(data), "--run", "--jobs", "2",
                             "--backend", "processes", "--screenshot", str(tmp_path / "s.png"),
                             "--quit-when-done"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    workers: set[int] = set()
    parent = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            for child in parent.children(recursive=True):
                if "loky" in " ".join(child.cmdline()):
                    workers.add(child.pid)
        except psutil.Error:
            pass
    assert proc.returncode == 0, proc.stderr.read()
    assert len(workers) >= 2, workers
