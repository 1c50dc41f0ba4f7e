"""How the GUI draws one analysis' pixel detail: a small view module per analysis, if it has one.

``peakgui/gui/views/<name>.py`` may define ``VIEW``, a subclass of :class:`AnalysisView` that
draws overlays on the spectrum plot (peaks found, a fitted curve...). An analysis without such a
module (a lab's plugin, say) gets :class:`AnalysisView` itself: the spectrum and a readout of its
values, which needs nothing but the declaration.
"""

from __future__ import annotations

import importlib
import logging

from ...core.analyses.declaration import Analysis
from .generic import AnalysisView

log = logging.getLogger(__name__)

__all__ = ["AnalysisView", "view_for"]


def view_for(analysis: Analysis) -> AnalysisView:
    """The analysis' own view if ``peakgui.gui.views.<name>`` exists, else the generic one."""
    try:
        module = importlib.import_module(f"{__name__}.{analysis.name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{analysis.name}":
            log.warning("the view module of %s failed to import: %s", analysis.name, exc)
        return AnalysisView(analysis)
    view_class = getattr(module, "VIEW", AnalysisView)
    return view_class(analysis)
