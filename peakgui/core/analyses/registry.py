"""Finding analyses: the ``peakgui.analyses`` entry-point group, plus in-process registrations.

Any installed distribution can add an analysis by declaring, in its ``pyproject.toml``::

    [project.entry-points."peakgui.analyses"]
    band_mean = "my_lab_analyses.band_mean:ANALYSIS"

where ``ANALYSIS`` is an :class:`~peakgui.core.analyses.declaration.Analysis`. PeakGUI's own
analyses are registered the same way, so they follow the same path as a lab's.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

from peakgui.core.analyses.declaration import Analysis

GROUP = "peakgui.analyses"
DEFAULT = "peak_finding"

_log = logging.getLogger(__name__)
_registered: dict[str, Analysis] = {}
_loaded: dict[str, Analysis] | None = None
_broken: dict[str, str] = {}


def register(analysis: Analysis) -> None:
    """Make an analysis available in this process (for scripts and tests)."""
    _registered[analysis.name] = analysis


def _discover() -> dict[str, Analysis]:
    global _loaded
    if _loaded is None:
        found: dict[str, Analysis] = {}
        for ep in entry_points(group=GROUP):
            try:
                obj = ep.load()
            except Exception as exc:  # noqa: BLE001 - a broken plugin must not stop PeakGUI
                _broken[ep.name] = f"{type(exc).__name__}: {exc}"
                _log.warning("analysis plugin %s could not be loaded: %s", ep.name, exc)
                continue
            if not isinstance(obj, Analysis):
                _broken[ep.name] = f"{ep.value} is not an Analysis declaration"
                continue
            found.setdefault(obj.name, obj)
        _loaded = found
    return _loaded


def available() -> dict[str, Analysis]:
    """Every analysis by name: installed plugins first, in-process registrations over them;
    PeakGUI's default first."""
    merged = {**_discover(), **_registered}
    order = sorted(merged, key=lambda n: (n != DEFAULT, n))
    return {n: merged[n] for n in order}


def broken() -> dict[str, str]:
    """Plugins that failed to load, with the reason (shown by ``--list-analyses``)."""
    _discover()
    return dict(_broken)


def get(name: str | None = None) -> Analysis:
    """The analysis called ``name`` (default: peak finding), or ValueError listing the known."""
    name = name or DEFAULT
    found = available()
    if name not in found:
        why = f" ({_broken[name]})" if name in _broken else ""
        raise ValueError(f"no analysis called {name!r}{why}; available: {', '.join(found)}")
    return found[name]
