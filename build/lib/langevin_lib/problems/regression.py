r"""Least squares on a training set: the course's exactly solvable finite-sum problem (chapters 1 to 3)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._validation import as_finite_array, as_parameter
from ..data import load_diabetes
from .base import outer_product_noise_covariance

__all__ = ["LinearRegression", "diabetes_regression"]


class LinearRegression:
    r"""Least squares on a training set, the course's exactly solvable model.

    .. math::

        L_i(\phi) = \tfrac12 (x_i^\top \phi - y_i)^2, \qquad
        L(\phi) = \frac1n \sum_{i=1}^n L_i(\phi),

    so the Hessian :math:`H = \frac1n X^\top X` is constant and the quadratic
    expansion of step 1 of the TZ proof (chapter 3) is exact.

    Parameters
    ----------
    X : array_like, shape (n_examples, dim)
        Inputs, one example per row. Must be finite with ``X.T @ X`` invertible.
    y : array_like, shape (n_examples,)
        Targets.
    """

    def __init__(self, X: np.ndarray, y: np.ndarray):
        X = as_finite_array(X, "X", ndim=2)
        y = as_finite_array(y, "y", ndim=1)
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"y must have one target per row of X: X has {X.shape[0]} rows, y has {y.shape[0]}")
        if X.shape[0] < 1 or X.shape[1] < 1:
            raise ValueError(f"X must have at least one row and one column, got shape {X.shape}")
        self.X, self.y = X, y
        self.n_examples, self.dim = X.shape
        self._hessian = X.T @ X / self.n_examples
        if np.linalg.matrix_rank(self._hessian) < self.dim:
            raise ValueError("X must have full column rank (X.T @ X invertible) so that the minimizer is unique")
        self._minimizer = np.linalg.lstsq(X, y, rcond=None)[0]

    def residuals(self, phi: np.ndarray) -> np.ndarray:
        r"""Residuals :math:`x_i^\top\phi - y_i`, shape ``(..., n_examples)``."""
        phi = as_parameter(phi, self.dim)
        return phi @ self.X.T - self.y

    def loss(self, phi: np.ndarray) -> np.ndarray:
        r"""Training loss :math:`L(\phi) = \frac1{2n}\|X\phi - y\|^2`; ``phi`` of shape ``(d,)`` or ``(..., d)``."""
        return 0.5 * np.mean(self.residuals(phi) ** 2, axis=-1)

    def grad(self, phi: np.ndarray) -> np.ndarray:
        r"""Full gradient :math:`g(\phi) = \frac1n X^\top (X\phi - y)`, same shape as ``phi``."""
        return self.residuals(phi) @ self.X / self.n_examples

    def example_grads(self, phi: np.ndarray) -> np.ndarray:
        r"""Per-example gradients :math:`g_i(\phi) = x_i (x_i^\top\phi - y_i)`, shape ``(n_examples, d)``."""
        phi = as_parameter(phi, self.dim, single_for="example_grads")
        return self.residuals(phi)[:, None] * self.X

    def noise_covariance(self, phi: np.ndarray) -> np.ndarray:
        r"""Gradient-noise covariance :math:`\Sigma(\phi) = \frac1n\sum_i g_ig_i^\top - gg^\top` of one example.

        ``phi`` of shape ``(d,)`` gives ``(d, d)``; an ensemble ``(..., d)`` gives ``(..., d, d)``.
        """
        phi = as_parameter(phi, self.dim)
        flat = phi.reshape(-1, self.dim)
        residuals = (flat @ self.X.T - self.y)[:, None, :]  # g_i = x_i r_i with K = 1 residual
        return outer_product_noise_covariance(self.X, residuals).reshape(*phi.shape[:-1], self.dim, self.dim)

    def hessian(self) -> np.ndarray:
        r"""The constant Hessian :math:`H = \frac1n X^\top X`, shape ``(d, d)``."""
        return self._hessian.copy()

    def minimizer(self) -> np.ndarray:
        r"""The least-squares solution :math:`\phi^*`, shape ``(d,)``."""
        return self._minimizer.copy()

    def stochastic_grad(self, phi: np.ndarray, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        r"""Minibatch gradients for an ensemble ``phi`` of shape ``(n_chains, d)``.

        Each chain draws ``batch_size`` example indices uniformly *with
        replacement* and averages their gradients,
        :math:`\hat g = \frac1B\sum_{b=1}^B x_{i_b}(x_{i_b}^\top\phi - y_{i_b})`.
        """
        return self.batch_grad(phi, rng.integers(self.n_examples, size=(phi.shape[0], batch_size)))

    def batch_grad(self, phi: np.ndarray, idx: np.ndarray) -> np.ndarray:
        r"""Average gradient of the examples ``idx[c]`` at ``phi[c]``, for each chain ``c``.

        :math:`\hat g_c = \frac1B\sum_{b} g_{i_{c,b}}(\phi_c)` for ``phi`` of shape
        ``(n_chains, d)`` and integer ``idx`` of shape ``(n_chains, B)``; used by
        :func:`~langevin_lib.sgd` with ``sampling="reshuffle"`` (chapter 3).
        """
        xb = self.X[idx]  # (n_chains, B, d)
        residual = np.einsum("cbd,cd->cb", xb, phi) - self.y[idx]
        return np.einsum("cb,cbd->cd", residual, xb) / idx.shape[1]

    def __repr__(self) -> str:
        return f"LinearRegression(n_examples={self.n_examples}, dim={self.dim})"


def diabetes_regression(features: Sequence[str] | None = None) -> LinearRegression:
    r"""Least squares on the standardised diabetes data, :math:`L_i(\phi) = \frac12(x_i^\top\phi - y_i)^2`.

    Shorthand for ``LinearRegression(*load_diabetes(features)[:2])``: the real
    training set on which chapter 2 runs SGD against gradient flow.

    Parameters
    ----------
    features : sequence of str, optional
        As for :func:`load_diabetes` (default: all ten features).

    Returns
    -------
    LinearRegression
    """
    data = load_diabetes(features)
    return LinearRegression(data.X, data.y)
