"""How big the window is: its first size from the screen, and whether a saved size still fits.

A saved geometry comes from whatever screen the window was last on (a docked monitor, say); on a
laptop it may be larger than the screen, and then Start, the progress bar and the status bar are
off-screen. So the first size is taken from the screen's available area, and a saved geometry is
used only when it fits the screen the window opens on.
"""

from __future__ import annotations

from PyQt5.QtCore import QRect, QSize
from PyQt5.QtGui import QGuiApplication, QScreen
from PyQt5.QtWidgets import QDockWidget, QMainWindow, QWidget

LAYOUT_VERSION = 2  # raised whenever the docks move: a layout saved before is then dropped
PREFERRED = QSize(1600, 1000)  # enough for the map, the tree and the analysis panel side by side
SCREENLESS = ("offscreen", "minimal")  # platforms whose 'screen' is a fixed 800 x 600 stand-in
FILL = 0.94  # of the available area, leaving room for the window frame and a taskbar


def available_area(widget: QWidget | None = None) -> QRect:
    """The available geometry (without taskbars and docks) of the widget's screen."""
    screen: QScreen | None = widget.screen() if widget is not None else None
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1600, 1000)


def has_real_screen() -> bool:
    """False on the offscreen and minimal platforms (scripted runs, tests): no screen limits."""
    return QGuiApplication.platformName() not in SCREENLESS


def first_size(available: QRect) -> QSize:
    """The first window's size on a screen: the preferred size, shrunk to fit the screen."""
    return QSize(min(PREFERRED.width(), int(available.width() * FILL)),
                 min(PREFERRED.height(), int(available.height() * FILL)))


def fits(frame: QRect, available: QRect) -> bool:
    """True when a window frame lies entirely on the available area."""
    return available.contains(frame)


def place_first(window: QMainWindow) -> None:
    """Size the window for its screen and centre it there."""
    area = available_area(window)
    size = first_size(area) if has_real_screen() else PREFERRED
    window.resize(size)
    window.move(area.center().x() - size.width() // 2, area.center().y() - size.height() // 2)


def restore_or_place(window: QMainWindow, geometry) -> bool:
    """Restore a saved geometry when it fits this screen, else size the window afresh; True
    when the saved one was used."""
    if geometry is not None and window.restoreGeometry(geometry):
        if not has_real_screen() or fits(window.frameGeometry(), available_area(window)):
            return True
    place_first(window)
    return False


def keep_docks_readable(docks: list[QDockWidget]) -> None:
    """No dock narrower than what its content needs (a squeezed width is not restored)."""
    for dock in docks:
        inner = dock.widget()
        if inner is not None:
            dock.setMinimumWidth(max(inner.minimumSizeHint().width(), inner.minimumWidth()))


def layout_is_readable(window: QMainWindow, docks: list[QDockWidget]) -> bool:
    """False when a restored layout cuts something: a docked dock narrower or lower than its
    content's minimum (a button reading "Defau"), or the map narrower than its own."""
    for dock in docks:
        if dock.isHidden() or dock.isFloating() or dock.visibleRegion().isEmpty():
            continue  # hidden, floating, or a tab behind another
        need = dock.minimumSizeHint()
        if dock.width() < need.width() - 1 or dock.height() < need.height() - 1:
            return False
    central = window.centralWidget()
    return central is None or central.width() >= central.minimumSizeHint().width() - 4
