"""Reading rows past h5py's lock (core/io/direct_read.py): the bytes equal h5py's read for
every type and storage it takes on, and every other storage is left to h5py."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from peakgui.core.demo.be import DEMO_DATASET, write_demo
from peakgui.core.io.direct_read import block_reader, row_reader
from peakgui.core.io.source import SpectralSource

DTYPES = ["<f4", ">f4", "<f8", ">f8", "<i2", ">i4", "<u2", "<c8", ">c8", "<c16"]


def _values(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    v = rng.normal(size=shape) * 100
    if np.dtype(dtype).kind == "c":
        v = v + 1j * rng.normal(size=shape)
    return v.astype(dtype)


def _check(dset, kind, spans=((0, 1), (0, None), (3, 7), (5, 6), (2, None))):
    reader = row_reader(dset)
    try:
        assert reader.kind == kind
        for r0, r1 in spans:
            r1 = dset.shape[0] if r1 is None else r1
            got, want = reader.read(r0, r1), dset[r0:r1]
            assert got.dtype == want.dtype and got.shape == want.shape
            assert got.tobytes() == want.tobytes()
            got[...] = 0  # a buffer of its own, writable
    finally:
        reader.close()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(11, 23), (9, 4, 23)])
def test_contiguous_read_by_offset_equals_h5py(tmp_path, dtype, shape):
    path = tmp_path / "c.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=_values(shape, dtype))
    with h5py.File(path, "r", locking=False) as f:
        _check(f["x"], "offset")


def test_offset_counts_a_user_block(tmp_path):
    path = tmp_path / "ub.h5"
    with h5py.File(path, "w", userblock_size=1024) as f:
        f.create_dataset("x", data=_values((12, 30), "<c8"))
        f.create_dataset("z", data=_values((12, 30), "<c8"), chunks=(5, 30), compression="gzip")
    with h5py.File(path, "r", locking=False) as f:
        _check(f["x"], "offset")
        _check(f["z"], "chunks")


@pytest.mark.parametrize("options", [
    {"compression": "gzip", "chunks": (4, 23)},
    {"compression": "gzip", "shuffle": True, "chunks": (3, 5)},  # the spectra cut in chunks
    {"chunks": (5, 23)},  # chunked, no filter
    {"shuffle": True, "chunks": (2, 10)},
])
@pytest.mark.parametrize("dtype", ["<c8", ">f8", "<i2"])
def test_chunked_read_decodes_chunks_like_h5py(tmp_path, options, dtype):
    path = tmp_path / "z.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=_values((11, 23), dtype), **options)
        f.create_dataset("cube", data=_values((7, 5, 23), dtype, seed=1),
                         **{**options, "chunks": (2, 3, *options["chunks"][1:])})
    with h5py.File(path, "r", locking=False) as f:
        _check(f["x"], "chunks")
        _check(f["cube"], "chunks")


def _external(f, tmp_path):
    raw = _values((10, 8), "<f4")
    ext = tmp_path / "ext.bin"
    ext.write_bytes(raw.tobytes())
    f.create_dataset("x", shape=raw.shape, dtype=raw.dtype, external=[(str(ext), 0, raw.nbytes)])


def _virtual(f, tmp_path):
    f.create_dataset("src", data=_values((10, 8), "<f4"))
    layout = h5py.VirtualLayout(shape=(10, 8), dtype="<f4")
    layout[:] = h5py.VirtualSource(f["src"])
    f.create_virtual_dataset("x", layout)


def _fletcher(f, tmp_path):
    f.create_dataset("x", data=_values((10, 8), "<f4"), chunks=(2, 8), fletcher32=True)


def _lzf(f, tmp_path):
    f.create_dataset("x", data=_values((10, 8), "<c8"), chunks=(2, 8), compression="lzf")


def _sparse_chunks(f, tmp_path):
    d = f.create_dataset("x", shape=(10, 8), dtype="<f4", chunks=(2, 8), fillvalue=7.0)
    d[4:6] = 1.0  # the other chunks were never written


def _never_written(f, tmp_path):
    f.create_dataset("x", shape=(10, 8), dtype="<f4", fillvalue=3.0)


def _compound(f, tmp_path):
    f.create_dataset("x", data=np.zeros((10, 8), dtype=[("a", "<f4"), ("b", "<i2")]))


@pytest.mark.parametrize("make", [_external, _virtual, _fletcher, _lzf, _sparse_chunks,
                                  _never_written, _compound])
def test_other_storage_is_read_by_h5py(tmp_path, make):
    path = tmp_path / "o.h5"
    with h5py.File(path, "w") as f:
        make(f, tmp_path)
    with h5py.File(path, "r", locking=False) as f:
        _check(f["x"], "h5py", spans=((0, 1), (0, None), (3, 7)))


@pytest.mark.parametrize("driver", ["core", "stdio"])
def test_other_drivers_are_read_by_h5py(tmp_path, driver):
    path = tmp_path / "d.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=_values((10, 8), "<c8"))
    with h5py.File(path, "r", driver=driver) as f:
        _check(f["x"], "h5py", spans=((0, 1), (0, None), (3, 7)))


def test_block_reader_gathers_spectra_like_the_layout(tmp_path):
    path = tmp_path / "demo.h5"
    write_demo(path, rows=6, cols=7, bins=31)
    src = SpectralSource.open(path)
    with h5py.File(path, "r", locking=False) as f:
        reader = block_reader(src.layout, f[DEMO_DATASET])
        assert reader.kind == "offset"
        for a, b in ((0, 42), (5, 19), (41, 42)):
            np.testing.assert_array_equal(reader.read(a, b), src.layout.read(f[DEMO_DATASET],
                                                                               a, b))
        reader.close()
