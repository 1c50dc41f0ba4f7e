"""Regions on the map: statistics of the shown map inside, and the region's mean spectrum with
the analysis' pixel test on it (read in a worker, tested through the engine's inspect)."""

from __future__ import annotations

import numpy as np
import pytest

from peakgui.core.run.engine import AnalysisRun
from peakgui.gui.widgets.map_grid import MapGrid
from peakgui.gui.widgets.regions import (
    ELLIPSE,
    POLYGON,
    RECTANGLE,
    contiguous_runs,
    map_statistics,
    polygon_mask,
)
from tests.gui.helpers import open_and_wait, settle
from tests.gui.presenters.test_inspector import click_map


def _grid(rows=4, cols=5) -> MapGrid:
    return MapGrid(rows, cols, 0.0, 1.0, "X", "m", 0.0, 1.0, "Y", "m",
                   np.arange(cols, dtype=float), np.arange(rows, dtype=float))


def test_polygon_mask_takes_the_pixel_centres_inside():
    g = _grid()
    m = polygon_mask(g, np.array([0.5, 2.5, 2.5, 0.5]), np.array([0.5, 0.5, 2.5, 2.5]))
    expected = np.zeros((4, 5), bool)
    expected[1:3, 1:3] = True
    np.testing.assert_array_equal(m, expected)


def test_statistics_ignore_not_computed_pixels():
    img = np.array([[1.0, 2.0, np.nan], [3.0, 4.0, 100.0]])
    mask = np.array([[True, True, True], [True, True, False]])
    s = map_statistics(img, mask)
    assert s["count"] == 4 and s["mean"] == 2.5 and s["min"] == 1 and s["max"] == 4
    assert s["median"] == 2.5 and s["std"] == pytest.approx(np.std([1, 2, 3, 4], ddof=1))
    assert map_statistics(img, np.zeros_like(mask))["count"] == 0


def test_contiguous_runs_cover_each_position_once():
    pos = np.array([7, 3, 4, 5, 10, 11, 12, 13])
    runs = list(contiguous_runs(pos, block=3))
    assert runs == [(3, 6), (7, 8), (10, 13), (13, 14)]


@pytest.mark.parametrize("shape", [RECTANGLE, ELLIPSE, POLYGON])
def test_region_statistics_and_mean_spectrum(qtbot, window, small_file, shape):
    w = window
    open_and_wait(qtbot, w, small_file)
    tools = w.map_tools.regions
    grid = w.map_view.grid()
    assert tools.add(shape)
    qtbot.waitUntil(lambda: tools.region_mean is not None, timeout=20_000)
    settle(qtbot, w)
    mask = tools.mask()
    n = int(mask.sum())
    assert 0 < n < grid.rows * grid.cols
    # statistics of the shown map inside the region, in the table with units
    img = w.map_view.image()
    inside = img[mask]
    assert tools.stats["count"] == n
    assert tools.stats["mean"] == pytest.approx(np.nanmean(inside))
    assert tools.stats["p95"] == pytest.approx(np.percentile(inside, 95))
    assert tools.stats_table.item(1, 0).text().endswith("V")
    # the mean spectrum of those positions, tested by the engine, in the spectrum view
    pos = w.source.layout.grid_positions[mask]
    spectra = np.stack([w.source.read_position(int(p))[0] for p in pos])
    # what is plotted is averaged: the mean of |x| (|mean x| cancels where phases differ),
    # with the phase of the mean of x
    mean_abs = np.abs(spectra).mean(axis=0)
    assert np.abs(spectra.mean(axis=0)).max() < 0.99 * mean_abs.max()  # they do differ here
    shown = tools.region_mean.spectrum
    np.testing.assert_allclose(np.abs(shown), mean_abs, rtol=1e-5)
    np.testing.assert_allclose(np.angle(shown), np.angle(spectra.mean(axis=0)), atol=1e-6)
    np.testing.assert_allclose(w.spectrum_view.curve_data()[1], mean_abs, rtol=1e-5)
    detail = AnalysisRun(w.source, "peak_finding", w.params_panel.params(), n_jobs=1).inspect(shown)
    assert tools.region_mean.detail.values == pytest.approx(detail.values, nan_ok=True)
    assert "Region mean" in w.spectrum_view.title().text()
    left = w.spectrum_view.plot_item().getAxis("left")
    q = w.source.info.quantity
    quantity = q if len(q) < 24 else "x"  # a long name is shortened on the axis
    assert (left.labelText, left.labelUnits) == (f"mean |{quantity}|", w.source.info.units)
    assert "mean |x|" in w.spectrum_view.legend_names()
    w.spectrum_view.set_mode("phase")
    assert left.labelText.startswith("Phase of the mean")
    w.spectrum_view.set_mode("amplitude")
    click_map(qtbot, w, 1, 1)  # a pixel again: its own spectrum, its own label
    assert left.labelText == f"|{quantity}|" and "|x|" in w.spectrum_view.legend_names()
    assert "Amplitude" in w.spectrum_view.readout().text()
    assert f"{n} positions" in tools.label.text()


