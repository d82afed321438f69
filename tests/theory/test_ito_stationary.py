"""The 1-D Itô stationary density and the least-squares noise variance against closed forms."""

from __future__ import annotations

import numpy as np
import pytest

import langevin_lib as ll


def test_constant_noise_gives_gibbs():
    grid = np.linspace(-3, 3, 20001)
    p = ll.ito_stationary_density(lambda x: -(x**3 - x), lambda x: 0.1 + 0 * x, grid)
    gibbs = np.exp(-((grid**2 - 1) ** 2) / 4 / 0.1)
    gibbs /= np.trapezoid(gibbs, grid)
    assert np.abs(p - gibbs).max() < 1e-6


def test_quadratic_noise_gives_student_law():
    # b = -h (x - m), D = lr (s0 + c (x - m)^2) / 2: p ~ (s0 + c u^2)^-(1 + h/(lr c)).
    h, m, lr, s0, c = 1.0, 0.5, 0.01, 20.0, 50.0
    grid = np.linspace(m - 60, m + 60, 400001)
    p = ll.ito_stationary_density(lambda x: -h * (x - m), lambda x: lr * (s0 + c * (x - m) ** 2) / 2, grid)
    exponent = 1 + h / (lr * c)  # = 3
    # normalising constant of (s0 + c u^2)^-3 on the line: 3 pi / (8 s0^(5/2) sqrt(c))
    exact = (s0 + c * (grid - m) ** 2) ** -exponent / (3 * np.pi / (8 * s0**2.5 * np.sqrt(c)))
    assert np.abs(p - exact).max() < 1e-6 * exact.max()


def test_least_squares_noise_variance_matches_problem_covariance():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(50), rng.standard_normal(50)
    s0, s1, s2 = ll.least_squares_noise_variance(a, b)
    problem = ll.LinearRegression(a[:, None], b)
    for x in [-2.0, 0.3, 1.7]:
        sigma2 = problem.noise_covariance(np.array([x]))[0, 0]
        assert s0 + s1 * x + s2 * x**2 == pytest.approx(sigma2, rel=1e-12)
    # by hand for two examples: g = (x - 1, 4x) -> variance (3x + 1)^2 / 4
    s = ll.least_squares_noise_variance([1.0, 2.0], [1.0, 0.0])
    np.testing.assert_allclose(s, [0.25, 1.5, 2.25], rtol=1e-12)


def test_bad_input():
    with pytest.raises(ValueError, match="grid"):
        ll.ito_stationary_density(lambda x: -x, lambda x: 1 + 0 * x, [0.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="diffusion"):
        ll.ito_stationary_density(lambda x: -x, lambda x: x, np.linspace(-1, 1, 5))
    with pytest.raises(ValueError, match="overflows"):
        ll.ito_stationary_density(lambda x: 1e308 * x, lambda x: 1e-300 + 0 * x, np.linspace(-1, 1, 5))
    with pytest.raises(ValueError, match="a and b"):
        ll.least_squares_noise_variance([1.0, 2.0], [1.0])
