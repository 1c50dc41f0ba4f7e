"""Derived maps, the mask of bad spectra and layer keys: the declaration and arrays only."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from peakgui.core.analyses import registry
from peakgui.core.analyses.declaration import DerivedField
from peakgui.core.analyses.maps import (
    Difference,
    Navigator,
    bad_mask,
    derived_image,
    field_of,
    with_derived,
)

TWICE = DerivedField("Twice", "twice A", "Twice", units=lambda ctx: "V",
                     compute=lambda v: 2 * v["A"], needs=("A",))


def plugin():
    return replace(registry.get("peak_finding"), name="plugin", derived=(TWICE,),
                   bad=lambda v: v["N"] < 1, bad_needs=("N",))


def test_a_derived_map_waits_for_its_inputs_and_is_computed_in_float64():
    assert derived_image(TWICE, {"A": None}) is None
    out = derived_image(TWICE, {"A": np.array([1, 2], dtype=np.float32)})
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [2.0, 4.0])


def test_values_get_the_analysis_derived_fields_beside_the_stored_ones():
    values = {"A": np.array([1.0, np.nan]), "N": np.array([1, 0])}
    out = with_derived(plugin(), values)
    assert set(out) == {"A", "N", "Twice"} and out["A"] is values["A"]
    np.testing.assert_array_equal(out["Twice"], [2.0, np.nan])
    assert with_derived(None, values) is values and with_derived(plugin(), None) is None


def test_bad_pixels_are_those_computed_and_declared_bad():
    n = np.array([[1.0, 0.0], [np.nan, 3.0]])
    mask = bad_mask(plugin(), {"N": n})
    np.testing.assert_array_equal(mask, [[False, True], [False, False]])  # NaN: not computed
    assert bad_mask(plugin(), {"N": None}) is None
    assert bad_mask(registry.get("sho"), {}) is None  # its inputs not there yet
    assert bad_mask(None, {"N": n}) is None


def test_layer_keys_of_each_kind_never_meet():
    # a result field called "mean" is not the mean navigator, nor a difference of it
    assert Navigator.MEAN != "mean" and Difference("mean") != "mean"
    assert len({Navigator.MEAN, "mean", Difference("mean")}) == 3
    assert field_of("Peak_Response") == "Peak_Response"
    assert field_of(Difference("Peak_Response")) == "Peak_Response"
    assert field_of(Navigator.BIN) is None and field_of(None) is None
    assert str(Navigator.BIN) == "bin" and "|x| at a bin" in Navigator.BIN.label


def test_the_sho_mask_cuts_r2_where_the_user_says_and_status_where_declared():
    sho = registry.get("sho")
    status = np.array([0.0, 0.0, 1.0, 2.0, 0.0])
    r2 = np.array([0.95, 0.676, 0.99, 0.99, np.nan])
    images = {"SHO_Status": status, "Fit_R2": r2}
    # by default the declared cut-off (0.9); converged-at-a-bound is tolerated, max. iterations
    # is not; NaN R² (not computed) is never masked
    np.testing.assert_array_equal(bad_mask(sho, images), [False, True, False, True, False])
    np.testing.assert_array_equal(bad_mask(sho, images, 0.6), [False, False, False, True, False])
    np.testing.assert_array_equal(bad_mask(sho, images, 0.97), [True, True, False, True, False])
    assert sho.quality is not None and sho.quality.field == "Fit_R2"
    assert sho.quality.default == 0.9


def test_status_fields_declare_every_code_with_its_name():
    from peakgui.core.analyses.declaration import FieldKind, SpectralContext
    from peakgui.core.analyses.loop_fit.status import LoopStatus
    from peakgui.core.analyses.sho.status import FitStatus
    from peakgui.core.dimension import Dimension

    ctx = SpectralContext(Dimension("Frequency", "Hz", np.linspace(1e5, 2e5, 64)),
                          steps=(Dimension("DC_Offset", "V", np.linspace(-1, 1, 16)),))
    from peakgui.core.analyses.loop_fit.analysis import ANALYSIS as LOOP_FIT

    for analysis, enum in ((registry.get("sho"), FitStatus), (LOOP_FIT, LoopStatus)):
        fields = analysis.fields(ctx)
        status = [f for f in fields if f.kind is FieldKind.STATUS]
        assert len(status) == 1
        codes = dict(status[0].codes)
        assert set(codes) == {int(s) for s in enum}
        assert codes[0] == "converged" and codes[255] == "not computed"
        assert all(codes.values())
