"""The line profile: the shown map's values along a segment, against distance in scan units."""

from __future__ import annotations

import numpy as np
import pytest

from peakgui.gui.widgets.map_grid import MapGrid
from peakgui.gui.widgets.profile import distance_units, sample_profile
from tests.gui.helpers import open_and_wait


def test_profile_along_a_row_reads_that_row_with_distances_in_scan_units():
    g = MapGrid(3, 5, 10.0, 2.0, "X", "nm", 0.0, 2.0, "Y", "nm",
                10.0 + 2.0 * np.arange(5), 2.0 * np.arange(3))
    img = np.arange(15, dtype=float).reshape(3, 5)
    d, v = sample_profile(img, g, (10.0, 2.0), (18.0, 2.0))  # row 1, col 0 -> col 4
    assert d[0] == 0 and d[-1] == pytest.approx(8.0)  # nm
    assert set(v) == {5.0, 6.0, 7.0, 8.0, 9.0}
    assert np.all(np.diff(v) >= 0)
    # beyond the map: NaN, not a clamped edge value
    d, v = sample_profile(img, g, (10.0, 2.0), (30.0, 2.0))
    assert np.isnan(v[-1])


def test_axes_without_a_common_unit_measure_pixels():
    g = MapGrid(3, 5, 0.0, 1.0, "X", "V", 0.0, 1.0, "Y", "s", np.arange(5.0), np.arange(3.0))
    assert distance_units(g) == "pixel"
    d, _ = sample_profile(np.zeros((3, 5)), g, (0.0, 0.0), (3.0, 4.0))
    assert d[-1] == pytest.approx(5.0)


def test_profile_on_the_window_map(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    tools = w.map_tools.profile
    w.attributes_dock.raise_()
    assert tools.add()
    assert not w.tools_dock.visibleRegion().isEmpty()  # the dock came forward
    g = w.map_view.grid()
    row = 7
    y = g.y0 + row * g.dy
    tools.profile.create(g, (g.x0, y), (g.x0 + (g.cols - 1) * g.dx, y))
    tools.update()
    d, v = tools.profile.data()
    img = w.map_view.image()
    assert set(np.round(v, 12)) == set(np.round(img[row], 12))
    assert d[-1] == pytest.approx(abs(g.dx) * (g.cols - 1))
    axis = tools.profile.widget.getPlotItem().getAxis("bottom")
    assert axis.labelUnits == g.x_units == "m"
    assert tools.profile.widget.getPlotItem().getAxis("left").labelUnits == w.map_view.units()
    tools.remove()
    assert tools.profile.roi is None and tools.profile.data()[0].size == 0
