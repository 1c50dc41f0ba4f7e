"""The run controller alone: a worker driving AnalysisRun.run, paused, resumed and cancelled."""

from __future__ import annotations

from peakgui.core.io.results import COMPLETED
from peakgui.core.io.results_read import read_all
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.engine import AnalysisRun
from peakgui.core.run.progress import ProgressState
from peakgui.gui.presenters.run_controller import RunController, RunState


def make_run(path, chunk_seconds=0.02):
    return AnalysisRun(SpectralSource.open(path), "peak_finding", {}, n_jobs=1,
                       chunk_seconds=chunk_seconds)


def test_a_run_pauses_between_chunks_resumes_and_finishes(qtbot, small_file, slow_kernel):
    rc = RunController()
    states = []
    rc.sigStateChanged.connect(states.append)
    with qtbot.waitSignal(rc.sigProgressed, timeout=30_000):
        rc.start(make_run(small_file))
    assert rc.is_active() and rc.state is RunState.RUNNING
    with qtbot.waitSignal(rc.sigPaused, timeout=5_000) as paused:
        rc.pause()
    assert rc.state is RunState.PAUSED and paused.args[0].state is ProgressState.CHUNK
    done = paused.args[0].done
    qtbot.wait(300)
    assert paused.args[0].done == done  # nothing computed while paused
    with qtbot.waitSignal(rc.sigStopped, timeout=60_000):
        with qtbot.waitSignal(rc.sigFinished, timeout=60_000) as finished:
            rc.resume()
    assert finished.args[0].state is ProgressState.FINISHED
    assert not rc.is_active() and rc.state is RunState.IDLE
    assert states[:3] == [RunState.RUNNING, RunState.PAUSING, RunState.PAUSED]


def test_cancel_closes_the_engine_in_the_worker_and_keeps_chunks(qtbot, small_file,
                                                                 slow_kernel):
    rc = RunController()
    with qtbot.waitSignal(rc.sigProgressed, timeout=30_000):
        rc.start(make_run(small_file))
    with qtbot.waitSignal(rc.sigStopped, timeout=10_000):
        with qtbot.waitSignal(rc.sigCancelled, timeout=10_000) as cancelled:
            rc.cancel()
    last = cancelled.args[0]
    assert 0 < last.done < last.total
    # the engine's finally ran: the file is closed and its marks match the last report
    assert int(read_all(last.results, [COMPLETED])[COMPLETED].sum()) == last.done


def test_a_second_run_with_the_same_parameters_is_reused(qtbot, small_file):
    rc = RunController()
    with qtbot.waitSignal(rc.sigStopped, timeout=60_000):
        rc.start(make_run(small_file, 0.4))
    with qtbot.waitSignal(rc.sigStopped, timeout=10_000):
        with qtbot.waitSignal(rc.sigReused, timeout=10_000) as reused:
            rc.start(make_run(small_file, 0.4))
    assert reused.args[0].state is ProgressState.REUSED and reused.args[0].computed == 0


def test_an_engine_error_is_one_sentence(qtbot, small_file, monkeypatch):
    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(AnalysisRun, "_compute_block", fail)
    rc = RunController()
    with qtbot.waitSignal(rc.sigStopped, timeout=10_000):
        with qtbot.waitSignal(rc.sigErrored, timeout=10_000) as errored:
            rc.start(make_run(small_file))
    assert errored.args[0] == "No space left on device"
