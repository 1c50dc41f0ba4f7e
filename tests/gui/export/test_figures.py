"""Figures drawn from the data (defect 5: the PNG export was a screen grab), and File ▸ Export."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PyQt5.QtGui import QColor, QImage

from peakgui.core.demo.beps import write_beps_demo
from peakgui.gui.export.actions import FigureOptionsDialog
from peakgui.gui.export.figures import (
    colour_ticks,
    default_scale,
    figure_layout,
    figure_title,
    map_figure,
    nice_step,
    scale_bar,
)
from tests.gui.helpers import open_and_wait, select_and_wait


def _rgb(png: QImage) -> np.ndarray:
    """A figure's pixels as a (height, width, 3) array."""
    ptr = png.convertToFormat(QImage.Format_RGB888)
    arr = np.frombuffer(ptr.constBits().asstring(ptr.sizeInBytes()), np.uint8)
    return arr.reshape(ptr.height(), ptr.bytesPerLine())[:, : 3 * ptr.width()].reshape(
        ptr.height(), ptr.width(), 3)


def test_map_figure_is_drawn_from_the_data_not_grabbed(qtbot, window, small_file, tmp_path):
    """Defect 5: native resolution, title, colour bar, scale bar; no selection marker."""
    w = window
    open_and_wait(qtbot, w, small_file)
    select_and_wait(qtbot, w, 3, 4)  # the red selection marker is on the map
    out = tmp_path / "map.png"
    w.actions.exports.set_options(1, 300)  # one image pixel per scan point
    w.dialogs.save_path = str(out)
    w.export_png_action.trigger()
    assert out.exists(), w.dialogs.errors
    png = QImage(str(out))
    grid = w.map_view.grid()
    assert png.dotsPerMeterX() == round(300 / 0.0254)
    # a screen grab is the widget's size; the figure is the map's size plus its margins
    assert png.width() != w.map_view.graphics_widget().width()
    fig = map_figure(w.map_view)
    lay = figure_layout(fig, 1, 300)
    assert (png.width(), png.height()) == (lay.size.width(), lay.size.height())
    r = lay.map_rect
    assert (r.width(), r.height()) == (grid.cols, grid.rows)
    pix = _rgb(png)
    block = pix[int(r.top()): int(r.top()) + grid.rows, int(r.left()): int(r.left()) + grid.cols]
    # no red selection marker in the figure: every map pixel has a viridis colour
    red = (block[..., 0] > 200) & (block[..., 1] < 80) & (block[..., 2] < 80)
    assert not red.any()
    # the brightest scan point of the data is where the figure is yellowest (y up: flipped)
    img = w.layers.current_image()
    hi = np.unravel_index(np.nanargmax(img), img.shape)
    row_on_figure = grid.rows - 1 - hi[0] if grid.dy > 0 else hi[0]
    yellow = block[..., 0].astype(int) + block[..., 1] - block[..., 2]
    assert yellow[row_on_figure, hi[1]] >= np.percentile(yellow, 99)
    # colour bar: its top is the high end of the colormap (viridis: yellow)
    top = QColor(png.pixel(int(lay.bar_rect.center().x()), int(lay.bar_rect.top()) + 2))
    assert top.red() > 180 and top.green() > 180 and top.blue() < 100


def test_map_figure_as_svg_and_at_a_chosen_scale(qtbot, window, small_file, tmp_path):
    w = window
    open_and_wait(qtbot, w, small_file)
    out = tmp_path / "map.svg"
    w.actions.exports.set_options(4, 150)
    w.dialogs.save_path = str(out)
    w.export_png_action.trigger()
    assert out.exists(), w.dialogs.errors
    root = ET.parse(out).getroot()
    texts = "".join(root.itertext())
    assert "Mean |x|" in texts  # the title and the colour bar's label are text, not pixels
    assert "µm" in texts  # the scale bar in the scan's units
    png = tmp_path / "map4.png"
    w.dialogs.save_path = str(png)
    w.export_png_action.trigger()
    grid = w.map_view.grid()
    assert QImage(str(png)).width() > 4 * grid.cols


