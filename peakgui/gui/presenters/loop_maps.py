"""What the maps of a loop-fit group add to the other result maps: the in-field minus
out-of-field difference of every switching parameter (electrostatic contributions show there),
masks with the user's threshold on the standard errors of V+ and V- (the R² cut-off is the map's
own, beside its Mask box, as for every analysis that declares one), and a legend of the status
codes.

The group's own fields (every switching value, its standard error, R² and the status, per field
and cycle) are result layers like any analysis'; the difference maps are added beside them, read
in a worker, and share the levels, export and region tools of every map.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Generator

import numpy as np
from PyQt5.QtCore import QObject, pyqtSignal
from PyQt5.QtWidgets import QDoubleSpinBox, QLabel, QSizePolicy

from ...core.analyses.loop_fit.analysis import UNCERTAIN, loop_mask
from ...core.analyses.loop_fit.fields import STATUS, switching_field
from ...core.analyses.loop_fit.status import SHORT
from ...core.analyses.loop_fit.switching import SWITCHING_NAMES
from ...core.io.results_read import read_step
from ..formatting import error_text
from ..session import Configured, Session
from ..views.loop_fit import LoopFitView
from ..widgets.info_bar import InfoBar, InfoKind
from ..workers import LatestOnly
from .analysis_presenter import AnalysisPresenter
from .feedback import Feedback
from .map_layers import MapLayers
from .results_browser import ResultsBrowser
from .results_maps import ResultsMaps

ANALYSIS = "loop_fit"
FIELD_DIM = "Field"
IN_FIELD = 1  # BGlib's Field_parameters ['out-of-field', 'in-field'], indexed by the value
DIFFERENCE = "In − out of field"


def difference_key(name: str) -> str:
    """The layer of a field's in-field minus out-of-field map."""
    return f"field_difference:{name}"


def field_steps(maps: ResultsMaps) -> tuple[int, int] | None:
    """(in-field step, out-of-field step) of the group at the shown cycle (None: no Field
    dimension with both)."""
    others = [d for d in maps.layout.others if d.size > 0]
    names = [d.name for d in others]
    if FIELD_DIM not in names:
        return None
    k = names.index(FIELD_DIM)
    values = list(np.asarray(others[k].values).tolist())
    if IN_FIELD not in values or len(values) < 2:
        return None
    sizes = [d.size for d in others]
    idx = [int(i) for i in np.unravel_index(maps.step, sizes)]
    out = []
    for v in (IN_FIELD, next(x for x in values if x != IN_FIELD)):
        idx[k] = values.index(v)
        out.append(int(np.ravel_multi_index(idx, sizes)))
    return out[0], out[1]


def read_differences(maps: ResultsMaps, names: list[str], steps: tuple[int, int]
                     ) -> Generator[dict[str, np.ndarray], None, None]:
    """The worker's generator: each field at both steps, in-field minus out-of-field."""
    group = maps.group
    a = read_step(maps.ref, names, steps[0])
    b = read_step(maps.ref, names, steps[1])
    yield {n: group.layout.to_image(np.where(group.done_mask, a[n] - b[n], np.nan))
           for n in names}


def status_legend() -> str:
    """The codes a status map shows, one short word each."""
    return "Status: " + " · ".join(f"<b>{int(s)}</b> {w}" for s, w in SHORT.items())


def _threshold_box(top: float, value: float, prefix: str, suffix: str,
                   tip: str) -> QDoubleSpinBox:
    """A compact threshold box (no arrows: it shares one row of a narrow dock)."""
    box = QDoubleSpinBox()
    box.setRange(0.0, top)
    box.setDecimals(3)
    box.setSingleStep(0.01)
    box.setValue(value)
    box.setPrefix(prefix)
    box.setSuffix(suffix)
    box.setToolTip(tip)
    box.setButtonSymbols(QDoubleSpinBox.NoButtons)
    return box


