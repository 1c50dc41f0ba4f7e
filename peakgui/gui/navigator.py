"""The navigator image (mean |x| over the spectral axis, or |x| at one bin) computed off the GUI thread.

A main dataset can be far larger than memory, so it is read in blocks of positions through the
core's SpectralSource (each block opens and closes the file), in a worker thread that can be
abandoned when the user moves on. The image appears when it is complete; for big files partial
images are sent every half second so the map fills in.
"""

from __future__ import annotations

import time

import numpy as np
from PyQt5.QtCore import pyqtSignal

from ..core.io.source import SpectralSource
from .run_controller import error_text
from .threads import TrackedThread

MEAN = "mean"
BIN = "bin"


class NavigatorThread(TrackedThread):
    """Computes one navigator image; abort() makes it stop after the block in flight."""

    sigImageReady = pyqtSignal(object, str, int, object, bool)
    """(image, mode, bin, step, complete): the image so far, or the whole image."""
    sigFailed = pyqtSignal(str)
    """Reading the dataset failed (carries the reason)."""

    def __init__(self, source: SpectralSource, mode: str = MEAN, bin_index: int = 0, step: int = 0,
                 block_bytes: int = 32 << 20):
        super().__init__()
        self.source = source
        self.mode = mode
        self.bin_index = bin_index
        self.step = step
        self._block_bytes = block_bytes
        self._abort = False

    def abort(self) -> None:
        self._abort = True

    def run(self) -> None:  # in the worker thread
        lay = self.source.layout
        n = lay.n_positions
        row_bytes = max(1, self.source.info.n_columns * self.source.info.dtype.itemsize)
        block = max(1, self._block_bytes // row_bytes)
        values = np.full(n, np.nan)
        last_emit = time.monotonic()
        try:
            for a in range(0, n, block):
                if self._abort:
                    return
                b = min(n, a + block)
                spectra = self.source.read(a, b)[:, self.step, :]  # (n, S)
                if self.mode == BIN:
                    values[a:b] = np.abs(spectra[:, self.bin_index])
                else:
                    values[a:b] = np.abs(spectra).mean(axis=1)
                if b < n and time.monotonic() - last_emit > 0.5:
                    last_emit = time.monotonic()
                    self.sigImageReady.emit(lay.to_image(values), self.mode, self.bin_index,
                                            self.step, False)
        except Exception as exc:  # noqa: BLE001 - shown in the status bar
            if not self._abort:
                self.sigFailed.emit(f"navigator image: {error_text(exc)}")
            return
        if not self._abort:
            self.sigImageReady.emit(lay.to_image(values), self.mode, self.bin_index, self.step,
                                    True)
