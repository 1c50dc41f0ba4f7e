"""Honest units (SI prefixes only on SI units), readouts that keep the layout, levels that
follow the data, a map that fills its view, and the levels, colormap and scale bar choices."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from PyQt5.QtCore import Qt
from PyQt5.QtTest import QTest
from PyQt5.QtWidgets import QVBoxLayout, QWidget

from peakgui.core.io.source import SpectralSource
from peakgui.gui import formatting
from peakgui.gui.export.map_export import export_values
from peakgui.gui.formatting import format_value, takes_si_prefix
from peakgui.gui.presenters.map_layers import NAVIGATOR_MEAN
from peakgui.gui.widgets.map_grid import MapGrid
from peakgui.gui.widgets.map_view import MapView
from peakgui.gui.widgets.spectrum_view import PHASE_MODE
from tests.gui.helpers import open_and_wait, select_and_wait, settle


@pytest.fixture(autouse=True)
def _radians_after_the_test():
    yield
    formatting.set_angle_unit("rad")  # a process-wide choice: the next test starts in rad


def tick_texts(axis) -> list[str]:
    """The tick labels the axis draws for its current range."""
    lo, hi = axis.range
    size = axis.geometry().height() or 300.0
    out = []
    for spacing, values in axis.tickValues(lo, hi, size):
        out += axis.tickStrings(values, axis.autoSIPrefixScale * axis.scale, spacing)
    return out


def map_view(qtbot, path, width=600, height=500) -> tuple[MapView, MapGrid]:
    view = MapView()
    qtbot.addWidget(view)
    grid = MapGrid.from_layout(SpectralSource.open(path).layout)
    view.set_grid(grid)
    view.resize(width, height)
    view.show()
    qtbot.waitExposed(view)
    return view, grid


# ---- defect 1: SI prefixes only on SI units -------------------------------------------------------
def test_the_units_rule():
    assert all(takes_si_prefix(u) for u in ("V", "m", "Hz", "s", "A", "N", "F", "V/m"))
    assert not any(takes_si_prefix(u) for u in ("", "a. u.", "a.u.", "pixel", "index",
                                                "index (m)", "rad", "deg", "%", "count",
                                                "nm", "pm/V", "m²", "m^2"))
    assert format_value(0.01941, "V") == "19.41 mV"
    assert format_value(329_700.0, "Hz") == "329.7 kHz"
    assert format_value(9, "a. u.", integer=True) == "9"  # a count, not "9 a. u."
    assert format_value(0.001, "a. u.") == "0.001 a.u."
    assert format_value(1200.0, "nm") == "1200 nm"  # no "knm"
    assert format_value(31, "index") == "31 index"
    assert format_value(-1.5708, "rad") == "-1.571 rad"
    formatting.set_angle_unit("deg")
    assert format_value(-np.pi / 2, "rad") == "-90°"
    assert format_value(float("nan"), "V") == "—"


def test_phase_axis_and_count_colour_bar_take_no_prefix(qtbot, small_file):
    """Phase read "Phase (µrad)" and peak counts "Peak count (ka. u.)" with 0.001-0.009."""
    view, grid = map_view(qtbot, small_file)
    rng = np.random.default_rng(1)
    view.set_image(rng.uniform(0.001, 0.02, grid_shape(grid)), "Amplitude", "V")
    # a real SI unit keeps its prefix
    qtbot.waitUntil(lambda: view.histogram().axis.labelUnitPrefix == "m", timeout=3_000)
    phase = rng.uniform(-3e-6, 0, grid_shape(grid))
    view.set_image(phase, "Phase", "rad")
    axis = view.histogram().axis
    assert axis.labelString().count("(rad)") == 1 and "µ" not in axis.labelString()
    assert axis.autoSIPrefixScale == 1.0 and not any("µ" in t for t in tick_texts(axis))
    counts = rng.integers(1, 10, grid_shape(grid)).astype(np.float64)
    view.set_image(counts, "Peak count", "a. u.", integer=True)
    axis = view.histogram().axis
    assert "a. u." not in axis.labelString() and "Peak count" in axis.labelString()
    assert axis.labelUnitPrefix == "" and axis.autoSIPrefixScale == 1.0
    ticks = [float(t) for t in tick_texts(axis)]
    assert ticks and all(t.is_integer() and 0 <= t <= 10 for t in ticks)  # 1-9, not 0.001
    view.set_marker(3, 4)
    assert view.readout().text().endswith(f"Peak count = {int(counts[3, 4])}")


def test_phase_in_degrees_everywhere(qtbot, make_window, small_file):
    w = make_window()
    open_and_wait(qtbot, w, small_file)
    sv = w.spectrum_view
    sv.set_mode(PHASE_MODE)
    assert sv.plot_item().getAxis("left").labelString().count("(rad)") == 1
    assert np.abs(sv.curve_data()[1]).max() <= np.pi + 1e-6
    w.view_options.degrees_action.trigger()
    assert "(°)" in sv.plot_item().getAxis("left").labelString()
    y = sv.curve_data()[1]
    assert np.abs(y).max() > np.pi and np.abs(y).max() <= 180 + 1e-6
    w.close()
    w2 = make_window()  # remembered
    assert w2.view_options.degrees_action.isChecked()
    w2.view_options.degrees_action.trigger()
    assert formatting.angle_unit() == "rad"


def test_a_plain_cube_has_no_prefixes(qtbot, window, tmp_path):
    path = tmp_path / "cube.h5"
    with h5py.File(path, "w") as f:
        f["cube"] = np.random.default_rng(0).random((20, 30, 50)).astype("f4") * 1e-3
    w = window
    open_and_wait(qtbot, w, path)
    axes = {"map X": w.map_view.plot_item().getAxis("bottom"),
            "map Y": w.map_view.plot_item().getAxis("left"),
            "spectrum x": w.spectrum_view.plot_item().getAxis("bottom"),
            "spectrum y": w.spectrum_view.plot_item().getAxis("left"),
            "colour bar": w.map_view.histogram().axis}
    labels = {k: a.labelString() for k, a in axes.items()}
    assert "X (pixel)" in labels["map X"] and "Point (index)" in labels["spectrum x"]
    assert "|Signal| (a.u.)" in labels["spectrum y"]
    for name, axis in axes.items():
        assert axis.labelUnitPrefix == "" and axis.autoSIPrefixScale == 1.0, name
        assert not any(p in labels[name] for p in ("µ", "(k", "(m", "(M")), labels[name]
    assert "µ" not in w.map_view.readout().text() and "kindex" not in w.spectrum_view.readout(
    ).text()


def test_peak_count_map_after_a_run(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    with qtbot.waitSignal(w.run_controller.sigStopped, timeout=60_000):
        assert w.start_run()
    qtbot.waitUntil(lambda: "Peak_Count" in w.layers.keys()
                    and w.layers.image("Peak_Count") is not None, timeout=20_000)
    settle(qtbot, w)
    w.layers.show("Peak_Count")
    assert w.layers.current() == "Peak_Count"
    axis = w.map_view.histogram().axis
    assert axis.labelUnitPrefix == "" and "a. u." not in axis.labelString()
    assert all(float(t).is_integer() for t in tick_texts(axis))
    select_and_wait(qtbot, w, 2, 3)
    count = int(w.layers.image("Peak_Count")[2, 3])
    assert w.map_view.readout().text().endswith(f"= {count}")


def grid_shape(grid: MapGrid) -> tuple[int, int]:
    return grid.rows, grid.cols


# ---- defect 7: readouts keep the layout -------------------------------------------------------------
def geometry(w) -> list:
    return [w.map_view.graphics_widget().geometry(), w.spectrum_view.plot_widget().geometry(),
            w.map_view.readout().geometry(), w.spectrum_view.readout().geometry()]


def test_readouts_do_not_move_the_plots(qtbot, window, small_file):
    w = window
    w.resize(1366, 768)
    open_and_wait(qtbot, w, small_file)
    img = w.layers.image(NAVIGATOR_MEAN).copy()
    img[0, 0], img[5, 7] = 1.0, 1.23456789e-13  # "1 V" against a long, tiny value
    w.layers.set_layer(NAVIGATOR_MEAN, img, "Mean |x| over a long descriptive title", "V")
    select_and_wait(qtbot, w, 0, 0)
    qtbot.wait(50)  # let the layout apply what the texts asked for
    before = geometry(w)
    short = w.map_view.readout().text()
    select_and_wait(qtbot, w, 5, 7)
    w.spectrum_view.readout().setText("<b>Amplitude</b> 1.234 fV · " * 12)  # many lines' worth
    qtbot.wait(50)
    assert w.map_view.readout().text() != short
    assert geometry(w) == before


def test_map_readout_is_one_line_whatever_it_says(qtbot, small_file):
    view, grid = map_view(qtbot, small_file, width=420)
    img = np.ones(grid_shape(grid))
    img[1, 1] = 1.23456789e-13
    view.set_image(img, "A quantity with a rather long name", "V")
    view.set_marker(0, 0)
    qtbot.wait(20)
    plot = view.graphics_widget().geometry()
    view.set_marker(1, 1)
    qtbot.wait(20)
    assert view.graphics_widget().geometry() == plot
    assert view.readout().height() <= view.readout().fontMetrics().lineSpacing() * 1.5 + 6


# ---- defect 8: the histogram follows the data -------------------------------------------------------
def test_histogram_follows_new_data_after_a_manual_pan(qtbot, make_window, small_file, tmp_path):
    w = make_window()
    open_and_wait(qtbot, w, small_file)
    hist = w.map_view.histogram()
    hist.vb.setYRange(1e3, 2e3, padding=0)  # the user panned/zoomed the histogram far away
    hist.region.setRegion((1.2e3, 1.5e3))  # and dragged the levels there
    hist.region.sigRegionChangeFinished.emit(hist.region)
    assert not w.map_view.auto_levels_check().isChecked()
    other = tmp_path / "other.h5"
    other.write_bytes(small_file.read_bytes())
    open_and_wait(qtbot, w, other)  # another file: levels and histogram follow its data
    data = w.layers.image(NAVIGATOR_MEAN)
    lo, hi = np.nanmin(data), np.nanmax(data)
    qtbot.waitUntil(lambda: hist.vb.viewRange()[1][0] <= lo and hist.vb.viewRange()[1][1] >= hi,
                    timeout=5_000)
    assert w.map_view.auto_levels_check().isChecked()
    low, high = hist.getLevels()
    assert lo <= low < high <= hi
    hist.vb.setYRange(1e3, 2e3, padding=0)
    w.map_view.auto_levels_check().setChecked(False)
    w.map_view.auto_levels_check().setChecked(True)  # ticking Auto levels: the same
    qtbot.waitUntil(lambda: hist.vb.viewRange()[1][0] <= lo and hist.vb.viewRange()[1][1] >= hi,
                    timeout=5_000)


# ---- defect 14: the map fills its view --------------------------------------------------------------
def covered_fraction(view: MapView, grid: MapGrid) -> float:
    """Fraction of the plot's view box the image covers (blank bands lower it)."""
    r = grid.rect().normalized()
    (x0, x1), (y0, y1) = view.plot_item().getViewBox().viewRange()
    w = max(0.0, min(r.right(), x1) - max(r.left(), x0))
    h = max(0.0, min(r.bottom(), y1) - max(r.top(), y0))
    return w * h / ((x1 - x0) * (y1 - y0))


