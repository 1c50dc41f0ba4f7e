"""Saving the shown map: a PNG as it looks (axes, colours) and its values as CSV or NumPy."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .map_view import MapView


def export_png(view: MapView, path: str | os.PathLike) -> Path:
    """The map as drawn (image, axes, title and colour scale), at the widget's size."""
    path = Path(path)
    pixmap = view.graphics_widget().grab()
    if not pixmap.save(str(path), "PNG"):
        raise OSError(f"{path}: could not be written")
    return path


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

