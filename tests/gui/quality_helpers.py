"""A noisy SHO file and an SHO run on it in the window, for the quality-display tests."""

from __future__ import annotations

import dataclasses

import numpy as np

from peakgui.core.demo.be import demo_block, demo_scene, scan_position_dims, write_usid_scan
from peakgui.core.dimension import Dimension
from peakgui.core.io.results_read import read_all
from tests.gui.helpers import open_and_wait
from tests.gui.views.test_sho_view import run_to_end, use_sho


def write_noisy(tmp_path):
    """The demo sample with noise near a tenth of its peak: most fits converge with a poor R²
    (R² < 0.9 at about 60 % of the pixels), as on the issue's noisy SHO file."""
    scene = dataclasses.replace(demo_scene(16, 20, 119, seed=5), noise=6e-3)
    path = tmp_path / "noisy.h5"
    write_usid_scan(path, scan_position_dims(16, 20), [Dimension("Frequency", "Hz", scene.freq)],
                    lambda a, b: demo_block(scene, a, b), {"data_type": "BELineData"})
    return path


def sho_run(qtbot, w, path) -> dict[str, np.ndarray]:
    """Open, choose the SHO fit, run it to the end; the stored fields as (rows, cols) maps."""
    open_and_wait(qtbot, w, path)
    use_sho(qtbot, w)
    run_to_end(qtbot, w)
    stored = read_all(w.results.ref)
    return {k: w.source.layout.to_image(np.asarray(v, np.float64)[:, 0])
            for k, v in stored.items() if np.ndim(v) == 2}
