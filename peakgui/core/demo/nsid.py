"""A deterministic NSID demo file: the BE demo's scan written the way pyNSID writes a sidpy
dataset, so the reader of dimension scales is exercised without pyNSID installed.

pyNSID puts each dataset in a group of its own name (``/Measurement_000/Channel_000/<name>/
<name>``) beside one 1-D dataset per axis; each of those is made an HDF5 dimension scale,
attached to its axis, and carries ``name``, ``units``, ``quantity`` and ``dimension_type``. The
main dataset carries ``quantity``, ``units``, ``data_type``, ``modality``, ``source``,
``main_data_name`` and ``pyNSID_version``, which pyNSID's reader requires. Axes come in the order
asked (sidpy's own is x, y, then the spectrum); x and y are in metres, the spectrum in Hz.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from peakgui.core.demo.be import demo_block, demo_scene, sho_truth

NSID_DATASET = "/Measurement_000/Channel_000/BE_Amplitude/BE_Amplitude"
PYNSID_VERSION = "0.0.7.2"  # what the attributes say the layout follows


def write_scale(group: h5py.Group, name: str, values: np.ndarray, units: str, quantity: str,
                dimension_type: str) -> h5py.Dataset:
    """One axis as pyNSID writes it: a 1-D dataset with its attributes, made a scale."""
    scale = group.create_dataset(name, data=values)
    for key, value in (("name", name), ("units", units), ("quantity", quantity),
                       ("dimension_type", dimension_type)):
        scale.attrs[key] = value
    scale.make_scale(name)
    return scale


def write_nsid_main(group: h5py.Group, name: str, data: np.ndarray,
                    axes: list[tuple[str, np.ndarray, str, str, str]], attrs: dict[str, Any],
                    **create: Any) -> h5py.Dataset:
    """``data`` under ``group/name/name`` with one scale per axis: (name, values, units,
    quantity, dimension_type); ``create`` goes to h5py (chunks, compression)."""
    grp = group.create_group(name)
    grp.attrs["pyNSID_version"] = PYNSID_VERSION
    dset = grp.create_dataset(name, data=data, **create)
    for key, value in {"main_data_name": name, "modality": "generic", "source": "generic",
                       "pyNSID_version": PYNSID_VERSION, **attrs}.items():
        dset.attrs[key] = value
    for i, (axis_name, values, units, quantity, kind) in enumerate(axes):
        scale = write_scale(grp, axis_name, np.asarray(values), units, quantity, kind)
        dset.dims[i].label = axis_name
        dset.dims[i].attach_scale(scale)
    return dset


def write_nsid_demo(path: str | os.PathLike[str], rows: int = 64, cols: int = 64,
                    bins: int = 119, seed: int = 0, scan_size_m: float = 5e-6,
                    order: str = "xyf", **create: Any) -> str:
    """Write the demo scan (rows x cols BE spectra, complex64) as an NSID file with its axes in
    ``order`` (a permutation of 'x', 'y', 'f'); returns the main dataset's path. The ground
    truth sits in ``Ground_Truth`` as in the BE demo (one value per position, x fastest)."""
    if sorted(order) != ["f", "x", "y"]:
        raise ValueError(f"order {order!r}: expected a permutation of 'xyf'")
    scene = demo_scene(rows, cols, bins, seed=seed)
    side = max(rows, cols)
    cube = demo_block(scene, 0, rows * cols).reshape(rows, cols, bins)  # (y, x, f)
    axes = {
        "y": ("y", np.linspace(0, scan_size_m * rows / side, rows), "m", "distance", "SPATIAL"),
        "x": ("x", np.linspace(0, scan_size_m * cols / side, cols), "m", "distance", "SPATIAL"),
        "f": ("Frequency", scene.freq, "Hz", "frequency", "SPECTRAL"),
    }
    data = cube.transpose(["yxf".index(a) for a in order])
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    with h5py.File(tmp, "w") as f:
        chan = f.create_group("Measurement_000/Channel_000")
        name = NSID_DATASET.rsplit("/", 1)[1]
        write_nsid_main(chan, name, data, [axes[a] for a in order],
                        {"quantity": "Cantilever Vertical Deflection", "units": "V",
                         "data_type": "SPECTRAL_IMAGE", "title": name,
                         "generator": f"peakgui.core.demo.nsid (seed {seed})"}, **create)
        truth = chan.create_group("Ground_Truth")
        for key, values in sho_truth(scene).items():
            truth.create_dataset(key, data=values)
    os.replace(tmp, path)
    return NSID_DATASET
