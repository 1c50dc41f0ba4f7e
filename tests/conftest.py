"""Shared fixtures: the user's own folders kept out of reach, and real demo HDF5 files written
by the core, copied per test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from peakgui.core.demo.be import write_demo

# the real user's folders, as they were before the session redirected them (see below)
REAL_HOME = Path.home()
REAL_DATA = Path(os.environ.get("XDG_DATA_HOME") or REAL_HOME / ".local" / "share")
REAL_CONFIG = Path(os.environ.get("XDG_CONFIG_HOME") or REAL_HOME / ".config")


@pytest.fixture(scope="session", autouse=True)
def _private_user_folders(tmp_path_factory):
    """Every test, and every program a test starts (they inherit the environment), gets a
    throw-away HOME, data and config folder: the launcher's log, the demo files and the
    settings never land in the real user's folders, whichever test starts what."""
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        mp.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
        mp.setenv("XDG_CONFIG_HOME", str(home / ".config"))
        try:  # Qt reads the config folder once: point QSettings there before it does
            from PyQt5.QtCore import QSettings
        except ImportError:
            pass
        else:
            for fmt in (QSettings.NativeFormat, QSettings.IniFormat):
                QSettings.setPath(fmt, QSettings.UserScope, str(home / ".config"))
        yield home


@pytest.fixture(scope="session")
def _demo_master(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("master") / "demo.h5"
    write_demo(path)
    return path


@pytest.fixture(scope="session")
def _small_master(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("master") / "small.h5"
    write_demo(path, rows=24, cols=32, bins=119, seed=3)
    return path


@pytest.fixture
def demo_file(tmp_path, _demo_master) -> Path:
    """The full 128 x 128 x 119 demo file, a fresh copy for each test."""
    dst = tmp_path / "demo.h5"
    shutil.copy(_demo_master, dst)
    return dst


@pytest.fixture
def small_file(tmp_path, _small_master) -> Path:
    """A 24 x 32 x 119 demo file (non-square), a fresh copy for each test."""
    dst = tmp_path / "small.h5"
    shutil.copy(_small_master, dst)
    return dst
