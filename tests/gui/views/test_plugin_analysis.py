"""A lab's analysis with no GUI code of its own: registered, chosen, parametrised, run, shown."""

from __future__ import annotations

import numpy as np
import pytest

from peakgui.core.analyses import registry
from peakgui.core.analyses.declaration import (
    Analysis,
    FieldKind,
    Parameter,
    PixelDetail,
    ResultField,
    SpectralContext,
)
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.progress import ProgressState
from peakgui.gui.views import AnalysisView, view_for
from tests.gui.helpers import open_and_wait, select_and_wait, settle

MEAN, POINTS = "Band_Mean", "Band_Points"


def band_kernel(spectra: np.ndarray, params: dict, ctx: SpectralContext) -> dict:
    """Mean |x| over bins [lo, hi) of each spectrum, and how many bins that was."""
    lo, hi = int(params["lo"]), min(int(params["hi"]), ctx.n_points)
    mag = np.abs(spectra[:, lo:hi]) * params["gain"]
    return {MEAN: mag.mean(axis=1).astype(np.float32),
            POINTS: np.full(len(spectra), hi - lo, dtype=np.uint16)}


def band_inspect(spectrum: np.ndarray, params: dict, ctx: SpectralContext) -> PixelDetail:
    out = band_kernel(spectrum[None, :], params, ctx)
    return PixelDetail(spectrum, {k: v[0].item() for k, v in out.items()})


def _validate(values: dict) -> None:
    if values["lo"] >= values["hi"]:
        raise ValueError("the band needs lo < hi")


BAND_MEAN = Analysis(
    name="band_mean_test",
    title="Band mean (test)",
    group_name="Band_Mean",
    parameters=(
        Parameter("lo", "From bin", int, 10, minimum=0, help="first bin of the band"),
        Parameter("hi", "To bin", int, 30, minimum=1, help="bin after the band"),
        Parameter("gain", "Gain", float, 1.0, unit="x", minimum=0.0, maximum=10.0,
                  decimals=2, help="factor applied to |x|"),
    ),
    fields=lambda ctx: [
        ResultField(MEAN, "float32", "Band mean", ctx.units, np.nan, title="Band mean"),
        ResultField(POINTS, "uint16", "Points", "", 0, kind=FieldKind.COUNT,
                    title="Band points"),
    ],
    kernel=band_kernel,
    inspect=band_inspect,
    validate=_validate,
)


@pytest.fixture
def band_mean():
    registry.register(BAND_MEAN)
    yield BAND_MEAN
    registry._registered.pop(BAND_MEAN.name, None)


def test_a_registered_analysis_runs_in_the_window_with_no_gui_code(qtbot, make_window,
                                                                  small_file, band_mean):
    assert isinstance(view_for(band_mean), AnalysisView)
    assert type(view_for(band_mean)) is AnalysisView  # the generic view: no module for it
    w = make_window()
    chooser = w.params_panel.chooser()
    names = [chooser.itemData(i) for i in range(chooser.count())]
    assert names[0] == "peak_finding" and band_mean.name in names
    open_and_wait(qtbot, w, small_file)
    with qtbot.waitSignal(w.params_panel.sigAnalysisChanged, timeout=2_000):
        chooser.setCurrentIndex(names.index(band_mean.name))
    # the generated panel: one editor per declared parameter, range, unit and help
    boxes = w.params_panel.spin_boxes()
    assert set(boxes) == {"lo", "hi", "gain", "jobs", "max_mem_mb"}
    assert boxes["gain"].text() == "1 x"
    boxes["gain"].setValue(12.0)  # the declared range is the declaration's to say
    assert w.params_panel.error() == "Gain must be at most 10 x, not 12 x"
    boxes["gain"].setValue(1.0)
    assert "factor applied" in boxes["gain"].toolTip()
    assert w.params_panel.params() == {"lo": 10, "hi": 30, "gain": 1.0}
    with qtbot.waitSignal(w.params_panel.sigParamsInvalid, timeout=1_000):
        boxes["lo"].setValue(40)
    assert "lo < hi" in w.params_panel.error() and not w.start_action.isEnabled()
    with qtbot.waitSignal(w.sigPixelTested, timeout=2_000):
        boxes["lo"].setValue(5)
    # the pixel test through the generic view: a readout of the declared values
    rep = select_and_wait(qtbot, w, 3, 4)
    expected = np.abs(rep.spectrum[5:30]).mean()
    assert rep.detail.values[MEAN] == pytest.approx(expected, rel=1e-6)
    text = w.spectrum_view.readout().text()
    assert "Band mean" in text and "Band points" in text and "25" in text
    # a run: the maps are the declared fields, titled and typed from the declaration
    with qtbot.waitSignal(w.run_controller.sigStopped, timeout=60_000):
        assert w.start_run()
    settle(qtbot, w)
    assert w.last_progress.state is ProgressState.FINISHED, w.dialogs.errors
    assert w.last_progress.results.group.endswith("Raw_Data-Band_Mean_000")
    assert w.layers.result_keys() == [MEAN, POINTS]
    src = SpectralSource.open(small_file)
    spectra = src.read(0, src.layout.n_positions)[:, 0, :]
    want = src.layout.to_image(np.abs(spectra[:, 5:30]).mean(axis=1).astype(np.float32))
    np.testing.assert_allclose(w.layers.image(MEAN), want, rtol=1e-6)
    assert w.layers.title(MEAN).startswith("Band mean · Band_Mean_000")
    assert w.layers.units(MEAN) == "V" and w.layers.layer(POINTS).integer
    w.layers.show(POINTS)
    assert w.map_view.readout().text().endswith("Band points = 25")
    # a second run with the same parameters is reused, nothing computed
    with qtbot.waitSignal(w.run_controller.sigStopped, timeout=30_000):
        with qtbot.waitSignal(w.run_controller.sigReused, timeout=30_000) as reused:
            assert w.start_run()
    assert reused.args[0].computed == 0
    # and the choice and its parameters are remembered per analysis
    w.close()
    w2 = make_window()
    assert w2.params_panel.analysis().name == band_mean.name
    assert w2.params_panel.params() == {"lo": 5, "hi": 30, "gain": 1.0}


def test_a_plugin_run_cancelled_in_the_window_resumes_in_the_same_group(
        qtbot, make_window, small_file, band_mean, slow_kernel):
    w = make_window()
    w.chunk_seconds = 0.02
    open_and_wait(qtbot, w, small_file)
    assert w.params_panel.set_analysis(band_mean.name)
    settle(qtbot, w)
    with qtbot.waitSignal(w.run_controller.sigProgressed, timeout=30_000):
        assert w.start_run()
    with qtbot.waitSignal(w.run_controller.sigStopped, timeout=10_000):
        with qtbot.waitSignal(w.run_controller.sigCancelled, timeout=10_000) as cancelled:
            w.run_controller.cancel()
    first = cancelled.args[0]
    assert 0 < first.done < first.total
    settle(qtbot, w)
    assert w.start_action.text() == "Resume" and "stopped at" in w.info_bar.text()
    with qtbot.waitSignal(w.run_controller.sigStopped, timeout=60_000):
        with qtbot.waitSignal(w.run_controller.sigFinished, timeout=60_000) as finished:
            assert w.start_run()
    last = finished.args[0]
    assert last.results.group == first.results.group  # resumed, not a new group
    assert last.computed == first.total - first.done
