"""The layers a map can show and which one is shown, without a widget.

:class:`LayerSet` is the state behind the map's "Show:" chooser: the two navigators, the result
fields of the shown analysis (stored and derived), a difference map, each with its image (kept by
reference, so a live map updated in place shows on refresh), title, units and the levels the user
set. It composes what the map draws (a derived map computed, bad pixels blanked) but draws
nothing; :class:`~peakgui.gui.presenters.map_layers.MapLayers` binds it to the widgets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ...core.analyses.declaration import (
    Analysis,
    DerivedField,
    FieldKind,
    ResultField,
    SpectralContext,
)
from ...core.analyses.maps import (
    Difference,
    LayerKey,
    Navigator,
    bad_mask,
    derived_image,
    mask_needs,
)
from ..formatting import is_angle
from ..widgets.colormaps import CYCLIC


@dataclass
class Layer:
    """One map: its image (kept by reference), what it is, and levels the user set."""

    key: LayerKey
    label: str
    image: np.ndarray | None = None
    title: str = ""
    units: str = ""
    integer: bool = False
    levels: tuple[float, float] | None = None
    derived: DerivedField | None = None  # computed from other layers when drawn


@dataclass
class Composed:
    """What the map draws for the shown layer: the image, the masked pixels, the title."""

    layer: Layer
    image: np.ndarray | None
    mask: np.ndarray | None  # bad pixels blanked on the image (None: no mask drawn)
    title: str


class LayerSet:
    """Every layer of the map, in the chooser's order, and the shown one."""

    def __init__(self) -> None:
        self._layers: dict[LayerKey, Layer] = {n: Layer(n, n.label) for n in Navigator}
        self.current: LayerKey = Navigator.MEAN
        self.analysis: Analysis | None = None
        self.context: SpectralContext | None = None
        self.bad_label = "masked"
        self.mask_on = True
        self.r2_min: float | None = None  # the user's R² cut-off (None: the declared one)
        self.own_colormaps: dict[str, str] = {}  # "angle" -> the colormap phase maps take

    # ---- reading --------------------------------------------------------------------------------
    def keys(self) -> list[LayerKey]:
        return list(self._layers)

    def __contains__(self, key: object) -> bool:
        return key in self._layers

    def layer(self, key: LayerKey) -> Layer:
        return self._layers[key]

    def get(self, key: LayerKey | None) -> Layer | None:
        return self._layers.get(key) if key is not None else None

    def image(self, key: LayerKey | None) -> np.ndarray | None:
        layer = self.get(key)
        return layer.image if layer is not None else None

    def result_keys(self) -> list[LayerKey]:
        return [k for k in self._layers if not isinstance(k, Navigator)]

    def derived_keys(self) -> list[LayerKey]:
        return [k for k, layer in self._layers.items() if layer.derived is not None]

    def images(self) -> dict[str, np.ndarray | None]:
        """The result fields' images by name (what derived maps and the mask are made of)."""
        return {k: v.image for k, v in self._layers.items() if isinstance(k, str)}

    def available(self, key: LayerKey) -> bool:
        """The layer can be drawn now (its image, or every input of a derived one, exists)."""
        layer = self._layers[key]
        if layer.derived is not None:
            images = self.images()
            return all(images.get(n) is not None for n in layer.derived.needs)
        return layer.image is not None or key is Navigator.BIN  # the bin one is made on demand

    # ---- the analysis ---------------------------------------------------------------------------
    def masks(self) -> bool:
        """The analysis declares which spectra are bad."""
        return self.analysis is not None and self.analysis.bad is not None

    def mask(self) -> np.ndarray | None:
        """The bad pixels of the result maps (None: the analysis declares no mask)."""
        return bad_mask(self.analysis, self.images(), self.r2_cut())

    def r2_cut(self) -> float | None:
        """The R² below which fits are masked (None: the analysis judges no R²)."""
        q = self.analysis.quality if self.analysis is not None else None
        if q is None:
            return None
        return q.default if self.r2_min is None else self.r2_min

    def declared(self, key: LayerKey) -> ResultField | None:
        """The analysis' declaration of a stored field (None: not one of its fields)."""
        if self.analysis is None or self.context is None or not isinstance(key, str):
            return None
        return next((f for f in self.analysis.fields(self.context) if f.name == key), None)

    def mask_applies(self, layer: Layer) -> bool:
        """Masks blank value maps (and derived ones), never counts, status codes, navigators
        or the R² the mask is judged by: those say why a pixel is masked."""
        q = self.analysis.quality if self.analysis is not None else None
        return (self.mask_on and self.mask_controls_apply(layer.key)
                and (q is None or layer.key != q.field))

    def mask_controls_apply(self, key: LayerKey) -> bool:
        """Whether Mask and the R² cut-off mean anything on this layer: the value maps they
        blank, and the R² map whose cut-off its readout states; not status codes, counts or
        navigators."""
        layer = self._layers.get(key)
        if layer is None or not self.masks() or not isinstance(key, str):
            return False
        q = self.analysis.quality if self.analysis is not None else None
        return not layer.integer or (q is not None and key == q.field)

    def inputs(self, layer: Layer) -> set[str]:
        """The fields a layer is drawn from besides its own image (derived inputs, the mask)."""
        out = set(layer.derived.needs) if layer.derived is not None else set()
        if self.analysis is not None and self.mask_applies(layer):
            out |= set(mask_needs(self.analysis))
        return out

    def codes(self, key: LayerKey) -> tuple[tuple[int, str], ...]:
        """A status layer's codes and names, as declared (empty: not a status layer)."""
        fld = self.declared(key)
        return fld.codes if fld is not None and fld.kind is FieldKind.STATUS else ()

    def own_colormap(self, key: LayerKey) -> str | None:
        """The colormap a layer takes instead of the user's: cyclic for angles (-π meets +π),
        or the one the user chose while such a map was shown."""
        layer = self._layers.get(key)
        if layer is None or isinstance(key, Difference) or not is_angle(layer.units):
            return None
        return self.own_colormaps.get("angle", CYCLIC)

    def quality_note(self, key: LayerKey) -> str | None:
        """For the R² map: the cut-off a value is below ('below 0.90: masked on other
        maps'), as a format for :meth:`describe`; None for other layers."""
        q = self.analysis.quality if self.analysis is not None else None
        cut = self.r2_cut()
        if q is None or cut is None or key != q.field:
            return None
        shown = f"{cut:.2f}" if round(cut, 2) == cut else f"{cut:.3f}"
        return f"(below {shown}: masked on other maps)" if self.mask_on else \
            f"(below {shown}: masked on other maps when Mask is ticked)"

    # ---- content --------------------------------------------------------------------------------
    def clear(self) -> None:
        """Result layers removed, the navigators emptied (file closed or dataset changed)."""
        self.set_result_layers([])
        for layer in self._layers.values():
            layer.image, layer.title, layer.units, layer.levels = None, "", "", None

    def set_result_layers(self, layers: Sequence[tuple[LayerKey, str, bool]]) -> None:
        """The result fields the map can show: (key, label, integer) each, in order. Layers
        already there keep their images when they are asked for again; the analysis' derived
        fields whose inputs are among them follow. A shown layer that goes leaves the first."""
        keys = {k for k, _, _ in layers}
        derived = [d for d in (self.analysis.derived if self.analysis else ())
                   if set(d.needs) <= keys and d.name not in keys]
        keep = {k: self._layers[k] for k, _, _ in layers if k in self._layers}
        for key in self.result_keys():
            del self._layers[key]
        for key, label, integer in layers:
            old = keep.get(key)
            layer = Layer(key, label, integer=integer)
            if old is not None:
                layer.image, layer.title, layer.units = old.image, old.title, old.units
            self._layers[key] = layer
        for d in derived:
            units = d.units(self.context) if self.context is not None else ""
            self._layers[d.name] = Layer(d.name, d.title, units=units, derived=d)
        if self.current not in self._layers:
            self.current = next(iter(self._layers))

    def set_layer(self, key: LayerKey, image: np.ndarray | None, title: str = "",
                  units: str = "") -> None:
        """Give a layer its image (by reference) and what it is; its levels start again."""
        layer = self._layers[key]
        layer.image, layer.title, layer.units, layer.levels = image, title or layer.label, \
            units, None
        self._retitle_derived(key, layer.title)

    def set_title(self, key: LayerKey, title: str) -> None:
        self._layers[key].title = title
        self._retitle_derived(key, title)

    def feeds_shown(self, key: LayerKey) -> bool:
        """A change of ``key``'s image changes what the map shows."""
        shown = self._layers.get(self.current)
        return shown is not None and (key == self.current or key in self.inputs(shown))

    def composed(self, key: LayerKey | None) -> bool:
        """The layer is drawn composed (derived, or masked), not as its image alone."""
        layer = self.get(key)
        return layer is not None and (layer.derived is not None or self.mask_applies(layer))

    def mask_summary(self, count: int) -> str:
        """'12 pixels without a peak', as the analysis' view words it."""
        return f"{count:,} pixel{'s' if count != 1 else ''} {self.bad_label}"

    def compose(self, mask_colour_name: str) -> Composed | None:
        """The shown layer as the map draws it (None: no such layer)."""
        layer = self._layers.get(self.current)
        if layer is None:
            return None
        image = layer.image
        if layer.derived is not None:
            image = layer.image = derived_image(layer.derived, self.images())
        mask = self.mask() if self.mask_applies(layer) and image is not None else None
        title = layer.title or layer.label
        if mask is None or image is None or mask.shape != image.shape or not mask.any():
            return Composed(layer, image, None, title)
        title += f" · {self.mask_summary(int(mask.sum()))} ({mask_colour_name})"
        return Composed(layer, np.where(mask, np.nan, image), mask, title)

    def _retitle_derived(self, key: LayerKey, input_title: str) -> None:
        """A derived map is titled like its first input (the group, 'running', the step)."""
        first = self._layers[key]
        rest = input_title[len(first.label):] if input_title.startswith(first.label) else ""
        for layer in self._layers.values():
            if layer.derived is not None and layer.derived.needs[0] == key:
                layer.title = layer.label + rest
