"""A layout saved in an earlier session never comes back with a column squeezed: one saved by
another version of the layout is dropped, and a restored one that cuts a dock is replaced."""

from __future__ import annotations

from PyQt5.QtCore import QSettings, Qt

from peakgui.gui.app.settings import Settings
from peakgui.gui.app.window_geometry import LAYOUT_VERSION, layout_is_readable
from tests.gui.helpers import open_and_wait

LEFT, RIGHT = Qt.LeftDockWidgetArea, Qt.RightDockWidgetArea


def readable(w) -> bool:
    return all(d.width() >= d.minimumSizeHint().width() - 1
               for d in (w.run_dock, w.spectrum_dock, w.tree_dock) if d.isVisible())


def test_a_layout_saved_by_an_earlier_version_is_dropped(qtbot, make_window):
    """As an earlier PeakGUI saved it: the analysis squeezed under the spectrum at the right,
    no layout version."""
    w = make_window()
    w.resize(1366, 768)
    w.addDockWidget(RIGHT, w.run_dock)
    w.splitDockWidget(w.spectrum_dock, w.run_dock, Qt.Vertical)
    w.resizeDocks([w.spectrum_dock], [200], Qt.Horizontal)
    old_state = w.saveState()  # no version, as before
    w.close()
    s = QSettings(Settings().file_name(), QSettings.IniFormat)
    s.setValue("window/state", old_state)
    s.remove("window/layout_version")
    s.sync()
    assert Settings().window_state(LAYOUT_VERSION) is None
    w2 = make_window()
    assert w2.dockWidgetArea(w2.run_dock) == LEFT  # today's layout, not the saved one
    qtbot.waitUntil(lambda: readable(w2), timeout=5_000)


def test_a_hidden_dock_comes_back_readable_after_a_restart(qtbot, make_window, beps_file):
    w = make_window()
    w.resize(1366, 768)
    w.default_layout()
    w.spectrum_dock.hide()  # hide a dock, quit, restart
    w.close()
    assert Settings().window_state(LAYOUT_VERSION) is not None
    w2 = make_window()
    assert w2.spectrum_dock.isHidden()  # the user's choice is kept...
    open_and_wait(qtbot, w2, beps_file)
    w2.spectrum_dock.toggleViewAction().trigger()  # ...and the dock, shown again, is readable
    qtbot.waitUntil(lambda: w2.spectrum_dock.isVisible(), timeout=5_000)
    qtbot.waitUntil(lambda: readable(w2), timeout=5_000)
    assert layout_is_readable(w2, list(w2._docks.values()))


def test_a_restored_layout_that_cuts_a_dock_is_replaced(qtbot, make_window):
    """The same version, but the analysis saved narrower than its content needs now."""
    w = make_window()
    w.resize(1366, 768)
    w.default_layout()
    w.run_dock.setMinimumWidth(0)
    for child in w.run_dock.widget().findChildren(type(w.run_dock.widget())):
        child.setMinimumWidth(0)
    w.resizeDocks([w.run_dock], [120], Qt.Horizontal)
    w.close()
    w2 = make_window()
    qtbot.waitUntil(lambda: w2.run_dock.width() >= w2.run_dock.minimumSizeHint().width() - 1,
                    timeout=5_000)
    assert layout_is_readable(w2, list(w2._docks.values()))
