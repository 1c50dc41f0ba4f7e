"""An NSID file labelled as pycroscopy's BiFeO3 I-V sample is (x, y in m; a spectral scale named
``$\\sqrt E$`` in ``$(V/m)^{0.5}$``; log J in ``$A/m^2$``): real axes, plain labels (issue 21)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from peakgui.core.analyses.peak_finding.analysis import FREQUENCY
from tests.gui.helpers import find_index, open_and_wait, select_and_wait, settle
from tests.gui.loop_helpers import run_to_end, use
from tests.tex_labels_file import attributes

nsid_demo = pytest.importorskip("peakgui.core.demo.nsid")  # nsid21's reader and demo writer

TEX = re.compile(r"\$|\\[A-Za-z]|\^\{")


@pytest.fixture
def nsid_file(tmp_path):
    from tests.tex_labels_file import write_tex_nsid

    return write_tex_nsid(tmp_path / "bfo_like.h5")


def test_nsid_map_and_spectrum_carry_the_scales_in_plain_text(qtbot, window, nsid_file):
    before = attributes(nsid_file)
    w = window
    open_and_wait(qtbot, w, nsid_file)
    assert w.source.dataset == nsid_demo.NSID_DATASET
    # the map in metres with SI prefixes, from the x and y scales
    bottom = w.map_view.plot_item().getAxis("bottom")
    assert bottom.labelUnits == "m" and bottom.autoSIPrefixScale == pytest.approx(1e9)
    grid = w.map_view.grid()
    assert grid.x_values[-1] == pytest.approx(5e-9) and grid.x_units == "m"
    assert re.fullmatch(r"[\d.]+ (nm|pm)", w.map_view.scale_bar().label())
    # the spectrum along √E, in its values
    axis = w.spectrum_view.axis()
    assert axis.values[0] == pytest.approx(8592) and axis.values[-1] == pytest.approx(11180)
    x_label = w.spectrum_view.plot_item().getAxis("bottom").labelString()
    assert "√E ((V/m)^0.5)" in x_label and not TEX.search(x_label)
    assert "A/m²" in w.map_view.histogram().axis.labelString()
    select_and_wait(qtbot, w, 2, 3)
    readout = w.map_view.readout().text()
    assert re.search(r"x = [\d.]+ (nm|pm)", readout) and not TEX.search(readout)
    # a peak-finding run reports positions in √E
    use(qtbot, w, "peak_finding")
    run_to_end(qtbot, w)
    select_and_wait(qtbot, w, 2, 3)
    text = w.spectrum_view.readout().text()
    found = re.search(r"<b>√E</b> (\d+) \(V/m\)\^0\.5", text)
    assert found and 8592 <= float(found.group(1)) <= 11180, text
    w.layers.show(FREQUENCY)
    settle(qtbot, w)
    image = w.layers.current_image()
    assert np.nanmin(image) >= 8592 and np.nanmax(image) <= 11180
    assert "Peak √E" in w.map_view.title_text()
    assert "(V/m)^0.5" in w.map_view.histogram().axis.labelString()
    # the tree names the scale as sidpy shows it, and the file keeps it as written
    model = w.tree.model()
    group = nsid_demo.NSID_DATASET.rsplit("/", 1)[0]
    parent = find_index(qtbot, model, group)
    names = [model.data(model.index(r, 0, parent)) for r in range(model.rowCount(parent))]
    assert "√E" in names
    w.stop_workers()
    after = attributes(nsid_file)
    assert {k: after[k] for k in before} == before
