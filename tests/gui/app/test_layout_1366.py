"""The window on a 1366 x 768 laptop screen with fresh settings: the spectrum, the loop and the
parameters keep room to be read, on a BE file, a BEPS file and after an SHO run."""

from __future__ import annotations

from PyQt5.QtCore import QRect
from PyQt5.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QStyleOptionViewItem,
    QToolButton,
)

from peakgui.gui.app.main_window import MainWindow
from peakgui.gui.widgets.parameter_form import ParameterForm
from tests.gui.helpers import open_and_wait, settle
from tests.gui.loop_helpers import run_to_end, use

LAPTOP = (1366, 768)
MIN_PLOT = 220  # px of height for the spectrum and the loop plots
MIN_ROWS = 5  # parameters seen without scrolling


def laptop_window(make_window) -> MainWindow:
    w = make_window()
    w.resize(*LAPTOP)
    w.default_layout()  # what a first start at this size gets
    return w


def spectrum_plot_height(w: MainWindow) -> int:
    return w.spectrum_view.plot_widget().height()


def loop_plot_height(w: MainWindow) -> int:
    return w.loop_plot.graphics_layout().getViewWidget().height()


def params_viewport(w: MainWindow):
    """The viewport of the scroll area the parameters panel sits in."""
    scroll = w.params_panel.parentWidget()
    while not isinstance(scroll, QScrollArea):
        scroll = scroll.parentWidget()
    return scroll.viewport()


def parameters_seen(w: MainWindow) -> int:
    """How many of the form's editors lie wholly inside the parameters' scroll viewport."""
    form = w.params_panel.findChild(ParameterForm)
    port = params_viewport(w)
    seen = 0
    for editor in form.findChildren((QAbstractSpinBox, QLineEdit, QComboBox)):
        if not editor.isVisibleTo(form) or isinstance(editor.parentWidget(), QAbstractSpinBox):
            continue
        rect = QRect(editor.mapTo(port, editor.rect().topLeft()), editor.size())
        seen += port.rect().contains(rect)
    return seen


def assert_spectrum_readable(w: MainWindow) -> None:
    view = w.spectrum_view
    plot = view.plot_item()
    assert spectrum_plot_height(w) >= MIN_PLOT
    assert plot.vb.height() >= 120  # the data itself, under the legend and the axis
    left = plot.getAxis("left")
    assert left.label.boundingRect().width() <= left.height()  # "|x| (mV)" whole, unit too
    legend = view.legend()
    inside = view.plot_widget().viewport().rect()
    assert inside.contains(view.plot_widget().mapFromScene(
        legend.sceneBoundingRect()).boundingRect())  # no legend entry cut
    bottom = plot.getAxis("bottom")
    half_tick = bottom.fontMetrics().horizontalAdvance("350") if hasattr(bottom, "fontMetrics") \
        else view.fontMetrics().horizontalAdvance("350")
    right_room = view.plot_widget().width() - plot.vb.mapRectToScene(
        plot.vb.rect()).right()
    assert right_room >= half_tick / 2  # the last x tick label is not cut to "3"
    for label in (view.title(), view.readout()):  # wrap within their height, never cut
        assert label.wordWrap()
        assert label.heightForWidth(label.width()) <= label.height(), label.text()


def assert_run_panel_snug(w: MainWindow) -> None:
    panel = w.run_panel
    assert panel.height() <= panel.sizeHint().height() + 4  # no blank under the bar
    message = panel.findChildren(type(panel.stats_label()))
    for label in message:
        if label.isVisible() and label.wordWrap():
            assert label.heightForWidth(label.width()) <= label.height() + 1, label.text()


def test_a_be_file_at_1366x768(qtbot, make_window, small_file):
    w = laptop_window(make_window)
    open_and_wait(qtbot, w, small_file)
    qtbot.waitUntil(lambda: spectrum_plot_height(w) >= MIN_PLOT, timeout=5_000)
    assert_spectrum_readable(w)
    assert parameters_seen(w) >= MIN_ROWS
    assert_run_panel_snug(w)
    assert w.loop_dock.isHidden()


def test_a_beps_file_at_1366x768(qtbot, make_window, beps_file):
    w = laptop_window(make_window)
    open_and_wait(qtbot, w, beps_file)
    qtbot.waitUntil(lambda: not w.loop_dock.isHidden(), timeout=5_000)
    qtbot.waitUntil(lambda: loop_plot_height(w) >= MIN_PLOT, timeout=5_000)
    assert_spectrum_readable(w)
    assert loop_plot_height(w) >= MIN_PLOT
    assert parameters_seen(w) >= MIN_ROWS
    assert_run_panel_snug(w)
    # the DC and field sliders sit above the map, not over the spectrum's height
    steps = w.spectrum_view.step_selector()
    assert steps.isVisible() and not w.spectrum_dock.isAncestorOf(steps)


def test_after_an_sho_run_at_1366x768(qtbot, make_window, beps_file):
    w = laptop_window(make_window)
    open_and_wait(qtbot, w, beps_file)
    use(qtbot, w, "sho")
    run_to_end(qtbot, w)
    settle(qtbot, w)
    qtbot.waitUntil(lambda: loop_plot_height(w) >= MIN_PLOT, timeout=5_000)
    assert_spectrum_readable(w)
    assert "converged" in w.spectrum_view.readout().text() or w.spectrum_view.readout().text()
    assert parameters_seen(w) >= MIN_ROWS
    assert_run_panel_snug(w)
    assert "SHO" in w.run_panel.message()
    # every dock as wide as its content: no "Defau" button
    for dock in (w.run_dock, w.spectrum_dock, w.tree_dock, w.loop_dock):
        assert dock.width() >= dock.minimumSizeHint().width() - 1, dock.objectName()
    assert params_viewport(w).width() >= w.params_panel.minimumSizeHint().width()
    # the Show: combo is not squeezed below its size, and names the shown map in its tooltip
    combo = w.layers.combo()
    assert combo.width() >= combo.minimumSizeHint().width()
    assert combo.fontMetrics().horizontalAdvance("SHO resonance") + 16 <= combo.width()
    assert combo.currentText() in combo.toolTip()


