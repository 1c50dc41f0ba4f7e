"""Every bad input gives one clear message, never a traceback or a crash."""

from __future__ import annotations

import logging
import shutil

import h5py
import numpy as np
import pytest

from peakgui.core.demo.be import DEMO_DATASET
from peakgui.gui.app.excepthook import ExceptHook
from tests.gui.helpers import open_and_wait, open_fails, settle


def one_clear_line(text: str) -> bool:
    return "Traceback" not in text and "\n" not in text.strip() and len(text) < 400


@pytest.mark.parametrize("case, expected", [
    ("text", "not an HDF5 file"),
    ("empty", "the file is empty"),
    ("missing", "no such file"),
    ("directory", "is a directory"),
    ("corrupt", "cannot be opened as HDF5"),
    ("truncated", "the file is truncated"),
])
def test_bad_files(qtbot, window, tmp_path, small_file, case, expected):
    path = tmp_path / f"{case}.h5"
    if case == "text":
        path.write_text("x,y\n1,2\n")
    elif case == "empty":
        path.write_bytes(b"")
    elif case == "directory":
        path.mkdir()
    elif case == "corrupt":  # a valid HDF5 signature, then garbage
        head = small_file.read_bytes()[:8]
        path.write_bytes(head + np.random.default_rng(0).bytes(4096))
    elif case == "truncated":
        data = small_file.read_bytes()
        path.write_bytes(data[: len(data) // 3])
    open_fails(qtbot, window, path)
    assert window.file is None and window.source is None
    msg = window.dialogs.errors[-1]
    assert expected in msg and str(path.name) in msg
    assert one_clear_line(msg), msg
    assert expected in window.info_bar.text()  # said once, in the banner
    assert expected not in window.statusBar().currentMessage()
    assert window.dialogs.unexpected_errors == []


def test_wrong_dataset_paths(qtbot, window, small_file):
    open_fails(qtbot, window, small_file, "/nope")
    assert "no dataset /nope" in window.dialogs.errors[-1]
    assert window.file == small_file and window.source is None  # the tree stays usable
    open_fails(qtbot, window, None, "/Measurement_000/Channel_000/Bin_Frequencies")
    assert "is not a spectral map" in window.dialogs.errors[-1]
    open_fails(qtbot, window, None, "/Measurement_000")
    assert "is a group, not a dataset" in window.dialogs.errors[-1]
    with qtbot.waitSignal(window.sigOpenFinished, timeout=10_000) as opened:
        assert window.datasets.open_dataset(DEMO_DATASET)
    assert opened.args == [True]
    settle(qtbot, window)
    for msg in window.dialogs.errors:
        assert one_clear_line(msg), msg


def test_dataset_with_dangling_ancillaries(qtbot, window, small_file):
    with h5py.File(small_file, "r+") as f:
        f[DEMO_DATASET].attrs["Spectroscopic_Values"] = "/Measurement_000/nowhere"
    open_fails(qtbot, window, small_file)
    msg = window.dialogs.errors[-1]
    assert "Spectroscopic_Values" in msg and one_clear_line(msg)
    assert "cannot be analysed" in window.info_bar.text()


def test_a_file_deleted_while_open_is_reported_on_the_next_read(qtbot, window, small_file,
                                                                tmp_path):
    open_and_wait(qtbot, window, small_file)
    moved = tmp_path / "moved.h5"
    shutil.move(small_file, moved)
    with qtbot.waitSignal(window.sigPixelTested, timeout=2_000) as blocker:
        window.select_pixel(1, 2)
    rep = blocker.args[0]
    assert rep.spectrum is None and "no such file" in rep.error
    assert "no such file" in window.spectrum_view.title().text()
    assert not window.start_run()  # refused before a thread starts
    assert not window.run_controller.is_active()
    assert "no such file" in window.dialogs.errors[-1]
    assert one_clear_line(window.dialogs.errors[-1])


def test_the_exception_hook_logs_and_notifies_instead_of_crashing(caplog):
    notes = []
    hook = ExceptHook(notes.append)
    try:
        raise ZeroDivisionError("boom")
    except ZeroDivisionError as exc:
        with caplog.at_level(logging.ERROR, logger="peakgui"):
            hook(type(exc), exc, exc.__traceback__)
    assert notes == ["ZeroDivisionError: boom"]
    assert "Traceback" in caplog.text and "boom" in caplog.text
    # an error inside the notification itself is logged, not raised
    hook = ExceptHook(lambda s: 1 / 0)
    hook(ValueError, ValueError("x"), None)
    assert hook.count == 1


def test_the_hook_is_installed_and_removed(qapp):
    import sys

    before = sys.excepthook
    hook = ExceptHook(lambda s: None).install()
    assert sys.excepthook is hook
    hook.uninstall()
    assert sys.excepthook is before
