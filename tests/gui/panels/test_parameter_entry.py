"""Typing parameters as a microscopist does (issue 19, rows 7, 12 and 13).

Row 7: scrolling the Parameters panel changed whichever combo box passed under the pointer.
Row 12: why the parameters are not valid showed only at the bottom of the panel, Start did not
say why it was off, and a band outside the data left Start on (the run failed later).
Row 13: "335 kHz" became 335 Hz, "-5000" showed "-000", and a tolerance read "0.000000010000".
Each failed on the main branch before this change.
"""

from __future__ import annotations

from PyQt5.QtCore import QPoint, QPointF, Qt
from PyQt5.QtGui import QWheelEvent
from PyQt5.QtWidgets import QApplication, QScrollArea

from peakgui.core.analyses import registry
from peakgui.gui.app.actions import START_TIP
from peakgui.gui.panels.parameters_panel import ParametersPanel
from tests.gui.helpers import open_and_wait, settle
from tests.gui.views.test_sho_view import use_sho


def _type(qtbot, box, text: str) -> None:
    """Select what the box shows, type ``text`` and press Enter, as a user does."""
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key_Return)


def _sho_panel(qtbot) -> ParametersPanel:
    panel = ParametersPanel(registry.available())
    qtbot.addWidget(panel)
    assert panel.set_analysis("sho")
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    return panel


def test_frequencies_are_typed_with_a_prefix_and_shown_with_one(qtbot):
    panel = _sho_panel(qtbot)
    boxes = panel.spin_boxes()
    band = boxes["band_lo"]
    for typed in ("335 kHz", "0.335 MHz", "335000", "335e3", "335kHz"):
        _type(qtbot, band, "310 kHz")  # something else first, so each entry is a change
        _type(qtbot, band, typed)
        assert panel.params()["band_lo"] == 335e3, typed
        assert band.text() == "335 kHz", typed
    _type(qtbot, boxes["band_hi"], "0.34 MHz")
    assert panel.params()["band_hi"] == 340e3 and boxes["band_hi"].text() == "340 kHz"
    # the tolerances read as people write them, and take what they type
    assert boxes["xtol"].text() == "1e-8" and boxes["ftol"].text() == "1e-10"
    _type(qtbot, boxes["xtol"], "1e-9")
    assert panel.params()["xtol"] == 1e-9 and boxes["xtol"].text() == "1e-9"
    # "default" is still the step below the range, and typing it gives the choice back
    _type(qtbot, band, "default")
    assert panel.params()["band_lo"] is None and band.text() == "default"


def test_a_negative_frequency_is_kept_as_typed_and_refused_beside_the_field(qtbot):
    panel = _sho_panel(qtbot)
    band = panel.spin_boxes()["band_lo"]
    editor = panel.form().editors()["band_lo"]
    _type(qtbot, band, "-5000")
    assert band.text() == "-5 kHz"  # not "-000", not silently 0 Hz
    assert panel.params() is None
    assert editor.problem.isVisible()
    assert editor.problem.text() == "Band from must be at least 0 Hz, not -5 kHz"
    _type(qtbot, band, "320 kHz")
    assert panel.params()["band_lo"] == 320e3 and not editor.problem.isVisible()
    _type(qtbot, band, "335 kV")  # not a frequency: the field keeps its value and says why
    assert panel.params()["band_lo"] == 320e3 and band.text() == "320 kHz"
    assert editor.problem.isVisible() and editor.problem.text() == (
        "Band from: '335 kV' is not a number in Hz (with a prefix: k, M, m, µ...); "
        "kept 320 kHz")
    _type(qtbot, band, "330 kHz")
    assert panel.params()["band_lo"] == 330e3 and not editor.problem.isVisible()


def _start_tip(w) -> str:
    return w.start_action.toolTip()


