"""A line profile: the shown map's values along a segment the user drags across the map."""

from __future__ import annotations

from PyQt5.QtCore import QObject, pyqtSignal
from PyQt5.QtWidgets import QGroupBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ..widgets.map_view import MapView
from ..widgets.parts import action, action_button
from ..widgets.profile import ProfileTool


class ProfilePresenter(QObject):
    """The profile's action (Tools menu), its box with the plot, and its redraws."""

    sigShowWanted = pyqtSignal()
    """A line was drawn: the dock with its plot should come forward."""

    def __init__(self, map_view: MapView, parent: QWidget):
        super().__init__(parent)
        self.map_view = map_view
        self.profile = ProfileTool(map_view.plot_item(), self)
        self.profile_action = action(parent, "&Line profile", self.add,
                                     "Drag a line across the map: the shown map's values along "
                                     "it", "line_profile", "Shift+L")
        self.box = QGroupBox("Line profile")
        v = QVBoxLayout(self.box)
        row = QHBoxLayout()
        row.addWidget(action_button(self.profile_action, "Draw a line"))
        remove = QPushButton("Remove")
        remove.clicked.connect(self.remove)
        row.addWidget(remove)
        row.addStretch(1)
        v.addLayout(row)
        v.addWidget(self.profile.widget, 1)
        self.profile.sigChanged.connect(self.update)

    def add(self) -> bool:
        grid = self.map_view.grid()
        if grid is None:
            return False
        self.profile.create(grid)
        self.sigShowWanted.emit()
        self.update()
        return True

    def remove(self) -> None:
        self.profile.remove()

    def update(self) -> None:
        """The line moved or the shown map changed: sample the map along it again."""
        mv = self.map_view
        self.profile.update(mv.image(), mv.grid(), mv.title_text().split(" · ")[0], mv.units())
