"""The session model without a widget: state changes, their events, parameters checked once."""

from __future__ import annotations

from pathlib import Path

import pytest

from peakgui.core.analyses import registry
from peakgui.core.io.results import ResultsRef
from peakgui.core.io.source import SpectralSource
from peakgui.gui.session import NOTHING, RunPhase, RunStatus, Session


def _recorder(session: Session) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []
    for name in ("file_changed", "source_changed", "configured_changed", "pixel_changed",
                 "step_changed", "shown_group_changed", "layer_changed", "run_changed"):
        getattr(session, name).connect(lambda value, name=name: seen.append((name, value)))
    return seen


def test_a_new_session_has_nothing_open_and_cannot_run():
    s = Session()
    assert s.file is None and s.source is None and s.configured is NOTHING
    assert s.run.phase is RunPhase.IDLE and s.can_start() == "no dataset is open"
    assert not s.select_pixel(0, 0)


def test_opening_a_file_and_dataset_emits_in_order_and_configures_for_it(small_file):
    s = Session()
    s.configure(registry.get("peak_finding"), None)
    seen = _recorder(s)
    s.set_file(Path(small_file))
    source = SpectralSource.open(small_file)
    s.set_source(source)
    names = [n for n, _ in seen]
    assert names[:3] == ["file_changed", "source_changed", "configured_changed"]
    assert s.configured.valid and s.configured.run is not None
    assert s.configured.run.source is source
    assert s.can_start() == ""


def test_parameters_are_checked_once_and_an_invalid_set_up_says_why(small_file):
    s = Session()
    s.set_source(SpectralSource.open(small_file))
    sho = registry.get("sho")
    calls = []
    real = sho.check
    object.__setattr__(sho, "check", lambda p, c: (calls.append(p), real(p, c))[1])
    try:
        good = s.configure(sho, {"q_max": 500.0})
    finally:
        object.__setattr__(sho, "check", real)
    assert good.valid and good.params["q_max"] == 500.0 and len(calls) == 1
    bad = s.configure(sho, {"band_lo": 5e9, "band_hi": 6e9})  # a band outside the axis
    assert not bad.valid and bad.run is None and bad.fields == ("band_lo",)
    assert bad.error == "Band from (5 GHz) is outside the data (300–350 kHz)"
    assert bad.error in s.can_start()
    worse = s.configure(sho, {"q_min": 10.0, "q_max": 1.0})  # refused by the declaration
    assert not worse.valid and "Q from" in worse.error


def test_a_new_set_up_forgets_what_was_said_of_the_old_one(small_file, tmp_path):
    s = Session()
    s.set_source(SpectralSource.open(small_file))
    s.configure(registry.get("sho"), None)
    ref = ResultsRef(Path(small_file), "/Measurement_000/Channel_000/Raw_Data-SHO_Fit_000")
    s.show_group(ref)
    s.set_run(RunStatus(RunPhase.REUSED, ref, 768, 768, "Reused: complete results"))
    seen = _recorder(s)
    s.configure(registry.get("peak_finding"), None)  # another analysis
    assert s.run == RunStatus() and ("run_changed", RunStatus()) in seen
    s.set_run(RunStatus(RunPhase.REUSED, ref, 768, 768, "Reused"))
    s.configure(registry.get("peak_finding"), {"min_snr": -1.0})  # invalid
    assert s.run.phase is RunPhase.IDLE and s.run.message == ""


def test_a_run_keeps_its_status_and_source_while_the_set_up_changes(small_file):
    s = Session()
    s.set_source(SpectralSource.open(small_file))
    s.configure(registry.get("peak_finding"), None)
    s.set_run(RunStatus(RunPhase.RUNNING, message="Running…"))
    assert s.can_start() == "a run is in progress"
    s.configure(registry.get("peak_finding"), {"min_snr": 2.0})
    assert s.run.phase is RunPhase.RUNNING
    with pytest.raises(RuntimeError):
        s.set_source(None)
    s.update_run(phase=RunPhase.FINISHED, message="Done")
    assert s.run.phase is RunPhase.FINISHED and s.run.message == "Done"


def test_pixel_step_and_layer_change_only_within_the_data(small_file):
    s = Session()
    source = SpectralSource.open(small_file)
    s.set_source(source)
    seen = _recorder(s)
    rows, cols = source.layout.grid_shape
    assert s.select_pixel(rows - 1, cols - 1) and s.pixel == (rows - 1, cols - 1)
    assert not s.select_pixel(rows, 0) and s.pixel == (rows - 1, cols - 1)
    s.set_step(5)  # one step only: stays 0, no event
    s.show_layer("mean")
    s.show_layer("mean")
    assert seen == [("pixel_changed", (rows - 1, cols - 1)), ("layer_changed", "mean")]


def test_a_listener_can_be_disconnected():
    s = Session()
    seen = []
    s.step_changed.connect(seen.append)
    s.step_changed.emit(1)
    s.step_changed.disconnect(seen.append)
    s.step_changed.emit(2)
    assert seen == [1]


def test_closing_the_dataset_says_that_its_run_status_is_gone(small_file):
    """The run panel listens to run_changed: a cancelled run's 'Cancelled at ...' must not
    outlive its dataset (a failed open closes it)."""
    s = Session()
    s.configure(registry.get("peak_finding"), None)
    s.set_file(Path(small_file))
    s.set_source(SpectralSource.open(small_file))
    ref = ResultsRef(Path(small_file), "/g")
    s.set_run(RunStatus(RunPhase.IDLE, ref, 3, 10, "Cancelled at 3 / 10", resumable=True))
    seen = _recorder(s)
    s.set_file(None)
    assert s.run == RunStatus()
    assert ("run_changed", RunStatus()) in seen
    assert [n for n, _ in seen].index("source_changed") < [n for n, _ in seen].index(
        "run_changed")
