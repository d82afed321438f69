"""Coupled SGD and Langevin runs: each marginal is right, and the measured weak error matches exact recursions."""

from __future__ import annotations

import numpy as np
import pytest

import langevin_lib as ll
from langevin_lib.dynamics.weak_error import coupled_sgd_langevin, weak_error
from langevin_lib.problems.potentials import DoubleWell, SeparableNoisyLoss


def _second_moment_recursion(x0, factor, noise_var, n):
    """E x_n^2 for x_{k+1} = factor x_k + noise, noise ~ N(0, noise_var), from x0."""
    mean, var = x0 * factor**n, noise_var * (1 - factor ** (2 * n)) / (1 - factor**2)
    return mean**2 + var


def test_weak_error_of_second_moment_matches_exact_recursions():
    h, s, lr, m, n, x0 = 1.0, 1.0, 0.2, 4, 10, 1.0
    runs = coupled_sgd_langevin(ll.Quadratic(h, s), [x0], lr, n, substeps=m, n_chains=40_000, rng=2, record_every=n)
    dt = lr / m
    sgd_exact = _second_moment_recursion(x0, 1 - lr * h, lr**2 * s**2, n)
    sde_exact = _second_moment_recursion(x0, 1 - dt * h, lr * dt * s**2, n * m)  # Euler-Maruyama, exact
    estimate = weak_error(lambda x: x[:, 0] ** 2, runs.sgd.final, runs.langevin.final)
    # The coupled difference has a tiny standard error; 5 of them, plus the marginal checks below.
    assert estimate.value == pytest.approx(sgd_exact - sde_exact, abs=5 * estimate.standard_error)
    assert estimate.standard_error < 0.1 * abs(sgd_exact - sde_exact)  # the point of the coupling
    # Each marginal: second moment of 40000 samples, sd about sqrt(2/40000) relative (0.7%): 5 sd = 3.5%.
    assert np.mean(runs.sgd.final**2) == pytest.approx(sgd_exact, rel=0.035)
    assert np.mean(runs.langevin.final**2) == pytest.approx(sde_exact, rel=0.035)


def test_paths_are_coupled_and_weak_error_shrinks_like_lr():
    problem = SeparableNoisyLoss(DoubleWell(), 1.0)
    errors = []
    for lr in (0.1, 0.05, 0.025):
        n = round(1.0 / lr)
        runs = coupled_sgd_langevin(problem, [0.5], lr, n, substeps=16, n_chains=20_000, rng=1, record_every=n)
        gap = np.sqrt(np.mean((runs.sgd.final - runs.langevin.final) ** 2))
        assert gap < 0.2 * runs.sgd.final.std()  # same Brownian path: the chains stay close
        errors.append(weak_error(lambda x: x[:, 0] ** 2, runs.sgd.final, runs.langevin.final))
    values = np.array([e.value for e in errors])
    ratios = values[:-1] / values[1:]
    # Halving lr halves an order-1 weak error (ratio 2); an order-2 error would give 4, order 1/2 gives 1.4.
    # The standard errors are below 1.5% of the values, so the ratios are good to about 3%.
    np.testing.assert_allclose(ratios, 2.0, rtol=0.2)


def test_weak_error_against_a_deterministic_reference():
    a = np.array([[1.0], [2.0], [3.0]])
    result = weak_error(lambda x: x[:, 0], a, np.array([1.0]))
    assert result.value == pytest.approx(1.0)
    assert result.standard_error == pytest.approx(1.0 / np.sqrt(3))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: coupled_sgd_langevin(ll.LinearRegression(np.eye(2), np.ones(2)), [0.0, 0.0], 0.1, 2), "problem"),
        (lambda: coupled_sgd_langevin(ll.Quadratic(1.0, 1.0), [0.0], -0.1, 2), "lr"),
        (lambda: coupled_sgd_langevin(ll.Quadratic(1.0, 1.0), [0.0], 0.1, 2, substeps=0), "substeps"),
        (lambda: weak_error(lambda x: x[:, 0], np.ones((1, 1)), np.ones(1)), "n_chains"),
        (lambda: weak_error(lambda x: x, np.ones((3, 2)), np.ones(2)), "f must map"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
