"""Test helpers: the tutorial's map function (the oracle) and file checksums."""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest
from joblib import Parallel, delayed
from scipy.signal import find_peaks_cwt


def tutorial_map(spectra: np.ndarray) -> np.float32:
    """The map function of the pyUSID Process tutorial, written out plainly with scipy."""
    peak_inds = find_peaks_cwt(np.abs(spectra), np.linspace(20, 60, 30))
    central = len(spectra) // 2
    if len(peak_inds) == 0:
        val = central
    elif len(peak_inds) > 1:
        val = peak_inds[np.argmin(np.abs(peak_inds - central))]
    else:
        val = peak_inds[0]
    return np.abs(spectra[val])


def _loop(block: np.ndarray) -> np.ndarray:
    return np.array([tutorial_map(row) for row in block], dtype=np.float32)


def tutorial_amplitudes(data: np.ndarray, n_jobs: int = 2) -> np.ndarray:
    """The tutorial loop over every row, split over processes only to keep the suite quick."""
    parts = np.array_split(data, n_jobs * 4)
    return np.concatenate(Parallel(n_jobs=n_jobs)(delayed(_loop)(p) for p in parts))


def dataset_digest(path, dataset: str) -> str:
    """SHA-256 of a dataset's values and attribute names: proof that it was not modified."""
    h = hashlib.sha256()
    with h5py.File(path, "r", locking=False) as f:
        d = f[dataset]
        h.update(np.ascontiguousarray(d[()]).tobytes())
        h.update(repr(sorted(d.attrs.keys())).encode())
    return h.hexdigest()


def file_digest(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


@contextlib.contextmanager
def read_only(*paths):
    """Make files or folders unwritable even for root (chmod, plus chattr +i when root)."""
    paths = [Path(p) for p in paths]
    root = os.geteuid() == 0
    modes = {p: p.stat().st_mode for p in paths}
    for p in paths:
        os.chmod(p, 0o555 if p.is_dir() else 0o444)
        if root:
            r = subprocess.run(["chattr", "+i", str(p)], capture_output=True)
            if r.returncode != 0:
                pytest.skip("cannot make files read-only for root here (no chattr)")
    try:
        yield
    finally:
        for p in reversed(paths):
            if root:
                subprocess.run(["chattr", "-i", str(p)], capture_output=True)
            os.chmod(p, modes[p])


def peak_run(source, params=None, **options):
    """The peak-finding analysis run on a source, with PeakParams or a dict (or defaults)."""
    from peakgui.core.run.engine import AnalysisRun

    values = params.as_dict() if hasattr(params, "as_dict") else params
    return AnalysisRun(source, "peak_finding", values, **options)


def completed_count(path, group: str) -> int:
    """Positions marked complete in a results group, read while a run may be writing it."""
    from peakgui.core.io.results import COMPLETED

    try:
        with h5py.File(path, "r", locking=False) as f:
            return int(f[group][COMPLETED][()].sum())
    except (OSError, KeyError):
        return 0


def kill_after(args: list, path, group: str, positions: int, env=None,
               timeout: float = 120) -> int:
    """Start ``peakgui-batch ARGS``, SIGKILL it once ``positions`` are complete, and return how
    many were complete after the kill."""
    import signal
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-m", "peakgui.cli", *map(str, args)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    while completed_count(path, group) < positions and time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return completed_count(path, group)


def install_distribution(folder: Path, module: str, source: str, entry: str) -> Path:
    """Write ``module`` (its ``source``) into ``folder`` as pip would install a distribution
    declaring ``entry = module:ANALYSIS`` in the ``peakgui.analyses`` group; return folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{module}.py").write_text(source)
    dist = module.replace("_", "-")
    info = folder / f"{module}-1.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[peakgui.analyses]\n{entry} = {module}:ANALYSIS\n")
    return folder


def env_with(*folders: Path) -> dict:
    """This environment with ``folders`` (installed plugins) and the repository on the path."""
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([*map(str, folders), str(root),
                                         env.get("PYTHONPATH", "")])
    return env


def cli(env: dict | None, *args, check: bool = True) -> subprocess.CompletedProcess:
    """``peakgui-batch ARGS`` in a fresh Python; asserts exit 0 unless ``check`` is False."""
    import sys

    proc = subprocess.run([sys.executable, "-m", "peakgui.cli", *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def copy_file(source, target: Path) -> Path:
    """A copy of ``source`` at ``target`` (a test's own file to change)."""
    import shutil

    shutil.copy(source, target)
    return target
