"""Every case of the bad-input catalogue through the window: one clear message, no traceback,
the source file unchanged and the window still usable; plus a file locked by another writer and
a file deleted while it is open."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time

import h5py
import pytest

from peakgui.core.demo.be import DEMO_DATASET
from peakgui.core.io.results import COMPLETED, ResultsRef, sidecar_path
from peakgui.core.io.results_read import read_all
from peakgui.core.run.progress import ProgressState
from tests.catalogue import CASES
from tests.gui.caps import as_plain_user, why_not_supported
from tests.gui.helpers import open_and_wait, open_fails, settle
from tests.gui.presenters.test_inspector import click_map

PLAIN_USER = {"permission denied", "read-only file"}  # file modes must apply, even as root
# what the window says for the cases the batch CLI completes with a note
GUI_PHRASE = {"computed 64 positions": "64 positions computed",
              "read-only; results go to": "results go to the sidecar file"}


def snapshot(path, dataset=None):
    """What must not change: a folder's listing, a file's bytes, or (for runs that write their
    results group into the file) the source dataset's values and attributes."""
    if path.is_dir():
        return ("dir", sorted(p.name for p in path.iterdir()))
    if dataset is not None:
        with h5py.File(path, "r") as f:
            d = f[dataset]
            return ("dataset", d[()].tobytes(), sorted((k, str(v)) for k, v in d.attrs.items()),
                    path.stat().st_mode)
    return ("file", path.read_bytes(), path.stat().st_mode)


def everything_said(w) -> str:
    return "\n".join([*w.dialogs.errors, w.info_bar.text(), w.run_panel.message(),
                      w.statusBar().currentMessage()])


@pytest.mark.parametrize("build", CASES, ids=lambda b: b.__name__)
def test_catalogue_case_in_the_window(qtbot, window, tmp_path, small_file, build, recwarn):
    folder = tmp_path / "case"
    folder.mkdir()
    case = build(folder)
    plain = case.name in PLAIN_USER
    if plain and why_not_supported():
        pytest.skip(why_not_supported())
    in_place = case.exit_code == 0 and not plain
    before = snapshot(case.path, DEMO_DATASET if in_place else None)
    w = window
    with as_plain_user() if plain else contextlib.nullcontext():
        if case.exit_code == 0:
            open_and_wait(qtbot, w, case.path, case.dataset)
            with qtbot.waitSignal(w.run_controller.sigStopped, timeout=60_000):
                assert w.start_run()
            assert w.last_progress is not None and w.last_progress.state is ProgressState.FINISHED
        else:
            open_fails(qtbot, w, case.path, case.dataset)
            assert w.source is None
    settle(qtbot, w)  # the window's readers have closed the file
    said = everything_said(w)
    phrase = GUI_PHRASE.get(case.message, case.message)
    assert phrase.lower() in said.lower(), (case.name, said)
    assert "Traceback" not in said and w.dialogs.unexpected_errors == []
    for msg in w.dialogs.errors:
        assert "\n" not in msg.split("\n\n")[0] and len(msg) < 500, msg
    assert snapshot(case.path, DEMO_DATASET if in_place else None) == before  # never modified
    if case.name == "read-only file":
        assert read_all(ResultsRef(sidecar_path(case.path), DEMO_DATASET
                                       + "-Peak_Finding_000"), [COMPLETED])[COMPLETED].all()
    # the window is still usable: open a good file and click a pixel
    open_and_wait(qtbot, w, small_file)
    click_map(qtbot, w, 2, 5)
    assert (w.inspector.report.row, w.inspector.report.col) == (2, 5)
    assert w.inspector.report.detail is not None
    # bad data is said in words, not in numpy's warnings (NaN/Inf spectra: five before)
    said_by_numpy = [str(r.message) for r in recwarn if issubclass(r.category, RuntimeWarning)]
    assert said_by_numpy == []


LOCKER = """
import sys, time, h5py
f = h5py.File(sys.argv[1], "r+")
print("locked", flush=True)
sys.stdin.readline()
f.close()
"""


def test_file_locked_by_another_writer(qtbot, window, small_file):
    before = snapshot(small_file)
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(small_file)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout.readline().strip() == "locked"
        w = window
        open_and_wait(qtbot, w, small_file)  # browsing works
        click_map(qtbot, w, 1, 1)
        assert w.inspector.report.detail is not None
        with qtbot.waitSignal(w.run_controller.sigStopped, timeout=60_000):
            assert w.start_run()
        assert w.last_progress.state is ProgressState.FINISHED
        assert "sidecar" in w.info_bar.text() and "locked" in w.info_bar.text()
        assert "small.peakgui.h5" in w.run_panel.message()
        ref = ResultsRef(sidecar_path(small_file), DEMO_DATASET + "-Peak_Finding_000")
        assert read_all(ref, [COMPLETED])[COMPLETED].all()
    finally:
        locker.communicate("\n", timeout=10)
    assert snapshot(small_file) == before


def test_file_deleted_while_open(qtbot, window, small_file, tmp_path):
    w = window
    open_and_wait(qtbot, w, small_file)
    small_file.unlink()
    with qtbot.waitSignal(w.sigPixelTested, timeout=5_000):
        w.select_pixel(4, 4)
    rep = w.inspector.report
    assert rep.spectrum is None and "no such file" in rep.error.lower(), rep.error
    assert "Traceback" not in rep.error and w.dialogs.unexpected_errors == []
    assert "no such file" in w.spectrum_view.title().text().lower()
    # the window stays usable: a run says why it cannot start, another file opens
    assert not w.start_run()
    assert "no such file" in w.dialogs.errors[-1].lower()
    assert not w.run_controller.is_active()
    other = tmp_path / "again.h5"
    from peakgui.core.demo.be import write_demo

    write_demo(other, rows=6, cols=7, bins=40)
    t0 = time.perf_counter()
    open_and_wait(qtbot, w, other)
    click_map(qtbot, w, 3, 3)
    assert w.inspector.report.detail is not None and time.perf_counter() - t0 < 20
