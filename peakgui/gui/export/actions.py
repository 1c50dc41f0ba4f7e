"""File ▸ Export: the map, the spectrum and the loop as figures (PNG or SVG) and as data (CSV).

Figures are drawn from the data (see :mod:`peakgui.gui.export.figures`); the map figure's size (image
pixels per scan point) and DPI are remembered settings, chosen in "Figure options…".
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from PyQt5.QtCore import QObject
from PyQt5.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QMenu,
    QSpinBox,
    QWidget,
)

from ...core.io.source import SpectralSource
from ...core.labels import plain_label
from ..app.settings import Settings
from ..formatting import error_text
from ..presenters.feedback import Feedback
from ..presenters.map_layers import MapLayers
from ..presenters.map_tools import MapTools
from ..session import Session
from ..views.loop_plot import LoopPlot
from ..widgets.map_view import MapView
from ..widgets.parts import action
from ..widgets.spectrum_view import SpectrumView
from .figures import save_columns, save_plot
from .map_export import export_png

FIGURE_FILTER = "PNG images (*.png);;SVG drawings (*.svg)"
CSV_FILTER = "CSV tables (*.csv)"
_SCALE_KEY, _DPI_KEY = "figures/pixels_per_point", "figures/dpi"


def plain_text(rich: str) -> str:
    """A label's rich text as one plain line (for CSV headers)."""
    text = re.sub(r"<[^>]+>", "", rich or "").replace("&nbsp;", " ")
    for a, b in (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"), ("&quot;", '"')):
        text = text.replace(a, b)
    return " ".join(text.split())


class FigureOptionsDialog(QDialog):
    """Pixels per scan point (0: about 512 pixels wide) and DPI of map figures."""

    def __init__(self, scale: int, dpi: int, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Figure options")
        self.scale_spin = QSpinBox()
        self.scale_spin.setRange(0, 32)
        self.scale_spin.setSpecialValueText("auto (about 512 px wide)")
        self.scale_spin.setValue(scale)
        self.scale_spin.setToolTip("Image pixels per scan point: 1 = native resolution")
        self.dpi_spin = QSpinBox()
        self.dpi_spin.setRange(72, 2400)
        self.dpi_spin.setSuffix(" dpi")
        self.dpi_spin.setValue(dpi)
        self.dpi_spin.setToolTip("Resolution recorded in the figure; sets the size of its text")
        form = QFormLayout(self)
        form.addRow("Pixels per scan point:", self.scale_spin)
        form.addRow("Resolution:", self.dpi_spin)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


_ACTIONS = (  # name (its writer is export_<name>), menu text, tooltip, save dialog title
    ("spectrum_figure", "Spectrum as &figure (PNG or SVG)…",
     "The spectrum plot with the pixel test's overlay, drawn from its items",
     "Export spectrum as figure"),
    ("spectrum_csv", "Spectrum &data as CSV…",
     "The shown spectrum (axis, |x|, phase, real, imaginary) and the test's values",
     "Export spectrum data"),
    ("loop_figure", "&Loop as figure (PNG or SVG)…", "The loop plots of the selected pixel",
     "Export loop as figure"),
    ("loop_csv", "Loop data as CS&V…",
     "The loop curves (test and results) against the remaining dimension", "Export loop data"),
    ("profile_csv", "Line &profile as CSV…",
     "Distance along the line and the shown map's values there", "Export line profile"),
    ("region_csv", "&Region statistics as CSV…", "Statistics of the shown map inside the region",
     "Export region statistics"),
)


_LOOP_ACTIONS = ("loop_figure", "loop_csv")


class ExportActions(QObject):
    """The Export submenu's actions beyond the map's values, and their slots."""

    def __init__(self, session: Session, settings: Settings, feedback: Feedback,
                 map_view: MapView, layers: MapLayers, spectrum_view: SpectrumView,
                 loop_plot: LoopPlot, map_tools: MapTools, parent: QWidget):
        super().__init__(parent)
        self.session, self.settings, self.feedback = session, settings, feedback
        # what is exported: the map and its layers, the spectrum, the loop, the map tools' data
        self.map_view, self.layers, self.spectrum_view = map_view, layers, spectrum_view
        self.loop_plot, self.map_tools, self.parent_widget = loop_plot, map_tools, parent
        self.actions = {name: action(parent, text, lambda _=False, n=name, t=title: self._save(n, t),
                                     tip, f"export_{name}")
                        for name, text, tip, title in _ACTIONS}
        self.actions["figure_options"] = action(
            parent, "Figure &options…", self._on_figure_options_triggered,
            "Pixels per scan point and DPI of exported map figures", "figure_options")
        self._loop_tips = {name: self.actions[name].toolTip() for name in _LOOP_ACTIONS}
        session.source_changed.connect(self._on_source_changed)
        self._on_source_changed(session.source)

    def _on_source_changed(self, source: SpectralSource | None) -> None:
        """The loop exports only for data with steps besides the spectral axis (BEPS: DC,
        field): plain BE data has no loop, and a menu entry that can only fail says why."""
        why = ("no dataset is open" if source is None else
               "" if source.layout.others else
               "this dataset has no loop: no DC or field steps besides the spectral axis")
        for name, tip in self._loop_tips.items():
            act = self.actions[name]
            act.setEnabled(not why)
            act.setToolTip(tip if not why else f"Not available: {why}")
            act.setStatusTip(act.toolTip())

    def fill_menu(self, menu: QMenu) -> None:
        menu.setToolTipsVisible(True)  # a greyed entry's tooltip says why
        for group in (_ACTIONS[:4], _ACTIONS[4:]):
            menu.addSeparator()
            menu.addActions([self.actions[row[0]] for row in group])
        menu.addSeparator()
        menu.addAction(self.actions["figure_options"])

    def _save(self, name: str, title: str) -> None:
        """Ask where, then write ``name`` there (spectrum_figure -> export_spectrum_figure)."""
        act = self.actions[name]
        if not act.isEnabled():  # trigger() from code or a stale shortcut: say why, no dialog
            self.feedback.status(act.toolTip(), 5000)
            return
        what, kind = name.rsplit("_", 1)
        filt, suffix = (FIGURE_FILTER, ".png") if kind == "figure" else (CSV_FILTER, ".csv")
        path = self._ask(title, what, filt, suffix)
        if path:
            self._done(path, getattr(self, f"export_{name}"))

    # ---- options --------------------------------------------------------------------------------
    def options(self) -> tuple[int, int]:
        """(pixels per scan point, 0 = auto; dpi) as remembered."""
        s = self.settings.qsettings
        return int(s.value(_SCALE_KEY, 0) or 0), int(s.value(_DPI_KEY, 300) or 300)

    def set_options(self, scale: int, dpi: int) -> None:
        s = self.settings.qsettings
        s.setValue(_SCALE_KEY, int(scale))
        s.setValue(_DPI_KEY, int(dpi))

    def _on_figure_options_triggered(self) -> None:
        dlg = FigureOptionsDialog(*self.options(), parent=self.parent_widget)
        if dlg.exec_() == QDialog.Accepted:
            self.set_options(dlg.scale_spin.value(), dlg.dpi_spin.value())

    # ---- slots ----------------------------------------------------------------------------------
    def _ask(self, title: str, what: str, filt: str, suffix: str) -> str | None:
        file = self.session.file
        stem = file.stem if file else "peakgui"
        path = self.feedback.dialogs.ask_save_path(
            title, str(Path(self.settings.last_folder()) / f"{stem}_{what}{suffix}"), filt)
        if path and not Path(path).suffix:
            path += suffix
        return path or None

    def _done(self, path: str, job) -> None:
        try:
            job(path)
        except ValueError as exc:  # the writers' own sentence: nothing of that kind is shown
            self.feedback.error("Export failed", str(exc))
            return
        except OSError as exc:
            self.feedback.error("Export failed", error_text(exc))
            return
        self.feedback.status(f"Saved {path}", 5000)

    def export_map_figure(self, path: str) -> None:
        """The shown map as a figure (PNG or SVG), with the remembered size and DPI."""
        key = self.layers.current()
        integer = bool(key in self.layers.keys() and self.layers.layer(key).integer)
        scale, dpi = self.options()
        export_png(self.map_view, path, integer, scale or None, dpi)

    def on_map_figure_triggered(self) -> None:
        path = self._ask("Export map as figure", str(self.layers.current()), FIGURE_FILTER, ".png")
        if path:
            self._done(path, self.export_map_figure)

    def export_spectrum_figure(self, path: str) -> None:
        view = self.spectrum_view
        if view.spectrum() is None:
            raise ValueError("no spectrum is shown")
        save_plot(view.plot_item(), path, plain_text(view.title().text()))

    def export_spectrum_csv(self, path: str) -> None:
        view = self.spectrum_view
        spectrum, axis = view.spectrum(), view.axis()
        if spectrum is None or axis is None:
            raise ValueError("no spectrum is shown")
        name, units = plain_label(axis.name), plain_label(axis.units)
        cols = {f"{name} ({units})" if units else name:
                np.asarray(axis.values, dtype=np.float64), "abs": np.abs(spectrum)}
        if np.iscomplexobj(spectrum):
            cols.update(phase_rad=np.angle(spectrum), real=spectrum.real, imag=spectrum.imag)
        for pin in self.map_tools.pins.pins.pins:
            if len(pin.spectrum) == len(spectrum):  # pinned along the same axis
                cols[f"{pin.label} abs"] = np.abs(pin.spectrum)
        header = [f"PeakGUI spectrum: {plain_text(view.title().text())}",
                  f"pixel test: {plain_text(view.readout().text()) or '-'}"]
        save_columns(path, cols, header)

    def export_loop_figure(self, path: str) -> None:
        loop = self.loop_plot
        if not loop.field_names() or loop.curves("test")[0].size == 0:
            raise ValueError("no loop is shown")
        save_plot(loop.graphics_layout(), path, f"Loop · {loop.note()}")

    def export_loop_csv(self, path: str) -> None:
        loop = self.loop_plot
        x, test = loop.curves("test")
        xr, results = loop.curves("results")
        if x.size == 0 and xr.size == 0:
            raise ValueError("no loop is shown")
        cols = {loop.x_label(): x if x.size else xr}
        cols.update({f"{k} (test)": v for k, v in test.items()})
        cols.update({f"{k} (results)": v for k, v in results.items() if v.size})
        save_columns(path, cols, [f"PeakGUI loop: {loop.note()}"])

    def export_profile_csv(self, path: str) -> None:
        profile = self.map_tools.profile.profile
        d, v = profile.data()
        ends = profile.ends()
        if d.size == 0 or ends is None:
            raise ValueError("no line profile is drawn (Tools ▸ Line profile)")
        plot = profile.widget.getPlotItem()
        du, vu = plot.getAxis("bottom").labelUnits, plot.getAxis("left").labelUnits
        save_columns(path, {f"distance ({du})": d, f"value ({vu or '-'})": v},
                     [f"PeakGUI line profile of: {self.map_view.title_text()}",
                      f"from {ends[0]} to {ends[1]} (map coordinates)"])

    def export_region_csv(self, path: str) -> None:
        regions = self.map_tools.regions
        if not regions.stats:
            raise ValueError("no region is drawn (Tools ▸ Rectangle region)")
        lines = [f"# PeakGUI region statistics: {regions.region.shape} on "
                 f"{self.map_view.title_text()}",
                 f"# units: {plain_label(self.map_view.units()) or '-'}",
                 "statistic,value"]
        lines += [f"{k},{v:.9g}" for k, v in regions.stats.items()]
        Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
