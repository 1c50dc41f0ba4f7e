"""Reading the USID model: which datasets are spectral maps, and what their dimensions are.

A USID *main* dataset is 2-D (positions, spectral points) and points, through object-reference
attributes, at four ancillary datasets that give every row its position indices and values and
every column its spectroscopic indices and values. Files written by pyUSID and pycroscopy over the
years differ in the details (bytes or str attributes, dims listed fastest-first or slowest-first,
region references present or not), so everything here reads the actual index tables instead of
trusting an order. A plain 3-D dataset (rows, cols, points) is accepted too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import h5py
import numpy as np

from peakgui.core.dimension import Dimension
from peakgui.core.errors import InputError

ANCILLARY_NAMES = (
    "Position_Indices",
    "Position_Values",
    "Spectroscopic_Indices",
    "Spectroscopic_Values",
)


@dataclass
class DimensionTable:
    """The index/value table of one side (positions or spectroscopic) of a main dataset.

    ``indices`` has one row per dimension and one column per entry of that side; dimensions are
    kept in the order the file lists them. ``order`` lists them slowest-varying first.
    """

    names: list[str]
    units: list[str]
    indices: np.ndarray  # (n_dims, n_entries) integer
    values: np.ndarray  # (n_dims, n_entries) float
    # step names of a dim, from BGlib's ``<dim>_parameters`` attribute ('Field': out-, in-field)
    step_labels: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def sizes(self) -> list[int]:
        return [int(row.max()) + 1 if row.size else 0 for row in self.indices]

    @property
    def order(self) -> list[int]:
        """Dimension numbers sorted slowest-varying first (ties keep file order)."""
        return sorted(range(len(self.names)), key=lambda d: _change_count(self.indices[d]))

    def dimension(self, d: int) -> Dimension:
        """Dimension d with its value at each of its steps (read where the other dims are 0)."""
        size = self.sizes[d]
        vals = np.full(size, np.nan)
        vals[self.indices[d]] = self.values[d]  # every entry with index k carries value k's value
        return Dimension(self.names[d], self.units[d], vals,
                         step_names(self.step_labels.get(self.names[d], ()), vals))

    def find(self, name: str) -> int:
        for d, n in enumerate(self.names):
            if n.lower() == name.lower():
                return d
        raise InputError(f"no dimension named {name!r} (have: {', '.join(self.names)})")


@dataclass
class DatasetInfo:
    """What PeakGUI knows about a spectral dataset, independent of the file handle."""

    path: str  # HDF5 path of the dataset
    shape: tuple[int, ...]
    dtype: np.dtype
    quantity: str
    units: str
    is_usid: bool
    positions: DimensionTable
    spectroscopic: DimensionTable
    notes: list[str] = field(default_factory=list)  # what was missing and how it was recovered

    @property
    def n_positions(self) -> int:
        return int(self.positions.indices.shape[1])

    @property
    def n_columns(self) -> int:
        """Spectral points per position, all spectroscopic dims flattened."""
        return int(self.spectroscopic.indices.shape[1])

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def parent(self) -> str:
        return self.path.rsplit("/", 1)[0] or "/"


def step_names(named: tuple[str, ...] | list[str], values: np.ndarray) -> tuple[str, ...]:
    """Each step's name from BGlib's ``<dim>_parameters``, which names each *value* (Field 0 is
    'out-of-field' even where the in-field spectra come first); by step when the values are
    not whole numbers it can index. Empty when there are no names."""
    if not len(named):
        return ()
    whole = np.isfinite(values).all() and np.all(values == np.round(values))
    if whole and values.min() >= 0 and values.max() < len(named):
        return tuple(str(named[int(v)]) for v in values)
    return tuple(str(n) for n in named) if len(named) == len(values) else ()


def _change_count(row: np.ndarray) -> int:
    """How often an index row changes value between neighbours: high for fast dims."""
    return int(np.count_nonzero(np.diff(row))) if row.size > 1 else 0


def as_text(value: Any) -> str:
    """An HDF5 attribute as str, whether it was stored as bytes, str or a 1-element array."""
    if isinstance(value, np.ndarray):
        value = value.item() if value.size == 1 else value.tolist()
    if isinstance(value, bytes | np.bytes_):
        return value.decode("utf-8", errors="replace")
    return str(value)


def as_text_list(value: Any) -> list[str]:
    """A labels/units attribute as a list of str (arrays of bytes or str, or one string)."""
    if value is None:
        return []
    if isinstance(value, str | bytes | np.bytes_):
        return [as_text(value)]
    return [as_text(v) for v in np.asarray(value).ravel()]


def _deref(dset: h5py.Dataset, attr: str, notes: list[str] | None = None) -> h5py.Dataset:
    """Follow an ancillary link (object reference, or a path string in some old files).

    A reference whose dataset was deleted may still reach the unlinked object (HDF5 keeps its
    bytes until the space is reused): it is read, but ``notes`` says so, since nothing
    guarantees those bytes are still the ancillary's."""
    ref = dset.attrs.get(attr)
    if ref is None:
        raise InputError(f"{dset.name}: attribute {attr} is missing")
    try:
        if isinstance(ref, h5py.Reference):
            if not ref:
                raise InputError(f"{dset.name}: {attr} is a null reference")
            target = dset.file[ref]
        else:
            path = as_text(ref)
            target = dset.file[path] if path.startswith("/") else dset.parent[path]
    except (KeyError, ValueError, OSError):
        raise InputError(f"{dset.name}: {attr} points at nothing (dangling reference)") from None
    if not isinstance(target, h5py.Dataset):
        raise InputError(f"{dset.name}: {attr} does not point at a dataset")
    if target.name is None and notes is not None:  # no link left to it: deleted from the file
        notes.append(f"{dset.name}: {attr} was deleted from the file (dangling reference); "
                     "its unlinked data were read instead")
    return target


