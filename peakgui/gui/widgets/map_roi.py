"""One shape the user drags on the map (a region, a profile's line): placed, watched, removed."""

from __future__ import annotations

import pyqtgraph as pg
from PyQt5.QtCore import QObject, pyqtSignal


class MapRoi(QObject):
    """Holds at most one pyqtgraph ROI on the map's plot and says when the user changed it."""

    sigChanged = pyqtSignal()
    """The shape was drawn, moved or reshaped (after the mouse is released)."""

    def __init__(self, plot: pg.PlotItem, z: float, parent: QObject | None = None):
        super().__init__(parent)
        self._plot = plot
        self._z = z  # over the map and the mask, under nothing the user drags
        self.roi: pg.ROI | None = None

    def _place(self, roi: pg.ROI) -> None:
        """Put ``roi`` on the map in place of the old one."""
        self.remove()
        roi.setZValue(self._z)
        self._plot.addItem(roi)
        roi.sigRegionChangeFinished.connect(self._on_roi_change_finished)
        self.roi = roi

    def remove(self) -> None:
        if self.roi is not None:
            self._plot.removeItem(self.roi)
            self.roi = None

    def _on_roi_change_finished(self, *_) -> None:
        self.sigChanged.emit()
