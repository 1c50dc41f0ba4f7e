"""The colormaps the map offers: sequential ones, and diverging/cyclic ones centred on zero."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

COLORMAPS = (("viridis", "viridis"), ("inferno", "inferno"), ("magma", "magma"),
             ("plasma", "plasma"), ("cividis", "cividis"), ("turbo", "turbo"),
             ("gray", "CET-L1"), ("diverging", "CET-D1A"), ("diverging 2", "CET-D4"),
             ("cyclic", "CET-C2"))
"""(label, pyqtgraph name) of each offered colormap."""
DIVERGING = frozenset({"CET-D1A", "CET-D4", "CET-C2"})
"""Colormaps centred on zero: their automatic levels are symmetric for signed data and angles."""


def gradient_colormap(name: str) -> pg.ColorMap:
    """A colormap by name (viridis if unknown) with 16 stops: a bundled map has 256, which the
    histogram's gradient editor would draw as 256 ticks on every repaint (tens of ms)."""
    try:
        cmap = pg.colormap.get(name)
    except (FileNotFoundError, KeyError, ValueError):
        cmap = pg.colormap.get("viridis")
    stops = np.linspace(0.0, 1.0, 16)
    return pg.ColorMap(stops, cmap.map(stops, mode="byte"), name=name)
