"""File ▸ Run on files… (issue 11): the current analysis on many files, a status per file, a
bad file said in its row while the others run, reuse on a second run, and cancel."""

from __future__ import annotations

import shutil

import h5py

from peakgui.core.io.files import expand_inputs
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.engine import AnalysisRun
from peakgui.gui.app.batch_dialog import FileState
from tests.gui.helpers import open_and_wait


def folder_of_files(tmp_path, small_file):
    folder = tmp_path / "many"
    folder.mkdir()
    shutil.copy(small_file, folder / "a.h5")
    shutil.copy(small_file, folder / "c.h5")
    (folder / "b.h5").write_text("not an HDF5 file")
    h5py.File(folder / "c.peakgui.h5", "w").close()  # a sidecar: never an input
    return folder


def test_run_on_files_runs_each_says_errors_and_reuses(qtbot, window, tmp_path, small_file):
    w = window
    folder = folder_of_files(tmp_path, small_file)
    assert w.run_files_action.text() == "Run on &files…"
    assert w.run_files_action in w.menuBar().actions()[0].menu().actions()
    dlg = w.actions.new_batch_dialog()
    qtbot.addWidget(dlg)
    dlg.add_paths([folder, tmp_path / "empty_folder_missing.h5"])
    assert [p.name for p in dlg.files] == ["a.h5", "b.h5", "c.h5", "empty_folder_missing.h5"]
    assert [dlg.status_text(r) for r in range(4)] == ["waiting"] * 4
    with qtbot.waitSignal(dlg.sigFinished, timeout=120_000) as blocker:
        assert dlg.start()
    assert blocker.args[0] == [FileState.DONE, FileState.ERROR, FileState.DONE, FileState.ERROR]
    assert dlg.status_text(0).startswith("done: Raw_Data-Peak_Finding_000")
    assert dlg.status_text(1).startswith("error: ") and "HDF5" in dlg.status_text(1)
    assert dlg.progress_bar().value() == 1000
    assert "2 done, 2 error" in dlg.message()
    # the results are the engine's: a later run with the same parameters reuses them
    run = AnalysisRun(SpectralSource.open(folder / "a.h5"), "peak_finding",
                      w.params_panel.params(), n_jobs=1)
    assert [e.complete for e in run.find_existing()] == [True]
    again = w.actions.new_batch_dialog()
    qtbot.addWidget(again)
    again.add_paths([folder / "a.h5", folder / "c.h5"])
    with qtbot.waitSignal(again.sigFinished, timeout=60_000) as blocker:
        assert again.start()
    assert blocker.args[0] == [FileState.REUSED, FileState.REUSED]


def test_cancel_stops_after_the_chunk_in_flight(qtbot, window, tmp_path, small_file,
                                                slow_kernel):
    w = window
    folder = folder_of_files(tmp_path, small_file)
    dlg = w.actions.new_batch_dialog()
    qtbot.addWidget(dlg)
    dlg.add_paths([folder / "a.h5", folder / "c.h5"])
    with qtbot.waitSignal(dlg.sigFinished, timeout=60_000) as blocker:
        assert dlg.start()
        qtbot.waitUntil(lambda: dlg.status_text(0).startswith("running"), timeout=30_000)
        dlg.cancel()
    assert blocker.args[0] in ([FileState.CANCELLED, FileState.NOT_RUN],
                               [FileState.DONE, FileState.CANCELLED])
    assert dlg.message().startswith("Cancelled")


def test_the_open_file_shows_its_new_results(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    dlg = w.actions.new_batch_dialog()
    qtbot.addWidget(dlg)
    dlg.add_paths([small_file])
    with qtbot.waitSignal(w.sigResultsShown, timeout=60_000):
        with qtbot.waitSignal(dlg.sigFinished, timeout=60_000):
            assert dlg.start()
    assert w.results is not None and w.results.done == w.results.total


def test_cli_and_gui_share_one_input_expansion(tmp_path, small_file):
    from peakgui import cli

    folder = folder_of_files(tmp_path, small_file)
    assert cli.expand_inputs is expand_inputs
    assert [p.name for p in expand_inputs([folder])] == ["a.h5", "b.h5", "c.h5"]

