"""The upstream results a chained analysis reads (the loop fit reads the SHO fit's group).

The session asks for them on every set-up; looking for the newest complete group opens the
file, so the answer is kept per (source, analysis) until the source changes or a run finishes
(new results may then be there). A missing or incomplete group is not kept: its one-line
reason says what to run first.
"""

from __future__ import annotations

import numpy as np

from ...core.analyses import registry
from ...core.analyses.declaration import Analysis
from ...core.errors import InputError
from ...core.io.layout import SpectralLayout
from ...core.io.results import sidecar_path
from ...core.io.results_source import upstream_groups
from ...core.io.source import SpectralSource
from ...core.run.chain import check_sweep, upstream_source


class UpstreamCache:
    """Results sources of chained analyses for the open spectra, found once."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, str, str], SpectralSource] = {}

    def clear(self) -> None:
        self._found.clear()

    def source_for(self, analysis: Analysis, source: SpectralSource) -> SpectralSource:
        """``source`` itself for an analysis of raw spectra; for a chained one the newest
        complete upstream group of ``source`` (InputError, in one line, when there is none)."""
        if analysis.input is None:
            return source
        key = (str(source.file), source.dataset, analysis.input.analysis)
        found = self._found.get(key)
        if found is None:
            check_sweep(analysis, source)
            _check_upstream(analysis, source)
            found, _ = upstream_source(analysis, source.file, source.dataset)
            self._found[key] = found
        return found


def _check_upstream(analysis: Analysis, source: SpectralSource) -> None:
    """The window's words for a missing or incomplete upstream group: what to run first."""
    assert analysis.input is not None
    upstream = registry.get(analysis.input.analysis)
    files = [source.file, sidecar_path(source.file)]
    found = upstream_groups(files, source.dataset, upstream.group_name, upstream.name)
    if any(g.complete for g in found):
        return
    last = found[-1] if found else None
    what = (f"{last.ref.group.rsplit('/', 1)[-1]} holds {last.done} of {last.total} positions: "
            f"complete it first (choose {upstream.title} and Resume)" if last is not None else
            f"this dataset has none: run {upstream.title} first (choose it and press Start)")
    raise InputError(f"{analysis.title} reads complete {upstream.title} results; {what}")


def step_in(layout: SpectralLayout | None, step: int, target: SpectralLayout) -> int:
    """The step of ``target`` at ``layout``'s ``step``: the dimensions both have keep their
    index (the loop group's Field follows the raw data's Field; its DC_Offset is gone)."""
    if layout is None or target.n_steps <= 1:
        return 0
    mine = [d for d in layout.others if d.size > 0]
    theirs = [d for d in target.others if d.size > 0]
    if [d.name for d in mine] == [d.name for d in theirs]:
        return min(max(step, 0), target.n_steps - 1)
    sizes = [d.size for d in mine]
    if not sizes or step >= int(np.prod(sizes)):
        return 0
    at = dict(zip((d.name for d in mine), np.unravel_index(step, sizes)))
    idx = [min(int(at.get(d.name, 0)), d.size - 1) for d in theirs]
    return int(np.ravel_multi_index(idx, [d.size for d in theirs]))
