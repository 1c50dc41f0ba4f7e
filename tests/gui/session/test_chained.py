"""The session with a chained analysis, without a widget: the loop fit reads the newest complete
SHO group of the open spectra (one line says what to run first when there is none), and the
raw data's steps map onto the loop group's (its Field follows, its DC_Offset is gone)."""

from __future__ import annotations

import numpy as np

from peakgui.core.analyses import registry
from peakgui.core.demo.beps import write_beps_demo
from peakgui.core.io.results_source import ResultsSource
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.engine import AnalysisRun
from peakgui.gui.session import RunPhase, RunStatus, Session
from peakgui.gui.session.chained import step_in


def _beps(tmp_path):
    path = tmp_path / "beps.h5"
    write_beps_demo(path, rows=3, cols=4, bins=20, dc_steps=20, seed=5)
    return path


def test_loop_fit_reads_the_sho_group_once_there_is_one(tmp_path):
    path = _beps(tmp_path)
    s = Session()
    s.set_file(path)
    s.set_source(SpectralSource.open(path))
    loop_fit = registry.get("loop_fit")
    c = s.configure(loop_fit, None)
    assert not c.valid and "run SHO" in c.error and "first" in c.error
    assert s.run_source is s.source and s.can_start()
    for _ in AnalysisRun(s.source, "sho", None, n_jobs=1).run():
        pass
    s.set_run(RunStatus(RunPhase.FINISHED))  # new results: looked for again
    c = s.configure(loop_fit, None)
    assert c.valid and isinstance(s.run_source, ResultsSource)
    assert s.run_source.dataset.endswith("Raw_Data-SHO_Fit_000/Fit")
    assert s.can_start() == ""
    # the raw steps (DC_Offset x Field) onto the loop group's (Field)
    raw, loops = s.source.layout, s.run_source.layout
    names = [d.name for d in raw.others]
    sizes = [d.size for d in raw.others]
    assert [d.name for d in loops.others] == ["Field"]
    for dc in (0, 7):
        for field in (0, 1):
            idx = [0] * len(sizes)
            idx[names.index("DC_Offset")], idx[names.index("Field")] = dc, field
            assert step_in(raw, int(np.ravel_multi_index(idx, sizes)), loops) == field
    assert step_in(loops, 1, loops) == 1 and step_in(None, 5, loops) == 0
