r"""Temperatures of preconditioned and momentum SGD near a minimum (chapter 6).

Near a minimiser :math:`\phi^*` with Hessian :math:`H` and gradient-noise
covariance :math:`\Sigma` (of one step), SGD with a constant symmetric
preconditioner :math:`P` has the linearised Langevin SDE

.. math::

    d\Delta = -PH\Delta\,ds + (P\Sigma P)^{1/2}\,dW, \qquad
    D = \tfrac12 P\Sigma P,

with :math:`s` counting steps, and its stationary covariance :math:`S` solves
the Lyapunov equation :math:`PHS + SHP = 2D = P\Sigma P`. A Gibbs density
:math:`e^{-L/T}` of the quadratic loss has :math:`S = T H^{-1}`; the *mode
temperatures* measure how far :math:`S` is from that.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.linalg import solve_continuous_lyapunov

from .._validation import as_finite_array

__all__ = ["ModeTemperatures", "mode_temperatures", "momentum_sgd_variance"]


class ModeTemperatures(NamedTuple):
    """Result of :func:`mode_temperatures`."""

    #: The temperatures, ascending, one per eigen-direction of :math:`H^{1/2} S H^{1/2}`.
    temperatures: np.ndarray
    #: The stationary covariance :math:`S` of the linearised SDE.
    covariance: np.ndarray


def mode_temperatures(hessian: np.ndarray, precond: np.ndarray, noise_cov: np.ndarray) -> ModeTemperatures:
    r"""Mode temperatures of preconditioned SGD linearised at a minimum.

    Solves :math:`PHS + SHP = P\Sigma P` for the stationary covariance
    :math:`S` of :math:`d\Delta = -PH\Delta\,ds + (P\Sigma P)^{1/2}\,dW`, and
    returns the eigenvalues :math:`T_j` of :math:`H^{1/2} S H^{1/2}`, the
    covariance of the curvature-whitened deviation :math:`y = H^{1/2}\Delta`.
    A Gibbs density :math:`e^{-L/T}` of :math:`L = \frac12\Delta^\top H\Delta`
    has :math:`S = TH^{-1}`, so every :math:`T_j = T`; this happens for every
    :math:`H` exactly when :math:`P\Sigma P = 2TP`. In general
    :math:`T_j` is the temperature of mode :math:`j` in the sense of
    equipartition, :math:`\mathbb{E}\,y_j^2/2 = T_j/2`, and
    :math:`\sum_j T_j = \operatorname{tr}(HS)`, twice the excess loss (used in
    chapter 6 on softmax regression).

    Parameters
    ----------
    hessian : array_like, shape (d, d)
        Symmetric positive-definite Hessian :math:`H`.
    precond : array_like, shape (d,) or (d, d)
        The preconditioner :math:`P`: its diagonal (per-coordinate rates), or a
        symmetric positive-definite matrix. :math:`PH` must have eigenvalues
        with positive real part (it does for such :math:`P` and :math:`H`).
    noise_cov : array_like, shape (d, d)
        Symmetric positive-semidefinite covariance :math:`\Sigma` of the
        gradient noise of one step (it may be singular).

    Returns
    -------
    ModeTemperatures
        ``temperatures`` (ascending) and ``covariance`` :math:`S`.

    Raises
    ------
    ValueError
        If a shape is wrong, ``hessian`` or ``noise_cov`` is not symmetric,
        ``hessian`` or ``precond`` is not positive definite, or ``noise_cov``
        is not positive semidefinite.
    """
    H = as_finite_array(hessian, "hessian", ndim=2)
    d = H.shape[0]
    if H.shape != (d, d) or not np.allclose(H, H.T, rtol=1e-10, atol=0):
        raise ValueError(f"hessian must be a symmetric square matrix, got shape {H.shape}")
    precond = as_finite_array(precond, "precond")
    P = np.diag(precond) if precond.ndim == 1 else precond
    if P.shape != (d, d) or not np.allclose(P, P.T, rtol=1e-10, atol=0):
        raise ValueError(f"precond must have shape ({d},) or be a symmetric ({d}, {d}) matrix, got {precond.shape}")
    Sigma = as_finite_array(noise_cov, "noise_cov", ndim=2)
    if Sigma.shape != (d, d) or not np.allclose(Sigma, Sigma.T, rtol=1e-10, atol=0):
        raise ValueError(f"noise_cov must be a symmetric ({d}, {d}) matrix, got shape {Sigma.shape}")
    h_vals, h_vecs = np.linalg.eigh(0.5 * (H + H.T))
    if h_vals[0] <= 0:
        raise ValueError(f"hessian must be positive definite, smallest eigenvalue {h_vals[0]:.3g}")
    if np.linalg.eigvalsh(0.5 * (P + P.T))[0] <= 0:
        raise ValueError("precond must be positive definite")
    sigma_min = np.linalg.eigvalsh(0.5 * (Sigma + Sigma.T))[0]
    if sigma_min < -1e-10 * max(np.abs(Sigma).max(), 1e-300):
        raise ValueError(f"noise_cov must be positive semidefinite, smallest eigenvalue {sigma_min:.3g}")
    PH = P @ H
    S = solve_continuous_lyapunov(-PH, -(P @ Sigma @ P))
    S = 0.5 * (S + S.T)
    root = (h_vecs * np.sqrt(h_vals)) @ h_vecs.T
    return ModeTemperatures(temperatures=np.linalg.eigvalsh(root @ S @ root), covariance=S)


def momentum_sgd_variance(h: float, sigma2: float, lr: float, beta: float) -> float:
    r"""Exact stationary variance of heavy-ball SGD on :math:`\frac h2 x^2` with noise variance :math:`\sigma^2`.

    The iteration :math:`x_{k+1} = x_k + \beta(x_k - x_{k-1}) - \eta(hx_k + \xi_k)`
    is an AR(2) process whose stationary variance is

    .. math::

        \mathrm{Var}\,x = \frac{(1+\beta)\,\eta\sigma^2}{(1-\beta)\,h\,\big(2(1+\beta) - \eta h\big)}
        = \frac{\eta\sigma^2}{2h(1-\beta)}\cdot\frac{1}{1 - \eta h/(2(1+\beta))},

    so the temperature :math:`h\,\mathrm{Var}\,x` is :math:`\eta\sigma^2/(2(1-\beta))`
    to leading order: momentum acts as the rate :math:`\eta/(1-\beta)` (chapter 6).
    With :math:`\beta = 0` it is :func:`quadratic_sgd_variance`.

    Raises
    ------
    ValueError
        Unless :math:`h > 0`, :math:`\sigma^2 \ge 0`, :math:`0 \le \beta < 1` and
        :math:`0 < \eta h < 2(1+\beta)`, the range where the iteration is stable.
    """
    named = {"h": h, "sigma2": sigma2, "lr": lr, "beta": beta}
    h, sigma2, lr, beta = (float(as_finite_array(v, n, ndim=0)) for n, v in named.items())
    if h <= 0:
        raise ValueError(f"h must be > 0, got {h}")
    if sigma2 < 0:
        raise ValueError(f"sigma2 must be >= 0, got {sigma2}")
    if not 0 <= beta < 1:
        raise ValueError(f"beta must lie in [0, 1), got {beta}")
    if not 0 < lr * h < 2 * (1 + beta):
        raise ValueError(f"lr must lie in (0, 2(1 + beta)/h) = (0, {2 * (1 + beta) / h:.4g}) for stability, got {lr}")
    return (1 + beta) * lr * sigma2 / ((1 - beta) * h * (2 * (1 + beta) - lr * h))
