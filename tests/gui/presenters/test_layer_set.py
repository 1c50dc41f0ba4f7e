"""The map's layer state without a widget: which layers exist, what the shown one draws."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from peakgui.core.analyses import registry
from peakgui.core.analyses.declaration import DerivedField
from peakgui.core.analyses.maps import Difference, Navigator
from peakgui.gui.presenters.layer_set import LayerSet

TWICE = DerivedField("Twice", "twice A", "Twice", units=lambda ctx: "V",
                     compute=lambda v: 2 * v["A"], needs=("A",))


def test_result_layers_follow_the_navigators_and_keep_their_images():
    s = LayerSet()
    assert s.keys() == [Navigator.MEAN, Navigator.BIN] and s.current is Navigator.MEAN
    assert not s.available(Navigator.MEAN) and s.available(Navigator.BIN)
    s.analysis = replace(registry.get("peak_finding"), derived=(TWICE,))
    s.set_result_layers([("A", "Alpha", False), ("mean", "A field called mean", False)])
    assert s.keys() == [Navigator.MEAN, Navigator.BIN, "A", "mean", "Twice"]
    a = np.ones((2, 3))
    s.set_layer("A", a, "Alpha · G_000", "V")
    assert s.image("mean") is None and s.image(Navigator.MEAN) is None  # never confused
    assert s.layer("Twice").title == "twice A · G_000"  # titled like its first input
    assert s.available("Twice") and not s.available("mean")
    s.current = "A"
    s.set_result_layers([("A", "Alpha", False), (Difference("A"), "Difference: Alpha", False)])
    assert s.image("A") is a and s.current == "A" and Difference("A") in s
    s.set_result_layers([("B", "Beta", False)])  # another analysis: back to the first map
    assert s.result_keys() == ["B"] and s.current is Navigator.MEAN


def test_the_shown_layer_is_composed_derived_and_masked():
    s = LayerSet()
    s.analysis = replace(registry.get("peak_finding"), derived=(TWICE,),
                         bad=lambda v: v["N"] < 1, bad_needs=("N",))
    s.bad_label = "flagged"
    s.set_result_layers([("A", "Alpha", False), ("N", "Count", True)])
    a = np.arange(6, dtype=float).reshape(2, 3)
    n = np.array([[0.0, 1.0, 1.0], [1.0, np.nan, 1.0]])
    s.set_layer("A", a, "Alpha")
    s.set_layer("N", n, "Count")
    s.current = "Twice"
    assert s.feeds_shown("A") and s.feeds_shown("N") and s.composed("Twice")
    out = s.compose("grey")
    assert np.isnan(out.image[0, 0]) and out.image[1, 2] == 10.0
    assert out.mask.sum() == 1 and out.title.endswith("1 pixel flagged (grey)")
    s.current = "N"  # counts are never masked
    out = s.compose("grey")
    assert out.mask is None and out.image is n and not s.composed("N")
    s.current, s.mask_on = "A", False
    assert s.compose("grey").image is a
