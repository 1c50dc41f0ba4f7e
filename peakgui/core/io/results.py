"""Results groups: where they go, how they are laid out, and how earlier ones are found again.

A results group sits beside the source dataset (``<main>-<Process>_<NNN>``; beside its group in
pyNSID's layout, see :func:`results_parent`), or in a sidecar file
``<name>.peakgui.h5`` at the same HDF5 path when the source file cannot be written. Every result
is a USID main dataset of shape (P, N) sharing the source's position ancillaries (copied into the
group when they cannot be linked) and a spectroscopic table for the N remaining steps; a
per-point result (a projected loop) is (P, N*S) in the columns of the source's own table.
``completed_positions`` marks each position whose results are on disk; it is written after the
results of a chunk, so a killed run never marks a position it did not finish. The results of
an NSID source also hold their maps with the source's x/y scales, for sidpy (``nsid_write``).
"""

from __future__ import annotations

import json
import platform
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from peakgui import __version__
from peakgui.core.analyses.declaration import ResultField
from peakgui.core.dimension import Dimension
from peakgui.core.io.files import SIDECAR_SUFFIX
from peakgui.core.io.layout import SpectralLayout
from peakgui.core.io.nsid import NsidInfo
from peakgui.core.io.nsid_write import write_result_maps
from peakgui.core.io.usid import as_text
from peakgui.core.io.usid_write import TEXT, link_as_main, write_ancillaries, write_table

COMPLETED = "completed_positions"
PARAMS_ATTR = "peakgui_parameters"
MEMBERS_ATTR = "peakgui_fields"  # on a compound dataset: member -> PeakGUI field name


@dataclass(frozen=True)
class ResultsRef:
    """Where a results group lives."""

    file: Path
    group: str
    sidecar: bool = False


def sidecar_path(source: Path) -> Path:
    """``scan.h5`` -> ``scan.peakgui.h5`` beside it; a sidecar is its own (a chained run reads
    its upstream group from the sidecar and writes beside it there)."""
    if source.name.endswith(SIDECAR_SUFFIX):
        return source
    return source.with_name(source.stem + SIDECAR_SUFFIX)


def timestamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def canonical_params(params: Mapping[str, Any]) -> str:
    """Parameters as sorted JSON, the key by which earlier results are recognised."""
    return json.dumps(params, sort_keys=True, default=str)


def _group_pattern(dataset_name: str, process_name: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(dataset_name)}-{re.escape(process_name)}_(\d{{3,}})$")


def results_parent(dataset_path: str) -> tuple[str, str]:
    """(the group a dataset's results go in, the dataset's name). Beside the dataset, except
    in pyNSID's layout (``.../X/X``: each dataset in a group of its name), where they go beside
    that group: pyNSID's reader takes every group beside its dataset for metadata, and fails on
    one holding datasets."""
    parent_path, name = dataset_path.rsplit("/", 1)
    if parent_path.rsplit("/", 1)[-1] == name:
        parent_path = parent_path.rsplit("/", 1)[0]
    return parent_path or "/", name


def list_results_groups(f: h5py.File, dataset_path: str, process_name: str) -> list[str]:
    """Paths of this process's results groups for a dataset, oldest first."""
    parent_path, name = results_parent(dataset_path)
    parent = f.get(parent_path)
    if not isinstance(parent, h5py.Group):
        return []
    pattern = _group_pattern(name, process_name)
    found = []
    for key in parent:
        m = pattern.match(key)
        if m and parent.get(key, getclass=True) is h5py.Group:
            found.append((int(m.group(1)), f"{parent.name.rstrip('/')}/{key}"))
    return [p for _, p in sorted(found)]


def next_group_name(f: h5py.File, dataset_path: str, process_name: str) -> str:
    """The next free ``<main>-<process>_NNN`` path where the dataset's results go."""
    parent_path, name = results_parent(dataset_path)
    parent = f.get(parent_path)
    pattern = _group_pattern(name, process_name)
    used = [int(m.group(1)) for key in (parent or []) if (m := pattern.match(key))]
    index = max(used) + 1 if used else 0
    return f"{parent_path.rstrip('/')}/{name}-{process_name}_{index:03d}"


@dataclass
class ExistingResults:
    """A results group computed with the same parameters, and how far it got."""

    ref: ResultsRef
    done: int
    total: int

    @property
    def complete(self) -> bool:
        return self.done >= self.total


def find_matching(f: h5py.File, ref_file: Path, dataset_path: str, process_name: str,
                  params: Mapping[str, Any], n_positions: int,
                  sidecar: bool) -> list[ExistingResults]:
    """Every group in f made from this dataset with exactly these parameters."""
    key = canonical_params(params)
    matches = []
    for path in list_results_groups(f, dataset_path, process_name):
        grp = f[path]
        if as_text(grp.attrs.get(PARAMS_ATTR, "")) != key:
            continue
        done_ds = grp.get(COMPLETED)
        if not isinstance(done_ds, h5py.Dataset) or done_ds.shape != (n_positions,):
            continue
        done = int(np.count_nonzero(done_ds[()]))
        matches.append(ExistingResults(ResultsRef(ref_file, path, sidecar), done, n_positions))
    return matches


