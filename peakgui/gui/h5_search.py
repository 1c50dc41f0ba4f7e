"""Finding the dataset to open first, without walking a huge file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import h5py

from ..core.h5access import open_read
from ..core.usid import is_main_dataset, is_plain_cube

SEARCH_BUDGET = 5000  # objects looked at when searching a file for its first spectral dataset


def first_spectral_dataset(file: Path, budget: int = SEARCH_BUDGET) -> str | None:
    """The dataset the batch CLI would pick (first USID main dataset, else first 3-D cube, in
    HDF5's depth-first name order), but giving up after ``budget`` objects so that a file with
    10^5 objects still opens at once (the user then picks in the tree)."""
    with open_read(file) as f:
        seen = 0
        first_cube = None

        def walk(group: h5py.Group) -> Iterator[h5py.HLObject]:
            nonlocal seen
            for name in group:
                if seen >= budget:
                    return
                if not isinstance(group.get(name, getlink=True), h5py.HardLink):
                    continue  # like H5Ovisit: objects reached through hard links only
                seen += 1
                try:
                    obj = group[name]
                except (KeyError, OSError, RuntimeError, ValueError):
                    continue
                yield obj
                if isinstance(obj, h5py.Group):
                    yield from walk(obj)

        for obj in walk(f):
            if is_main_dataset(obj):
                return obj.name
            if first_cube is None and is_plain_cube(obj):
                first_cube = obj.name
        return first_cube
