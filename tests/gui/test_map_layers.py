"""The domain-free MapView and the MapLayers presenter that owns the layers."""

from __future__ import annotations

import numpy as np

from peakgui.core.io.source import SpectralSource
from peakgui.gui.map_grid import MapGrid, auto_levels
from peakgui.gui.map_layers import NAVIGATOR_BIN, NAVIGATOR_MEAN, MapLayers
from peakgui.gui.map_view import MapView


def make(qtbot, small_file):
    view = MapView()
    qtbot.addWidget(view)
    layers = MapLayers(view)
    lay = SpectralSource.open(small_file).layout
    view.set_grid(MapGrid.from_layout(lay))
    return view, layers, lay


def test_the_view_shows_an_image_with_title_units_and_integer_readout(qtbot, small_file):
    view, _, lay = make(qtbot, small_file)
    img = np.arange(lay.n_positions, dtype=np.float64).reshape(lay.grid_shape) % 7
    view.set_image(img, "Peaks · group", "", integer=True)
    assert view.title_text() == "Peaks · group" and view.image() is img
    view.set_marker(2, 3)
    assert view.readout().text().endswith(f"Peaks = {int(img[2, 3])}")
    view.set_image(img * 1e-3, "Amplitude", "V", levels=(0.0, 0.002))
    assert view.readout().text().endswith("mV")
    assert tuple(view.histogram().getLevels()) == (0.0, 0.002) or view.auto_levels_check(
    ).isChecked()
    view.set_image(None, "Nothing yet")
    assert "not computed yet" in view.title_text()


def test_result_layers_come_and_go_and_keep_their_images(qtbot, small_file):
    view, layers, lay = make(qtbot, small_file)
    assert layers.keys() == [NAVIGATOR_MEAN, NAVIGATOR_BIN]
    layers.set_result_layers([("A", "Alpha", False), ("N", "Count", True)])
    a = np.ones(lay.grid_shape)
    layers.set_layer("A", a, "Alpha · run", "V")
    layers.show("A")
    assert layers.current() == "A" and view.image() is a and view.units() == "V"
    assert layers.layer("N").integer
    # the same fields again (a new group of the same analysis): images kept until replaced
    layers.set_result_layers([("A", "Alpha", False), ("N", "Count", True)])
    assert layers.image("A") is a and layers.current() == "A"
    # another analysis: its layers replace them; the shown one falls back to the navigator
    with qtbot.waitSignal(layers.sigLayerChanged, timeout=1_000):
        layers.set_result_layers([("B", "Beta", False)])
    assert layers.result_keys() == ["B"] and layers.current() == NAVIGATOR_MEAN


def test_levels_set_by_hand_stay_with_their_layer(qtbot, small_file):
    view, layers, lay = make(qtbot, small_file)
    img = np.linspace(0, 1, lay.n_positions).reshape(lay.grid_shape)
    layers.set_layer(NAVIGATOR_MEAN, img, "Mean", "V")
    view.histogram().setLevels(0.2, 0.4)
    view.histogram().sigLevelChangeFinished.emit(view.histogram())
    assert layers.layer(NAVIGATOR_MEAN).levels == (0.2, 0.4)
    assert not view.auto_levels_check().isChecked()
    view.auto_levels_check().setChecked(True)
    assert layers.layer(NAVIGATOR_MEAN).levels is None


def test_auto_levels_ignore_outliers_and_nan():
    img = np.r_[np.linspace(0, 1, 1000), [1e6, np.nan]]
    lo, hi = auto_levels(img)
    assert 0 <= lo < 0.01 and 0.99 < hi < 2