def test_why_the_parameters_are_refused_shows_beside_the_field_and_on_start(qtbot, window,
                                                                           small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    use_sho(qtbot, w)
    settle(qtbot, w)
    assert w.start_action.isEnabled() and _start_tip(w) == START_TIP
    panel = w.params_panel
    boxes, editors = panel.spin_boxes(), panel.form().editors()
    bottom = panel._error

    # a band the wrong way round: said under Band from, with the values in kHz
    _type(qtbot, boxes["band_hi"], "330 kHz")
    _type(qtbot, boxes["band_lo"], "340 kHz")
    why = "Band from (340 kHz) must be below Band to (330 kHz)"
    qtbot.waitUntil(lambda: editors["band_lo"].problem.text() == why, timeout=5_000)
    problem = editors["band_lo"].problem
    assert problem.isVisible() and not bottom.isVisible()
    below = problem.mapTo(panel, problem.rect().topLeft()).y()
    assert below >= boxes["band_lo"].mapTo(panel, boxes["band_lo"].rect().bottomLeft()).y()
    assert not w.start_action.isEnabled() and why in _start_tip(w)

    # a band edge outside the data (300-350 kHz): refused in place, Start off, no dialog later
    _type(qtbot, boxes["band_lo"], "default")
    _type(qtbot, boxes["band_hi"], "500 kHz")
    why = "Band to (500 kHz) is outside the data (300–350 kHz)"
    qtbot.waitUntil(lambda: editors["band_hi"].problem.text() == why, timeout=5_000)
    assert editors["band_hi"].problem.isVisible() and not editors["band_lo"].problem.isVisible()
    assert not bottom.isVisible()
    assert not w.start_action.isEnabled() and why in _start_tip(w)
    _type(qtbot, boxes["max_iter"], "400")  # another edit: the data still refuses the band
    qtbot.wait(300)
    assert editors["band_hi"].problem.isVisible() and editors["band_hi"].problem.text() == why
    assert not w.start_action.isEnabled()
    lo, hi = boxes["band_lo"], boxes["band_hi"]  # side by side, level, the reason under one
    assert lo.mapTo(panel, lo.rect().topLeft()).y() == hi.mapTo(panel, hi.rect().topLeft()).y()

    # Q the wrong way round, the message under Q from
    _type(qtbot, boxes["band_hi"], "340 kHz")
    qtbot.waitUntil(w.start_action.isEnabled, timeout=5_000)
    assert not editors["band_hi"].problem.isVisible() and _start_tip(w) == START_TIP
    _type(qtbot, boxes["q_max"], "100")
    _type(qtbot, boxes["q_min"], "500")
    why = "Q from (500) must be below Q to (100)"
    qtbot.waitUntil(lambda: editors["q_min"].problem.text() == why, timeout=5_000)
    assert not w.start_action.isEnabled() and why in _start_tip(w)
    _type(qtbot, boxes["q_min"], "1")
    qtbot.waitUntil(w.start_action.isEnabled, timeout=5_000)
    assert not any(e.problem.isVisible() for e in editors.values())


def _wheel(widget, down: bool = True) -> None:
    """A real wheel notch over the middle of ``widget``."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, -120 if down else 120), Qt.NoButton, Qt.NoModifier,
                        Qt.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def _shown(box):
    return box.currentIndex() if hasattr(box, "currentIndex") else box.value()


def test_the_wheel_scrolls_the_panel_and_changes_only_a_focused_box(qtbot):
    panel = ParametersPanel(registry.available())
    assert panel.set_analysis("sho")
    scroll = QScrollArea()  # as the window holds it: a short dock scrolls the panel
    scroll.setWidget(panel)
    scroll.setWidgetResizable(True)
    scroll.resize(420, 160)
    qtbot.addWidget(scroll)
    scroll.show()
    qtbot.waitExposed(scroll)
    scroll.activateWindow()
    bar = scroll.verticalScrollBar()
    assert bar.maximum() > 0
    boxes = panel.spin_boxes()
    compute = panel.compute_box()
    passed_over = [panel.chooser(), panel.form().editors()["guess"].editor, boxes["max_iter"],
                   boxes["band_lo"], boxes["xtol"], boxes["jobs"], boxes["max_mem_mb"],
                   compute.mode_combo(), compute.kind_combo()]
    scroll.setFocus()
    for box in passed_over:
        before, top = _shown(box), bar.value()
        _wheel(box)
        assert _shown(box) == before, box.accessibleName() or box.objectName()
        assert bar.value() > top or bar.value() == bar.maximum()
        assert box.focusPolicy() == Qt.StrongFocus  # a click or Tab, never the wheel, focuses
        bar.setValue(0)
    assert panel.analysis().name == "sho" and panel.compute_target() == compute.target()

    # the box being edited still takes the wheel
    guess = panel.form().editors()["guess"].editor
    guess.setFocus()
    qtbot.waitUntil(guess.hasFocus, timeout=2_000)
    top = bar.value()
    _wheel(guess)
    assert guess.currentText() == "algebraic" and bar.value() == top
