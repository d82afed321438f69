"""Training problems: a loss with per-example (or per-draw) stochastic gradients.

A problem is anything with ``dim``, ``loss(phi)``, ``grad(phi)`` and
``stochastic_grad(phi, batch_size, rng)``; :func:`~langevin_lib.sgd` needs no
more. Problems built on a finite training set also have ``n_examples`` and
``batch_grad(phi, idx)`` (the gradient averaged over given examples), which
``sgd(..., sampling="reshuffle")`` needs. Problems whose loss is exactly quadratic also have ``hessian()`` and
``minimizer()``, which the exact solvers use.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from ._validation import as_count, as_finite_array, as_parameter, as_positive_array

__all__ = ["LinearRegression", "Problem", "Quadratic"]


@runtime_checkable
class Problem(Protocol):
    """What the simulators need of a training problem."""

    dim: int

    def loss(self, phi: np.ndarray) -> np.ndarray: ...

    def grad(self, phi: np.ndarray) -> np.ndarray: ...

    def stochastic_grad(self, phi: np.ndarray, batch_size: int, rng: np.random.Generator) -> np.ndarray: ...


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


class Quadratic:
    r"""A separable quadratic with additive Gaussian gradient noise.

    .. math::

        L(\phi) = \tfrac12 \sum_k h_k \phi_k^2, \qquad
        \hat g(\phi) = h \odot \phi + \xi, \quad \xi_k \sim N(0, \sigma_k^2)
        \text{ independent},

    the model of chapters 4 to 6. A minibatch of ``B`` draws averages ``B``
    independent noises, so its noise has variance :math:`\sigma_k^2/B`.

    Parameters
    ----------
    h : float or array_like, shape (d,)
        Curvatures, each > 0.
    sigma : float or array_like, shape (d,)
        Standard deviations of the gradient noise, each >= 0.
    dim : int, optional
        Dimension when both ``h`` and ``sigma`` are scalars (default 1).
    """

    def __init__(self, h: float | np.ndarray, sigma: float | np.ndarray, dim: int | None = None):
        h = as_positive_array(h, "h")
        sigma = as_positive_array(sigma, "sigma", allow_zero=True)
        if h.ndim > 1 or sigma.ndim > 1:
            raise ValueError(f"h and sigma must be scalars or 1-D, got shapes {h.shape} and {sigma.shape}")
        sizes = {a.size for a in (h, sigma) if a.ndim == 1}
        if len(sizes) > 1:
            raise ValueError(f"h and sigma must have the same length, got {h.size} and {sigma.size}")
        n = sizes.pop() if sizes else as_count(1 if dim is None else dim, "dim")
        if dim is not None and as_count(dim, "dim") != n:
            raise ValueError(f"dim={dim} does not match the length {n} of h/sigma")
        self.dim = n
        self.h = np.broadcast_to(h, (n,)).copy()
        self.sigma = np.broadcast_to(sigma, (n,)).copy()

    def loss(self, phi: np.ndarray) -> np.ndarray:
        r""":math:`L(\phi) = \frac12\sum_k h_k\phi_k^2`; ``phi`` of shape ``(d,)`` or ``(..., d)``."""
        phi = as_parameter(phi, self.dim)
        return 0.5 * np.sum(self.h * phi**2, axis=-1)

    def grad(self, phi: np.ndarray) -> np.ndarray:
        r""":math:`g(\phi) = h\odot\phi`, same shape as ``phi``."""
        return self.h * as_parameter(phi, self.dim)

    def hessian(self) -> np.ndarray:
        """:math:`\\mathrm{diag}(h)`, shape ``(d, d)``."""
        return np.diag(self.h)

    def minimizer(self) -> np.ndarray:
        """The origin, shape ``(d,)``."""
        return np.zeros(self.dim)

    def stochastic_grad(self, phi: np.ndarray, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        r""":math:`h\odot\phi + \xi`, :math:`\xi_k\sim N(0,\sigma_k^2/B)`, for ``phi`` of shape ``(n_chains, d)``."""
        noise = rng.standard_normal(phi.shape)
        noise *= self.sigma / np.sqrt(batch_size)
        noise += self.h * phi
        return noise

    def __repr__(self) -> str:
        return f"Quadratic(h={self.h}, sigma={self.sigma})"
