r"""What a training problem is: the capabilities the dynamics and the theory dispatch on.

A problem is described by what it can do, not by its class. The simulators
(:func:`~langevin_lib.sgd`, the optimisers) need only :class:`Problem`; the
rest of the library asks for one of the finer capabilities below and raises a
``ValueError`` naming the capability when a problem lacks it, so a new problem
works everywhere its capabilities allow without editing the dynamics.

- :class:`Problem`: ``dim``, ``loss(phi)``, ``grad(phi)`` (both accept ``(d,)``
  or an ensemble ``(..., d)``) and ``stochastic_grad(phi, batch_size, rng)``.
- :class:`FiniteSumProblem`: :math:`L = \frac1n\sum_i L_i` over a training set,
  with ``n_examples``, per-example gradients ``example_grads(phi)``, minibatch
  gradients ``batch_grad(phi, idx)`` (random reshuffling, chapter 3) and the
  gradient-noise covariance :math:`\Sigma(\phi)` of one example
  (``noise_covariance(phi)``, equation eq-ch2-noise).
- :class:`AdditiveNoiseProblem`: the stochastic gradient is
  :math:`g(\phi) + \xi` with Gaussian :math:`\xi \sim N(0, \mathrm{diag}(\sigma^2)/B)`
  independent of :math:`\phi`, so :math:`\Sigma = \mathrm{diag}(\sigma^2)`
  (``sigma``) is constant and an SGD step is an Euler-Maruyama step.
- :class:`QuadraticProblem`: the loss is exactly quadratic, with a constant
  ``hessian()`` and a ``minimizer()``; the exact solvers need it.
- :class:`LeastSquaresProblem`: a quadratic finite sum whose per-example
  Hessians are :math:`x_ix_i^\top` for the rows of ``X``; the exact SGD second
  moment (chapter 3) needs them.

:func:`gradient_noise_covariance` returns :math:`\Sigma(\phi)/B` for either
kind of noise.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from .._validation import as_count, as_finite_array, check_dim

__all__ = [
    "AdditiveNoiseProblem",
    "FiniteSumProblem",
    "LeastSquaresProblem",
    "Problem",
    "QuadraticProblem",
    "gradient_noise_covariance",
]


@runtime_checkable
class Problem(Protocol):
    """What the simulators need of a training problem."""

    dim: int

    def loss(self, phi: np.ndarray) -> np.ndarray: ...

    def grad(self, phi: np.ndarray) -> np.ndarray: ...

    def stochastic_grad(self, phi: np.ndarray, batch_size: int, rng: np.random.Generator) -> np.ndarray: ...


@runtime_checkable
class FiniteSumProblem(Problem, Protocol):
    r"""A loss :math:`L = \frac1n\sum_i L_i` over ``n_examples`` training examples."""

    n_examples: int

    def example_grads(self, phi: np.ndarray) -> np.ndarray: ...

    def batch_grad(self, phi: np.ndarray, idx: np.ndarray) -> np.ndarray: ...

    def noise_covariance(self, phi: np.ndarray) -> np.ndarray: ...


@runtime_checkable
class AdditiveNoiseProblem(Problem, Protocol):
    r"""Stochastic gradients :math:`g(\phi) + \xi`, :math:`\xi_k \sim N(0, \sigma_k^2/B)` independent of :math:`\phi`.

    ``sigma`` has shape ``(d,)``.
    """

    sigma: np.ndarray


@runtime_checkable
class QuadraticProblem(Problem, Protocol):
    """An exactly quadratic loss with a constant Hessian and a unique minimiser."""

    def hessian(self) -> np.ndarray: ...

    def minimizer(self) -> np.ndarray: ...


@runtime_checkable
class LeastSquaresProblem(FiniteSumProblem, QuadraticProblem, Protocol):
    r"""A quadratic finite sum with per-example Hessians :math:`x_ix_i^\top`, the rows of ``X``."""

    X: np.ndarray


def gradient_noise_covariance(problem: Problem, phi: np.ndarray, batch_size: int = 1) -> np.ndarray:
    r"""Covariance :math:`\Sigma(\phi)/B` of the minibatch gradient at ``phi``.

    .. math::

        \operatorname{Cov}[\hat g \mid \phi] = \frac1B\Big(\frac1n\sum_i g_i g_i^\top - g g^\top\Big)

    for a :class:`FiniteSumProblem` (equation eq-ch2-noise), and
    :math:`\mathrm{diag}(\sigma^2)/B` for an :class:`AdditiveNoiseProblem`.
    Used in chapter 4 to build the Langevin SDE and to check the covariance
    of SGD increments.

    Parameters
    ----------
    problem : FiniteSumProblem or AdditiveNoiseProblem
    phi : array_like, shape (d,) or (n_chains, d)
    batch_size : int
        :math:`B \ge 1`.

    Returns
    -------
    ndarray, shape (d, d) for one point, (n_chains, d, d) for an ensemble

    Raises
    ------
    ValueError
        If the problem has neither capability, or ``phi`` is not finite or has the wrong shape.
    """
    if not isinstance(problem, (AdditiveNoiseProblem, FiniteSumProblem)):
        raise ValueError(
            "problem must have a known gradient-noise covariance: a FiniteSumProblem (per-example gradients) "
            f"or an AdditiveNoiseProblem (constant sigma); {type(problem).__name__} is neither"
        )
    batch_size = as_count(batch_size, "batch_size")
    phi = as_finite_array(phi, "phi", ndim=(1, 2))
    check_dim(phi, problem.dim, "phi")
    if isinstance(problem, AdditiveNoiseProblem):
        cov = np.broadcast_to(np.diag(problem.sigma**2), (*phi.shape[:-1], problem.dim, problem.dim)).copy()
    else:
        cov = problem.noise_covariance(phi)
    cov /= batch_size
    return cov


def outer_product_noise_covariance(X: np.ndarray, factors: np.ndarray) -> np.ndarray:
    r"""Gradient-noise covariance :math:`\Sigma` of per-example gradients :math:`g_i = x_i \otimes r_i + c`.

    Linear and softmax regression both have gradients of this form, with a
    residual :math:`r_i \in \mathbb{R}^K` (:math:`K = 1` for linear regression)
    and a constant :math:`c` (the L2 penalty), so
    :math:`\frac1n\sum_i g_ig_i^\top` is assembled from the products
    :math:`x_ix_i^\top` and :math:`r_ir_i^\top` without forming every
    :math:`g_i` (the constant drops out of the covariance). The parameter
    vector is :math:`\mathrm{vec}\,W` with :math:`W` of shape ``(n_features, K)``
    flattened row by row.

    Parameters
    ----------
    X : ndarray, shape (n, n_features)
        Inputs.
    factors : ndarray, shape (n_chains, K, n)
        The residuals :math:`r_i` of each chain, examples last.

    Returns
    -------
    ndarray, shape (n_chains, d, d) with d = n_features * K
    """
    n, f = X.shape
    n_chains, k = factors.shape[:2]
    d = f * k
    outer_r = (factors[:, :, None, :] * factors[:, None, :, :]).reshape(n_chains, k * k, n)
    outer_x = (X[:, :, None] * X[:, None, :]).reshape(n, f * f)
    second = (outer_r @ outer_x / n).reshape(n_chains, k, k, f, f)
    # Entry (f k, g l) of the flattened (n_features, K) layout is second[c, k, l, f, g].
    cov = second.transpose(0, 3, 1, 4, 2).reshape(n_chains, d, d)
    mean = np.swapaxes(factors @ X / n, 1, 2).reshape(n_chains, d)
    cov -= mean[:, :, None] * mean[:, None, :]
    return cov


def example_grad_covariance(problem: FiniteSumProblem, phi: np.ndarray) -> np.ndarray:
    r""":math:`\Sigma(\phi) = \frac1n\sum_i g_ig_i^\top - gg^\top` from ``example_grads``, point by point.

    The generic way for a finite-sum problem without structure to exploit
    (the network of chapter 6); ``phi`` of shape ``(d,)`` or ``(..., d)``.
    """
    flat = phi.reshape(-1, problem.dim)
    out = np.empty((flat.shape[0], problem.dim, problem.dim))
    for c, point in enumerate(flat):
        grads = problem.example_grads(point)
        centred = grads - grads.mean(axis=0)
        out[c] = centred.T @ centred / grads.shape[0]
    return out.reshape(*phi.shape[:-1], problem.dim, problem.dim)
