"""Slabs along any axis read past h5py (byte offsets, raw chunks) equal h5py's own reads, for
the storage each path serves; a filter not decoded here falls back to h5py."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from peakgui.core.io.direct_read import row_reader

STORAGE = {  # name: (create_dataset options, expected read path)
    "contiguous": ({}, "offset"),
    "gzip": ({"chunks": (3, 4, 5), "compression": "gzip", "shuffle": True}, "chunks"),
    "fletcher32": ({"chunks": (3, 4, 5), "fletcher32": True}, "h5py"),
}


@pytest.mark.parametrize("storage", list(STORAGE))
@pytest.mark.parametrize("axis", [0, 1, 2])
def test_slabs_along_any_axis_equal_h5py(tmp_path, storage, axis):
    create, kind = STORAGE[storage]
    data = (np.random.default_rng(axis).standard_normal((7, 9, 11))
            + 1j * np.arange(7 * 9 * 11).reshape(7, 9, 11)).astype(np.complex64)
    path = tmp_path / "cube.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("cube", data=data, **create)
    with h5py.File(path, "r") as f:
        reader = row_reader(f["cube"], axis)
        try:
            assert reader.kind == kind
            n = data.shape[axis]
            for r0, r1 in ((0, n), (1, 2), (2, n - 1), (n - 1, n), (3, 3)):
                index = [slice(None)] * 3
                index[axis] = slice(r0, r1)
                got = reader.read(r0, r1)
                assert got.dtype == data.dtype
                np.testing.assert_array_equal(got, data[tuple(index)])
        finally:
            reader.close()
