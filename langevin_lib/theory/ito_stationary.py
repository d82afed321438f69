r"""Zero-current stationary densities of 1-D Itô SDEs with position-dependent noise (chapter 5).

For :math:`dX = F(X)\,dt + G(X)\,dW` in one dimension the diffusion
coefficient is :math:`D = \frac12 G^2` and the Fokker-Planck current is
:math:`J = F\,p - (D p)'`. A stationary density with :math:`J = 0` satisfies
:math:`(Dp)'/(Dp) = F/D`, so

.. math::

    p(x) = \frac{1}{Z\,D(x)}\exp\Big(\int_{x_0}^{x}\frac{F(y)}{D(y)}\,dy\Big).

For SGD, :math:`F = -L'` and :math:`D = \eta\sigma(x)^2/(2B)`: with constant
:math:`\sigma` this is the Gibbs density at :math:`T = \eta\sigma^2/(2B)`, with
:math:`\sigma(x)^2 = \sigma_0^2 + c\,(x - x_0)^2` it has power-law tails.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.integrate import cumulative_trapezoid, trapezoid

from .._validation import as_finite_array

__all__ = ["ito_stationary_density", "least_squares_noise_variance"]


def ito_stationary_density(
    drift: Callable[[np.ndarray], np.ndarray],
    diffusion: Callable[[np.ndarray], np.ndarray],
    grid: np.ndarray,
) -> np.ndarray:
    r"""Zero-current stationary density of the 1-D Itô SDE :math:`dX = F\,dt + \sqrt{2D}\,dW` on a grid.

    .. math::

        p(x) = \frac{1}{Z\,D(x)}\exp\Big(\int_{x_0}^{x}\frac{F(y)}{D(y)}\,dy\Big),

    with :math:`x_0` the first grid point, the integral by the cumulative
    trapezoid rule and :math:`Z` such that the trapezoid rule gives
    :math:`\int p = 1` on the grid (chapter 5, isotropic noise that depends on
    the position). The grid must cover the mass of :math:`p`: for power-law
    tails make it wide.

    Parameters
    ----------
    drift : callable
        :math:`F(x)`, vectorised over an array of points (for SGD, :math:`-L'`).
    diffusion : callable
        :math:`D(x) = \frac12 G(x)^2 > 0`, vectorised (for SGD,
        :math:`\eta\sigma(x)^2/(2B)`).
    grid : array_like, shape (n,)
        Increasing points, n >= 2.

    Returns
    -------
    ndarray, shape (n,)
        The normalised density at the grid points.

    Raises
    ------
    ValueError
        If ``grid`` is not increasing with at least two points, ``drift``
        or ``diffusion`` return non-finite values, ``diffusion`` is not > 0,
        or the integral of their ratio overflows.
    """
    grid = as_finite_array(grid, "grid", ndim=1)
    if grid.size < 2 or np.any(np.diff(grid) <= 0):
        raise ValueError(f"grid must be increasing with at least two points, got {grid.size} points")
    b = as_finite_array(np.broadcast_to(drift(grid), grid.shape), "drift(grid)")
    d = as_finite_array(np.broadcast_to(diffusion(grid), grid.shape), "diffusion(grid)")
    if np.any(d <= 0):
        raise ValueError("diffusion must be > 0 at every grid point")
    with np.errstate(over="ignore", invalid="ignore"):
        log_p = cumulative_trapezoid(b / d, grid, initial=0.0) - np.log(d)
    if not np.all(np.isfinite(log_p)):
        raise ValueError("drift/diffusion overflows on this grid: the integral of F/D is not finite")
    p = np.exp(log_p - log_p.max())
    return p / trapezoid(p, grid)


def least_squares_noise_variance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    r"""Exact gradient-noise variance of 1-D least squares as a quadratic in :math:`x`.

    For :math:`L_i(x) = \frac12(a_ix - b_i)^2` the per-example gradient is
    :math:`g_i(x) = a_i^2x - a_ib_i`, and its variance over a uniformly drawn
    example is the quadratic

    .. math::

        \sigma(x)^2 = \operatorname{Var}_i[g_i(x)]
        = s_0 + s_1x + s_2x^2, \qquad
        s_2 = \operatorname{Var}_i[a_i^2],\;
        s_1 = -2\operatorname{Cov}_i[a_i^2, a_ib_i],\;
        s_0 = \operatorname{Var}_i[a_ib_i]

    (population moments, :math:`\frac1n\sum_i`), so
    :math:`\sigma(x)^2 = \sigma_0^2 + s_2(x - x_0)^2` with
    :math:`x_0 = -s_1/(2s_2)` (chapter 5). With :math:`B` examples per step
    drawn with replacement the minibatch noise has variance
    :math:`\sigma(x)^2/B`.

    Parameters
    ----------
    a, b : array_like, shape (n,)
        Inputs and targets, n >= 1.

    Returns
    -------
    ndarray, shape (3,)
        ``(s0, s1, s2)``.

    Raises
    ------
    ValueError
        If ``a`` and ``b`` are not finite 1-D arrays of the same length >= 1.
    """
    a = as_finite_array(a, "a", ndim=1)
    b = as_finite_array(b, "b", ndim=1)
    if a.size < 1 or a.shape != b.shape:
        raise ValueError(f"a and b must be 1-D with the same length >= 1, got shapes {a.shape} and {b.shape}")
    slope, offset = a**2 - np.mean(a**2), -(a * b) + np.mean(a * b)
    return np.array([np.mean(offset**2), 2 * np.mean(slope * offset), np.mean(slope**2)])
