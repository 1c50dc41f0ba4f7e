"""Amplitude, frequency and count maps of a results group, and the live ones of a run.

A results group's datasets are USID main datasets, so the core's ``describe`` and ``build_layout``
give their grid; positions not yet completed are left NaN (blank on the map). During a run the
maps are filled from each Progress record's values, never by re-reading the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PyQt5.QtCore import QObject, QTimer, pyqtSignal

from ..core.io.h5access import open_read
from ..core.io.layout import SpectralLayout, build_layout
from ..core.io.results import COMPLETED, ResultsRef, read_results
from ..core.io.usid import as_text, describe
from ..core.run.engine import Progress
from ..core.run.peak_process import COUNT, FREQUENCY, RESPONSE
from .map_view import AMPLITUDE
from .map_view import COUNT as COUNT_LAYER
from .map_view import FREQUENCY as FREQUENCY_LAYER

FIELD_OF_LAYER = {AMPLITUDE: RESPONSE, FREQUENCY_LAYER: FREQUENCY, COUNT_LAYER: COUNT}
TITLES = {AMPLITUDE: "Peak amplitude", FREQUENCY_LAYER: "Peak frequency",
          COUNT_LAYER: "Peak count"}


@dataclass
class ResultsMaps:
    """The three maps of one results group (for one spectroscopic step)."""

    ref: ResultsRef
    layout: SpectralLayout
    images: dict[str, np.ndarray]  # layer key -> (rows, cols) float64, NaN where not done
    units: dict[str, str]
    done: int
    total: int
    attrs: dict = field(default_factory=dict)
    step: int = 0

    @property
    def group_name(self) -> str:
        return self.ref.group.rsplit("/", 1)[-1]

    @property
    def short_name(self) -> str:
        """``Peak_Finding_000`` of ``Raw_Data-Peak_Finding_000``, for map titles."""
        return self.group_name.rsplit("-", 1)[-1]


def load_results_maps(ref: ResultsRef, step: int = 0,
                      layout: SpectralLayout | None = None) -> ResultsMaps:
    """Read a results group's maps (raises PeakGUIError/KeyError/OSError if it is not one).

    ``layout``: the source dataset's layout when the group belongs to it (same positions),
    which saves working the grid out again.
    """
    with open_read(ref.file) as f:
        grp = f[ref.group]
        info = describe(f, f"{ref.group}/{RESPONSE}")
        units = {}
        for layer, name in FIELD_OF_LAYER.items():
            units[layer] = as_text(grp[name].attrs.get("units", "")) if name in grp else ""
        attrs = {k: as_text(v) if isinstance(v, bytes | str) else v for k, v in grp.attrs.items()}
    if layout is None or layout.n_positions != info.n_positions:
        layout = build_layout(info)
    data = read_results(ref, [RESPONSE, FREQUENCY, COUNT, COMPLETED])
    n = layout.n_positions
    done_mask = data[COMPLETED].astype(bool) if COMPLETED in data else np.ones(n, dtype=bool)
    step = min(max(step, 0), info.n_columns - 1)
    images = {}
    for layer, name in FIELD_OF_LAYER.items():
        if name not in data:
            continue
        values = np.asarray(data[name], dtype=np.float64).reshape(n, -1)[:, step]
        values = np.where(done_mask, values, np.nan)
        images[layer] = layout.to_image(values)
    return ResultsMaps(ref, layout, images, units, int(done_mask.sum()), len(done_mask), attrs,
                       step)


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
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(self, layout: SpectralLayout, step: int = 0) -> None:
        """Blank maps for a new run; the timer starts."""
        self._layout = layout
        self._step = step
        self._ref = None
        self.images = {k: layout.to_image(np.full(layout.n_positions, np.nan))
                       for k in FIELD_OF_LAYER}
        self._dirty = True
        self._timer.start()

    @property
    def step(self) -> int:
        return self._step

    def stop(self) -> None:
        """Last redraw and stop the timer (run ended)."""
        self._timer.stop()
        if self._dirty:
            self._on_timer_timeout()

    def apply(self, prog: Progress) -> None:
        """Write one chunk's values into the maps (positions [start, stop))."""
        lay = self._layout
        if lay is None or prog.stop <= prog.start:
            return
        if prog.results != self._ref:
            self._ref = prog.results
            self._prefill(prog.results)
        rc = lay.pixel_rc[prog.start:prog.stop]
        for layer, name in FIELD_OF_LAYER.items():
            if name in prog.values:
                vals = np.asarray(prog.values[name], dtype=np.float64)
                self.images[layer][rc[:, 0], rc[:, 1]] = vals.reshape(len(rc), -1)[:, self._step]
        self._dirty = True

    def _prefill(self, ref: ResultsRef) -> None:
        """A resumed run: show what earlier runs already computed (read once, at the start)."""
        try:
            maps = load_results_maps(ref, self._step, self._layout)
        except Exception:  # noqa: BLE001 - the live values still arrive; this is cosmetic
            return
        for layer, img in maps.images.items():
            if layer in self.images and img.shape == self.images[layer].shape:
                np.copyto(self.images[layer], img)

    def _on_timer_timeout(self) -> None:
        if self._dirty:
            self._dirty = False
            self.updates += 1
            self.sigMapsUpdated.emit()
