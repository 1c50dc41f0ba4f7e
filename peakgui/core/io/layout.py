"""How a spectral dataset maps onto (positions, steps, spectral points) and onto an image grid.

The engine, the GUI and the results writer all need the same two mappings: which columns of a
row form the spectrum of one step along the chosen spectral dimension, and where each position
sits on the (rows, cols) image. Both are built once from the index tables, so any dimension order
in the file works, and reading a block of positions is one contiguous HDF5 read plus a gather.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import h5py
import numpy as np

from peakgui.core.dimension import Dimension
from peakgui.core.errors import InputError
from peakgui.core.io.nsid import NsidInfo
from peakgui.core.io.usid import DatasetInfo


@dataclass
class SpectralLayout:
    """A dataset seen as P positions x N steps x S spectral points."""

    info: DatasetInfo
    spectral: Dimension  # the dimension each spectrum runs along
    others: list[Dimension]  # the remaining spectroscopic dims, slowest first
    columns: np.ndarray  # (N, S) column of the flattened row for (step, point)
    row_dim: Dimension | None  # image rows (slow position dim); None for a line scan
    col_dim: Dimension  # image columns (fastest position dim)
    pixel_rc: np.ndarray  # (P, 2) image (row, col) of every position

    @property
    def n_positions(self) -> int:
        return self.info.n_positions

    @property
    def n_steps(self) -> int:
        return int(self.columns.shape[0])

    @property
    def n_points(self) -> int:
        return int(self.columns.shape[1])

    @cached_property
    def grid_shape(self) -> tuple[int, int]:
        rows = int(self.pixel_rc[:, 0].max()) + 1
        cols = int(self.pixel_rc[:, 1].max()) + 1
        return rows, cols

    @property
    def is_contiguous(self) -> bool:
        """True when each step's spectrum is a contiguous run of columns, in order."""
        return bool(np.array_equal(self.columns.ravel(), np.arange(self.columns.size)))

    @cached_property
    def grid_positions(self) -> np.ndarray:
        """(rows, cols) position index of every pixel, -1 where the grid has no position."""
        grid = np.full(self.grid_shape, -1, dtype=np.int64)
        grid[self.pixel_rc[:, 0], self.pixel_rc[:, 1]] = np.arange(len(self.pixel_rc))
        return grid

    def position_of(self, row: int, col: int) -> int:
        """Position index of an image pixel (raises IndexError outside the grid)."""
        rows, cols = self.grid_shape
        p = self.grid_positions[row, col] if 0 <= row < rows and 0 <= col < cols else -1
        if p < 0:
            raise IndexError(f"no position at row {row}, column {col}")
        return int(p)

    def to_image(self, values: np.ndarray, fill: float = np.nan) -> np.ndarray:
        """Scatter one value per position onto the (rows, cols) image grid."""
        img = np.full(self.grid_shape, fill, dtype=np.float64)
        img[self.pixel_rc[:, 0], self.pixel_rc[:, 1]] = values
        return img

    def read(self, dset: h5py.Dataset, start: int, stop: int) -> np.ndarray:
        """Spectra of positions [start, stop) as an (n, N, S) array: one read, then a gather."""
        if isinstance(self.info, NsidInfo):  # axes in any order, read by their scales
            lead = (slice(None),) * self.info.slab_axis
            return self.read_with(lambda k0, k1: dset[lead + (slice(k0, k1),)], dset.shape,
                                  start, stop)
        return self.read_with(lambda r0, r1: dset[r0:r1], dset.shape, start, stop)

    def read_with(self, read_rows: Callable[[int, int], np.ndarray], shape: tuple[int, ...],
                  start: int, stop: int) -> np.ndarray:
        """:meth:`read` with rows [r0, r1) of a dataset of ``shape`` read by ``read_rows``
        (the engine's workers read bytes directly; see core/io/direct_read.py); for an NSID
        dataset, slabs along its slowest spatial axis."""
        if isinstance(self.info, NsidInfo):
            return self._spectra(self.info.read_positions(read_rows, start, stop))
        if len(shape) == 3:  # plain cube: positions run row by row
            cols = shape[1]
            r0, r1 = start // cols, -(-stop // cols)
            raw = read_rows(r0, r1).reshape(-1, shape[2])
            rows = raw[start - r0 * cols: stop - r0 * cols]
        else:
            rows = read_rows(start, stop)
        return self._spectra(rows)

    def _spectra(self, rows: np.ndarray) -> np.ndarray:
        """(n, columns) rows as (n, N, S) spectra."""
        if self.is_contiguous:
            return np.asarray(rows).reshape(rows.shape[0], self.n_steps, self.n_points)
        return np.asarray(rows[:, self.columns])


def default_spectral_dim(info: DatasetInfo) -> str:
    """``Frequency`` when the dataset has it, otherwise the fastest-varying spectroscopic dim."""
    names = info.spectroscopic.names
    for n in names:
        if n.lower() == "frequency":
            return n
    return names[info.spectroscopic.order[-1]]


def build_layout(info: DatasetInfo, spectral_dim: str | None = None) -> SpectralLayout:
    """Work out the (N, S) column map and the image grid for a dataset."""
    spec = info.spectroscopic
    d_s = spec.find(spectral_dim or default_spectral_dim(info))
    sizes = spec.sizes
    other_ids = [d for d in spec.order if d != d_s]  # slowest first
    n_steps = int(np.prod([sizes[d] for d in other_ids])) if other_ids else 1
    step = (
        np.ravel_multi_index(tuple(spec.indices[d] for d in other_ids),
                             tuple(sizes[d] for d in other_ids))
        if other_ids else np.zeros(spec.indices.shape[1], dtype=np.int64)
    )
    columns = np.full((n_steps, sizes[d_s]), -1, dtype=np.int64)
    columns[step, spec.indices[d_s]] = np.arange(spec.indices.shape[1])
    if (columns < 0).any():
        raise InputError(f"{info.path}: spectroscopic indices repeat or leave gaps")

    pos = info.positions
    p_order = pos.order  # slowest first
    fast = p_order[-1]
    slow = p_order[:-1]
    p_sizes = pos.sizes
    col_idx = pos.indices[fast]
    if slow:
        row_idx = np.ravel_multi_index(tuple(pos.indices[d] for d in slow),
                                       tuple(p_sizes[d] for d in slow))
    else:
        row_idx = np.zeros_like(col_idx)
    pixel_rc = np.stack([row_idx, col_idx], axis=1)
    rows, cols = (int(row_idx.max()) + 1, int(col_idx.max()) + 1)
    if len(np.unique(row_idx * cols + col_idx)) != len(col_idx):
        raise InputError(f"{info.path}: two positions share the same place on the grid")

    row_dim = pos.dimension(slow[-1]) if len(slow) == 1 else None
    if len(slow) > 1:
        row_dim = Dimension("Row", "", np.arange(rows, dtype=np.float64))
    return SpectralLayout(
        info=info,
        spectral=spec.dimension(d_s),
        others=[spec.dimension(d) for d in other_ids],
        columns=columns,
        row_dim=row_dim,
        col_dim=pos.dimension(fast),
        pixel_rc=pixel_rc,
    )
