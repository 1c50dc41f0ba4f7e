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


CYCLIC = "CET-C2"
"""The colormap angles are drawn with unless the user picks another: -π and +π meet."""

MASK_CANDIDATES = (("grey", (150, 150, 150, 255)), ("magenta", (255, 0, 255, 255)),
                   ("green", (0, 200, 0, 255)), ("black", (0, 0, 0, 255)))
"""Colours masked pixels may take, named for the map's title. White is not among them: it is
the background that pixels not computed yet leave."""
BACKGROUND = (255, 255, 255)


def to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB bytes (..., 3) to CIELAB (D65): distances there follow what the eye tells apart."""
    c = np.asarray(rgb, dtype=np.float64)[..., :3] / 255.0
    c = np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                  [0.0193, 0.1192, 0.9505]])
    xyz = c @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]),
                     200 * (f[..., 1] - f[..., 2])], axis=-1)


def colormap_table(name: str) -> np.ndarray:
    """The (256, 3) RGB bytes a colormap draws with (viridis if unknown)."""
    return np.asarray(gradient_colormap(name).map(np.linspace(0.0, 1.0, 256),
                                                  mode="byte"))[:, :3]


def colour_distance(rgba: tuple[int, ...], name: str) -> float:
    """The CIELAB distance from a colour to the nearest colour of a colormap or the background."""
    table = np.vstack([colormap_table(name), BACKGROUND])
    return float(np.min(np.linalg.norm(to_lab(table) - to_lab(np.asarray(rgba[:3])), axis=1)))


_MASK_CACHE: dict[str, tuple[tuple[int, int, int, int], str]] = {}


def mask_colour(name: str) -> tuple[tuple[int, int, int, int], str]:
    """The RGBA of masked pixels on this colormap and its name for titles: of the candidates,
    the one farthest from every colour the colormap draws (a flat grey vanishes among
    viridis' and cividis' middle tones)."""
    if name not in _MASK_CACHE:
        best = max(MASK_CANDIDATES, key=lambda c: colour_distance(c[1], name))
        _MASK_CACHE[name] = (best[1], best[0])
    return _MASK_CACHE[name]


CATEGORY_COLOURS = ("#009e73", "#f0e442", "#e69f00", "#cc79a7", "#56b4e9", "#0072b2",
                    "#d55e00", "#999999", "#000000", "#882255")
"""A qualitative palette (Okabe and Ito's, then two more): one colour per status code."""


def category_colours(codes: tuple[int, ...]) -> dict[int, str]:
    """The colour of each code, in the declared order."""
    return {c: CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i, c in enumerate(codes)}


def categorical_colormap(codes: tuple[int, ...]) -> tuple[pg.ColorMap, tuple[float, float]]:
    """A colormap that gives each code its flat colour, and the levels it needs (each code
    sits in the middle of its own band, so no two codes share a colour)."""
    ordered = sorted(codes)
    colours = category_colours(tuple(codes))
    lo, hi = ordered[0] - 0.5, ordered[-1] + 0.5
    stops, rgb = [], []
    for i, c in enumerate(ordered):
        q = pg.mkColor(colours[c])
        for edge in (c - 0.5 + 1e-6, c + 0.5 - 1e-6):
            stops.append((edge - lo) / (hi - lo))
            rgb.append((q.red(), q.green(), q.blue(), 255))
        if i + 1 < len(ordered) and ordered[i + 1] > c + 1:  # no code there: a pale gap
            for edge in (c + 0.5, ordered[i + 1] - 0.5):
                stops.append((edge - lo) / (hi - lo))
                rgb.append((235, 235, 235, 255))
    return pg.ColorMap(np.asarray(stops), np.asarray(rgb, dtype=np.ubyte),
                       name="categories"), (lo, hi)
