"""The compiled SHO fit on spectra whose answer is known: noise-free recovery, guesses, bands."""

from __future__ import annotations

import numpy as np
import pytest

from peakgui.core.analyses.sho.fit import FitSettings, fit_spectra
from peakgui.core.analyses.sho.model import r2_criterion, sho_model, wrap_phase
from peakgui.core.analyses.sho.status import FitStatus

FREQ = np.linspace(300e3, 350e3, 119)
TIGHT = FitSettings(xtol=1e-12, ftol=1e-14)

# (A, f0, Q, phi): resonances in the middle and near the band edges, low and high Q, phases
# near 0 and near +-pi (where wrapping matters)
CASES = [
    (1e-3, 325e3, 120.0, 0.3),
    (2.5e-4, 306e3, 40.0, -3.1),
    (7e-3, 344e3, 300.0, 3.1),
    (1.0, 318e3, 15.0, -1.2),
    (3e-6, 331e3, 900.0, 2.0),
]


def _truth_rows(cases) -> np.ndarray:
    return np.array([sho_model(FREQ, *c) for c in cases])


def _check(fit: np.ndarray, cases, rel: float) -> None:
    truth = np.array(cases)
    np.testing.assert_allclose(fit[:, :3], truth[:, :3], rtol=rel, atol=0)
    dphi = np.angle(np.exp(1j * (fit[:, 3] - truth[:, 3])))
    np.testing.assert_allclose(dphi, 0, atol=rel)
    assert np.all((fit[:, 3] > -np.pi) & (fit[:, 3] <= np.pi))


@pytest.mark.parametrize("guess", ["peak", "algebraic"])
def test_noise_free_spectra_are_recovered_to_1e_6(guess):
    res = fit_spectra(_truth_rows(CASES), FREQ, FitSettings(guess=guess, xtol=1e-12,
                                                              ftol=1e-14))
    assert list(res.status) == [FitStatus.CONVERGED] * len(CASES)
    _check(res.fit, CASES, 1e-6)
    np.testing.assert_allclose(res.fit[:, 4], 1.0, atol=1e-10)


def test_default_tolerances_still_recover_noise_free_parameters():
    res = fit_spectra(_truth_rows(CASES), FREQ, FitSettings())
    assert np.all(res.status == FitStatus.CONVERGED)
    _check(res.fit, CASES, 1e-6)


def test_complex64_input_as_the_demo_stores_it():
    data = _truth_rows(CASES[:3]).astype(np.complex64)
    res = fit_spectra(data, FREQ, TIGHT)
    assert np.all(res.status == FitStatus.CONVERGED)
    _check(res.fit, CASES[:3], 1e-5)  # float32 rounding of the data, not of the fit


def test_algebraic_guess_is_exact_on_noise_free_data():
    res = fit_spectra(_truth_rows(CASES), FREQ, FitSettings(guess="algebraic", max_iter=1))
    _check(res.guess, CASES, 1e-6)


def test_peak_guess_is_close_enough_to_start_from():
    res = fit_spectra(_truth_rows(CASES), FREQ, FitSettings(guess="peak"))
    truth = np.array(CASES)
    assert np.all(np.abs(res.guess[:, 1] / truth[:, 1] - 1) < 2e-3)  # within a bin
    assert np.all(np.abs(res.guess[:, 2] / truth[:, 2] - 1) < 0.25)
    assert np.all(np.abs(np.angle(np.exp(1j * (res.guess[:, 3] - truth[:, 3])))) < 0.3)
    assert np.all(res.guess[:, 4] > 0.5)


def test_r2_is_bglibs_criterion_on_the_complex_residuals():
    rng = np.random.default_rng(5)
    x = sho_model(FREQ, *CASES[0])
    noisy = x + 0.02 * np.abs(x).max() * (rng.standard_normal(x.size)
                                          + 1j * rng.standard_normal(x.size))
    res = fit_spectra(noisy[None], FREQ, TIGHT)
    fitted = sho_model(FREQ, *res.fit[0, :4])
    guessed = sho_model(FREQ, *res.guess[0, :4])
    assert res.fit[0, 4] == pytest.approx(r2_criterion(noisy, fitted), abs=1e-9)
    assert res.guess[0, 4] == pytest.approx(r2_criterion(noisy, guessed), abs=1e-9)
    assert 0.9 < res.fit[0, 4] < 1.0
    assert res.fit[0, 4] >= res.guess[0, 4]


def test_band_limits_the_points_fitted_and_the_resonance():
    a, f0, q, phi = CASES[0]
    x = sho_model(FREQ, a, f0, q, phi)
    x[FREQ < 310e3] += 0.5 * np.abs(x).max()  # rubbish outside the band must not matter
    res = fit_spectra(x[None], FREQ, FitSettings(band_lo=310e3, band_hi=340e3, xtol=1e-12,
                                                 ftol=1e-14))
    assert res.band.min() >= 310e3 and res.band.max() <= 340e3
    assert res.status[0] == FitStatus.CONVERGED
    _check(res.fit, [CASES[0]], 1e-6)


def test_resonance_outside_the_band_is_held_at_the_band_edge():
    x = sho_model(FREQ, 1e-3, 345e3, 200.0, 0.0)
    res = fit_spectra(x[None], FREQ, FitSettings(band_hi=335e3))
    assert res.status[0] == FitStatus.AT_BOUND
    assert res.fit[0, 1] <= 335e3


def test_q_bounds_are_respected_and_reported():
    x = sho_model(FREQ, 1e-3, 325e3, 120.0, 0.0)
    res = fit_spectra(x[None], FREQ, FitSettings(q_max=80.0))
    assert res.status[0] == FitStatus.AT_BOUND
    assert res.fit[0, 2] == 80.0


def test_descending_frequency_axis_gives_the_same_fit():
    x = _truth_rows(CASES[:2])
    res = fit_spectra(x[:, ::-1], FREQ[::-1], TIGHT)
    assert np.all(res.status == FitStatus.CONVERGED)
    _check(res.fit, CASES[:2], 1e-6)


def test_wrap_phase_interval():
    phi = wrap_phase(np.array([np.pi, -np.pi, 3 * np.pi, 0.0, -3.0]))
    np.testing.assert_allclose(phi, [np.pi, np.pi, np.pi, 0.0, -3.0])


@pytest.mark.parametrize("guess", ["peak", "algebraic"])
def test_seeded_sweep_of_noise_free_spectra(guess):
    """A thousand resonances anywhere in the band, Q from 3 to 10^4 (narrower than a bin at the
    top), amplitudes over seven decades, any phase: all recovered to 1e-6."""
    rng = np.random.default_rng(42)
    n = 1000
    truth = np.stack([10 ** rng.uniform(-6, 1, n), rng.uniform(300e3, 350e3, n),
                      10 ** rng.uniform(0.5, 4, n), rng.uniform(-np.pi, np.pi, n)], axis=1)
    x = np.array([sho_model(FREQ, *row) for row in truth])
    res = fit_spectra(x, FREQ, FitSettings(guess=guess))
    assert np.all(res.status == FitStatus.CONVERGED)
    _check(res.fit, truth, 1e-6)
