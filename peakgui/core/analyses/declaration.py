"""What an analysis declares, so that the engine, the CLI and the GUI need nothing else.

An analysis is pure science: a kernel that maps an (n, S) block of spectra to per-spectrum
results, a pixel inspection that explains one spectrum in full, and the metadata around them
(parameters with units and ranges, result fields with quantities and units, provenance). It never
touches a file: the run layer reads the spectra and writes the results.

Its spectra are raw data by default; an analysis with an :class:`ResultsInput` is *chained*: its
spectra are another analysis' stored results (the SHO fit's amplitude and phase along the DC
offset, say), converted by the declaration and served by the run layer like raw spectra.

Parameter values travel as a plain ``dict`` (name -> value, every parameter present): picklable
for worker processes and Dask, storable as HDF5 attributes, and the key by which earlier results
with the same settings are found again.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from peakgui.core.dimension import Dimension
from peakgui.core.labels import plain_label
from peakgui.core.quantity import format_quantity, format_range, parse_quantity

ParamValues = dict[str, Any]
"""Validated parameter values of one analysis: every declared name, in declaration order."""


class ParameterError(ValueError):
    """A parameter value that cannot be used, with the names of the parameters at fault (so a
    form can say why beside them)."""

    def __init__(self, message: str, *names: str):
        super().__init__(message)
        self.names = names

    def __reduce__(self) -> tuple[Any, tuple[str, ...]]:
        return type(self), (str(self), *self.names)


@dataclass(frozen=True)
class Parameter:
    """One setting a user can change, as a form, a command-line option and an HDF5 attribute."""

    name: str
    label: str
    type: type  # float, int, str or bool
    default: Any
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    optional: bool = False  # None is allowed and means "the algorithm's own default"
    help: str = ""
    decimals: int = 3  # shown in the GUI's spin boxes
    # a position on the spectral axis (a band edge): refused outside the data's axis
    on_axis: bool = False

    def convert(self, value: Any) -> Any:
        """The value as this parameter's type, or ValueError with a sentence for the user."""
        if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none",
                                                                                   "default")):
            if self.optional:
                return None
            raise ParameterError(f"{self.label} needs a value", self.name)
        out: Any
        try:
            if self.type is bool:
                out = _to_bool(value)
            elif self.type is int:
                as_float = float(value)
                if not as_float.is_integer():
                    raise ValueError
                out = int(as_float)
            elif self.type is float:  # "335 kHz" as well as 335000.0
                out = _to_float(value, self.unit)
            else:
                out = str(value)
        except (TypeError, ValueError) as exc:
            why = f" ({exc})" if isinstance(value, str) and self.type is float else ""
            raise ParameterError(f"{self.label}: {value!r} is not a valid "
                                 f"{self.type.__name__}{why}", self.name) from None
        if self.type in (int, float):
            if not math.isfinite(out):
                raise ParameterError(f"{self.label} must be a finite number", self.name)
            if self.minimum is not None and out < self.minimum:
                raise ParameterError(f"{self.label} must be at least "
                                     f"{self.show(self.minimum)}, not {self.show(out)}",
                                     self.name)
            if self.maximum is not None and out > self.maximum:
                raise ParameterError(f"{self.label} must be at most "
                                     f"{self.show(self.maximum)}, not {self.show(out)}",
                                     self.name)
        if self.choices and out not in self.choices:
            raise ParameterError(f"{self.label} must be one of {', '.join(self.choices)}",
                                 self.name)
        return out

    def show(self, value: Any) -> str:
        """A value as messages and entry fields write it: ``335 kHz``, ``1e-8``, ``20 points``."""
        if value is None:
            return "default"
        if self.type in (int, float) and not isinstance(value, bool):
            return format_quantity(float(value), self.unit)
        return str(value)

    def outside(self, value: Any, axis: Dimension) -> str | None:
        """Why a position on the spectral axis lies outside the data (None: inside, or not a
        position on the axis, or left to the algorithm)."""
        if not self.on_axis or value is None or axis.size == 0:
            return None
        values = np.asarray(axis.values, dtype=np.float64)
        lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
        if lo <= value <= hi:
            return None
        return (f"{self.label} ({self.show(value)}) is outside the data "
                f"({format_range(lo, hi, self.unit)})")

    def describe(self) -> str:
        """One line for ``--help``: meaning, unit, range and default."""
        bits = [self.help or self.label]
        if self.unit:
            bits.append(f"unit {self.unit}")
        if self.choices:
            bits.append("one of " + ", ".join(self.choices))
        elif self.minimum is not None or self.maximum is not None:
            lo = "-inf" if self.minimum is None else f"{self.minimum:g}"
            hi = "inf" if self.maximum is None else f"{self.maximum:g}"
            bits.append(f"range {lo}..{hi}")
        bits.append(f"default {'automatic' if self.default is None else self.default}")
        return "; ".join(bits)



