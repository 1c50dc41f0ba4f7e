"""The test suite never writes into the real user's folders: a program a test starts without
an environment of its own (here the GUI launcher, which writes ``peakgui.log``) inherits the
session's throw-away folders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REAL_CONFIG, REAL_DATA, REAL_HOME

APP = Path("PeakGUI") / "PeakGUI"


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file below ``folder`` with its size and modification time (empty: no folder)."""
    if not folder.is_dir():
        return {}
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")
            if p.is_file()}


def test_the_launcher_writes_its_log_in_the_session_folder_not_the_users(tmp_path, small_file):
    real = {d: listing(d) for d in (REAL_DATA / APP, REAL_CONFIG / "PeakGUI")}
    assert Path(os.environ["HOME"]) != REAL_HOME
    data = Path(os.environ["XDG_DATA_HOME"])
    assert data != REAL_DATA and not str(data).startswith(str(REAL_HOME))
    shot = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}  # no folders of its own
    proc = subprocess.run([sys.executable, "-m", "peakgui", str(small_file), "--jobs", "1",
                           "--screenshot", str(shot), "--quit-when-done"], env=env,
                          capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert shot.is_file()
    assert (data / APP / "peakgui.log").is_file()  # the launcher did write its log: here
    assert {d: listing(d) for d in real} == real  # and nothing in the user's folders
