"""A single click on a spectral dataset in the tree opens it, as the README says."""

from __future__ import annotations

import h5py
from PyQt5.QtCore import Qt

from peakgui.core.demo.be import DEMO_DATASET
from peakgui.gui.presenters.map_layers import NAVIGATOR_MEAN
from tests.gui.helpers import find_index, open_and_wait, run_batch, settle

COPY = "/Measurement_000/Channel_000/Raw_Data_copy"


def click(qtbot, w, path: str) -> None:
    view = w.tree.view()
    index = find_index(qtbot, w.tree.model(), path)
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=view.visualRect(index).center())


def test_a_single_click_opens_another_spectral_dataset(qtbot, window, small_file):
    with h5py.File(small_file, "r+") as f:  # a second USID main dataset (same ancillaries)
        src = f[DEMO_DATASET]
        copy = f.create_dataset(COPY, data=src[()])
        for key, value in src.attrs.items():
            copy.attrs[key] = value
    w = window
    open_and_wait(qtbot, w, small_file)
    assert w.source.dataset == DEMO_DATASET
    with qtbot.waitSignal(w.sigDatasetOpened, timeout=20_000) as opened:
        click(qtbot, w, COPY)
    assert opened.args == [COPY] and w.source.dataset == COPY
    settle(qtbot, w)


def test_clicking_the_selected_dataset_again_opens_its_map(qtbot, window, small_file):
    """Earlier results are shown on opening; a click on the dataset (already selected in the
    tree) goes back to the dataset's own map instead of doing nothing."""
    run_batch(small_file)
    w = window
    with qtbot.waitSignal(w.sigResultsShown, timeout=20_000):
        open_and_wait(qtbot, w, small_file)
    settle(qtbot, w)
    assert w.layers.current() != NAVIGATOR_MEAN  # the reused results
    assert w.tree.current_node().path == DEMO_DATASET
    click(qtbot, w, DEMO_DATASET)
    assert w.layers.current() == NAVIGATOR_MEAN
    assert w.source.dataset == DEMO_DATASET
