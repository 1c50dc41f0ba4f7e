"""The SHO-then-loop-fit steps the loop-fit GUI tests share (the file: conftest's beps_file)."""

from __future__ import annotations

from tests.gui.helpers import open_and_wait, settle


def use(qtbot, w, name: str) -> None:
    assert w.params_panel.set_analysis(name)
    qtbot.waitUntil(lambda: w.analysis.view is not None
                    and w.session.configured.analysis is not None
                    and w.session.configured.analysis.name == name, timeout=5_000)


def run_to_end(qtbot, w) -> None:
    with qtbot.waitSignal(w.sigResultsShown, timeout=120_000):
        with qtbot.waitSignal(w.run_controller.sigFinished, timeout=120_000):
            assert w.start_run()
    settle(qtbot, w)


def sho_then_loop_fit(qtbot, w, path) -> None:
    open_and_wait(qtbot, w, path)
    use(qtbot, w, "sho")
    run_to_end(qtbot, w)
    use(qtbot, w, "loop_fit")
    qtbot.waitUntil(lambda: w.session.configured.valid, timeout=10_000)
