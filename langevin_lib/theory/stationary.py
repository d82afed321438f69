r"""Exact stationary statistics of SGD and of the Langevin SDE (chapters 3 to 6).

For a quadratic loss the second moment :math:`S = \mathbb{E}[\delta\delta^\top]`
of :math:`\delta = \phi - \phi^*` under stationary SGD solves a linear
equation. With batch size :math:`B` (examples drawn with replacement),
:math:`H_i = x_i x_i^\top`, :math:`H = \mathbb{E}_i H_i` and
:math:`C = \mathbb{E}_i[g_i g_i^\top]` at :math:`\phi^*`, stationarity of one
step :math:`\delta \mapsto (I - \eta\hat H)\delta - \eta\hat g` gives

.. math::

    \underbrace{HS + SH}_{\mathcal{L}(S)}
    - \eta\,\underbrace{\Big(\tfrac1B\,\mathbb{E}_i[H_i S H_i]
    + \big(1-\tfrac1B\big) H S H\Big)}_{\mathcal{K}(S)}
    = \frac{\eta}{B}\, C .

Both :math:`\mathcal L` and :math:`\mathcal K` are self-adjoint for the
Frobenius inner product, :math:`\mathcal L` is positive definite and
:math:`\mathcal K` positive semi-definite, so the equation has a positive
solution exactly when :math:`\mathcal L - \eta\mathcal K` is positive definite:
:math:`\eta < 1/\mu_{\max}` with :math:`\mu_{\max}` the largest eigenvalue of
:math:`\mathcal L^{-1/2}\mathcal K\mathcal L^{-1/2}`. In the eigenbasis of
:math:`H`, :math:`\mathcal L` is diagonal, so we apply everything matrix-free
(cost :math:`O(nd^2 + d^3)` per application, never a :math:`d^2\times d^2`
matrix) and solve with conjugate gradients preconditioned by
:math:`\mathcal L^{-1}`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.integrate import trapezoid
from scipy.sparse.linalg import LinearOperator, cg, eigsh

from .._validation import (
    as_count,
    as_finite_array,
    as_learning_rate,
    as_positive_array,
    as_positive_scalar,
    as_scalar_learning_rate,
    check_broadcastable,
)
from ..dynamics import sgd
from ..problems import AdditiveNoiseProblem, LeastSquaresProblem, Problem, QuadraticProblem

__all__ = [
    "ExactProblem",
    "gibbs_density",
    "langevin_temperature",
    "quadratic_sgd_variance",
    "sgd_excess_loss",
    "sgd_stability_bound",
    "sgd_stationary_covariance",
    "stationary_samples",
    "tz_slope",
]

#: What the exact solvers accept: a least-squares finite sum (e.g. :class:`~langevin_lib.LinearRegression`)
#: or an additive-noise quadratic with a diagonal Hessian (e.g. :class:`~langevin_lib.Quadratic`).
ExactProblem = LeastSquaresProblem | AdditiveNoiseProblem


def quadratic_sgd_variance(h: float | np.ndarray, sigma2: float | np.ndarray, lr: float | np.ndarray) -> np.ndarray:
    r"""Stationary variance of SGD on :math:`\frac h2 x^2` with gradient-noise variance :math:`\sigma^2`.

    The step :math:`x \mapsto (1-\eta h)x - \eta\xi` has the stationary variance

    .. math::

        \mathrm{Var}(x) = \frac{\eta^2\sigma^2}{1-(1-\eta h)^2}
                        = \frac{\eta\,\sigma^2}{2h - \eta h^2}
                        = \frac{\eta\sigma^2}{2h}\cdot\frac{1}{1-\eta h/2},

    the Langevin value :math:`\eta\sigma^2/(2h)` times the exact discrete
    factor :math:`1/(1-\eta h/2)` (chapters 4 and 5). Elementwise on arrays.

    Raises
    ------
    ValueError
        Unless :math:`0 < \eta < 2/h`, the range where a stationary
        distribution exists.
    """
    h = as_positive_array(h, "h")
    sigma2 = as_positive_array(sigma2, "sigma2", allow_zero=True)
    lr = as_learning_rate(lr)
    check_broadcastable(h=h, sigma2=sigma2, lr=lr)
    if np.any(lr * h >= 2):
        raise ValueError(
            f"lr must be < 2/h = {_format(2 / h)} for SGD to have a stationary distribution, got lr = {_format(lr)}"
        )
    return lr * sigma2 / (2 * h - lr * h**2)


def langevin_temperature(lr: float | np.ndarray, sigma2: float | np.ndarray) -> np.ndarray:
    r"""Temperature :math:`T = \eta\sigma^2/2` of the Langevin SDE of SGD.

    The stationary density of :math:`d\Phi = -L'(\Phi)dt + \sqrt{\eta}\sigma\,dW`
    is :math:`\propto e^{-L/T}` (chapter 5: :math:`\alpha = 1/2`, not the
    slide's 1/10). Elementwise, so per-coordinate rates give per-coordinate
    temperatures (chapter 6).
    """
    lr = as_learning_rate(lr)
    sigma2 = as_positive_array(sigma2, "sigma2", allow_zero=True)
    check_broadcastable(lr=lr, sigma2=sigma2)
    return lr * sigma2 / 2


def gibbs_density(loss: Callable[[np.ndarray], np.ndarray], grid: np.ndarray, temperature: float) -> np.ndarray:
    r"""The Gibbs density :math:`p(x) = e^{-L(x)/T}/Z` on a 1-D grid.

    :math:`Z` is computed by the trapezoidal rule on ``grid``, so the result
    integrates to 1 there. The loss is shifted by its minimum on the grid
    before exponentiating, which changes nothing but avoids underflow.

    Parameters
    ----------
    loss : callable
        Vectorised loss, ``loss(grid)`` returns an array like ``grid``.
    grid : array_like, shape (m,)
        Strictly increasing points, m >= 2.
    temperature : float
        :math:`T > 0`.
    """
    grid = as_finite_array(grid, "grid", ndim=1)
    if grid.size < 2 or np.any(np.diff(grid) <= 0):
        raise ValueError("grid must be a strictly increasing 1-D array with at least 2 points")
    temperature = as_positive_scalar(temperature, "temperature")
    values = as_finite_array(loss(grid), "loss(grid)")
    if values.shape != grid.shape:
        raise ValueError(f"loss(grid) must have the shape of grid {grid.shape}, got {values.shape}")
    weights = np.exp(-(values - values.min()) / temperature)
    return weights / trapezoid(weights, grid)


def tz_slope(problem: ExactProblem, batch_size: int = 1) -> float:
    r"""Slope of the converged loss at :math:`\eta = 0`: :math:`\frac{1}{4B}\mathbb{E}_i\|g_i(\phi^*)\|^2`.

    The TZ theorem of chapter 3, with the batch-size factor :math:`1/B` that
    holds for examples drawn with replacement. For :class:`~langevin_lib.Quadratic` the
    per-draw gradient at the optimum is the noise, so the slope is
    :math:`\sum_k \sigma_k^2/(4B)`.
    """
    batch_size = as_count(batch_size, "batch_size")
    separable = _separable_quadratic(problem)
    if separable is not None:
        mean_sq = float(np.sum(separable[1] ** 2))
    else:
        problem = _least_squares(problem, or_else=_OR_SEPARABLE)
        mean_sq = float(np.mean(np.sum(problem.example_grads(problem.minimizer()) ** 2, axis=1)))
    return mean_sq / (4 * batch_size)


def sgd_stability_bound(problem: ExactProblem, batch_size: int = 1) -> float:
    r"""Largest learning rate at which SGD's stationary second moment, and so :math:`L(\eta)`, is finite.

    This is mean-square stability. For :class:`~langevin_lib.LinearRegression` it is
    :math:`1/\mu_{\max}` from the module notes, the learning rate at which the spectral radius
    of the exact second-moment map
    :math:`S\mapsto\mathbb{E}[(I-\eta\hat H)S(I-\eta\hat H)^\top]` reaches 1. It is never
    above gradient descent's :math:`2/\lambda_{\max}(H)` and equals it as :math:`B\to\infty`.
    For :class:`~langevin_lib.Quadratic` (noise independent of :math:`\phi`) it is
    :math:`2/\max_k h_k`. Used in chapter 3.

    It is *not* the largest rate at which SGD has a stationary distribution: with
    multiplicative (least-squares) noise the chain keeps one above this bound as long as the
    top Lyapunov exponent of the random products of :math:`I-\eta\hat H` is negative, and
    that distribution has power-law tails, with an infinite second moment (Kesten, 1973;
    Gurbuzbalaban, Simsekli and Zhu, 2021; Hodgkinson and Mahoney, 2021).
    """
    batch_size = as_count(batch_size, "batch_size")
    separable = _separable_quadratic(problem)
    if separable is not None:
        return float(2 / separable[0].max())
    ops = _SecondMomentOperators(_least_squares(problem, or_else=_OR_SEPARABLE), batch_size)
    return 1.0 / ops.largest_relative_eigenvalue()


def sgd_stationary_covariance(problem: ExactProblem, lr: float | np.ndarray, batch_size: int = 1) -> np.ndarray:
    r"""Exact stationary second moment :math:`S = \mathbb{E}[(\phi-\phi^*)(\phi-\phi^*)^\top]` of SGD.

    Solves :math:`\mathcal L(S) - \eta\mathcal K(S) = \frac{\eta}{B} C`
    (module notes) matrix-free by preconditioned conjugate gradients, to
    about 1e-12 relative residual. For :class:`~langevin_lib.Quadratic` the answer is
    diagonal with entries :func:`quadratic_sgd_variance` ``(h, sigma**2/B, lr)``,
    and ``lr`` may be per-coordinate. Used in chapters 3 and 5.

    Parameters
    ----------
    problem : LeastSquaresProblem or additive-noise quadratic (see :data:`ExactProblem`)
    lr : float (or array of shape (d,) for an additive-noise quadratic)
        Learning rate, 0 < lr < :func:`sgd_stability_bound`.
    batch_size : int
        Examples per step, drawn with replacement.

    Returns
    -------
    ndarray, shape (d, d)

    Raises
    ------
    ValueError
        If ``lr`` is at or above the stability bound, where no stationary
        distribution exists; the message states the bound.
    """
    batch_size = as_count(batch_size, "batch_size")
    separable = _separable_quadratic(problem)
    if separable is not None:
        h, sigma = separable
        lr = as_learning_rate(lr)
        if lr.ndim not in (0, 1) or (lr.ndim == 1 and lr.shape != (problem.dim,)):
            raise ValueError(f"lr must be a scalar or have shape ({problem.dim},), got shape {lr.shape}")
        return np.diag(np.broadcast_to(quadratic_sgd_variance(h, sigma**2 / batch_size, lr), (problem.dim,)))
    ops = _SecondMomentOperators(_least_squares(problem, or_else=_OR_SEPARABLE), batch_size)
    lr = as_scalar_learning_rate(lr)
    bound = 1.0 / ops.largest_relative_eigenvalue()
    if lr >= bound:
        raise ValueError(
            f"lr = {lr:.6g} has an infinite stationary second moment (and L(eta)) for this problem with "
            f"batch_size={batch_size}: SGD is mean-square stable only for lr < {bound:.6g} (gradient descent's "
            "bound 2/lambda_max is "
            f"{2 / ops.eigvals.max():.6g})"
        )
    return ops.solve(lr)


def sgd_excess_loss(problem: ExactProblem, lr: float | np.ndarray, batch_size: int = 1) -> float:
    r"""Exact converged excess loss :math:`L(\eta) - L(\phi^*) = \frac12\mathrm{tr}(HS)`.

    Exact because the loss is quadratic, with :math:`S` from
    :func:`sgd_stationary_covariance`. Its slope at :math:`\eta=0` is
    :func:`tz_slope` (chapter 3).
    """
    S = sgd_stationary_covariance(problem, lr, batch_size)
    return 0.5 * float(np.sum(problem.hessian() * S))


def stationary_samples(
    problem: ExactProblem,
    lr: float | np.ndarray,
    *,
    n_chains: int,
    relaxation_times: float = 6.0,
    max_steps: int | None = None,
    rng: np.random.Generator | int | None = None,
) -> np.ndarray:
    r"""Samples of the stationary distribution of SGD (B = 1), one per chain, on an exactly solvable problem.

    Every chain starts at the minimiser and runs
    :math:`\lceil r/\lambda_{\min}(P^{1/2} H P^{1/2})\rceil` steps, with
    :math:`P = \mathrm{diag}(\eta)` (the learning rates) and :math:`r` =
    ``relaxation_times``. The mean of the linear part of the step contracts
    like :math:`(1 - \eta\lambda)^k` in each eigendirection, so after :math:`r`
    relaxation times of the slowest one the second moment is within about
    :math:`e^{-2r}` of its stationary value (the noise that enters later is
    already stationary). Used for the stationary clouds of chapters 3, 5 and 6.

    Parameters
    ----------
    problem : ExactProblem
        A least-squares problem or an additive-noise quadratic.
    lr : float or array of shape (d,)
        Learning rate(s), below the stability bound (per-coordinate rates for
        additive-noise quadratics only).
    n_chains : int
        Number of independent samples.
    relaxation_times : float
        :math:`r > 0`.
    max_steps : int, optional
        Refuse to run more steps than this (a slider must stay fast).
    rng : numpy.random.Generator, int or None
        Source of randomness.

    Returns
    -------
    ndarray, shape (n_chains, d)

    Raises
    ------
    ValueError
        If ``lr`` is at or above the stability bound, or the run would need
        more than ``max_steps`` steps.
    """
    relaxation_times = as_positive_scalar(relaxation_times, "relaxation_times")
    sgd_stationary_covariance(problem, lr)  # raises, stating the bound, where no stationary law exists
    rates = as_learning_rate(lr)
    hessian = problem.hessian()
    if np.array_equal(hessian, np.diag(np.diagonal(hessian))):
        slowest = float(np.min(rates * np.diagonal(hessian)))
    elif rates.ndim == 0:
        slowest = float(rates) * float(np.linalg.eigvalsh(hessian)[0])
    else:
        root = np.sqrt(rates)
        slowest = float(np.linalg.eigvalsh(root[:, None] * hessian * root[None, :])[0])
    n_steps = int(np.ceil(relaxation_times / slowest))
    if max_steps is not None and n_steps > as_count(max_steps, "max_steps"):
        raise ValueError(
            f"lr too small: the slowest direction needs {n_steps} steps to relax (max_steps = {max_steps}); "
            "raise the learning rate"
        )
    run = sgd(problem, problem.minimizer(), lr, n_steps, n_chains=n_chains, rng=rng, record_every=n_steps)
    return run.final


def _format(values: np.ndarray) -> str:
    """A number as a number, an array as a short array (for error messages)."""
    return f"{float(values):.6g}" if np.ndim(values) == 0 else np.array2string(np.asarray(values), precision=6)


def _separable_quadratic(problem: Problem) -> tuple[np.ndarray, np.ndarray] | None:
    """``(h, sigma)`` of an additive-noise quadratic with a diagonal Hessian (closed forms apply), else None."""
    if isinstance(problem, AdditiveNoiseProblem) and isinstance(problem, QuadraticProblem):
        hessian = problem.hessian()
        h = np.diagonal(hessian).copy()
        if np.array_equal(hessian, np.diag(h)):
            return h, problem.sigma
    return None


def _least_squares(problem: Problem, *, or_else: str = "") -> LeastSquaresProblem:
    """``problem`` if it is a least-squares problem, else a ValueError naming what else the caller accepts."""
    if not isinstance(problem, LeastSquaresProblem):
        raise ValueError(
            f"problem must be a LeastSquaresProblem (e.g. LinearRegression){or_else}, got {type(problem).__name__}"
        )
    return problem


#: What the exact solvers of this module accept besides a least-squares problem.
_OR_SEPARABLE = " or an additive-noise quadratic with a diagonal Hessian (e.g. Quadratic)"


class _SecondMomentOperators:
    """The operators L and K of the module notes, in the eigenbasis of H."""

    def __init__(self, problem: LeastSquaresProblem, batch_size: int):
        self.eigvals, self.basis = np.linalg.eigh(problem.hessian())
        self.d = problem.dim
        self.n = problem.n_examples
        self.batch_size = batch_size
        self.X = problem.X @ self.basis  # examples in the eigenbasis
        grads = problem.example_grads(problem.minimizer()) @ self.basis
        self.C = grads.T @ grads / self.n
        # L(S) = H S + S H is elementwise multiplication by lambda_a + lambda_b here.
        self.lyapunov = self.eigvals[:, None] + self.eigvals[None, :]

    def K(self, S: np.ndarray) -> np.ndarray:
        weights = np.sum((self.X @ S) * self.X, axis=1)
        per_example = (self.X * weights[:, None]).T @ self.X / self.n
        lam = self.eigvals
        full_batch = lam[:, None] * S * lam[None, :]
        return per_example / self.batch_size + (1 - 1 / self.batch_size) * full_batch

    def largest_relative_eigenvalue(self) -> float:
        """Largest eigenvalue of L^{-1/2} K L^{-1/2} on symmetric matrices."""
        d, root = self.d, np.sqrt(self.lyapunov)

        def apply(v: np.ndarray) -> np.ndarray:
            S = v.reshape(d, d) / root
            S = 0.5 * (S + S.T)
            return (self.K(S) / root).ravel()

        if d * d <= 16:
            # ARPACK needs more dimensions than wanted eigenvalues; the
            # operator is tiny here, so apply it to each basis vector.
            dense = np.column_stack([apply(e) for e in np.eye(d * d)])
            return float(np.linalg.eigvalsh(0.5 * (dense + dense.T)).max())
        op = LinearOperator((d * d, d * d), matvec=apply, dtype=float)
        start = np.eye(d).ravel()
        return float(eigsh(op, k=1, which="LA", v0=start, tol=1e-12, return_eigenvectors=False)[0])

    def solve(self, lr: float) -> np.ndarray:
        d = self.d

        def apply(v: np.ndarray) -> np.ndarray:
            S = v.reshape(d, d)
            return (self.lyapunov * S - lr * self.K(S)).ravel()

        op = LinearOperator((d * d, d * d), matvec=apply, dtype=float)
        precond = LinearOperator((d * d, d * d), matvec=lambda v: v / self.lyapunov.ravel(), dtype=float)
        rhs = (lr / self.batch_size) * self.C
        guess = rhs / self.lyapunov
        solution, info = cg(
            op, rhs.ravel(), x0=guess.ravel(), M=precond, rtol=1e-13, atol=0.0, maxiter=20 * d * d + 100
        )
        if info != 0:
            raise ArithmeticError(f"conjugate gradients did not converge in {info} iterations (lr={lr:.6g})")
        S = solution.reshape(d, d)
        S = 0.5 * (S + S.T)
        return self.basis @ S @ self.basis.T
