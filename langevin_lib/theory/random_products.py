r"""SGD on least squares as a product of random matrices: moment growth and the Lyapunov exponent (chapter 3).

With one example per step, SGD on least squares moves the error :math:`\Delta_k = \phi_k - \phi^*`
by the random affine map

.. math::

    \Delta_{k+1} = A_k\,\Delta_k - \eta\,g_{i_k}(\phi^*), \qquad A_k = I - \eta\,x_{i_k}x_{i_k}^\top,

with :math:`i_k` uniform over the examples. Two numbers of the random factors :math:`A` decide
how the chain behaves in the long run (chapter 3, ``prop-ch3-markov``):

* the growth rate of the :math:`p`-th moments, the spectral radius
  :math:`\rho_p(\eta)` of :math:`\mathbb{E}[A^{\otimes p}]`. The chain's :math:`p`-th moment stays
  finite while :math:`\rho_p < 1`; :math:`p = 2` is the mean-square map
  :math:`S \mapsto \mathbb{E}[ASA^\top]`, whose radius reaches 1 at
  :func:`~langevin_lib.sgd_stability_bound`, and :math:`p = 1` is :math:`I - \eta H`;
* the top Lyapunov exponent
  :math:`\gamma_\eta = \lim_k \frac1k \log\lVert A_k\cdots A_1\rVert`. A unique stationary law
  exists when :math:`\gamma_\eta < 0` (Bougerol and Picard, 1992), also above the mean-square
  bound, where its second moment is infinite. Jensen's inequality gives
  :math:`\gamma_\eta \le \frac1p\log\rho_p(\eta)` for every even :math:`p`.
"""

from __future__ import annotations

from functools import reduce

import numpy as np

from .._validation import as_count, as_generator, as_scalar_learning_rate
from ..problems import LeastSquaresProblem
from .stationary import _least_squares

__all__ = ["moment_growth_rate", "top_lyapunov_exponent"]

#: Largest side d**power of the dense matrix E[A^{(x) power}] that moment_growth_rate builds.
_MAX_KRONECKER_SIDE = 1024


def moment_growth_rate(problem: LeastSquaresProblem, lr: float, power: int = 2) -> float:
    r"""Spectral radius :math:`\rho_p` of :math:`\mathbb{E}_i[(I - \eta x_ix_i^\top)^{\otimes p}]`.

    The factor by which SGD with one example per step multiplies its :math:`p`-th moments
    per step in the long run (module notes); :math:`\rho_2 = 1` exactly at
    :func:`~langevin_lib.sgd_stability_bound`. The expectation is formed as a dense
    :math:`d^p\times d^p` matrix, so this is for small problems. Used in chapter 3.

    Parameters
    ----------
    problem : LeastSquaresProblem
        E.g. :class:`~langevin_lib.LinearRegression`; its rows ``X`` are the :math:`x_i`.
    lr : float
        Learning rate :math:`\eta > 0`.
    power : int
        Moment order :math:`p \ge 1`, with :math:`d^p \le 1024`.

    Returns
    -------
    float
    """
    problem = _least_squares(problem)
    lr = as_scalar_learning_rate(lr)
    power = as_count(power, "power")
    dim = problem.X.shape[1]
    if dim**power > _MAX_KRONECKER_SIDE:
        raise ValueError(
            f"power must keep d**power <= {_MAX_KRONECKER_SIDE} (a dense matrix of that side), "
            f"got d = {dim}, power = {power}"
        )
    factors = np.eye(dim) - lr * np.einsum("id,ie->ide", problem.X, problem.X)
    mean = sum(reduce(np.kron, [factor] * power) for factor in factors) / len(factors)
    return float(np.max(np.abs(np.linalg.eigvals(mean))))


def top_lyapunov_exponent(
    problem: LeastSquaresProblem,
    lr: float,
    *,
    n_products: int = 400,
    n_factors: int = 1000,
    rng: np.random.Generator | int | None = None,
) -> np.ndarray:
    r"""Independent estimates of the top Lyapunov exponent :math:`\gamma_\eta` of SGD's random factors.

    Each estimate follows one random unit vector through ``n_factors`` factors
    :math:`A = I - \eta x_ix_i^\top` with fresh uniform examples, renormalising after each,
    and returns :math:`\frac1N\sum_k\log\lVert A_k v_{k-1}\rVert`, which tends to
    :math:`\gamma_\eta` as :math:`N\to\infty` (module notes). The estimates are independent, so
    their mean estimates :math:`\gamma_\eta` and :func:`~langevin_lib.replica_se` gives its
    standard error; the :math:`O(1/N)` bias of the start is not in that error. With the same
    ``rng`` every rate uses the same examples and start, so the mean is a smooth function of
    ``lr`` (chapter 3 finds its zero with a root finder). Used in chapter 3.

    Parameters
    ----------
    problem : LeastSquaresProblem
    lr : float
        Learning rate :math:`\eta > 0`.
    n_products, n_factors : int
        Number of estimates, and factors in each (both >= 1).
    rng : numpy.random.Generator, int or None

    Returns
    -------
    ndarray, shape (n_products,)
    """
    problem = _least_squares(problem)
    lr = as_scalar_learning_rate(lr)
    n_products = as_count(n_products, "n_products")
    n_factors = as_count(n_factors, "n_factors")
    rng = as_generator(rng)
    X = problem.X
    v = rng.standard_normal((n_products, X.shape[1]))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    log_growth = np.zeros(n_products)
    for _ in range(n_factors):
        x = X[rng.integers(len(X), size=n_products)]
        v -= lr * x * np.sum(x * v, axis=1, keepdims=True)
        norms = np.linalg.norm(v, axis=1)
        # a factor with a zero eigenvalue can map v to 0 exactly: log 0 = -inf is the right limit
        with np.errstate(divide="ignore"):
            log_growth += np.log(norms)
        v /= np.where(norms > 0, norms, 1.0)[:, None]
    return log_growth / n_factors
