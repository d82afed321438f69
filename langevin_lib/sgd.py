"""Stochastic gradient descent on an ensemble of chains (chapters 2, 3, 5, 6)."""

from __future__ import annotations

import numpy as np

from ._validation import as_count, as_generator
from .problems import Problem
from .schedules import LearningRate, learning_rate_table
from .trajectory import Trajectory, initial_ensemble, run_chain

__all__ = ["sgd"]


def sgd(
    problem: Problem,
    phi0: np.ndarray,
    lr: LearningRate,
    n_steps: int,
    *,
    n_chains: int = 1,
    batch_size: int = 1,
    rng: np.random.Generator | int | None = None,
    record_every: int = 1,
) -> Trajectory:
    r"""Run SGD on ``n_chains`` independent chains at once.

    .. math::

        \phi_{k+1} = \phi_k - \eta_k\, \hat g_k(\phi_k), \qquad
        \hat g_k = \frac1B \sum_{b=1}^{B} g_{i_{k,b}}(\phi_k),

    with the indices :math:`i_{k,b}` drawn uniformly *with replacement*,
    independently of each other and of the past (the setting of the TZ
    theorem, chapter 3). Model time is the sum of the learning rates,
    :math:`t_k = \sum_{j<k}\eta_j` (chapter 2).

    Parameters
    ----------
    problem : Problem
        Supplies ``stochastic_grad(phi, batch_size, rng)``.
    phi0 : array_like, shape (d,) or (n_chains, d)
        Initial point, copied to every chain, or one initial point per chain.
    lr : float, array of shape (d,), or callable
        Constant rate, per-coordinate rates (chapter 6), or a schedule
        ``lr(k)`` for step ``k = 0, 1, ...`` returning either. Every rate must
        be finite and > 0.
    n_steps : int
        Number of SGD steps (>= 1).
    n_chains : int
        Number of independent chains (ignored when ``phi0`` is already an
        ensemble, except that it must then match).
    batch_size : int
        Examples per step, B >= 1 (drawn with replacement, so B may exceed
        the number of examples).
    rng : numpy.random.Generator, int or None
        Source of randomness; pass a seed for repeatable results.
    record_every : int
        Record every this many steps (the last step is always recorded).

    Returns
    -------
    Trajectory
        ``times`` (sum of learning rates; the mean rate for per-coordinate
        rates), ``phi`` of shape ``(n_records, n_chains, d)``, ``steps``.

    Raises
    ------
    ValueError
        For a non-positive or non-finite rate, bad shapes or counts.
    DivergenceError
        At the first step whose iterate is not finite.
    """
    n_chains = as_count(n_chains, "n_chains")
    batch_size = as_count(batch_size, "batch_size")
    n_steps = as_count(n_steps, "n_steps")
    record_every = as_count(record_every, "record_every")
    x0 = initial_ensemble(phi0, problem.dim, n_chains)
    rates, dt = learning_rate_table(lr, n_steps, problem.dim)
    gen = as_generator(rng)
    constant = len(rates) == 1

    def advance(k: int, x: np.ndarray) -> float:
        row = 0 if constant else k
        step = problem.stochastic_grad(x, batch_size, gen)
        step *= rates[row]
        x -= step
        return dt[row]

    return run_chain(advance, x0, n_steps, record_every, "SGD")
