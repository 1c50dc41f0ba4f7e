"""A spectral dataset in a file, described once and read in blocks without holding the file open."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from peakgui.core.errors import InputError
from peakgui.core.io.discover import describe_dataset, find_spectral_datasets
from peakgui.core.io.h5access import open_read
from peakgui.core.io.layout import SpectralLayout, build_layout
from peakgui.core.io.nsid import spectral_choice_note
from peakgui.core.io.usid import DatasetInfo

SEARCH_BUDGET = 5000  # objects a viewer looks at for the default dataset of a file


@dataclass
class SpectralSource:
    """Where the spectra live and how they are laid out; every read opens the file briefly."""

    file: Path
    info: DatasetInfo
    layout: SpectralLayout

    @property
    def notes(self) -> list[str]:
        """What was missing or broken in the file and how it was worked around."""
        return self.info.notes

    @property
    def dataset(self) -> str:
        return self.info.path

    @classmethod
    def open(cls, file: str | os.PathLike[str], dataset: str | None = None,
             spectral_dim: str | None = None) -> SpectralSource:
        """Describe ``dataset`` (default: the first raw USID main dataset, else the first NSID
        spectral image, else the first 3-D cube; never a results dataset)."""
        path = Path(file)
        with open_read(path) as f:
            if dataset is None:
                found = find_spectral_datasets(f, first_only=True)
                if not found:
                    raise InputError(f"{path}: contains no spectral dataset (no USID main "
                                     "dataset, no NSID spectral image and no 3-D cube "
                                     "outside results groups)")
                dataset = found[0]
            info = describe_dataset(f, dataset)
        layout = build_layout(info, spectral_dim)
        note = None if spectral_dim else spectral_choice_note(info, layout.spectral.name)
        if note:
            info.notes.append(note)
        return cls(path, info, layout)

    @staticmethod
    def first_dataset(file: str | os.PathLike[str], budget: int | None = SEARCH_BUDGET) -> str | None:
        """The dataset ``open`` picks by default, looking at no more than ``budget`` objects
        (None when there is none so early: a viewer then lets the user pick)."""
        with open_read(file) as f:
            found = find_spectral_datasets(f, budget, first_only=True)
        return found[0] if found else None

    def with_spectral_dim(self, name: str | None) -> SpectralSource:
        return SpectralSource(self.file, self.info, build_layout(self.info, name))

    def input_key(self) -> dict[str, str]:
        """What the results depend on besides the analysis' parameters: nothing for raw
        spectra; the upstream group for a results source."""
        return {}

    def read(self, start: int, stop: int) -> np.ndarray:
        """Spectra of positions [start, stop) as (n, N, S)."""
        with open_read(self.file) as f:
            return self.layout.read(f[self.dataset], start, stop)

    def read_position(self, position: int) -> np.ndarray:
        """(N, S) spectra of one position; only that position's row is read."""
        if not 0 <= position < self.layout.n_positions:
            raise IndexError(f"position {position} outside 0..{self.layout.n_positions - 1}")
        spectra: np.ndarray = self.read(position, position + 1)[0]
        return spectra
