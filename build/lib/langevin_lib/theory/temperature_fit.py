r"""Fitting Gibbs densities to samples: temperatures, goodness of fit, separable densities (chapter 5).

Chapter 5 asks whether the stationary samples of SGD follow a Gibbs density
:math:`p_T(x) = e^{-L(x)/T}/Z(T)`, and at which temperature. The
maximum-likelihood temperature solves

.. math::

    \mathbb{E}_{p_T}[L] = \frac1n\sum_{i=1}^n L(x_i),

because :math:`\partial_T \log p_T(x) = (L(x) - \mathbb{E}_{p_T}L)/T^2`; the
left side increases with :math:`T` (its derivative is
:math:`\mathrm{Var}_{p_T}(L)/T^2`), so the root is unique. For a separable
loss :math:`L = \sum_k L_k(x_k)` a *single* temperature solves
:math:`\sum_k \mathbb{E}_{p_T}[L_k] = \frac1n\sum_i L(x_i)`, while each
coordinate alone has its own temperature :math:`T_k`.

All expectations are trapezoidal quadratures on a user-supplied 1-D grid,
per coordinate, using :func:`~langevin_lib.gibbs_density`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.integrate import cumulative_trapezoid, trapezoid
from scipy.optimize import brentq

from .._validation import as_finite_array, as_positive_array, as_positive_scalar
from .stationary import gibbs_density

__all__ = ["fit_temperature", "gibbs_cdf", "gibbs_kl_divergence", "ks_distance", "separable_gibbs_density"]

Loss = Callable[[np.ndarray], np.ndarray]


def _grid(grid: np.ndarray) -> np.ndarray:
    grid = as_finite_array(grid, "grid", ndim=1)
    if grid.size < 3 or np.any(np.diff(grid) <= 0):
        raise ValueError(f"grid must be increasing with at least 3 points, got {grid.size} points")
    return grid


def gibbs_cdf(loss: Loss, grid: np.ndarray, temperature: float) -> np.ndarray:
    r"""The distribution function :math:`F(x) = \int_{x_0}^x p_T` of the Gibbs density on ``grid``."""
    grid = _grid(grid)
    cdf = cumulative_trapezoid(gibbs_density(loss, grid, temperature), grid, initial=0.0)
    return cdf / cdf[-1]


def ks_distance(samples: np.ndarray, loss: Loss, temperature: float, grid: np.ndarray) -> float:
    r"""Kolmogorov-Smirnov distance :math:`\sup_x |F_n(x) - F(x)|` between samples and the Gibbs law at ``temperature``.

    :math:`F_n` is the empirical distribution function of ``samples``. For
    :math:`n` *independent* samples of :math:`F` the distance is about
    :math:`0.87/\sqrt n` on average, the noise floor; a wrong law gives a
    distance that does not shrink with :math:`n`.

    Parameters
    ----------
    samples : array_like, shape (n,)
        Samples inside ``grid``.
    loss, temperature, grid
        As for :func:`gibbs_cdf`.
    """
    grid = _grid(grid)
    x = np.sort(as_finite_array(samples, "samples", ndim=1))
    if x[0] < grid[0] or x[-1] > grid[-1]:
        raise ValueError(f"samples must lie inside the grid [{grid[0]:g}, {grid[-1]:g}]")
    F = np.interp(x, grid, gibbs_cdf(loss, grid, temperature))
    n = x.size
    above = np.arange(1, n + 1) / n - F
    below = F - np.arange(n) / n
    return float(max(above.max(), below.max()))


def _mean_loss(loss: Loss, grid: np.ndarray, temperature: float) -> float:
    return float(trapezoid(loss(grid) * gibbs_density(loss, grid, temperature), grid))


def fit_temperature(losses: Loss | Sequence[Loss], samples: np.ndarray, grid: np.ndarray) -> float:
    r"""Maximum-likelihood temperature of the Gibbs density :math:`\propto e^{-\sum_k L_k(x_k)/T}` (module notes).

    Parameters
    ----------
    losses : callable or sequence of callables
        :math:`L_k`, one per column of ``samples`` (a single callable for 1-D samples
        or for every column).
    samples : array_like, shape (n,) or (n, d)
        The samples.
    grid : array_like, shape (m,)
        Increasing 1-D grid covering the samples of every coordinate.

    Returns
    -------
    float
        The temperature :math:`\hat T` at which the Gibbs mean loss equals the sample mean loss.

    Raises
    ------
    ValueError
        If the sample mean loss is not strictly between the smallest loss on
        the grid and the grid average (no temperature fits).
    """
    grid = _grid(grid)
    x = as_finite_array(samples, "samples", ndim=(1, 2))
    x = x[:, None] if x.ndim == 1 else x
    pieces = [losses] * x.shape[1] if callable(losses) else list(losses)
    if len(pieces) != x.shape[1]:
        raise ValueError(f"need one loss per column of samples: {len(pieces)} losses, {x.shape[1]} columns")
    target = float(sum(np.mean(loss(x[:, k])) for k, loss in enumerate(pieces)))

    def excess(log_t: float) -> float:
        return sum(_mean_loss(loss, grid, np.exp(log_t)) for loss in pieces) - target

    # E_T[L] runs from min L (T -> 0) to the grid average of L (T -> inf); search outwards in log T.
    scale = float(np.ptp(sum(loss(grid) for loss in pieces))) or 1.0
    low, high = np.log(scale) - 3, np.log(scale) + 3
    for _ in range(20):
        if excess(low) < 0:
            break
        low -= 3
    for _ in range(20):
        if excess(high) > 0:
            break
        high += 3
    if not excess(low) < 0 < excess(high):
        raise ValueError("no temperature fits: the mean loss of the samples is outside what a Gibbs law on grid gives")
    return float(np.exp(brentq(excess, low, high, xtol=1e-12, rtol=1e-12)))


def separable_gibbs_density(
    losses: Sequence[Loss], temperatures: float | np.ndarray, grids: Sequence[np.ndarray]
) -> np.ndarray:
    r"""The product density :math:`\prod_k e^{-L_k(x_k)/T_k}/Z_k` on a tensor grid.

    One temperature for every coordinate gives a Gibbs density of
    :math:`L = \sum_k L_k`; different :math:`T_k` give the multi-temperature
    law of chapter 5, which is not :math:`e^{-L/T}` for any :math:`T`.

    Returns
    -------
    ndarray, shape (len(grids[0]), ..., len(grids[-1]))
        Indexed like ``numpy.meshgrid(..., indexing="ij")``: transpose it for
        ``contour(x, y, z)`` in 2-D.
    """
    grids = [_grid(g) for g in grids]
    temps = np.broadcast_to(as_positive_array(temperatures, "temperatures"), (len(grids),))
    if len(losses) != len(grids):
        raise ValueError(f"need one loss per grid, got {len(losses)} losses and {len(grids)} grids")
    out = np.ones(())
    for loss, grid, temp in zip(losses, grids, temps, strict=True):
        out = np.multiply.outer(out, gibbs_density(loss, grid, float(temp)))
    return out


def gibbs_kl_divergence(loss: Loss, grid: np.ndarray, temperature: float, model_temperature: float) -> float:
    r"""Relative entropy :math:`\mathrm{KL}(p_T \,\|\, p_{T'}) = \int p_T \log(p_T/p_{T'})` of two Gibbs densities.

    Both densities are of the same loss, at temperatures :math:`T` and :math:`T'`.

    For a separable loss the relative entropies of the coordinates add.
    """
    grid = _grid(grid)
    temperature = as_positive_scalar(temperature, "temperature")
    model_temperature = as_positive_scalar(model_temperature, "model_temperature")
    # Work with log-densities: q may underflow where p does not.
    energy = as_finite_array(loss(grid), "loss(grid)")
    energy = energy - energy.min()
    log_z_p = np.log(trapezoid(np.exp(-energy / temperature), grid))
    log_z_q = np.log(trapezoid(np.exp(-energy / model_temperature), grid))
    log_ratio = energy / model_temperature - energy / temperature + log_z_q - log_z_p
    return float(trapezoid(np.exp(-energy / temperature - log_z_p) * log_ratio, grid))
