"""Mode temperatures of preconditioned SGD and the stationary variance of heavy-ball SGD (chapter 6)."""

from __future__ import annotations

import numpy as np
import pytest

import langevin_lib as ll


def _spd(rng: np.random.Generator, d: int) -> np.ndarray:
    a = rng.standard_normal((d, d))
    return a @ a.T + 0.5 * np.eye(d)


def test_gibbs_preconditioner_gives_one_temperature():
    # P = eta' Sigma^{-1} satisfies P Sigma P = eta' P = 2T P with T = eta'/2: S = T H^{-1}.
    rng = np.random.default_rng(1)
    H, Sigma = _spd(rng, 5), _spd(rng, 5)
    result = ll.mode_temperatures(H, 0.01 * np.linalg.inv(Sigma), Sigma)
    np.testing.assert_allclose(result.temperatures, 0.005, rtol=1e-9)
    np.testing.assert_allclose(result.covariance, 0.005 * np.linalg.inv(H), rtol=1e-8)


def test_diagonal_noise_with_inverse_variance_rates():
    # The chapter's separable case: diagonal Sigma, P = diag(eta'/sigma_k^2), any H.
    rng = np.random.default_rng(2)
    H, sigma2 = _spd(rng, 4), rng.uniform(0.1, 3.0, 4)
    temperatures = ll.mode_temperatures(H, 0.02 / sigma2, np.diag(sigma2)).temperatures
    np.testing.assert_allclose(temperatures, 0.01, rtol=1e-9)


def test_one_dimension_and_trace_identity():
    # 1-D: T = eta sigma^2/2 (chapter 5). In d dimensions sum_j T_j = tr(HS) = tr(P Sigma)/2.
    np.testing.assert_allclose(ll.mode_temperatures([[3.0]], [0.1], [[2.0]]).temperatures, [0.1], rtol=1e-12)
    rng = np.random.default_rng(3)
    H, Sigma, rates = _spd(rng, 6), _spd(rng, 6), rng.uniform(0.01, 0.1, 6)
    result = ll.mode_temperatures(H, rates, Sigma)
    assert result.temperatures.sum() == pytest.approx(np.sum(rates * np.diag(Sigma)) / 2, rel=1e-9)
    # An independent check of the Lyapunov solution: the vectorised linear system.
    P, eye = np.diag(rates), np.eye(6)
    A = np.kron(eye, P @ H) + np.kron(P @ H, eye)
    S = np.linalg.solve(A, (P @ Sigma @ P).ravel()).reshape(6, 6)
    np.testing.assert_allclose(result.covariance, S, rtol=1e-8, atol=1e-14)


def test_mode_temperatures_rejects_bad_input():
    with pytest.raises(ValueError, match="hessian"):
        ll.mode_temperatures([[1.0, 2.0], [0.0, 1.0]], [1.0, 1.0], np.eye(2))
    with pytest.raises(ValueError, match="hessian"):
        ll.mode_temperatures(-np.eye(2), [1.0, 1.0], np.eye(2))
    with pytest.raises(ValueError, match="precond"):
        ll.mode_temperatures(np.eye(2), [1.0, 1.0, 1.0], np.eye(2))
    with pytest.raises(ValueError, match="precond"):
        ll.mode_temperatures(np.eye(2), [1.0, -1.0], np.eye(2))
    with pytest.raises(ValueError, match="noise_cov"):
        ll.mode_temperatures(np.eye(2), [1.0, 1.0], np.eye(3))
    with pytest.raises(ValueError, match="noise_cov must be positive semidefinite"):
        ll.mode_temperatures(np.eye(2), [1.0, 1.0], -np.eye(2))


def test_momentum_variance_against_moment_equations():
    # Independent computation: the stationary second moments (a, c, e) = (E x_k^2, E x_k x_{k-1}, E x_{k-1}^2) of
    # x_{k+1} = u x_k - beta x_{k-1} - eta xi solve a 3 x 3 linear system.
    h, sigma2, lr, beta = 1.5, 0.7, 0.2, 0.8
    u = 1 + beta - lr * h
    system = np.array(
        [
            [1 - u**2, 2 * u * beta, -(beta**2)],  # E x_{k+1}^2
            [-u, 1 + beta, 0],  # E x_{k+1} x_k = E x_k x_{k-1}
            [-1, 0, 1],  # stationarity: E x_{k-1}^2 = E x_k^2
        ]
    )
    a = np.linalg.solve(system, [lr**2 * sigma2, 0.0, 0.0])[0]
    assert ll.momentum_sgd_variance(h, sigma2, lr, beta) == pytest.approx(a, rel=1e-12)
    # beta = 0 is plain SGD; small eta gives the effective rate eta/(1 - beta).
    plain = float(ll.quadratic_sgd_variance(h, sigma2, lr))
    assert ll.momentum_sgd_variance(h, sigma2, lr, 0.0) == pytest.approx(plain)
    small = ll.momentum_sgd_variance(h, sigma2, 1e-6, beta)
    assert small == pytest.approx(1e-6 * sigma2 / (2 * h * (1 - beta)), rel=1e-5)


def test_momentum_variance_rejects_unstable_rates():
    with pytest.raises(ValueError, match="lr"):
        ll.momentum_sgd_variance(1.0, 1.0, 3.7, 0.8)  # eta h >= 2(1 + beta) = 3.6
    with pytest.raises(ValueError, match="beta"):
        ll.momentum_sgd_variance(1.0, 1.0, 0.1, 1.0)
