"""File ▸ Run on files…: the current analysis and parameters over many files, one after another.

What ``peakgui-batch A.h5 B.h5 folder/`` does, in the window: folders mean their ``*.h5`` files
(sidecars left out), each file's first spectral dataset is analysed, earlier complete results
are reused and partial ones resumed. One generator worker drives the files in turn (the GUI
thread reads no file); a bad file gets its error in its row and the others still run. Cancel
stops after the chunk in flight: finished chunks are saved and that file resumes next time.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.analyses.declaration import Analysis
from ...core.errors import PeakGUIError
from ...core.io.files import expand_inputs
from ...core.run import batch
from ...core.run.progress import ProgressState
from ...core.run.resources import resolve_jobs
from ..formatting import error_text
from ..panels.compute_target import kind_text
from ..panels.parameters_panel import ParametersPanel
from ..session import Session
from ..workers import Worker, start_worker
from .settings import Settings


class FileState(enum.Enum):
    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"
    REUSED = "reused"
    ERROR = "error"
    CANCELLED = "cancelled"
    NOT_RUN = "not run"


@dataclass(frozen=True)
class FileEvent:
    """What the worker says about one file (its row in the list)."""

    index: int
    state: FileState
    fraction: float = 0.0
    text: str = ""


@dataclass(frozen=True)
class RunSettings:
    """The analysis, parameters and resources every file is run with (picklable values)."""

    analysis: Analysis
    params: dict
    n_jobs: int | None = None
    max_mem_mb: float | None = None
    worker_kind: str | None = None
    chunk_seconds: float = 0.4


def run_files(files: list[Path], settings: RunSettings) -> Generator[FileEvent, None, None]:
    """The worker's generator: the core's batch, each file's events as its row shows them."""
    for ev in batch.run_files(files, settings.analysis, settings.params,
                              errors=(PeakGUIError, OSError, ValueError, KeyError),
                              n_jobs=settings.n_jobs, max_mem_mb=settings.max_mem_mb,
                              worker_kind=settings.worker_kind,
                              chunk_seconds=settings.chunk_seconds):
        if isinstance(ev, batch.FileOpening):
            yield FileEvent(ev.index, FileState.RUNNING)
        elif isinstance(ev, batch.FileProgress):
            yield FileEvent(ev.index, FileState.RUNNING, ev.progress.fraction, ev.progress.where)
        elif isinstance(ev, batch.FileFailed):
            yield FileEvent(ev.index, FileState.ERROR, 0.0, error_text(ev.error))
        elif isinstance(ev, batch.FileFinished):
            last = ev.last
            name = last.results.group.rsplit("/", 1)[-1] if last is not None else ""
            reused = last is not None and last.state is ProgressState.REUSED
            yield FileEvent(ev.index, FileState.REUSED if reused else FileState.DONE, 1.0, name)


