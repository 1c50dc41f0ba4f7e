"""What a desktop user expects: menus and shortcuts, recent files, drag and drop, export,
remembered layout, tooltips, About and the icon."""

from __future__ import annotations

import numpy as np
import pytest
from PyQt5.QtCore import QMimeData, QPoint, Qt, QUrl
from PyQt5.QtGui import QDragEnterEvent, QDropEvent, QImage, QKeySequence
from PyQt5.QtWidgets import QAction

from peakgui.core.analyses.peak_finding.params import PeakParams
from peakgui.gui.app.icons import ICON_SIZES, app_icon, icon_bytes
from peakgui.gui.app.settings import Settings
from peakgui.gui.presenters.map_layers import NAVIGATOR_MEAN
from peakgui.gui.widgets.dialogs import about_text, versions
from tests.gui.helpers import open_and_wait


def test_menus_and_shortcuts(window):
    w = window
    menus = [a.text() for a in w.menuBar().actions()]
    assert menus == ["&File", "&Run", "&View", "&Tools", "&Help"]
    assert w.open_action.shortcut() == QKeySequence(QKeySequence.Open)
    assert w.open_action.shortcut().toString() == "Ctrl+O"
    assert w.quit_action.shortcut().toString() == "Ctrl+Q"
    assert w.close_action.shortcut().toString() == "Ctrl+W"
    assert not w.start_action.isEnabled()  # nothing open yet
    assert not w.close_action.isEnabled()
    keys = [a.shortcut().toString() for a in w.findChildren(QAction) if not a.shortcut().isEmpty()]
    assert len(keys) == len(set(keys)), keys  # no shortcut is taken twice
    assert w.map_tools.pins.pin_action.shortcut().toString() == "P"


def test_open_close_and_recent_files(qtbot, make_window, small_file, demo_file):
    w = make_window()
    w.dialogs.open_path = str(small_file)
    with qtbot.waitSignal(w.sigNavigatorReady, timeout=10_000):
        w.open_action.trigger()
    assert w.file == small_file
    open_and_wait(qtbot, w, demo_file)
    assert Settings().recent_files()[:2] == [str(demo_file), str(small_file)]
    assert Settings().last_folder() == str(demo_file.parent)
    w.recent_menu.aboutToShow.emit()
    entries = [a for a in w.recent_menu.actions() if a.data()]
    assert [a.data() for a in entries] == [str(demo_file), str(small_file)]
    with qtbot.waitSignal(w.sigNavigatorReady, timeout=10_000):
        entries[1].trigger()
    assert w.file == small_file
    w.close_action.trigger()
    assert w.file is None and w.source is None and w.windowTitle() == "PeakGUI"
    assert w.tree.model().rowCount() == 0
    # a recent file that has gone is said so and dropped from the list
    small_file.unlink()
    assert not w.datasets.open_recent(str(small_file))
    assert "no such file" in w.dialogs.errors[-1]
    assert str(small_file) not in Settings().recent_files()


def test_drag_and_drop_opens_the_file(qtbot, window, small_file):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(small_file))])
    enter = QDragEnterEvent(QPoint(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPoint(10, 10).__class__(10, 10), Qt.CopyAction, mime, Qt.LeftButton,
                      Qt.NoModifier)
    with qtbot.waitSignal(window.sigNavigatorReady, timeout=10_000):
        window.dropEvent(drop)
    assert window.file == small_file
    text = QMimeData()
    text.setText("not a file")
    enter = QDragEnterEvent(QPoint(10, 10), Qt.CopyAction, text, Qt.LeftButton, Qt.NoModifier)
    window.dragEnterEvent(enter)
    assert not enter.isAccepted()


def test_layout_parameters_and_colormap_are_remembered(qtbot, make_window, small_file):
    w = make_window()
    w.resize(1290, 777)
    chosen = PeakParams(width_lo=10, width_hi=40, steps=12, window_size=5).as_dict()
    w.params_panel.set_params(chosen)
    w.params_panel.set_run_options(2, 512)
    w.map_view.set_colormap("inferno")
    w.spectrum_dock.hide()
    w.close()
    w2 = make_window()
    assert (w2.width(), w2.height()) == (1290, 777)
    assert w2.params_panel.params() == chosen
    assert w2.params_panel.chooser().currentData() == "peak_finding"
    assert (w2.params_panel.jobs(), w2.params_panel.max_mem_mb()) == (2, 512)
    assert w2.map_view.colormap_name() == "inferno"
    assert not w2.spectrum_dock.isVisible()
    assert "settings" in Settings().file_name()  # the temporary location, never the user's


@pytest.mark.parametrize("suffix", [".png", ".csv", ".npy"])
def test_export_the_shown_map(qtbot, window, small_file, tmp_path, suffix):
    open_and_wait(qtbot, window, small_file)
    assert window.layers.current() == NAVIGATOR_MEAN
    out = tmp_path / f"map{suffix}"
    window.dialogs.save_path = str(out)
    {".png": window.export_png_action, ".csv": window.export_csv_action,
     ".npy": window.export_npy_action}[suffix].trigger()
    assert out.exists(), window.dialogs.errors
    image = window.layers.current_image()
    if suffix == ".png":
        png = QImage(str(out))
        assert png.width() > 200 and png.height() > 200
    elif suffix == ".npy":
        np.testing.assert_array_equal(np.load(out, allow_pickle=False), image)
    else:
        np.testing.assert_allclose(np.loadtxt(out, delimiter=","), image, rtol=1e-8)
        assert "Mean |x|" in out.read_text().splitlines()[0]


def test_export_failure_is_reported(qtbot, window, small_file, tmp_path):
    open_and_wait(qtbot, window, small_file)
    window.dialogs.save_path = str(tmp_path / "no" / "such" / "dir" / "map.npy")
    window.export_npy_action.trigger()
    assert "No such file or directory" in window.dialogs.errors[-1]


def test_tooltips_everywhere(window):
    w = window
    for a in (w.open_action, w.start_action, w.pause_action, w.cancel_action,
              w.recompute_action, w.export_png_action, w.export_csv_action, w.export_npy_action):
        assert a.toolTip() and a.toolTip() != a.text().replace("&", ""), a.text()
    for name, box in w.params_panel.spin_boxes().items():
        assert len(box.toolTip()) > 20, name
    assert w.layers.combo().toolTip()
    assert w.run_panel.progress_bar().toolTip()


def test_about_and_icon(window):
    window.about_action.trigger()
    assert window.dialogs.about_shown == 1
    v = versions()
    for key in ("PeakGUI", "Qt", "PyQt5", "pyqtgraph", "NumPy", "h5py", "HDF5", "SciPy"):
        assert v[key] and v[key] in about_text()
    icon = app_icon()
    assert not icon.isNull()
    assert sorted(s.width() for s in icon.availableSizes()) == sorted(ICON_SIZES)
    assert icon_bytes(16).startswith(b"\x89PNG")
    assert not window.windowIcon().isNull()
