"""Opening a dataset, the navigator, and the pixel inspector against the engine's AnalysisRun.test."""

from __future__ import annotations

import numpy as np
import pytest
from PyQt5.QtCore import QPoint, Qt
from PyQt5.QtTest import QTest

from peakgui.core.analyses.peak_finding.analysis import RESPONSE
from peakgui.core.analyses.peak_finding.params import PeakParams
from peakgui.core.demo.be import DEMO_DATASET
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.engine import AnalysisRun
from peakgui.gui.presenters.map_layers import NAVIGATOR_BIN, NAVIGATOR_MEAN
from peakgui.gui.widgets.spectrum_view import PHASE_MODE
from tests.gui.helpers import open_and_wait, select_and_wait


def click_map(qtbot, w, row: int, col: int) -> None:
    """A real mouse click on the centre of a map pixel."""
    glw = w.map_view.graphics_widget()
    scene_pos = w.map_view.scene_pos_of(row, col)
    pos = glw.mapFromScene(scene_pos)
    with qtbot.waitSignal(w.sigPixelTested, timeout=5_000):
        QTest.mouseClick(glw.viewport(), Qt.LeftButton, Qt.NoModifier, QPoint(pos.x(), pos.y()))


def assert_matches_core(report, source, params, position):
    expected = AnalysisRun(source, "peak_finding", params.as_dict(), n_jobs=1).test(position)
    assert report.position == position
    got = report.detail
    np.testing.assert_array_equal(got.detail.peaks, expected.detail.peaks)
    assert got.detail.index == expected.detail.index
    assert got.values == expected.values
    np.testing.assert_array_equal(got.detail.magnitude, expected.detail.magnitude)


