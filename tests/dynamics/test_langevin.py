"""The Langevin SDE of SGD: its noise covariance against per-example gradients, and its moments against closed forms."""

from __future__ import annotations

import numpy as np
import pytest

import langevin_lib as ll
from langevin_lib import (
    DoubleWell,
    SeparableNoisyLoss,
    SoftmaxRegression,
    gradient_noise_covariance,
    langevin_sde,
    simulate_langevin,
)


@pytest.fixture
def logistic():
    """A 2-class softmax regression (a logistic regression) on 60 random points with 2 inputs and an intercept."""
    rng = np.random.default_rng(4)
    X = np.hstack([rng.standard_normal((60, 2)), np.ones((60, 1))])
    labels = (X[:, 0] + 0.8 * rng.standard_normal(60) > 0).astype(int)
    return SoftmaxRegression(X, labels, n_classes=2, l2=0.05)


@pytest.fixture
def softmax3():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((25, 4))
    return SoftmaxRegression(X, rng.integers(3, size=25), n_classes=3, l2=0.01)


def _points(problem, n, seed):
    return 0.4 * np.random.default_rng(seed).standard_normal((n, problem.dim))


@pytest.mark.parametrize("name", ["raw_regression", "regression3", "logistic", "softmax3"])
def test_per_example_quantities_match_the_problem(name, request):
    problem = request.getfixturevalue(name)
    phi = _points(problem, 4, 1)
    per_example = np.array([problem.example_grads(p) for p in phi])  # the problem's own single-point code
    # The full gradient of an ensemble (the drift of the SDE) is the mean of the per-example gradients.
    np.testing.assert_allclose(problem.grad(phi), per_example.mean(axis=1), atol=1e-12)
    np.testing.assert_allclose(problem.grad(phi[0]), per_example[0].mean(axis=0), atol=1e-12)
    expected = np.array([np.cov(g.T, bias=True) for g in per_example])  # numpy's covariance, divisor n
    np.testing.assert_allclose(gradient_noise_covariance(problem, phi), expected, atol=1e-12)
    np.testing.assert_allclose(gradient_noise_covariance(problem, phi[0], batch_size=4), expected[0] / 4, atol=1e-12)


def test_additive_noise_covariance_is_constant_diagonal():
    problem = ll.Quadratic([1.0, 2.0], [0.5, 3.0])
    cov = gradient_noise_covariance(problem, np.ones((3, 2)), batch_size=2)
    np.testing.assert_allclose(cov, np.broadcast_to(np.diag([0.125, 4.5]), (3, 2, 2)))
    sde = langevin_sde(SeparableNoisyLoss(DoubleWell(), 2.0), lr=0.09)
    np.testing.assert_allclose(sde.noise_std, [0.6])  # sqrt(0.09) * 2
    np.testing.assert_allclose(sde.drift(np.array([[2.0]])), [[-DoubleWell().grad(2.0)]])


def test_noise_factor_squares_to_lr_sigma_over_b(logistic):
    phi = _points(logistic, 5, 2)
    sde = langevin_sde(logistic, lr=0.3, batch_size=3)
    G = sde.noise_std(phi)
    np.testing.assert_allclose(G @ np.swapaxes(G, 1, 2), 0.1 * gradient_noise_covariance(logistic, phi), atol=1e-12)
    np.testing.assert_allclose(G, np.swapaxes(G, 1, 2), atol=1e-12)  # the symmetric root


def test_one_step_increment_has_covariance_lr_sigma_dt(logistic):
    """One Euler-Maruyama step from a point: displacement + g dt ~ N(0, lr Sigma dt)."""
    phi0, lr, n = _points(logistic, 1, 3)[0], 0.2, 40_000
    run = simulate_langevin(logistic, phi0, lr, 1, substeps=1, n_chains=n, rng=7)
    residual = run.final - phi0 + lr * logistic.grad(phi0)
    measured = np.trace(np.cov(residual.T))
    predicted = lr * lr * np.trace(gradient_noise_covariance(logistic, phi0))
    # For Gaussian increments the trace of the sample covariance has sd <= sqrt(2/n) * trace = 0.7%:
    # 5 standard errors is 3.5%. Forgetting the factor lr (noise Sigma dt) would be off by a factor 5.
    assert measured == pytest.approx(predicted, rel=0.035)