def _link_of(f: h5py.File, path: str) -> Any:
    """The link object at path (hard, soft or external), or None when the parent is missing."""
    try:
        return f.get(path, getlink=True)
    except (KeyError, ValueError, OSError):
        return None


def is_main_dataset(obj: Any) -> bool:
    """Cheap check: a 2-D dataset carrying all four ancillary attributes."""
    return (
        isinstance(obj, h5py.Dataset)
        and obj.ndim == 2
        and all(name in obj.attrs for name in ANCILLARY_NAMES)
    )


def is_plain_cube(obj: Any) -> bool:
    """A numeric 3-D (rows, cols, points) dataset without USID ancillaries."""
    return (
        isinstance(obj, h5py.Dataset)
        and obj.ndim == 3
        and (np.issubdtype(obj.dtype, np.number))
        and not is_main_dataset(obj)
    )


def iter_objects(group: h5py.Group, budget: int | None = None) -> Iterator[h5py.HLObject]:
    """Objects below group, depth first in name order, reached through hard links only (as
    H5Ovisit does), giving up after ``budget`` objects so a huge file is never walked whole."""
    seen = 0

    def walk(g: h5py.Group) -> Iterator[h5py.HLObject]:
        nonlocal seen
        for name in g:
            if budget is not None and seen >= budget:
                return
            if not isinstance(g.get(name, getlink=True), h5py.HardLink):
                continue
            seen += 1
            try:
                obj = g[name]
            except (KeyError, OSError, RuntimeError, ValueError):
                continue  # an unreadable object is skipped, not fatal
            yield obj
            if isinstance(obj, h5py.Group):
                yield from walk(obj)

    return walk(group)


def _read_table(anc_inds: h5py.Dataset, anc_vals: h5py.Dataset, side: str, n: int,
                entries_axis: int, notes: list[str] | None = None) -> DimensionTable:
    """Read an index/value pair into (n_dims, n_entries) arrays and check their shapes."""
    inds = np.asarray(anc_inds[()])
    vals = np.asarray(anc_vals[()])
    if inds.ndim == 1:
        inds = inds[:, None] if entries_axis == 0 else inds[None, :]
        vals = vals.reshape(inds.shape) if vals.size == inds.size else vals
    if inds.ndim != 2 or vals.shape != inds.shape:
        raise InputError(
            f"{anc_inds.name}: {side} indices {inds.shape} and values {vals.shape} do not match"
        )
    if entries_axis == 0:
        inds, vals = inds.T, vals.T
    if inds.shape[1] != n:
        raise InputError(
            f"{anc_inds.name}: has {inds.shape[1]} {side} entries, the dataset has {n}"
        )
    if not np.issubdtype(inds.dtype, np.integer):
        if not np.all(np.isfinite(inds)) or np.any(inds != np.round(inds)):
            raise InputError(f"{anc_inds.name}: {side} indices are not whole numbers")
    if inds.size and inds.min() < 0:
        raise InputError(f"{anc_inds.name}: {side} indices are negative")
    n_dims = inds.shape[0]
    names = as_text_list(anc_inds.attrs.get("labels"))
    units = as_text_list(anc_inds.attrs.get("units"))
    if len(names) != n_dims:
        names = [f"Dim_{d}" for d in range(n_dims)]
        if notes is not None:
            notes.append(f"{anc_inds.name} has no usable labels: {side} dimensions named "
                         f"{', '.join(names)}")
    if len(units) != n_dims:
        units = [""] * n_dims
        if notes is not None:
            notes.append(f"{anc_inds.name} has no usable units: {side} values shown unitless")
    labels = {}
    for name in names:  # BGlib writes them on both tables; either will do
        found = anc_vals.attrs.get(f"{name}_parameters", anc_inds.attrs.get(f"{name}_parameters"))
        if found is not None and not isinstance(found, h5py.Reference):
            labels[name] = tuple(as_text_list(found))
    return DimensionTable(names, units, inds.astype(np.int64), vals.astype(np.float64), labels)


