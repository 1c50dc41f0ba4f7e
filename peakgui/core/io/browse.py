"""The browsing model the GUI's HDF5 tree shows: lazy nodes over a file that is never held open.

Like silx's ``Hdf5Node``, a node knows its path and what its parent said about it (kind, size,
link status) and reads its children only when asked, a batch at a time (HDF5 link iteration from
an index, so a huge group costs one batch per scroll page). Every read opens the file read-only
for the moment it needs, because a run must be able to open it read-write. No Qt here: the GUI
calls these functions from its worker threads.
"""

from __future__ import annotations

import weakref
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from peakgui.core.delegate import Delegated
from peakgui.core.io.h5access import open_read
from peakgui.core.io.nsid import has_scales, is_spectral_image
from peakgui.core.io.results import PARAMS_ATTR
from peakgui.core.io.usid import is_main_dataset, is_plain_cube


class Kind:
    """What a node is; shown in the tree's 'kind' column."""

    FILE = "file"
    GROUP = "group"
    DATASET = "dataset"
    MAIN = "USID main"
    CUBE = "3-D cube"
    NSID = "NSID spectral image"
    RESULTS = "PeakGUI results"
    DATATYPE = "named datatype"
    BROKEN = "broken link"
    ERROR = "unreadable"


SPECTRAL_KINDS = (Kind.MAIN, Kind.NSID, Kind.CUBE)
CONTAINER_KINDS = (Kind.FILE, Kind.GROUP, Kind.RESULTS)


@dataclass
class NodeInfo:
    """What is known of one HDF5 link, read once when its parent is listed."""

    name: str
    kind: str
    n_children: int = 0
    shape: tuple[int, ...] | None = None
    dtype: str = ""
    link: str = ""  # "", "soft" or "external"
    target: str = ""  # the link's target, for soft and external links
    note: str = ""  # why a link is broken or an object unreadable


class H5Node:
    """One object of the tree; the parent is kept weakly, children exist once fetched."""

    def __init__(self, parent: H5Node | None, row: int, path: str, info: NodeInfo):
        self._parent = weakref.ref(parent) if parent is not None else None
        self.row = row
        self.path = path
        self.info = info
        self.children: list[H5Node] = []
        self.fetching = False  # a worker is reading the next batch

    @property
    def parent(self) -> H5Node | None:
        return self._parent() if self._parent is not None else None

    name = Delegated[str]("info")
    kind = Delegated[str]("info")

    @property
    def is_container(self) -> bool:
        return self.info.kind in CONTAINER_KINDS

    @property
    def can_fetch_more(self) -> bool:
        return self.is_container and len(self.children) < self.info.n_children

    def add_children(self, infos: list[NodeInfo]) -> list[H5Node]:
        start = len(self.children)
        new = [H5Node(self, start + i, child_path(self.path, info.name), info)
               for i, info in enumerate(infos)]
        self.children.extend(new)
        return new

    def child(self, name: str) -> H5Node | None:
        return next((c for c in self.children if c.name == name), None)


def child_path(parent: str, name: str) -> str:
    return f"{parent.rstrip('/')}/{name}"


def describe_link(group: h5py.Group, name: str) -> NodeInfo:
    """Kind, size and link status of ``group[name]``, without reading any data."""
    link_kind, target = "", ""
    try:
        link = group.get(name, getlink=True)
    except (KeyError, OSError, RuntimeError) as exc:
        return NodeInfo(name, Kind.ERROR, note=str(exc))
    if isinstance(link, h5py.SoftLink):
        link_kind, target = "soft", link.path
    elif isinstance(link, h5py.ExternalLink):
        link_kind, target = "external", f"{link.filename}:{link.path}"
    try:
        obj = group[name]
    except (KeyError, OSError, ValueError, RuntimeError) as exc:
        if link_kind:
            why = ("target file missing or unreadable" if link_kind == "external"
                   else "target does not exist")
            return NodeInfo(name, Kind.BROKEN, link=link_kind, target=target, note=why)
        return NodeInfo(name, Kind.ERROR, note=str(exc).split("(")[0].strip())
    try:
        if isinstance(obj, h5py.Group):
            kind = Kind.RESULTS if PARAMS_ATTR in obj.attrs else Kind.GROUP
            return NodeInfo(name, kind, n_children=len(obj), link=link_kind, target=target)
        if isinstance(obj, h5py.Dataset):
            kind = _dataset_kind(obj)
            return NodeInfo(name, kind, shape=tuple(obj.shape), dtype=_dtype_text(obj.dtype),
                            link=link_kind, target=target)
        return NodeInfo(name, Kind.DATATYPE, dtype=_dtype_text(obj.dtype), link=link_kind,
                        target=target)
    except (OSError, RuntimeError, ValueError) as exc:
        return NodeInfo(name, Kind.ERROR, link=link_kind, target=target, note=str(exc))


def _dataset_kind(obj: h5py.Dataset) -> str:
    if is_main_dataset(obj):
        return Kind.MAIN
    if has_scales(obj):  # an image or a spectrum with scales is no spectral map
        return Kind.NSID if is_spectral_image(obj) else Kind.DATASET
    return Kind.CUBE if is_plain_cube(obj) else Kind.DATASET


def _dtype_text(dtype: np.dtype[Any]) -> str:
    try:
        if dtype.names:
            return "compound"
        if h5py.check_string_dtype(dtype):
            return "string"
        return str(dtype)
    except (TypeError, ValueError):
        return str(dtype)


def file_node(file: str | Path) -> H5Node:
    """The root node of a file (its size read now, its children later)."""
    with open_read(file) as f:
        n = len(f)
    return H5Node(None, 0, "/", NodeInfo(Path(file).name, Kind.FILE, n_children=n))


def read_children(file: str | Path, group_path: str, start: int,
                  count: int) -> tuple[list[NodeInfo], int]:
    """Up to ``count`` children of a group from link index ``start``, and the group's size."""
    with open_read(file) as f:
        group = f[group_path]
        names: list[bytes] = []

        def collect(name: bytes) -> bool | None:
            names.append(name)
            return True if len(names) >= count else None

        if start < len(group):
            group.id.links.iterate(collect, idx=start)
        infos = [describe_link(group, n.decode("utf-8", "replace")) for n in names]
        return infos, len(group)


def iter_children(file: str | Path, group_path: str, start: int, batch: int,
                  until: str | None = None) -> Generator[tuple[list[NodeInfo], int], None, None]:
    """Batches ``(infos, group size)`` of a group's children from ``start``: one batch, or (with
    ``until``) as many as it takes to list the child called ``until`` (or all of them)."""
    while True:
        infos, size = read_children(file, group_path, start, batch)
        yield infos, size
        start += len(infos)
        if until is None or not infos or start >= size or any(i.name == until for i in infos):
            return


def link_text(info: NodeInfo) -> str:
    """One line about a node for the attribute panel's header."""
    if info.kind == Kind.BROKEN:
        return f"broken {info.link} link → {info.target} ({info.note})"
    if info.link:
        return f"{info.link} link → {info.target}"
    return info.kind
