"""The :class:`Trajectory` record and the step loop every simulator shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .._validation import as_finite_array, check_dim
from ..errors import DivergenceError

__all__ = ["Trajectory"]


@dataclass(frozen=True)
class Trajectory:
    """Recorded states of an ensemble of chains.

    Attributes
    ----------
    times : ndarray, shape (n_records,)
        Model time of each record. For SGD and gradient descent this is the
        sum of the learning rates used so far, :math:`t_k = \\sum_{j<k} \\eta_j`
        (chapter 2); for an SDE it is ``k * dt``.
    phi : ndarray, shape (n_records, n_chains, d)
        The states at those times.
    steps : ndarray of int, shape (n_records,)
        The step index of each record (0 is the initial state).
    """

    times: np.ndarray
    phi: np.ndarray
    steps: np.ndarray

    @property
    def n_chains(self) -> int:
        """Number of chains in the ensemble."""
        return self.phi.shape[1]

    @property
    def final(self) -> np.ndarray:
        """States after the last step, shape ``(n_chains, d)``."""
        return self.phi[-1]


def record_steps(n_steps: int, record_every: int) -> np.ndarray:
    """Steps 0, r, 2r, ... and always the last step ``n_steps``."""
    steps = np.arange(0, n_steps + 1, record_every)
    if steps[-1] != n_steps:
        steps = np.append(steps, n_steps)
    return steps


def run_chain(
    advance: Callable[[int, np.ndarray], float],
    x0: np.ndarray,
    n_steps: int,
    record_every: int,
    what: str,
    on_record: Callable[[int], None] | None = None,
) -> Trajectory:
    """Apply ``advance(k, x)`` for k = 0..n_steps-1 and record the states.

    ``advance`` updates the ensemble ``x`` (shape ``(n_chains, d)``) in place
    and returns the time that step took (its learning rate or ``dt``).
    ``on_record(slot)``, if given, is called after each record after the first,
    so that a simulator can record state of its own (an optimiser's running
    estimates) at the same steps. The first non-finite iterate raises
    :class:`DivergenceError` naming the step.
    """
    steps = record_steps(n_steps, record_every)
    phi = np.empty((len(steps), *x0.shape))
    times = np.empty(len(steps))
    x = np.array(x0, dtype=float)
    phi[0], times[0] = x, 0.0
    t, slot = 0.0, 1
    # Divergence overflows to inf before it turns into NaN; we raise on the
    # first non-finite value, so the numpy warnings on the way are noise.
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(n_steps):
            t += advance(k, x)
            if not np.isfinite(x).all():
                raise DivergenceError(
                    f"{what} diverged at step {k + 1}: the iterate is no longer finite "
                    "(the learning rate or time step is probably above the stability bound)",
                    step=k + 1,
                )
            if slot < len(steps) and steps[slot] == k + 1:
                phi[slot], times[slot] = x, t
                if on_record is not None:
                    on_record(slot)
                slot += 1
    return Trajectory(times=times, phi=phi, steps=steps)


def initial_ensemble(phi0: np.ndarray, dim: int, n_chains: int | None) -> np.ndarray:
    """Initial ensemble of shape (n_chains, dim) from a point or an ensemble."""
    phi0 = as_finite_array(phi0, "phi0", ndim=(1, 2))
    check_dim(phi0, dim, "phi0")
    if phi0.ndim == 2:
        if n_chains not in (None, 1, phi0.shape[0]):
            raise ValueError(f"n_chains={n_chains} does not match phi0, which holds {phi0.shape[0]} chains")
        return phi0.copy()
    n = 1 if n_chains is None else n_chains
    return np.tile(phi0, (n, 1))
