"""A plugin's own view: an analysis names its view class (``Analysis.view``) or a package
registers one in the ``peakgui.views`` entry-point group; the GUI picks the view by priority."""

from __future__ import annotations

import numpy as np
import pytest

from peakgui.core.analyses import registry
from peakgui.gui.views import GROUP, AnalysisView, view_for
from peakgui.gui.views.peak_finding import PeakFindingView
from tests.core.analyses.band_mean_plugin import install
from tests.gui.helpers import open_and_wait, select_and_wait, settle

EDGES_VIEW = '''
from peakgui.gui.views import AnalysisView


class EdgesView(AnalysisView):
    analyses = ("peak_finding",)
'''


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """The band-mean distribution on the path, found as pip would have installed it."""
    site = install(tmp_path / "site")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(registry, "_loaded", None)
    monkeypatch.setattr(registry, "_broken", {})
    yield site
    registry._loaded = None


def test_the_plugins_own_view_draws_its_band_in_the_window(qtbot, make_window, small_file,
                                                          installed):
    band_mean = registry.get("band_mean")
    assert band_mean.view == "lab_band_mean_view:BandMeanView"
    assert type(view_for(band_mean)).__name__ == "BandMeanView"
    w = make_window()
    open_and_wait(qtbot, w, small_file)
    with qtbot.waitSignal(w.sigPixelTested, timeout=5_000):
        assert w.params_panel.set_analysis("band_mean")
    settle(qtbot, w)
    rep = select_and_wait(qtbot, w, 2, 3)
    overlay = w.spectrum_view.overlay()
    assert type(overlay).__name__ == "BandMeanView" and overlay.bad_label == "outside the band"
    axis = w.spectrum_view.axis().values
    assert rep.detail.detail.points == axis.size
    # the plugin's item is on the spectrum plot, drawn over the band of the pixel test
    assert overlay.band in w.spectrum_view.plot_item().items and overlay.band.isVisible()
    np.testing.assert_allclose(overlay.band.getRegion(), (axis.min(), axis.max()))
    assert f"band of {axis.size}" in w.spectrum_view.readout().text()
    # another analysis: the plugin's items leave the plot
    band = overlay.band
    with qtbot.waitSignal(w.sigPixelTested, timeout=5_000):
        assert w.params_panel.set_analysis("peak_finding")
    assert band not in w.spectrum_view.plot_item().items
    assert isinstance(w.spectrum_view.overlay(), PeakFindingView)


def test_a_view_registered_in_the_entry_point_group_is_chosen_by_priority(installed):
    peak = registry.get("peak_finding")
    assert type(view_for(peak)) is PeakFindingView
    (installed / "lab_edges_view.py").write_text(EDGES_VIEW)
    info = installed / "lab_edges-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: lab-edges\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[{GROUP}]\nedges = lab_edges_view:EdgesView\n")
    assert type(view_for(peak)).__name__ == "EdgesView"  # registered: it wins a tie
    # it answers only for the analysis it knows: the others keep theirs
    assert type(view_for(registry.get("sho"))).__name__ == "SHOView"


def test_a_view_that_cannot_be_loaded_falls_back_to_the_generic_one(caplog):
    from dataclasses import replace

    broken = replace(registry.get("peak_finding"), name="nameless", view="no_such_module:View")
    view = view_for(broken)
    assert type(view) is AnalysisView and "no_such_module:View" in caplog.text
