"""An entry field for a number with a unit: takes "335 kHz", "0.335 MHz", "335000" or "335e3"
and shows "335 kHz"; a tolerance reads "1e-8", not "0.000000010000".

A spin box, so arrows, the wheel (when focused) and ``value()`` work as before; the text is read
and written by the core's :mod:`~peakgui.core.quantity` (the rule the declarations use). It does
not clamp to the declared range: a value outside it (a negative frequency) reaches the
declaration, which refuses it and says why beside the field.

Why "-5000" showed "-000" before: the step below the range that reads "default" put the spin
box's minimum at -0.1, so Qt's validator let a minus sign be typed, then refused the 5 (it would
end below the minimum) and took the zeros: "-000", which became 0 Hz. Here nothing typed is
refused or changed key by key; a whole entry is read, or the field goes back to its value and
says why (``sigRefused``).
"""

from __future__ import annotations

import math

from PyQt5.QtCore import pyqtSignal
from PyQt5.QtGui import QValidator
from PyQt5.QtWidgets import QDoubleSpinBox, QWidget

from ...core.quantity import format_quantity, parse_quantity

LIMIT = 1e15  # far beyond any declared range, so typed values are refused by the declaration
DEFAULT_TEXT = "default"


class QuantityBox(QDoubleSpinBox):
    """A float in ``unit``, within [``low``, ``high``] by the arrows; ``optional`` adds the
    value below the range that reads "default" (None: the algorithm's own choice)."""

    sigRefused = pyqtSignal(str)
    """Typed text that is no quantity in this unit was dropped (carries why)."""

    def __init__(self, unit: str = "", low: float | None = None, high: float | None = None,
                 optional: bool = False, decimals: int = 3, parent: QWidget | None = None):
        super().__init__(parent)
        self._unit = unit
        self._low = -LIMIT if low is None else float(low)
        self._high = LIMIT if high is None else float(high)
        self._optional = optional
        # enough decimals to keep any typed value (1e-12 tolerances, sub-Hz bands)
        self.setDecimals(max(decimals, 15))
        self.setRange(-2 * LIMIT if optional else -LIMIT, LIMIT)
        if optional:
            self.setSpecialValueText(DEFAULT_TEXT)
        self._step_decimals = decimals
        self._typed: str | None = None  # the text as typed, until the entry is finished
        self.lineEdit().textEdited.connect(self._on_text_edited)
        self.editingFinished.connect(self._on_editing_finished)

    def unit(self) -> str:
        return self._unit

    def is_default(self) -> bool:
        return self._optional and self.value() == self.minimum()

    def set_default(self) -> None:
        self.setValue(self.minimum())

    # ---- text -----------------------------------------------------------------------------------
    def textFromValue(self, value: float) -> str:
        return format_quantity(value, self._unit)

    def valueFromText(self, text: str) -> float:
        if self._means_default(text):
            return self.minimum()
        try:
            return parse_quantity(text, self._unit)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        """Anything that may still become a quantity is let through as typed (never fixed up
        digit by digit); only a whole quantity, or "default", is acceptable."""
        if self._means_default(text):
            return QValidator.Acceptable, text, pos
        try:
            value = parse_quantity(text, self._unit)
        except ValueError:
            return QValidator.Intermediate, text, pos
        state = QValidator.Acceptable if math.isfinite(value) and abs(value) <= LIMIT \
            else QValidator.Intermediate
        return state, text, pos

    def fixup(self, text: str) -> str:
        return text

    # ---- arrows and keys: within the declared range -----------------------------------------------
    def stepBy(self, steps: int) -> None:
        """A step moves within the declared range; below its start comes "default"."""
        if self.is_default():
            if steps > 0:
                self.setValue(self._low if self._low > -LIMIT else 0.0)
            return
        value = self.value() + steps * self._step()
        if self._optional and value < self._low:
            self.set_default()
            return
        self.setValue(min(max(value, self._low), self._high))

    def stepEnabled(self) -> QDoubleSpinBox.StepEnabled:
        if self.is_default():
            return QDoubleSpinBox.StepUpEnabled
        up = QDoubleSpinBox.StepUpEnabled if self.value() < self._high \
            else QDoubleSpinBox.StepNone
        down = QDoubleSpinBox.StepDownEnabled if self.value() > self._low or self._optional \
            else QDoubleSpinBox.StepNone
        return up | down

    def _step(self) -> float:
        """A step of about a hundredth of the value (one in its leading digits), else the
        declared resolution."""
        v = abs(self.value())
        if v > 0:
            return 10.0 ** (math.floor(math.log10(v)) - 1)
        return 10.0 ** -max(self._step_decimals - 1, 0)

    def _on_text_edited(self, text: str) -> None:
        self._typed = text

    def _on_editing_finished(self) -> None:
        typed, self._typed = self._typed, None
        if typed is None or self._means_default(typed):
            return
        try:
            parse_quantity(typed, self._unit)
        except ValueError as exc:  # Qt has put the last value back: say why
            self.sigRefused.emit(f"{exc}; kept {self.text()}")

    def _means_default(self, text: str) -> bool:
        return self._optional and text.strip().lower() in ("", DEFAULT_TEXT)