def describe(f: h5py.File, path: str) -> DatasetInfo:
    """Read the dimensions of a spectral dataset, raising InputError when it is not one."""
    link = _link_of(f, path)
    try:
        obj = f[path]
    except KeyError:
        if isinstance(link, h5py.ExternalLink):
            raise InputError(f"{path}: broken external link to {link.filename}:{link.path}") \
                from None
        if isinstance(link, h5py.SoftLink):
            raise InputError(f"{path}: broken soft link to {link.path}") from None
        raise InputError(f"{f.filename}: no dataset {path}") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{f.filename}: {path} cannot be read ({exc})") from None
    if not isinstance(obj, h5py.Dataset):
        raise InputError(f"{path}: is a group, not a dataset")
    if not (np.issubdtype(obj.dtype, np.number)):
        raise InputError(f"{path}: holds {obj.dtype} values, not numbers")
    if 0 in obj.shape:
        raise InputError(f"{path}: has an empty dimension {obj.shape}")
    if is_main_dataset(obj):
        return _describe_usid(obj)
    present = [name for name in ANCILLARY_NAMES if name in obj.attrs]
    if obj.ndim == 2 and present:
        missing = ", ".join(n for n in ANCILLARY_NAMES if n not in present)
        raise InputError(f"{path}: USID ancillary attribute(s) missing: {missing}")
    if obj.ndim == 3:
        return _describe_cube(obj)
    raise InputError(
        f"{path}: shape {obj.shape} is not a spectral map "
        "(need a USID main dataset or a (rows, cols, points) cube)"
    )


def describe_main(dset: h5py.Dataset) -> DatasetInfo:
    """A USID main dataset of any dtype: also the compound ``Fit`` of a results group, which
    :func:`describe` refuses as spectra."""
    if not is_main_dataset(dset):
        raise InputError(f"{dset.name}: is not a USID main dataset")
    return _describe_usid(dset)


def _describe_usid(dset: h5py.Dataset) -> DatasetInfo:
    n_pos, n_spec = dset.shape
    notes: list[str] = []
    anc = {name: _deref(dset, name, notes) for name in ANCILLARY_NAMES}
    pos = _read_table(anc["Position_Indices"], anc["Position_Values"],
                      "position", n_pos, entries_axis=0, notes=notes)
    spec = _read_table(anc["Spectroscopic_Indices"], anc["Spectroscopic_Values"],
                       "spectroscopic", n_spec, entries_axis=1, notes=notes)
    for side, table in (("position", pos), ("spectroscopic", spec)):
        expected = int(np.prod(table.sizes))
        if expected != table.indices.shape[1]:
            raise InputError(
                f"{dset.name}: {side} indices do not form a full grid "
                f"(sizes {table.sizes} make {expected}, have {table.indices.shape[1]})"
            )
    return _info(dset, True, pos, spec, ("", ""), notes)


def _describe_cube(dset: h5py.Dataset) -> DatasetInfo:
    rows, cols, points = dset.shape
    y, x = np.divmod(np.arange(rows * cols), cols)
    pos = DimensionTable(["X", "Y"], ["pixel", "pixel"], np.vstack([x, y]),
                         np.vstack([x, y]).astype(np.float64))
    k = np.arange(points)
    spec = DimensionTable(["Point"], ["index"], k[None, :], k[None, :].astype(np.float64))
    return _info(dset, False, pos, spec, ("Signal", "a.u."), [])


def _info(dset: h5py.Dataset, is_usid: bool, pos: DimensionTable, spec: DimensionTable,
          defaults: tuple[str, str], notes: list[str]) -> DatasetInfo:
    """The description of ``dset``; its quantity and units attributes, else ``defaults``."""
    return DatasetInfo(
        path=dset.name, shape=tuple(dset.shape), dtype=dset.dtype,
        quantity=as_text(dset.attrs.get("quantity", defaults[0])),
        units=as_text(dset.attrs.get("units", defaults[1])),
        is_usid=is_usid, positions=pos, spectroscopic=spec, notes=notes,
    )
