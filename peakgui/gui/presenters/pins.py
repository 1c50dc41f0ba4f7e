"""Pinned pixels: spectra kept on the spectrum plot beside the selected one, markers on the map."""

from __future__ import annotations

from PyQt5.QtCore import QObject
from PyQt5.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..widgets.map_view import MapView
from ..widgets.parts import action, action_button
from ..widgets.pinned import PinnedSpectra
from ..widgets.spectrum_view import PHASE_MODE, SpectrumView
from .feedback import Feedback
from .inspector import PixelInspector

_PROMPT = "Select a pixel and press P to keep its spectrum"


class PinsPresenter(QObject):
    """The pins' actions (Tools menu), their box in the dock, and the pinned spectra."""

    def __init__(self, map_view: MapView, spectrum_view: SpectrumView,
                 inspector: PixelInspector, feedback: Feedback, parent: QWidget):
        super().__init__(parent)
        self.map_view, self.spectrum_view, self.inspector = map_view, spectrum_view, inspector
        self.feedback = feedback
        self.pins = PinnedSpectra(map_view.plot_item(), spectrum_view.plot_item(), self)
        self.pin_action = action(parent, "&Pin the selected pixel", self.pin_selected,
                                 "Keep the selected pixel's spectrum on the plot, with a marker "
                                 "of its colour on the map (again: unpin)", "pin", "P")
        self.unpin_action = action(parent, "&Unpin the last pixel", self.unpin_last,
                                   "Remove the last pinned spectrum", "unpin", "Shift+P")
        self.clear_action = action(parent, "&Clear pins", self.pins.clear,
                                   "Remove every pinned spectrum", "clear_pins", "Ctrl+Shift+P")
        self.actions = [self.pin_action, self.unpin_action, self.clear_action]
        self.box = QGroupBox("Pinned pixels")
        v = QVBoxLayout(self.box)
        row = QHBoxLayout()
        for act, text in zip(self.actions, ("Pin (P)", "Unpin last", "Clear")):
            row.addWidget(action_button(act, text))
        v.addLayout(row)
        self.label = QLabel(_PROMPT)
        self.label.setWordWrap(True)
        v.addWidget(self.label)
        self.pins.sigChanged.connect(self._on_pins_changed)
        spectrum_view.sigModeChanged.connect(self._on_spectrum_mode_changed)

    def pin_selected(self) -> bool:
        rep = self.inspector.report
        axis = self.spectrum_view.axis()
        if rep is None or rep.spectrum is None or axis is None:
            self.feedback.status("Select a pixel first, then pin it", 5000)
            return False
        self.pins.set_phase(self.spectrum_view.mode() == PHASE_MODE)
        self.pins.pin(rep.row, rep.col, rep.position, rep.step, axis.values, rep.spectrum,
                      self.map_view.grid())
        return True

    def unpin_last(self) -> None:
        self.pins.unpin(grid=self.map_view.grid())

    def _on_pins_changed(self) -> None:
        self.label.setText(" ".join(f"<span style='color:{p.colour}'>◆</span> ({p.row}, {p.col})"
                                    for p in self.pins.pins) or _PROMPT)

    def _on_spectrum_mode_changed(self, mode: str) -> None:
        self.pins.set_phase(mode == PHASE_MODE, self.map_view.grid())
