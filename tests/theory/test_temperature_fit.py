"""Temperature fits, KS distances and Gibbs relative entropies against closed forms for Gaussians."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from langevin_lib.problems.potentials import DoubleWell, Harmonic
from langevin_lib.theory.temperature_fit import (
    fit_temperature,
    gibbs_cdf,
    gibbs_kl_divergence,
    ks_distance,
    separable_gibbs_density,
)

GRID = np.linspace(-6, 6, 4001)
LOSS = Harmonic(2.0).loss  # Gibbs at T is N(0, T/2)


def test_gibbs_cdf_of_a_quadratic_is_the_normal_cdf():
    np.testing.assert_allclose(gibbs_cdf(LOSS, GRID, 0.5), stats.norm.cdf(GRID, scale=0.5), atol=1e-6)


def test_ks_distance_matches_scipy_and_rejects_the_wrong_temperature():
    x = np.random.default_rng(0).normal(0, 0.5, 20_000)
    ours = ks_distance(x, LOSS, 0.5, GRID)
    assert ours == pytest.approx(stats.kstest(x, stats.norm(scale=0.5).cdf).statistic, abs=1e-5)
    # For the true law the KS distance is below 1.63/sqrt(n) = 0.0115 with probability 0.99.
    assert ours < 0.0115
    assert ks_distance(x, LOSS, 0.1, GRID) > 0.1  # the slide's five-times-colder law


def test_fit_temperature_one_and_two_coordinates():
    rng = np.random.default_rng(1)
    n = 100_000
    x = rng.normal(0, np.sqrt(0.3 / 2), n)
    # The MLE of T for N(0, T/2) is 2 mean(x^2): relative s.e. sqrt(2/n) = 0.45%, 5 s.e. = 2.2%.
    assert fit_temperature(LOSS, x, GRID) == pytest.approx(2 * np.mean(x**2), rel=1e-6)
    assert fit_temperature(LOSS, x, GRID) == pytest.approx(0.3, rel=0.022)
    y = rng.normal(0, np.sqrt(0.1 / 2), n)
    both = fit_temperature([LOSS, LOSS], np.column_stack([x, y]), GRID)
    assert both == pytest.approx(np.mean(x**2) + np.mean(y**2), rel=1e-6)  # (T_x + T_y)/2 in the mean


def test_fit_temperature_on_the_double_well_by_independent_sampling():
    # Exact Gibbs samples by inverting the CDF at T = 0.1; the fit must return 0.1.
    well, grid = DoubleWell(), np.linspace(-2.5, 2.5, 4001)
    u = np.random.default_rng(2).random(50_000)
    x = np.interp(u, gibbs_cdf(well.loss, grid, 0.1), grid)
    # The fitted T has relative s.e. ~ sqrt(Var L)/(E L sqrt n) ~ 0.6%; 5 s.e. = 3%.
    assert fit_temperature(well.loss, x, grid) == pytest.approx(0.1, rel=0.03)


def test_fit_temperature_rejects_impossible_samples():
    with pytest.raises(ValueError, match="no temperature fits"):
        fit_temperature(LOSS, np.full(10, 5.9), np.linspace(-1, 1, 101))
    with pytest.raises(ValueError, match="one loss per column"):
        fit_temperature([LOSS, LOSS, LOSS], np.zeros((4, 2)), GRID)


def test_kl_divergence_of_gaussians():
    r = 0.5 / 0.2
    assert gibbs_kl_divergence(LOSS, GRID, 0.5, 0.2) == pytest.approx(0.5 * (r - 1 - np.log(r)), rel=1e-6)
    assert gibbs_kl_divergence(LOSS, GRID, 0.5, 0.5) == pytest.approx(0.0, abs=1e-12)


def test_separable_density_is_a_normalised_product():
    gx, gy = np.linspace(-5, 5, 401), np.linspace(-4, 4, 301)
    p = separable_gibbs_density([LOSS, Harmonic().loss], [0.5, 0.2], [gx, gy])
    assert p.shape == (401, 301)
    assert np.trapezoid(np.trapezoid(p, gy, axis=1), gx) == pytest.approx(1.0, rel=1e-9)
    np.testing.assert_allclose(
        p[200, :], stats.norm.pdf(0, scale=0.5) * stats.norm.pdf(gy, scale=np.sqrt(0.2)), rtol=1e-5
    )