def test_ticks_scale_bar_and_default_size(qtbot, window, small_file):
    open_and_wait(qtbot, window, small_file)
    fig = map_figure(window.map_view)
    ticks, label = colour_ticks(fig)
    assert label.startswith("Mean |x|") and label.endswith("V)")
    assert len(ticks) >= 2
    assert all(fig.levels[0] - 1e-12 <= v <= fig.levels[1] + 1e-12 for v, _ in ticks)
    assert default_scale(fig) * max(fig.grid.cols, fig.grid.rows) >= 512
    length, text = scale_bar(fig.grid)
    assert 0 < length < abs(fig.grid.dx) * fig.grid.cols and "m" in text
    assert [nice_step(x) for x in (1.0, 7.0, 30.0)] == [0.5, 2.0, 10.0]


def test_figure_titles_leave_out_the_window_notes():
    assert figure_title("Peak amplitude · Peak_Finding_000 (reused) · DC_Offset = 1 V") == \
        "Peak amplitude · Peak_Finding_000 · DC_Offset = 1 V"
    assert figure_title("Peak count · Peak_Finding_001 (running)") == \
        "Peak count · Peak_Finding_001"


def test_count_map_ticks_are_whole_numbers(qtbot, window, small_file):
    open_and_wait(qtbot, window, small_file)
    fig = map_figure(window.map_view, integer=True)
    fig.image = np.round(fig.image / np.nanmax(fig.image) * 9)
    fig.levels, fig.units, fig.quantity = (0.0, 9.0), "", "Peak count"
    ticks, label = colour_ticks(fig)
    assert label == "Peak count"
    assert all(t == str(int(v)) for v, t in ticks)


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_spectrum_figure_and_csv(qtbot, window, small_file, tmp_path, suffix):
    w = window
    open_and_wait(qtbot, w, small_file)
    rep = select_and_wait(qtbot, w, 5, 7)
    ex = w.actions.exports
    fig_path, csv_path = tmp_path / f"spectrum{suffix}", tmp_path / "spectrum.csv"
    w.dialogs.save_path = str(fig_path)
    ex.actions["spectrum_figure"].trigger()
    assert fig_path.exists(), w.dialogs.errors
    fig_path.with_name("last" + suffix).write_bytes(fig_path.read_bytes())
    if suffix == ".png":
        assert QImage(str(fig_path)).width() >= 1.9 * w.spectrum_view.plot_item().width()
    else:
        assert "peaks found" in "".join(ET.parse(fig_path).getroot().itertext())
    w.dialogs.save_path = str(csv_path)
    ex.actions["spectrum_csv"].trigger()
    header = [ln for ln in csv_path.read_text().splitlines() if ln.startswith("#")]
    assert "Position" in header[0] and "Amplitude" in header[1]
    table = np.loadtxt(csv_path, delimiter=",")
    np.testing.assert_allclose(table[:, 1], np.abs(rep.spectrum), rtol=1e-6)
    np.testing.assert_allclose(table[:, 0], w.source.layout.spectral.values, rtol=1e-8)
    assert not w.spectrum_view.plot_item().titleLabel.isVisible()  # it was for the figure


def test_loop_figure_and_csv(qtbot, window, tmp_path):
    path = tmp_path / "beps.h5"
    write_beps_demo(path, rows=5, cols=4, bins=40, dc_steps=10)
    w = window
    open_and_wait(qtbot, w, path)
    select_and_wait(qtbot, w, 1, 2)
    ex = w.actions.exports
    w.dialogs.save_path = str(tmp_path / "loop.png")
    ex.actions["loop_figure"].trigger()
    assert QImage(str(tmp_path / "loop.png")).width() > 100, w.dialogs.errors
    w.dialogs.save_path = str(tmp_path / "loop.csv")
    ex.actions["loop_csv"].trigger()
    table = np.loadtxt(tmp_path / "loop.csv", delimiter=",")
    x, ys = w.loop_plot.curves("test")
    np.testing.assert_allclose(table[:, 0], x)
    assert table.shape == (len(x), 1 + len(ys))
    assert "DC_Offset (V)" in (tmp_path / "loop.csv").read_text().splitlines()[1]


