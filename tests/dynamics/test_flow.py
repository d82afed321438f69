"""Gradient flow (exact and ODE paths) and gradient descent as its explicit Euler scheme."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import expm

import langevin_lib as ll

TIMES = np.array([0.0, 0.1, 0.5, 1.0, 2.0, 5.0, 12.0])


def exact_flow(problem, phi0, t):
    """Phi(t) = phi* + expm(-H t) (phi0 - phi*), with phi* from the normal equations."""
    X, y = problem.X, problem.y
    H = X.T @ X / problem.n_examples
    phi_star = np.linalg.solve(X.T @ X, X.T @ y)
    return np.array([phi_star + expm(-H * s) @ (phi0 - phi_star) for s in t])


class Quartic:
    """L(phi) = phi^4 / 4 in 1-D, a non-quadratic problem (no hessian/minimizer), so gradient_flow must use the ODE.

    The flow phi' = -phi^3 has the closed form phi(t) = phi0 / sqrt(1 + 2 phi0^2 t).
    """

    dim = 1

    def loss(self, phi):
        return np.sum(np.asarray(phi) ** 4, axis=-1) / 4

    def grad(self, phi):
        return np.asarray(phi) ** 3

    def stochastic_grad(self, phi, batch_size, rng):
        return phi**3


def test_gradient_flow_exact_matches_expm(raw_regression):
    phi0 = np.array([3.0, -2.0, 1.0])
    flow = ll.gradient_flow(raw_regression, phi0, TIMES)
    assert flow.shape == (TIMES.size, 3)
    np.testing.assert_allclose(flow, exact_flow(raw_regression, phi0, TIMES), rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(flow[0], phi0, rtol=1e-14)


def test_gradient_flow_quadratic_closed_form():
    h = np.array([0.5, 2.0])
    q = ll.Quadratic(h, 1.0)
    phi0 = np.array([1.0, -3.0])
    flow = ll.gradient_flow(q, phi0, TIMES)
    np.testing.assert_allclose(flow, phi0 * np.exp(-np.outer(TIMES, h)), rtol=1e-13, atol=1e-300)


def test_gradient_flow_ode_matches_exact_path(raw_regression):
    """The ODE path (DOP853, rtol 1e-11) agrees with the matrix exponential to ~1e-8 relative."""
    phi0 = np.array([3.0, -2.0, 1.0])
    ode = ll.gradient_flow(raw_regression, phi0, TIMES, method="ode")
    exact = exact_flow(raw_regression, phi0, TIMES)
    rel = np.linalg.norm(ode - exact, axis=1) / np.linalg.norm(exact, axis=1)
    assert rel.max() < 1e-8
    # ... and relative to the distance still to travel, phi(t) - phi*, which is the harder test.
    phi_star = raw_regression.minimizer()
    rel_delta = np.linalg.norm(ode - exact, axis=1) / np.linalg.norm(exact - phi_star, axis=1)
    assert rel_delta.max() < 1e-7


def test_gradient_flow_nonquadratic_uses_ode():
    t = np.linspace(0.0, 20.0, 9)
    flow = ll.gradient_flow(Quartic(), [2.0], t)  # method="auto" -> ODE, the problem has no hessian()
    np.testing.assert_allclose(flow[:, 0], 2.0 / np.sqrt(1 + 8 * t), rtol=1e-8)
    # All-zero times: the initial point repeated.
    np.testing.assert_array_equal(ll.gradient_flow(Quartic(), [2.0], [0.0, 0.0]), [[2.0], [2.0]])


def test_gradient_descent_closed_form(raw_regression):
    """phi_k = phi* + (I - lr H)^k (phi0 - phi*) for a quadratic loss."""
    p = raw_regression
    H = p.X.T @ p.X / p.n_examples
    phi_star = np.linalg.solve(p.X.T @ p.X, p.X.T @ p.y)
    phi0, lr, n = np.array([1.0, 2.0, -1.0]), 0.05, 40
    traj = ll.gradient_descent(p, phi0, lr, n, record_every=7)
    np.testing.assert_array_equal(traj.steps, [0, 7, 14, 21, 28, 35, 40])
    np.testing.assert_allclose(traj.times, traj.steps * lr, rtol=1e-13)
    A = np.eye(3) - lr * H
    for k, phi in zip(traj.steps, traj.phi[:, 0], strict=True):
        np.testing.assert_allclose(phi, phi_star + np.linalg.matrix_power(A, int(k)) @ (phi0 - phi_star), rtol=1e-11)


def test_gradient_descent_converges_to_flow_at_first_order(raw_regression):
    """Explicit Euler: the global error at fixed time t = 2 is O(lr); the log-log slope is ~1 (not 2, not 0)."""
    phi0 = np.array([3.0, -2.0, 1.0])
    t_end = 2.0
    target = exact_flow(raw_regression, phi0, [t_end])[0]
    lrs = 0.02 / 2.0 ** np.arange(5)
    errors = []
    for lr in lrs:
        n = round(t_end / lr)
        traj = ll.gradient_descent(raw_regression, phi0, lr, n, record_every=n)
        assert traj.times[-1] == pytest.approx(t_end, rel=1e-12)
        errors.append(np.linalg.norm(traj.final[0] - target))
    slope = np.polyfit(np.log(lrs), np.log(errors), 1)[0]
    assert 0.95 < slope < 1.05
    # Halving the rate halves the error (up to the O(lr^2) correction).
    np.testing.assert_allclose(np.array(errors[:-1]) / errors[1:], 2.0, rtol=0.05)


def test_gradient_descent_ensemble_and_per_coordinate_rate():
    """An ensemble phi0 (n_chains, d) runs each chain; per-coordinate rates contract coordinate k by (1 - lr_k h_k)."""
    q = ll.Quadratic([1.0, 4.0], 0.0)
    phi0 = np.array([[1.0, 1.0], [-2.0, 0.5], [0.0, 3.0]])
    lr = np.array([0.3, 0.1])
    traj = ll.gradient_descent(q, phi0, lr, 5)
    assert traj.phi.shape == (6, 3, 2)
    assert traj.n_chains == 3
    expected = phi0[None] * (1 - lr * q.h)[None, None, :] ** np.arange(6)[:, None, None]
    np.testing.assert_allclose(traj.phi, expected, rtol=1e-13)
    np.testing.assert_allclose(traj.times, np.arange(6) * lr.mean(), rtol=1e-13)
