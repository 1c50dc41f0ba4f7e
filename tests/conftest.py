"""Shared fixtures: real demo HDF5 files written by the core, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from peakgui.core.demo.be import write_demo


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