def test_stationary_variance_is_the_sdes_not_sgds():
    """OU process: the SDE's stationary variance lr s2 / (2h), up to the Euler-Maruyama factor of dt = lr/m."""
    h, s, lr, m = 1.0, 1.0, 0.5, 10
    run = simulate_langevin(ll.Quadratic(h, s), [0.0], lr, 24, substeps=m, n_chains=20_000, rng=3)  # t = 12
    var = run.final[:, 0].var()
    sde_em = lr * s**2 / (2 * h - (lr / m) * h**2)  # Euler-Maruyama at dt = lr/m, exact in distribution
    sgd_var = ll.quadratic_sgd_variance(h, s**2, lr)  # 0.333, far from 0.256
    # Sample variance of 20000 Gaussians: sd sqrt(2/20000) = 1%; 5 sd = 5%.
    assert var == pytest.approx(sde_em, rel=0.05)
    assert abs(var / sgd_var - 1) > 0.15


def test_time_axis_matches_sgd(logistic):
    phi0 = np.zeros(logistic.dim)
    sde = simulate_langevin(logistic, phi0, 0.25, 12, substeps=3, n_chains=2, rng=0, record_every=5)
    sgd = ll.sgd(logistic, phi0, 0.25, 12, n_chains=2, rng=0, record_every=5)
    np.testing.assert_allclose(sde.times, sgd.times)
    np.testing.assert_array_equal(sde.steps, sgd.steps)
    assert sde.phi.shape == sgd.phi.shape == (4, 2, logistic.dim)


def test_distance_from_gradient_flow_shrinks_like_sqrt_lr(raw_regression):
    """lr -> 0 at a fixed time: back to the flow of chapter 1, with RMS distance proportional to sqrt(lr)."""
    phi0, t = np.zeros(raw_regression.dim), 0.5
    flow = ll.gradient_flow(raw_regression, phi0, [t])[0]
    rms = []
    for lr in (1e-2, 1e-4):
        run = simulate_langevin(raw_regression, phi0, lr, round(t / lr), substeps=1, n_chains=400, rng=1)
        rms.append(np.sqrt(np.mean(np.sum((run.final - flow) ** 2, axis=1))))
    # A factor 100 in lr is a factor 10 in distance; an RMS over 400 chains is good to about 4% (5 sd: 20%).
    # Convergence like lr (a factor 100) or no convergence (1) are far outside.
    assert rms[0] / rms[1] == pytest.approx(10.0, rel=0.2)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda p: langevin_sde(p, 0.0), "lr"),
        (lambda p: langevin_sde(p, [0.1, 0.2]), "lr"),
        (lambda p: langevin_sde(p, 0.1, batch_size=0), "batch_size"),
        (lambda p: gradient_noise_covariance(p, np.zeros(5)), "phi"),
        (lambda p: simulate_langevin(p, np.zeros(3), 0.1, 1, substeps=0), "substeps"),
        (lambda p: langevin_sde(object(), 0.1), "problem"),
        (lambda p: gradient_noise_covariance(DoubleWell(), np.zeros(1)), "FiniteSumProblem"),
    ],
)
def test_bad_input_names_the_argument(raw_regression, call, match):
    with pytest.raises(ValueError, match=match):
        call(raw_regression)


def test_divergence_is_reported():
    with pytest.raises(ll.DivergenceError):
        simulate_langevin(ll.Quadratic(1.0, 1.0), [1.0], 3.0, 2000, substeps=1, rng=0)
