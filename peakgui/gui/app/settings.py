"""What PeakGUI remembers between sessions: window layout, recent files, last folder, the
analysis and each analysis' parameters.

Everything goes through one QSettings in INI format so tests can redirect it with
``QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, tmp)`` and never touch the user's
real settings.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from PyQt5.QtCore import QByteArray, QSettings

from ..panels.compute_target import ComputeTarget

ORGANISATION = "PeakGUI"
APPLICATION = "PeakGUI"
MAX_RECENT = 10


class Settings:
    """Typed access to the stored preferences."""

    def __init__(self, qsettings: QSettings | None = None):
        self._s = qsettings or QSettings(QSettings.IniFormat, QSettings.UserScope,
                                         ORGANISATION, APPLICATION)

    @property
    def qsettings(self) -> QSettings:
        return self._s

    def file_name(self) -> str:
        """Where the settings are stored (for the About dialog and bug reports)."""
        return self._s.fileName()

    # ---- recent files and folders ---------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self._s.value("recent_files", [])
        if isinstance(value, str):  # QSettings returns a lone entry as a plain string
            value = [value]
        return [str(v) for v in (value or []) if v]

    def add_recent_file(self, path: str | os.PathLike) -> None:
        p = str(Path(path).resolve())
        files = [f for f in self.recent_files() if f != p]
        self._s.setValue("recent_files", ([p] + files)[:MAX_RECENT])
        self.set_last_folder(Path(p).parent)

    def remove_recent_file(self, path: str) -> None:
        self._s.setValue("recent_files", [f for f in self.recent_files() if f != path])

    def clear_recent_files(self) -> None:
        self._s.setValue("recent_files", [])

    def last_folder(self) -> str:
        folder = str(self._s.value("last_folder", "") or "")
        return folder if folder and Path(folder).is_dir() else str(Path.home())

    def set_last_folder(self, folder: str | os.PathLike) -> None:
        self._s.setValue("last_folder", str(folder))

    # ---- window layout --------------------------------------------------------------------------
    def window_geometry(self) -> QByteArray | None:
        value = self._s.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def window_state(self, version: int = 0) -> QByteArray | None:
        """The docks' saved arrangement, None when it was saved by a layout of another
        ``version`` (docks elsewhere, other widths): restoring it would squeeze a column."""
        value = self._s.value("window/state")
        if _int(self._s.value("window/layout_version", 0)) != version:
            return None
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def save_window(self, geometry: QByteArray, state: QByteArray, version: int = 0) -> None:
        self._s.setValue("window/geometry", geometry)
        self._s.setValue("window/state", state)
        self._s.setValue("window/layout_version", int(version))

    # ---- analyses and their parameters ----------------------------------------------------------
    def analysis_name(self) -> str:
        """The analysis chosen last ('' when none was)."""
        return str(self._s.value("analysis/current", "") or "")

    def set_analysis_name(self, name: str) -> None:
        self._s.setValue("analysis/current", name)

    def analysis_params(self, name: str) -> dict[str, Any]:
        """The values last used with an analysis ({} when none are stored or they are
        unreadable; the panel checks them against the declaration)."""
        text = self._s.value(f"analysis/{name}/params", "")
        if not text and name == "peak_finding":
            text = self._s.value("peak/params", "")  # stored before analyses were plugins
        try:
            values = json.loads(text) if text else {}
        except (ValueError, TypeError):
            return {}
        return values if isinstance(values, dict) else {}

    def set_analysis_params(self, name: str, values: dict[str, Any]) -> None:
        self._s.setValue(f"analysis/{name}/params", json.dumps(values, default=str))

    def run_options(self) -> tuple[int, int]:
        """(jobs, memory cap in MB); 0 means automatic."""
        return (_int(self._s.value("run/jobs", 0)), _int(self._s.value("run/max_mem_mb", 0)))

    def set_run_options(self, jobs: int, max_mem_mb: int) -> None:
        self._s.setValue("run/jobs", int(jobs))
        self._s.setValue("run/max_mem_mb", int(max_mem_mb))

    def compute_target(self) -> ComputeTarget:
        """Where runs compute (this computer unless the user chose a Dask cluster)."""
        kind = str(self._s.value("run/worker_kind", "") or "")
        return ComputeTarget(str(self._s.value("run/compute_on", "local") or "local"),
                             str(self._s.value("run/scheduler", "") or ""),
                             max(1, _int(self._s.value("run/cluster_workers", 2))),
                             kind if kind in ("threads", "processes") else "")

    def set_compute_target(self, target: ComputeTarget) -> None:
        self._s.setValue("run/compute_on", target.mode)
        self._s.setValue("run/scheduler", target.address)
        self._s.setValue("run/cluster_workers", int(target.workers))
        self._s.setValue("run/worker_kind", target.worker_kind)

    def colormap(self) -> str:
        return str(self._s.value("map/colormap", "viridis") or "viridis")

    def set_colormap(self, name: str) -> None:
        self._s.setValue("map/colormap", name)

    def mask_shown(self) -> bool:
        """Whether maps blank the pixels the analysis flags as bad (default: yes)."""
        return str(self._s.value("map/mask", "true")).lower() not in ("false", "0")

    def set_mask_shown(self, shown: bool) -> None:
        self._s.setValue("map/mask", "true" if shown else "false")

    def mask_r2(self) -> float:
        """The R² below which fits are masked on the maps (default 0.9)."""
        try:
            value = float(self._s.value("map/mask_r2", 0.9))
        except (TypeError, ValueError):
            return 0.9
        return value if 0.0 <= value <= 1.0 else 0.9

    def set_mask_r2(self, value: float) -> None:
        self._s.setValue("map/mask_r2", float(value))

    def sync(self) -> None:
        self._s.sync()


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
