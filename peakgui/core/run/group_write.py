"""Writing a results group so that a kill or a full disk never leaves a lie in it.

Results are written and flushed before the positions are marked complete; the group's closing
stamps are best effort; a results file moved away under a run stops it.
"""

from __future__ import annotations

import os
from pathlib import Path

import h5py
import numpy as np

from peakgui.core.analyses.declaration import ResultField
from peakgui.core.errors import OutputError
from peakgui.core.io.h5access import OPEN_LOCK, RunLock
from peakgui.core.io.results import COMPLETED, timestamp, write_values


def write_chunk(grp: h5py.Group, fields: list[ResultField], a: int, b: int,
                 values: dict[str, np.ndarray]) -> None:
    """Results first, flushed, then the completion marks, flushed: a kill between the two
    leaves positions unmarked (recomputed later), never marked without their results."""
    try:
        write_values(grp, fields, a, b, values)
        grp.file.flush()
        grp[COMPLETED][a:b] = 1
        grp.file.flush()
    except (OSError, RuntimeError) as exc:
        raise write_error(Path(grp.file.filename), exc) from None


def write_error(path: Path, exc: Exception) -> OutputError:
    reason = getattr(exc, "strerror", None) or str(exc)
    low = str(exc).lower()
    if "too large" in low or "no space" in low or "quota" in low:
        reason = "the disk is full or the file size limit was reached"
    return OutputError(f"{path}: writing results failed ({reason}); finished chunks are kept")


def close_run(f: h5py.File, grp: h5py.Group | None, lock: RunLock) -> None:
    """Stamp the group's attributes and close, whatever happened. A failure here (a full disk)
    is ignored on purpose: every finished chunk was already flushed with its marks."""
    try:
        if grp is not None and f.id.valid:
            _finish_attrs(grp)
            f.flush()
    except (OSError, RuntimeError, ValueError):
        pass
    finally:
        with OPEN_LOCK:
            try:
                f.close()
            except (OSError, RuntimeError):
                pass
        lock.release()


def _finish_attrs(grp: h5py.Group) -> None:
    completed = grp[COMPLETED][()].astype(bool)
    grp.attrs["timestamp_last_update"] = timestamp()
    first_missing = np.flatnonzero(~completed)
    grp.attrs["last_pixel"] = int(first_missing[0]) if first_missing.size else len(completed)
    if completed.all() and not grp.attrs.get("timestamp_end"):
        grp.attrs["timestamp_end"] = timestamp()


def file_identity(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_dev, st.st_ino


def check_identity(path: Path, identity: tuple[int, int]) -> None:
    """Stop when the file was moved or deleted under a run: results would go nowhere."""
    try:
        same = file_identity(path) == identity
    except OSError:
        same = False
    if not same:
        raise OutputError(f"{path} was moved or deleted during the run; stopped "
                          "(finished chunks are in the moved file, if it still exists)")


def missing_ranges(completed: np.ndarray) -> list[tuple[int, int]]:
    """Contiguous [start, stop) runs of positions not yet completed."""
    edges = np.diff(np.concatenate([[0], (~completed).astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1)
    return list(zip(starts.tolist(), stops.tolist()))
