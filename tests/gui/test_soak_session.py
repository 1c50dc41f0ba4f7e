"""The long session of test_scripted_session.py, in a random order: a seeded user who clicks,
edits, switches analyses, starts, pauses, resumes and cancels whenever they like, opens a bad
file now and then and exports. Steps race the runs (a pause may come as a run ends): whatever
the order, after every step no results group exists that a Start did not make, and the run
panel says what the session says.
"""

from __future__ import annotations

import random

import pytest

from peakgui.gui.presenters.run_controller import RunState
from tests.gui.helpers import open_and_wait, open_fails, settle
from tests.gui.test_scripted_session import Session, results_groups

STEPS = 150
WIDTHS = (12.0, 15.0, 18.0)  # few parameter sets: earlier runs come back (resume, reuse)


class RandomUser(Session):
    """Session's checks, with steps that accept the run ending on its own meanwhile."""

    def start_any(self, step: str) -> None:
        w = self.w
        before = results_groups(self.path)
        heard: list[bool] = []
        w.run_controller.sigProgressed.connect(lambda *_: heard.append(True))
        w.run_controller.sigStopped.connect(lambda *_: heard.append(True))
        w.start_action.trigger()
        self.qtbot.waitUntil(lambda: bool(heard), timeout=60_000)
        group = w.session.run.group
        assert group is not None and group.file == self.path, step
        assert len({group.group} - before) <= 1, step
        self.started |= {group.group}
        self.check(step)

    def settle_in(self, states: set[RunState], step: str) -> None:
        w = self.w
        self.qtbot.waitUntil(lambda: w.run_controller.state in states, timeout=60_000)
        if w.run_controller.state is RunState.IDLE:
            settle(self.qtbot, w)
        self.check(step)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [7, 21, 1234, 99])
def test_a_random_long_session_writes_only_what_the_user_started(
        qtbot, window, small_file, tmp_path, slow_kernel, seed):
    rng = random.Random(seed)
    w = window
    w.chunk_seconds = 0.1
    u = RandomUser(qtbot, w, small_file)
    open_and_wait(qtbot, w, small_file)
    bad = tmp_path / "notes.h5"
    bad.write_text("Scan notes, not HDF5\n")
    analysis = "peak_finding"
    done: list[str] = []
    for i in range(STEPS):
        state = w.run_controller.state
        if state is RunState.IDLE:
            moves = ["click", "start", "start", "choose", "bad file", "export"]
            if analysis == "peak_finding":
                moves += ["edit", "edit"]
        elif state is RunState.PAUSED:
            moves = ["resume", "resume", "cancel", "click"]
        else:
            moves = ["pause", "pause", "cancel", "click", "wait"]
        move = rng.choice(moves)
        step = f"{i}: {move} ({state.name.lower()}, {analysis})"
        done.append(step)
        rc = w.run_controller
        if move == "click":
            u.click(rng.randrange(0, 24), rng.randrange(0, 32), step)
        elif move == "start":
            u.start_any(step)
        elif move == "edit":
            u.edit("width_lo", rng.choice(WIDTHS), step)
        elif move == "choose":
            analysis = "sho" if analysis == "peak_finding" else "peak_finding"
            u.choose(analysis, step)
        elif move == "pause":
            if rc.state is RunState.RUNNING:
                w.pause_action.trigger()
            u.settle_in({RunState.PAUSED, RunState.IDLE}, step)
        elif move == "resume":
            if rc.state is RunState.PAUSED:
                w.pause_action.trigger()
            u.settle_in({RunState.RUNNING, RunState.IDLE}, step)
        elif move == "cancel":
            if rc.state is not RunState.IDLE:
                w.cancel_action.trigger()
            u.settle_in({RunState.IDLE}, step)
        elif move == "wait":
            qtbot.wait(rng.choice((50, 200, 600)))
            u.check(step)
        elif move == "bad file":
            open_fails(qtbot, w, bad)
            assert w.session.run.group is None and w.run_panel.message() == "", step
            open_and_wait(qtbot, w, small_file)
            u.choose(analysis, step)
        elif move == "export":
            w.dialogs.save_path = str(tmp_path / f"map{i}.png")
            w.export_png_action.trigger()
            assert (tmp_path / f"map{i}.png").is_file(), step
            u.check(step)
    if w.run_controller.state is not RunState.IDLE:
        w.cancel_action.trigger()
        u.settle_in({RunState.IDLE}, "the end")
    kinds = {s.split(": ")[1].split(" (")[0] for s in done}
    assert {"start", "pause", "resume", "cancel", "bad file", "export", "edit"} <= kinds, kinds
    assert results_groups(small_file) <= u.started and u.started
    assert w.dialogs.unexpected_errors == []