class BatchDialog(QDialog):
    """The list of files with a status each, an overall progress bar, Run and Cancel."""

    sigFinished = pyqtSignal(object)
    """Every file ran, failed or was cancelled (carries the list of FileStates)."""

    def __init__(self, panel: ParametersPanel, session: Session, settings: Settings,
                 chunk_seconds: float, on_new_results: Callable[[], None],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.panel, self.session, self.settings = panel, session, settings
        self.chunk_seconds = chunk_seconds
        self.on_new_results = on_new_results  # the open file got new results: show them
        self.setWindowTitle("Run on files")
        self.setModal(True)
        self.resize(760, 420)
        self.files: list[Path] = []
        self.states: list[FileState] = []
        self._worker: Worker | None = None
        self._cancelled = False

        self._what = QLabel()
        self._what.setWordWrap(True)
        self._table = QTableWidget(0, 2)
        self._table.setHorizontalHeaderLabels(["File", "Status"])
        self._table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeToContents)
        self._table.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
        self._table.verticalHeader().setVisible(False)
        self._table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self._table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self._add_files = QPushButton("Add files…")
        self._add_folder = QPushButton("Add folder…")
        self._remove = QPushButton("Remove")
        self._remove.setShortcut(Qt.Key_Delete)
        self._message = QLabel(" ")
        self._message.setWordWrap(True)
        self._bar = QProgressBar()
        self._bar.setRange(0, 1000)
        self._bar.setFormat("")
        self._buttons = QDialogButtonBox()
        self._run = self._buttons.addButton("Run", QDialogButtonBox.AcceptRole)
        self._cancel = self._buttons.addButton("Cancel", QDialogButtonBox.RejectRole)
        self._close = self._buttons.addButton(QDialogButtonBox.Close)
        self._run.setToolTip("Run the analysis on every file in the list, one after another")
        self._cancel.setToolTip("Stop after the chunk in flight; finished chunks are saved and "
                                "that file resumes on the next run")

        edit = QHBoxLayout()
        for b in (self._add_files, self._add_folder, self._remove):
            edit.addWidget(b)
        edit.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self._what)
        layout.addLayout(edit)
        layout.addWidget(self._table, 1)
        layout.addWidget(self._bar)
        layout.addWidget(self._message)
        layout.addWidget(self._buttons)

        self._add_files.clicked.connect(self._on_add_files_clicked)
        self._add_folder.clicked.connect(self._on_add_folder_clicked)
        self._remove.clicked.connect(self._on_remove_clicked)
        self._run.clicked.connect(self.start)
        self._cancel.clicked.connect(self.cancel)
        self._close.clicked.connect(self.close)
        self._describe()
        self._update_buttons()

    # ---- getters --------------------------------------------------------------------------------
    def table(self) -> QTableWidget:
        return self._table

    def progress_bar(self) -> QProgressBar:
        return self._bar

    def message(self) -> str:
        return self._message.text()

    def status_text(self, row: int) -> str:
        return self._table.item(row, 1).text()

    def running(self) -> bool:
        return self._worker is not None

    # ---- the list -------------------------------------------------------------------------------
    def add_paths(self, items: list[str | Path]) -> None:
        """Files as given, folders as their *.h5 files; a folder without any is said."""
        problems = []
        for item in items:
            try:
                found = expand_inputs([item])
            except PeakGUIError as exc:
                problems.append(str(exc))
                continue
            known = {p.resolve() for p in self.files}
            for path in found:
                if path.resolve() not in known:
                    known.add(path.resolve())
                    self._append(path)
        self._message.setText("; ".join(problems) or " ")
        self._update_buttons()

    def _append(self, path: Path) -> None:
        self.files.append(path)
        self.states.append(FileState.WAITING)
        row = self._table.rowCount()
        self._table.insertRow(row)
        item = QTableWidgetItem(path.name)
        item.setToolTip(str(path))
        self._table.setItem(row, 0, item)
        self._table.setItem(row, 1, QTableWidgetItem(FileState.WAITING.value))

    def _set_status(self, row: int, state: FileState, text: str) -> None:
        self.states[row] = state
        item = self._table.item(row, 1)
        item.setText(text)
        item.setToolTip(text)
        colour = {FileState.ERROR: Qt.darkRed, FileState.DONE: Qt.darkGreen,
                  FileState.REUSED: Qt.darkGreen}.get(state)
        item.setForeground(colour if colour is not None else self.palette().text())

    # ---- running --------------------------------------------------------------------------------
    def _settings(self) -> RunSettings | None:
        panel = self.panel
        analysis, params = panel.analysis(), panel.params()
        if analysis is None or params is None:
            return None
        return RunSettings(analysis, params, panel.jobs(), panel.max_mem_mb(),
                           panel.compute_target().local_kind(), self.chunk_seconds)

    def _describe(self) -> None:
        s = self._settings()
        if s is None:
            self._what.setText("The parameters are not valid: correct them in the window first.")
            return
        n = resolve_jobs(s.n_jobs)
        kind = s.worker_kind or ("threads" if s.analysis.releases_gil else "processes")
        self._what.setText(
            f"Runs <b>{s.analysis.title}</b> with the window's current parameters on each "
            f"file's first spectral dataset, one file after another, on this computer "
            f"({kind_text(n, kind)}). Complete results with these parameters are reused; "
            "a partial run resumes.")

    def start(self) -> bool:
        """Run every file not yet done (waiting, failed or cancelled ones run again)."""
        settings = self._settings()
        if self.running() or settings is None or not self.files:
            return False
        self._cancelled = False
        todo = [i for i, st in enumerate(self.states)
                if st not in (FileState.DONE, FileState.REUSED)]
        for i in todo:
            self._set_status(i, FileState.WAITING, FileState.WAITING.value)
        self._todo = todo
        self._bar.setValue(0)
        self._message.setText(f"Running {len(todo)} file{'s' if len(todo) != 1 else ''}…")
        self._worker = start_worker(
            run_files, [self.files[i] for i in todo], settings,
            on_yield=self._on_worker_yielded, on_error=self._on_worker_errored,
            on_finish=self._on_worker_finished, owner=self)
        self._update_buttons()
        return True

    def cancel(self) -> None:
        if self._worker is not None:
            self._cancelled = True
            self._worker.quit()
            self._message.setText("Cancelling after the chunk in flight…")
            self._cancel.setEnabled(False)

    def _on_worker_yielded(self, ev: FileEvent) -> None:
        row = self._todo[ev.index]
        if ev.state is FileState.RUNNING:
            self._set_status(row, ev.state, f"running {100 * ev.fraction:.0f}%"
                             + (f" ({ev.text})" if ev.text else ""))
        elif ev.state is FileState.ERROR:  # the row names the file already
            text = ev.text.removeprefix(f"{self.files[row]}: ")
            self._set_status(row, ev.state, f"error: {text}")
        else:
            self._set_status(row, ev.state, f"{ev.state.value}: {ev.text}")
        done = ev.index + (1.0 if ev.state is not FileState.RUNNING else ev.fraction)
        self._bar.setValue(int(round(1000 * done / len(self._todo))))
        self._bar.setFormat(f"{100 * done / len(self._todo):.0f}%  (file {ev.index + 1} of "
                            f"{len(self._todo)})")

    def _on_worker_errored(self, exc: BaseException) -> None:
        self._message.setText(f"The run stopped: {error_text(exc)}")

    def _on_worker_finished(self) -> None:
        self._worker = None
        for row in self._todo:
            if self.states[row] is FileState.RUNNING:
                self._set_status(row, FileState.CANCELLED, "cancelled: finished chunks are "
                                 "saved; Run resumes it")
            elif self.states[row] is FileState.WAITING:
                self._set_status(row, FileState.NOT_RUN, FileState.NOT_RUN.value)
        counts = {st: sum(1 for r in self._todo if self.states[r] is st) for st in FileState}
        parts = [f"{counts[st]} {st.value}" for st in (FileState.DONE, FileState.REUSED,
                                                         FileState.ERROR, FileState.CANCELLED,
                                                         FileState.NOT_RUN) if counts[st]]
        self._message.setText(("Cancelled: " if self._cancelled else "Finished: ")
                              + ", ".join(parts) + ".")
        self._update_buttons()
        source = self.session.source
        if source is not None and any(
                source.file.resolve() == self.files[r].resolve() for r in self._todo):
            self.on_new_results()
        self.sigFinished.emit([self.states[r] for r in self._todo])

    def _update_buttons(self) -> None:
        busy = self.running()
        for b in (self._add_files, self._add_folder, self._remove, self._close):
            b.setEnabled(not busy)
        self._run.setEnabled(not busy and bool(self.files) and self._settings() is not None)
        self._cancel.setEnabled(busy)

    # ---- slots ----------------------------------------------------------------------------------
    def _on_add_files_clicked(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Add files", self.settings.last_folder(),
                                                "HDF5 files (*.h5 *.hdf5);;All files (*)")
        self.add_paths(paths)

    def _on_add_folder_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add the .h5 files of a folder",
                                                  self.settings.last_folder())
        if folder:
            self.add_paths([folder])

    def _on_remove_clicked(self) -> None:
        for row in sorted({i.row() for i in self._table.selectedIndexes()}, reverse=True):
            self._table.removeRow(row)
            del self.files[row]
            del self.states[row]
        self._update_buttons()

    def reject(self) -> None:
        """Escape or the close box: cancel a run first, never leave it running unseen."""
        if self.running():
            self.cancel()
            return
        super().reject()

    def closeEvent(self, event) -> None:
        if self.running():
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)