def test_moving_the_region_updates_it_and_a_new_file_removes_it(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    tools = w.map_tools.regions
    tools.add(RECTANGLE)
    qtbot.waitUntil(lambda: tools.region_mean is not None, timeout=20_000)
    settle(qtbot, w)
    g = w.map_view.grid()
    # a rectangle over exactly rows 2-4, cols 3-6
    x0, y0 = g.x0 + (3 - 0.5) * g.dx, g.y0 + (2 - 0.5) * g.dy
    first = tools.region_mean
    tools.region.set_rect(x0, y0, 4 * g.dx, 3 * g.dy)
    qtbot.waitUntil(lambda: tools.region_mean is not first, timeout=20_000)
    settle(qtbot, w)
    assert tools.stats["count"] == 12 and tools.region_mean.count == 12
    open_and_wait(qtbot, w, small_file)
    assert tools.region.roi is None and tools.stats == {}


def test_the_mean_stays_shown_and_tested_again_until_a_pixel_is_clicked(qtbot, window,
                                                                        small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    tools = w.map_tools.regions
    tools.add(ELLIPSE)
    qtbot.waitUntil(lambda: tools.region_mean is not None, timeout=20_000)
    settle(qtbot, w)
    params = dict(w.params_panel.params())
    params["min_snr"] = 5.0
    with qtbot.waitSignal(w.sigPixelTested, timeout=10_000):
        w.params_panel.set_params(params)  # the pixel test runs again, and so does the mean's
    assert "Region mean" in w.spectrum_view.title().text()
    run = AnalysisRun(w.source, "peak_finding", params, n_jobs=1)
    expected = run.inspect(tools.region_mean.spectrum)
    assert w.spectrum_view.detail().values == pytest.approx(expected.values, nan_ok=True)
    g = w.map_view.grid()
    with qtbot.waitSignal(w.sigPixelTested, timeout=10_000):
        w.map_view.click_pixel(1, 1)
    assert "Position" in w.spectrum_view.title().text()
    params["min_snr"] = 2.0
    with qtbot.waitSignal(w.sigPixelTested, timeout=10_000):
        w.params_panel.set_params(params)
    qtbot.wait(50)  # let a (wrong) deferred region redraw happen, if any
    assert "Position" in w.spectrum_view.title().text()  # the pixel stays
    assert g is w.map_view.grid()


def test_region_mean_follows_the_dc_step(qtbot, window, tmp_path):
    from peakgui.core.demo.beps import write_beps_demo

    path = tmp_path / "beps.h5"
    write_beps_demo(path, rows=5, cols=4, bins=40, dc_steps=8)
    w = window
    open_and_wait(qtbot, w, path)
    tools = w.map_tools.regions
    tools.add(RECTANGLE)
    qtbot.waitUntil(lambda: tools.region_mean is not None, timeout=20_000)
    settle(qtbot, w)
    w.spectrum_view.step_selector().slider("DC_Offset").setValue(5)
    qtbot.waitUntil(lambda: "Region mean" in w.spectrum_view.title().text(), timeout=5_000)
    settle(qtbot, w)
    m = tools.region_mean
    assert m.step == w.inspector.step == w.spectrum_view.step() > 0
    mask = tools.mask()
    pos = w.source.layout.grid_positions[mask]
    expected = np.mean([np.abs(w.source.read_position(int(p))[m.step]) for p in pos], axis=0)
    np.testing.assert_allclose(w.spectrum_view.curve_data()[1], expected, rtol=1e-5)
    assert "DC_Offset" in w.spectrum_view.title().text()
