"""The analysis chooser, its generated parameter form, and the run's resources.

Parameters are validated by the analysis declaration as they are typed; the panel only says
whether they are valid together, and why not beside the field at fault (the declaration names
it; the session adds the checks against the open data, such as a band outside its axis). Each
analysis remembers its own values (see Settings). The wheel scrolls the panel: it changes only
a box that has the focus.
"""

from __future__ import annotations

from typing import Any

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core.analyses.declaration import Analysis
from ...core.run.resources import default_jobs
from ..widgets.parameter_form import ParameterForm
from ..widgets.wheel_guard import WheelGuard, guard_wheel
from .compute_target import ComputeTarget, ComputeTargetBox


class ParametersPanel(QWidget):
    """Analysis, its parameters, jobs, memory cap and where the run computes."""

    sigAnalysisChanged = pyqtSignal(object)
    """The user chose another analysis (carries its declaration)."""
    sigParamsChanged = pyqtSignal(object)
    """Valid parameters were edited (carries the validated dict)."""
    sigParamsInvalid = pyqtSignal(str)
    """The parameters as typed are not valid (carries the reason)."""

    def __init__(self, analyses: dict[str, Analysis], parent: QWidget | None = None):
        super().__init__(parent)
        self._analyses = dict(analyses)
        self._analysis: Analysis | None = None
        self._form: ParameterForm | None = None

        self._chooser = QComboBox()
        for name, a in self._analyses.items():
            self._chooser.addItem(a.title, name)
            self._chooser.setItemData(self._chooser.count() - 1, a.description or a.title,
                                      Qt.ToolTipRole)
        self._chooser.setToolTip("The analysis run on every pixel")
        self._defaults = QPushButton("Defaults")
        self._defaults.setToolTip("The analysis' declared default parameters")
        self._jobs = QSpinBox()
        self._jobs.setRange(0, 256)
        self._jobs.setSpecialValueText(f"auto ({default_jobs()})")
        self._jobs.setToolTip("Parallel workers for a run (threads or processes: see Compute "
                              "on); auto uses all cores but one (two above four cores) so the "
                              "computer stays usable")
        self._mem = QSpinBox()
        self._mem.setRange(0, 999_999)
        self._mem.setSingleStep(64)
        self._mem.setSuffix(" MB")
        self._mem.setSpecialValueText("auto")
        self._mem.setToolTip("Memory cap for one chunk of a run; auto uses at most half of the "
                             "free memory")
        self._compute = ComputeTargetBox()
        self._error = QLabel("")
        self._error.setStyleSheet("color: #c0392b;")
        self._error.setWordWrap(True)
        self._error.setVisible(False)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(QLabel("Analysis:"))
        top.addWidget(self._chooser, 1)
        top.addWidget(self._defaults)
        self._form_box = QVBoxLayout()
        self._form_box.setContentsMargins(0, 0, 0, 0)
        run = QGridLayout()  # labels above their editors, as in the generated form
        run.setContentsMargins(0, 0, 0, 0)
        run.setHorizontalSpacing(8)
        run.setVerticalSpacing(1)
        for col, (label, editor) in enumerate((("Jobs:", self._jobs),
                                               ("Memory cap:", self._mem))):
            editor.setMinimumWidth(editor.fontMetrics().horizontalAdvance("auto (16)") + 40)
            run.addWidget(QLabel(label), 0, col)
            run.addWidget(editor, 1, col)
            run.setColumnStretch(col, 1)
        run.addWidget(QLabel("Compute on:"), 2, 0, 1, 2)
        run.addWidget(self._compute, 3, 0, 1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addLayout(self._form_box)
        layout.addWidget(self._error)
        layout.addLayout(run)

        self._chooser.currentIndexChanged.connect(self._on_chooser_index_changed)
        self._defaults.clicked.connect(self._on_defaults_clicked)
        self._wheel_guard = WheelGuard(self)
        if self._analyses:
            self._build(next(iter(self._analyses.values())))
        guard_wheel(self, self._wheel_guard)

    # ---- the analysis ---------------------------------------------------------------------------
    def chooser(self) -> QComboBox:
        return self._chooser

    def analysis(self) -> Analysis | None:
        return self._analysis

    def set_analysis(self, name: str, values: dict[str, Any] | None = None) -> bool:
        """Choose an analysis by name and show ``values`` (default: its defaults); emits
        sigAnalysisChanged when it changes, then the parameters' validity."""
        i = self._chooser.findData(name)
        if i < 0:
            return False
        self._chooser.blockSignals(True)
        self._chooser.setCurrentIndex(i)
        self._chooser.blockSignals(False)
        changed = self._analysis is None or self._analysis.name != name
        if changed:
            self._build(self._analyses[name])
        if values is not None:
            self.set_params(values, emit=False)
        if changed:
            self.sigAnalysisChanged.emit(self._analysis)
        self._on_form_edited()
        return True

    # ---- the parameters -------------------------------------------------------------------------
    def params(self) -> dict[str, Any] | None:
        """The validated parameters as typed, or None when they are not valid."""
        try:
            return self._validated()
        except ValueError:
            return None

    def error(self) -> str:
        try:
            self._validated()
        except ValueError as exc:
            return str(exc)
        return ""

    def error_fields(self) -> tuple[str, ...]:
        """The parameters :meth:`error` is about (none when it is about no one field)."""
        try:
            self._validated()
        except ValueError as exc:
            return tuple(getattr(exc, "names", ()))
        return ()

    def commit(self) -> None:
        """Say the values as typed now (a box that still has the focus has not said them yet:
        Start is pressed without taking the focus)."""
        if self._form is not None:
            self._on_form_edited()

    def show_error(self, text: str, names: tuple[str, ...] = ()) -> None:
        """Why the parameters cannot be used ('' hides it): the form's or the session's word,
        under the first of the parameters ``names`` at fault, else below the form."""
        beside = self._form is not None and self._form.show_problem(text, names)
        self._error.setText(f"Not valid: {text}" if text and not beside else "")
        self._error.setVisible(bool(text) and not beside)

    def set_params(self, values: dict[str, Any], emit: bool = True) -> None:
        """Show these values (unknown names ignored, invalid stored ones replaced by defaults)."""
        if self._form is None or self._analysis is None:
            return
        known = {p.name for p in self._analysis.parameters}
        try:
            clean = self._analysis.values({k: v for k, v in values.items() if k in known})
        except ValueError:
            clean = self._analysis.defaults()
        self._form.set_values(clean)
        if emit:
            self._on_form_edited()

    def spin_boxes(self) -> dict[str, QWidget]:
        """The editors by parameter name, plus jobs and max_mem_mb (tests and scripted use)."""
        out = {n: e.editor for n, e in self._form.editors().items()} if self._form else {}
        return {**out, "jobs": self._jobs, "max_mem_mb": self._mem}

    def form(self) -> ParameterForm | None:
        return self._form

    # ---- run resources --------------------------------------------------------------------------
    def jobs(self) -> int | None:
        return self._jobs.value() or None

    def max_mem_mb(self) -> float | None:
        return float(self._mem.value()) or None

    def set_run_options(self, jobs: int | None, max_mem_mb: float | None) -> None:
        self._jobs.setValue(int(jobs or 0))
        self._mem.setValue(int(max_mem_mb or 0))

    def compute_target(self) -> ComputeTarget:
        return self._compute.target()

    def set_compute_target(self, target: ComputeTarget) -> None:
        self._compute.set_target(target)

    def compute_box(self) -> ComputeTargetBox:
        return self._compute

    def set_editable(self, editable: bool) -> None:
        """Frozen during a run: the run's results belong to the parameters it started with."""
        for w in (self._chooser, self._jobs, self._mem, self._defaults, self._compute):
            w.setEnabled(editable)
        if self._form is not None:
            self._form.set_editable(editable)

    # ---- internals ------------------------------------------------------------------------------
    def _build(self, analysis: Analysis) -> None:
        if self._form is not None:
            self._form_box.removeWidget(self._form)
            self._form.deleteLater()
        self._analysis = analysis
        self._form = ParameterForm(analysis.parameters)
        self._form.set_values(analysis.defaults())
        self._form.sigEdited.connect(self._on_form_edited)
        self._form_box.addWidget(self._form)
        guard_wheel(self._form, self._wheel_guard)

    def _validated(self) -> dict[str, Any]:
        if self._analysis is None or self._form is None:
            raise ValueError("no analysis chosen")
        return self._analysis.values(self._form.values())

    def _on_form_edited(self) -> None:
        try:
            params = self._validated()
        except ValueError as exc:
            self.show_error(str(exc), getattr(exc, "names", ()))
            self.sigParamsInvalid.emit(str(exc))
            return
        self.show_error("")
        self.sigParamsChanged.emit(params)

    def _on_chooser_index_changed(self, index: int) -> None:
        name = self._chooser.itemData(index)
        if name and (self._analysis is None or name != self._analysis.name):
            self._build(self._analyses[name])
            self.sigAnalysisChanged.emit(self._analysis)
            self._on_form_edited()

    def _on_defaults_clicked(self) -> None:
        if self._analysis is not None:
            self.set_params(self._analysis.defaults())