def test_export_without_data_says_why(qtbot, window, tmp_path):
    window.dialogs.save_path = str(tmp_path / "spectrum.csv")
    window.actions.exports.actions["spectrum_csv"].trigger()
    assert "no spectrum" in window.dialogs.errors[-1]
    assert not (tmp_path / "spectrum.csv").exists()


def test_profile_region_and_pinned_spectra_exports(qtbot, window, small_file, tmp_path):
    w = window
    open_and_wait(qtbot, w, small_file)
    ex, tools = w.actions.exports, w.map_tools
    w.dialogs.save_path = str(tmp_path / "profile.csv")
    ex.actions["profile_csv"].trigger()
    assert "no line profile" in w.dialogs.errors[-1]
    tools.profile.add()
    ex.actions["profile_csv"].trigger()
    table = np.loadtxt(tmp_path / "profile.csv", delimiter=",")
    d, v = tools.profile.profile.data()
    np.testing.assert_allclose(table[:, 0], d)
    np.testing.assert_allclose(table[:, 1], v)
    assert "distance (m)" in (tmp_path / "profile.csv").read_text()

    tools.regions.add("rectangle")
    qtbot.waitUntil(lambda: tools.regions.region_mean is not None, timeout=20_000)
    w.dialogs.save_path = str(tmp_path / "region.csv")
    ex.actions["region_csv"].trigger()
    rows = dict(ln.split(",") for ln in (tmp_path / "region.csv").read_text().splitlines()
                if ln and not ln.startswith("#") and not ln.startswith("statistic"))
    assert float(rows["count"]) == tools.regions.stats["count"]
    assert float(rows["mean"]) == pytest.approx(tools.regions.stats["mean"])

    rep = select_and_wait(qtbot, w, 4, 4)
    tools.pins.pin_selected()
    select_and_wait(qtbot, w, 6, 9)
    w.dialogs.save_path = str(tmp_path / "spectrum.csv")
    ex.actions["spectrum_csv"].trigger()
    text = (tmp_path / "spectrum.csv").read_text()
    assert "pin (4, 4) abs" in text
    np.testing.assert_allclose(np.loadtxt(tmp_path / "spectrum.csv", delimiter=",")[:, -1],
                               np.abs(rep.spectrum), rtol=1e-6)


def test_figure_options_are_remembered(qtbot, make_window):
    w = make_window()
    assert w.actions.exports.options() == (0, 300)  # auto size, 300 dpi
    dlg = FigureOptionsDialog(*w.actions.exports.options(), parent=w)
    qtbot.addWidget(dlg)
    assert dlg.scale_spin.text().startswith("auto")
    w.actions.exports.set_options(3, 600)
    w.settings.sync()
    assert make_window().actions.exports.options() == (3, 600)


def test_loop_exports_only_when_a_loop_is_shown(qtbot, window, small_file, tmp_path):
    """Plain BE data has no loop: Export ▸ Loop is greyed with the reason, and never fails."""
    w = window
    acts = w.actions.exports.actions
    assert not acts["loop_figure"].isEnabled()  # nothing open
    open_and_wait(qtbot, w, small_file)
    for name in ("loop_figure", "loop_csv"):
        assert not acts[name].isEnabled()
        assert "no loop" in acts[name].toolTip()
    w.dialogs.save_path = str(tmp_path / "loop.png")
    acts["loop_figure"].trigger()  # a disabled action does nothing
    assert w.dialogs.errors == [] and w.dialogs.unexpected_errors == []
    assert not (tmp_path / "loop.png").exists()
    path = tmp_path / "beps.h5"
    write_beps_demo(path, rows=5, cols=4, bins=40, dc_steps=10)
    open_and_wait(qtbot, w, path)
    assert acts["loop_figure"].isEnabled() and acts["loop_csv"].isEnabled()
    assert "no loop" not in acts["loop_figure"].toolTip()
    acts["loop_figure"].trigger()
    assert QImage(str(tmp_path / "loop.png")).width() > 100, w.dialogs.errors
    w.close_file()
    assert not acts["loop_figure"].isEnabled()
