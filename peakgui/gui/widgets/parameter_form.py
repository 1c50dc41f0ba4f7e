"""Editors generated from an analysis' declared parameters: a labelled box per ``Parameter``.

Whole numbers get spin boxes with the declared range and unit (as suffix); other numbers a
:class:`~.quantity_box.QuantityBox` that reads and shows them with their unit ("335 kHz",
"1e-8") and leaves the range to the declaration, which says why a value is refused (the reason
shows under the field). Choices get a combo box; flags a check box. An optional number's box has
one more step below its range that reads "default" and hands the choice back to the algorithm
(the value None); other optional parameters get a "default" check box. The help text is the
tooltip. Nothing here knows any particular analysis.
"""

from __future__ import annotations

from typing import Any

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core.analyses.declaration import Parameter
from .quantity_box import QuantityBox

INT_LIMIT = 2**31 - 1


def _tooltip(p: Parameter) -> str:
    """The declaration's own description (the one ``--help`` prints), a part per line."""
    return p.describe().replace("; ", "\n")


class ParameterEditor(QWidget):
    """One parameter's editor (and its 'default' box when the parameter is optional)."""

    sigEdited = pyqtSignal()

    def __init__(self, p: Parameter, parent: QWidget | None = None):
        super().__init__(parent)
        self.parameter = p
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        lay = QHBoxLayout()
        lay.setContentsMargins(0, 0, 0, 0)
        column.addLayout(lay)
        self.editor = self._make_editor(p)
        self.editor.setToolTip(_tooltip(p))
        self.editor.setAccessibleName(p.label)
        lay.addWidget(self.editor, 1)
        self.default_box: QCheckBox | None = None
        self._sentinel = isinstance(self.editor, QSpinBox | QuantityBox) and p.optional
        if p.optional and not self._sentinel:
            self.default_box = QCheckBox("default")
            self.default_box.setToolTip(f"Leave {p.label} to the algorithm ({p.help})")
            self.default_box.toggled.connect(self._on_default_box_toggled)
            lay.addWidget(self.default_box)
        self.problem = QLabel("")  # why the value is refused, right under it
        self.problem.setObjectName("problem")
        self.problem.setStyleSheet("color: #c0392b;")
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        column.addWidget(self.problem)

    def _make_editor(self, p: Parameter) -> QWidget:
        if p.type is bool:
            box = QCheckBox()
            box.toggled.connect(self.sigEdited)
            return box
        if p.choices:
            combo = QComboBox()
            combo.addItems(list(p.choices))
            combo.currentIndexChanged.connect(self.sigEdited)
            return combo
        spin: QSpinBox | QuantityBox
        if p.type is int:
            spin = QSpinBox()
            low = int(p.minimum) if p.minimum is not None else -INT_LIMIT
            spin.setRange(low - 1 if p.optional else low,
                          int(p.maximum) if p.maximum is not None else INT_LIMIT)
            if p.unit:
                spin.setSuffix(f" {p.unit}")
            if p.optional:  # the value just below the range means "the algorithm's default"
                spin.setSpecialValueText("default")
        elif p.type is float:  # its unit in the text; the range is the declaration's to say
            spin = QuantityBox(p.unit, p.minimum, p.maximum, p.optional, p.decimals)
            spin.sigRefused.connect(lambda why: self.show_problem(f"{p.label}: {why}"))
        else:
            edit = QLineEdit()
            edit.editingFinished.connect(self.sigEdited)
            return edit
        spin.setKeyboardTracking(False)  # one test per finished number, not per keystroke
        # wide enough for a typical value, not for the whole range (1e12 would widen the dock)
        typical = 888.888e3 if isinstance(spin, QuantityBox) else spin.minimum()
        sample = spin.textFromValue(p.default if p.default is not None else typical)
        width = spin.fontMetrics().horizontalAdvance(f"{sample}{spin.suffix()}  ")
        spin.setMinimumWidth(max(width, spin.fontMetrics().horizontalAdvance("default  ")) + 28)
        spin.valueChanged.connect(self.sigEdited)
        return spin

    def value(self) -> Any:
        if self.default_box is not None and self.default_box.isChecked():
            return None
        e = self.editor
        if isinstance(e, QCheckBox):
            return e.isChecked()
        if isinstance(e, QComboBox):
            return e.currentText()
        if isinstance(e, QSpinBox | QuantityBox):
            if self._sentinel and e.value() == e.minimum():
                return None
            return e.value()
        return e.text()

    def show_problem(self, text: str) -> None:
        """Why this value is refused, under the field ('' hides it)."""
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def set_value(self, value: Any) -> None:
        """Show a value without emitting sigEdited (None: the optional 'default')."""
        p = self.parameter
        widgets = [self.editor] + ([self.default_box] if self.default_box else [])
        for w in widgets:
            w.blockSignals(True)
        try:
            if self.default_box is not None:
                self.default_box.setChecked(value is None)
                self.editor.setEnabled(value is not None)
            e = self.editor
            if value is None and self._sentinel:
                value = e.minimum()
            elif value is None:
                value = p.default if p.default is not None else (p.minimum or 0)
                if p.type is str and value == 0:
                    value = ""
            if isinstance(e, QCheckBox):
                e.setChecked(bool(value))
            elif isinstance(e, QComboBox):
                e.setCurrentText(str(value))
            elif isinstance(e, QSpinBox | QuantityBox):
                e.setValue(value)
            else:
                e.setText(str(value))
        finally:
            for w in widgets:
                w.blockSignals(False)

    def _on_default_box_toggled(self, checked: bool) -> None:
        self.editor.setEnabled(not checked)
        self.sigEdited.emit()


class ParameterForm(QWidget):
    """A grid of editors, each under its label, ``columns`` to a row (narrow enough for a dock
    beside the map whatever the labels)."""

    sigEdited = pyqtSignal()
    """Any editor changed (the values may or may not be valid together)."""

    def __init__(self, parameters: tuple[Parameter, ...], columns: int = 2,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._editors: dict[str, ParameterEditor] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(1)
        for i, p in enumerate(parameters):
            row, col = divmod(i, columns)
            label = QLabel(f"{p.label}:")
            label.setToolTip(_tooltip(p))
            editor = ParameterEditor(p)
            label.setBuddy(editor.editor)
            editor.sigEdited.connect(self.sigEdited)
            grid.addWidget(label, 2 * row, col)
            grid.addWidget(editor, 2 * row + 1, col, Qt.AlignTop)  # level with a neighbour's
            # field when that one has a reason under it
            if row:
                grid.setRowMinimumHeight(2 * row, label.sizeHint().height() + 4)
            grid.setColumnStretch(col, 1)
            self._editors[p.name] = editor

    def editors(self) -> dict[str, ParameterEditor]:
        return dict(self._editors)

    def values(self) -> dict[str, Any]:
        return {name: e.value() for name, e in self._editors.items()}

    def set_values(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            if name in self._editors:
                self._editors[name].set_value(value)

    def set_editable(self, editable: bool) -> None:
        for e in self._editors.values():
            e.setEnabled(editable)

    def show_problem(self, text: str, names: tuple[str, ...] = ()) -> bool:
        """Say ``text`` under the first of ``names`` that has an editor, and nothing under the
        others; False when none has one (the caller says it elsewhere)."""
        where = next((n for n in names if n in self._editors), None)
        for name, editor in self._editors.items():
            editor.show_problem(text if name == where else "")
        return where is not None
