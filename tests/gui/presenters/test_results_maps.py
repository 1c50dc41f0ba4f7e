"""Results groups read a step at a time (core reader + worker generator) and the live maps."""

from __future__ import annotations

import numpy as np

from peakgui.core.demo.beps import write_beps_demo
from peakgui.core.io import results_read
from peakgui.core.io.results import COMPLETED, ResultsRef
from peakgui.core.io.results_read import read_all, read_group, read_row
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.engine import AnalysisRun
from peakgui.core.run.progress import ProgressState
from peakgui.gui.presenters.results_maps import LiveMaps, load_results

GROUP = "/Measurement_000/Channel_000/Raw_Data-Peak_Finding_000"


def test_one_step_of_a_group_is_read_and_only_that_step(tmp_path, monkeypatch):
    path = tmp_path / "beps.h5"
    write_beps_demo(path, rows=4, cols=3, bins=40, dc_steps=5)
    src = SpectralSource.open(path)
    for _ in AnalysisRun(src, "peak_finding", {}, n_jobs=1).run():
        pass
    ref = ResultsRef(path, GROUP)
    group = read_group(ref, src.layout)
    assert [f.name for f in group.fields] == ["Peak_Count", "Peak_Frequency", "Peak_Response"]
    assert group.n_steps == 10 and group.done == group.total == 12
    assert group.analysis_name == "peak_finding"
    steps = []
    real = results_read.read_step
    monkeypatch.setattr("peakgui.gui.presenters.results_maps.read_step",
                        lambda r, names, step: steps.append(step) or real(r, names, step))
    (maps,) = list(load_results(ref, 7, src.layout))
    assert steps == [7] and maps.step == 7
    full = read_all(ref)
    np.testing.assert_array_equal(
        maps.images["Peak_Response"], src.layout.to_image(full["Peak_Response"][:, 7]))
    row = read_row(ref, 5, ["Peak_Frequency"])
    np.testing.assert_array_equal(row["Peak_Frequency"], full["Peak_Frequency"][5])


def test_positions_not_completed_are_blank(small_file):
    src = SpectralSource.open(small_file)
    gen = AnalysisRun(src, "peak_finding", {}, n_jobs=1, chunk_seconds=0.01).run()
    first = next(gen)
    gen.close()
    (maps,) = list(load_results(first.results, 0))
    done = read_all(first.results, [COMPLETED])[COMPLETED].astype(bool)
    img = maps.images["Peak_Response"]
    assert np.isnan(img).sum() == (~done).sum() > 0


def test_live_maps_fill_in_chunk_by_chunk_and_throttle_redraws(qtbot, small_file):
    src = SpectralSource.open(small_file)
    run = AnalysisRun(src, "peak_finding", {}, n_jobs=1, chunk_seconds=0.02)
    live = LiveMaps(interval_ms=50)
    names = [f.name for f in run.result_fields()]
    live.start(src.layout, names)
    for prog in run.run():
        live.apply(prog)
    assert prog.state is ProgressState.FINISHED
    with qtbot.waitSignal(live.sigMapsUpdated, timeout=2_000):
        pass
    live.stop()
    qtbot.waitUntil(lambda: not live._prefill.busy(), timeout=5_000)
    full = read_all(prog.results)
    np.testing.assert_array_equal(live.images["Peak_Count"],
                                  src.layout.to_image(full["Peak_Count"][:, 0]))
