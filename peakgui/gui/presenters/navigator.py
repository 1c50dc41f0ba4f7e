"""The navigator images (mean |x| over the spectral axis, or |x| at one bin), read in workers.

A main dataset can be far larger than memory, so it is read in blocks of positions through the
core's SpectralSource (each block opens and closes the file). The worker yields the image so far
every half second, so a big map fills in, and the whole image at the end; a newer request (another
step or bin, another dataset) abandons the older within one block.
"""

from __future__ import annotations

import time
from collections.abc import Generator

import numpy as np
from PyQt5.QtCore import QObject, pyqtSignal

from ...core.analyses.maps import Navigator
from ...core.io.source import SpectralSource
from ...core.labels import plain_label
from ..formatting import error_text, si
from ..workers import LatestOnly
from .map_layers import MapLayers

MEAN = Navigator.MEAN
BIN = Navigator.BIN
BLOCK_BYTES = 32 << 20


def navigator_images(source: SpectralSource, mode: Navigator, bin_index: int, step: int,
                     block_bytes: int = BLOCK_BYTES,
                     every_s: float = 0.5) -> Generator[tuple[np.ndarray | None, bool], None, None]:
    """``(image, complete)``: partial images every ``every_s`` seconds, then the whole one."""
    lay = source.layout
    n = lay.n_positions
    row_bytes = max(1, source.info.n_columns * source.info.dtype.itemsize)
    block = max(1, block_bytes // row_bytes)
    values = np.full(n, np.nan)
    last = time.monotonic()
    for a in range(0, n, block):
        b = min(n, a + block)
        spectra = source.read(a, b)[:, step, :]  # (n, S)
        if mode == BIN:
            values[a:b] = np.abs(spectra[:, bin_index])
        else:
            values[a:b] = np.abs(spectra).mean(axis=1)
        if b < n and time.monotonic() - last > every_s:
            last = time.monotonic()
            yield lay.to_image(values), False
        elif b < n:
            yield None, False  # a chance to be paused or abandoned between blocks
    yield lay.to_image(values), True


# its signals and constructor have MapLayers' shape (the Qt idiom of a presenter), not its logic
class NavigatorController(QObject):
    """Keeps the two navigator layers of the current source up to date."""

    sigReady = pyqtSignal(object)
    """A complete navigator image is shown (carries its Navigator)."""
    sigFailed = pyqtSignal(str)
    """Reading the dataset failed (carries the reason)."""

    def __init__(self, layers: MapLayers, parent: QObject | None = None):
        super().__init__(parent)
        self._layers = layers
        self._source: SpectralSource | None = None
        self._workers = {MEAN: LatestOnly(self), BIN: LatestOnly(self)}

    def set_source(self, source: SpectralSource | None) -> None:
        self.abort()
        self._source = source

    def busy(self) -> bool:
        return any(w.busy() for w in self._workers.values())

    def start(self, mode: Navigator, bin_index: int, step: int, suffix: str = "") -> None:
        """Compute one navigator image (the previous request of that mode is abandoned)."""
        src = self._source
        if src is None:
            return
        lay = src.layout
        if mode is BIN:
            title = (f"|x| at {plain_label(lay.spectral.name)} = "
                     f"{si(lay.spectral.values[bin_index], lay.spectral.units)}")
        else:
            title = f"Mean |x| over {plain_label(lay.spectral.name)}"
        title += suffix
        units = src.info.units

        def shown(item: tuple[np.ndarray | None, bool]) -> None:
            image, complete = item
            if image is None:
                return
            self._layers.set_layer(mode, image, title + ("" if complete else " (loading…)"),
                                   units)
            if complete:
                self.sigReady.emit(mode)

        self._workers[mode].start(navigator_images, src, mode, bin_index, step, on_yield=shown,
                                  on_error=lambda exc: self.sigFailed.emit(
                                      f"navigator image: {error_text(exc)}"))

    def abort(self) -> None:
        for w in self._workers.values():
            w.abort()