def _to_float(value: Any, unit: str) -> float:
    """A number, or text in ``unit`` with or without a prefix ("335 kHz", "335e3", "inf")."""
    if not isinstance(value, str):
        return float(value)
    try:
        return float(value)
    except ValueError:
        return parse_quantity(value, unit)


def _to_bool(value: Any) -> bool:
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off"):
            return False
        raise ValueError
    return bool(value)


def below(parameters: tuple[Parameter, ...], values: ParamValues, low: str, high: str,
          strict: bool = True) -> None:
    """ParameterError naming both when ``values[low]`` is not below ``values[high]`` (either one
    None, the algorithm's default, passes): a band or a range typed the wrong way round."""
    lo, hi = values[low], values[high]
    if lo is None or hi is None or (lo < hi if strict else lo <= hi):
        return
    by_name = {p.name: p for p in parameters}
    p, q = by_name[low], by_name[high]
    word = "below" if strict else "at most"
    raise ParameterError(f"{p.label} ({p.show(lo)}) must be {word} {q.label} ({q.show(hi)})",
                         low, high)


class FieldKind(enum.Enum):
    """How a result is shown: a measured value, a whole count, or a status code to mask with."""

    VALUE = "value"
    COUNT = "count"
    STATUS = "status"


@dataclass(frozen=True)
class ResultField:
    """One per-spectrum result an analysis writes (a (P, N) dataset; (P, N*S) ``per_point``,
    stored in the columns of the source's own spectroscopic table)."""

    name: str
    dtype: str
    quantity: str
    units: str
    fill: float
    kind: FieldKind = FieldKind.VALUE
    title: str = ""  # what the GUI calls its map; defaults to the quantity
    compound: str = ""  # stored as member ``member`` of this compound dataset (BGlib's Fit)
    member: str = ""
    compound_quantity: str = ""  # the compound dataset's quantity (its units are "compound")
    # one value per spectral point (N*S per position, a projected loop) instead of per spectrum
    per_point: bool = False
    # a STATUS field's codes and the short name of each, as a map's legend shows them
    codes: tuple[tuple[int, str], ...] = ()

    @property
    def label(self) -> str:
        """What readouts and map titles call the field, as plain text (sidpy's TeX-ish axis
        names become √E, not $\\sqrt E$)."""
        return plain_label(self.title or self.quantity)

    @property
    def dataset(self) -> str:
        """The HDF5 dataset that holds this field: its own, or the shared compound one."""
        return self.compound or self.name


@dataclass(frozen=True)
class DerivedField:
    """A map computed from stored fields when shown (never stored), e.g. A*cos(phi)."""

    name: str
    title: str
    quantity: str
    units: Callable[[SpectralContext], str]
    compute: Callable[[dict[str, np.ndarray]], np.ndarray]
    needs: tuple[str, ...]  # the stored fields it is computed from


@dataclass(frozen=True)
class FitQuality:
    """A goodness-of-fit field (R²) and the value below which a fit is masked on the other
    maps; the user may move the cut-off, so it is not inside ``Analysis.bad``."""

    field: str
    default: float = 0.9


@dataclass(frozen=True)
class SpectralContext:
    """What an analysis may know about the data: the spectral axis, the data's quantity and
    the other spectroscopic dimensions (``steps``, slowest first: Field, then cycles...)."""

    axis: Dimension
    quantity: str = "Signal"
    units: str = "a. u."
    steps: tuple[Dimension, ...] = ()

    @property
    def n_points(self) -> int:
        return self.axis.size


@dataclass
class PixelDetail:
    """Everything an analysis found for one spectrum: ``values`` (the same fields the kernel
    writes, as Python numbers) plus what its view draws, as the analysis' own typed dataclass
    in ``detail`` (e.g. a ``ShoDetail``), so the view reads named attributes, not string keys."""

    spectrum: np.ndarray
    values: dict[str, float]
    notes: list[str] = field(default_factory=list)  # e.g. "no peak found: centre bin taken"
    detail: Any = None
    # untyped keys, read by views only where ``detail`` is None: kept for one release so that
    # analyses written against it still draw (convert them to a ``detail`` dataclass)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ResultsInput:
    """A chained analysis' input: fields of another analysis' results along one of their
    spectroscopic dimensions, e.g. the SHO fit's amplitude and phase along ``DC_Offset``.

    ``convert`` maps ``{field: (n, C) array}`` (every column of the upstream results, for n
    positions) to the (n, C) values the kernel sees as spectra; it must be a module-level
    function, as the kernel is. ``quantity``/``units`` describe the converted values (empty:
    those of the first needed field).
    """

    analysis: str  # the upstream analysis, e.g. "sho"
    dimension: str  # the upstream spectroscopic dimension the new spectra run along
    needs: tuple[str, ...]  # upstream field names read, e.g. ("Fit_Amplitude", "Fit_Phase")
    convert: Callable[[dict[str, np.ndarray]], np.ndarray]
    quantity: str = ""
    units: str = ""


