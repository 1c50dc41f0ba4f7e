"""Which file a run writes its results into, and why there."""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from pathlib import Path

from peakgui.core.errors import OutputError
from peakgui.core.io.h5access import is_writable, lock_holder_text, may_access
from peakgui.core.io.results import sidecar_path


class TargetReason(enum.Enum):
    """Why the results go where they go: callers decide on this, people read ``text``."""

    AS_ASKED = "as asked"  # an explicit output file
    BESIDE_SOURCE = "beside the source dataset"
    READ_ONLY = "read-only"  # the source cannot be written: its sidecar
    LOCKED = "locked"  # another program holds the source open for writing: its sidecar


@dataclass(frozen=True)
class ResultsTarget:
    """Which file a run writes into, why there, and that reason in words."""

    file: Path
    separate: bool  # not the source file (sidecar or --output)
    reason: TargetReason
    text: str


def results_target(source_file: Path, output: Path | None) -> ResultsTarget:
    """The source file when it can be written, else its sidecar (or the explicit output);
    OutputError when neither can be written."""
    if output is not None:
        return ResultsTarget(output, True, TargetReason.AS_ASKED, TargetReason.AS_ASKED.value)
    if is_writable(source_file):
        return ResultsTarget(source_file, False, TargetReason.BESIDE_SOURCE,
                             TargetReason.BESIDE_SOURCE.value)
    side = sidecar_path(source_file)
    if not can_write(source_file):
        reason, why = TargetReason.READ_ONLY, "read-only"
    else:
        reason, why = TargetReason.LOCKED, f"locked by {lock_holder_text(source_file)}"
    if side.exists() and not is_writable(side):
        raise OutputError(f"{source_file} is {why}, and its sidecar {side} cannot be written "
                          "either")
    if not side.exists() and not can_write(side.parent):
        raise OutputError(f"{source_file} is {why}, and {side.parent} is not writable for a "
                          "sidecar file: choose an output file")
    return ResultsTarget(side, True, reason, f"the source file is {why}")


def can_write(path: Path) -> bool:
    return may_access(path, os.W_OK)
