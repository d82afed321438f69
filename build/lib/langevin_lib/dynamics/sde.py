"""Euler-Maruyama integration of Ito SDEs on an ensemble (chapters 4 and 5)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._validation import as_count, as_finite_array, as_generator, as_positive_scalar
from .trajectory import Trajectory, run_chain

__all__ = ["euler_maruyama"]

NoiseStd = float | np.ndarray | Callable[[np.ndarray], np.ndarray]


def euler_maruyama(
    drift: Callable[[np.ndarray], np.ndarray],
    noise_std: NoiseStd,
    x0: np.ndarray,
    dt: float,
    n_steps: int,
    *,
    rng: np.random.Generator | int | None = None,
    record_every: int = 1,
) -> Trajectory:
    r"""Integrate :math:`dX = b(X)\,dt + G\,dW` with the Euler-Maruyama scheme.

    .. math::

        X_{k+1} = X_k + b(X_k)\,\Delta t + G(X_k)\,\sqrt{\Delta t}\,\xi_k,
        \qquad \xi_k \sim N(0, I_d),

    so the noise added in one step has covariance :math:`G G^\top \Delta t`.
    The Langevin SDE of SGD (chapter 4) is ``drift = -grad`` and
    :math:`G G^\top = \eta\Sigma`.

    Parameters
    ----------
    drift : callable
        ``drift(x)`` for an ensemble ``x`` of shape ``(n_chains, d)``, returning
        the same shape.
    noise_std : float, array of shape (d,) or (d, d), or callable
        :math:`G`: a scalar times the identity, a diagonal, or a full matrix.
        A callable ``noise_std(x)`` makes the noise state dependent; it
        returns shape ``(n_chains, d)`` (diagonal) or ``(n_chains, d, d)``.
    x0 : array_like, shape (n_chains, d) or (d,)
        Initial ensemble (a single point is one chain).
    dt : float
        Time step, finite and > 0.
    n_steps : int
        Number of steps (>= 1).
    rng : numpy.random.Generator, int or None
        Source of randomness.
    record_every : int
        Record every this many steps (the last step is always recorded).

    Returns
    -------
    Trajectory
        ``times = k * dt`` and ``phi`` of shape ``(n_records, n_chains, d)``.

    Raises
    ------
    DivergenceError
        At the first step whose state is not finite.
    """
    x0 = as_finite_array(x0, "x0", ndim=(1, 2))
    x0 = x0[None] if x0.ndim == 1 else x0
    d = x0.shape[1]
    dt = as_positive_scalar(dt, "dt")
    n_steps = as_count(n_steps, "n_steps")
    record_every = as_count(record_every, "record_every")
    gen = as_generator(rng)
    sqrt_dt = np.sqrt(dt)
    noise = _noise_function(noise_std, d)

    def advance(_: int, x: np.ndarray) -> float:
        increment = noise(x, gen.standard_normal(x.shape))
        increment *= sqrt_dt
        velocity = drift(x)
        if np.shape(velocity) != x.shape:
            raise ValueError(f"drift(x) must return the shape of x {x.shape}, got {np.shape(velocity)}")
        increment += dt * velocity
        x += increment
        return dt

    return run_chain(advance, x0, n_steps, record_every, "Euler-Maruyama")


def _noise_function(noise_std: NoiseStd, d: int) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Map (x, standard normal xi) to G(x) xi for each supported form of G."""
    if callable(noise_std):

        def state_dependent(x: np.ndarray, xi: np.ndarray) -> np.ndarray:
            G = np.asarray(noise_std(x), dtype=float)
            if G.shape == x.shape:
                return G * xi
            if G.shape == (*x.shape, d):
                return np.einsum("cij,cj->ci", G, xi)
            raise ValueError(f"noise_std(x) must return shape {x.shape} or {(*x.shape, d)}, got {G.shape}")

        return state_dependent
    G = as_finite_array(noise_std, "noise_std", ndim=(0, 1, 2))
    if G.ndim == 2:
        if G.shape != (d, d):
            raise ValueError(f"noise_std as a matrix must have shape ({d}, {d}), got {G.shape}")
        return lambda x, xi: xi @ G.T
    if G.ndim == 1 and G.shape != (d,):
        raise ValueError(f"noise_std as a diagonal must have shape ({d},), got {G.shape}")
    return lambda x, xi: xi * G
