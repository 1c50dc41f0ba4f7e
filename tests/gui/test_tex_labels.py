"""Names and units written the sidpy way read as plain text in every view and export (issue 21),
and the file keeps them as written."""

from __future__ import annotations

import re

import numpy as np
import pytest

from peakgui.core.analyses.peak_finding.analysis import FREQUENCY
from peakgui.gui.export.figures import colour_ticks, map_figure, scale_bar
from peakgui.gui.export.map_export import export_values
from peakgui.gui.formatting import axis_label, format_value, takes_si_prefix
from tests.gui.helpers import find_index, open_and_wait, select_and_wait, select_path, settle
from tests.gui.loop_helpers import run_to_end, use
from tests.tex_labels_file import CHANNEL, SCALE, attributes, write_tex_file

TEX = re.compile(r"\$|\\[A-Za-z]|\^\{")  # what a raw sidpy label shows: $, \sqrt, ^{


@pytest.fixture
def tex_file(tmp_path):
    return write_tex_file(tmp_path / "tex.h5")


def plain(text: str) -> bool:
    return not TEX.search(text)


def test_the_units_rule_reads_sidpy_units():
    """Converted units keep the rule: SI units take prefixes, powers and prefixed units don't."""
    assert format_value(2.5e-9, "$m$") == "2.5 nm"
    assert format_value(3.2, r"$\mu$m") == "3.2 μm"  # no prefix on a prefixed unit
    assert format_value(0.004, r"$A/m^2$") == "0.004 A/m²"  # nor on a power: no "mA/m²"
    assert format_value(9876, r"$(V/m)^{0.5}$") == "9876 (V/m)^0.5"
    assert format_value(10126.7, r"$(V/m)^{0.5}$") == "10130 (V/m)^0.5"  # not 1.013e+04
    assert format_value(0.002, r"$V/m$") == "2 mV/m"
    assert format_value(3, r"$a.u.$", integer=True) == "3"
    assert not takes_si_prefix(r"nm$^{-1}$") and takes_si_prefix(r"$Hz$")
    assert axis_label(r"$\sqrt E$", r"$(V/m)^{0.5}$") == "√E ((V/m)^0.5)"
    assert axis_label(r"$\Delta f$", r"$\AA$") == "Δf (Å)"


def test_map_spectrum_readouts_and_exports_read_plain_text(qtbot, window, tex_file, tmp_path):
    before = attributes(tex_file)
    w = window
    open_and_wait(qtbot, w, tex_file)
    # map axes in metres with SI prefixes, the scale bar too
    bottom = w.map_view.plot_item().getAxis("bottom")
    left = w.map_view.plot_item().getAxis("left")
    assert "Δx" in bottom.labelString() and "Δy" in left.labelString()
    assert bottom.labelUnits == "m" and bottom.autoSIPrefixScale == pytest.approx(1e9)
    assert plain(bottom.labelString()) and plain(left.labelString())
    assert re.fullmatch(r"[\d.]+ (nm|pm)", w.map_view.scale_bar().label())
    # colour bar and levels in A/m²
    assert "A/m²" in w.map_view.histogram().axis.labelString()
    assert w.map_view.levels_bar().min_box().opts["suffix"] == "A/m²"
    # the spectrum's axes
    x_label = w.spectrum_view.plot_item().getAxis("bottom").labelString()
    y_label = w.spectrum_view.plot_item().getAxis("left").labelString()
    assert "√E ((V/m)^0.5)" in x_label and "|log J| (A/m²)" in y_label
    assert "√E" in w.map_view.title_text() and plain(w.map_view.title_text())
    # the pixel readout
    select_and_wait(qtbot, w, 3, 4)
    readout = w.map_view.readout().text()
    assert "Δx = " in readout and "Δy = " in readout and "A/m²" in readout and plain(readout)
    # a run: the peak position in the spectral axis' name and units
    use(qtbot, w, "peak_finding")
    run_to_end(qtbot, w)
    select_and_wait(qtbot, w, 3, 4)
    spectrum_readout = w.spectrum_view.readout().text()
    assert "<b>√E</b>" in spectrum_readout and "(V/m)^0.5" in spectrum_readout
    assert plain(spectrum_readout)
    titles = [w.layers.title(k) for k in w.layers.keys()]
    assert "Peak √E · Peak_Finding_000" in titles and all(plain(t) for t in titles)
    w.layers.show(FREQUENCY)
    settle(qtbot, w)
    assert "(V/m)^0.5" in w.map_view.histogram().axis.labelString()
    # exports: map CSV header, map figure's colour bar and scale bar, spectrum CSV
    csv = export_values(w.map_view, tmp_path / "map.csv")
    header = [line for line in csv.read_text(encoding="utf-8").splitlines()
              if line.startswith("#")]
    assert "(V/m)^0.5" in header[1] and "Δx" in header[3] and all(plain(h) for h in header)
    _, bar_label = colour_ticks(map_figure(w.map_view))
    assert bar_label == "Peak √E ((V/m)^0.5)"
    assert scale_bar(w.map_view.grid())[1].endswith("nm")
    spectrum_csv = tmp_path / "spectrum.csv"
    w.actions.exports.export_spectrum_csv(str(spectrum_csv))
    text = spectrum_csv.read_text(encoding="utf-8")
    assert "√E ((V/m)^0.5)" in text and plain(text)
    w.stop_workers()
    # the file's own attributes are as they were written
    after = attributes(tex_file)
    assert {k: after[k] for k in before} == before


def test_tree_and_attributes_show_names_plain_and_keep_the_raw_text(qtbot, window, tex_file):
    w = window
    open_and_wait(qtbot, w, tex_file)
    model = w.tree.model()
    chan = find_index(qtbot, model, CHANNEL)
    names = [model.data(model.index(r, 0, chan)) for r in range(model.rowCount(chan))]
    assert "√E" in names and not [n for n in names if not plain(n)]
    scale = find_index(qtbot, model, SCALE)
    assert model.data(scale, role=model.PATH_ROLE) == SCALE  # the file's name, to read it by
    with qtbot.waitSignal(w.attributes.sigShown, timeout=5_000):
        select_path(qtbot, w, CHANNEL + "/Spectroscopic_Values")
    t = w.attributes.table()
    cells = {t.item(r, 0).text(): t.item(r, 1) for r in range(t.rowCount())}
    assert cells["labels"].text() == "[√E]" and cells["units"].text() == "[(V/m)^0.5]"
    assert cells["units"].toolTip() == r"[$(V/m)^{0.5}$]"  # what the file says


def test_spectral_axis_picker_shows_plain_names_and_switches_by_the_files(qtbot, window,
                                                                           tex_file):
    w = window
    open_and_wait(qtbot, w, tex_file)
    combo = w.spectrum_view.spectral_dim_combo()
    assert [combo.itemText(i) for i in range(combo.count())] == ["√E"]
    assert combo.currentData() == r"$\sqrt E$"
    assert w.source.layout.spectral.name == r"$\sqrt E$"
    assert np.isfinite(w.layers.current_image()).any()
