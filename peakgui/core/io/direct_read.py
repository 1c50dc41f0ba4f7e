"""Reading a dataset's rows from many threads at once, past the HDF5 library's global lock.

h5py serialises every call into HDF5, so reader threads never overlap. For the common layouts
the bytes can be found once and then read with ``os.pread`` (which lets go of the GIL) from any
thread: a contiguous, unfiltered dataset is one run of bytes at ``get_offset()``; a chunked one
is a table of chunk addresses, each read raw and decoded here (zlib lets go of the GIL too).
Anything else (external or virtual storage, another file driver, a filter not decoded here,
unallocated chunks, a non-numeric type) is read through h5py. :func:`row_reader` picks.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import h5py
import numpy as np

from peakgui.core.io.layout import SpectralLayout
from peakgui.core.io.nsid import NsidInfo

GZIP, SHUFFLE = h5py.h5z.FILTER_DEFLATE, h5py.h5z.FILTER_SHUFFLE
DECODED = (GZIP, SHUFFLE)  # filters decoded here; any other one means h5py reads

RowRead = Callable[[int, int], np.ndarray]
"""Indices [r0, r1) of one axis of the dataset (the first, unless said otherwise), as h5py's
``dset[r0:r1]`` (or ``dset[:, r0:r1]``, ...) gives them."""


@dataclass
class RowReader:
    """How rows are read, and along which boundaries (in rows) reads are cheapest."""

    kind: str  # "offset", "chunks" or "h5py"
    read: RowRead
    align: int = 1  # a read inside one chunk row costs no more than the whole chunk row
    close: Callable[[], None] = lambda: None


def row_reader(dset: h5py.Dataset, axis: int = 0) -> RowReader:
    """The fastest safe way to read this dataset's slabs along ``axis`` (its rows, for the
    first) from several threads."""
    why = _h5py_only(dset)
    if why is None:
        fd = os.open(dset.file.filename, os.O_RDONLY)
        try:
            reader = (_offset_reader(dset, fd, axis) if dset.chunks is None
                      else _chunk_reader(dset, fd, axis))
        except (OSError, RuntimeError, ValueError, KeyError):
            reader = None
        if reader is not None:
            return reader
        os.close(fd)
    lead = (slice(None),) * axis
    return RowReader("h5py", lambda r0, r1: np.asarray(dset[lead + (slice(r0, r1),)]))


def _h5py_only(dset: h5py.Dataset) -> str | None:
    """Why only h5py can read this dataset (None when its bytes can be read directly)."""
    if dset.file.driver != "sec2":
        return f"the {dset.file.driver} driver"
    if dset.is_virtual or dset.external:
        return "virtual or external storage"
    if dset.dtype.kind not in "iufc" or dset.dtype.fields is not None:
        return f"values of type {dset.dtype}"
    if dset.id.get_type().get_size() != dset.dtype.itemsize:
        return "padded values"
    if dset.ndim == 0 or dset.size == 0:
        return "no values"
    return None


def _offset_reader(dset: h5py.Dataset, fd: int, axis: int) -> RowReader | None:
    offset = dset.id.get_offset()
    if offset is None or dset.compression is not None:
        return None  # never written: h5py gives the fill value
    start = offset  # in the file, counting a user block (HDF5 adds its base address)
    shape, dtype = dset.shape, dset.dtype
    outer = int(np.prod(shape[:axis], dtype=np.int64))  # one run of bytes per outer index
    step = int(np.prod(shape[axis + 1:], dtype=np.int64)) * dtype.itemsize  # bytes per index

    def read(r0: int, r1: int) -> np.ndarray:
        n = max(0, r1 - r0) * step
        if outer == 1:
            buf = _pread(fd, n, start + r0 * step)
        else:  # e.g. the y slabs of an (x, y, f) cube: one run per x
            buf = np.concatenate([_pread(fd, n, start + (o * shape[axis] + r0) * step)
                                  for o in range(outer)])
        slab: np.ndarray = buf.view(dtype).reshape((*shape[:axis], r1 - r0, *shape[axis + 1:]))
        return slab

    return RowReader("offset", read, 1, lambda: os.close(fd))


def _chunk_reader(dset: h5py.Dataset, fd: int, axis: int) -> RowReader | None:
    plist = dset.id.get_create_plist()
    pipeline = [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]
    if any(code not in DECODED for code in pipeline):
        return None
    chunks = dset.chunks
    grid = [-(-s // c) for s, c in zip(dset.shape, chunks)]
    if dset.id.get_num_chunks() != int(np.prod(grid)):
        return None  # some chunks were never written: h5py fills them
    by_row: dict[int, list[tuple[tuple[int, ...], int, int, int]]] = {}

    def note(info: h5py.h5d.StoreInfo) -> None:
        origin = tuple(int(c) for c in info.chunk_offset)
        by_row.setdefault(origin[axis], []).append(
            (origin, int(info.byte_offset), int(info.size), int(info.filter_mask)))

    dset.id.chunk_iter(note)
    dtype, shape = dset.dtype, dset.shape
    c0 = chunks[axis]

    def decode(raw: np.ndarray, mask: int) -> np.ndarray:
        for i in reversed(range(len(pipeline))):
            if mask & (1 << i):
                continue  # HDF5 skipped this filter for this chunk
            if pipeline[i] == GZIP:  # zlib lets go of the GIL while it inflates
                raw = np.frombuffer(zlib.decompress(raw.tobytes()), np.uint8)
            else:  # HDF5's shuffle: byte k of every value, then byte k + 1, ...
                raw = raw.reshape(dtype.itemsize, -1).T.ravel()
        block: np.ndarray = raw.view(dtype).reshape(chunks)
        return block

    def read(r0: int, r1: int) -> np.ndarray:
        out = np.empty((*shape[:axis], r1 - r0, *shape[axis + 1:]), dtype=dtype)
        for row in range(r0 - r0 % c0, r1, c0):
            for origin, where, size, mask in by_row[row]:
                block = decode(_pread(fd, size, where), mask)
                src, dst = [], []
                for d, (o, c, s) in enumerate(zip(origin, chunks, shape)):
                    if d == axis:
                        lo, hi = max(r0, row), min(r1, row + c0, s)
                        src.append(slice(lo - row, hi - row))
                        dst.append(slice(lo - r0, hi - r0))
                    else:
                        src.append(slice(0, min(c, s - o)))
                        dst.append(slice(o, min(o + c, s)))
                out[tuple(dst)] = block[tuple(src)]
        return out

    return RowReader("chunks", read, c0, lambda: os.close(fd))


def _pread(fd: int, n: int, offset: int) -> np.ndarray:
    """Exactly n bytes at offset, in a fresh writable buffer (os.preadv may read fewer)."""
    buf = bytearray(n)  # writable, so the spectra handed on are too
    view = memoryview(buf)
    got = 0
    while got < n:
        more = os.preadv(fd, [view[got:]], offset + got)
        if more <= 0:
            raise OSError(f"the file ends {n - got} bytes early (truncated?)")
        got += more
    return np.frombuffer(buf, dtype=np.uint8)


@dataclass
class BlockReader:
    """Spectra of positions [a, b) as (n, N, S), safe to call from many threads at once."""

    kind: str  # how the rows are read: "offset", "chunks", "h5py" or "layout" (its own read)
    read: Callable[[int, int], np.ndarray]
    align: int  # positions per chunk row: blocks cut there read each chunk once
    close: Callable[[], None]


def block_reader(layout: SpectralLayout, dset: h5py.Dataset) -> BlockReader:
    """Raw spectra through :func:`row_reader`; an NSID dataset by slabs of its slowest spatial
    axis, transposed in the calling thread; a layout with its own ``read`` (a results group
    converted to spectra, say) through h5py, converted in the calling thread."""
    if type(layout) is not SpectralLayout:
        return BlockReader("layout", lambda a, b: layout.read(dset, a, b), 1, lambda: None)
    info = layout.info
    if isinstance(info, NsidInfo):
        slabs = row_reader(dset, info.slab_axis)
        return BlockReader(slabs.kind, lambda a, b: layout.read_with(slabs.read, dset.shape, a, b),
                           slabs.align * info.positions_per_slab, slabs.close)
    rows = row_reader(dset)
    shape = dset.shape
    per_row = shape[1] if len(shape) == 3 else 1
    return BlockReader(rows.kind, lambda a, b: layout.read_with(rows.read, shape, a, b),
                       rows.align * per_row, rows.close)
