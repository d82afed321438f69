r"""Stationary law and probability current of a linear SDE (chapter 5).

For :math:`dX = -AX\,dt + G\,dW` with :math:`A` stable (eigenvalues with
positive real part) the stationary law is :math:`N(0, S)`, where :math:`S`
solves the Lyapunov equation

.. math::

    AS + SA^\top = 2D, \qquad D = \tfrac12 GG^\top

(:math:`D` is the diffusion matrix in Risken's convention; for SGD
:math:`D = \eta\Sigma/(2B)`). The Fokker-Planck equation is
:math:`\partial_t p = -\nabla\cdot J` with the probability current
:math:`J = -Axp - D\nabla p`; in the stationary state
:math:`\nabla\log p = -S^{-1}x`, so

.. math::

    J(x) = \big(-A + D S^{-1}\big)\,x\,p(x) = M x\, p(x) .

It is divergence-free but need not vanish. For a gradient drift
(:math:`A = A^\top`, the Hessian of :math:`L = \frac12 x^\top Ax`), :math:`J = 0`
exactly when :math:`A` and :math:`D` commute; only then is :math:`p` a
function of :math:`L` alone, and only for isotropic :math:`D = T\,I` is it
the Gibbs density :math:`e^{-L/T}/Z` (Chaudhari and Soatto 2018).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_continuous_lyapunov

from .._validation import as_finite_array
from ..dynamics import Trajectory

__all__ = [
    "current_matrix",
    "gaussian_density",
    "lyapunov_covariance",
    "measured_circulation",
    "stationary_circulation",
    "stationary_current",
]

#: Rotation by -90 degrees: (x, y) . (ROT @ v) = x v_y - y v_x, the angular momentum of v about 0.
_ROT = np.array([[0.0, 1.0], [-1.0, 0.0]])


def _drift_and_diffusion(A: np.ndarray, G: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``A`` and the diffusion matrix :math:`D = \frac12 GG^\top`, checked for a stationary density."""
    A = as_finite_array(A, "A", ndim=2)
    G = as_finite_array(G, "G", ndim=2)
    d = A.shape[0]
    if A.shape != (d, d) or G.shape[0] != d:
        raise ValueError(f"A must be square and G must have as many rows as A, got shapes {A.shape} and {G.shape}")
    if np.linalg.eigvals(A).real.min() <= 0:
        raise ValueError("A must be stable (every eigenvalue with positive real part) for a stationary law to exist")
    D = 0.5 * (G @ G.T)
    if np.linalg.matrix_rank(D) < d:
        raise ValueError("G G^T must be invertible (noise in every direction) for a stationary density")
    return A, D


def lyapunov_covariance(A: np.ndarray, G: np.ndarray) -> np.ndarray:
    r"""Stationary covariance :math:`S` of :math:`dX = -AX\,dt + G\,dW`.

    The solution of the Lyapunov equation :math:`AS + SA^\top = 2D = GG^\top`.

    Parameters
    ----------
    A : array_like, shape (d, d)
        Stable drift matrix.
    G : array_like, shape (d, m)
        Noise matrix with :math:`GG^\top` invertible.

    Returns
    -------
    ndarray, shape (d, d)
    """
    A, D = _drift_and_diffusion(A, G)
    S = solve_continuous_lyapunov(A, 2 * D)
    return 0.5 * (S + S.T)


def current_matrix(A: np.ndarray, G: np.ndarray) -> np.ndarray:
    r""":math:`M = -A + DS^{-1}` with :math:`D = \frac12 GG^\top`: the stationary current is :math:`J(x) = Mx\,p(x)`."""
    A, D = _drift_and_diffusion(A, G)
    S = lyapunov_covariance(A, G)
    return -A + D @ np.linalg.inv(S)


def gaussian_density(S: np.ndarray, points: np.ndarray) -> np.ndarray:
    r"""The density of :math:`N(0, S)` at ``points`` of shape ``(..., d)``; returns shape ``(...)``."""
    S = as_finite_array(S, "S", ndim=2)
    points = as_finite_array(points, "points")
    d = S.shape[0]
    if points.shape[-1] != d:
        raise ValueError(f"points must have last dimension {d}, got shape {points.shape}")
    quad = np.einsum("...i,ij,...j->...", points, np.linalg.inv(S), points)
    return np.exp(-0.5 * quad) / np.sqrt((2 * np.pi) ** d * np.linalg.det(S))


def stationary_current(A: np.ndarray, G: np.ndarray, points: np.ndarray) -> np.ndarray:
    r"""The stationary probability current :math:`J(x) = Mx\,p(x)` at ``points`` of shape ``(..., d)``."""
    M = current_matrix(A, G)
    S = lyapunov_covariance(A, G)
    points = as_finite_array(points, "points")
    return (points @ M.T) * gaussian_density(S, points)[..., None]


def stationary_circulation(A: np.ndarray, G: np.ndarray) -> float:
    r"""Mean angular momentum of the stationary current in 2-D: :math:`\int (x J_y - y J_x)\,dx\,dy = \mathrm{tr}(RMS)`.

    With :math:`R = \begin{pmatrix}0 & 1\\ -1 & 0\end{pmatrix}`. Positive means
    that probability circulates anticlockwise; zero for a detailed-balance
    (Gibbs-like) stationary state.
    """
    S = lyapunov_covariance(A, G)
    if S.shape != (2, 2):
        raise ValueError(f"the circulation is defined in 2-D, got d = {S.shape[0]}")
    return float(np.trace(_ROT @ current_matrix(A, G) @ S))


def measured_circulation(trajectory: Trajectory) -> float:
    r"""Estimate :func:`stationary_circulation` from a recorded 2-D trajectory.

    The average of :math:`x\,dy - y\,dx` per unit time over all recorded
    consecutive pairs of all chains,

    .. math::

        \frac{1}{n}\sum_k \frac{x_k y_{k+1} - y_k x_{k+1}}{\Delta t}
        = \frac{1}{n}\sum_k \frac{x_k\,\Delta y_k - y_k\,\Delta x_k}{\Delta t},

    whose expectation in the stationary state is
    :math:`\mathbb{E}[x b_y - y b_x]` for the drift :math:`b = -Ax`; the noise
    terms average out. That equals :math:`\mathrm{tr}(RMS)` because
    :math:`\mathrm{tr}(RD) = 0` for symmetric :math:`D`. Record every step
    of a small time step: the estimate carries an :math:`O(\Delta t)` bias.
    """
    phi = trajectory.phi
    if phi.ndim != 3 or phi.shape[2] != 2 or phi.shape[0] < 2:
        raise ValueError(f"trajectory must be 2-D with at least two records, got phi of shape {phi.shape}")
    dt = np.diff(trajectory.times)[:, None]
    swept = phi[:-1, :, 0] * phi[1:, :, 1] - phi[:-1, :, 1] * phi[1:, :, 0]
    return float(np.mean(swept / dt))
