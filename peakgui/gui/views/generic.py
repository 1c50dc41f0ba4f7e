"""The view every analysis gets: no overlay, a readout of its values from the declaration."""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import pyqtgraph as pg

from ...core.analyses.declaration import Analysis, FieldKind, PixelDetail, ResultField
from ..formatting import format_value

NOT_APPLICABLE = -1
"""A view's priority for an analysis it cannot draw."""
GENERIC = 0
"""The fallback every analysis gets: the spectrum and a readout of the declared fields."""
SPECIFIC = 10
"""A view written for this analysis (PeakGUI's own, or one a package registers)."""
DECLARED = 100
"""The view the analysis names itself (``Analysis.view``): its author's choice wins."""


def view_path(cls: type) -> str:
    """``package.module:Class``, as ``Analysis.view`` and entry points name a view."""
    return f"{cls.__module__}:{cls.__qualname__}"


def value_text(value: float, fld: ResultField) -> str:
    """A result value by the units rule: whole numbers for counts and status codes."""
    return format_value(value, fld.units,
                        integer=fld.kind in (FieldKind.COUNT, FieldKind.STATUS))


class AnalysisView:
    """Draws an analysis' :class:`PixelDetail` over the spectrum; subclasses add overlays.

    ``attach`` is called once with the spectrum plot, ``draw`` on every new detail (``x`` and
    ``y`` are the points drawn: the spectral axis and |x| or the phase), ``detach`` when another
    analysis is chosen. Items a subclass adds to ``plot`` must be removed in ``detach``.
    """

    bad_label = "masked"
    """What a pixel the analysis declares bad is, after 'N pixels': '12 pixels masked'."""

    analyses: tuple[str, ...] = ()
    """Names of the analyses this view is written for (it answers ``SPECIFIC`` for them)."""

    @classmethod
    def priority(cls, analysis: Analysis) -> int:
        """How well this view draws ``analysis`` (the highest answer is used, as silx's
        ``DataView.getDataPriority``): the class the analysis names gets ``DECLARED``, a view
        listing the analysis in ``analyses`` ``SPECIFIC``, the base class ``GENERIC``."""
        if analysis.view and analysis.view == view_path(cls):
            return DECLARED
        if analysis.name in cls.analyses:
            return SPECIFIC
        return GENERIC if cls is AnalysisView else NOT_APPLICABLE

    def __init__(self, analysis: Analysis):
        self.analysis = analysis
        self._items: list[pg.GraphicsObject] = []
        self._plot: pg.PlotItem | None = None

    def attach(self, plot: pg.PlotItem, legend: pg.LegendItem | None) -> None:
        self._plot = plot

    def detach(self) -> None:
        if self._plot is not None:
            for item in self._items:
                self._plot.removeItem(item)
        self._items = []
        self._plot = None

    def add_item(self, item: pg.GraphicsObject, legend: pg.LegendItem | None = None,
                 name: str = "") -> pg.GraphicsObject:
        """Add an overlay item to the plot (removed again by ``detach``)."""
        assert self._plot is not None
        self._plot.addItem(item)
        self._items.append(item)
        if legend is not None and name:
            legend.addItem(item, name)
        return item

    def draw(self, detail: PixelDetail | None, x: np.ndarray, y: np.ndarray,
             phase: bool) -> None:
        """Overlay the detail on the spectrum (None: clear the overlays)."""

    def panel(self) -> Any:
        """A widget of the view's own that the window docks beside the spectrum (a QWidget;
        None: the overlay on the spectrum is all it draws)."""
        return None

    def readout(self, detail: PixelDetail, fields: list[ResultField]) -> str:
        """One line of rich text: every result value, then the analysis' notes."""
        parts = []
        for fld in fields:
            if fld.name in detail.values:
                parts.append(f"<b>{html.escape(fld.label)}</b> "
                             f"{html.escape(value_text(detail.values[fld.name], fld))}")
        parts += [html.escape(n) for n in detail.notes]
        return " · ".join(parts) or " "

    def main_field(self, names: list[str]) -> str | None:
        """The map shown first when results arrive (default: the first field)."""
        return names[0] if names else None

    def loop_fields(self, fields: list[ResultField]) -> list[ResultField]:
        """The fields the loop plot draws against a remaining spectroscopic dimension."""
        values = [f for f in fields if f.kind is FieldKind.VALUE]
        return (values or fields)[:2]
