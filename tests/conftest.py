"""Shared fixtures: small test problems and *independent* dense reference computations.

Nothing here calls the library's solvers: the reference second-moment map is
built from explicit per-example Hessians and Kronecker products, so that the
tests compare two different computations of the same quantity.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import langevin_lib as ll


def regression_with_hessian(n: int, eigenvalues, seed: int, noise: float = 0.5) -> ll.LinearRegression:
    """A LinearRegression whose Hessian X^T X / n has exactly the given eigenvalues.

    Whitening a Gaussian design makes the conditioning of the test problems a
    choice rather than an accident (fast mixing for the Monte Carlo tests),
    while the rows stay irregular (non-Gaussian fourth moments).
    """
    lam = np.asarray(eigenvalues, dtype=float)
    d = lam.size
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, d))
    W = np.linalg.cholesky(np.linalg.inv(Z.T @ Z / n))  # (Z W)^T (Z W) / n = I
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    X = Z @ W @ np.diag(np.sqrt(lam)) @ Q.T
    y = X @ rng.standard_normal(d) + noise * rng.standard_normal(n)
    return ll.LinearRegression(X, y)


def example_hessians(X: np.ndarray) -> np.ndarray:
    """H_i = x_i x_i^T, shape (n, d, d)."""
    return np.einsum("ia,ib->iab", X, X)


def dense_second_moment_map(X: np.ndarray, lr: float, batch_size: int) -> np.ndarray:
    """The (d^2, d^2) matrix of S -> E[(I - lr Hhat) S (I - lr Hhat)] for a minibatch of B draws with replacement.

    vec(A S A) = (A kron A) vec(S) for symmetric A, and
    E[Hhat kron Hhat] = (1/B) E_i[H_i kron H_i] + (1 - 1/B) H kron H.
    """
    d = X.shape[1]
    Hi = example_hessians(X)
    H = Hi.mean(axis=0)
    eye = np.eye(d)
    E_HiHi = np.mean([np.kron(h, h) for h in Hi], axis=0)
    E_hat = E_HiHi / batch_size + (1 - 1 / batch_size) * np.kron(H, H)
    return np.kron(eye, eye) - lr * (np.kron(H, eye) + np.kron(eye, H)) + lr**2 * E_hat


def dense_stationary_second_moment(problem: ll.LinearRegression, lr: float, batch_size: int) -> np.ndarray:
    """Solve vec(S) = M vec(S) + lr^2 vec(C) / B densely, C = E_i g_i g_i^T at the minimizer."""
    X, y = problem.X, problem.y
    n, d = X.shape
    phi_star = np.linalg.solve(X.T @ X, X.T @ y)  # normal equations, not the library's minimizer
    g = (X @ phi_star - y)[:, None] * X
    C = g.T @ g / n
    M = dense_second_moment_map(X, lr, batch_size)
    vec_S = np.linalg.solve(np.eye(d * d) - M, lr**2 * C.ravel() / batch_size)
    return vec_S.reshape(d, d)


def spectral_radius(M: np.ndarray) -> float:
    return float(np.max(np.abs(np.linalg.eigvals(M))))


@pytest.fixture
def ref():
    """Independent reference implementations, as a namespace of functions."""
    return SimpleNamespace(
        regression_with_hessian=regression_with_hessian,
        example_hessians=example_hessians,
        dense_second_moment_map=dense_second_moment_map,
        dense_stationary_second_moment=dense_stationary_second_moment,
        spectral_radius=spectral_radius,
    )


@pytest.fixture
def regression3():
    """d = 3, n = 12, Hessian eigenvalues 0.5, 0.7, 1.0 (exercises the dense eigen-solver path, d*d <= 16)."""
    return regression_with_hessian(12, [0.5, 0.7, 1.0], seed=1)


@pytest.fixture
def regression6():
    """d = 6, n = 30 (exercises the ARPACK path of the stability bound, d*d > 16)."""
    return regression_with_hessian(30, np.linspace(0.5, 1.0, 6), seed=2)


@pytest.fixture
def regression_illcond():
    """d = 8, n = 40, Hessian eigenvalues from 0.01 to 10 (condition number 1000)."""
    return regression_with_hessian(40, np.logspace(-2, 1, 8), seed=3)


@pytest.fixture
def raw_regression():
    """An ordinary (non-whitened) least-squares problem with n = 7, d = 3."""
    rng = np.random.default_rng(11)
    X = rng.standard_normal((7, 3)) * np.array([1.0, 2.0, 0.5])
    y = rng.standard_normal(7)
    return ll.LinearRegression(X, y)
