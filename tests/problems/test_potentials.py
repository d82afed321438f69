"""Potentials against finite differences and closed forms; SGD on them against exact stationary laws; Kramers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad

import langevin_lib as ll
from langevin_lib import DoubleWell, Harmonic, SeparableNoisyLoss, kramers_escape_time


@pytest.mark.parametrize("potential", [Harmonic(1.7), DoubleWell(), DoubleWell(0.6)])
def test_derivatives_match_central_differences(potential):
    x = np.linspace(-2, 2, 41)
    eps = 1e-5
    # Central differences are accurate to eps^2 * L''' ~ 1e-9 here.
    np.testing.assert_allclose(
        potential.grad(x), (potential.loss(x + eps) - potential.loss(x - eps)) / (2 * eps), atol=1e-7
    )
    np.testing.assert_allclose(
        potential.curvature(x), (potential.grad(x + eps) - potential.grad(x - eps)) / (2 * eps), atol=1e-6
    )
    np.testing.assert_array_equal(potential.drift(x), -potential.grad(x))


def test_double_well_landmarks():
    well = DoubleWell()
    np.testing.assert_allclose(well.loss(np.array([-1.0, 0.0, 1.0])), [0.0, 0.25, 0.0])
    np.testing.assert_allclose(well.curvature(np.array([-1.0, 0.0])), [2.0, -1.0])
    assert well.loss(np.zeros((3, 2))).shape == (3, 2)


def test_separable_loss_shapes_and_values():
    problem = SeparableNoisyLoss([DoubleWell(), Harmonic(2.0)], [1.0, 0.5])
    phi = np.array([[0.5, 1.0], [2.0, -1.0]])
    np.testing.assert_allclose(problem.loss(phi), DoubleWell().loss(phi[:, 0]) + phi[:, 1] ** 2)
    np.testing.assert_allclose(problem.grad(phi), np.column_stack([DoubleWell().grad(phi[:, 0]), 2 * phi[:, 1]]))
    np.testing.assert_allclose(problem.temperatures(0.1), [0.05, 0.0125])
    assert SeparableNoisyLoss(Harmonic(), 1.0, dim=3).dim == 3


@pytest.mark.parametrize(
    ("args", "match"),
    [(([Harmonic()] * 2, [1.0, 1.0, 1.0]), "same length"), (([], 1.0), "potentials"), ((Harmonic(), -1.0), "sigma")],
)
def test_separable_loss_rejects_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        SeparableNoisyLoss(*args)


def test_stochastic_gradient_noise_statistics():
    problem = SeparableNoisyLoss([DoubleWell(), Harmonic()], [2.0, 0.5])
    phi = np.tile([0.5, 1.0], (200_000, 1))
    g = problem.stochastic_grad(phi, 4, np.random.default_rng(0)) - problem.grad(phi)
    # Noise variance sigma^2/B; sample variance has relative s.e. sqrt(2/N) = 0.3%, so 2% is > 5 s.e.
    np.testing.assert_allclose(g.var(axis=0), [1.0, 0.0625], rtol=0.02)
    np.testing.assert_allclose(g.mean(axis=0), 0.0, atol=5 * np.sqrt(1.0 / 200_000))


def test_sgd_on_harmonic_matches_exact_discrete_variance():
    lr, h, sigma = 0.2, 1.5, 1.0
    problem = SeparableNoisyLoss(Harmonic(h), sigma)
    x = ll.sgd(problem, [0.0], lr, 200, n_chains=100_000, rng=1, record_every=200).final[:, 0]
    exact = ll.quadratic_sgd_variance(h, sigma**2, lr)
    # Relative s.e. of a variance from 1e5 Gaussian samples: sqrt(2/1e5) = 0.45%; 5 s.e. = 2.2%.
    assert x.var() == pytest.approx(exact, rel=0.022)
    # The Langevin value lr sigma^2 / (2h) is 16% smaller here: rejected.
    assert abs(x.var() / (lr * sigma**2 / (2 * h)) - 1) > 0.1


def test_kramers_formula_value_and_limits():
    well = DoubleWell()
    expected = 2 * np.pi / np.sqrt(2.0) * np.exp(0.25 / 0.05)
    assert kramers_escape_time(well, 0.05, well=-1.0, saddle=0.0) == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="well must be a minimum"):
        kramers_escape_time(well, 0.05, well=0.0, saddle=0.0)
    with pytest.raises(ValueError, match="saddle must be a barrier top"):
        kramers_escape_time(well, 0.05, well=-1.0, saddle=1.0)
    with pytest.raises(ValueError, match="temperature"):
        kramers_escape_time(well, 0.0, well=-1.0, saddle=0.0)


def test_kramers_is_the_low_temperature_limit_of_the_exact_passage_time():
    # Independent quadrature of the mean first-passage formula with scipy.quad.
    well, T = DoubleWell(), 0.25 / 20

    def inner(y):
        return quad(lambda z: np.exp(-(well.loss(z)) / T), -3, y, points=[-1.0])[0]

    exact = quad(lambda y: np.exp(well.loss(y) / T) * inner(y), -1, 1, points=[0.0], limit=200)[0] / T
    ratio = exact / kramers_escape_time(well, T, -1.0, 0.0)
    # First-order correction 1 + 3T/2 = 1.019; the next order is O(T^2) ~ 1e-3.
    assert ratio == pytest.approx(1 + 1.5 * T, abs=3e-3)
