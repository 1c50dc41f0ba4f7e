"""The maps of a results group (one step at a time, read in a worker) and the live ones of a run.

A results group's fields are USID main datasets; positions not yet completed are left NaN (blank
on the map). During a run the maps are filled from each Progress record's values, never by
re-reading the file (except once, in a worker, for what a resumed run had already computed).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PyQt5.QtCore import QObject, QTimer, pyqtSignal

from ...core.io.layout import SpectralLayout
from ...core.io.results import ResultsRef
from ...core.io.results_read import ResultsGroup, read_group, read_step
from ...core.run.progress import Progress
from ..session.chained import step_in
from ..workers import LatestOnly


def _of_group(name: str) -> Any:
    """A read-only attribute of the maps that is the group's own attribute ``name``."""
    return property(lambda self: getattr(self.group, name), doc=f"The group's {name}.")


@dataclass
class ResultsMaps:
    """One step of a results group's maps, ready to show."""

    group: ResultsGroup
    step: int
    images: dict[str, np.ndarray] = field(default_factory=dict)  # field -> (rows, cols), NaN
    note: str = ""

    # what the group says of itself, read through the maps (titles, the run panel, the tree)
    ref = _of_group("ref")
    layout = _of_group("layout")
    attrs = _of_group("attrs")
    done = _of_group("done")
    total = _of_group("total")
    group_name = _of_group("group_name")

    @property
    def short_name(self) -> str:
        """``Peak_Finding_000`` of ``Raw_Data-Peak_Finding_000``, for map titles."""
        return self.group_name.rsplit("-", 1)[-1]


def step_images(group: ResultsGroup, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    lay = group.layout
    return {name: lay.to_image(np.where(group.done_mask, np.asarray(v, dtype=np.float64),
                                        np.nan))
            for name, v in values.items()}


def load_results(ref: ResultsRef, step: int, layout: SpectralLayout | None = None,
                 group: ResultsGroup | None = None, stepped: SpectralLayout | None = None
                 ) -> Generator[ResultsMaps, None, None]:
    """The worker's generator: describe the group (unless given), then read one step
    (``step`` of the ``stepped`` layout, the open spectra's, when given: a chained group has
    fewer steps)."""
    if group is None:
        group = read_group(ref, layout)
    if stepped is not None:
        step = step_in(stepped, step, group.layout)
    step = min(max(step, 0), group.n_steps - 1)
    values = read_step(ref, [f.name for f in group.fields], step)
    yield ResultsMaps(group, step, step_images(group, values))


class LiveMaps(QObject):
    """The maps of a run in progress, filled chunk by chunk and redrawn at most ~10 times a second.

    Chunks may arrive faster than a map can be drawn; the values are written into the arrays at
    once (cheap) and a timer tells the view to redraw only when something changed.
    """

    sigMapsUpdated = pyqtSignal()
    """New values arrived since the last update (emitted at most every ``interval_ms``)."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = 100):
        super().__init__(parent)
        self.images: dict[str, np.ndarray] = {}
        self._layout: SpectralLayout | None = None
        self._step = 0
        self._ref: ResultsRef | None = None
        self._dirty = False
        self.updates = 0  # redraws requested (the benchmark reports the rate)
        self._prefill = LatestOnly(self)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(self, layout: SpectralLayout, names: list[str], step: int = 0) -> None:
        """Blank maps for a new run's fields; the timer starts."""
        self._prefill.abort()  # an earlier run's results never land in this one's maps
        self._layout = layout
        self._step = step
        self._ref = None
        self.images = {k: layout.to_image(np.full(layout.n_positions, np.nan)) for k in names}
        self._dirty = True
        self._timer.start()

    @property
    def step(self) -> int:
        return self._step

    def stop(self) -> None:
        """Last redraw and stop the timer (run ended). Earlier results still being read are
        let in: a resumed run may end before they are (then they redraw on arrival)."""
        self._timer.stop()
        if self._dirty:
            self._on_timer_timeout()

    def apply(self, prog: Progress) -> None:
        """Write one chunk's values into the maps (positions [start, stop))."""
        lay = self._layout
        if lay is None:
            return
        if prog.results != self._ref:
            self._ref = prog.results
            # a resumed run: show what earlier runs computed (read once, in a worker)
            self._prefill.start(load_results, prog.results, self._step, lay,
                                on_yield=self._on_prefill_read)
        if prog.stop <= prog.start:
            return
        rc = lay.pixel_rc[prog.start:prog.stop]
        for name, img in self.images.items():
            if name in prog.values:
                vals = np.asarray(prog.values[name], dtype=np.float64)
                img[rc[:, 0], rc[:, 1]] = vals.reshape(len(rc), -1)[:, self._step]
        self._dirty = True

    def _on_prefill_read(self, maps: ResultsMaps) -> None:
        for name, old in maps.images.items():
            img = self.images.get(name)
            if img is not None and img.shape == old.shape:
                fill = np.isnan(img) & np.isfinite(old)
                img[fill] = old[fill]
        self._dirty = True
        if not self._timer.isActive():  # the run ended first
            self._on_timer_timeout()

    def _on_timer_timeout(self) -> None:
        if self._dirty:
            self._dirty = False
            self.updates += 1
            self.sigMapsUpdated.emit()
