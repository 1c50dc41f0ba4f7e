"""The parameters panel generated from a declaration: editors, units, ranges, help, defaults."""

from __future__ import annotations

from PyQt5.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QSpinBox

from peakgui.core.analyses import registry
from peakgui.core.analyses.declaration import Parameter
from peakgui.gui.panels.parameters_panel import ParametersPanel
from peakgui.gui.widgets.parameter_form import ParameterForm

KINDS = (
    Parameter("n", "Count", int, 3, minimum=1, maximum=9, help="how many"),
    Parameter("x", "Width", float, 2.5, unit="nm", minimum=0.0, decimals=1, help="how wide"),
    Parameter("w", "Window", int, None, unit="points", minimum=1, optional=True,
              help="window (default: the algorithm's)"),
    Parameter("mode", "Mode", str, "fast", choices=("fast", "exact")),
    Parameter("flag", "Smooth", bool, False),
)


def test_every_kind_of_parameter_gets_its_editor(qtbot):
    form = ParameterForm(KINDS)
    qtbot.addWidget(form)
    ed = {n: e.editor for n, e in form.editors().items()}
    assert isinstance(ed["n"], QSpinBox) and (ed["n"].minimum(), ed["n"].maximum()) == (1, 9)
    assert isinstance(ed["x"], QDoubleSpinBox)
    assert "how wide" in ed["x"].toolTip()
    assert "range 0" in ed["x"].toolTip()
    assert isinstance(ed["mode"], QComboBox) and isinstance(ed["flag"], QCheckBox)
    form.set_values({p.name: p.default for p in KINDS})
    assert form.values() == {"n": 3, "x": 2.5, "w": None, "mode": "fast", "flag": False}
    assert ed["x"].text() == "2.5 nm"  # a unit with a prefix of its own takes no other
    # an optional number: one step below its range reads "default" and means None
    assert ed["w"].text() == "default"
    with qtbot.waitSignal(form.sigEdited, timeout=1_000):
        ed["w"].setValue(7)
    assert form.values()["w"] == 7
    ed["w"].setValue(ed["w"].minimum())
    assert form.values()["w"] is None


def test_the_panel_lists_the_registry_and_validates_with_the_declaration(qtbot):
    panel = ParametersPanel(registry.available())
    qtbot.addWidget(panel)
    chooser = panel.chooser()
    assert [chooser.itemData(i) for i in range(chooser.count())] == list(registry.available())
    peak = registry.get("peak_finding")
    assert panel.analysis() is peak and panel.params() == peak.defaults()
    boxes = panel.spin_boxes()
    assert set(boxes) == {p.name for p in peak.parameters} | {"jobs", "max_mem_mb"}
    assert boxes["noise_perc"].text() == "10 %"
    boxes["noise_perc"].setValue(150)  # kept as typed, refused by the declaration with why
    assert panel.params() is None and panel.error() == "Noise percentile must be at most " \
        "100 %, not 150 %" and panel.error_fields() == ("noise_perc",)
    boxes["noise_perc"].setValue(10)
    with qtbot.waitSignal(panel.sigParamsInvalid, timeout=1_000):
        boxes["width_lo"].setValue(90)
    assert panel.params() is None and "must be at most Widths to" in panel.error()
    panel.set_params(peak.defaults())
    assert panel.params() == peak.defaults() and panel.error() == ""
    # stored values that no longer validate fall back to the defaults
    panel.set_params({"width_lo": 500.0, "width_hi": 1.0, "unknown": 3})
    assert panel.params() == peak.defaults()
    panel.set_editable(False)
    assert not boxes["steps"].isEnabled() and not chooser.isEnabled()
