"""The USID reader on real files: layouts written by pyUSID-like code over the years."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from peakgui.core.demo.be import DEMO_DATASET
from peakgui.core.dimension import Dimension
from peakgui.core.errors import InputError
from peakgui.core.io.discover import find_spectral_datasets
from peakgui.core.io.h5access import open_read
from peakgui.core.io.layout import build_layout
from peakgui.core.io.source import SpectralSource
from peakgui.core.io.usid import as_text_list, describe
from peakgui.core.io.usid_write import link_as_main, write_ancillaries


def test_demo_is_described_with_names_sizes_and_units(small_file):
    with open_read(small_file) as f:
        assert find_spectral_datasets(f) == [DEMO_DATASET]
        info = describe(f, DEMO_DATASET)
    assert info.is_usid
    assert info.shape == (24 * 32, 119)
    assert info.dtype == np.complex64
    assert (info.quantity, info.units) == ("Cantilever Vertical Deflection", "V")
    assert info.positions.names == ["X", "Y"]
    assert info.positions.sizes == [32, 24]
    assert info.positions.units == ["m", "m"]
    lay = build_layout(info)
    assert lay.grid_shape == (24, 32)
    assert lay.spectral.name == "Frequency" and lay.spectral.units == "Hz"
    assert lay.spectral.values[0] == pytest.approx(300e3)
    assert lay.spectral.values[-1] == pytest.approx(350e3)
    assert lay.col_dim.name == "X" and lay.row_dim.name == "Y"
    assert lay.n_steps == 1 and lay.is_contiguous


def test_bytes_attributes_and_reversed_position_order(tmp_path):
    """Old files: labels stored as fixed-length bytes, Y listed before X (slowest first)."""
    rows, cols, s = 3, 4, 7
    data = np.arange(rows * cols * s, dtype=np.float32).reshape(rows * cols, s)
    path = tmp_path / "old.h5"
    with h5py.File(path, "w") as f:
        y, x = np.divmod(np.arange(rows * cols), cols)
        pos_i = np.stack([y, x], axis=1).astype(np.uint32)  # slowest first
        pi = f.create_dataset("Position_Indices", data=pos_i)
        pv = f.create_dataset("Position_Values", data=pos_i * 1e-7)
        si = f.create_dataset("Spectroscopic_Indices", data=np.arange(s)[None].astype(np.uint32))
        sv = f.create_dataset("Spectroscopic_Values", data=np.linspace(1, 2, s)[None])
        for d in (pi, pv):
            d.attrs["labels"] = np.array([b"Y", b"X"])
            d.attrs["units"] = np.array([b"m", b"m"])
        for d in (si, sv):
            d.attrs["labels"] = np.array([b"Bias"])
            d.attrs["units"] = np.array([b"V"])
        main = f.create_dataset("Raw", data=data)
        main.attrs["quantity"] = np.bytes_(b"Current")
        main.attrs["units"] = b"A"
        for name, d in zip(("Position_Indices", "Position_Values", "Spectroscopic_Indices",
                            "Spectroscopic_Values"), (pi, pv, si, sv)):
            main.attrs[name] = d.ref
    src = SpectralSource.open(path)
    assert src.info.quantity == "Current" and src.info.units == "A"
    lay = src.layout
    assert lay.col_dim.name == "X" and lay.row_dim.name == "Y"
    assert lay.grid_shape == (rows, cols)
    assert lay.spectral.name == "Bias"  # no Frequency: the fastest (only) dim
    p = lay.position_of(2, 1)
    assert p == 2 * cols + 1
    np.testing.assert_array_equal(src.read_position(p)[0], data[p])


def test_plain_cube_is_accepted(tmp_path):
    path = tmp_path / "cube.h5"
    cube = np.random.default_rng(1).random((5, 6, 40))
    with h5py.File(path, "w") as f:
        f.create_dataset("scan/cube", data=cube)
    src = SpectralSource.open(path)
    assert src.dataset == "/scan/cube" and not src.info.is_usid
    assert src.layout.grid_shape == (5, 6)
    assert src.layout.n_points == 40
    np.testing.assert_array_equal(src.read(7, 20)[:, 0], cube.reshape(30, 40)[7:20])
    r, c = 4, 5
    np.testing.assert_array_equal(src.read_position(src.layout.position_of(r, c))[0], cube[r, c])


def _multi_dim_file(path, fastest_first: bool):
    """(P, N*S) with Frequency x DC x Field; fastest_first selects the listing order."""
    rows, cols = 2, 3
    dims = [Dimension("Frequency", "Hz", np.linspace(1e5, 2e5, 5)),
            Dimension("DC_Offset", "V", np.linspace(-1, 1, 4)),
            Dimension("Field", "", np.array([0.0, 1.0]))]
    rng = np.random.default_rng(7)
    data = rng.random((rows * cols, 5 * 4 * 2)).astype(np.float32)
    with h5py.File(path, "w") as f:
        pos = write_ancillaries(f, [Dimension("X", "m", np.arange(cols) * 1.0),
                                    Dimension("Y", "m", np.arange(rows) * 1.0)], False)
        spec = write_ancillaries(f, dims, True)
        if not fastest_first:  # rewrite the spectroscopic tables slowest first
            for d in spec:
                name = d.name
                arr = d[()][::-1].copy()
                labels = as_text_list(d.attrs["labels"])[::-1]
                units = as_text_list(d.attrs["units"])[::-1]
                del f[name]
                new = f.create_dataset(name, data=arr)
                new.attrs["labels"] = labels
                new.attrs["units"] = units
            spec = (f["Spectroscopic_Indices"], f["Spectroscopic_Values"])
        main = f.create_dataset("Raw", data=data)
        link_as_main(main, pos, spec, "Amplitude", "V")
    return data


@pytest.mark.parametrize("fastest_first", [True, False])
@pytest.mark.parametrize("spectral", ["Frequency", "DC_Offset"])
def test_multi_dim_reshape_matches_explicit_loop(tmp_path, fastest_first, spectral):
    path = tmp_path / "beps.h5"
    data = _multi_dim_file(path, fastest_first)
    src = SpectralSource.open(path, spectral_dim=spectral)
    lay = src.layout
    spec = src.info.spectroscopic
    block = src.read(0, lay.n_positions)  # (P, N, S)
    assert block.shape == (6, 40 // lay.n_points, lay.n_points)
    # explicit loop: for each column, find its (step, point) from the index table
    d_s = spec.find(spectral)
    others = [d for d in spec.order if d != d_s]
    sizes = spec.sizes
    for col in range(data.shape[1]):
        k = spec.indices[d_s, col]
        n = 0
        for d in others:
            n = n * sizes[d] + spec.indices[d, col]
        np.testing.assert_array_equal(block[:, n, k], data[:, col])
    assert [d.name for d in lay.others] == [spec.names[d] for d in others]


def test_missing_dangling_and_wrong_length_ancillaries(tmp_path):
    path = tmp_path / "bad.h5"
    with h5py.File(path, "w") as f:
        pos = write_ancillaries(f, [Dimension("X", "m", np.arange(4.0))], False)
        spec = write_ancillaries(f, [Dimension("Frequency", "Hz", np.arange(9.0))], True)
        good = f.create_dataset("ok", data=np.zeros((4, 9)))
        link_as_main(good, pos, spec, "A", "V")
        short = f.create_dataset("short", data=np.zeros((5, 9)))
        link_as_main(short, pos, spec, "A", "V")
        dangling = f.create_dataset("dangling", data=np.zeros((4, 9)))
        link_as_main(dangling, pos, spec, "A", "V")
        tmp = f.create_dataset("tmp", data=[1.0])
        dangling.attrs["Position_Values"] = tmp.ref
        del f["tmp"]
        f.create_dataset("text", data=np.array([b"a", b"b"]))
        f.create_dataset("line", data=np.zeros(10))
    with open_read(path) as f:
        assert describe(f, "/ok").n_positions == 4
        with pytest.raises(InputError, match="has 4 position entries, the dataset has 5"):
            describe(f, "/short")
        with pytest.raises(InputError, match="dangling|points at nothing|does not point"):
            describe(f, "/dangling")
        with pytest.raises(InputError, match="not numbers"):
            describe(f, "/text")
        with pytest.raises(InputError, match="not a spectral map"):
            describe(f, "/line")
        with pytest.raises(InputError, match="no dataset"):
            describe(f, "/nothing")


def test_open_rejects_non_hdf5_empty_and_directories(tmp_path):
    (tmp_path / "notes.h5").write_text("not hdf5 at all")
    (tmp_path / "empty.h5").write_bytes(b"")
    with pytest.raises(InputError, match="not an HDF5 file"):
        SpectralSource.open(tmp_path / "notes.h5")
    with pytest.raises(InputError, match="empty"):
        SpectralSource.open(tmp_path / "empty.h5")
    with pytest.raises(InputError, match="directory"):
        SpectralSource.open(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        SpectralSource.open(tmp_path / "missing.h5")
    with h5py.File(tmp_path / "nothing.h5", "w") as f:
        f["a"] = np.arange(3)
    with pytest.raises(InputError, match="no spectral dataset"):
        SpectralSource.open(tmp_path / "nothing.h5")
