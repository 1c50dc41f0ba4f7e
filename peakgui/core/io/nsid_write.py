"""Writing NSID: dimension scales as pyNSID writes them, and the result maps of an NSID source.

A results group stays a USID group (pyUSID reads it; PeakGUI's viewers and chained analyses
read it), its maps flattened to (positions, steps). For a sidpy user the group also holds
``NSID_Maps``: each plain result seen as a (x, y[, step]) virtual dataset over the USID one
(no copy, so it fills in as the run writes) with the source's x and y scales attached, which
pyNSID reads as a sidpy dataset with its axes. Compound datasets (the SHO ``Fit``) get none:
pyNSID reads numbers only.
"""

from __future__ import annotations

from typing import Any

import h5py
import numpy as np

from peakgui.core.dimension import Dimension
from peakgui.core.io.nsid import LENGTH_UNITS, NsidInfo
from peakgui.core.io.usid import as_text

PYNSID_VERSION = "0.0.7.2"  # the pyNSID layout the attributes follow
MAPS_GROUP = "NSID_Maps"


def write_scale(group: h5py.Group, name: str, values: np.ndarray, units: str, quantity: str,
                dimension_type: str) -> h5py.Dataset:
    """One axis as pyNSID writes it: a 1-D dataset with its attributes, made a scale
    (``name`` keeps the axis' own name; the dataset's may not hold a '/')."""
    scale = group.create_dataset(name.replace("/", "_"), data=np.asarray(values))
    for key, value in (("name", name), ("units", units), ("quantity", quantity),
                       ("dimension_type", dimension_type)):
        scale.attrs[key] = value
    scale.make_scale(scale.name.rsplit("/", 1)[1])
    return scale


def mark_nsid_main(dset: h5py.Dataset, scales: list[h5py.Dataset], attrs: dict[str, Any]) -> None:
    """Attach one scale per axis and the attributes pyNSID's reader requires."""
    defaults = {"main_data_name": dset.name.rsplit("/", 1)[1], "modality": "generic",
                "source": "generic", "quantity": "generic", "units": "generic",
                "data_type": "generic", "pyNSID_version": PYNSID_VERSION}
    for key, value in {**defaults, **attrs}.items():
        dset.attrs[key] = value
    for i, scale in enumerate(scales):
        dset.dims[i].label = scale.name.rsplit("/", 1)[1]
        dset.dims[i].attach_scale(scale)


def _scale_of(group: h5py.Group, dim: Dimension, kind: str) -> h5py.Dataset:
    quantity = "distance" if dim.units.strip().lower() in LENGTH_UNITS else dim.name
    return write_scale(group, dim.name, dim.values, dim.units, quantity, kind)


def write_result_maps(grp: h5py.Group, info: NsidInfo, steps: list[Dimension],
                      datasets: list[h5py.Dataset]) -> None:
    """``NSID_Maps`` for the plain (positions, steps) ``datasets`` of a results group whose
    positions run x fastest over the source's one or two spatial axes."""
    pos = info.positions
    plain = [d for d in datasets if d.dtype.names is None and d.ndim == 2]
    if not plain or len(pos.names) > 2:
        return
    sizes = pos.sizes  # (x[, y]): the first runs fastest
    n_steps = plain[0].shape[1]
    maps = grp.create_group(MAPS_GROUP)
    scales = [_scale_of(maps, pos.dimension(d), "SPATIAL") for d in range(len(sizes))]
    if n_steps > 1:
        step = steps[0] if len(steps) == 1 and steps[0].size == n_steps else \
            Dimension("Step", "", np.arange(n_steps, dtype=np.float64))
        scales.append(_scale_of(maps, step, "SPECTRAL"))
    shape = tuple(sizes) + ((n_steps,) if n_steps > 1 else ())
    cols = sizes[0] if len(sizes) == 2 else 1  # a line scan maps in one piece
    for ds in plain:
        layout = h5py.VirtualLayout(shape=shape, dtype=ds.dtype)
        source = h5py.VirtualSource(".", ds.name, shape=ds.shape)
        for c in range(cols):  # position p = c + cols * r
            key = c if len(sizes) == 2 else slice(None)
            layout[key] = source[c::cols, :] if n_steps > 1 else source[c::cols, 0]
        name = ds.name.rsplit("/", 1)[1]
        vds = maps.create_virtual_dataset(name, layout, fillvalue=ds.fillvalue)
        mark_nsid_main(vds, scales, {
            "quantity": as_text(ds.attrs.get("quantity", name)),
            "units": as_text(ds.attrs.get("units", "")),
            "data_type": "SPECTRAL_IMAGE" if n_steps > 1 else "IMAGE",
            "title": name, "source": ds.name})
