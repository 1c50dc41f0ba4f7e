"""Navigator images: read in blocks by a generator, shown by the controller, newest wins."""

from __future__ import annotations

import numpy as np

from peakgui.core.io.source import SpectralSource
from peakgui.gui.presenters.map_layers import NAVIGATOR_BIN, NAVIGATOR_MEAN, MapLayers
from peakgui.gui.presenters.navigator import BIN, MEAN, NavigatorController, navigator_images
from peakgui.gui.widgets.map_grid import MapGrid
from peakgui.gui.widgets.map_view import MapView


def test_images_arrive_block_by_block_then_whole(small_file):
    src = SpectralSource.open(small_file)
    row = src.info.n_columns * src.info.dtype.itemsize
    items = list(navigator_images(src, MEAN, 0, 0, block_bytes=row * 100, every_s=0.0))
    assert items[-1][1] and not any(done for _, done in items[:-1])
    assert len(items) == -(-src.layout.n_positions // 100)
    partial = items[0][0]
    assert np.isfinite(partial).sum() == 100
    spectra = src.read(0, src.layout.n_positions)[:, 0, :]
    np.testing.assert_allclose(items[-1][0], src.layout.to_image(np.abs(spectra).mean(1)),
                               rtol=1e-6)
    (last,) = [img for img, done in navigator_images(src, BIN, 7, 0) if done]
    np.testing.assert_allclose(last, src.layout.to_image(np.abs(spectra[:, 7])), rtol=1e-6)


def test_the_controller_shows_the_newest_request(qtbot, small_file):
    src = SpectralSource.open(small_file)
    view = MapView()
    qtbot.addWidget(view)
    layers = MapLayers(view)
    view.set_grid(MapGrid.from_layout(src.layout))
    nav = NavigatorController(layers)
    nav.set_source(src)
    with qtbot.waitSignal(nav.sigReady, timeout=10_000) as ready:
        nav.start(BIN, 3, 0)
        nav.start(BIN, 9, 0)  # abandons the first
    assert ready.args == [BIN]
    qtbot.waitUntil(lambda: not nav.busy(), timeout=5_000)
    spectra = src.read(0, src.layout.n_positions)[:, 0, :]
    np.testing.assert_allclose(layers.image(NAVIGATOR_BIN),
                               src.layout.to_image(np.abs(spectra[:, 9])), rtol=1e-6)
    assert "Frequency" in layers.title(NAVIGATOR_BIN)
    assert layers.image(NAVIGATOR_MEAN) is None
