"""Pinned pixels: their spectra stay on the plot, each with its colour and a marker on the map."""

from __future__ import annotations

import numpy as np
from PyQt5.QtCore import Qt
from PyQt5.QtTest import QTest

from peakgui.gui.widgets.spectrum_view import AMPLITUDE_MODE, PHASE_MODE
from tests.gui.helpers import open_and_wait, select_and_wait


def test_pin_overlay_and_unpin(qtbot, window, small_file):
    w = window
    open_and_wait(qtbot, w, small_file)
    tools = w.map_tools.pins
    reps = []
    for rc in ((2, 3), (10, 20), (5, 5)):
        reps.append(select_and_wait(qtbot, w, *rc))
        w.map_view.graphics_widget().setFocus()
        QTest.keyClick(w, Qt.Key_P)  # the shortcut
    assert [(p.row, p.col) for p in tools.pins.pins] == [(2, 3), (10, 20), (5, 5)]
    colours = [p.colour for p in tools.pins.pins]
    assert len(set(colours)) == 3
    # each curve is its pixel's |x|, in its colour; each marker sits on its pixel, same colour
    for rep, pin, curve in zip(reps, tools.pins.pins, tools.pins.curves()):
        np.testing.assert_allclose(curve.getData()[1], np.abs(rep.spectrum), rtol=1e-6)
        assert curve.opts["pen"].color().name() == pin.colour
        assert curve in w.spectrum_view.plot_item().items
    spots = tools.pins.markers().points()
    g = w.map_view.grid()
    for spot, pin in zip(spots, tools.pins.pins):
        assert (spot.pos().x(), spot.pos().y()) == g.centre(pin.row, pin.col)
        assert spot.brush().color().name() == pin.colour
    # phase view: the pinned curves follow
    w.spectrum_view.set_mode(PHASE_MODE)
    np.testing.assert_allclose(tools.pins.curves()[0].getData()[1], np.angle(reps[0].spectrum),
                               rtol=1e-6)
    w.spectrum_view.set_mode(AMPLITUDE_MODE)
    # pinning the same pixel again unpins it; Unpin last; Clear
    select_and_wait(qtbot, w, 10, 20)
    tools.pin_action.trigger()
    assert [(p.row, p.col) for p in tools.pins.pins] == [(2, 3), (5, 5)]
    tools.unpin_action.trigger()
    assert [(p.row, p.col) for p in tools.pins.pins] == [(2, 3)]
    assert len(tools.pins.markers().points()) == 1
    tools.clear_action.trigger()
    assert tools.pins.pins == [] and len(tools.pins.markers().points()) == 0
    assert not any(c in w.spectrum_view.plot_item().items for c in tools.pins.curves())


def test_pin_without_a_pixel_says_so(qtbot, window):
    assert not window.map_tools.pins.pin_selected()
    assert "Select a pixel" in window.statusBar().currentMessage()


def test_pins_never_take_the_fit_curves_colours_and_are_in_the_legend(qtbot, window,
                                                                      small_file):
    from peakgui.gui.widgets.pinned import MIN_DISTANCE, _lab
    from tests.gui.views.test_sho_view import use_sho

    w = window
    open_and_wait(qtbot, w, small_file)
    use_sho(qtbot, w)  # the SHO fit draws in red, as the palette's first colour was
    tools = w.map_tools.pins
    for rc in ((2, 3), (10, 20)):
        select_and_wait(qtbot, w, *rc)
        assert tools.pin_selected()
    sho = w.analysis.view
    fit_colour = sho._fit.opts["pen"].color().name()
    guess_colour = sho._guess.opts["pen"].color().name()
    assert {fit_colour, guess_colour} <= set(tools.pins.busy_colours())
    for pin in tools.pins.pins:
        for busy in (fit_colour, guess_colour):
            assert np.linalg.norm(_lab(pin.colour) - _lab(busy)) >= MIN_DISTANCE
    names = w.spectrum_view.legend_names()
    assert "pin (2, 3)" in names and "pin (10, 20)" in names
    tools.unpin_action.trigger()
    assert "pin (10, 20)" not in w.spectrum_view.legend_names()
