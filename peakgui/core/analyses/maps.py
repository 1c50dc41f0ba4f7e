"""What a map of an analysis' results shows beyond the stored fields, and how map layers are named.

Derived maps (``Analysis.derived``, e.g. A·cos φ) are computed from stored fields whenever shown
and never stored; the mask of bad spectra (``Analysis.bad`` over ``bad_needs``) marks failed fits
or spectra without a peak. Both need only the declaration and arrays, so the GUI, a script or a
figure export compute them the same way.

A map layer is one of three kinds, each its own type so that a result field called "mean" can
never be taken for a navigator: a :class:`Navigator` (computed from the raw spectra), a result
field (its name, a ``str``: stored or derived), or a :class:`Difference` of one field between two
results groups.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from peakgui.core.analyses.declaration import Analysis, DerivedField


class Navigator(enum.Enum):
    """The maps computed from the raw spectra before any analysis has run."""

    MEAN = "mean"
    BIN = "bin"

    @property
    def label(self) -> str:
        return "Navigator: mean |x|" if self is Navigator.MEAN else "Navigator: |x| at a bin"

    def __str__(self) -> str:  # file names and window titles: "mean", "bin"
        return self.value


@dataclass(frozen=True)
class Difference:
    """The shown results group's ``field`` minus the same field of another group."""

    field: str

    def __str__(self) -> str:
        return f"difference_{self.field}"


LayerKey = Navigator | Difference | str
"""A map layer's key: a navigator, a difference map, or a result field's name."""


def field_of(key: LayerKey | None) -> str | None:
    """The result field a layer shows (a difference's field too); None for navigators."""
    if isinstance(key, Difference):
        return key.field
    return key if isinstance(key, str) else None


def _all_there(images: Mapping[str, np.ndarray | None],
               names: tuple[str, ...]) -> dict[str, np.ndarray] | None:
    """The named arrays, or None while one of them does not exist yet."""
    found = {n: images.get(n) for n in names}
    if any(v is None for v in found.values()):
        return None
    return {n: v for n, v in found.items() if v is not None}


def mask_needs(analysis: Analysis) -> tuple[str, ...]:
    """The fields the mask of bad spectra is computed from (the quality field included)."""
    extra = (analysis.quality.field,) if analysis.quality is not None else ()
    return tuple(dict.fromkeys(analysis.bad_needs + extra))


def bad_mask(analysis: Analysis | None, images: Mapping[str, np.ndarray | None],
             r2_min: float | None = None) -> np.ndarray | None:
    """Pixels the analysis declares bad, among those computed (None: no mask applies): its
    ``bad`` rule, and its quality field below ``r2_min`` (default: the declared cut-off)."""
    if analysis is None or analysis.bad is None or not analysis.bad_needs:
        return None
    needed = _all_there(images, mask_needs(analysis))
    if needed is None:
        return None
    computed = np.logical_and.reduce([np.isfinite(v) for v in needed.values()])
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        bad = np.asarray(analysis.bad(needed)).astype(bool)
        q = analysis.quality
        if q is not None:
            cut = q.default if r2_min is None else r2_min
            bad = bad | ~(np.asarray(needed[q.field]) >= cut)
    return np.asarray(bad & computed)


def derived_image(field: DerivedField,
                  images: Mapping[str, np.ndarray | None]) -> np.ndarray | None:
    """A derived field computed from the stored fields' arrays (None until they all exist)."""
    needed = _all_there(images, field.needs)
    if needed is None:
        return None
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return np.asarray(field.compute(needed), dtype=np.float64)


def with_derived(analysis: Analysis | None,
                 values: dict[str, np.ndarray] | None) -> dict[str, np.ndarray] | None:
    """Stored values (of a map, a pixel's loop...) plus the analysis' derived fields."""
    if values is None or analysis is None:
        return values
    out = dict(values)
    for d in analysis.derived:
        img = derived_image(d, values)
        if img is not None:
            out[d.name] = img
    return out
