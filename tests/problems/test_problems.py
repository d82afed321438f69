"""LinearRegression and Quadratic against direct formulas and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import langevin_lib as ll


def central_difference_grad(f, phi, h=1e-5):
    """Central differences; exact up to rounding for a quadratic (its third derivative vanishes)."""
    phi = np.asarray(phi, dtype=float)
    out = np.empty_like(phi)
    for k in range(phi.size):
        e = np.zeros_like(phi)
        e[k] = h
        out[k] = (f(phi + e) - f(phi - e)) / (2 * h)
    return out


# ---------------------------------------------------------------- LinearRegression


def test_linear_regression_attributes_and_loss(raw_regression):
    p = raw_regression
    X, y = p.X, p.y
    assert (p.n_examples, p.dim) == (7, 3)
    phi = np.array([0.3, -1.2, 2.0])
    direct = sum(0.5 * (X[i] @ phi - y[i]) ** 2 for i in range(7)) / 7
    assert p.loss(phi) == pytest.approx(direct, rel=1e-13)
    assert np.ndim(p.loss(phi)) == 0


def test_linear_regression_batched_shapes(raw_regression):
    p = raw_regression
    rng = np.random.default_rng(0)
    phis = rng.standard_normal((4, 5, 3))
    loss = p.loss(phis)
    grad = p.grad(phis)
    assert loss.shape == (4, 5)
    assert grad.shape == (4, 5, 3)
    for a in range(4):
        for b in range(5):
            assert loss[a, b] == pytest.approx(p.loss(phis[a, b]), rel=1e-13)
            np.testing.assert_allclose(grad[a, b], p.grad(phis[a, b]), rtol=1e-13)


def test_linear_regression_grad_formula_and_finite_difference(raw_regression):
    p = raw_regression
    X, y, n = p.X, p.y, p.n_examples
    phi = np.array([1.0, 0.5, -0.7])
    np.testing.assert_allclose(p.grad(phi), X.T @ (X @ phi - y) / n, rtol=1e-13)
    # Rounding error of the difference quotient ~ eps * L / h ~ 1e-10 relative.
    np.testing.assert_allclose(p.grad(phi), central_difference_grad(p.loss, phi), rtol=1e-7)


def test_linear_regression_example_grads(raw_regression):
    p = raw_regression
    X, y = p.X, p.y
    phi = np.array([-0.4, 0.1, 0.9])
    G = p.example_grads(phi)
    assert G.shape == (7, 3)
    for i in range(7):
        # g_i = gradient of L_i(phi) = 0.5 (x_i.phi - y_i)^2, checked by finite differences too
        np.testing.assert_allclose(G[i], X[i] * (X[i] @ phi - y[i]), rtol=1e-13)
        Li = lambda v, i=i: 0.5 * (X[i] @ v - y[i]) ** 2  # noqa: E731
        np.testing.assert_allclose(G[i], central_difference_grad(Li, phi), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(G.mean(axis=0), p.grad(phi), rtol=1e-13)


def test_linear_regression_hessian_and_minimizer(raw_regression):
    p = raw_regression
    X, y, n = p.X, p.y, p.n_examples
    H = p.hessian()
    np.testing.assert_allclose(H, X.T @ X / n, rtol=1e-14)
    # The gradient is affine, so its finite-difference Jacobian is exact up to rounding.
    phi = np.array([0.2, 0.2, 0.2])
    jac = np.column_stack([(p.grad(phi + 1e-3 * e) - p.grad(phi - 1e-3 * e)) / 2e-3 for e in np.eye(3)])
    np.testing.assert_allclose(H, jac, rtol=1e-9, atol=1e-12)
    phi_star = p.minimizer()
    np.testing.assert_allclose(phi_star, np.linalg.solve(X.T @ X, X.T @ y), rtol=1e-12)
    np.testing.assert_allclose(p.grad(phi_star), 0.0, atol=1e-13)
    # The loss is minimal there: L(phi* + v) - L(phi*) = 0.5 v^T H v exactly.
    v = np.array([0.3, -0.1, 0.2])
    assert p.loss(phi_star + v) - p.loss(phi_star) == pytest.approx(0.5 * v @ H @ v, rel=1e-10)
    # Returned copies: mutating them must not change the problem.
    H[0, 0] = 99.0
    phi_star[0] = 99.0
    assert p.hessian()[0, 0] != 99.0 and p.minimizer()[0] != 99.0


def test_linear_regression_stochastic_grad_b1_is_one_uniform_example(raw_regression):
    """With B = 1 every minibatch gradient is exactly one of the n example gradients, drawn uniformly."""
    p = raw_regression
    phi = np.array([0.5, -0.5, 1.0])
    N = 14_000
    g = p.stochastic_grad(np.tile(phi, (N, 1)), 1, np.random.default_rng(5))
    G = p.example_grads(phi)
    dist = np.linalg.norm(g[:, None, :] - G[None, :, :], axis=2)  # (N, n)
    assert np.all(dist.min(axis=1) < 1e-12)
    counts = np.bincount(dist.argmin(axis=1), minlength=p.n_examples)
    # Chi-square goodness of fit to the uniform law, 6 degrees of freedom, at the 1e-4 level.
    chi2 = np.sum((counts - N / 7) ** 2 / (N / 7))
    assert chi2 < stats.chi2.ppf(1 - 1e-4, df=6)


# ---------------------------------------------------------------- Quadratic


def test_quadratic_loss_grad_hessian_minimizer():
    h = np.array([1.0, 2.5, 0.3])
    q = ll.Quadratic(h, [0.1, 0.2, 0.3])
    assert q.dim == 3
    phi = np.array([1.0, -2.0, 3.0])
    assert q.loss(phi) == pytest.approx(0.5 * (1.0 * 1 + 2.5 * 4 + 0.3 * 9), rel=1e-14)
    np.testing.assert_allclose(q.grad(phi), h * phi, rtol=1e-15)
    np.testing.assert_allclose(q.grad(phi), central_difference_grad(q.loss, phi), rtol=1e-8)
    np.testing.assert_array_equal(q.hessian(), np.diag(h))
    np.testing.assert_array_equal(q.minimizer(), np.zeros(3))
    phis = np.arange(24.0).reshape(2, 4, 3)
    assert q.loss(phis).shape == (2, 4)
    np.testing.assert_allclose(q.loss(phis), 0.5 * np.sum(h * phis**2, axis=-1), rtol=1e-14)
    np.testing.assert_allclose(q.grad(phis), h * phis, rtol=1e-15)


def test_quadratic_scalar_parameters_and_dim():
    q = ll.Quadratic(2.0, 0.5, dim=4)
    assert q.dim == 4
    np.testing.assert_array_equal(q.h, np.full(4, 2.0))
    np.testing.assert_array_equal(q.sigma, np.full(4, 0.5))
    q1 = ll.Quadratic(2.0, 0.5)
    assert q1.dim == 1
    q2 = ll.Quadratic([1.0, 3.0], 0.5)  # scalar sigma broadcast to h's length
    np.testing.assert_array_equal(q2.sigma, [0.5, 0.5])


def test_quadratic_stochastic_grad_mean_and_variance():
    """E g_hat = h phi and Var g_hat = sigma^2 / B per coordinate, independent coordinates."""
    h, sigma, B = np.array([1.0, 3.0]), np.array([2.0, 0.5]), 4
    q = ll.Quadratic(h, sigma)
    N = 200_000
    phi = np.array([0.7, -1.1])
    g = q.stochastic_grad(np.tile(phi, (N, 1)), B, np.random.default_rng(3))
    var = sigma**2 / B
    # Mean: standard error sqrt(var / N); 5 standard errors.
    np.testing.assert_allclose(g.mean(axis=0), h * phi, atol=5 * np.sqrt(var / N).max())
    # Variance of Gaussian noise: relative standard error sqrt(2 / N) = 0.32 %; 5 s.e. = 1.6 %.
    # (The wrong scaling sigma^2 / sqrt(B) would be 100 % off.)
    np.testing.assert_allclose(g.var(axis=0), var, rtol=5 * np.sqrt(2 / N))
    # Independent coordinates: correlation standard error 1/sqrt(N).
    assert abs(np.corrcoef(g.T)[0, 1]) < 5 / np.sqrt(N)


def test_problems_satisfy_protocol(raw_regression):
    assert isinstance(raw_regression, ll.Problem)
    assert isinstance(ll.Quadratic(1.0, 1.0), ll.Problem)
