"""Saving the shown map: a figure drawn from its data (PNG or SVG) and its values as CSV or NumPy."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..widgets.map_view import MapView
from .figures import default_scale, map_figure, save_map_figure


def export_png(view: MapView, path: str | os.PathLike, integer: bool = False,
               scale: int | None = None, dpi: float = 300) -> Path:
    """The shown map as a figure (PNG, or SVG by the suffix): title, the map at ``scale`` image
    pixels per scan point (None: about 512 pixels wide), colour bar and scale bar, painted from
    the data with the view's levels and colormap; never a screen grab (no cursor, no marks)."""
    fig = map_figure(view, integer)
    return save_map_figure(fig, path, scale or default_scale(fig), dpi)


def export_values(view: MapView, path: str | os.PathLike) -> Path:
    """The shown map's values: ``.npy`` with np.save (no pickle), anything else as CSV.

    CSV rows are image rows; not-computed pixels are ``nan``; a commented header says what
    the numbers are and where the pixels sit.
    """
    path = Path(path)
    image = view.shown_image()  # as drawn: angles in the chosen unit
    if image is None:
        raise ValueError("the shown map has no values yet")
    if path.suffix.lower() == ".npy":
        np.save(path, np.asarray(image), allow_pickle=False)
        return path
    grid = view.grid()
    header = [f"PeakGUI map: {view.title_text()}",
              f"units: {view.shown_units() or '-'}",
              f"shape: {image.shape[0]} rows x {image.shape[1]} columns; nan = not computed"]
    if grid is not None:
        header.append(f"columns: {grid.x_name} from {grid.x_values[0]:.6g} step {grid.dx:.6g} "
                      f"{grid.x_units}; rows: {grid.y_name} from {grid.y_values[0]:.6g} step "
                      f"{grid.dy:.6g} {grid.y_units}")
    np.savetxt(path, image, delimiter=",", fmt="%.9g", header="\n".join(header))
    return path

