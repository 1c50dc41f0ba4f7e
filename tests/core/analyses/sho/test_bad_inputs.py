"""Spectra the SHO model cannot describe: a status for each, never a crash or a silent 'good'."""

from __future__ import annotations

import numpy as np
import pytest

from peakgui.core.analyses.sho.fit import FitSettings, fit_spectra
from peakgui.core.analyses.sho.model import sho_model
from peakgui.core.analyses.sho.status import GOOD, FitStatus

FREQ = np.linspace(300e3, 350e3, 119)
GOOD_SPECTRUM = sho_model(FREQ, 1e-3, 325e3, 120.0, 0.4)


def test_noise_only_spectra_get_a_low_r2_or_a_failure_status():
    rng = np.random.default_rng(11)
    noise = 4e-6 * (rng.standard_normal((200, FREQ.size))
                    + 1j * rng.standard_normal((200, FREQ.size)))
    res = fit_spectra(noise, FREQ, FitSettings())
    ok = np.isin(res.status, GOOD)
    # whatever the status, nothing here may look like a real oscillator
    assert np.all(res.fit[:, 4] < 0.3)
    assert np.all(np.isfinite(res.fit[ok, :4]))
    assert set(np.unique(res.status)) <= {FitStatus.CONVERGED, FitStatus.AT_BOUND,
                                          FitStatus.MAX_ITER}


def test_all_zero_spectrum_is_no_signal():
    res = fit_spectra(np.zeros((3, FREQ.size), np.complex64), FREQ, FitSettings())
    assert np.all(res.status == FitStatus.NO_SIGNAL)
    assert np.all(np.isnan(res.fit[:, :4])) and np.all(res.fit[:, 4] == 0)


def test_constant_spectrum_has_r2_zero_not_a_division_by_zero():
    res = fit_spectra(np.full((1, FREQ.size), 1 + 1j), FREQ, FitSettings())
    assert res.fit[0, 4] <= 0
    assert res.status[0] != FitStatus.CONVERGED or res.fit[0, 4] <= 0


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, complex(0, np.nan)])
def test_non_finite_points_mark_only_their_spectrum(bad):
    block = np.tile(GOOD_SPECTRUM, (3, 1))
    block[1, 40] = bad
    res = fit_spectra(block, FREQ, FitSettings())
    assert list(res.status) == [FitStatus.CONVERGED, FitStatus.NON_FINITE, FitStatus.CONVERGED]
    assert np.all(np.isnan(res.fit[1])) and np.all(np.isnan(res.guess[1]))


def test_non_finite_points_outside_the_band_do_not_matter():
    x = GOOD_SPECTRUM.copy()
    x[:5] = np.nan
    res = fit_spectra(x[None], FREQ, FitSettings(band_lo=FREQ[5]))
    assert res.status[0] == FitStatus.CONVERGED


def test_too_few_points_in_the_band():
    res = fit_spectra(GOOD_SPECTRUM[None], FREQ, FitSettings(band_lo=FREQ[10],
                                                             band_hi=FREQ[13]))
    assert res.band.size == 4
    assert res.status[0] == FitStatus.TOO_FEW_POINTS
    empty = fit_spectra(GOOD_SPECTRUM[None], FREQ, FitSettings(band_lo=1.0, band_hi=2.0))
    assert empty.status[0] == FitStatus.TOO_FEW_POINTS


def test_real_spectrum_is_fitted_with_zero_imaginary_part():
    res = fit_spectra(np.abs(GOOD_SPECTRUM)[None], FREQ, FitSettings())
    assert res.status[0] in (FitStatus.CONVERGED, FitStatus.AT_BOUND, FitStatus.MAX_ITER)
    assert np.isfinite(res.fit[0, 4])


def test_max_iterations_is_reported():
    rng = np.random.default_rng(2)
    x = GOOD_SPECTRUM + 2e-3 * (rng.standard_normal(FREQ.size)
                                + 1j * rng.standard_normal(FREQ.size))
    res = fit_spectra(x[None], FREQ, FitSettings(max_iter=1, xtol=0.0, ftol=0.0))
    assert res.status[0] == FitStatus.MAX_ITER
    assert np.all(np.isfinite(res.fit[0]))


def test_empty_block():
    res = fit_spectra(np.zeros((0, FREQ.size), np.complex64), FREQ, FitSettings())
    assert res.fit.shape == (0, 5) and res.status.shape == (0,)


def test_non_positive_frequencies_are_left_out():
    """An axis through zero (a mis-labelled one, say): only w > 0 is fitted, no hang, no NaN."""
    freq = np.linspace(-350e3, 350e3, 239)
    x = sho_model(np.abs(freq), 1e-3, 325e3, 120.0, 0.4)
    res = fit_spectra(x[None], freq, FitSettings())
    assert res.band.min() > 0 and res.status[0] == FitStatus.CONVERGED
    none = fit_spectra(x[None], -np.abs(freq), FitSettings())
    assert none.status[0] == FitStatus.TOO_FEW_POINTS
    zero = fit_spectra(x[None], np.zeros_like(freq), FitSettings())
    assert zero.status[0] == FitStatus.TOO_FEW_POINTS
