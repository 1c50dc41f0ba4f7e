"""The application icon, loaded from package data so an installed or frozen program finds it."""

from __future__ import annotations

from importlib import resources

from PyQt5.QtGui import QIcon, QPixmap

ICON_SIZES = (16, 32, 48, 64, 128, 256)


def icon_bytes(size: int = 256) -> bytes:
    """PNG bytes of the icon at one of :data:`ICON_SIZES`."""
    return (resources.files("peakgui") / "resources" / f"peakgui-{size}.png").read_bytes()


def app_icon() -> QIcon:
    """The PeakGUI icon at every size it was drawn at (see resources/make_icon.py)."""
    icon = QIcon()
    for size in ICON_SIZES:
        pix = QPixmap()
        try:
            data = icon_bytes(size)
        except (FileNotFoundError, OSError):
            continue
        if pix.loadFromData(data, "PNG"):
            icon.addPixmap(pix)
    return icon
