"""The peak finder's parameters and the run's resources, validated by the core as they are typed."""

from __future__ import annotations

from PyQt5.QtCore import pyqtSignal
from PyQt5.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.analyses.peak_finding.params import PeakParams
from ..core.run.resources import default_jobs
from .compute_target import ComputeTarget, ComputeTargetBox


class ParametersPanel(QWidget):
    """Width bounds, steps, min SNR, noise percentile, jobs and memory cap."""

    sigParamsChanged = pyqtSignal(object)
    """Valid peak parameters were edited (carries the new PeakParams)."""
    sigParamsInvalid = pyqtSignal(str)
    """The parameters as typed are not valid (carries the reason)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._lo = _double(0.1, 10_000, 1, 1.0, "Smallest CWT width, in spectral points "
                           "(find_peaks_cwt widths = linspace(low, high, steps))")
        self._hi = _double(0.1, 10_000, 1, 1.0, "Largest CWT width, in spectral points")
        self._steps = QSpinBox()
        self._steps.setRange(1, 1000)
        self._steps.setToolTip("Number of CWT widths between low and high")
        self._snr = _double(0.0, 1_000, 2, 0.1, "Minimum signal-to-noise ratio of a ridge line to "
                            "count as a peak (find_peaks_cwt min_snr)")
        self._noise = _double(0.0, 100.0, 1, 1.0, "Percentile of the CWT used as the noise floor "
                              "(find_peaks_cwt noise_perc)")
        self._jobs = QSpinBox()
        self._jobs.setRange(0, 256)
        self._jobs.setSpecialValueText(f"auto ({default_jobs()})")
        self._jobs.setToolTip("Worker processes for a run; auto uses all cores but one "
                              "(two above four cores) so the computer stays usable")
        self._mem = QSpinBox()
        self._mem.setRange(0, 999_999)
        self._mem.setSingleStep(64)
        self._mem.setSuffix(" MB")
        self._mem.setSpecialValueText("auto")
        self._mem.setToolTip("Memory cap for one chunk of a run; auto uses at most half of the "
                             "free memory")
        self._compute = ComputeTargetBox()
        self._defaults = QPushButton("Defaults")
        self._defaults.setToolTip("The tutorial's parameters: widths 20–60 in 30 steps, "
                                  "min SNR 1, noise percentile 10")
        self._error = QLabel("")
        self._error.setStyleSheet("color: #c0392b;")
        self._error.setWordWrap(True)
        self._error.setVisible(False)

        # four columns (label, editor, label, editor) keep the panel short enough for a
        # 768-pixel-high screen
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.addWidget(QLabel("CWT widths:"), 0, 0)
        widths = QHBoxLayout()
        widths.addWidget(self._lo, 1)
        widths.addWidget(QLabel("to"))
        widths.addWidget(self._hi, 1)
        widths.addWidget(QLabel("points"))
        grid.addLayout(widths, 0, 1, 1, 3)
        for row, col, label, editor in ((1, 0, "Width steps:", self._steps),
                                        (1, 2, "Min SNR:", self._snr),
                                        (2, 0, "Noise percentile:", self._noise),
                                        (2, 2, "Jobs:", self._jobs),
                                        (3, 0, "Memory cap:", self._mem)):
            grid.addWidget(QLabel(label), row, col)
            grid.addWidget(editor, row, col + 1)
        grid.addWidget(self._defaults, 3, 3)
        grid.addWidget(QLabel("Compute on:"), 4, 0)
        grid.addWidget(self._compute, 4, 1, 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(grid)
        layout.addWidget(self._error)

        self._peak_widgets = (self._lo, self._hi, self._steps, self._snr, self._noise)
        self._extra: dict = {}
        self.set_params(PeakParams())
        for w in self._peak_widgets:
            w.valueChanged.connect(self._on_value_changed)
        self._defaults.clicked.connect(self._on_defaults_clicked)

    def params(self) -> PeakParams | None:
        """The parameters as typed, or None when they are not valid (see :meth:`error`)."""
        try:
            return self._build()
        except ValueError:
            return None

    def error(self) -> str:
        try:
            self._build()
        except ValueError as exc:
            return str(exc)
        return ""

    def set_params(self, params: PeakParams) -> None:
        """Show these parameters; emits sigParamsChanged once if they differ."""
        before = self.params()
        for w, v in zip(self._peak_widgets, (params.width_lo, params.width_hi, params.steps,
                                             params.min_snr, params.noise_perc)):
            w.blockSignals(True)
            w.setValue(v)
            w.blockSignals(False)
        self._extra = {k: getattr(params, k) for k in ("gap_thresh", "min_length", "window_size")}
        if self.params() != before or before is None:
            self._on_value_changed()

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
        for w in (*self._peak_widgets, self._jobs, self._mem, self._defaults, self._compute):
            w.setEnabled(editable)

    def spin_boxes(self) -> dict[str, QWidget]:
        """The editors by parameter name (tests and scripted use)."""
        return {"width_lo": self._lo, "width_hi": self._hi, "steps": self._steps,
                "min_snr": self._snr, "noise_perc": self._noise, "jobs": self._jobs,
                "max_mem_mb": self._mem}

    def _build(self) -> PeakParams:
        return PeakParams(width_lo=self._lo.value(), width_hi=self._hi.value(),
                          steps=self._steps.value(), min_snr=self._snr.value(),
                          noise_perc=self._noise.value(), **self._extra)

    def _on_value_changed(self, *_) -> None:
        try:
            params = self._build()
        except ValueError as exc:
            self._error.setText(f"Not valid: {exc}")
            self._error.setVisible(True)
            self.sigParamsInvalid.emit(str(exc))
            return
        self._error.setVisible(False)
        self.sigParamsChanged.emit(params)

    def _on_defaults_clicked(self) -> None:
        self.set_params(PeakParams())


def _double(lo: float, hi: float, decimals: int, step: float, tip: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(lo, hi)
    box.setDecimals(decimals)
    box.setSingleStep(step)
    box.setToolTip(tip)
    return box
