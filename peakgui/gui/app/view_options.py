"""Display choices remembered between sessions: the angle unit (phase in rad or degrees), the
percentiles of automatic levels and the map's scale bar (the colormap has its own setting)."""

from __future__ import annotations

from PyQt5.QtCore import QObject
from PyQt5.QtWidgets import QAction, QMenu

from ..formatting import angle_unit, set_angle_unit
from ..widgets.levels_bar import DEFAULT_PERCENTILES, PERCENTILES
from ..widgets.map_view import MapView
from ..widgets.spectrum_view import SpectrumView
from .settings import Settings

ANGLE_KEY, PERCENTILES_KEY, SCALE_BAR_KEY = "view/angle_unit", "map/percentiles", "map/scale_bar"


class ViewOptions(QObject):
    """Restores the choices on the views, and stores them when the user changes them."""

    def __init__(self, settings: Settings, map_view: MapView, spectrum_view: SpectrumView,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._settings, self._map, self._spectrum = settings, map_view, spectrum_view
        s = settings.qsettings
        self.degrees_action = QAction("Phase in &degrees", self)
        self.degrees_action.setCheckable(True)
        self.degrees_action.setObjectName("angles_in_degrees")
        self.degrees_action.setToolTip("Show phase (and every angle) in degrees instead of "
                                       "radians: axes, colour bars, readouts and exports")
        set_angle_unit(str(s.value(ANGLE_KEY, "rad") or "rad"))
        self.degrees_action.setChecked(angle_unit() == "deg")
        map_view.set_percentiles(_percentiles(s.value(PERCENTILES_KEY, "")))
        map_view.set_scale_bar_visible(str(s.value(SCALE_BAR_KEY, "true")).lower() != "false")
        self.degrees_action.toggled.connect(self._on_degrees_toggled)
        map_view.sigOptionChanged.connect(self._on_map_option_changed)

    def add_to_menu(self, menu: QMenu) -> None:
        menu.addSeparator()
        menu.addAction(self.degrees_action)

    def _on_degrees_toggled(self, checked: bool) -> None:
        set_angle_unit("deg" if checked else "rad")
        self._settings.qsettings.setValue(ANGLE_KEY, angle_unit())
        self._map.units_changed()
        self._spectrum.units_changed()

    def _on_map_option_changed(self, key: str, value) -> None:
        s = self._settings.qsettings
        if key == "percentiles":
            s.setValue(PERCENTILES_KEY, f"{value[0]:g},{value[1]:g}")
        elif key == "scale_bar":
            s.setValue(SCALE_BAR_KEY, "true" if value else "false")


def _percentiles(text) -> tuple[float, float]:
    """A stored 'lo,hi' pair if it is one of the offered choices, else the default."""
    if isinstance(text, (list, tuple)):  # QSettings may hand back 'lo,hi' as a list
        text = ",".join(str(v) for v in text)
    try:
        pair = tuple(float(v) for v in str(text).split(","))
    except ValueError:
        return DEFAULT_PERCENTILES
    return pair if pair in [p for p, _ in PERCENTILES] else DEFAULT_PERCENTILES