def test_the_map_title_is_one_line_whatever_it_says(qtbot, make_window, small_file):
    w = laptop_window(make_window)
    open_and_wait(qtbot, w, small_file)
    title = next(label for label in w.map_view.findChildren(QLabel)
                 if label.text() == w.map_view.title_text())
    one_line = title.height()
    long = "Peak amplitude · Peak_Finding_000 · running: 1,234 of 768 positions · " * 3
    w.map_view.set_image(w.layers.current_image(), long.strip(), "V")
    qtbot.wait(50)
    assert title.height() == one_line and title.toolTip() == long.strip()
    assert w.map_view.title_text() == long.strip()


def test_the_run_buttons_stay_put_between_running_and_paused(qtbot, make_window, demo_file,
                                                             slow_kernel):
    w = laptop_window(make_window)
    open_and_wait(qtbot, w, demo_file)
    buttons = w.run_panel.findChildren(QToolButton)
    assert len(buttons) == 3

    def places():
        return [QRect(b.mapTo(w, b.rect().topLeft()), b.size()) for b in buttons]

    idle = places()
    with qtbot.waitSignal(w.run_controller.sigProgressed, timeout=30_000):
        assert w.start_run()
    running = places()
    w.pause_action.trigger()
    qtbot.waitUntil(lambda: w.pause_action.text() == "Resume", timeout=30_000)
    qtbot.wait(100)
    paused = places()
    assert idle == running == paused
    assert len({b.width() for b in buttons}) == 1  # equal thirds, whatever their text
    w.run_controller.cancel()
    qtbot.waitUntil(lambda: not w.run_controller.is_active(), timeout=60_000)


def test_the_tree_tells_results_groups_apart(qtbot, make_window, small_file):
    """Two results groups named alike differ at their end: the tree elides their middles."""
    w = laptop_window(make_window)
    open_and_wait(qtbot, w, small_file)
    view = w.tree.view()
    model = w.tree.model()
    option = QStyleOptionViewItem()
    view.itemDelegate().initStyleOption(option, model.index(0, model.NAME_COLUMN))
    fm = view.fontMetrics()
    room = view.columnWidth(0) - 3 * view.indentation() - 24
    a, b = (fm.elidedText(n, option.textElideMode, room)
            for n in ("Raw_Data-SHO_Fit_000", "Raw_Data-SHO_Fit_001"))
    assert a != b
    shape = w.tree.model().SHAPE_COLUMN
    assert view.columnWidth(shape) >= fm.horizontalAdvance("32 × 24") + 8


def test_attribute_values_are_not_all_cut(qtbot, make_window, small_file):
    """The attribute names and types take what they need; the values the rest, each whole in
    its tooltip."""
    w = laptop_window(make_window)
    open_and_wait(qtbot, w, small_file)
    w.attributes_dock.show()
    w.attributes_dock.raise_()
    table = w.attributes.table()
    qtbot.waitUntil(lambda: table.rowCount() > 3, timeout=10_000)
    qtbot.wait(50)
    fm = table.fontMetrics()
    values = [table.item(r, 1) for r in range(table.rowCount())]
    delegate = table.itemDelegate()

    def elide_mode(row: int) -> int:
        option = QStyleOptionViewItem()
        delegate.initStyleOption(option, table.model().index(row, 1))
        return option.textElideMode

    shown = [fm.elidedText(v.text(), elide_mode(r), table.columnWidth(1) - 12)
             for r, v in enumerate(values)]
    # the four references differ only at their end ("Position_Indices", "..._Values"): as
    # shown they still differ, and some values are whole
    assert len(set(shown)) == len(shown), shown
    assert any(s == v.text() for s, v in zip(shown, values))
    assert all(v.toolTip() and v.text().rstrip(" …") in v.toolTip() for v in values)
    types = [table.item(r, 2).text() for r in range(table.rowCount())]
    assert all(fm.horizontalAdvance(t) + 8 <= table.columnWidth(2) for t in types)


def test_after_a_loop_fit_at_1366x768(qtbot, make_window, beps_file):
    """The loop fit's own panel (tabbed under the spectrum): the loop takes the plot area and
    most of the column; the spectrum keeps a readable plot; the complex plane waits for room."""
    from tests.gui.loop_helpers import sho_then_loop_fit

    w = laptop_window(make_window)
    sho_then_loop_fit(qtbot, w, beps_file)
    run_to_end(qtbot, w)
    panel = w.analysis.view.panel()
    qtbot.waitUntil(lambda: panel.isVisible() and panel.loop_plot().height() > 0, timeout=5_000)
    settle(qtbot, w)
    loop = panel.loop_plot()
    assert loop.height() >= 160 and not panel.plane_shown()
    left = loop.getAxis("left")
    assert left.label.boundingRect().width() <= left.height()  # "Response (mV)" whole
    plot = w.spectrum_view.plot_item()
    assert spectrum_plot_height(w) >= 120 and plot.vb.height() >= 60
    spec_left = plot.getAxis("left")
    assert spec_left.label.boundingRect().width() <= spec_left.height()  # "|x| (mV)" whole
    assert w.spectrum_view.readout().height() < 2 * w.spectrum_view.fontMetrics().lineSpacing()
    # on a tall screen the complex plane comes back under the loop
    w.resize(1920, 1200)
    w.default_layout()
    qtbot.waitUntil(panel.plane_shown, timeout=5_000)
