"""Stationary covariance, current and circulation of a linear SDE against independent computations."""

from __future__ import annotations

import numpy as np
import pytest

import langevin_lib as ll
from langevin_lib.theory.linear_sde import (
    current_matrix,
    gaussian_density,
    lyapunov_covariance,
    measured_circulation,
    stationary_circulation,
    stationary_current,
)

A = np.diag([1.0, 4.0])
ANGLE = np.pi / 6
ROT = np.array([[np.cos(ANGLE), -np.sin(ANGLE)], [np.sin(ANGLE), np.cos(ANGLE)]])
G = ROT @ np.diag([1.2, 0.3])


def test_lyapunov_solution_by_kronecker_products():
    D = G @ G.T
    vec = np.linalg.solve(np.kron(np.eye(2), A) + np.kron(A, np.eye(2)), D.ravel())
    np.testing.assert_allclose(lyapunov_covariance(A, G), vec.reshape(2, 2), rtol=1e-12)


def test_current_is_divergence_free_and_matches_the_fokker_planck_flux():
    S = lyapunov_covariance(A, G)
    D = G @ G.T
    x = np.array([[0.3, -0.2], [1.0, 0.5]])
    eps = 1e-6
    p = gaussian_density(S, x)
    grad_p = np.stack(
        [(gaussian_density(S, x + eps * e) - gaussian_density(S, x - eps * e)) / (2 * eps) for e in np.eye(2)], -1
    )
    flux = -(x @ A.T) * p[:, None] - 0.5 * grad_p @ D.T
    np.testing.assert_allclose(stationary_current(A, G, x), flux, rtol=1e-6, atol=1e-12)
    # div J = tr(M) p + (M x) . grad p; both terms must cancel.
    M = current_matrix(A, G)
    divergence = np.trace(M) * p + np.sum((x @ M.T) * grad_p, axis=1)
    np.testing.assert_allclose(divergence, 0.0, atol=1e-8)


def test_current_vanishes_for_commuting_noise_and_gibbs_for_isotropic_noise():
    np.testing.assert_allclose(current_matrix(A, np.diag([1.2, 0.3])), 0.0, atol=1e-12)
    T = 0.35
    np.testing.assert_allclose(lyapunov_covariance(A, np.sqrt(2 * T) * np.eye(2)), T * np.linalg.inv(A), rtol=1e-12)
    assert stationary_circulation(A, np.diag([1.2, 0.3])) == pytest.approx(0.0, abs=1e-12)


def test_circulation_by_quadrature():
    # Independent check of tr(R M S): integrate x J_y - y J_x on a grid wider than 8 standard deviations.
    xs, ys = np.linspace(-7, 7, 701), np.linspace(-2.5, 2.5, 501)
    points = np.stack(np.meshgrid(xs, ys, indexing="ij"), axis=-1)
    J = stationary_current(A, G, points)
    integrand = points[..., 0] * J[..., 1] - points[..., 1] * J[..., 0]
    value = np.trapezoid(np.trapezoid(integrand, ys, axis=1), xs)
    assert stationary_circulation(A, G) == pytest.approx(value, rel=1e-6)


def test_simulated_covariance_and_circulation():
    run = ll.euler_maruyama(lambda x: -x @ A.T, G, np.zeros((2000, 2)), 0.002, 2500, rng=1, record_every=2500)
    run = ll.euler_maruyama(lambda x: -x @ A.T, G, run.final, 0.002, 500, rng=2)
    S = lyapunov_covariance(A, G)
    final = run.final
    # 2000 independent final states: s.e. of S_11 is S_11 sqrt(2/2000) = 3%; 5 s.e. = 16%.
    np.testing.assert_allclose(final.T @ final / 2000, S, rtol=0.16, atol=0.02)
    # Circulation: 2000 chains x 500 steps, correlated over ~1/lambda_min = 500 steps, so ~2000 effective samples of
    # a quantity whose spread is comparable to its mean: 5 s.e. ~ 15%. Zero (detailed balance) is rejected.
    measured = measured_circulation(run)
    assert measured == pytest.approx(stationary_circulation(A, G), rel=0.15)
    assert abs(measured) > 0.2


def test_rejects_bad_input():
    with pytest.raises(ValueError, match="stable"):
        lyapunov_covariance(-A, G)
    with pytest.raises(ValueError, match="invertible"):
        lyapunov_covariance(A, np.array([[1.0, 0.0], [0.0, 0.0]]))
    with pytest.raises(ValueError, match="square"):
        lyapunov_covariance(np.ones((2, 3)), G)
    with pytest.raises(ValueError, match="2-D"):
        stationary_circulation(np.eye(3), np.eye(3))
