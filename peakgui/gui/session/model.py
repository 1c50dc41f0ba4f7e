"""The window's state in one Qt-free object: what is open, how the analysis is set up, which
pixel and step are selected, which results are shown, and where a run stands.

Presenters and widgets change it only through its methods and learn of changes from its events
(:class:`~peakgui.gui.session.events.Event`), so state never hides in a widget or on the window,
and the order in which things follow a change is the order listeners were connected. Parameters
are checked once, here: every part of the window reads the one configured analysis (or the one
reason there is none).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path
from typing import Any

from ...core.analyses.declaration import Analysis
from ...core.errors import PeakGUIError
from ...core.io.results import ResultsRef
from ...core.io.source import SpectralSource
from ...core.run.engine import AnalysisRun, configured_for
from .chained import UpstreamCache
from .events import Event


class RunPhase(Enum):
    """Where the run of the shown group and analysis stands."""

    IDLE = "idle"  # no run; a partial group may be shown (``RunStatus.done < total``)
    WARMING_UP = "warming up"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    REUSED = "reused"  # complete results with these parameters existed: nothing computed
    FAILED = "failed"

    @property
    def active(self) -> bool:
        """A run is under way (running or paused): the set-up cannot change."""
        return self in (RunPhase.WARMING_UP, RunPhase.RUNNING, RunPhase.PAUSED)


@dataclass(frozen=True)
class RunStatus:
    """The run state with the results group it concerns and what the run panel says of it."""

    phase: RunPhase = RunPhase.IDLE
    group: ResultsRef | None = None
    done: int = 0
    total: int = 0
    message: str = ""
    resumable: bool = False  # Start resumes ``group`` (a partial one with these parameters)


@dataclass(frozen=True)
class Configured:
    """The analysis as set up: the checked configuration, or why there is none."""

    analysis: Analysis | None
    params: dict[str, Any] | None  # the declaration's checked values, None when not valid
    run: AnalysisRun | None  # for the open source (None: no source, or not valid); its
    # ``configured`` is the core's ConfiguredAnalysis, checked once
    error: str = ""
    fields: tuple[str, ...] = ()  # the parameters the error is about (the form says it there)

    @property
    def valid(self) -> bool:
        return self.params is not None and not self.error


NOTHING = Configured(None, None, None, "no analysis chosen")


class Session:
    """The state of one window. Events carry the new value of what changed."""

    def __init__(self) -> None:
        self.file: Path | None = None
        self.source: SpectralSource | None = None
        self.configured: Configured = NOTHING
        self._values: dict[str, Any] | None = None  # the declaration's checked values
        self.pixel: tuple[int, int] | None = None
        self.step = 0
        self.shown_group: ResultsRef | None = None
        self.layer = ""
        self.run = RunStatus()
        self.upstream = UpstreamCache()  # the results a chained analysis reads, per source
        self.file_changed: Event[Path | None] = Event("file_changed")
        self.source_changed: Event[SpectralSource | None] = Event("source_changed")
        self.configured_changed: Event[Configured] = Event("configured_changed")
        self.pixel_changed: Event[tuple[int, int] | None] = Event("pixel_changed")
        self.step_changed: Event[int] = Event("step_changed")
        self.shown_group_changed: Event[ResultsRef | None] = Event("shown_group_changed")
        self.layer_changed: Event[str] = Event("layer_changed")
        self.run_changed: Event[RunStatus] = Event("run_changed")

    # ---- the file and the dataset ---------------------------------------------------------------
    def set_file(self, file: Path | None) -> None:
        """Another file (None: closed); its dataset, pixel and results go with the old one."""
        if self.source is not None:
            self.set_source(None)
        if file != self.file:
            self.file = file
            self.file_changed.emit(file)

    def set_source(self, source: SpectralSource | None) -> None:
        """The dataset everything shows: the analysis is configured again for it."""
        if self.run.phase.active:
            raise RuntimeError("the dataset cannot change during a run")
        self.source = source
        self.upstream.clear()
        self.pixel = None
        self.step = 0
        self.shown_group = None
        said, self.run = self.run, RunStatus()
        self.source_changed.emit(source)
        if said != self.run:  # what the run panel said of the old dataset's run goes too
            self.run_changed.emit(self.run)
        c = self.configured
        if self._values is not None or c.analysis is None:
            self.configure(c.analysis, self._values, checked=True)
        else:
            self.configured_changed.emit(c)

    # ---- the analysis ---------------------------------------------------------------------------
    def configure(self, analysis: Analysis | None, given: Mapping[str, Any] | None,
                  checked: bool = False) -> Configured:
        """The analysis with ``given`` overlaid on its defaults, checked against the declaration
        (unless ``checked``: values the declaration already gave, as the parameters form does)
        and, with a source, against its spectra; invalid values leave an error and no run."""
        if analysis is None:
            configured = NOTHING
        else:
            try:
                params = (dict(given) if checked and given is not None
                          else analysis.values(dict(given) if given is not None else None))
            except (ValueError, PeakGUIError) as exc:
                configured = Configured(analysis, None, None, _reason(exc), _fields(exc))
            else:
                self._values = params
                configured = self._for_source(analysis, params)
        return self._set_configured(configured)

    def refuse(self, analysis: Analysis | None, reason: str,
               fields: tuple[str, ...] = ()) -> Configured:
        """Values that are not valid (the form said why, about ``fields``): no configured
        analysis, the reason."""
        self._values = None
        return self._set_configured(Configured(analysis, None, None, reason or "not valid",
                                               tuple(fields)))

    def _set_configured(self, configured: Configured) -> Configured:
        changed = configured != self.configured
        self.configured = configured
        if changed:
            if not self.run.phase.active:
                self.set_run(RunStatus())  # what was said of the old set-up no longer holds
            self.configured_changed.emit(configured)
        return configured

    def _for_source(self, analysis: Analysis, params: dict[str, Any]) -> Configured:
        if self.source is None:
            return Configured(analysis, params, None)
        try:  # the values are the declaration's already: only the checks against the spectra
            source = self.upstream.source_for(analysis, self.source)  # chained: its input
            configured = configured_for(source, analysis, params)
        except (ValueError, PeakGUIError) as exc:  # a band outside the axis names its field
            return Configured(analysis, None, None, _reason(exc), _fields(exc))
        run = AnalysisRun.from_configured(source, configured, n_jobs=1)
        return Configured(analysis, configured.params, run)

    # ---- the pixel, the step, the shown results ---------------------------------------------------
    def select_pixel(self, row: int, col: int) -> bool:
        """Select a pixel of the source's grid (False: none open, or outside it)."""
        if self.source is None:
            return False
        rows, cols = self.source.layout.grid_shape
        if not (0 <= row < rows and 0 <= col < cols):
            return False
        self.pixel = (row, col)
        self.pixel_changed.emit(self.pixel)
        return True

    def set_step(self, step: int) -> None:
        n = self.source.layout.n_steps if self.source is not None else 1
        step = min(max(int(step), 0), max(n - 1, 0))
        if step != self.step:
            self.step = step
            self.step_changed.emit(step)

    def show_group(self, group: ResultsRef | None) -> None:
        if group != self.shown_group:
            self.shown_group = group
            self.shown_group_changed.emit(group)

    def show_layer(self, key: str) -> None:
        if key != self.layer:
            self.layer = key
            self.layer_changed.emit(key)

    # ---- the run --------------------------------------------------------------------------------
    def can_start(self) -> str:
        """Why a run cannot start now ('' when it can): a run starts only with a source and
        valid parameters, and never while another is under way."""
        if self.source is None:
            return "no dataset is open"
        if self.run.phase.active:
            return "a run is in progress"
        if not self.configured.valid or self.configured.run is None:
            return self.configured.error or "the parameters are not valid"
        return ""

    @property
    def run_source(self) -> SpectralSource | None:
        """What the configured analysis reads: the open spectra, or for a chained analysis the
        upstream results group (the maps and the steps of its results follow this one)."""
        run = self.configured.run
        return run.source if run is not None else self.source

    def set_run(self, status: RunStatus) -> None:
        if status.phase in (RunPhase.FINISHED, RunPhase.REUSED):
            self.upstream.clear()  # new results: a chained analysis may read them now
        if status != self.run:
            self.run = status
            self.run_changed.emit(status)

    def update_run(self, **changes: Any) -> None:
        """Change some fields of the run status (a new message, the group, the count)."""
        self.set_run(replace(self.run, **changes))


def _reason(exc: BaseException) -> str:
    return str(exc.args[0]) if exc.args else str(exc)


def _fields(exc: BaseException) -> tuple[str, ...]:
    """The parameters a declaration's ParameterError names (none for other errors)."""
    return tuple(getattr(exc, "names", ()))
