"""An exported map figure shows masked pixels in the colour the screen and its title use, and a
long title wraps over the map instead of widening the figure into a strip."""

from __future__ import annotations

import pytest
from PyQt5.QtGui import QFontMetricsF, QImage

from peakgui.gui.export.figures import figure_layout, map_figure
from peakgui.gui.widgets.colormaps import mask_colour
from tests.gui.export.test_figures import _rgb
from tests.gui.quality_helpers import sho_run, write_noisy


@pytest.fixture
def noisy_file(tmp_path):
    return write_noisy(tmp_path)


def export(w, path, scale):
    w.actions.exports.set_options(scale, 100)
    w.dialogs.save_path = str(path)
    w.export_png_action.trigger()
    assert path.exists(), w.dialogs.errors
    return QImage(str(path))


def test_masked_pixels_are_exported_in_the_colour_the_title_names(qtbot, window, noisy_file,
                                                                  tmp_path):
    w = window
    sho_run(qtbot, w, noisy_file)
    w.layers.show("Fit_Frequency")
    assert w.layers.mask_count() > 0
    rgba, word = mask_colour(w.map_view.shown_colormap())
    assert f"({word})" in w.map_view.title_text()
    png = export(w, tmp_path / "f0.png", 1)
    fig = map_figure(w.map_view)
    lay = figure_layout(fig, 1, 100)
    assert (png.width(), png.height()) == (lay.size.width(), lay.size.height())
    r = lay.map_rect
    grid = w.map_view.grid()
    block = _rgb(png)[int(r.top()): int(r.top()) + grid.rows,
                      int(r.left()): int(r.left()) + grid.cols]
    mask = w.map_view.mask()[0]
    if grid.dy > 0:  # the figure's rows run upwards, as on screen
        mask = mask[::-1]
    inner, block = mask[1:-1, 1:-1], block[1:-1, 1:-1]  # the frame is drawn over the edge
    assert inner.any() and (block[inner] == rgba[:3]).all()  # not white, as before
    assert not (block[~inner] == rgba[:3]).all(axis=-1).any()
    assert word in fig.title


def test_a_long_title_wraps_and_the_figure_follows_the_map(qtbot, window, noisy_file,
                                                          tmp_path):
    w = window
    sho_run(qtbot, w, noisy_file)
    w.layers.show("Fit_Quality_Factor")
    title = w.map_view.title_text()
    assert len(title) > 60  # "SHO quality factor · SHO_Fit_000 · N pixels with a failed..."
    png = export(w, tmp_path / "q.png", 4)
    lay = figure_layout(map_figure(w.map_view), 4, 100)
    # the title wrapped to the width of the map and its colour bar (at least 30 characters),
    # on more than one line: not one line that sets the figure's width with the map in a corner
    fm = QFontMetricsF(lay.title_font)
    assert png.width() < fm.horizontalAdvance(title)
    assert png.width() <= max(lay.content_w, fm.averageCharWidth() * 30) + 1
    assert lay.title_h > 1.8 * fm.height()
    assert (png.width(), png.height()) == (lay.size.width(), lay.size.height())