def _position_ancillaries(f: h5py.File, grp: h5py.Group, layout: SpectralLayout,
                          source_dataset: str | None) -> tuple[h5py.Dataset, h5py.Dataset]:
    """Link the source's position tables when they are in this file, else copy them in."""
    if source_dataset is not None and layout.info.is_usid:
        src = f[source_dataset]
        return f[src.attrs["Position_Indices"]], f[src.attrs["Position_Values"]]
    pos = layout.info.positions
    inds = grp.create_dataset("Position_Indices", data=pos.indices.T.astype(np.uint32))
    vals = grp.create_dataset("Position_Values", data=pos.values.T.astype(np.float32))
    for obj in (inds, vals):
        obj.attrs.create("labels", pos.names, dtype=TEXT)
        obj.attrs.create("units", pos.units, dtype=TEXT)
    return inds, vals


def _point_ancillaries(f: h5py.File, grp: h5py.Group, layout: SpectralLayout,
                       source_in_file: bool) -> tuple[h5py.Dataset, h5py.Dataset]:
    """The spectroscopic table of per-point results: every column of the source, as the
    source has them (linked when the source is a USID dataset of this file, else copied)."""
    info = layout.info
    if source_in_file and info.is_usid:
        src = f[info.path]
        return f[src.attrs["Spectroscopic_Indices"]], f[src.attrs["Spectroscopic_Values"]]
    table = info.spectroscopic
    dims = [table.dimension(d) for d in range(len(table.names))]
    return write_table(grp, dims, table.indices, table.values, "Point_Spectroscopic")


def create_results_group(f: h5py.File, group_path: str, layout: SpectralLayout,
                         fields: list[ResultField], attrs: Mapping[str, Any],
                         source_in_file: bool,
                         source_file: Path) -> h5py.Group:
    """Create the group, its ancillaries and fully allocated result datasets, then flush.

    Allocating every dataset up front means later chunk writes touch only raw data, never the
    file's structure, so a run killed between flushes leaves a readable file.
    """
    grp = f.require_group(group_path.rsplit("/", 1)[0] or "/").create_group(
        group_path.rsplit("/", 1)[1]
    )
    info = layout.info
    pos = _position_ancillaries(f, grp, layout, info.path if source_in_file else None)
    others = list(reversed(layout.others))  # written fastest first
    spec_dims = others or [Dimension("Empty", "a. u.", np.zeros(1))]
    spec = write_ancillaries(grp, spec_dims, spectroscopic=True)
    shapes = {False: (layout.n_positions, layout.n_steps),
              True: (layout.n_positions, info.n_columns)}
    tables = {False: spec}
    maps: list[h5py.Dataset] = []  # per-position results, for the NSID view
    for name, members in stored_datasets(fields).items():
        fld = members[0]
        if fld.per_point and True not in tables:
            tables[True] = _point_ancillaries(f, grp, layout, source_in_file)
        shape, spec_of = shapes[fld.per_point], tables[fld.per_point]
        if fld.compound:
            dtype = compound_dtype(members)
            fill = np.zeros((), dtype=dtype)
            for m in members:
                fill[m.member] = m.fill
            # written in full now: later chunk writes must not touch the file's structure
            ds = grp.create_dataset(name, data=np.full(shape, fill, dtype=dtype),
                                    fillvalue=fill)
            ds.attrs[MEMBERS_ATTR] = json.dumps({m.member: m.name for m in members})
            link_as_main(ds, pos, spec_of, fld.compound_quantity or name, "compound")
        else:
            data = np.full(shape, fld.fill, dtype=fld.dtype)
            ds = grp.create_dataset(name, data=data, fillvalue=data.flat[0])
            link_as_main(ds, pos, spec_of, fld.quantity, fld.units)
            if not fld.per_point:
                maps.append(ds)
    if isinstance(info, NsidInfo):
        write_result_maps(grp, info, others, maps)
    grp.create_dataset(COMPLETED, data=np.zeros(layout.n_positions, dtype=np.uint8))
    now = timestamp()
    base = {
        "source_dataset": info.path,
        "source_file": str(source_file.resolve()),
        "spectral_dimension": layout.spectral.name,
        "peakgui_version": __version__,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "timestamp_start": now,
        "timestamp_last_update": now,
        "timestamp_end": "",
        "last_pixel": 0,
    }
    for key, value in {**base, **attrs}.items():
        grp.attrs[key] = "default" if value is None else value
    f.flush()
    return grp


def stored_datasets(fields: list[ResultField]) -> dict[str, list[ResultField]]:
    """Fields by the dataset that holds them: one each, or several members of a compound."""
    out: dict[str, list[ResultField]] = {}
    for fld in fields:
        out.setdefault(fld.dataset, []).append(fld)
    return out


def compound_dtype(members: list[ResultField]) -> np.dtype:
    return np.dtype([(m.member, np.dtype(m.dtype)) for m in members])


def write_values(grp: h5py.Group, fields: list[ResultField], a: int, b: int,
                 values: dict[str, np.ndarray]) -> None:
    """Positions [a, b) of every field (compound members assembled into one write)."""
    for name, members in stored_datasets(fields).items():
        if members[0].compound:
            rows = np.empty(values[members[0].name].shape, dtype=compound_dtype(members))
            for m in members:
                rows[m.member] = values[m.name]
            grp[name][a:b] = rows
        else:
            grp[name][a:b] = values[name]
