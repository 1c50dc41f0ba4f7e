"""A failed open leaves nothing of the old file and says so once; recovered problems are said."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from peakgui.core.demo.be import DEMO_DATASET
from peakgui.core.demo.beps import write_beps_demo
from tests.gui.helpers import open_and_wait, open_fails, open_only


@pytest.fixture
def beps_file(tmp_path):
    path = tmp_path / "beps.h5"
    write_beps_demo(path, rows=8, cols=6, bins=40, dc_steps=8)
    return path


def nothing_of_the_old_file(w) -> None:
    assert w.source is None
    assert w.attributes.table().rowCount() == 0
    assert w.map_view.image() is None and w.map_view.marker() is None
    assert w.map_view.plot_item().getAxis("bottom").labelText == ""
    assert w.map_view.histogram().axis.labelText == ""
    assert w.spectrum_view.plot_item().getAxis("bottom").labelText == ""
    assert not w.spectrum_view.step_selector().isVisibleTo(w)  # the BEPS sliders
    assert not w.spectrum_view.spectral_dim_combo().isVisibleTo(w)
    assert w.dataset_label.text() == ""


@pytest.mark.parametrize("second", ["text", "no_spectral"])
def test_a_failed_open_clears_the_old_file_and_says_it_once(qtbot, window, beps_file, tmp_path,
                                                           second):
    w = window
    open_and_wait(qtbot, w, beps_file)
    assert w.spectrum_view.step_selector().isVisibleTo(w)  # BEPS: DC and field sliders
    if second == "text":
        bad = tmp_path / "notes.h5"
        bad.write_text("not HDF5\n")
        open_fails(qtbot, w, bad)
        assert w.file is None and w.windowTitle() == "PeakGUI"
        assert w.tree.model().rowCount() == 0
        said = "not an HDF5 file"
        assert "Open another file" in w.info_bar.text()  # what the user can do
        assert w.info_bar.button("Open…") is not None
    else:
        bad = tmp_path / "plain.h5"
        with h5py.File(bad, "w") as f:
            f.create_dataset("values", data=np.arange(10.0))
        open_only(qtbot, w, bad)
        said = "no spectral dataset"
        assert "pick one in the tree" in w.info_bar.text()
    nothing_of_the_old_file(w)
    # said once, in one place: the banner; no dialog box, nothing in the status bar
    assert said in w.info_bar.text()
    assert said not in w.statusBar().currentMessage()
    assert sum(said in e for e in w.dialogs.errors) <= 1  # recorded (printed when scripted)


def test_a_failed_dataset_is_said_only_in_the_banner(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    open_fails(qtbot, w, None, "/Measurement_000/Channel_000/Bin_Frequencies")
    text = w.info_bar.text()
    assert "not a spectral map" in text and "Pick another dataset" in text
    assert "not a spectral map" not in w.statusBar().currentMessage()
    assert w.source.dataset == DEMO_DATASET  # the dataset shown before stays usable


def test_recovered_problems_of_the_source_are_said_in_one_line(qtbot, window, small_file):
    w = window
    with h5py.File(small_file, "r+") as f:
        spec = f[DEMO_DATASET].attrs["Spectroscopic_Indices"]
        del f[spec].attrs["units"]
    open_and_wait(qtbot, w, small_file)
    assert w.source.notes  # the reader recovered (and said so)
    note = w.info_bar.note()
    assert note.startswith("Worked around in this file: Spectroscopic_Indices")
    assert "no usable units" in note and "\n" not in note
    # a later message (earlier results, a sidecar...) does not hide it
    w.info_bar.show_message("something else", "info")
    w.info_bar.hide()
    assert "no usable units" in w.info_bar.note()
    w.close_file()  # the dataset is gone: so is its note
    assert w.info_bar.note() == ""


def test_a_deleted_ancillary_is_said_in_the_banner(qtbot, window, small_file):
    """The reference to a deleted ``Spectroscopic_Values`` still reaches its data: the file
    opens, and the banner says what was read (the batch run says it on stderr)."""
    w = window
    with h5py.File(small_file, "r+") as f:
        del f[DEMO_DATASET.rsplit("/", 1)[0] + "/Spectroscopic_Values"]
    open_and_wait(qtbot, w, small_file)
    assert w.source is not None
    note = w.info_bar.note()
    assert "Spectroscopic_Values was deleted from the file (dangling reference)" in note


@pytest.mark.parametrize("bad", ["text", "corrupt"])
def test_a_bad_file_after_work_on_a_good_one_leaves_none_of_it(qtbot, window, small_file,
                                                              tmp_path, bad):
    """Pins, their spectra, the profile, the region, the map and its scale bar all belonged to
    the old file: after a failed open none of them stays (no '300000' axis without units)."""
    from tests.gui.helpers import select_and_wait

    w = window
    tools = w.map_tools
    open_and_wait(qtbot, w, small_file)
    for row, col in ((2, 3), (5, 7)):
        select_and_wait(qtbot, w, row, col)
        assert tools.pins.pin_selected()
    assert tools.profile.add()
    assert tools.regions.add("rectangle")
    qtbot.waitUntil(lambda: tools.regions.region_mean is not None, timeout=20_000)
    assert len(tools.pins.pins.pins) == 2 and tools.profile.profile.data()[0].size
    assert w.map_view.scale_bar().isVisible()
    path = tmp_path / "bad.h5"
    if bad == "text":
        path.write_text("Scan notes: tip 3, setpoint 0.5 V\n")
    else:  # an HDF5 signature followed by garbage
        path.write_bytes(small_file.read_bytes()[:2048] + b"\0" * 4096)
    open_fails(qtbot, w, path)
    assert "Cannot open" in w.dialogs.errors[-1] or w.info_bar.text()
    assert w.info_bar.kind is not None and w.info_bar.text()  # the clear banner
    nothing_of_the_old_file(w)
    assert tools.pins.pins.pins == [] and tools.pins.pins.curves() == []
    assert tools.pins.label.text().startswith("Select a pixel")
    markers = tools.pins.pins.markers()
    assert len(markers.data) == 0
    assert tools.profile.profile.ends() is None and tools.profile.profile.data()[0].size == 0
    assert tools.regions.region.roi is None and tools.regions.stats == {}
    assert tools.regions.region_mean is None
    assert not w.map_view.scale_bar().isVisible()
    sv = w.spectrum_view
    assert sv.spectrum() is None and sv.curve_data()[0].size == 0
    left, bottom = sv.plot_item().getAxis("left"), sv.plot_item().getAxis("bottom")
    assert left.labelText == "" and bottom.labelText == ""
    items = [i for i in sv.plot_item().listDataItems() if i.isVisible()
             and i.getData()[0] is not None and len(i.getData()[0])]
    assert items == []  # no curve left, so no '300000' axis range
