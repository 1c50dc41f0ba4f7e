"""Reading NSID datasets: one N-D dataset whose axes are HDF5 dimension scales.

pyNSID (sidpy's writer) attaches a 1-D scale to every axis of the main dataset; each scale
carries ``name``, ``units``, ``quantity`` and ``dimension_type`` (SPATIAL, SPECTRAL, ...). The
SPATIAL axes become PeakGUI's positions and the others its spectroscopic dimensions, in any axis
order. Positions run with the map's columns fastest: the axis named x where the scales are
named x and y, else the first spatial axis, which sidpy draws across (it shows images
transposed). Files from the wild are not always whole: a scale of the wrong length or with NaN
values, a dangling reference, scales without a ``dimension_type``; each costs one note and a
fallback (the axis' index, or a guess from the names and sizes), never the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import h5py
import numpy as np

from peakgui.core.errors import InputError
from peakgui.core.io.usid import DatasetInfo, DimensionTable, as_text, is_main_dataset

SPATIAL = "SPATIAL"
SPECTRAL = "SPECTRAL"
SPATIAL_TYPES = ("SPATIAL", "RECIPROCAL")  # axes a map is drawn over
OTHER_TYPES = ("SPECTRAL", "TEMPORAL", "CHANNEL")  # axes a spectrum (or its steps) runs along
SPATIAL_NAME = re.compile(r"^(x|y|z|rows?|cols?|columns?|lines?|pixels?)(\b|_|$)", re.I)
LENGTH_UNITS = {"m", "km", "mm", "um", "µm", "μm", "nm", "pm", "a", "å", "pixel", "pixels", "px"}
DANGLING_ERRORS = (KeyError, ValueError, RuntimeError, OSError, TypeError, IndexError)


@dataclass
class NsidInfo(DatasetInfo):
    """A dataset read by its scales; ``spatial_axes`` and ``spectral_axes`` are its axes in
    file order (positions run with the first spatial axis fastest, columns with the last
    spectral axis fastest)."""

    spatial_axes: tuple[int, ...] = ()
    spectral_axes: tuple[int, ...] = ()

    @property
    def slab_axis(self) -> int:
        """The slowest spatial axis: a run of positions is a slab along it."""
        return self.spatial_axes[-1]

    @property
    def positions_per_slab(self) -> int:
        """Positions in one index of :attr:`slab_axis`."""
        return int(np.prod([self.shape[a] for a in self.spatial_axes[:-1]], dtype=np.int64))

    def read_positions(self, read_slab: Callable[[int, int], np.ndarray], start: int,
                       stop: int) -> np.ndarray:
        """Positions [start, stop) as (n, columns): slabs [k0, k1) along :attr:`slab_axis`
        (as ``read_slab`` reads them: h5py, or bytes read directly), transposed to
        (positions, spectral points)."""
        inner = self.positions_per_slab
        k0, k1 = start // inner, -(-stop // inner)
        block = np.asarray(read_slab(k0, k1))
        order = list(reversed(self.spatial_axes)) + list(self.spectral_axes)
        rows: np.ndarray = block.transpose(order).reshape(-1, self.n_columns)
        return rows[start - k0 * inner: stop - k0 * inner]


@dataclass
class Scale:
    """What one axis of a dataset says about itself."""

    name: str
    units: str
    kind: str  # its dimension_type, upper case ('' when it has none)
    values: np.ndarray | None  # None: no usable values (the index stands in)
    dangling: bool = False  # the axis' scale reference leads nowhere


def has_scales(obj: Any) -> bool:
    """Cheap check: a numeric N-D dataset with dimension scales attached (an NSID candidate);
    a USID main dataset stays a USID main dataset."""
    return (
        isinstance(obj, h5py.Dataset)
        and obj.ndim >= 2
        and "DIMENSION_LIST" in obj.attrs
        and np.issubdtype(obj.dtype, np.number)
        and not is_main_dataset(obj)
    )


def read_scale(dset: h5py.Dataset, axis: int, notes: list[str]) -> Scale:
    """The scale of one axis (the last one attached, as pyNSID reads it); a dangling or
    unusable one is noted and leaves the index in place of its values."""
    n = dset.shape[axis]
    label = f"Dim_{axis}"
    try:
        dim = dset.dims[axis]
        label = dim.label or label
        scale = dim[len(dim) - 1] if len(dim) else None
        if scale is not None and scale.name is None:  # unlinked: deleted from the file
            raise KeyError(label)
    except DANGLING_ERRORS:
        notes.append(f"{dset.name}: the scale of axis {axis} is a dangling DIMENSION_LIST "
                     "reference: the axis' index is used")
        return Scale(label, "", "", None, dangling=True)
    if scale is None:
        return Scale(label, "", "", None)
    attrs = scale.attrs
    name = as_text(attrs.get("name", "")) or label or scale.name.rsplit("/", 1)[-1]
    units = as_text(attrs.get("units", ""))
    kind = as_text(attrs.get("dimension_type", "")).strip().upper()
    if kind.startswith("DIMENSIONTYPE."):  # str() of sidpy's enum, as some writers store it
        kind = kind.split(".", 1)[1]
    values = None
    if scale.ndim != 1 or scale.shape[0] != n or not np.issubdtype(scale.dtype, np.number):
        notes.append(f"{dset.name}: scale {name!r} has {scale.shape[0] if scale.ndim else 0} "
                     f"values for the {n} points of axis {axis}: the axis' index is used")
    else:
        values = np.asarray(scale[()], dtype=np.float64)
        if not np.all(np.isfinite(values)):
            notes.append(f"{dset.name}: scale {name!r} has NaN or infinite values: the "
                         "axis' index is used")
            values = None
    return Scale(name, units, kind, values)


def is_spatial_name(scale: Scale) -> bool:
    return bool(SPATIAL_NAME.match(scale.name.strip("$ "))) or \
        scale.units.strip().lower() in LENGTH_UNITS


def axis_roles(dset: h5py.Dataset, scales: list[Scale],
               notes: list[str] | None = None) -> tuple[list[int], list[int]]:
    """(spatial axes, spectral axes) by ``dimension_type``; axes without one are guessed from
    their names and units, else their sizes (two equal sizes: the map), else their order (the
    first two: the map), and the guess is said in one note."""
    spatial = [a for a, s in enumerate(scales) if s.kind in SPATIAL_TYPES]
    other = [a for a, s in enumerate(scales) if s.kind in OTHER_TYPES]
    unknown = [a for a in range(len(scales)) if a not in spatial and a not in other]
    if not unknown:
        return spatial, other
    how = "names"
    guessed = [a for a in unknown if is_spatial_name(scales[a])]
    if not spatial and not guessed and len(unknown) >= 2:
        sizes = [dset.shape[a] for a in unknown]
        pairs = [s for s in set(sizes) if sizes.count(s) == 2]
        if len(unknown) >= 3 and len(pairs) == 1:
            guessed, how = [a for a in unknown if dset.shape[a] == pairs[0]], "sizes"
        else:
            guessed, how = unknown[:2] if len(unknown) >= 3 else unknown[:1], "order"
    spatial = sorted(spatial + guessed)
    other = sorted(other + [a for a in unknown if a not in guessed])
    said = [a for a in unknown if not scales[a].dangling]  # a dangling one is noted already
    if notes is not None and said:
        names = {a: repr(scales[a].name) for a in said}
        parts = [", ".join(names[a] for a in said if a in guessed),
                 ", ".join(names[a] for a in said if a not in guessed)]
        took = [f"{p} as {r}" for p, r in zip(parts, ("spatial", "spectral")) if p]
        notes.append(f"{dset.name}: no dimension_type on {len(said)} of its scales: took "
                     f"{' and '.join(took)} (by their {how})")
    return spatial, other


def roles_of(dset: h5py.Dataset) -> tuple[list[int], list[int]]:
    """Spatial and spectral axes of a dataset with scales (for the tree and the default
    dataset; no notes kept)."""
    return axis_roles(dset, [read_scale(dset, a, []) for a in range(dset.ndim)])


def is_spectral_image(obj: Any) -> bool:
    """A dataset with scales that has a map (spatial axes) and a spectrum (other axes)."""
    if not has_scales(obj):
        return False
    spatial, spectral = roles_of(obj)
    return bool(spatial) and bool(spectral)


def _xy(scale: Scale) -> str:
    """'x' or 'y' for a scale named so ('x', 'Y', 'x_pos'), else ''."""
    found = re.match(r"^([xy])(\b|_|$)", scale.name.strip("$ ").lower())
    return found.group(1) if found else ""


def _table(dset: h5py.Dataset, axes: list[int], scales: list[Scale], index_units: str,
           fastest_first: bool) -> DimensionTable:
    """An index/value table over ``axes``: entries enumerate them with the first axis fastest
    (positions) or the last fastest (spectral columns)."""
    sizes = [dset.shape[a] for a in axes]
    grid = np.indices(sizes).reshape(len(sizes), -1, order="F" if fastest_first else "C")
    indices = grid if sizes else np.zeros((0, 1), dtype=np.int64)
    names, units, values = [], [], []
    for row, a in zip(indices, axes):
        s = scales[a]
        vals = s.values if s.values is not None else np.arange(dset.shape[a], dtype=np.float64)
        names.append(s.name)
        units.append(s.units if s.values is not None else index_units)
        values.append(vals[row])
    return DimensionTable(names, units, indices.astype(np.int64),
                          np.asarray(values, dtype=np.float64).reshape(indices.shape))


def describe_nsid(dset: h5py.Dataset) -> NsidInfo:
    """A dataset with scales as PeakGUI's positions and spectroscopic dimensions."""
    notes: list[str] = []
    scales = [read_scale(dset, a, notes) for a in range(dset.ndim)]
    spatial, spectral = axis_roles(dset, scales, notes)
    if not spatial or not spectral:
        have = ", ".join(f"{s.name} ({s.kind or 'no type'})" for s in scales)
        raise InputError(f"{dset.name}: not a spectral map: its axes are {have}; PeakGUI needs "
                         "spatial and spectral ones")
    names = [scales[a].name for a in spatial + spectral]
    for a in spatial + spectral:  # two axes of one name could not be told apart
        if names.count(scales[a].name) > 1:
            scales[a].name = f"{scales[a].name} ({a})"
    if len(spatial) == 2 and [_xy(scales[a]) for a in spatial] == ["y", "x"]:
        spatial.reverse()  # x across, whatever the file's order
    pos = _table(dset, spatial, scales, "pixel", fastest_first=True)
    spec = _table(dset, spectral, scales, "index", fastest_first=False)
    return NsidInfo(
        path=dset.name, shape=tuple(dset.shape), dtype=dset.dtype,
        quantity=as_text(dset.attrs.get("quantity", "Signal")),
        units=as_text(dset.attrs.get("units", "a.u.")),
        is_usid=False, positions=pos, spectroscopic=spec, notes=notes,
        spatial_axes=tuple(spatial), spectral_axes=tuple(spectral),
    )


def spectral_choice_note(info: DatasetInfo, chosen: str) -> str | None:
    """The line for an NSID dataset with several spectral axes when none was chosen."""
    if not isinstance(info, NsidInfo) or len(info.spectral_axes) < 2:
        return None
    names = ", ".join(repr(n) for n in info.spectroscopic.names)
    return (f"{info.path}: {len(info.spectral_axes)} spectral dimensions ({names}) and none "
            f"chosen: spectra run along {chosen!r}, the others are steps (choose with "
            "--spectral-dim or the spectral axis picker)")
