"""The one batch over files that the CLI and the window's "Run on files" drive."""

from __future__ import annotations

import shutil

import pytest

from peakgui.core.analyses import registry
from peakgui.core.errors import InputError, PeakGUIError
from peakgui.core.run.batch import (
    FileFailed,
    FileFinished,
    FileOpening,
    FileProgress,
    FileStarted,
    run_files,
)
from peakgui.core.run.progress import ProgressState


def test_each_file_in_turn_a_bad_one_said_and_a_second_batch_reuses(tmp_path, small_file):
    good = tmp_path / "a.h5"
    shutil.copy(small_file, good)
    bad = tmp_path / "b.h5"
    bad.write_text("not an HDF5 file")
    peaks = registry.get("peak_finding")
    params = peaks.values({"steps": 12})
    events = list(run_files([good, bad], peaks, params, errors=(PeakGUIError, OSError),
                            n_jobs=1, prepare=True))
    kinds = [(e.index, type(e)) for e in events]
    assert kinds[:2] == [(0, FileOpening), (0, FileStarted)]
    assert kinds[-3:] == [(0, FileFinished), (1, FileOpening), (1, FileFailed)]
    assert {k for _, k in kinds[2:-3]} == {FileProgress}
    started, finished, failed = events[1], events[-3], events[-1]
    assert isinstance(started, FileStarted) and isinstance(finished, FileFinished)
    assert started.target.file == good and not started.target.separate
    assert started.run.params is params  # checked once, by the caller
    assert finished.last.state is ProgressState.FINISHED and finished.seconds > 0
    assert finished.last.done == finished.last.total == events[-4].progress.done
    assert isinstance(failed, FileFailed) and failed.path == bad
    assert "HDF5" in str(failed.error)
    again = list(run_files([good], peaks, params, errors=(), n_jobs=1))
    assert isinstance(again[-1], FileFinished)
    assert again[-1].last.state is ProgressState.REUSED
    assert again[-1].last.results == finished.last.results


def test_an_error_not_named_ends_the_batch(tmp_path):
    missing = tmp_path / "missing.h5"
    peaks = registry.get("peak_finding")
    events = run_files([missing, missing], peaks, peaks.defaults(), errors=())
    assert isinstance(next(events), FileOpening)
    with pytest.raises(InputError):
        next(events)
