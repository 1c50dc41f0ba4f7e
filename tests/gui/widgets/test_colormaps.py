"""Colours the maps draw with: the mask's is far from every colour of every shipped colormap
(and from the white of pixels not computed yet); status codes get one flat colour each."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from peakgui.core.analyses.sho.status import CODES
from peakgui.gui.widgets.colormaps import (
    COLORMAPS,
    CYCLIC,
    DIVERGING,
    categorical_colormap,
    category_colours,
    colour_distance,
    mask_colour,
)

MIN_DISTANCE = 40.0  # CIELAB ΔE: two colours no one confuses side by side


def test_the_mask_colour_is_far_from_every_colour_of_every_colormap():
    for _label, name in COLORMAPS:
        rgba, word = mask_colour(name)
        assert colour_distance(rgba, name) >= MIN_DISTANCE, (name, word)
        assert word and rgba[3] == 255


def test_the_old_flat_grey_was_not_far_enough_where_it_was_used():
    # viridis and cividis have mid tones next to mid-grey: why the colour is chosen per colormap
    for name in ("viridis", "cividis"):
        assert colour_distance((150, 150, 150, 255), name) < MIN_DISTANCE


def test_a_cyclic_colormap_is_shipped_and_its_ends_meet():
    assert CYCLIC in dict((n, lb) for lb, n in COLORMAPS) and CYCLIC in DIVERGING
    lut = pg.colormap.get(CYCLIC).map(np.array([0.0, 1.0]), mode="byte")
    assert np.abs(lut[0].astype(int) - lut[1].astype(int)).max() <= 2


def test_each_status_code_gets_its_own_flat_colour():
    codes = tuple(c for c, _ in CODES)
    cmap, (lo, hi) = categorical_colormap(codes)
    colours = category_colours(codes)
    assert len(set(colours.values())) == len(codes)
    # what an image item draws: the value's place between the levels, on a 256-entry table
    lut = cmap.map(np.linspace(0.0, 1.0, 256), mode="byte")
    for code in codes:
        idx = int(np.clip((code - lo) / (hi - lo) * 256, 0, 255))
        want = pg.mkColor(colours[code])
        assert tuple(int(v) for v in lut[idx][:3]) == (want.red(), want.green(), want.blue())
