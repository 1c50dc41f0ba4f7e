"""Start / Pause / Cancel buttons, the progress bar and what the run is doing."""

from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import (
    QAction,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.run.progress import Progress, ProgressState
from ..formatting import duration, rate
from ..session import RunPhase, RunStatus
from ..widgets.readout import ReadoutLabel


class RunPanel(QWidget):
    """Buttons bound to the window's run actions, so menus, shortcuts and buttons agree."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        self._button_row = buttons
        self._buttons: list[QToolButton] = []
        self._bar = QProgressBar()
        self._bar.setRange(0, 1000)
        self._bar.setValue(0)
        self._bar.setFormat("")
        self._bar.setTextVisible(True)
        self._bar.setToolTip("Positions with results on disk")
        self._stats = QLabel(" ")
        self._stats.setWordWrap(True)
        self._stats.setToolTip("Throughput of this run and the time left at that rate")
        # one line, elided (the whole text in the tooltip): the parameters below keep the height
        self._where = ReadoutLabel(1, "Where the run computes (Parameters ▸ Compute on)")
        self._message = QLabel("")
        self._text = ""
        self._note = ""
        self._message.setWordWrap(True)
        self._message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(buttons)
        layout.addWidget(self._bar)
        layout.addWidget(self._stats)
        layout.addWidget(self._where)
        layout.addWidget(self._message)
        self._where.setVisible(False)
        self._message.setVisible(False)

    def bind(self, start: QAction, pause: QAction, cancel: QAction) -> None:
        """Buttons for the window's run actions (made after this panel)."""
        for action in (start, pause, cancel):
            b = QToolButton()
            b.setDefaultAction(action)
            b.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
            # equal thirds whatever the text: "Pause" becoming "Resume" moves no button
            b.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
            b.setMinimumWidth(b.fontMetrics().horizontalAdvance("Resume") + 40)
            self._button_row.addWidget(b, 1)
            self._buttons.append(b)

    def buttons(self) -> list[QToolButton]:
        """Start, Pause and Cancel, as bound."""
        return list(self._buttons)

    def progress_bar(self) -> QProgressBar:
        return self._bar

    def stats_label(self) -> QLabel:
        return self._stats

    def reset(self) -> None:
        self._bar.setValue(0)
        self._bar.setFormat("")
        self._stats.setText(" ")

    def show_progress(self, prog: Progress) -> None:
        """Percent, positions, spectra/s and ETA of the latest chunk (the engine's figures:
        its elapsed time leaves out pauses, so they stay true after one)."""
        if prog.where:
            self.set_where(f"Computes on {prog.where}")
        frac = prog.fraction
        self._bar.setValue(int(round(1000 * frac)))
        self._bar.setFormat(f"{100 * frac:.1f}%  ({prog.done:,} / {prog.total:,} positions)")
        if prog.state is ProgressState.REUSED:
            self._stats.setText("reused: nothing to compute")
        elif prog.state is ProgressState.FINISHED:
            self._stats.setText(f"{rate(prog.rate)} · done in {duration(prog.elapsed)}")
        else:
            self._stats.setText(f"{rate(prog.rate)} · ETA {duration(prog.eta)}")

    def show_paused(self, last: Progress | None) -> None:
        """While paused there is no ETA: the rate the run had, marked as paused."""
        before = f" · {rate(last.rate)} before the pause" if last is not None and last.rate else ""
        self._stats.setText(f"Paused{before}")

    def show_resumed(self, last: Progress | None) -> None:
        """Until the next chunk reports: the rate so far, the ETA comes with that chunk."""
        so_far = f"{rate(last.rate)} · " if last is not None and last.rate else ""
        self._stats.setText(f"{so_far}ETA after the next chunk")

    def show_done_fraction(self, done: int, total: int) -> None:
        """An earlier partial run's progress (before Resume)."""
        frac = done / total if total else 0.0
        self._bar.setValue(int(round(1000 * frac)))
        self._bar.setFormat(f"{100 * frac:.1f}%  ({done:,} / {total:,} positions)")

    def where_label(self) -> ReadoutLabel:
        return self._where

    def set_where(self, text: str) -> None:
        """Where the run computes, e.g. 'Computes on a local Dask cluster (…)'."""
        self._where.setText(text)
        self._where.setVisible(bool(text))

    def set_message(self, text: str) -> None:
        """What the run is doing, or what the shown group is (the session's run status)."""
        self._text = text
        self._show_message()

    def set_note(self, text: str) -> None:
        """A note after the message (how many pixels the maps mask), kept across messages."""
        self._note = text
        self._show_message()

    def _show_message(self) -> None:
        """The message and its note; no empty line's height when there is neither."""
        self._message.setText(self._text + self._note)
        self._message.setVisible(bool(self._text or self._note))

    def show_status(self, status: RunStatus) -> None:
        """The session's run status: the state of the shown group and analysis."""
        if status.phase is RunPhase.IDLE and status.group is None:
            self.reset()
            self.set_note("")
        elif status.total and status.phase in (RunPhase.IDLE, RunPhase.REUSED,
                                               RunPhase.FAILED):
            self.show_done_fraction(status.done, status.total)
        self.set_message(status.message)

    def message(self) -> str:
        return self._message.text()
