"""The one batch over files that the CLI and the window's "Run on files" drive."""

from __future__ import annotations

import shutil

import pytest

from peakgui.core.analyses import registry
from peakgui.core.errors import InputError, PeakGUIError
from peakgui.core.run.batch import BatchStage, run_files
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
    stages = [(e.index, e.stage) for e in events]
    assert stages[:2] == [(0, BatchStage.OPENING), (0, BatchStage.STARTED)]
    assert stages[-3:] == [(0, BatchStage.FINISHED), (1, BatchStage.OPENING),
                           (1, BatchStage.FAILED)]
    assert {s for _, s in stages[2:-3]} == {BatchStage.PROGRESS}
    started, finished, failed = events[1], events[-3], events[-1]
    assert started.target.file == good and not started.target.separate
    assert started.run.params is params  # checked once, by the caller
    assert finished.progress.state is ProgressState.FINISHED and finished.seconds > 0
    assert finished.progress.done == finished.progress.total
    assert failed.path == bad and "HDF5" in str(failed.error)
    again = list(run_files([good], peaks, params, errors=(), n_jobs=1))
    assert again[-1].stage is BatchStage.FINISHED
    assert again[-1].progress.state is ProgressState.REUSED
    assert again[-1].progress.results == finished.progress.results


def test_an_error_not_named_ends_the_batch(tmp_path):
    missing = tmp_path / "missing.h5"
    peaks = registry.get("peak_finding")
    events = run_files([missing, missing], peaks, peaks.defaults(), errors=())
    assert next(events).stage is BatchStage.OPENING
    with pytest.raises(InputError):
        next(events)
