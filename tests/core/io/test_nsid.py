"""NSID files (one N-D dataset whose axes are HDF5 dimension scales), read by their scales:
the demo in every axis order, hand-made files with the flaws files from the wild have, and the
results of a run on them."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from peakgui.core.demo.be import demo_block, demo_scene
from peakgui.core.demo.nsid import NSID_DATASET, write_nsid_demo
from peakgui.core.errors import InputError
from peakgui.core.io.browse import Kind, describe_link
from peakgui.core.io.discover import find_spectral_datasets
from peakgui.core.io.h5access import open_read
from peakgui.core.io.nsid_write import MAPS_GROUP, mark_nsid_main, write_scale
from peakgui.core.io.results import results_parent
from peakgui.core.io.results_read import read_group
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.engine import AnalysisRun

ROWS, COLS, BINS = 6, 9, 24


def demo_spectra() -> np.ndarray:
    """(positions, bins) of the demo scene, row by row (x fastest)."""
    return demo_block(demo_scene(ROWS, COLS, BINS), 0, ROWS * COLS)


def nsid_file(path, data, axes, **attrs):
    """A file with one NSID dataset ``/g/d/d``; axes: (name, values, units, type or None)."""
    with h5py.File(path, "w") as f:
        grp = f.create_group("g/d")
        dset = grp.create_dataset("d", data=data)
        scales = []
        for name, values, units, kind in axes:
            scale = write_scale(grp, name, np.asarray(values), units, name, kind or "")
            if kind is None:
                del scale.attrs["dimension_type"]
            scales.append(scale)
        mark_nsid_main(dset, scales, {"quantity": "Current", "units": "A", **attrs})
    return path


def iv_axes(nx=5, ny=4, ne=30, kinds=("SPATIAL", "SPATIAL", "SPECTRAL")):
    return [("x", np.linspace(0, 2e-6, nx), "m", kinds[0]),
            ("y", np.linspace(0, 1.5e-6, ny), "m", kinds[1]),
            ("Bias", np.linspace(-1, 1, ne), "V", kinds[2])]


def iv_data(nx=5, ny=4, ne=30):
    return np.arange(nx * ny * ne, dtype=np.float32).reshape(nx, ny, ne)


@pytest.mark.parametrize("order", ["xyf", "fyx", "yfx", "fxy"])
def test_demo_in_any_axis_order_gives_each_position_its_spectrum(tmp_path, order):
    path = tmp_path / "nsid.h5"
    write_nsid_demo(path, ROWS, COLS, BINS, order=order, chunks=True, compression="gzip")
    src = SpectralSource.open(path)
    lay = src.layout
    assert src.dataset == NSID_DATASET and src.notes == []
    assert (lay.col_dim.name, lay.col_dim.units, lay.row_dim.name, lay.row_dim.units) == \
        ("x", "m", "y", "m")
    assert lay.grid_shape == (ROWS, COLS)
    assert lay.col_dim.values[-1] == pytest.approx(5e-6)
    assert (lay.spectral.name, lay.spectral.units) == ("Frequency", "Hz")
    assert lay.spectral.values[0] == pytest.approx(300e3)
    truth = demo_spectra()
    assert np.array_equal(src.read(0, ROWS * COLS)[:, 0], truth)
    assert np.array_equal(src.read(13, 31)[:, 0], truth[13:31])
    assert np.array_equal(src.read_position(50)[0], truth[50])
    assert lay.position_of(2, 7) == 2 * COLS + 7


def test_float_file_with_tex_labels_keeps_them_raw_and_labels_the_data(tmp_path):
    axes = [("$\\sqrt E$", np.linspace(8592, 11180, 7), "$(V/m)^{0.5}$", "SPECTRAL"),
            ("x", np.linspace(0, 5e-9, 3), "m", "SPATIAL"),
            ("y", np.linspace(0, 5e-9, 4), "m", "SPATIAL")]
    data = np.random.default_rng(0).random((7, 3, 4))
    path = nsid_file(tmp_path / "iv.h5", data, axes, quantity="log J", units="$A/m^2$")
    src = SpectralSource.open(path)
    assert (src.info.quantity, src.info.units) == ("log J", "$A/m^2$")
    assert (src.layout.spectral.name, src.layout.spectral.units) == ("$\\sqrt E$",
                                                                     "$(V/m)^{0.5}$")
    assert src.layout.grid_shape == (4, 3)
    assert np.allclose(src.read_position(src.layout.position_of(3, 1))[0], data[:, 1, 3])


def test_two_spectral_dims_without_a_choice_say_which_one_the_spectra_run_along(tmp_path):
    axes = iv_axes(3, 2, 5) + [("Time", np.arange(4) * 0.1, "s", "SPECTRAL")]
    data = np.arange(3 * 2 * 5 * 4, dtype=np.float64).reshape(3, 2, 5, 4)
    path = nsid_file(tmp_path / "two.h5", data, axes)
    src = SpectralSource.open(path)
    lay = src.layout
    assert lay.spectral.name == "Time" and [d.name for d in lay.others] == ["Bias"]
    assert lay.n_steps == 5 and lay.n_points == 4
    assert np.array_equal(src.read_position(lay.position_of(1, 2)), data[2, 1])
    [note] = src.notes
    assert "2 spectral dimensions" in note and "'Time'" in note and "--spectral-dim" in note
    chosen = SpectralSource.open(path, spectral_dim="Bias")
    assert chosen.notes == [] and chosen.layout.spectral.name == "Bias"
    assert np.array_equal(chosen.read_position(0), data[0, 0].T)


def _wrong_length(f):
    del f["g/d/x"]
    x = write_scale(f["g/d"], "x", np.linspace(0, 1e-6, 9), "m", "distance", "SPATIAL")
    f["g/d/d"].dims[0].attach_scale(x)


def _nan_values(f):
    f["g/d/Bias"][3] = np.nan


def _unlinked(f):
    del f["g/d/y"]  # the scale is left nameless, out of reach of pyNSID too


def _dangling(f):
    dset = f["g/d/d"]
    dset.dims[1].detach_scale(f["g/d/y"])
    gone = write_scale(f["g/d"], "gone", np.zeros(4), "m", "distance", "SPATIAL")
    dset.dims[1].attach_scale(gone)
    del f["g/d/gone"]  # the reference in DIMENSION_LIST now points at nothing


@pytest.mark.parametrize("spoil, axis, words", [
    (_wrong_length, "x", "has 9 values for the 5 points"),
    (_nan_values, "Bias", "NaN"),
    (_dangling, "y", "dangling DIMENSION_LIST"),
    (_unlinked, "y", "dangling DIMENSION_LIST"),
])
def test_a_bad_scale_gets_one_note_and_the_index_in_its_place(tmp_path, spoil, axis, words):
    path = nsid_file(tmp_path / "bad.h5", iv_data(), iv_axes())
    with h5py.File(path, "a") as f:
        spoil(f)
    src = SpectralSource.open(path)
    [note] = src.notes
    assert words in note and "index" in note and "\n" not in note
    lay = src.layout
    dims = {d.name: d for d in (lay.col_dim, lay.row_dim, lay.spectral)}
    dim = dims.get(axis) or dims[f"Dim_{1}"]  # a dangling scale leaves the axis unnamed
    assert np.array_equal(dim.values, np.arange(dim.size)) and dim.units in ("pixel", "index")
    assert np.array_equal(src.read_position(lay.position_of(2, 3))[0], iv_data()[3, 2])


def test_scales_without_dimension_type_are_guessed_by_name_and_said(tmp_path):
    path = nsid_file(tmp_path / "untyped.h5", iv_data(), iv_axes(kinds=(None, None, None)))
    src = SpectralSource.open(path)
    [note] = src.notes
    assert "no dimension_type" in note and "'x', 'y' as spatial" in note
    assert "'Bias' as spectral" in note and "names" in note
    assert src.layout.spectral.name == "Bias" and src.layout.col_dim.name == "x"


def test_untyped_scales_with_unknown_names_are_guessed_by_their_sizes(tmp_path):
    axes = [("t", np.arange(6.0), "s", None), ("a", np.arange(4.0), "", None),
            ("b", np.arange(4.0), "", None)]
    src = SpectralSource.open(nsid_file(tmp_path / "sizes.h5", np.zeros((6, 4, 4)), axes))
    assert "sizes" in src.notes[0]
    assert src.layout.spectral.name == "t" and src.layout.grid_shape == (4, 4)


def test_an_image_with_scales_is_no_spectral_map_and_says_so(tmp_path):
    axes = iv_axes()[:2]
    path = nsid_file(tmp_path / "image.h5", np.zeros((5, 4)), axes)
    with open_read(path) as f:
        assert find_spectral_datasets(f) == []
        assert describe_link(f["g/d"], "d").kind == Kind.DATASET
    with pytest.raises(InputError, match="no spectral dataset"):
        SpectralSource.open(path)
    with pytest.raises(InputError, match="not a spectral map: its axes are x .SPATIAL."):
        SpectralSource.open(path, "/g/d/d")


def test_default_dataset_is_the_raw_cube_after_a_run_on_it(tmp_path):
    """A run on a plain cube leaves USID results beside it; the next open still picks the
    cube (it picked the results' Peak_Count)."""
    path = tmp_path / "cube.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("scan/data", data=np.abs(demo_spectra()).reshape(ROWS, COLS, BINS))
    list(AnalysisRun(SpectralSource.open(path), "peak_finding", n_jobs=1).run())
    assert SpectralSource.first_dataset(path) == "/scan/data"
    assert SpectralSource.open(path).dataset == "/scan/data"


def test_default_dataset_order_raw_main_then_nsid_then_cube_never_results(tmp_path, small_file):
    path = tmp_path / "nsid.h5"
    write_nsid_demo(path, ROWS, COLS, BINS)
    list(AnalysisRun(SpectralSource.open(path), "peak_finding", n_jobs=1).run())
    with h5py.File(path, "a") as f:
        f.create_dataset("/A_cube", data=np.zeros((2, 3, 5)))  # first in name order
        # a BGlib-style results group (beside its source), with a USID main in it
        h5py.File(small_file, "r").copy("/Measurement_000/Channel_000", f, "/A_cube-SHO_Fit_000")
        f.create_dataset("/Sample-Area_001/raw", data=np.zeros((2, 3, 5)))  # a user's name
    with open_read(path) as f:
        assert find_spectral_datasets(f) == [NSID_DATASET, "/A_cube", "/Sample-Area_001/raw"]
    with h5py.File(path, "a") as f:
        h5py.File(small_file, "r").copy("/Measurement_000", f, "/Z_raw")
    assert SpectralSource.first_dataset(path) == "/Z_raw/Channel_000/Raw_Data"


def test_results_of_an_nsid_source_carry_its_axes_and_scaled_maps(tmp_path):
    path = tmp_path / "nsid.h5"
    write_nsid_demo(path, ROWS, COLS, BINS, order="fyx")
    src = SpectralSource.open(path)
    last = list(AnalysisRun(src, "peak_finding", n_jobs=1).run())[-1]
    group = last.results.group
    assert group == results_parent(NSID_DATASET)[0] + "/BE_Amplitude-Peak_Finding_000"
    with h5py.File(path, "r") as f:
        assert [k for k in f[NSID_DATASET.rsplit("/", 1)[0]] if "-" in k] == []
        grp = f[group]
        freq = grp["Peak_Frequency"]
        assert freq.attrs["units"] == "Hz"
        found = freq[:, 0][np.isfinite(freq[:, 0])]
        assert found.size and np.all((found >= 300e3) & (found <= 350e3))
        assert list(grp["Position_Values"].attrs["labels"]) == ["x", "y"]
        assert list(grp["Position_Values"].attrs["units"]) == ["m", "m"]
        assert grp["Position_Values"][COLS - 1, 0] == pytest.approx(5e-6)
        maps = grp[MAPS_GROUP]
        fmap = maps["Peak_Frequency"]
        assert fmap.is_virtual and fmap.shape == (COLS, ROWS)
        assert np.array_equal(fmap[()], freq[:, 0].reshape(ROWS, COLS).T, equal_nan=True)
        assert [fmap.dims[i].label for i in range(2)] == ["x", "y"]
        assert fmap.dims[0][0].attrs["dimension_type"] == "SPATIAL"
        assert fmap.dims[0][0].attrs["units"] == "m"
        assert np.allclose(fmap.dims[1][0][()], src.layout.row_dim.values)
        assert (fmap.attrs["units"], fmap.attrs["data_type"]) == ("Hz", "IMAGE")
        assert "Peak_Count" in maps
    back = read_group(last.results)
    assert (back.layout.col_dim.name, back.layout.col_dim.units) == ("x", "m")


def test_the_tree_marks_nsid_spectral_images(tmp_path):
    path = tmp_path / "nsid.h5"
    write_nsid_demo(path, ROWS, COLS, BINS)
    with open_read(path) as f:
        grp = f[NSID_DATASET.rsplit("/", 1)[0]]
        assert describe_link(grp, "BE_Amplitude").kind == Kind.NSID
        assert describe_link(grp, "x").kind == Kind.DATASET
