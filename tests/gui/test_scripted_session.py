"""A long working session, scripted as a user would click it: open, click pixels, edit
parameters, switch analyses, start / pause / resume / cancel, reuse, open a bad file, reopen,
show a results group, export.

After every step two things must hold: the file holds no results group that the user did not
start (each Start adds at most one, every other step none), and the run panel says what the
session says of the shown group's run (its text, its phase, its Start/Resume button).
Real widgets, real workers, a real HDF5 file; waits are qtbot.waitUntil / waitSignal.
"""

from __future__ import annotations

import h5py

from peakgui.core.io.results import ResultsRef
from peakgui.gui.presenters.run_controller import RunState
from peakgui.gui.session import RunPhase
from tests.gui.helpers import open_and_wait, open_fails, settle
from tests.gui.presenters.test_inspector import click_map
from tests.gui.presenters.test_tree_click import click as tree_click

# the run panel's words for an active run; never shown once the run has ended
ACTIVE_WORDS = ("Starting on", "Connecting to", "Running", "Pausing", "Paused", "Cancelling")
PHASE_OF_STATE = {RunState.IDLE: {RunPhase.IDLE, RunPhase.FINISHED, RunPhase.REUSED,
                                  RunPhase.FAILED},
                  RunState.RUNNING: {RunPhase.WARMING_UP, RunPhase.RUNNING},
                  RunState.PAUSING: {RunPhase.RUNNING},
                  RunState.PAUSED: {RunPhase.PAUSED},
                  RunState.CANCELLING: {RunPhase.RUNNING, RunPhase.PAUSED}}


def results_groups(path) -> set[str]:
    """Every results group in the file (a group with an ``analysis`` attribute), read with no
    lock while none of the window's workers writes (the window is idle)."""
    found: set[str] = set()
    with h5py.File(path, "r", locking=False) as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Group) and "analysis" in obj.attrs:
                found.add("/" + name)
        f.visititems(visit)
    return found


class Session:
    """The script's side: what the user did, and the checks after each step."""

    def __init__(self, qtbot, w, path):
        self.qtbot, self.w, self.path = qtbot, w, path
        self.started: set[str] = set()  # groups written by runs the user started
        self.steps = 0

    def check(self, step: str) -> None:
        w = self.w
        self.steps += 1
        st, state = w.session.run, w.run_controller.state
        msg = w.run_panel.message()
        note = msg[len(st.message):]  # after the status, only the maps' mask note
        assert msg.startswith(st.message) and (not note or note.startswith(" · ")), \
            (step, msg, st)
        assert st.phase in PHASE_OF_STATE[state], (step, st.phase, state)
        if st.phase is RunPhase.PAUSED:
            assert "Paused" in msg and w.pause_action.text() == "Resume", step
        if not st.phase.active:
            assert not msg.startswith(ACTIVE_WORDS), (step, msg)
            assert not w.pause_action.isEnabled(), step
            resumable = st.resumable and st.phase in (RunPhase.IDLE, RunPhase.FAILED)
            assert w.start_action.text() == ("Resume" if resumable else "Start"), (step, st)
        if st.group is not None and w.session.shown_group is not None:
            assert st.group == w.session.shown_group, (step, st.group, w.session.shown_group)
        if st.group is not None and st.total:
            assert 0 <= st.done <= st.total, step
            if st.phase in (RunPhase.FINISHED, RunPhase.REUSED):
                assert st.done == st.total, (step, st)
        if state is RunState.IDLE and w.file == self.path:
            settle(self.qtbot, w)
            groups = results_groups(self.path)
            assert groups <= self.started, (step, groups - self.started)
        elif st.group is not None:  # during a run: the session knows which group it writes
            assert st.group.group in self.started, (step, st.group)

    # ---- what the user does ---------------------------------------------------------------------
    def start(self, step: str) -> ResultsRef:
        """Start (or Resume) and wait for the first chunk: its group is one the user started."""
        w = self.w
        before = results_groups(self.path)
        with self.qtbot.waitSignal(w.run_controller.sigProgressed, timeout=60_000):
            w.start_action.trigger()
        group = w.session.run.group
        assert group is not None and group.file == self.path, step
        new = {group.group} - before
        assert len(new) <= 1  # at most one new group per Start
        self.started |= {group.group}
        self.check(step)
        return group

    def wait_for_end(self, step: str) -> None:
        w = self.w
        self.qtbot.waitUntil(lambda: w.run_controller.state is RunState.IDLE, timeout=120_000)
        settle(self.qtbot, w)
        self.check(step)

    def pause(self, step: str) -> None:
        with self.qtbot.waitSignal(self.w.run_controller.sigPaused, timeout=10_000):
            self.w.pause_action.trigger()
        self.check(step)

    def resume(self, step: str) -> None:
        w = self.w
        with self.qtbot.waitSignal(w.run_controller.sigResumed, timeout=10_000):
            w.pause_action.trigger()  # "Resume" while paused
        self.check(step)

    def cancel(self, step: str) -> None:
        w = self.w
        with self.qtbot.waitSignal(w.run_controller.sigStopped, timeout=60_000):
            w.cancel_action.trigger()
        settle(self.qtbot, w)
        self.check(step)

    def choose(self, analysis: str, step: str) -> None:
        combo = self.w.params_panel.chooser()
        combo.setCurrentIndex(combo.findData(analysis))
        self.qtbot.waitUntil(lambda: self.w.session.configured.analysis is not None
                             and self.w.session.configured.analysis.name == analysis)
        settle(self.qtbot, self.w)
        self.check(step)

    def edit(self, name: str, value, step: str) -> None:
        w = self.w
        box = w.params_panel.spin_boxes()[name]
        box.setValue(value)
        w.params_panel.commit()
        self.qtbot.waitUntil(lambda: w.session.configured.params is not None
                             and w.session.configured.params.get(name) == value)
        settle(self.qtbot, w)
        self.check(step)

    def click(self, row: int, col: int, step: str) -> None:
        click_map(self.qtbot, self.w, row, col)
        settle(self.qtbot, self.w)
        self.check(step)


