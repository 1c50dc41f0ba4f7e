"""The domain-free map widget: an image with title, units, levels, marker and readout."""

from __future__ import annotations

import numpy as np

from peakgui.core.io.source import SpectralSource
from peakgui.gui.widgets.map_grid import MapGrid, auto_levels
from peakgui.gui.widgets.map_view import MapView
from peakgui.gui.widgets.readout import ReadoutLabel


def make(qtbot, small_file):
    view = MapView()
    qtbot.addWidget(view)
    lay = SpectralSource.open(small_file).layout
    view.set_grid(MapGrid.from_layout(lay))
    return view, None, lay


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


def test_the_readout_has_the_digits_that_tell_the_levels_apart(qtbot, small_file):
    """A clean R² map spans 0.999998 to 1: its values must not all read "1"."""
    view, _, lay = make(qtbot, small_file)
    img = 1.0 - np.linspace(0.0, 2e-6, lay.n_positions).reshape(lay.grid_shape)
    view.set_image(img, "R²", "")
    rows, cols = lay.grid_shape
    view.set_marker(rows - 1, cols - 2)
    value = img[rows - 1, cols - 2]
    assert value < 0.9999995
    text = view.readout().text()
    assert text.endswith(f"{value:.7g}") and not text.endswith("= 1"), text
    view.set_image(img * 0.5, "Amplitude", "V", levels=(0.0, 1.0))  # a usual span: 4 digits
    assert view.readout().text().endswith("500 mV")


def test_a_narrow_readout_drops_words_not_the_place_or_the_value(qtbot, small_file):
    """At 1366 x 768 the map's readout was elided in the middle ("X = 2.3…m"): Y was lost."""
    view, _, lay = make(qtbot, small_file)
    img = np.full(lay.grid_shape, 0.5e-3)
    view.set_image(img, "Loop fit: σ(Switchable Polarization) · Raw_Data-SHO_Fit_000", "V")
    view.show()
    view.set_marker(2, 3)
    full = view.readout().text()
    assert full.startswith("selected: row 2, col 3") and full.endswith("= 500 µV")
    shown = []
    for width in (1400, 0):  # wide, then as narrow as the view goes
        view.resize(max(width, view.minimumSizeHint().width()), 500)
        qtbot.waitUntil(lambda: abs(view.readout().width() - view.width()) < 20)
        shown.append(view.readout().shown_text())
        assert view.readout().text() == full == view.readout().toolTip()
    assert shown[0] == full
    narrow = shown[1]
    assert "…" not in narrow and narrow != full, narrow
    assert view.grid().where(2, 3) in narrow and narrow.endswith("500 µV"), narrow


def test_the_origin_reads_in_the_axis_prefix(qtbot, small_file):
    view, _, lay = make(qtbot, small_file)
    grid = view.grid()
    assert grid.x_units == "m" and grid.x_values[0] == 0.0 and grid.x_values[-1] < 1e-4
    # "0 m" beside axes in µm reads as another scale: the origin takes the axis' prefix
    assert 1e-6 <= grid.x_values[-1] and 1e-6 <= grid.y_values[-1]
    assert grid.where(0, 0) == "X = 0 µm, Y = 0 µm"


def test_a_readout_shows_the_first_wording_that_fits(qtbot):
    label = ReadoutLabel(1)
    qtbot.addWidget(label)
    label.show()
    metrics = label.fontMetrics()
    words = ("selected: row 2, col 3 · X = 1 µm, Y = 2 µm · Amplitude = 3 mV",
             "row 2, col 3 · X = 1 µm, Y = 2 µm · Amplitude = 3 mV",
             "X = 1 µm, Y = 2 µm: 3 mV")
    for text in words:
        label.set_text(*words)
        label.resize(metrics.horizontalAdvance(text) + 8, label.height())
        qtbot.waitUntil(lambda t=text: label.shown_text() == t)
        assert label.shown_text() == text and label.text() == words[0]
    label.resize(40, label.height())  # nothing fits: the last, elided
    qtbot.waitUntil(lambda: label.shown_text().endswith("…"))
    assert label.shown_text().endswith("…") and label.shown_text().startswith("X")


def test_auto_levels_ignore_outliers_and_nan():
    img = np.r_[np.linspace(0, 1, 1000), [1e6, np.nan]]
    lo, hi = auto_levels(img)
    assert 0 <= lo < 0.01 and 0.99 < hi < 2


def test_counts_after_a_millivolt_map_are_not_scaled(qtbot, small_file):
    """pyqtgraph keeps the SI scale of the previous range when prefixes are switched off."""
    view, _, lay = make(qtbot, small_file)
    view.set_image(np.full(lay.grid_shape, 0.12), "Amplitude", "V")
    view.set_image(np.full(lay.grid_shape, 7.0), "Count", "", integer=True)
    assert view.histogram().axis.autoSIPrefixScale == 1.0
    assert view.histogram().axis.labelUnitPrefix == ""


def test_clicks_and_arrow_keys_pick_pixels(qtbot, small_file):
    from PyQt5.QtCore import Qt
    from PyQt5.QtTest import QTest

    view, _, lay = make(qtbot, small_file)
    view.show()
    view.set_image(np.zeros(lay.grid_shape), "Zero")
    view.set_marker(4, 4)
    with qtbot.waitSignal(view.sigPixelClicked, timeout=1_000) as picked:
        QTest.keyClick(view.graphics_widget(), Qt.Key_Right)
    assert picked.args == [4, 5]
    with qtbot.waitSignal(view.sigPixelClicked, timeout=1_000) as picked:
        view.click_pixel(2, 3)
    assert picked.args == [2, 3]
