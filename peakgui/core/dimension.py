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

    @property
    def size(self) -> int:
        return len(self.values)

    def label(self) -> str:
        """``Name (units)`` for axis labels."""
        return f"{self.name} ({self.units})" if self.units else self.name

    def value_at(self, index: Any) -> Any:
        """The axis value at an index (or an array of indices): the one index-to-value rule."""
        return np.asarray(self.values)[index]
