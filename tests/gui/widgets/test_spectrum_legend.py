"""Defect 10 (the spectrum view's part): the legend names what is drawn and never covers the
data; switching the spectral axis and back keeps the DC step."""

from __future__ import annotations

from peakgui.core.demo.beps import write_beps_demo
from peakgui.gui.widgets.spectrum_view import AMPLITUDE_MODE, PHASE_MODE
from tests.gui.helpers import open_and_wait, select_and_wait, settle


def test_legend_sits_outside_the_data(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    select_and_wait(qtbot, w, 2, 3)
    view = w.spectrum_view
    legend = view.legend()
    assert len(view.legend_names()) >= 2
    vb = view.plot_item().vb
    assert legend.isVisible()
    # (the graphics layout places the legend on its next pass, after the pixel is drawn)
    qtbot.waitUntil(lambda: not legend.sceneBoundingRect().intersects(vb.sceneBoundingRect()),
                    timeout=5_000)
    # every entry is inside the plot's width (none clipped by the dock)
    assert legend.sceneBoundingRect().right() <= view.plot_item().sceneBoundingRect().right() + 1


def test_phase_view_legend_says_phase(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    select_and_wait(qtbot, w, 2, 3)
    view = w.spectrum_view
    assert "|x|" in view.legend_names()
    view.set_mode(PHASE_MODE)
    assert "|x|" not in view.legend_names() and "phase" in view.legend_names()
    view.set_mode(AMPLITUDE_MODE)
    assert "|x|" in view.legend_names() and "phase" not in view.legend_names()


def test_hidden_overlay_items_leave_the_legend(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    select_and_wait(qtbot, w, 2, 3)
    view = w.spectrum_view
    overlay = view.overlay()
    item = overlay._items[0]  # the first overlay item with a legend row
    name = next(lb.text for s, lb in view.legend().items if s.item is item)
    item.setVisible(False)
    view.set_mode(PHASE_MODE)  # any redraw
    assert name not in view.legend_names()
    item.setVisible(True)
    view.set_mode(AMPLITUDE_MODE)
    assert name in view.legend_names()


def test_switching_the_spectral_axis_and_back_keeps_the_dc_step(qtbot, window, tmp_path):
    path = tmp_path / "beps.h5"
    write_beps_demo(path, rows=4, cols=3, bins=40, dc_steps=64)
    w = window
    open_and_wait(qtbot, w, path)
    view = w.spectrum_view
    sel = view.step_selector()
    with qtbot.waitSignal(w.sigPixelTested, timeout=10_000):
        sel.slider("DC_Offset").setValue(37)
    settle(qtbot, w)
    combo = view.spectral_dim_combo()
    with qtbot.waitSignal(w.sigDatasetOpened, timeout=10_000):
        combo.setCurrentText("DC_Offset")
    settle(qtbot, w)
    assert w.source.layout.spectral.name == "DC_Offset"
    with qtbot.waitSignal(w.sigDatasetOpened, timeout=10_000):
        combo.setCurrentText("Frequency")
    qtbot.waitUntil(lambda: view.step_selector().slider("DC_Offset").value() == 37,
                    timeout=10_000)
    settle(qtbot, w)
    assert w.inspector.step == view.step()  # the pixel test follows the slider
    assert "DC_Offset" in w.map_view.title_text()  # so do the maps
    # another file starts at the first step
    other = tmp_path / "beps2.h5"
    write_beps_demo(other, rows=4, cols=3, bins=40, dc_steps=64)
    open_and_wait(qtbot, w, other)
    assert view.step_selector().slider("DC_Offset").value() == 0