class LoopMaps(QObject):
    """Mask thresholds while the loop fit is chosen (in its panel); difference maps and the
    status legend for its groups."""

    sigDifferencesShown = pyqtSignal()
    """The difference maps of the shown group are there."""

    def __init__(self, results: ResultsBrowser, parent: QObject | None = None):
        """Everything it works with is the results browser's: the session, the map's layers,
        the analysis presenter, the info bar and the feedback."""
        super().__init__(parent)
        self.session: Session = results.session
        self.analysis: AnalysisPresenter = results.analysis
        self.info_bar: InfoBar = results.info_bar
        self.layers: MapLayers = results.layers
        self.results = results
        self.feedback: Feedback = results.feedback
        session, analysis, layers = self.session, self.analysis, self.layers
        self._reader = LatestOnly(self)
        self._se = _threshold_box(10.0, UNCERTAIN, "σ(V±)≤", "w", "Mask loops whose V+ or V- "
                                  "standard error is above this fraction of the loop's width "
                                  "w = V+ − V-")
        self._legend = QLabel(status_legend())
        self._legend.setToolTip("What each status code means; the status map shows codes, "
                                "not a continuous quantity")
        self._legend.setWordWrap(True)  # never widens the dock
        self._legend.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        font = self._legend.font()
        font.setPointSizeF(font.pointSizeF() * 0.85)
        self._legend.setFont(font)
        self._mask_label = QLabel("Mask:")
        self._mask_label.setToolTip("Loops masked on the maps (failed fits always are)")
        self._show_controls()
        analysis.sigViewChanged.connect(self._on_analysis_view_changed)
        self._se.valueChanged.connect(self._on_threshold_changed)
        session.configured_changed.connect(self._on_session_configured_changed)
        results.sigResultsShown.connect(self._on_results_shown)
        layers.sigLayerChanged.connect(lambda _key: self._show_controls())

    # ---- getters and setters (tests, scripts) ---------------------------------------------------
    def thresholds(self) -> tuple[float, float]:
        """(R² cut-off, the map's own; sigma(V±) fraction, this panel's)."""
        return self.layers.r2_spin().value(), self._se.value()

    def set_thresholds(self, r2_min: float, se_fraction: float) -> None:
        self.layers.r2_spin().setValue(r2_min)
        self._se.setValue(se_fraction)

    def legend(self) -> QLabel:
        return self._legend

    def busy(self) -> bool:
        return self._reader.busy()

    def abort(self) -> None:
        self._reader.abort()

    # ---- the session and the results ------------------------------------------------------------
    def _active(self) -> bool:
        a = self.session.configured.analysis
        return a is not None and a.name == ANALYSIS

    def _show_controls(self) -> None:
        on = self._active()
        for w in (self._mask_label, self._se):
            w.setVisible(on)
        self._legend.setVisible(on and self.layers.current() == STATUS)

    def _on_analysis_view_changed(self, view) -> None:
        """The loop view's panel (the window's loop-fit dock) holds the thresholds and the
        legend: the bars around the map have no room to spare at 1366 pixels."""
        if isinstance(view, LoopFitView):
            view.panel().add_controls([self._mask_label, self._se], self._legend)

    def _on_session_configured_changed(self, configured: Configured) -> None:
        self._show_controls()
        if self._active():
            self._apply_mask()
            self._offer_upstream(configured)

    def _offer_upstream(self, configured: Configured) -> None:
        """No complete SHO group to read: say so in one line and offer to choose the SHO fit
        (whose Start runs it, or whose Resume completes a partial group)."""
        a = configured.analysis
        if (a is None or a.input is None or configured.valid or self.session.source is None
                or "first" not in configured.error):
            return
        upstream = a.input.analysis
        self.info_bar.show_message(
            html.escape(configured.error), InfoKind.INFO,
            [("Choose the SHO fit" if upstream == "sho" else f"Choose {upstream}",
              lambda: self.analysis.panel.set_analysis(upstream))])

    def _on_threshold_changed(self, _value: float) -> None:
        if self._active():
            self._apply_mask()

    def _apply_mask(self) -> None:
        """The layers' analysis with the thresholds as typed; the map is drawn again."""
        s = self.layers.state
        if s.analysis is None or s.analysis.name != ANALYSIS:
            return
        s.analysis = dataclasses.replace(s.analysis, bad=loop_mask(self._se.value()))
        self.layers.redraw()

    def _on_results_shown(self, maps: ResultsMaps) -> None:
        self._show_controls()
        if not self._active() or str(maps.attrs.get("analysis", "")) != ANALYSIS:
            return
        steps = field_steps(maps)
        if steps is None:
            return
        stored = {f.name for f in maps.group.fields}
        names = [switching_field("Fit", n) for n in SWITCHING_NAMES
                 if switching_field("Fit", n) in stored]
        self._reader.start(read_differences, maps, names, steps,
                           on_yield=lambda images: self._show_differences(maps, images),
                           on_error=lambda exc: self.feedback.status(
                               f"Difference maps cannot be read: {error_text(exc)}", 10000))

    def _show_differences(self, maps: ResultsMaps, images: dict[str, np.ndarray]) -> None:
        if self.results.results is not maps:
            return  # another group (or step) is shown by now
        s = self.layers.state
        specs = [(k, s.layer(k).label, s.layer(k).integer) for k in s.result_keys()
                 if s.layer(k).derived is None and not str(k).startswith("field_difference:")]
        labels = {k: s.layer(k).label for k, _, _ in specs}
        units = {k: s.layer(k).units for k, _, _ in specs}
        short = {n: labels.get(n, n).removeprefix("Loop fit: ") for n in images}
        specs += [(difference_key(n), f"{DIFFERENCE}: {short[n]}", False) for n in images]
        self.layers.set_result_layers(specs)
        for name, image in images.items():
            self.layers.set_layer(difference_key(name), image,
                                  f"{DIFFERENCE}: {short[name]} · {maps.short_name}",
                                  units.get(name, ""))
        self.sigDifferencesShown.emit()
