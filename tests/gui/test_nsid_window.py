"""The window on NSID files: map axes, scale bar, spectrum axis and readouts in the scales'
names, values and units; and the raw dataset opened again after a run on a non-USID file."""

from __future__ import annotations

import h5py
import numpy as np

from peakgui.core.demo.nsid import NSID_DATASET, write_nsid_demo
from tests.gui.helpers import open_and_wait, select_and_wait, settle


def label(axis) -> str:
    return axis.labelString()


def run_and_wait(qtbot, w) -> None:
    with qtbot.waitSignal(w.run_controller.sigStopped, timeout=60_000):
        assert w.start_run()
    settle(qtbot, w)


def test_an_nsid_map_and_spectrum_carry_the_scales(qtbot, window, tmp_path):
    path = tmp_path / "nsid.h5"
    write_nsid_demo(path, rows=12, cols=16, bins=40, order="fyx")  # spectrum axis first
    w = window
    open_and_wait(qtbot, w, path)
    mv, sv = w.map_view, w.spectrum_view
    assert w.session.source.dataset == NSID_DATASET
    assert "x (µm)" in label(mv.plot_item().getAxis("bottom"))
    assert "y (µm)" in label(mv.plot_item().getAxis("left"))
    assert mv.scale_bar().label() == "1 µm"  # of a 5 µm scan, not "10 pixel"
    qtbot.waitUntil(lambda: "Frequency (kHz)" in label(sv.plot_item().getAxis("bottom")),
                    timeout=5_000)
    (lo, hi), _ = sv.plot_item().getViewBox().viewRange()
    assert lo <= 300e3 and 350e3 <= hi < 400e3  # the frequencies, not the bin indices
    select_and_wait(qtbot, w, 3, 5)
    assert "x = 1.667 µm, y = 1.023 µm" in mv.readout().text()
    assert "Mean |x| over Frequency" in mv.readout().text()
    assert "Frequency</b> 3" in sv.readout().text() and "kHz" in sv.readout().text()
    run_and_wait(qtbot, w)
    assert "x = 1.667 µm" in mv.readout().text() and "Peak amplitude" in mv.readout().text()


def test_after_a_run_on_a_cube_the_window_opens_the_cube_again(qtbot, make_window, tmp_path):
    path = tmp_path / "cube.h5"
    with h5py.File(path, "w") as f:
        f["scan/data"] = np.random.default_rng(0).random((6, 7, 30)).astype("f4")
    w = make_window()
    open_and_wait(qtbot, w, path)
    run_and_wait(qtbot, w)
    w2 = make_window()
    open_and_wait(qtbot, w2, path)
    assert w2.session.source.dataset == "/scan/data"


def test_after_a_run_on_an_nsid_file_the_window_opens_the_raw_dataset(qtbot, make_window,
                                                                       tmp_path):
    path = tmp_path / "nsid.h5"
    write_nsid_demo(path, rows=6, cols=8, bins=30)
    w = make_window()
    open_and_wait(qtbot, w, path)
    run_and_wait(qtbot, w)
    w2 = make_window()
    open_and_wait(qtbot, w2, path)
    assert w2.session.source.dataset == NSID_DATASET