def test_a_long_session_writes_only_what_the_user_started(qtbot, window, small_file, tmp_path,
                                                          slow_kernel):
    w = window
    w.chunk_seconds = 0.1  # many small chunks: Pause and Cancel land mid-run
    s = Session(qtbot, w, small_file)
    open_and_wait(qtbot, w, small_file)
    s.check("open")
    assert results_groups(small_file) == set()
    for i, (r, c) in enumerate([(2, 3), (10, 20), (23, 31), (0, 0)]):
        s.click(r, c, f"click {i}")
    s.edit("width_lo", 15.0, "edit width_lo")
    s.choose("sho", "choose SHO")
    s.click(5, 7, "click with SHO")
    s.choose("peak_finding", "back to peak finding")
    s.edit("width_lo", 15.0, "edit width_lo again")

    # a peak-finding run: pause, resume, cancel; then resume it to the end; then reuse it
    peaks = s.start("start peak finding")
    s.pause("pause")
    qtbot.wait(300)  # paused: nothing arrives, nothing is written
    s.check("still paused")
    s.resume("resume")
    s.pause("pause again")
    s.cancel("cancel while paused")
    assert w.session.run.resumable and w.start_action.text() == "Resume"
    assert w.session.run.done < w.session.run.total
    s.click(4, 4, "click after cancel")
    again = s.start("resume the cancelled run")
    assert again == peaks  # the same group, continued
    s.wait_for_end("peak finding finished")
    assert w.session.run.phase is RunPhase.FINISHED
    with qtbot.waitSignal(w.run_controller.sigStopped, timeout=60_000):
        w.start_action.trigger()
    settle(qtbot, w)
    s.check("reused")
    assert w.session.run.phase is RunPhase.REUSED and w.session.run.group == peaks

    # more rounds of the same work with other parameters: one new group per round
    for value in (18.0, 24.0):
        s.edit("width_lo", value, f"width_lo = {value}")
        s.click(7, 9, f"click at width_lo = {value}")
        group = s.start(f"start at width_lo = {value}")
        assert group != peaks
        s.pause(f"pause at width_lo = {value}")
        s.click(3, 30, f"click while paused at width_lo = {value}")
        s.resume(f"resume at width_lo = {value}")
        s.cancel(f"cancel at width_lo = {value}")
        assert s.start(f"resume at width_lo = {value} after cancel") == group
        s.wait_for_end(f"finished at width_lo = {value}")
    rounds = set(s.started)

    # another parameter: a new group when started; an SHO run cancelled at once
    s.edit("width_lo", 12.0, "edit after the run")
    s.choose("sho", "SHO again")
    sho = s.start("start SHO")
    assert sho != peaks
    s.cancel("cancel SHO")
    assert w.session.run.resumable

    # a bad file, then the good one again: nothing of either run is rewritten
    bad = tmp_path / "notes.h5"
    bad.write_text("Scan notes, not HDF5\n")
    open_fails(qtbot, w, bad)
    s.check("open a bad file")
    assert w.session.run.group is None and w.run_panel.message() == ""
    assert results_groups(small_file) == rounds | {sho.group}
    open_and_wait(qtbot, w, small_file)
    s.check("reopen")
    s.choose("peak_finding", "peak finding after reopening")
    s.edit("width_lo", 15.0, "the finished run's parameters")
    qtbot.waitUntil(lambda: w.session.shown_group == peaks, timeout=20_000)
    s.check("its finished group is found")
    assert w.session.run.done == w.session.run.total

    # the SHO group, picked in the tree: partial, and the panel says so
    with qtbot.waitSignal(w.sigResultsShown, timeout=20_000):
        tree_click(qtbot, w, sho.group)
    qtbot.waitUntil(lambda: w.session.shown_group == sho, timeout=20_000)
    settle(qtbot, w)
    s.check("show the partial SHO group")
    st = w.session.run
    assert st.done < st.total and "Paused" not in w.run_panel.message()

    # exports write files, never groups
    w.dialogs.save_path = str(tmp_path / "map.png")
    w.export_png_action.trigger()
    w.dialogs.save_path = str(tmp_path / "spectrum.csv")
    w.actions.exports.actions["spectrum_csv"].trigger()
    assert (tmp_path / "map.png").is_file() and (tmp_path / "spectrum.csv").is_file()
    s.check("export")
    s.click(12, 12, "a last click")
    assert results_groups(small_file) == rounds | {sho.group} == s.started
    assert len(s.started) == 4  # three peak-finding runs and one SHO run: no other group
    assert w.dialogs.unexpected_errors == []
    assert s.steps >= 50
