"""Which files a run over many inputs means: shared by ``peakgui-batch`` and the window's
Run on files (neither program imports the other)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from peakgui.core.errors import InputError

SIDECAR_SUFFIX = ".peakgui.h5"
"""PeakGUI's own results files beside a read-only source: never inputs themselves."""


def folder_inputs(folder: Path) -> list[Path]:
    """A folder's ``*.h5`` files, sorted, PeakGUI sidecars left out (not recursive)."""
    return sorted(p for p in Path(folder).glob("*.h5")
                  if p.is_file() and not p.name.endswith(SIDECAR_SUFFIX))


def expand_inputs(items: Sequence[str | Path]) -> list[Path]:
    """Files as given, folders as their ``*.h5`` files (sorted; PeakGUI sidecars left out),
    each file once. A folder without any is an InputError."""
    out: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            found = folder_inputs(path)
            if not found:
                raise InputError(f"{path}: is a directory with no .h5 file in it")
            out += found
        else:
            out.append(path)
    seen: set[Path] = set()
    unique = []
    for p in out:
        if p.resolve() not in seen:
            seen.add(p.resolve())
            unique.append(p)
    return unique
