"""How the GUI draws one analysis' pixel detail: the view that answers the highest priority.

Candidates are PeakGUI's own views, every class registered in the ``peakgui.views`` entry-point
group by an installed package, and the class an analysis names itself (``Analysis.view``,
``"package.module:Class"``). Each answers :meth:`AnalysisView.priority` for the analysis (as
silx's data views answer ``getDataPriority``); the generic :class:`AnalysisView` (the spectrum and
a readout of the declared fields) answers for any analysis, so a lab's plugin always gets one.
"""

from __future__ import annotations

import importlib
import logging
from importlib.metadata import entry_points

from ...core.analyses.declaration import Analysis
from .generic import DECLARED, GENERIC, NOT_APPLICABLE, SPECIFIC, AnalysisView, view_path
from .loop_fit import LoopFitView
from .peak_finding import PeakFindingView
from .sho import SHOView

GROUP = "peakgui.views"
BUILT_IN: tuple[type[AnalysisView], ...] = (PeakFindingView, SHOView, LoopFitView)

log = logging.getLogger(__name__)

__all__ = ["DECLARED", "GENERIC", "GROUP", "NOT_APPLICABLE", "SPECIFIC", "AnalysisView",
           "load_view", "view_for", "view_path"]


def load_view(path: str) -> type[AnalysisView] | None:
    """The view class named ``package.module:Class`` (None, and a log line, if it is not one)."""
    module_name, _, attr = path.partition(":")
    try:
        obj = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError) as exc:
        log.warning("view %s could not be loaded: %s", path, exc)
        return None
    if not (isinstance(obj, type) and issubclass(obj, AnalysisView)):
        log.warning("view %s is not an AnalysisView", path)
        return None
    return obj


def registered_views() -> list[type[AnalysisView]]:
    """Views installed packages register in the ``peakgui.views`` entry-point group."""
    found = []
    for ep in entry_points(group=GROUP):
        cls = load_view(ep.value)
        if cls is not None:
            found.append(cls)
    return found


def candidates(analysis: Analysis) -> list[type[AnalysisView]]:
    """Every view that may draw ``analysis``: the declared one first, the generic one last."""
    declared = load_view(analysis.view) if analysis.view else None
    out = [declared] if declared is not None else []
    for cls in (*registered_views(), *BUILT_IN, AnalysisView):
        if cls not in out:
            out.append(cls)
    return out


def view_for(analysis: Analysis) -> AnalysisView:
    """An instance of the view with the highest priority for ``analysis`` (first on a tie)."""
    ranked = [(cls.priority(analysis), -i, cls) for i, cls in enumerate(candidates(analysis))]
    _, _, best = max(ranked, key=lambda r: (r[0], r[1]))
    return best(analysis)