def test_open_selects_the_dataset_and_computes_the_navigator(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    assert w.source.dataset == DEMO_DATASET
    assert w.tree.current_node().path == DEMO_DATASET
    src = SpectralSource.open(small_file)
    expected = src.layout.to_image(np.abs(src.read(0, src.layout.n_positions)[:, 0, :]).mean(1))
    img = w.layers.image(NAVIGATOR_MEAN)
    np.testing.assert_allclose(img, expected, rtol=1e-6)
    assert img.shape == (24, 32)
    # axes in the file's units
    plot = w.map_view.plot_item()
    assert plot.getAxis("bottom").labelText == "X" and plot.getAxis("bottom").labelUnits == "m"
    assert plot.getAxis("left").labelUnits == "m"
    # the first pixel is selected and tested
    assert w.inspector.report.position == 0
    assert "Window" not in w.windowTitle() and "small.h5" in w.windowTitle()


def test_clicking_a_pixel_shows_its_spectrum_and_the_core_test(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    src = SpectralSource.open(small_file)
    click_map(qtbot, w, 5, 7)
    rep = w.inspector.report
    assert (rep.row, rep.col) == (5, 7)
    position = src.layout.position_of(5, 7)
    assert_matches_core(rep, src, PeakParams(), position)
    x, y = w.spectrum_view.curve_data()
    np.testing.assert_array_equal(x, src.layout.spectral.values)
    np.testing.assert_allclose(y, np.abs(src.read_position(position)[0]), rtol=1e-6)
    px, _ = w.spectrum_view.overlay().peak_data()
    np.testing.assert_array_equal(px, src.layout.spectral.values[rep.detail.detail.peaks])
    assert w.spectrum_view.overlay().amplitude_line() == pytest.approx(
        rep.detail.values[RESPONSE])
    assert w.map_view.marker() == (5, 7)
    text = w.spectrum_view.readout().text()
    assert "Amplitude" in text and "mV" in text and "kHz" in text
    assert "row 5, col 7" in w.map_view.readout().text()
    # the x axis carries the spectroscopic units
    assert w.spectrum_view.plot_item().getAxis("bottom").labelUnits == "Hz"


def test_the_readout_follows_the_cursor(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    glw = w.map_view.graphics_widget()
    pos = glw.mapFromScene(w.map_view.scene_pos_of(4, 9))
    QTest.mouseMove(glw.viewport(), QPoint(pos.x(), pos.y()))
    qtbot.waitUntil(lambda: "cursor: row 4, col 9" in w.map_view.readout().text(), timeout=2_000)
    text = w.map_view.readout().text()
    value = w.layers.image(NAVIGATOR_MEAN)[4, 9]
    x = w.source.layout.col_dim.values[9]
    assert "X = " in text and "µm" in text and f"{value * 1e3:.4g} mV" in text, (text, x)


def test_the_pixel_header_wraps_between_coordinates_only(qtbot, window, small_file):
    """At 1366 x 768 the header broke inside a coordinate ("Y = 0" / "m")."""
    w = window
    open_and_wait(qtbot, w, small_file)
    select_and_wait(qtbot, w, 4, 9)
    title = w.spectrum_view.title().text()
    where = w.map_view.grid().where(4, 9)
    for coordinate in where.split(", "):  # each glued with no-break spaces
        assert coordinate.replace(" ", "&nbsp;") in title, (coordinate, title)
    assert "row&nbsp;4, col&nbsp;9" in title


def test_only_the_selected_row_is_read(qtbot, window, small_file, monkeypatch):
    w = window
    open_and_wait(qtbot, w, small_file)
    reads = []
    original = SpectralSource.read

    def spy(self, start, stop):
        reads.append((start, stop))
        return original(self, start, stop)

    monkeypatch.setattr(SpectralSource, "read", spy)
    select_and_wait(qtbot, w, 3, 4)
    p = w.source.layout.position_of(3, 4)
    assert reads == [(p, p + 1)]


def test_arrow_keys_move_the_selection(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    click_map(qtbot, w, 10, 10)
    glw = w.map_view.graphics_widget()
    for key, expected in ((Qt.Key_Right, (10, 11)), (Qt.Key_Up, (11, 11)),
                          (Qt.Key_Left, (11, 10)), (Qt.Key_Down, (10, 10))):
        with qtbot.waitSignal(w.sigPixelTested, timeout=2_000):
            QTest.keyClick(glw, key)
        assert (w.inspector.report.row, w.inspector.report.col) == expected


def test_editing_a_parameter_retests_at_once(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    select_and_wait(qtbot, w, 2, 3)
    boxes = w.params_panel.spin_boxes()
    with qtbot.waitSignal(w.sigPixelTested, timeout=1_000):
        boxes["width_lo"].setValue(5)
    with qtbot.waitSignal(w.sigPixelTested, timeout=1_000):
        boxes["min_snr"].setValue(0.5)
    params = PeakParams(width_lo=5, width_hi=60, steps=30, min_snr=0.5, noise_perc=10)
    assert w.params_panel.params() == params.as_dict()
    assert_matches_core(w.inspector.report, w.source, params, w.source.layout.position_of(2, 3))


def test_invalid_parameters_are_said_and_block_the_run(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    assert w.start_action.isEnabled()
    with qtbot.waitSignals([w.params_panel.sigParamsInvalid, w.sigPixelTested], timeout=5_000):
        w.params_panel.spin_boxes()["width_lo"].setValue(80)  # above the high bound
    assert not w.start_action.isEnabled()
    assert w.params_panel.error() == ("Widths from (80 points) must be at most Widths to "
                                      "(60 points)")
    assert "not valid" in w.spectrum_view.readout().text()
    with qtbot.waitSignal(w.sigPixelTested, timeout=1_000):
        w.params_panel.spin_boxes()["width_lo"].setValue(20)
    assert w.start_action.isEnabled()
    assert w.inspector.report.detail is not None


def test_phase_view_and_bin_navigator(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    select_and_wait(qtbot, w, 1, 1)
    spectrum = w.inspector.report.spectrum
    w.spectrum_view.set_mode(PHASE_MODE)
    _, y = w.spectrum_view.curve_data()
    np.testing.assert_allclose(y, np.angle(spectrum), rtol=1e-6)
    assert w.spectrum_view.plot_item().getAxis("left").labelText == "Phase (rad)"
    with qtbot.waitSignal(w.sigNavigatorReady, timeout=10_000) as blocker:
        w.layers.show(NAVIGATOR_BIN)
    assert blocker.args == [NAVIGATOR_BIN]
    k = w.layers.current_bin()
    src = SpectralSource.open(small_file)
    expected = src.layout.to_image(np.abs(src.read(0, src.layout.n_positions)[:, 0, k]))
    np.testing.assert_allclose(w.layers.image(NAVIGATOR_BIN), expected, rtol=1e-6)


def test_multi_dimensional_spectroscopy_steps_and_axis(qtbot, window, tmp_path):
    from peakgui.core.demo.beps import write_beps_demo

    path = tmp_path / "beps.h5"
    write_beps_demo(path, rows=8, cols=6, bins=40, dc_steps=8)
    w = window
    open_and_wait(qtbot, w, path)
    lay = w.source.layout
    assert lay.n_steps == 16 and lay.spectral.name == "Frequency"
    view = w.spectrum_view
    assert not view.step_selector().isHidden() and not view.spectral_dim_combo().isHidden()
    select_and_wait(qtbot, w, 3, 2)
    with qtbot.waitSignal(w.sigNavigatorReady, timeout=10_000):
        with qtbot.waitSignal(w.sigPixelTested, timeout=2_000):
            view.set_step(5)
    rep = w.inspector.report
    p = lay.position_of(3, 2)
    np.testing.assert_array_equal(rep.spectrum, w.source.read_position(p)[5])
    expected = AnalysisRun(w.source, "peak_finding", {}, n_jobs=1).test(p, step=5)
    assert rep.detail.values == expected.values
    assert "V" in view.step_selector().value_text("DC_Offset") and "DC_Offset" in w.map_view.title_text()
    src = SpectralSource.open(path)
    mean5 = src.layout.to_image(np.abs(src.read(0, src.layout.n_positions)[:, 5, :]).mean(1))
    np.testing.assert_allclose(w.layers.image(NAVIGATOR_MEAN), mean5, rtol=1e-6)
    # spectra along the DC offset instead
    with qtbot.waitSignal(w.sigNavigatorReady, timeout=10_000):
        view.spectral_dim_combo().setCurrentText("DC_Offset")
    assert w.source.layout.spectral.name == "DC_Offset"
    assert (w.inspector.report.row, w.inspector.report.col) == (3, 2)  # same pixel
    assert view.plot_item().getAxis("bottom").labelUnits == "V"
    # an axis too short for the peak finder is refused with a message
    assert not w.datasets.set_spectral_dim("Field")
    assert "Field" in w.dialogs.errors[-1]
    assert w.source.layout.spectral.name == "DC_Offset"
