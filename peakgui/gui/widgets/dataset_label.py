"""The status bar's note of the open dataset: its name and shape, the file in the tooltip."""

from __future__ import annotations

from PyQt5.QtWidgets import QLabel

from ...core.io.source import SpectralSource
from ...core.labels import plain_label


class DatasetLabel(QLabel):
    """'Raw_Data: 128 × 128 × 119' for the open dataset; empty when none is."""

    def show_source(self, source: SpectralSource | None) -> None:
        if source is None:
            self.setText("")
            self.setToolTip("")
            return
        lay, info = source.layout, source.info
        rows, cols = lay.grid_shape
        self.setText(f"{info.name}: {rows} × {cols} × {lay.n_points}")
        self.setToolTip(f"{source.file}:{source.dataset}\n{rows} × {cols} positions, "
                        f"{lay.n_points} points along {plain_label(lay.spectral.name)}, "
                        f"{lay.n_steps} step(s)")
