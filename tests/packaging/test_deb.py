"""The .deb: install with dpkg -i, run both programs from the installed paths, remove cleanly.

Installs a system package, so it runs only under PEAKGUI_FROZEN_TESTS=1 (``make test-frozen``,
which builds the .deb first) and as root; otherwise it skips, saying why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from peakgui import __version__

from .helpers import (
    ROOT,
    clean_env,
    describe,
    load_packaging_module,
    missing,
    png_size,
    record,
    required,
    run,
)

pytestmark = pytest.mark.slow

PACKAGE = "peakgui"
SHARED_DIRS = {"/", "/opt", "/usr", "/usr/bin", "/usr/share", "/usr/share/applications",
               "/usr/share/icons", "/usr/share/icons/hicolor", "/usr/share/doc"}


def dpkg_status(package: str) -> str:
    res = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True,
                         text=True)
    return res.stdout.strip() if res.returncode == 0 else "not-installed"


def owned_by_others(path: str) -> bool:
    res = subprocess.run(["dpkg-query", "-S", path], capture_output=True, text=True)
    return res.returncode == 0


@pytest.fixture(scope="module")
def deb() -> Path:
    if not required():
        pytest.skip("installs a system package: only under `make test-frozen` "
                    "(PEAKGUI_FROZEN_TESTS=1)")
    if not shutil.which("dpkg"):
        pytest.skip("not a Debian-like system (no dpkg)")
    if os.geteuid() != 0:
        pytest.skip("dpkg -i needs root: run `sudo make test-frozen` to test the .deb")
    version = load_packaging_module("build_deb").debian_version(__version__)
    debs = sorted((ROOT / "dist").glob(f"{PACKAGE}_{version}_*.deb"))
    if not debs:
        missing(f"no dist/{PACKAGE}_{version}_*.deb (build it with `make deb`)")
    if "ok installed" in dpkg_status(PACKAGE):
        pytest.skip(f"a {PACKAGE} package is already installed here; not touching it")
    return debs[-1]


@pytest.fixture(scope="module")
def installed(deb):
    res = subprocess.run(["dpkg", "-i", str(deb)], capture_output=True, text=True)
    try:
        assert res.returncode == 0, describe(res)
        listed = subprocess.run(["dpkg", "-L", PACKAGE], capture_output=True, text=True,
                                check=True).stdout.split("\n")
        yield [p for p in listed if p and p not in SHARED_DIRS and p != "/."]
    finally:
        subprocess.run(["dpkg", "--purge", PACKAGE], capture_output=True, text=True)


def test_package_metadata(deb):
    fields = subprocess.run(["dpkg-deb", "-f", str(deb)], capture_output=True, text=True,
                            check=True).stdout
    assert f"Package: {PACKAGE}" in fields
    depends = next(line for line in fields.splitlines() if line.startswith("Depends:"))
    for dep in ("libc6 (>= ", "libgl1", "libegl1", "libxcb1"):
        assert dep in depends, depends
    record("deb", {"file": deb.name, "mib": round(deb.stat().st_size / 2**20, 1),
                   "depends": depends.split(":", 1)[1].strip()})


def test_installed_layout(installed):
    assert Path("/usr/bin/peakgui").resolve() == Path("/opt/peakgui/peakgui")
    assert Path("/usr/bin/peakgui-batch").resolve() == Path("/opt/peakgui/peakgui-batch")
    desktop = Path("/usr/share/applications/peakgui.desktop")
    text = desktop.read_text()
    assert "Exec=peakgui" in text and "Icon=peakgui" in text
    if shutil.which("desktop-file-validate"):
        res = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True,
                             text=True)
        assert res.returncode == 0, describe(res)
    for size in (16, 32, 48, 64, 128, 256):
        icon = Path(f"/usr/share/icons/hicolor/{size}x{size}/apps/peakgui.png")
        assert png_size(icon) == (size, size)
    assert Path("/usr/share/icons/hicolor/scalable/apps/peakgui.svg").is_file()
    assert {"/opt/peakgui/peakgui", "/usr/bin/peakgui-batch",
            "/usr/share/applications/peakgui.desktop"} <= set(installed)


def test_installed_programs_run_with_two_workers(installed, tmp_path):
    """The smoke test, from the installed paths (as on a lab PC: commands on the PATH)."""
    env = clean_env(tmp_path / "home")
    env["PATH"] = "/usr/bin:/bin"
    before = {str(p) for p in Path("/opt/peakgui").rglob("*")}
    data = tmp_path / "demo.h5"
    res, _ = run(["peakgui-batch", "--demo", data], env)
    assert res.returncode == 0, describe(res)
    res, wall = run(["peakgui-batch", data, "--jobs", "2", "--backend", "processes", "--json"],
                    env)
    assert res.returncode == 0, describe(res)
    summary = json.loads(res.stdout)
    assert summary["workers"] >= 2 and len(set(summary["worker_pids"])) >= 2, summary
    res, _ = run(["peakgui-batch", data, "--jobs", "2", "--json", "--force"], env)  # threads
    assert res.returncode == 0, describe(res)
    threaded = json.loads(res.stdout)
    assert threaded["worker_kind"] == "threads" and threaded["worker_threads"] == 2, threaded
    shot = tmp_path / "installed.png"
    fresh = tmp_path / "gui.h5"  # no results yet: the GUI computes instead of reusing
    res, _ = run(["peakgui-batch", "--demo", fresh], env)
    assert res.returncode == 0, describe(res)
    res, gui_wall = run(["peakgui", fresh, "--run", "--jobs", "2", "--screenshot", shot,
                         "--quit-when-done"], env)
    assert res.returncode == 0, describe(res)
    assert png_size(shot)[0] >= 800
    # running as root must not leave files in the install folder (dpkg -r would leave them)
    assert {str(p) for p in Path("/opt/peakgui").rglob("*")} == before
    record("deb_installed_run", {"batch_worker_pids": summary["worker_pids"],
                                 "batch_wall_seconds": round(wall, 2),
                                 "gui_run_wall_seconds": round(gui_wall, 2)})


def test_remove_leaves_nothing(installed):
    res = subprocess.run(["dpkg", "-r", PACKAGE], capture_output=True, text=True)
    assert res.returncode == 0, describe(res)
    # every file goes; a directory stays only if another package owns it too
    left = [p for p in installed if os.path.lexists(p)
            and not (os.path.isdir(p) and not os.path.islink(p) and owned_by_others(p))]
    assert not left, f"left behind after dpkg -r: {left[:20]}"
    assert not os.path.lexists("/opt/peakgui")
    assert "ok installed" not in dpkg_status(PACKAGE)
