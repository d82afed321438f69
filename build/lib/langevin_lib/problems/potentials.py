r"""One-dimensional losses with closed-form derivatives, and SGD with additive noise on them.

Chapter 5 studies where SGD settles on a loss that is not quadratic. The
losses here are small vectorised objects: ``loss``, ``grad`` (:math:`L'`) and
``curvature`` (:math:`L''`) act elementwise on arrays of any shape, and
``drift`` (:math:`-L'`) has the signature that
:func:`~langevin_lib.euler_maruyama` expects. :class:`SeparableNoisyLoss`
turns one or more of them into a training problem for
:func:`~langevin_lib.sgd`: the stochastic gradient of coordinate :math:`k` is
:math:`L_k'(\phi_k) + \sigma_k\xi`, :math:`\xi\sim N(0,1)`, whose Langevin
SDE is :math:`d\Phi_k = -L_k'(\Phi_k)\,dt + \sqrt{\eta}\,\sigma_k\,dW_k`
(chapter 4) with temperature :math:`T_k = \eta\sigma_k^2/2`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._validation import as_parameter, as_positive_array, as_positive_scalar, coordinate_count

__all__ = ["DoubleWell", "Harmonic", "Potential", "SeparableNoisyLoss"]


class Potential:
    """A smooth 1-D loss :math:`L(x)`, evaluated elementwise.

    Subclasses define :meth:`loss`, :meth:`grad` and :meth:`curvature`; all
    three accept arrays of any shape and return the same shape.
    """

    def loss(self, x: np.ndarray) -> np.ndarray:
        """:math:`L(x)`."""
        raise NotImplementedError

    def grad(self, x: np.ndarray) -> np.ndarray:
        """:math:`L'(x)`."""
        raise NotImplementedError

    def curvature(self, x: np.ndarray) -> np.ndarray:
        """:math:`L''(x)`."""
        raise NotImplementedError

    def drift(self, x: np.ndarray) -> np.ndarray:
        """:math:`-L'(x)`: the drift of gradient flow and of the Langevin SDE, for ``euler_maruyama``."""
        return -self.grad(x)


class Harmonic(Potential):
    r""":math:`L(x) = \frac h2 x^2`, the 1-D quadratic (Ornstein-Uhlenbeck when noise is added).

    Parameters
    ----------
    h : float
        Curvature, > 0.
    """

    def __init__(self, h: float = 1.0):
        self.h = as_positive_scalar(h, "h")

    def loss(self, x: np.ndarray) -> np.ndarray:
        return 0.5 * self.h * np.asarray(x, dtype=float) ** 2

    def grad(self, x: np.ndarray) -> np.ndarray:
        return self.h * np.asarray(x, dtype=float)

    def curvature(self, x: np.ndarray) -> np.ndarray:
        return np.full_like(np.asarray(x, dtype=float), self.h)

    def __repr__(self) -> str:
        return f"Harmonic(h={self.h:g})"


class DoubleWell(Potential):
    r"""The symmetric double well :math:`L(x) = \Delta\,(x^2 - 1)^2`.

    Minima at :math:`x = \pm1` with :math:`L = 0` and curvature
    :math:`L''(\pm1) = 8\Delta`; a barrier at :math:`x = 0` of height
    :math:`\Delta` and curvature :math:`L''(0) = -4\Delta`. The default
    :math:`\Delta = 1/4` is the chapter's :math:`L(x) = (x^2-1)^2/4`, with
    curvatures 2 and -1.

    Parameters
    ----------
    barrier : float
        Barrier height :math:`\Delta`, > 0.
    """

    #: The two minima and the barrier top between them.
    minima = (-1.0, 1.0)
    saddle = 0.0

    def __init__(self, barrier: float = 0.25):
        self.barrier = as_positive_scalar(barrier, "barrier")

    def loss(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return self.barrier * (x * x - 1.0) ** 2

    def grad(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return 4.0 * self.barrier * x * (x * x - 1.0)

    def curvature(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return 4.0 * self.barrier * (3.0 * x * x - 1.0)

    def __repr__(self) -> str:
        return f"DoubleWell(barrier={self.barrier:g})"


class SeparableNoisyLoss:
    r"""A separable loss with additive Gaussian gradient noise, as a training problem for ``sgd``.

    .. math::

        L(\phi) = \sum_{k=1}^d L_k(\phi_k), \qquad
        \hat g_k(\phi) = L_k'(\phi_k) + \xi_k, \quad \xi_k \sim N(0, \sigma_k^2/B)
        \text{ independent},

    the model of chapter 5: independent coordinates with different noise
    levels, hence (Langevin) temperatures :math:`T_k = \eta\sigma_k^2/2`.
    With ``Harmonic`` losses this is :class:`~langevin_lib.Quadratic`.

    Parameters
    ----------
    potentials : Potential or sequence of Potential
        :math:`L_k`, one per coordinate (a single one is used for every coordinate).
    sigma : float or array_like, shape (d,)
        Standard deviations :math:`\sigma_k` of the gradient noise, each >= 0.
    dim : int, optional
        Dimension when a single potential and a scalar ``sigma`` are given (default 1).
    """

    def __init__(self, potentials: Potential | Sequence[Potential], sigma: float | np.ndarray, dim: int | None = None):
        pots = [potentials] if isinstance(potentials, Potential) else list(potentials)
        if not pots or not all(isinstance(p, Potential) for p in pots):
            raise ValueError("potentials must be a Potential or a non-empty sequence of Potential objects")
        sigma = as_positive_array(sigma, "sigma", allow_zero=True)
        if sigma.ndim > 1:
            raise ValueError(f"sigma must be a scalar or 1-D, got shape {sigma.shape}")
        n = coordinate_count(
            {"potentials": len(pots) if len(pots) > 1 else None, "sigma": sigma.size if sigma.ndim else None}, dim
        )
        self.dim = n
        self.potentials = tuple(pots * n if len(pots) == 1 else pots)
        self.sigma = np.broadcast_to(sigma, (n,)).copy()

    def loss(self, phi: np.ndarray) -> np.ndarray:
        r""":math:`L(\phi) = \sum_k L_k(\phi_k)`; ``phi`` of shape ``(d,)`` or ``(..., d)``."""
        phi = as_parameter(phi, self.dim)
        return sum(p.loss(phi[..., k]) for k, p in enumerate(self.potentials))

    def grad(self, phi: np.ndarray) -> np.ndarray:
        r""":math:`(L_1'(\phi_1), \dots, L_d'(\phi_d))`, same shape as ``phi``."""
        phi = as_parameter(phi, self.dim)
        return np.stack([p.grad(phi[..., k]) for k, p in enumerate(self.potentials)], axis=-1)

    def drift(self, phi: np.ndarray) -> np.ndarray:
        """:math:`-\\nabla L(\\phi)`, for ``euler_maruyama``."""
        return -self.grad(phi)

    def temperatures(self, lr: float | np.ndarray) -> np.ndarray:
        r"""Per-coordinate Langevin temperatures :math:`T_k = \eta\sigma_k^2/2`, shape ``(d,)``."""
        lr = as_positive_array(lr, "lr")
        return lr * self.sigma**2 / 2

    def stochastic_grad(self, phi: np.ndarray, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        r""":math:`\nabla L(\phi) + \xi`, :math:`\xi_k \sim N(0, \sigma_k^2/B)`, for ``phi`` of shape ``(n, d)``."""
        noise = rng.standard_normal(phi.shape)
        noise *= self.sigma / np.sqrt(batch_size)
        if self.dim == 1:
            noise += self.potentials[0].grad(phi)
        else:
            for k, p in enumerate(self.potentials):
                noise[:, k] += p.grad(phi[:, k])
        return noise

    def __repr__(self) -> str:
        return f"SeparableNoisyLoss({list(self.potentials)}, sigma={self.sigma})"
