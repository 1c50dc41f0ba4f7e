"""The window on any screen, scripted runs that leave the user's settings alone, the Help menu."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PyQt5.QtCore import QRect, QSize, Qt
from PyQt5.QtGui import QKeySequence
from PyQt5.QtWidgets import QApplication, QTableWidget, QTextBrowser, QToolButton

from peakgui.app import create_parser
from peakgui.gui.app import help as helpmod
from peakgui.gui.app.settings import Settings
from peakgui.gui.app.window_geometry import LAYOUT_VERSION, first_size, fits
from peakgui.gui.widgets.h5_tree import MIN_WIDTH
from tests.gui.helpers import open_and_wait

LAPTOP = QRect(0, 0, 1366, 768 - 28)  # available area under a 28 px panel


def test_the_first_size_comes_from_the_screen():
    size = first_size(LAPTOP)
    assert size.width() <= 1366 and size.height() <= 740
    assert size != QSize(1500, 950)
    assert first_size(QRect(0, 0, 2560, 1440)) == QSize(1600, 1000)  # capped on big screens


def test_a_saved_geometry_is_used_only_if_it_fits():
    assert fits(QRect(10, 10, 1200, 700), LAPTOP)
    assert not fits(QRect(0, 0, 1500, 950), LAPTOP)  # saved on a bigger monitor
    assert not fits(QRect(1300, 10, 400, 300), LAPTOP)  # off the right edge


def test_every_control_is_reachable_at_1366x768(qtbot, make_window, small_file):
    """The window at the first size a 1366 x 768 laptop gives: nothing that matters is cut."""
    w = make_window()
    w.resize(first_size(LAPTOP))
    w.default_layout()
    open_and_wait(qtbot, w, small_file)
    qtbot.waitUntil(lambda: w.size() == first_size(LAPTOP), timeout=5_000)
    assert w.minimumSizeHint().width() <= 1366 and w.minimumSizeHint().height() <= 740
    inside = w.rect()
    start_button = next(b for b in w.run_panel.findChildren(QToolButton)
                        if b.defaultAction() is w.start_action)
    for widget in (start_button, w.run_panel.progress_bar(), w.run_panel.stats_label(),
                   w.statusBar(), w.map_view, w.spectrum_view):
        assert widget.isVisible(), widget
        top_left = widget.mapTo(w, widget.rect().topLeft())
        rect = QRect(top_left, widget.size())
        assert inside.contains(rect), (widget, rect, inside)
        assert widget.height() >= widget.minimumSizeHint().height() - 1, widget


def test_no_dock_narrower_than_its_content_and_a_squeezed_width_is_not_restored(
        qtbot, make_window):
    w = make_window()
    w.run_dock.hide()  # the analysis under the tree would keep the column wide
    w.tree_dock.setMinimumWidth(0)
    w.tree.setMinimumWidth(0)
    w.resizeDocks([w.tree_dock], [120], Qt.Horizontal)  # squeezed, as after a bad reopen
    qtbot.waitUntil(lambda: w.tree_dock.width() < MIN_WIDTH, timeout=5_000)
    w.close()
    assert Settings().window_state(LAYOUT_VERSION) is not None
    w2 = make_window()
    qtbot.waitUntil(lambda: w2.tree_dock.width() >= MIN_WIDTH, timeout=5_000)
    for dock in (w2.tree_dock, w2.run_dock, w2.spectrum_dock):
        assert dock.width() >= dock.widget().minimumSizeHint().width()


def test_size_option():
    p = create_parser()
    assert p.parse_args(["--size", "1366x768"]).size == (1366, 768)
    assert p.parse_args([]).size is None
    with pytest.raises(SystemExit):
        p.parse_args(["--size", "big"])


def test_a_scripted_screenshot_uses_defaults_and_never_writes_the_settings(tmp_path, small_file):
    """The user's settings (a saved colormap, a huge window) neither change the screenshot nor
    are changed by it."""
    config = tmp_path / "config"
    ini = config / "PeakGUI" / "PeakGUI.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[map]\ncolormap=magma\n[window]\n")
    before = ini.read_bytes()
    out = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(config),
           "XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "peakgui", str(small_file), "--jobs", "1",
                           "--screenshot", str(out), "--quit-when-done", "--size", "1366x768"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert ini.read_bytes() == before  # untouched
    from PyQt5.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (1366, 768)


def test_help_lists_every_shortcut_from_the_actions(qtbot, window):
    w = window
    rows = helpmod.shortcut_rows(w)
    keys = {(action, keys) for _, action, keys in rows}
    for a in (w.open_action, w.start_action, w.pause_action, w.cancel_action, w.quit_action,
              w.shortcuts_action, w.guide_action):
        assert (helpmod._plain(a.text()), a.shortcut().toString(QKeySequence.NativeText)) in keys
    # a shortcut added later appears without being written down again
    w.recompute_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
    assert ("Recompute", "Ctrl+Shift+R") in {(a, k) for _, a, k in helpmod.shortcut_rows(w)}
    assert [a.text() for a in w.menuBar().actions()[-1].menu().actions() if a.text()] == [
        "Quick &guide", "&Keyboard shortcuts", "&About PeakGUI"]

    w.shortcuts_action.trigger()
    dialog = next(d for d in w.findChildren(helpmod.ShortcutsDialog))
    qtbot.waitExposed(dialog)
    table = dialog.findChild(QTableWidget)
    assert table.rowCount() == len(helpmod.shortcut_rows(w))
    dialog.close()
    w.guide_action.trigger()
    guide = next(d for d in w.findChildren(helpmod.GuideDialog))
    assert "Run" in guide.findChild(QTextBrowser).toPlainText()
    assert w.guide_action.shortcut() == QKeySequence(QKeySequence.HelpContents)
    guide.close()
    QApplication.processEvents()


def test_readme_screenshots_exist():
    root = Path(__file__).resolve().parents[3]
    for name in ("screenshot-1366x768.png", "screenshot-1920x1080.png",
                 "screenshot-1366-beps.png", "screenshot-1366-sho-r2.png",
                 "screenshot-1366-sho-status.png"):
        assert (root / "resources" / name).exists()
        assert name in (root / "README.md").read_text()
