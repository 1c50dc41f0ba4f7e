"""Build stamp of the frozen bundle: version, commit and a digest of what it was built from.

The spec writes it into the bundle as ``_internal/build-info.json``; the frozen tests compare the
digest with the working tree to tell a current bundle from a stale one, and the .deb and Windows
installer builders read the version from it.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "build-info.json"

INPUTS = ("peakgui/**/*.py", "peakgui/resources/*", "packaging/peakgui.spec",
          "packaging/entry_*.py", "pyproject.toml")
"""What the bundle is made of (besides the installed third-party packages)."""


def source_digest(root: Path = ROOT) -> str:
    """sha256 over the paths and contents of INPUTS (no __pycache__)."""
    h = hashlib.sha256()
    files = sorted({p for pattern in INPUTS for p in root.glob(pattern)
                    if p.is_file() and "__pycache__" not in p.parts})
    for p in files:
        h.update(p.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def git_commit(root: Path = ROOT) -> str:
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=10, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def build_info(version: str, root: Path = ROOT) -> dict:
    return {
        "name": "PeakGUI",
        "version": version,
        "commit": git_commit(root),
        "source_digest": source_digest(root),
        "built": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": sys.platform,
        "machine": platform.machine(),
    }


def write(path: Path, version: str, root: Path = ROOT) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(build_info(version, root), indent=2) + "\n")
    return path


def read(bundle: Path) -> dict:
    """The stamp of a built bundle folder (dist/peakgui or /opt/peakgui)."""
    for candidate in (bundle / "_internal" / NAME, bundle / NAME):
        if candidate.is_file():
            return json.loads(candidate.read_text())
    raise FileNotFoundError(f"{bundle}: no {NAME}; is this a PeakGUI bundle?")
