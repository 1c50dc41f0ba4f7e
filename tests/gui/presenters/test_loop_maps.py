"""Maps of a loop-fit group: every switching value, its standard error, R² and the status per
field (the Field slider chooses), the in-field minus out-of-field difference, masks with the
user's thresholds, and the status legend."""

from __future__ import annotations

import numpy as np

from peakgui.core.analyses.loop_fit.fields import (
    STATUS,
    error_field,
    param_field,
    switching_field,
)
from peakgui.core.io.results_read import read_all
from peakgui.gui.presenters.loop_maps import difference_key
from tests.gui.helpers import settle
from tests.gui.loop_helpers import run_to_end, sho_then_loop_fit

VPLUS = switching_field("Fit", "V+")
R2 = param_field("Fit", "R2 Criterion")


def test_maps_per_field_difference_and_masks(qtbot, window, beps_file):
    w = window
    sho_then_loop_fit(qtbot, w, beps_file)
    with qtbot.waitSignal(w.loop_maps.sigDifferencesShown, timeout=60_000):
        run_to_end(qtbot, w)
    settle(qtbot, w)
    keys = w.layers.result_keys()
    for name in (VPLUS, error_field("V+"), R2, STATUS, switching_field("Fit", "Imprint"),
                 difference_key(VPLUS), difference_key(switching_field("Fit", "R+"))):
        assert name in keys, name
    stored = read_all(w.results.ref)
    lay = w.results.layout
    field_step = w.results.step
    np.testing.assert_array_equal(w.layers.image(VPLUS),
                                  lay.to_image(stored[VPLUS][:, field_step]))
    # the difference: in-field (Field = 1, BGlib's order puts it first) minus out-of-field
    field = [d for d in lay.others if d.name == "Field"][0]
    inside = list(np.asarray(field.values)).index(1)
    np.testing.assert_allclose(w.layers.image(difference_key(VPLUS)),
                               lay.to_image(stored[VPLUS][:, inside]
                                            - stored[VPLUS][:, 1 - inside]))
    # the other field through the step selector: the raw data's Field, any DC step
    src = w.source.layout
    names = [d.name for d in src.others]
    sizes = [d.size for d in src.others]
    idx = [0] * len(sizes)
    idx[names.index("Field")] = 1 - field_step
    idx[names.index("DC_Offset")] = 5
    with qtbot.waitSignal(w.sigResultsShown, timeout=20_000):
        w.session.set_step(int(np.ravel_multi_index(idx, sizes)))
    assert w.results.step == 1 - field_step
    np.testing.assert_array_equal(w.layers.image(VPLUS),
                                  lay.to_image(stored[VPLUS][:, 1 - field_step]))
    # masks: the user's R² threshold, not a constant
    w.layers.show(VPLUS)
    w.loop_maps.set_thresholds(0.0, 1e9)
    settle(qtbot, w)
    loose = w.layers.mask_count()
    r2 = w.layers.image(R2)
    cut = float(np.nanmedian(r2))
    w.loop_maps.set_thresholds(cut, 1e9)
    mask = w.layers.mask()
    assert w.layers.mask_count() > loose
    assert np.all(mask[r2 < cut])
    # status maps come with a legend of the codes
    assert not w.loop_maps.legend().isVisibleTo(w)
    w.layers.show(STATUS)
    assert w.loop_maps.legend().isVisibleTo(w)
    assert "converged" in w.loop_maps.legend().text()
