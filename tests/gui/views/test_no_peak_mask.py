"""Issue 12, defect 11: pixels where peak finding found no peak (and silently took the centre
bin) are flagged: masked on the value maps, counted in the run summary, said in the readout."""

from __future__ import annotations

import numpy as np

from peakgui.core.io.results_read import read_all
from tests.gui.helpers import open_and_wait, select_and_wait, settle


def test_no_peak_pixels_are_masked_counted_and_said(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    with qtbot.waitSignal(w.sigResultsShown, timeout=60_000):
        with qtbot.waitSignal(w.run_controller.sigFinished, timeout=60_000):
            assert w.start_run()
    settle(qtbot, w)
    counts = read_all(w.results.ref)["Peak_Count"][:, 0]
    none = np.flatnonzero(counts == 0)
    assert len(none) >= 1  # the small demo has one such position
    n = len(none)
    words = f"{n:,} pixel{'s' if n != 1 else ''} without a peak"
    w.layers.show("Peak_Response")
    assert w.layers.mask_count() == n
    assert words in w.map_view.title_text()
    assert words in w.run_panel.message()
    row, col = w.source.layout.pixel_rc[none[0]]
    assert np.isnan(w.map_view.image()[row, col])
    rep = select_and_wait(qtbot, w, int(row), int(col))
    assert "no peak found" in rep.detail.notes[0]
    assert "no peak found: the centre bin was taken" in w.spectrum_view.readout().text()
    w.layers.show("Peak_Count")  # the count map shows the zero itself
    assert w.map_view.image()[row, col] == 0 and w.layers.mask_count() == 0
