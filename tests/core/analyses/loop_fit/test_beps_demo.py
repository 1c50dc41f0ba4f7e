"""The whole chain on the BEPS demo, whose loops are known: raw spectra -> SHO fit -> loop fit
through ``peakgui-batch``, against the stored truth."""

from __future__ import annotations

import h5py
import numpy as np

from peakgui.cli import main
from peakgui.core.analyses.loop_fit.status import LoopStatus
from peakgui.core.demo.be import read_truth
from peakgui.core.demo.beps import write_beps_demo

LOOPS = "/Measurement_000/Channel_000/Raw_Data-SHO_Fit_000/Fit-Loop_Fit_000"


def test_sho_then_loop_fit_recovers_the_demo_loops(tmp_path):
    path = tmp_path / "beps.h5"
    write_beps_demo(path, rows=4, cols=5, bins=40, dc_steps=48, seed=1)
    assert main([str(path), "--analysis", "sho", "--then", "loop_fit"]) == 0
    truth = read_truth(path)
    with h5py.File(path, "r") as f:
        sw = f[LOOPS + "/Fit_Loop_Parameters"][()]
        se = f[LOOPS + "/Fit_Loop_Parameters_Std_Error"][()]
        status = f[LOOPS + "/Loop_Status"][()]
        fit = f[LOOPS + "/Fit"][()]
        assert f[LOOPS + "/Projected_Loops"].shape == (20, 2 * 48)
        assert f[LOOPS].attrs["r2_criterion"].startswith("R2 Criterion holds R²")
    switching = truth["Switching"].astype(bool)
    assert switching.sum() >= 10
    ok = switching & (status == LoopStatus.CONVERGED)
    assert ok.sum() >= 0.9 * switching.sum()
    for name in ("V+", "V-", "Imprint"):
        err = np.abs(sw[name] - truth[name])[ok]
        assert np.median(err) < 0.05, (name, np.median(err))
        # the standard errors are of the size of the errors (not 10x off either way)
        ratio = np.median(err) / np.median(se[name][ok])
        assert 0.1 < ratio < 10, (name, ratio)
    rel = np.abs(sw["Switchable Polarization"] / truth["Switchable_Response"] - 1)[ok]
    assert np.median(rel) < 0.01
    assert np.median(fit["R2 Criterion"][ok]) > 0.999
