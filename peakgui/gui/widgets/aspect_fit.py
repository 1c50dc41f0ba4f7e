"""A map's view kept at the image's aspect ratio, the whole image in view until the user zooms.

With both scan axes in the same units a pixel is drawn square; the view box then takes the
image's aspect ratio and the plot's spare width or height becomes margins, so the axes hug the
image and no blank band is drawn inside them.
"""

from __future__ import annotations

import pyqtgraph as pg

from .map_grid import MapGrid


class AspectFit:
    """Fits one plot's view box to a grid's image whenever the grid or the plot's size changes."""

    def __init__(self, plot: pg.PlotItem):
        self._plot = plot
        self._grid: MapGrid | None = None
        self._pad = (0.0, 0.0)  # the plot's margins that give the view the image's aspect ratio
        self._fitting = False
        self._zoomed = False  # the user zoomed or panned the map: a resize keeps that view
        box = plot.getViewBox()
        box.sigResized.connect(lambda *_: self.fit())
        box.sigRangeChangedManually.connect(self._on_view_zoomed)

    def set_grid(self, grid: MapGrid) -> None:
        self._grid = grid
        self._plot.setAspectLocked(self.locked(), ratio=1.0)
        self._zoomed = False
        self.fit()

    def locked(self) -> bool:
        """Square pixels in the scan's units when both axes share them."""
        return self._grid is not None and self._grid.x_units == self._grid.y_units

    def fit(self) -> None:
        """Size the view to the image's aspect ratio (margins take the rest) and show it all."""
        g = self._grid
        if g is None or self._fitting:
            return
        self._fitting = True
        try:
            if self._fit_margins():
                self._plot.layout.activate()  # the view's new size now, not on the next event
            if not self._zoomed:
                self._plot.getViewBox().setRange(rect=g.rect(), padding=0.0)
        finally:
            self._fitting = False
        self._zoomed = False

    def view_all(self) -> None:
        """Forget the user's zoom and show the whole image again."""
        self._zoomed = False
        self.fit()

    def _fit_margins(self) -> bool:
        """The margins that give the view box the image's aspect ratio (True: they changed)."""
        g, vb = self._grid, self._plot.getViewBox()
        pw, ph = self._pad
        width, height = vb.width() + 2 * pw, vb.height() + 2 * ph
        pad = (0.0, 0.0)
        if g is not None and self.locked() and width > 0 and height > 0:
            r = g.rect().normalized()
            aspect = r.width() / r.height() if r.height() > 0 else 1.0
            if width / height > aspect:
                pad = ((width - height * aspect) / 2, 0.0)
            else:
                pad = (0.0, (height - width / aspect) / 2)
        if abs(pad[0] - pw) > 0.5 or abs(pad[1] - ph) > 0.5:
            self._pad = pad
            self._plot.layout.setContentsMargins(1 + pad[0], 1 + pad[1], 1 + pad[0],
                                                 1 + pad[1])
            return True
        return False

    def _on_view_zoomed(self, *_) -> None:
        self._zoomed = True
