"""The MapLayers presenter: the navigator and result layers behind the domain-free MapView."""

from __future__ import annotations

import numpy as np

from peakgui.core.io.source import SpectralSource
from peakgui.gui.presenters.map_layers import NAVIGATOR_BIN, NAVIGATOR_MEAN, MapLayers
from peakgui.gui.widgets.map_grid import MapGrid
from peakgui.gui.widgets.map_view import MapView


def make(qtbot, small_file):
    view = MapView()
    qtbot.addWidget(view)
    layers = MapLayers(view)
    lay = SpectralSource.open(small_file).layout
    view.set_grid(MapGrid.from_layout(lay))
    return view, layers, lay


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


def test_any_analysis_declaring_derived_fields_and_a_mask_gets_them(qtbot, small_file):
    """Generic: a plugin's declaration is enough (no view module, no GUI code of its own)."""
    from dataclasses import replace

    from peakgui.core.analyses import registry
    from peakgui.core.analyses.declaration import DerivedField

    view, layers, lay = make(qtbot, small_file)
    twice = DerivedField("Twice", "twice A", "Twice", units=lambda ctx: "V",
                         compute=lambda v: 2 * v["A"], needs=("A",))
    plugin = replace(registry.get("peak_finding"), name="plugin", derived=(twice,),
                     bad=lambda v: v["N"] < 1, bad_needs=("N",))
    layers.set_analysis(plugin, None, "flagged")
    assert layers.mask_check().isVisibleTo(view)
    layers.set_result_layers([("A", "Alpha", False), ("N", "Count", True)])
    assert layers.derived_keys() == ["Twice"]
    a = np.arange(lay.n_positions, dtype=float).reshape(lay.grid_shape)
    n = np.ones(lay.grid_shape)
    n[0, :3] = 0
    n[1, 0] = np.nan  # not computed yet: never masked
    layers.set_layer("A", a, "Alpha · G_000", "V")
    layers.set_layer("N", n, "Count · G_000")
    layers.show("Twice")
    shown = view.image()
    assert np.isnan(shown[0, :3]).all()
    np.testing.assert_array_equal(shown[1:], 2 * a[1:])
    assert layers.mask_count() == 3
    assert "Twice" not in view.title_text() and view.title_text().startswith("twice A · G_000")
    assert "3 pixels flagged (magenta)" in view.title_text()  # viridis' mask colour
    layers.show("N")  # counts are not masked
    assert layers.mask_count() == 0 and view.image() is n
    layers.show("A")
    a[5, 5] = -1.0  # a live map changed in place: the composed image follows
    layers.refresh("A")
    qtbot.waitUntil(lambda: view.image()[5, 5] == -1.0, timeout=2_000)


def test_masked_pixels_take_each_colormaps_own_colour_named_in_the_title(qtbot, small_file):
    from dataclasses import replace

    from peakgui.core.analyses import registry
    from peakgui.gui.widgets.colormaps import COLORMAPS, mask_colour

    view, layers, lay = make(qtbot, small_file)
    plugin = replace(registry.get("peak_finding"), bad=lambda v: v["A"] < 0, bad_needs=("A",))
    layers.set_analysis(plugin)
    layers.set_result_layers([("A", "Alpha", False)])
    a = np.ones(lay.grid_shape)
    a[2, 3] = -1
    layers.set_layer("A", a, "Alpha")
    layers.show("A")
    for _label, name in COLORMAPS:
        view.set_colormap(name)
        rgba, colour = mask_colour(name)
        assert tuple(layers.mask_item().image[2, 3]) == rgba
        assert f"({colour})" in view.title_text()
    assert mask_colour("CET-L1")[1] != "grey"  # never grey among greys
