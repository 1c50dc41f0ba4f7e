"""Where a run computes: this computer's workers (threads or processes), a running Dask
scheduler, or a local Dask cluster started for the run.

Nothing connects or listens until a run starts (the core's ``make_backend`` only parses the
text; the run's worker thread enters the backend). Bad text is refused with one sentence at
Start, before anything else happens.
"""

from __future__ import annotations

from dataclasses import dataclass

from PyQt5.QtCore import pyqtSignal
from PyQt5.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QSpinBox, QWidget

from ..widgets.parts import Part, spin_box
from ..widgets.wheel_guard import WheelGuard, guard_wheel

LOCAL = "local"  # this computer, joblib worker processes
SCHEDULER = "scheduler"  # a running Dask cluster, by address or scheduler file
CLUSTER = "cluster"  # a LocalCluster of N workers started for the run
AUTO = ""  # the engine's choice: threads when the analysis' kernel releases the GIL
THREADS = "threads"
PROCESSES = "processes"
KINDS = ((AUTO, "Automatic"), (THREADS, "Threads"), (PROCESSES, "Processes"))


def kind_text(n_jobs: int, kind: str) -> str:
    """'2 worker threads', '1 worker process'."""
    noun = "process" if kind == PROCESSES and n_jobs > 1 else "thread"
    plural = ("es" if noun == "process" else "s") if n_jobs != 1 else ""
    return f"{n_jobs} worker {noun}{plural}"


@dataclass(frozen=True)
class ComputeTarget:
    """The choice as the user made it (what the settings store)."""

    mode: str = LOCAL
    address: str = ""
    workers: int = 2
    worker_kind: str = AUTO  # local workers: AUTO, THREADS or PROCESSES

    def local_kind(self) -> str | None:
        """The engine's ``worker_kind`` (None: its own choice, or not a local run)."""
        return self.worker_kind or None if self.mode == LOCAL else None

    def backend(self, n_jobs: int | None):
        """The core's backend for a run, or None for the engine's own local pool.

        Raises the core's InputError at once for bad text (no connection is made here)."""
        if self.mode == LOCAL:
            return None
        from ...core.run.dask_backend import make_backend  # loads no Dask

        if self.mode == SCHEDULER:
            if not self.address.strip():
                from ...core.errors import InputError

                raise InputError("type the Dask scheduler's address (tcp://host:8786) or the "
                                 "path of its scheduler file")
            return make_backend(scheduler=self.address.strip(), n_jobs=n_jobs)
        return make_backend(cluster=f"local:{self.workers}", n_jobs=n_jobs)

    def describe(self, n_jobs: int, kind: str | None = None) -> str:
        """Where the run will compute, before it connects; ``kind`` is the run's resolved
        worker kind (threads or processes)."""
        if self.mode == SCHEDULER:
            return f"the Dask scheduler at {self.address.strip() or '?'}"
        if self.mode == CLUSTER:
            return f"a local Dask cluster of {self.workers} worker(s)"
        return f"this computer ({kind_text(n_jobs, kind or self.worker_kind or PROCESSES)})"


class ComputeTargetBox(QWidget):
    """'Compute on' choice with the scheduler address or the number of cluster workers."""

    sigTargetChanged = pyqtSignal(object)
    """The user changed where runs compute (carries a ComputeTarget)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._mode = QComboBox()
        self._mode.addItem("This computer", LOCAL)
        self._mode.addItem("Dask scheduler", SCHEDULER)
        self._mode.addItem("Local Dask cluster", CLUSTER)
        self._mode.setToolTip(
            "Where a run computes. This computer: the Jobs worker processes. Dask scheduler: a "
            "running dask.distributed cluster (its workers need the same PeakGUI). Local Dask "
            "cluster: start that many Dask workers on this computer for the run. Nothing "
            "connects or listens on a port until a run starts.")
        self._address = QLineEdit()
        self._address.setPlaceholderText("tcp://host:8786 or scheduler file")
        self._address.setToolTip("Address of the Dask scheduler (tcp://host:port) or the path "
                                 "of its scheduler file (dask scheduler --scheduler-file)")
        self._workers = spin_box(1, 256, "Dask worker processes of the local cluster started "
                                 "for a run", value=2, suffix=" workers")
        self._kind = QComboBox()
        for kind, label in KINDS:
            self._kind.addItem(label, kind)
        self._kind.setToolTip(
            "How this computer's Jobs workers run. Threads share the window's process (no "
            "start-up, no copies) and are fast when the analysis' kernel releases the GIL (the "
            "SHO fit and peak finding do); processes work for any analysis. Automatic: threads "
            "when the kernel releases the GIL, else processes.")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self._mode)
        lay.addWidget(self._address, 1)
        lay.addWidget(self._workers, 1)
        lay.addWidget(self._kind, 1)
        self._mode.currentIndexChanged.connect(self._on_changed)
        self._kind.currentIndexChanged.connect(self._on_changed)
        self._address.textChanged.connect(self._on_changed)
        self._workers.valueChanged.connect(self._on_changed)
        self._update_visibility()
        self._wheel_guard = WheelGuard(self)  # the wheel scrolls past an unfocused choice
        guard_wheel(self, self._wheel_guard)

    mode_combo = Part[QComboBox]("_mode")
    address_edit = Part[QLineEdit]("_address")
    workers_spin = Part[QSpinBox]("_workers")
    kind_combo = Part[QComboBox]("_kind")

    def target(self) -> ComputeTarget:
        return ComputeTarget(self._mode.currentData(), self._address.text(),
                             self._workers.value(), self._kind.currentData() or AUTO)

    def set_target(self, target: ComputeTarget) -> None:
        for w in (self._mode, self._address, self._workers, self._kind):
            w.blockSignals(True)
        i = self._mode.findData(target.mode)
        self._mode.setCurrentIndex(i if i >= 0 else 0)
        self._address.setText(target.address)
        self._workers.setValue(max(1, int(target.workers)))
        self._kind.setCurrentIndex(max(0, self._kind.findData(target.worker_kind)))
        for w in (self._mode, self._address, self._workers, self._kind):
            w.blockSignals(False)
        self._update_visibility()

    def _update_visibility(self) -> None:
        mode = self._mode.currentData()
        self._address.setVisible(mode == SCHEDULER)
        self._workers.setVisible(mode == CLUSTER)
        self._kind.setVisible(mode == LOCAL)

    def _on_changed(self, *_) -> None:
        self._update_visibility()
        self.sigTargetChanged.emit(self.target())
