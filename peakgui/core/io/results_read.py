"""Reading a results group back for a viewer: what it holds, one step of its maps, one pixel's row.

The GUI reads results in worker threads, a step at a time: a BEPS results group holds every DC
step of every field, and a map shows one. Field datasets are the group's USID main datasets (any
analysis, including a lab's plugin), found by their attributes rather than by name. Members of
compound datasets (the SHO fit's BGlib-style ``Fit`` and ``Guess``) are fields of their own,
named as the analysis names them (the dataset's ``peakgui_fields`` attribute).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

import h5py
import numpy as np

from peakgui.core.io.h5access import open_read
from peakgui.core.io.layout import SpectralLayout, build_layout
from peakgui.core.io.results import COMPLETED, MEMBERS_ATTR, ResultsRef
from peakgui.core.io.usid import as_text, describe, is_main_dataset


@dataclass(frozen=True)
class StoredField:
    """One result dataset of a group, as stored."""

    name: str
    dtype: str
    quantity: str
    units: str
    dataset: str = ""  # the compound dataset holding it ("" : its own dataset, ``name``)
    member: str = ""
    per_point: bool = False  # (P, N*S): a value per point of the source (a projected loop)


def _members(ds: h5py.Dataset) -> dict[str, str]:
    """A compound dataset's member -> field name (empty for a plain dataset)."""
    if not ds.dtype.names:
        return {}
    try:
        members = json.loads(as_text(ds.attrs.get(MEMBERS_ATTR, "{}")) or "{}")
    except ValueError:
        members = {}
    return {m: members.get(m, m) for m in ds.dtype.names}


def _units_of(member: str) -> str:
    """'Frequency [Hz]' -> 'Hz' (BGlib names its members with their units)."""
    found = re.search(r"\[([^\]]*)\]\s*$", member)
    return found.group(1) if found else ""


def field_sources(grp: h5py.Group, names: list[str] | None) -> dict[str, tuple[str, str]]:
    """Field name -> (dataset, member or '') for the named fields the group holds (every
    dataset of the group, members by their field names, when ``names`` is None)."""
    out = {}
    for key, obj in grp.items():
        if not isinstance(obj, h5py.Dataset):
            continue
        members = _members(obj)
        for member, name in members.items():
            out[name] = (key, member)
        if not members:
            out[key] = (key, "")
    return out if names is None else {n: out[n] for n in names if n in out}


def _column(ds: h5py.Dataset, member: str, index: Any) -> np.ndarray:
    data = ds[index]
    return np.asarray(data[member] if member else data)


@dataclass
class ResultsGroup:
    """What a results group holds; its maps are read a step at a time with :func:`read_step`."""

    ref: ResultsRef
    fields: list[StoredField]
    layout: SpectralLayout
    done_mask: np.ndarray  # (P,) bool
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def done(self) -> int:
        return int(self.done_mask.sum())

    @property
    def total(self) -> int:
        return len(self.done_mask)

    @property
    def n_steps(self) -> int:
        return self.layout.n_steps

    @property
    def group_name(self) -> str:
        return self.ref.group.rsplit("/", 1)[-1]

    @property
    def analysis_name(self) -> str:
        """The analysis that wrote it (older peak groups have no ``analysis`` attribute)."""
        return str(self.attrs.get("analysis", "") or "")


def _attr(value: Any) -> Any:
    if isinstance(value, bytes | str):
        return as_text(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def read_group(ref: ResultsRef, layout: SpectralLayout | None = None) -> ResultsGroup:
    """Describe a results group (raises KeyError/OSError/PeakGUIError when it is not one).

    ``layout``: the source dataset's layout when the group belongs to it (same positions),
    which saves working the grid out again."""
    with open_read(ref.file) as f:
        grp = f[ref.group]
        if not isinstance(grp, h5py.Group):
            raise KeyError(f"{ref.group} is not a group")
        fields = []
        for name, obj in grp.items():
            if name == COMPLETED or not is_main_dataset(obj):
                continue
            members = _members(obj)
            for member, fname in members.items():
                fields.append(StoredField(fname, str(obj.dtype[member]), member,
                                          _units_of(member), name, member))
            if not members:
                fields.append(StoredField(name, str(obj.dtype),
                                          as_text(obj.attrs.get("quantity", name)),
                                          as_text(obj.attrs.get("units", ""))))
        if not fields:
            raise KeyError(f"{ref.group} holds no result datasets")
        plain = [fl for fl in fields if not fl.dataset]  # describe() reads numbers only
        # the group's steps are those of its narrowest dataset: per-point results are wider
        width = {fl: grp[fl.dataset or fl.name].shape[1] for fl in fields}
        first = min(plain, key=width.__getitem__).name if plain else \
            min(fields, key=width.__getitem__).dataset
        n = grp[first].shape[0]
        if layout is None or layout.n_positions != n:
            layout = build_layout(describe(f, f"{ref.group}/{first}"))
        done = grp.get(COMPLETED)
        mask = (done[()].astype(bool) if isinstance(done, h5py.Dataset) and done.shape == (n,)
                else np.ones(n, dtype=bool))
        attrs = {k: _attr(v) for k, v in grp.attrs.items()}
        steps = grp[first].shape[1]
    fields = [replace(fl, per_point=True) if width[fl] > steps else fl for fl in fields]
    return ResultsGroup(ref, fields, layout, mask, attrs)


def read_step(ref: ResultsRef, names: list[str], step: int) -> dict[str, np.ndarray]:
    """Every position's value at one step, per field: (P,) arrays, only that column read."""
    out = {}
    with open_read(ref.file) as f:
        grp = f[ref.group]
        for name, (dataset, member) in field_sources(grp, names).items():
            ds = grp[dataset]
            s = min(max(step, 0), ds.shape[1] - 1)
            out[name] = _column(ds, member, (slice(None), s))
    return out


def read_row(ref: ResultsRef, position: int, names: list[str]) -> dict[str, np.ndarray] | None:
    """One position's (N,) values per field, or None when that position is not computed yet."""
    with open_read(ref.file) as f:
        grp = f[ref.group]
        done = grp.get(COMPLETED)
        if isinstance(done, h5py.Dataset) and not done[position]:
            return None
        return {name: _column(grp[dataset], member, position).ravel()
                for name, (dataset, member) in field_sources(grp, names).items()}


def read_all(ref: ResultsRef, names: list[str] | None = None) -> dict[str, np.ndarray]:
    """Every (or the named) dataset of a group in memory, ``completed_positions`` included,
    compound members under their field names: for scripts and tests, not for viewers."""
    with open_read(ref.file) as f:
        grp = f[ref.group]
        return {name: _column(grp[dataset], member, ())
                for name, (dataset, member) in field_sources(grp, names).items()}
