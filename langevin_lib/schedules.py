"""Learning rates: constant, per-coordinate, or a schedule over steps."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._validation import as_learning_rate

__all__ = ["LearningRate", "learning_rate_table"]

#: A scalar, a per-coordinate array of shape ``(d,)``, or a schedule
#: ``k -> rate`` giving the rate (scalar or ``(d,)``) of step ``k = 0, 1, ...``.
LearningRate = float | np.ndarray | Callable[[int], float | np.ndarray]


def learning_rate_table(lr: LearningRate, n_steps: int, dim: int) -> tuple[np.ndarray, np.ndarray]:
    r"""Validate ``lr`` and return the rate of every step and the time each step takes.

    Parameters
    ----------
    lr : float, array of shape (d,), or callable
        A constant rate, per-coordinate rates, or a schedule ``lr(k)`` for
        step ``k`` (0-based).
    n_steps : int
        Number of steps.
    dim : int
        Dimension of the parameter vector.

    Returns
    -------
    rates : ndarray, shape (1, ...) or (n_steps, ...)
        One row when the rate is constant, else one row per step; each row is
        a scalar or a ``(d,)`` array.
    dt : ndarray, shape like ``rates[:, 0]`` without the coordinate axis
        Time taken by each step: the rate itself, or for per-coordinate rates
        their mean (each coordinate then runs on its own clock
        :math:`t_k = \sum_j \eta_{j,k}`; the mean is a convention, see chapter 6).
    """
    if callable(lr):
        values = [np.asarray(lr(k), dtype=float) for k in range(n_steps)]
        shapes = {v.shape for v in values}
        if len(shapes) > 1:
            raise ValueError(f"lr schedule must return the same shape at every step, got shapes {sorted(shapes)}")
        rates = as_learning_rate(np.stack(values) if values else np.ones((0,)), "lr (schedule values)")
    else:
        rates = as_learning_rate(lr)[None]
    if rates.ndim == 2 and rates.shape[1] != dim:
        raise ValueError(f"lr must be a scalar or have shape ({dim},), got per-step shape {rates.shape[1:]}")
    if rates.ndim > 2:
        raise ValueError(f"lr must be a scalar or have shape ({dim},), got per-step shape {rates.shape[1:]}")
    dt = rates.mean(axis=1) if rates.ndim == 2 else rates
    return rates, dt
