"""The Tools menu and the "Regions and comparisons" dock, assembled from four presenters.

:class:`MapTools` only puts the parts together: a region (:mod:`.regions`), a line profile
(:mod:`.line_profile`), pinned pixels (:mod:`.pins`) and the difference of two results groups
(:mod:`.comparison`) each hold their own actions, box and slots. It gets the few widgets and
presenters they work with, not the window, and tells them when the shown map changes; they follow the session's dataset.
"""

from __future__ import annotations

from PyQt5.QtCore import QObject, pyqtBoundSignal, pyqtSignal
from PyQt5.QtWidgets import QMenu, QVBoxLayout, QWidget

from ...core.io.source import SpectralSource
from ..session import Session
from ..widgets.map_view import MapView
from ..widgets.spectrum_view import SpectrumView
from .comparison import ComparisonPresenter
from .feedback import Feedback
from .inspector import PixelInspector
from .line_profile import ProfilePresenter
from .map_layers import MapLayers
from .pins import PinsPresenter
from .regions import RegionsPresenter
from .results_browser import ResultsBrowser


class MapTools(QObject):
    """Regions, profile, pins and comparison: the menu, the dock's panel, the shared events."""

    sigShowWanted = pyqtSignal()
    """A region or a line was drawn: the dock with their figures should come forward."""

    def __init__(self, session: Session, map_view: MapView, spectrum_view: SpectrumView,
                 layers: MapLayers, inspector: PixelInspector, results: ResultsBrowser,
                 feedback: Feedback, parent: QWidget):
        super().__init__(parent)
        self.regions = RegionsPresenter(session, map_view, spectrum_view, layers, inspector,
                                        parent)
        self.profile = ProfilePresenter(map_view, parent)
        self.pins = PinsPresenter(map_view, spectrum_view, inspector, feedback, parent)
        self.comparison = ComparisonPresenter(session, map_view, layers, results, feedback,
                                              parent)
        self.menu = QMenu("&Tools", parent)  # the window puts it in its menu bar
        for i, group in enumerate((self.regions.actions, [self.profile.profile_action],
                                   self.pins.actions, [self.comparison.diff_action])):
            if i:
                self.menu.addSeparator()
            self.menu.addActions(group)
        self.panel = QWidget()
        v = QVBoxLayout(self.panel)
        v.setContentsMargins(4, 4, 4, 4)
        for box, stretch in ((self.regions.box, 0), (self.profile.box, 1), (self.pins.box, 0),
                             (self.comparison.box, 0)):
            v.addWidget(box, stretch)
        for part in (self.regions, self.profile):
            part.sigShowWanted.connect(self.sigShowWanted)
        # after the comparison's own slot: it may redraw the map in diverging colours
        layers.sigLayerChanged.connect(lambda _key: self.on_map_values_changed())
        results.sigResultsShown.connect(self._on_results_shown)
        session.source_changed.connect(self._on_session_source_changed)

    def connect_map_updates(self, *signals: pyqtBoundSignal) -> None:
        """Signals after which the shown map's values changed (live maps, navigators)."""
        for signal in signals:
            signal.connect(lambda *_: self.on_map_values_changed())

    def busy(self) -> bool:
        """A region's spectra or a results group are still being read."""
        return any(part.busy() for part in (self.regions, self.comparison))

    def abort(self) -> None:
        for part in (self.regions, self.comparison):
            part.abort()

    def on_map_values_changed(self) -> None:
        """The map shows other values: the region's statistics and the profile follow."""
        self.regions.update_stats()
        self.profile.update()

    def _on_session_source_changed(self, _source: SpectralSource | None) -> None:
        """Another grid: regions, profile and pins belonged to the old one."""
        self.regions.remove()
        self.profile.remove()
        self.pins.pins.clear()
        self.comparison.refresh_groups()

    def _on_results_shown(self, _maps: object) -> None:
        self.on_map_values_changed()
        self.comparison.refresh_groups()
