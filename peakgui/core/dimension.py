"""A named axis with units and a value per step: the one vocabulary of files, analyses and plots."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Dimension:
    """One named dimension with its units and the value at each step."""

    name: str
    units: str
    values: np.ndarray = field(compare=False, repr=False)
    # a name per step where the file gives one (BGlib's Field: 'out-of-field', 'in-field')
    labels: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @property
    def size(self) -> int:
        return len(self.values)

    def label(self) -> str:
        """``Name (units)`` for axis labels."""
        return f"{self.name} ({self.units})" if self.units else self.name

    def step_label(self, index: int) -> str:
        """What to call step ``index``: its label when the file names it, else its value."""
        if 0 <= index < len(self.labels):
            return self.labels[index]
        return f"{self.name} {self.value_at(index):g}"

    def value_at(self, index: Any) -> Any:
        """The axis value at an index (or an array of indices): the one index-to-value rule."""
        return np.asarray(self.values)[index]
