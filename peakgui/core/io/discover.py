"""Which datasets of a file hold spectra, which one a viewer or a run opens by default, and
describing any of them (USID main, NSID dataset with scales, plain cube).

The default is always raw data, never results: PeakGUI's own results groups (and BGlib's, and
pyUSID's ``<dataset>-<Process>_<NNN>`` groups) hold USID main datasets too, and a results group
of a non-USID source would otherwise be found before the raw cube it was computed from.
"""

from __future__ import annotations

import re

import h5py

from peakgui.core.errors import InputError
from peakgui.core.io.nsid import describe_nsid, has_scales, is_spectral_image
from peakgui.core.io.results import PARAMS_ATTR
from peakgui.core.io.usid import (
    DatasetInfo,
    describe,
    is_main_dataset,
    is_plain_cube,
    iter_objects,
)

RESULTS_NAME = re.compile(r"^.+-[A-Za-z][A-Za-z0-9_]*_\d{3,}$")
"""pyUSID's (and BGlib's, and PeakGUI's) name of a results group: ``Raw_Data-SHO_Fit_000``."""


def is_results_group(group: h5py.Group) -> bool:
    """PeakGUI's results (their parameters attribute), or a group named as pyUSID names
    results that sits beside its source or names its tool (BGlib's, pyUSID's); a user's
    ``Sample-Area_001`` holding raw data is none."""
    if PARAMS_ATTR in group.attrs:
        return True
    name = group.name.rsplit("/", 1)[-1]
    if not RESULTS_NAME.match(name):
        return False
    source = name.rsplit("-", 1)[0]
    return "tool" in group.attrs or source in group.parent


def find_spectral_datasets(f: h5py.File, budget: int | None = None,
                           first_only: bool = False) -> list[str]:
    """Raw spectral datasets in file order: USID main datasets, then NSID spectral images,
    then plain 3-D cubes; nothing inside a results group.

    ``first_only`` stops at the first raw main dataset, so element 0 is the dataset to open by
    default. ``budget`` caps the objects looked at, so a huge file is never walked whole.
    """
    found: dict[str, list[str]] = {"main": [], "nsid": [], "cube": []}
    verdicts: dict[str, bool] = {}  # group path -> is a results group (asked once each)

    def raw(dset: h5py.Dataset) -> bool:
        """Not inside a results group (only candidates are asked: groups are many)."""
        parts = (dset.name or "").strip("/").split("/")[:-1]
        for i in range(1, len(parts) + 1):
            path = "/" + "/".join(parts[:i])
            if path not in verdicts:
                verdicts[path] = is_results_group(f[path])
            if verdicts[path]:
                return False
        return True

    for obj in iter_objects(f, budget):
        if not isinstance(obj, h5py.Dataset):
            continue
        if is_main_dataset(obj):
            if raw(obj):
                found["main"].append(obj.name)
                if first_only:
                    break
        elif has_scales(obj):
            if is_spectral_image(obj) and raw(obj):
                found["nsid"].append(obj.name)
        elif is_plain_cube(obj) and raw(obj):
            found["cube"].append(obj.name)
    return found["main"] + found["nsid"] + found["cube"]


def describe_dataset(f: h5py.File, path: str) -> DatasetInfo:
    """Describe any spectral dataset: by its scales when it has them, else as USID or cube
    (whose checks also name broken links and datasets that are no spectra)."""
    try:
        obj = f[path]
    except (KeyError, OSError, ValueError, RuntimeError):
        obj = None
    if has_scales(obj):
        assert isinstance(obj, h5py.Dataset)
        if 0 in obj.shape:
            raise InputError(f"{path}: has an empty dimension {obj.shape}")
        return describe_nsid(obj)
    return describe(f, path)
