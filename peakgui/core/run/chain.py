"""What the engine does differently for chained and per-position analyses, kept in one place.

A chained analysis (one with a :class:`~peakgui.core.analyses.declaration.ResultsInput`) reads
a :class:`~peakgui.core.io.results_source.ResultsSource`; :func:`upstream_source` finds the
upstream group a run should read (the newest complete one, or the one asked for). A
``per_position`` kernel gets whole positions, (n, N, S), split across workers by positions;
``per_point`` fields come back (n, N, S) and are stored in the source's own columns.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from peakgui.core.analyses import registry
from peakgui.core.analyses.declaration import Analysis, Kernel, ResultField
from peakgui.core.errors import InputError
from peakgui.core.io.layout import SpectralLayout
from peakgui.core.io.results import sidecar_path
from peakgui.core.io.results_source import (
    ResultsSource,
    UpstreamGroup,
    has_group,
    upstream_groups,
)
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.backends import Backend, split_blocks
from peakgui.core.run.stats import RunStats, timed_kernel

MIN_BLOCK_SPECTRA = 64  # a worker's block holds at least this many spectra (or one position)


def check_input(analysis: Analysis, source: SpectralSource) -> None:
    """Refuse a source of the wrong kind: raw spectra for a chained analysis or the reverse."""
    chained = isinstance(source, ResultsSource)
    if analysis.input is not None and not chained:
        raise InputError(f"{source.dataset}: {analysis.title} reads {analysis.input.analysis} "
                         "results, not raw spectra: open its results group as the source")
    if analysis.input is None and chained:
        raise InputError(f"{source.dataset}: {analysis.title} reads raw spectra, not the "
                         "results of another analysis")
    if (isinstance(source, ResultsSource) and analysis.input is not None
            and source.input is not None and source.input.analysis != analysis.input.analysis):
        raise InputError(f"{source.dataset}: holds {source.input.analysis} results; "
                         f"{analysis.title} reads {analysis.input.analysis} results")


def check_sweep(analysis: Analysis, raw: SpectralSource) -> None:
    """Refuse at once a chained analysis whose sweep the raw data does not have (a loop fit
    on BE data with no DC offset): its upstream results would lack it too, and "run the SHO
    fit first" would send the user down a road that ends in the same refusal."""
    spec = analysis.input
    if spec is None or isinstance(raw, ResultsSource):
        return
    names = list(raw.layout.info.spectroscopic.names)
    if spec.dimension not in names:
        try:
            upstream = registry.get(spec.analysis).title
        except ValueError:
            upstream = spec.analysis
        raise InputError(f"{raw.dataset}: {analysis.title} reads {upstream} results along "
                         f"{spec.dimension}, and these spectra have no {spec.dimension} "
                         f"(only {', '.join(names) or 'one axis'}): it needs data swept in "
                         f"{spec.dimension}")


def compute_block(backend: Backend, block: np.ndarray, layout: SpectralLayout,
                  per_position: bool, fields: list[ResultField], func: Kernel,
                  args: tuple[Any, ...], stats: RunStats | None = None) -> dict[str, np.ndarray]:
    """Map the kernel over an (n, N, S) chunk and assemble each field as it is stored:
    (n, N), or (n, N*S) in the source's column order for per-point fields."""
    n, steps, points = block.shape
    if per_position:  # whole positions to each worker
        parts = split_blocks(n, backend.n_workers, max(1, math.ceil(MIN_BLOCK_SPECTRA / steps)))
        timed = backend.map(timed_kernel, [block[s] for s in parts], func, *args)
    else:
        flat = block.reshape(-1, points)
        parts = split_blocks(len(flat), backend.n_workers, MIN_BLOCK_SPECTRA)
        timed = backend.map(timed_kernel, [flat[s] for s in parts], func, *args)
    outs = [out for _, out in timed]
    if stats is not None:
        kernel = sum(t for t, _ in timed)
        stats.add(kernel_seconds=kernel, work_seconds=kernel, blocks=len(timed))
    return stored_values(outs, fields, layout, n)


def stored_values(outs: list[dict[str, np.ndarray]], fields: list[ResultField],
                  layout: SpectralLayout, n: int) -> dict[str, np.ndarray]:
    """The kernel's outputs for n positions (in order) as each field is stored: (n, N), or
    (n, N*S) in the source's column order for per-point fields."""
    values = {}
    for fld in fields:
        joined = np.concatenate([o[fld.name] for o in outs])  # a copy: kernels may reuse
        if not fld.per_point:
            values[fld.name] = joined.reshape(n, layout.n_steps)
            continue
        stored = np.empty((n, layout.info.n_columns), dtype=fld.dtype)
        stored[:, layout.columns] = joined.reshape(n, layout.n_steps, layout.n_points)
        values[fld.name] = stored
    return values


def upstream_source(analysis: Analysis, file: Path, dataset: str | None,
                    chosen: str | None = None,
                    output: Path | None = None) -> tuple[ResultsSource, list[UpstreamGroup]]:
    """The results source a chained run on ``dataset`` of ``file`` reads: the group ``chosen``
    (an HDF5 path in the output file, the file or its sidecar), else the newest complete group
    of the upstream analysis there. Also returns every candidate found (for a note). A missing
    or incomplete choice is an InputError in one line. ``dataset`` may be None only with
    ``chosen``."""
    spec = analysis.input
    if spec is None:
        raise InputError(f"{analysis.title} reads raw spectra; it has no upstream group")
    files = list(dict.fromkeys(p for p in (output, file, sidecar_path(file)) if p is not None))
    if chosen is not None:
        for path in files:
            if has_group(path, chosen):
                return ResultsSource.open_group(path, chosen, spec), []
        raise InputError(f"{file}: no results group {chosen} (looked in "
                         f"{', '.join(p.name for p in files)})")
    if dataset is None:
        raise ValueError("upstream_source needs the raw dataset or a chosen group")
    try:
        upstream = registry.get(spec.analysis)
    except ValueError as exc:
        raise InputError(f"{analysis.title} reads {spec.analysis} results: {exc}") from None
    found = upstream_groups(files, dataset, upstream.group_name, spec.analysis)
    complete = [g for g in found if g.complete]
    if not complete:
        if found:
            g = found[-1]
            raise InputError(f"{file}: {analysis.title} needs complete {upstream.title} "
                             f"results; {g.ref.group} holds {g.done} of {g.total} positions: "
                             f"complete it first (--analysis {spec.analysis})")
        raise InputError(f"{file}: {analysis.title} needs {upstream.title} results of "
                         f"{dataset} and there are none: run --analysis {spec.analysis} first "
                         f"(or --analysis {spec.analysis} --then {analysis.name})")
    newest = max(complete, key=lambda g: (g.started, g.ref.group))
    source = ResultsSource.open_group(newest.ref.file, newest.ref.group, spec)
    if len(complete) > 1:
        source.notes.append(f"{len(complete)} complete {spec.analysis} groups; read the newest, "
                            f"{newest.ref.group} (--from chooses)")
    return source, complete
