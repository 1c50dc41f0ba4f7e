"""A configured analysis is checked once and then used as is: by pixel tests and by runs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from peakgui.core.analyses import registry
from peakgui.core.analyses.configured import ConfiguredAnalysis
from peakgui.core.analyses.declaration import ParameterError
from peakgui.core.analyses.peak_finding.params import PARAMETERS, PeakParams
from peakgui.core.errors import InputError
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.engine import AnalysisRun, configured_for, spectral_context


def test_create_checks_values_and_spectra_then_computes_like_a_run(small_file):
    src = SpectralSource.open(small_file)
    ctx = spectral_context(src)
    cfg = ConfiguredAnalysis.create("peak_finding", {"steps": "12"}, ctx)
    assert cfg.params["steps"] == 12 and list(cfg.params) == [p.name for p in PARAMETERS]
    assert cfg.key() == {**cfg.params, "spectral_dimension": src.layout.spectral.name}
    with pytest.raises(ValueError, match="must be at most Widths to"):
        ConfiguredAnalysis.create("peak_finding", {"width_lo": 70}, ctx)
    with pytest.raises(ValueError, match="at least 1"):
        ConfiguredAnalysis.create("peak_finding", {"steps": 0}, ctx)
    short = dataclasses.replace(ctx, axis=dataclasses.replace(
        ctx.axis, values=ctx.axis.values[:2]))
    with pytest.raises(InputError, match="needs at least 3"):
        ConfiguredAnalysis.create("peak_finding", None, short)
    spectra = src.read_position(5)
    run = AnalysisRun(src, "peak_finding", {"steps": 12}, n_jobs=1)
    for name, values in cfg.compute(spectra).items():
        np.testing.assert_array_equal(values, run.compute(spectra)[name])
    assert cfg.inspect(spectra[0]).values == run.test(5).values


def test_a_run_from_a_configured_analysis_trusts_it(small_file):
    src = SpectralSource.open(small_file)
    ctx = spectral_context(src)
    peaks = registry.get("peak_finding")
    cfg = ConfiguredAnalysis.from_values(peaks, peaks.values({"width_lo": 10.0}), ctx)
    run = AnalysisRun.from_configured(src, cfg, n_jobs=1, chunk_seconds=0.05)
    assert run.configured is cfg and run.params is cfg.params and run.n_jobs == 1
    assert run.parameters() == cfg.key() and run.result_fields() == cfg.result_fields()
    last = list(run.run())[-1]
    assert last.done == last.total == src.layout.n_positions
    again = AnalysisRun(src, "peak_finding", {"width_lo": 10}, n_jobs=1)
    assert [e.complete for e in again.find_existing()] == [True]  # the same key


def test_peak_params_take_their_defaults_from_the_declaration():
    declared = {p.name: p.default for p in PARAMETERS}
    assert PeakParams().as_dict() == declared == registry.get("peak_finding").defaults()


def test_a_band_edge_outside_the_data_is_refused_naming_it(small_file):
    """Issue 19, row 12: a band reaching past the data's axis (300-350 kHz) is refused when the
    analysis is set up for it (before a run), naming the parameter and the data's range."""
    src = SpectralSource.open(small_file)
    sho = registry.get("sho")
    for given, name, says in (({"band_hi": 500e3}, "band_hi",
                               "Band to (500 kHz) is outside the data (300–350 kHz)"),
                              ({"band_lo": 250e3}, "band_lo",
                               "Band from (250 kHz) is outside the data (300–350 kHz)")):
        with pytest.raises(ParameterError) as caught:
            configured_for(src, sho, sho.values(given))
        assert str(caught.value) == says and caught.value.names == (name,)
    inside = configured_for(src, sho, sho.values({"band_lo": 300e3, "band_hi": 350e3}))
    assert inside.params["band_hi"] == 350e3