@pytest.mark.parametrize("size", [(420, 900), (1000, 420)], ids=["tall", "wide"])
def test_the_map_fills_its_view_keeping_its_aspect(qtbot, demo_file, size):
    host = QWidget()
    qtbot.addWidget(host)
    view = MapView()
    QVBoxLayout(host).addWidget(view)
    host.resize(*size)
    host.show()
    qtbot.waitExposed(host)
    grid = MapGrid.from_layout(SpectralSource.open(demo_file).layout)  # a square map
    view.set_grid(grid)
    view.set_image(np.random.default_rng(0).random(grid_shape(grid)), "Amplitude", "V")
    qtbot.waitUntil(lambda: covered_fraction(view, grid) > 0.97, timeout=3_000)
    vb = view.plot_item().getViewBox()
    assert abs(vb.width() / vb.height() - 1.0) < 0.03  # square pixels kept
    host.resize(size[1], size[0])  # turn the viewport round: it fits again
    qtbot.waitUntil(lambda: covered_fraction(view, grid) > 0.97, timeout=3_000)


# ---- features: levels, colormaps, scale bar ---------------------------------------------------------
def test_typed_levels_and_percentiles(qtbot, make_window, small_file):
    w = make_window()
    open_and_wait(qtbot, w, small_file)
    mv, bar = w.map_view, w.map_view.levels_bar()
    data = w.layers.image(NAVIGATOR_MEAN)
    bar.min_box().setValue(float(np.nanpercentile(data, 20)))
    bar.max_box().setValue(float(np.nanpercentile(data, 80)))
    assert not mv.auto_levels_check().isChecked()
    assert mv.levels() == pytest.approx((np.nanpercentile(data, 20), np.nanpercentile(data, 80)))
    assert w.layers.layer(NAVIGATOR_MEAN).levels == pytest.approx(mv.levels())  # kept per map
    bar.percentile_combo().setCurrentIndex(bar.percentile_combo().findText("5–95 %"))
    assert mv.auto_levels_check().isChecked()
    assert mv.levels() == pytest.approx(tuple(np.nanpercentile(data, [5, 95])), rel=1e-3)
    bar.percentile_combo().setCurrentIndex(bar.percentile_combo().findText("Full range"))
    assert mv.levels() == pytest.approx((np.nanmin(data), np.nanmax(data)), rel=1e-6)
    mv.scale_bar_check().setChecked(False)
    w.close()
    w2 = make_window()  # the percentile and scale-bar choices are remembered
    assert w2.map_view.levels_bar().percentiles() == (0.0, 100.0)
    assert not w2.map_view.scale_bar_check().isChecked()