Kernel = Callable[[np.ndarray, ParamValues, SpectralContext], dict[str, np.ndarray]]
Inspect = Callable[[np.ndarray, ParamValues, SpectralContext], PixelDetail]


@dataclass(frozen=True)
class Analysis:
    """The declaration of one analysis; see the module docstring.

    ``kernel`` must be a module-level function (worker processes and Dask import it by name).
    A ``per_position`` kernel gets (n, N, S) blocks (all steps of whole positions) and returns
    per-spectrum fields as (n, N) and ``per_point`` fields as (n, N, S); its ``inspect`` gets
    the (N, S) spectra of one position.
    """

    name: str  # identifier: entry-point name, --analysis NAME
    title: str  # what a person reads
    group_name: str  # results groups are <main>-<group_name>_NNN
    parameters: tuple[Parameter, ...]
    fields: Callable[[SpectralContext], list[ResultField]]
    kernel: Kernel
    inspect: Inspect
    provenance: Callable[[], dict[str, str]] = dict
    description: str = ""
    min_points: int = 1
    releases_gil: bool = False
    validate: Callable[[ParamValues], None] | None = None  # cross-parameter checks
    bytes_per_spectrum: Callable[[int, ParamValues], int] = lambda s, p: 16 * s
    workspace_bytes: Callable[[int, ParamValues], int] = lambda s, p: 0
    prepare: Callable[[ParamValues, SpectralContext], None] | None = None
    derived: tuple[DerivedField, ...] = ()
    # which spectra to mask on maps (failed fits, no peak found), from the stored fields
    bad: Callable[[dict[str, np.ndarray]], np.ndarray] | None = None
    bad_needs: tuple[str, ...] = ()
    quality: FitQuality | None = None  # also masked: this field below the user's cut-off
    check_axis: Callable[[ParamValues, SpectralContext], str | None] | None = None
    input: ResultsInput | None = None  # None: raw spectra; else another analysis' results
    per_position: bool = False
    # the GUI view that draws this analysis' pixel detail, "package.module:Class" (imported by
    # the GUI only, so the core never loads Qt); "" lets the GUI choose by priority
    view: str = ""

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.parameters) or "none"
        raise ValueError(f"{self.title} has no parameter {name!r} (it has: {known})")

    def defaults(self) -> ParamValues:
        return {p.name: p.default for p in self.parameters}

    def values(self, given: Mapping[str, Any] | None = None) -> ParamValues:
        """Defaults overlaid with ``given``, converted and checked; ValueError names the fault."""
        given = dict(given or {})
        for name in given:
            self.parameter(name)
        out = {p.name: p.convert(given.get(p.name, p.default)) for p in self.parameters}
        if self.validate is not None:
            self.validate(out)
        return out

    def from_attrs(self, attrs: Mapping[str, Any]) -> ParamValues:
        """Parameter values read back from a results group's attributes."""
        out = {}
        for p in self.parameters:
            raw = attrs.get(p.name, p.default)
            if isinstance(raw, bytes):
                raw = raw.decode()
            if isinstance(raw, np.generic):
                raw = raw.item()
            out[p.name] = p.convert(raw)
        return out

    def check_points(self, ctx: SpectralContext) -> str | None:
        """Why spectra of this length cannot be analysed (None when they can)."""
        if ctx.n_points < self.min_points:
            return (f"spectra along {plain_label(ctx.axis.name)} have only {ctx.n_points} point(s); "
                    f"{self.title} needs at least {self.min_points}")
        return None

    def check_on_axis(self, params: ParamValues, ctx: SpectralContext) -> None:
        """ParameterError naming a position on the spectral axis (a band edge) that lies
        outside this data's axis: refused in place, before a run."""
        for p in self.parameters:
            why = p.outside(params.get(p.name), ctx.axis)
            if why:
                raise ParameterError(why, p.name)

    def check(self, params: ParamValues, ctx: SpectralContext) -> str | None:
        """Why these parameters cannot work on this axis (a band outside it, say)."""
        return self.check_axis(params, ctx) if self.check_axis is not None else None
