"""Honest quality maps after a real SHO run: the R² cut-off of the mask is a visible,
remembered setting that re-masks live; the R² and status maps are never masked; the status map
is drawn one flat colour per code with a legend named by the analysis' declaration, and its
readout names the status; phase maps take a cyclic colormap and the mask stays distinct."""

from __future__ import annotations

import numpy as np
import pytest

from peakgui.core.analyses import registry
from peakgui.core.analyses.maps import bad_mask
from peakgui.core.analyses.sho.status import FitStatus
from peakgui.gui.widgets.colormaps import CYCLIC, colour_distance, mask_colour
from tests.gui.quality_helpers import sho_run, write_noisy


@pytest.fixture
def noisy_file(tmp_path):
    return write_noisy(tmp_path)


def cut_offs(images):
    """Two R² cut-offs that each mask a different share of the converged fits."""
    r2 = images["Fit_R2"][images["SHO_Status"] == 0]
    return tuple(float(np.floor(np.quantile(r2, q) * 1000) / 1000) for q in (0.2, 0.6))


def test_the_r2_cut_off_is_shown_remembered_and_masks_live(qtbot, make_window, noisy_file):
    w = make_window()
    images = sho_run(qtbot, w, noisy_file)
    spin = w.layers.r2_spin()
    assert spin.isVisibleTo(w) and spin.value() == 0.9 and "R²" in spin.prefix()
    assert w.layers.mask_check().isChecked()
    w.layers.show("Fit_Frequency")
    sho = registry.get("sho")
    assert w.layers.mask_count() == int(bad_mask(sho, images, 0.9).sum())
    low, high = cut_offs(images)
    counts = []
    for cut in (low, high):
        spin.setValue(cut)  # live: the map is masked again at once
        bad = bad_mask(sho, images, cut)
        assert w.layers.mask_count() == int(bad.sum())
        assert np.isnan(w.map_view.image()[bad]).all()
        assert np.isfinite(w.map_view.image()[~bad & np.isfinite(images["Fit_R2"])]).all()
        counts.append(int(bad.sum()))
    assert counts[0] < counts[1]
    assert f"{counts[1]:,} pixels" in w.run_panel.message()
    # remembered: the next window starts with it
    assert make_window().layers.r2_spin().value() == high


def test_the_r2_and_status_maps_are_never_masked_and_say_why(qtbot, window, noisy_file):
    w = window
    images = sho_run(qtbot, w, noisy_file)
    r2 = images["Fit_R2"]
    cut = cut_offs(images)[1]
    w.layers.r2_spin().setValue(cut)
    poor = np.argwhere(np.isfinite(r2) & (r2 < cut))
    w.layers.show("Fit_R2")
    assert w.layers.mask_count() == 0 and w.layers.mask_item().image is None
    np.testing.assert_array_equal(np.isfinite(w.map_view.image()), np.isfinite(r2))
    row, col = (int(v) for v in poor[0])
    w.map_view.set_marker(row, col)
    text = w.map_view.readout().text()
    assert f"R² = {r2[row, col]:.4g}" in text
    assert f"below {cut:.3f}: masked on other maps" in text
    good = np.argwhere(r2 >= cut)[0]
    w.map_view.set_marker(*(int(v) for v in good))
    assert "below" not in w.map_view.readout().text()

    assert w.layers.mask_check().isEnabled() and w.layers.r2_spin().isEnabled()  # its cut-off
    w.layers.show("SHO_Status")
    assert w.layers.mask_count() == 0
    # the mask's controls do not seem to act on a map they never mask
    assert not w.layers.mask_check().isEnabled() and not w.layers.r2_spin().isEnabled()
    assert "nothing on this map is masked" in w.layers.mask_check().toolTip()
    view = w.map_view
    assert view.categories() is not None and view.shown_colormap() == "categories"
    legend = view.legend()
    assert legend.isVisibleTo(w)
    for status in FitStatus:
        assert f"<b>{int(status)}</b>" in legend.text()
    assert "converged" in legend.text() and "no&nbsp;signal" in legend.text()
    lo, hi = view.levels()  # fixed to the codes, not to the data's range
    assert (lo, hi) == (-0.5, 255.5)
    bar = view.levels_bar()  # and not offered: a code's colour is its own
    assert not bar.min_box().isEnabled() and not bar.auto_check().isEnabled()
    # codes 1 and 5 (the case) in distinct colours, each its legend's colour
    lut = view.histogram().gradient.colorMap().map(np.linspace(0, 1, 256), mode="byte")

    def colour(code):
        return tuple(lut[int(np.clip((code - lo) / (hi - lo) * 256, 0, 255))][:3])

    assert colour(1) != colour(5) != colour(0)
    status = images["SHO_Status"]
    converged = np.argwhere(status == 0)[0]
    view.set_marker(*(int(v) for v in converged))
    assert view.readout().text().endswith("= 0 (converged)")
    # another map: no legend, the user's colormap again
    w.layers.show("Fit_Frequency")
    assert not view.legend().isVisibleTo(w) and view.shown_colormap() == "viridis"
    assert bar.min_box().isEnabled() and bar.auto_check().isEnabled()
    assert w.layers.mask_check().isEnabled() and w.layers.r2_spin().isEnabled()
    assert "nothing on this map" not in w.layers.mask_check().toolTip()


def test_phase_maps_take_a_cyclic_colormap_and_the_mask_stays_distinct(qtbot, window,
                                                                         noisy_file):
    from peakgui.gui.app.settings import Settings

    w = window
    sho_run(qtbot, w, noisy_file)
    view = w.map_view
    w.layers.show("Fit_Phase")
    assert view.shown_colormap() == CYCLIC and view.colormap_name() == "viridis"
    rgba, word = mask_colour(CYCLIC)
    assert w.layers.mask_count() > 0
    img = w.layers.mask_item().image
    assert tuple(img[np.argwhere(img[..., 3] > 0)[0][0], np.argwhere(img[..., 3] > 0)[0][1]]) \
        == rgba
    assert f"({word})" in view.title_text() and colour_distance(rgba, CYCLIC) >= 40
    w.layers.show("Fit_Amplitude")
    assert view.shown_colormap() == "viridis"
    # a colormap picked while phase shows stays with phase maps, not with the others
    w.layers.show("Fit_Phase")
    combo = view.colormap_combo()
    combo.setCurrentIndex(combo.findData("CET-D4"))
    assert view.shown_colormap() == "CET-D4" and Settings().colormap() == "viridis"
    w.layers.show("Fit_Amplitude")
    assert view.shown_colormap() == "viridis"
    w.layers.show("Guess_Phase")
    assert view.shown_colormap() == "CET-D4"