def test_diverging_colormaps_centre_signed_values_and_phase(qtbot, make_window, small_file):
    w = make_window()
    mv = w.map_view
    grid = MapGrid.from_layout(SpectralSource.open(small_file).layout)
    mv.set_grid(grid)
    signed = np.linspace(-0.2, 1.0, grid.rows * grid.cols).reshape(grid_shape(grid))
    mv.set_image(signed, "Piezoresponse", "V")
    assert mv.levels()[0] > -0.2 and mv.levels()[1] < 1.0  # a sequential map: percentiles
    mv.set_colormap("CET-D1A")
    lo, hi = mv.levels()
    assert lo == pytest.approx(-hi) and hi > 0.9
    mv.set_image(np.abs(signed) + 1.0, "Amplitude", "V")  # positive values: not centred
    assert mv.levels()[0] > 0.5
    mv.set_image(np.full(grid_shape(grid), 0.3), "Phase", "rad")  # phase: centred on zero
    lo, hi = mv.levels()
    assert lo == pytest.approx(-hi) and hi >= 0.3
    w.close()
    assert make_window().map_view.colormap_name() == "CET-D1A"  # remembered


def test_scale_bar_in_the_scan_units(qtbot, demo_file):
    host = QWidget()
    qtbot.addWidget(host)
    view = MapView()
    QVBoxLayout(host).addWidget(view)
    host.resize(700, 600)
    host.show()
    qtbot.waitExposed(host)
    grid = MapGrid.from_layout(SpectralSource.open(demo_file).layout)  # a 5 µm scan
    view.set_grid(grid)
    view.set_image(np.zeros(grid_shape(grid)), "Zero", "V")
    qtbot.waitUntil(lambda: view.scale_bar().label() == "1 µm", timeout=3_000)
    assert view.scale_bar().isVisible()
    bar = view.scale_bar().bar.rect()
    vb = view.plot_item().getViewBox()
    assert 0.15 < bar.width() / vb.width() < 0.25  # 1 µm of 5 µm
    view.plot_item().getViewBox().scaleBy((0.2, 0.2))  # zoomed in: a shorter bar
    qtbot.waitUntil(lambda: view.scale_bar().label() == "200 nm", timeout=3_000)
    view.scale_bar_check().setChecked(False)
    assert not view.scale_bar().isVisible()


