"""A run starts only from Start (or F5) and only with valid parameters; the run panel says the
state of the shown group and analysis (issue 17, item 6). Both failed on the main branch before
the session model: a failed Start left Start and the banner's Recompute on offer, and the run
panel kept saying "Reused" for another analysis, invalid parameters and a partial group."""

from __future__ import annotations

import h5py
import numpy as np
from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QApplication, QToolButton

from tests.gui.helpers import open_and_wait, settle
from tests.gui.views.test_sho_view import run_to_end, use_sho

CHANNEL = "Measurement_000/Channel_000"


def _sho_groups(path) -> list[str]:
    with h5py.File(path, "r") as f:
        return sorted(k for k in f[CHANNEL] if k.startswith("Raw_Data-SHO_Fit_"))


def _type(qtbot, editor, text: str) -> None:
    """Type into a parameter's box as a user does (the box keeps the focus)."""
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, text)


def _reopen(qtbot, w, path) -> None:
    w.close_file()
    open_and_wait(qtbot, w, path)
    settle(qtbot, w)
    qtbot.waitUntil(lambda: "Reused" in w.run_panel.message(), timeout=10_000)


def test_after_a_failed_start_a_click_on_the_colormap_box_starts_nothing(qtbot, window,
                                                                       small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    use_sho(qtbot, w)
    run_to_end(qtbot, w)
    _reopen(qtbot, w, small_file)  # the banner offers Recompute of the complete group
    assert w.info_bar.button("Recompute") is not None
    boxes = w.params_panel.spin_boxes()
    _type(qtbot, boxes["band_lo"], "500000")  # a band above the data's 300-340 kHz
    _type(qtbot, boxes["band_hi"], "600000")
    start = next(b for b in w.run_panel.findChildren(QToolButton)
                 if b.defaultAction() is w.start_action)
    qtbot.mouseClick(start, Qt.LeftButton)  # no run: the band holds no point of the data
    qtbot.wait(300)
    assert not w.run_controller.is_active()
    # nothing offers a run with the parameters shown: not Start, not Recompute, not the banner
    assert not w.start_action.isEnabled() and not w.recompute_action.isEnabled()
    assert w.info_bar.button("Recompute") is None and w.info_bar.button("Resume") is None
    combo = w.map_view.findChildren(type(w.map_view._cmap_combo))[0]
    where = combo.mapTo(w, combo.rect().center())
    for _ in range(3):  # click what is now where the Colormap box is, as a user does
        target = w.childAt(where)
        qtbot.mouseClick(target, Qt.LeftButton, pos=target.mapFrom(w, where))
        qtbot.wait(200)
        popup = QApplication.activePopupWidget()
        if popup is not None:
            popup.close()
        qtbot.wait(300)
        assert not w.run_controller.is_active()
    settle(qtbot, w)
    assert _sho_groups(small_file) == ["Raw_Data-SHO_Fit_000"]


def test_the_run_panel_says_the_state_of_the_shown_group_and_analysis(qtbot, window,
                                                                      small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    use_sho(qtbot, w)
    run_to_end(qtbot, w)
    with qtbot.waitSignal(w.run_controller.sigStopped, timeout=60_000):
        assert w.start_run(force=True)  # a second complete group, the same parameters
    settle(qtbot, w)
    with h5py.File(small_file, "r+") as f:  # the second one stopped at 98 %
        done = f[f"{CHANNEL}/Raw_Data-SHO_Fit_001/completed_positions"]
        flags = done[()]
        flags[-16:] = 0
        done[...] = flags
        assert np.count_nonzero(flags) / flags.size > 0.97
    _reopen(qtbot, w, small_file)
    assert "Raw_Data-SHO_Fit_000" in w.info_bar.text()

    # another analysis: nothing of SHO's reuse is said
    assert w.params_panel.set_analysis("peak_finding")
    settle(qtbot, w)
    qtbot.wait(400)
    assert "Reused" not in w.run_panel.message()

    # back to SHO, then parameters that are not valid for these spectra
    use_sho(qtbot, w)
    settle(qtbot, w)
    qtbot.waitUntil(lambda: "Reused" in w.run_panel.message(), timeout=10_000)
    w.params_panel.set_params({"band_lo": 5e5, "band_hi": 6e5})
    settle(qtbot, w)
    qtbot.wait(400)
    assert "Reused" not in w.run_panel.message()
    assert not w.start_action.isEnabled()

    # valid again, then the 98 % group picked in the tree
    w.params_panel.set_params({"band_lo": None, "band_hi": None})
    settle(qtbot, w)
    qtbot.waitUntil(lambda: "Reused" in w.run_panel.message(), timeout=10_000)
    with qtbot.waitSignal(w.sigResultsShown, timeout=10_000):
        assert w.results_browser.open_group(f"/{CHANNEL}/Raw_Data-SHO_Fit_001")
    settle(qtbot, w)
    msg = w.run_panel.message()
    assert "Reused" not in msg and "98" in msg and "Raw_Data-SHO_Fit_001" in msg
    assert "Raw_Data-SHO_Fit_000" not in w.info_bar.text()
