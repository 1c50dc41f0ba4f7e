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
from peakgui.core.io.nsid_write import PYNSID_VERSION, mark_nsid_main, write_scale

NSID_DATASET = "/Measurement_000/Channel_000/BE_Amplitude/BE_Amplitude"


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
        grp = chan.create_group(name)
        grp.attrs["pyNSID_version"] = PYNSID_VERSION
        dset = grp.create_dataset(name, data=data, **create)
        mark_nsid_main(dset, [write_scale(grp, *axes[a]) for a in order],
                       {"quantity": "Cantilever Vertical Deflection", "units": "V",
                        "data_type": "SPECTRAL_IMAGE", "title": name,
                        "generator": f"peakgui.core.demo.nsid (seed {seed})"})
        truth = chan.create_group("Ground_Truth")
        for key, values in sho_truth(scene).items():
            truth.create_dataset(key, data=values)
    os.replace(tmp, path)
    return NSID_DATASET