def test_a_zoom_survives_a_resize_and_home_shows_the_whole_map(qtbot, demo_file):
    host = QWidget()
    qtbot.addWidget(host)
    view = MapView()
    QVBoxLayout(host).addWidget(view)
    host.resize(600, 700)
    host.show()
    qtbot.waitExposed(host)
    grid = MapGrid.from_layout(SpectralSource.open(demo_file).layout)
    view.set_grid(grid)
    view.set_image(np.zeros(grid_shape(grid)), "Zero", "V")
    vb = view.plot_item().getViewBox()
    vb.scaleBy((0.25, 0.25))  # as the mouse wheel does
    vb.sigRangeChangedManually.emit(vb.state["mouseEnabled"])
    zoomed = vb.viewRange()[0][1] - vb.viewRange()[0][0]
    host.resize(650, 700)
    qtbot.waitUntil(lambda: vb.width() > 0 and view.width() > 600, timeout=3_000)
    assert vb.viewRange()[0][1] - vb.viewRange()[0][0] < 0.5 * grid.rect().width()
    assert zoomed < 0.5 * grid.rect().width()
    QTest.keyClick(view.graphics_widget(), Qt.Key_Home)
    qtbot.waitUntil(lambda: covered_fraction(view, grid) > 0.97
                    and vb.viewRange()[0][1] - vb.viewRange()[0][0]
                    <= grid.rect().width() * 1.03, timeout=3_000)


