"""A results group served as spectra: the input of a chained analysis.

The engine reads a :class:`SpectralSource` as (n, N, S) blocks through its layout. A
:class:`ResultsSource` is the same over a results group: its ``dataset`` is the upstream field
dataset the new spectra come from (the SHO fit's compound ``Fit``), its spectroscopic table is
that of the results (DC_Offset x Field, cycles...), and its layout's ``read`` gathers the needed
fields of a block of positions and converts them there, in the driver's reader. Chunking, the
memory budget, resume, kill-safety and every backend thus serve a chained analysis unchanged,
and the workers never see the file. Results written from it land under the upstream group
(``.../Raw_Data-SHO_Fit_000/Fit-Loop_Fit_000``), because that is where its dataset lives.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

from peakgui.core.analyses.declaration import ResultsInput
from peakgui.core.errors import InputError
from peakgui.core.io.files import SIDECAR_SUFFIX
from peakgui.core.io.h5access import open_read
from peakgui.core.io.layout import SpectralLayout, build_layout
from peakgui.core.io.results import (
    COMPLETED,
    PARAMS_ATTR,
    ExistingResults,
    ResultsRef,
    list_results_groups,
)
from peakgui.core.io.results_read import field_sources
from peakgui.core.io.source import SpectralSource
from peakgui.core.io.usid import (
    DatasetInfo,
    as_text,
    as_text_list,
    describe_main,
    is_main_dataset,
)

Reads = tuple[tuple[str, str, str], ...]  # (field, dataset in the group, member or "")


@dataclass
class ResultsLayout(SpectralLayout):
    """A results group seen as P positions x N steps x S points of converted values."""

    reads: Reads
    convert: Callable[[dict[str, np.ndarray]], np.ndarray]

    def read(self, dset: h5py.Dataset, start: int, stop: int) -> np.ndarray:
        """Positions [start, stop) as (n, N, S): each needed dataset read once, converted."""
        grp = dset.parent
        rows: dict[str, np.ndarray] = {}
        given: dict[str, np.ndarray] = {}
        for name, dataset, member in self.reads:
            if dataset not in rows:
                rows[dataset] = grp[dataset][start:stop]
            data = rows[dataset]
            given[name] = np.asarray(data[member] if member else data)
        try:
            with np.errstate(all="ignore"):  # a non-finite fit becomes a non-finite value
                out = np.asarray(self.convert(given))
        except Exception as exc:  # noqa: BLE001 - a lab's conversion may fail in any way
            raise InputError(f"{grp.name}: the input conversion failed on positions "
                             f"{start}..{stop - 1} ({type(exc).__name__}: {exc})") from None
        if out.shape != (stop - start, self.info.n_columns):
            raise InputError(f"{grp.name}: the input conversion gave {out.shape} values for "
                             f"{(stop - start, self.info.n_columns)} results")
        return out[:, self.columns]


@dataclass(frozen=True)
class Upstream:
    """The results group a chained analysis reads, and what identifies its contents."""

    ref: ResultsRef
    analysis: str
    parameters: str  # the upstream run's canonical parameters (JSON)
    started: str  # its timestamp_start: a group computed again is another group

    def key(self) -> dict[str, str]:
        """What the chained results depend on besides their own parameters."""
        return {"input_group": self.ref.group, "input_analysis": self.analysis,
                "input_parameters": self.parameters, "input_started": self.started}


@dataclass
class ResultsSource(SpectralSource):
    """The fields of an upstream results group along one of its dimensions, as spectra."""

    upstream: Upstream | None = None
    input: ResultsInput | None = None

    @classmethod
    def open_group(cls, file: str | os.PathLike, group: str, spec: ResultsInput,
                   dimension: str | None = None) -> ResultsSource:
        """Describe ``group`` of ``file`` as the input ``spec`` asks; an incomplete group, one
        of another analysis or one without the needed fields is refused in one line."""
        path = Path(file)
        with open_read(path) as f:
            grp = f.get(group)
            if not isinstance(grp, h5py.Group):
                raise InputError(f"{path}: no results group {group}")
            made_by = as_text(grp.attrs.get("analysis", ""))
            if made_by != spec.analysis:
                raise InputError(f"{group}: holds {made_by or 'unknown'} results, not "
                                 f"{spec.analysis} results")
            _check_complete(grp, spec)
            found = field_sources(grp, list(spec.needs))
            missing = [n for n in spec.needs if n not in found]
            if missing:
                raise InputError(f"{group}: has no field {', '.join(missing)} to read")
            first = grp[found[spec.needs[0]][0]]
            info = _with_step_names(grp, describe_main(first))
            reads = tuple((n, *found[n]) for n in spec.needs)
            dtype = _converted_dtype(grp, reads, spec)
            quantity, units = _quantity(first, found[spec.needs[0]][1], spec)
            upstream = Upstream(ResultsRef(path, grp.name), made_by,
                                as_text(grp.attrs.get(PARAMS_ATTR, "")),
                                as_text(grp.attrs.get("timestamp_start", "")))
        info = dataclasses.replace(info, dtype=dtype, quantity=quantity, units=units)
        try:
            layout = _results_layout(info, dimension or spec.dimension, reads, spec.convert)
        except InputError as exc:
            raise InputError(f"{group}: {exc}") from None
        return cls(path, info, layout, upstream, spec)

    def with_spectral_dim(self, name: str | None) -> ResultsSource:
        assert self.input is not None and isinstance(self.layout, ResultsLayout)
        dim = name or self.input.dimension
        layout = _results_layout(self.info, dim, self.layout.reads, self.input.convert)
        return ResultsSource(self.file, self.info, layout, self.upstream, self.input)

    def input_key(self) -> dict[str, str]:
        assert self.upstream is not None
        return self.upstream.key()


def _with_step_names(grp: h5py.Group, info: DatasetInfo) -> DatasetInfo:
    """Step names (BGlib's ``Field_parameters``) the results table lacks, taken from the
    dataset the group was computed from when that one has them."""
    table = info.spectroscopic
    if all(n in table.step_labels for n in table.names):
        return info
    raw = grp.parent.get(grp.name.rsplit("/", 1)[-1].rsplit("-", 1)[0])
    if not is_main_dataset(raw):
        return info
    try:
        attrs = grp.file[raw.attrs["Spectroscopic_Values"]].attrs
        labels = {n: tuple(as_text_list(attrs[f"{n}_parameters"])) for n in table.names
                  if f"{n}_parameters" in attrs}
    except (KeyError, ValueError, TypeError, OSError):
        return info
    labels.update(table.step_labels)
    return dataclasses.replace(info, spectroscopic=dataclasses.replace(table,
                                                                        step_labels=labels))


def _check_complete(grp: h5py.Group, spec: ResultsInput) -> None:
    done = grp.get(COMPLETED)
    if not isinstance(done, h5py.Dataset):
        raise InputError(f"{grp.name}: has no {COMPLETED}; not a results group PeakGUI can "
                         "chain from")
    marks = done[()]
    if not marks.all():
        raise InputError(f"{grp.name}: the {spec.analysis} results are incomplete "
                         f"({int(np.count_nonzero(marks))} of {marks.size} positions); "
                         "complete them first")


def _converted_dtype(grp: h5py.Group, reads: Reads, spec: ResultsInput) -> np.dtype:
    """The dtype ``convert`` gives, found on one zero row (it sizes chunks and results)."""
    sample: dict[str, np.ndarray] = {}
    for name, dataset, member in reads:
        ds = grp[dataset]
        dtype = ds.dtype[member] if member else ds.dtype
        sample[name] = np.zeros((1, ds.shape[1]), dtype=dtype)
    try:
        with np.errstate(all="ignore"):
            return np.asarray(spec.convert(sample)).dtype
    except Exception as exc:  # noqa: BLE001 - a lab's conversion may fail in any way
        raise InputError(f"{grp.name}: the input conversion fails ({type(exc).__name__}: "
                         f"{exc})") from None


def _quantity(first: h5py.Dataset, member: str, spec: ResultsInput) -> tuple[str, str]:
    """The converted values' quantity and units, each the first needed field's unless the
    declaration names it."""
    if member:  # BGlib's members carry their units: 'Amplitude [V]'
        name, _, rest = member.partition(" [")
        quantity, units = name, rest.rstrip("]")
    else:
        quantity = as_text(first.attrs.get("quantity", "Signal"))
        units = as_text(first.attrs.get("units", ""))
    return spec.quantity or quantity, spec.units or units


def _results_layout(info: DatasetInfo, dimension: str, reads: Reads,
                    convert: Callable[[dict[str, np.ndarray]], np.ndarray]) -> ResultsLayout:
    base = build_layout(info, dimension)
    values = {f.name: getattr(base, f.name) for f in dataclasses.fields(SpectralLayout)}
    return ResultsLayout(**values, reads=reads, convert=convert)


@dataclass
class UpstreamGroup(ExistingResults):
    """A results group a chained analysis could read, how far it got and when it started."""

    started: str = ""


def upstream_groups(files: list[Path], dataset: str, process_name: str, analysis: str
                    ) -> list[UpstreamGroup]:
    """Every results group of ``analysis`` made from ``dataset``, in the given files (the
    source, its sidecar, an output file), oldest first in each."""
    found: list[UpstreamGroup] = []
    for path in files:
        if not path.exists():
            continue
        try:
            with open_read(path) as f:
                for group in list_results_groups(f, dataset, process_name):
                    grp = f[group]
                    if as_text(grp.attrs.get("analysis", "")) != analysis:
                        continue
                    done = grp.get(COMPLETED)
                    if not isinstance(done, h5py.Dataset):
                        continue
                    marks = done[()]
                    found.append(UpstreamGroup(
                        ResultsRef(path, group, path.name.endswith(SIDECAR_SUFFIX)),
                        int(np.count_nonzero(marks)), int(marks.size),
                        as_text(grp.attrs.get("timestamp_start", ""))))
        except InputError:
            continue  # an unreadable sidecar holds nothing to chain from
    return found


def has_group(path: Path, group: str) -> bool:
    """Whether ``path`` exists and holds a group at ``group`` (for --from)."""
    if not path.exists():
        return False
    try:
        with open_read(path) as f:
            return isinstance(f.get(group), h5py.Group)
    except InputError:
        return False
