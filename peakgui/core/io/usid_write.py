"""Writing USID main datasets and their ancillaries, the way pyUSID expects to read them.

Used for the demo file and for results. Position tables are (entries, dims) and spectroscopic
tables (dims, entries); dims are listed fastest-varying first, as pyUSID writes them. Both carry
``labels`` and ``units`` on the index and the value dataset.
"""

from __future__ import annotations

from collections.abc import Sequence

import h5py
import numpy as np

from peakgui.core.dimension import Dimension

TEXT = h5py.string_dtype("utf-8")


def grid_indices(sizes: Sequence[int]) -> np.ndarray:
    """(n_dims, prod(sizes)) indices of a full grid, dim 0 varying fastest."""
    if not sizes:
        return np.zeros((0, 1), dtype=np.uint32)
    mesh = np.indices(tuple(reversed(sizes))).reshape(len(sizes), -1)[::-1]
    return mesh.astype(np.uint32)


def _label_attrs(obj: h5py.Dataset, dims: Sequence[Dimension]) -> None:
    obj.attrs.create("labels", [d.name for d in dims], dtype=TEXT)
    obj.attrs.create("units", [d.units for d in dims], dtype=TEXT)
    for d in dims:  # named steps travel on, as BGlib writes them: Field_parameters
        if d.labels:
            obj.attrs.create(f"{d.name}_parameters", list(d.labels), dtype=TEXT)


def write_ancillaries(group: h5py.Group, dims: Sequence[Dimension], spectroscopic: bool,
                      prefix: str | None = None) -> tuple[h5py.Dataset, h5py.Dataset]:
    """Write an index/value pair for dims (fastest first) and return (indices, values)."""
    kind = "Spectroscopic" if spectroscopic else "Position"
    prefix = prefix or kind
    inds = grid_indices([d.size for d in dims])
    vals = np.vstack([np.asarray(d.values, dtype=np.float64)[row] for d, row in zip(dims, inds)])
    vals = vals.astype(np.float32)
    if not spectroscopic:
        inds, vals = inds.T, vals.T
    h5_inds = group.create_dataset(f"{prefix}_Indices", data=inds)
    h5_vals = group.create_dataset(f"{prefix}_Values", data=vals)
    for obj in (h5_inds, h5_vals):
        _label_attrs(obj, dims)
    return h5_inds, h5_vals


def link_as_main(dset: h5py.Dataset, pos: tuple[h5py.Dataset, h5py.Dataset],
                 spec: tuple[h5py.Dataset, h5py.Dataset], quantity: str, units: str) -> None:
    """Attach the four ancillary references and the quantity/units a main dataset carries."""
    dset.attrs["quantity"] = quantity
    dset.attrs["units"] = units
    dset.attrs["Position_Indices"] = pos[0].ref
    dset.attrs["Position_Values"] = pos[1].ref
    dset.attrs["Spectroscopic_Indices"] = spec[0].ref
    dset.attrs["Spectroscopic_Values"] = spec[1].ref


def write_table(group: h5py.Group, dims: Sequence[Dimension], indices: np.ndarray,
                values: np.ndarray, prefix: str) -> tuple[h5py.Dataset, h5py.Dataset]:
    """A spectroscopic index/value pair copied as given ((dims, entries), file order of dims):
    the columns of another dataset, for results stored per point of it."""
    h5_inds = group.create_dataset(f"{prefix}_Indices", data=indices.astype(np.uint32))
    h5_vals = group.create_dataset(f"{prefix}_Values", data=values.astype(np.float32))
    for obj in (h5_inds, h5_vals):
        _label_attrs(obj, dims)
    return h5_inds, h5_vals