def test_exported_values_carry_the_shown_units(qtbot, small_file, tmp_path):
    view, grid = map_view(qtbot, small_file)
    phase = np.full(grid_shape(grid), np.pi / 4)
    formatting.set_angle_unit("deg")
    view.set_image(phase, "Phase", "rad")
    path = export_values(view, tmp_path / "phase.csv")
    text = path.read_text()
    assert "units: °" in text
    np.testing.assert_allclose(np.loadtxt(path, delimiter=","), 45.0, rtol=1e-6)
    view.set_image(np.full(grid_shape(grid), 3.0), "Peak count", "a. u.", integer=True)
    assert "units: -" in export_values(view, tmp_path / "count.csv").read_text()


def test_levels_close_together_read_apart(qtbot):
    """An R² map's auto levels (0.99981 to 0.99998) showed "1 to 1"."""
    from peakgui.gui.widgets.levels_bar import LevelsBar

    bar = LevelsBar()
    qtbot.addWidget(bar)
    bar.set_units("")
    bar.show_levels(0.99981, 0.99998)
    low, high = bar.min_box().text(), bar.max_box().text()
    assert low != high and low.startswith("0.9998") and high.startswith("0.99998"), (low, high)
    bar.show_levels(13.52e-3, 173.9e-3)  # ordinary levels keep four digits
    bar.set_units("V")
    bar.show_levels(13.52e-3, 173.9e-3)
    assert bar.min_box().text() == "13.52 mV" and bar.max_box().text() == "173.9 mV"
