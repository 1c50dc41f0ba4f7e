"""Comparing two results groups of the same dataset: a difference map (the shown group minus a
chosen one) as a map layer, drawn with a diverging colormap centred on zero.

The groups are listed, and the chosen one read, in workers; the difference is taken of the field
the map shows, at the step the map shows.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from pathlib import Path

import h5py
import numpy as np

from ...core.io.h5access import open_read
from ...core.io.results import ResultsRef, sidecar_path
from ...core.io.results_read import ResultsGroup, read_group

DIVERGING = "CET-D1"  # blue - white - red, for signed differences


def group_label(ref: ResultsRef) -> str:
    name = ref.group.rsplit("/", 1)[-1]
    return f"{name}{' (sidecar)' if ref.sidecar else ''}"


def list_groups(file: Path, dataset: str) -> Generator[list[ResultsRef], None, None]:
    """The worker's generator: every results group made from ``dataset`` (in the file and its
    sidecar), as the ``<dataset>-<Process>_NNN`` groups beside it."""
    parent_path, name = dataset.rsplit("/", 1)
    pattern = re.compile(rf"^{re.escape(name)}-.+_\d{{3,}}$")
    found: list[ResultsRef] = []
    for path, sidecar in ((file, False), (sidecar_path(file), True)):
        if not path.exists():
            continue
        try:
            with open_read(path) as f:
                parent = f.get(parent_path or "/")
                if not isinstance(parent, h5py.Group):
                    continue
                for key in sorted(parent):
                    if pattern.match(key) and parent.get(key, getclass=True) is h5py.Group:
                        found.append(ResultsRef(path, f"{parent.name.rstrip('/')}/{key}",
                                                sidecar))
        except OSError:
            continue
    yield found


def read_field(ref: ResultsRef, field: str, step: int, layout) -> Generator[np.ndarray, None, None]:
    """The worker's generator: one field of a group at one step, as an image (NaN where not
    computed)."""
    from .results_maps import load_results  # the same reading as the results browser's

    group: ResultsGroup = read_group(ref, layout)
    if field not in {f.name for f in group.fields}:
        raise KeyError(f"{group_label(ref)} has no field {field}")
    for maps in load_results(ref, step, layout, group):
        yield maps.images[field]


def difference(current: np.ndarray, other: np.ndarray) -> np.ndarray:
    """current - other (NaN where either is not computed); shapes must agree."""
    a, b = np.asarray(current, np.float64), np.asarray(other, np.float64)
    if a.shape != b.shape:
        raise ValueError(f"the maps differ in shape: {a.shape} and {b.shape}")
    return a - b


def symmetric_levels(image: np.ndarray) -> tuple[float, float]:
    """Levels centred on zero that hold 99 % of the finite values."""
    v = np.abs(image[np.isfinite(image)])
    m = float(np.percentile(v, 99)) if v.size else 1.0
    if not m > 0:
        m = float(v.max()) if v.size and v.max() > 0 else 1.0
    return -m, m
