"""What a run reports after each chunk, and once more when it ends."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np

from peakgui.core.io.results import ResultsRef


class ProgressState(enum.Enum):
    """Where a run stands when it reports."""

    CHUNK = "chunk"  # a chunk was written; more to come
    REUSED = "reused"  # complete results with the same parameters already existed
    FINISHED = "finished"  # every position has results on disk

    @property
    def is_done(self) -> bool:
        return self is not ProgressState.CHUNK


@dataclass(kw_only=True)
class Progress:
    """One report of a run, built by keyword (its fields are many and alike). ``elapsed`` counts only the time the run was computing: time the
    caller spent between two reports (a paused window, say) is not in it, so ``rate`` and
    ``eta`` stay true across a pause."""

    state: ProgressState
    done: int  # positions with results on disk
    total: int
    start: int  # this chunk's positions are [start, stop)
    stop: int
    values: dict[str, np.ndarray]  # this chunk's results, each (stop - start, N)
    elapsed: float  # seconds of computing since the run started
    rate: float  # spectra per second computed by this run so far
    eta: float  # seconds left at that rate
    results: ResultsRef
    computed: int = 0  # positions computed by this run (not reused)
    worker_pids: frozenset[int] = field(default_factory=frozenset)
    where: str = ""  # where it computes, for a person ("this computer, 2 worker threads")

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0
