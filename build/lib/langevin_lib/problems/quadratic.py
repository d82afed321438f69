r"""A separable quadratic with additive Gaussian gradient noise (chapters 4 to 6)."""

from __future__ import annotations

import numpy as np

from .._validation import as_parameter, as_positive_array, coordinate_count

__all__ = ["Quadratic"]


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
        n = coordinate_count({"h": h.size if h.ndim else None, "sigma": sigma.size if sigma.ndim else None}, dim)
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
