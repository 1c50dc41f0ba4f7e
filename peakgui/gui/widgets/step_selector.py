"""One slider per remaining spectroscopic dimension: which step the maps and the spectrum show.

A dataset with spectroscopic dims Frequency x DC_Offset x Field, analysed along Frequency, has
``DC_Offset`` and ``Field`` left over; its steps are numbered slowest dimension first
(``numpy.ravel_multi_index`` over ``layout.others``), as in the core's results of shape (P, N).
Each slider shows its value with units; arrow keys, Page Up/Down, Home and End move it.
"""

from __future__ import annotations

import numpy as np
from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import QGridLayout, QLabel, QSlider, QWidget

from ...core.dimension import Dimension
from ...core.labels import plain_label
from ..formatting import si


def step_of(dims: list[Dimension], indices: list[int]) -> int:
    """The step number of one index per dimension (dims slowest first)."""
    if not dims:
        return 0
    return int(np.ravel_multi_index(tuple(indices), tuple(d.size for d in dims)))


def indices_of(dims: list[Dimension], step: int) -> list[int]:
    """The index along each dimension (slowest first) of a step number."""
    if not dims:
        return []
    return [int(i) for i in np.unravel_index(step, tuple(d.size for d in dims))]


class StepSelector(QWidget):
    """A labelled slider per dimension; emits the combined step number."""

    sigStepChanged = pyqtSignal(int)
    """The user moved a slider (carries the new step number)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._dims: list[Dimension] = []
        self._sliders: list[QSlider] = []
        self._values: list[QLabel] = []
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(6)
        self._grid.setVerticalSpacing(2)
        self._grid.setColumnStretch(1, 1)
        self.setVisible(False)

    # ---- getters --------------------------------------------------------------------------------
    def dims(self) -> list[Dimension]:
        return list(self._dims)

    def sliders(self) -> list[QSlider]:
        return list(self._sliders)

    def slider(self, name: str) -> QSlider:
        return self._sliders[[d.name for d in self._dims].index(name)]

    def value_text(self, name: str) -> str:
        return self._values[[d.name for d in self._dims].index(name)].text()

    def indices(self) -> list[int]:
        return [s.value() for s in self._sliders]

    def step(self) -> int:
        return step_of(self._dims, self.indices())

    # ---- content --------------------------------------------------------------------------------
    def set_dims(self, dims: list[Dimension], step: int = 0) -> None:
        """New dimensions (slowest first); shown only when there is more than one step."""
        while self._grid.count():
            w = self._grid.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self._dims = [d for d in dims]
        self._sliders, self._values = [], []
        for row, d in enumerate(self._dims):
            name = QLabel(f"{plain_label(d.name)}:")
            slider = QSlider(Qt.Horizontal)
            slider.setObjectName(f"step_{d.name}")
            slider.setRange(0, d.size - 1)
            slider.setPageStep(max(1, d.size // 8))
            slider.setFocusPolicy(Qt.StrongFocus)
            slider.setAccessibleName(f"{plain_label(d.name)} step")
            slider.setToolTip(f"Which {plain_label(d.name)} step the maps and the spectrum show "
                              "(arrow keys, Page Up/Down, Home, End)")
            name.setBuddy(slider)
            value = QLabel("")
            value.setMinimumWidth(110)
            slider.valueChanged.connect(self._on_slider_value_changed)
            self._grid.addWidget(name, row, 0)
            self._grid.addWidget(slider, row, 1)
            self._grid.addWidget(value, row, 2)
            self._sliders.append(slider)
            self._values.append(value)
        self.setVisible(bool(self._dims) and int(np.prod([d.size for d in self._dims])) > 1)
        self.set_step(step, emit=False)

    def set_step(self, step: int, emit: bool = True) -> None:
        """Move the sliders to a step number."""
        for s, i in zip(self._sliders, indices_of(self._dims, step)):
            s.blockSignals(True)
            s.setValue(i)
            s.blockSignals(False)
        self._update_values()
        if emit:
            self.sigStepChanged.emit(self.step())

    def _update_values(self) -> None:
        for d, s, label in zip(self._dims, self._sliders, self._values):
            i = s.value()
            label.setText(f"{si(d.values[i], d.units)}  ({i + 1}/{d.size})")

    def _on_slider_value_changed(self, _value: int) -> None:
        self._update_values()
        self.sigStepChanged.emit(self.step())
