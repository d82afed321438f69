"""Stochastic gradient descent on an ensemble of chains (chapters 2, 3, 5, 6)."""

from __future__ import annotations

import numpy as np

from .._validation import as_count, as_generator
from ..problems import FiniteSumProblem, Problem
from .schedules import LearningRate, learning_rate_table
from .trajectory import Trajectory, initial_ensemble, run_chain

__all__ = ["SAMPLING_SCHEMES", "sgd"]

#: How :func:`~langevin_lib.sgd` picks the examples of each step.
SAMPLING_SCHEMES: tuple[str, ...] = ("with_replacement", "reshuffle")


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
    sampling: str = "with_replacement",
) -> Trajectory:
    r"""Run SGD on ``n_chains`` independent chains at once.

    .. math::

        \phi_{k+1} = \phi_k - \eta_k\, \hat g_k(\phi_k), \qquad
        \hat g_k = \frac1B \sum_{b=1}^{B} g_{i_{k,b}}(\phi_k),

    with the indices :math:`i_{k,b}` drawn uniformly *with replacement*,
    independently of each other and of the past (the setting of the TZ
    theorem, chapter 3). Model time is the sum of the learning rates,
    :math:`t_k = \sum_{j<k}\eta_j` (chapter 2).

    With ``sampling="reshuffle"`` each chain instead walks through a stream of
    independent random permutations of the training set, one per epoch, and
    step :math:`k` uses the next :math:`B` indices of that stream (*random
    reshuffling*, as in most training loops). When :math:`B` divides
    :math:`n` an epoch is exactly :math:`n/B` steps and every example is used
    once per epoch; otherwise a batch may straddle two epochs. The draws are
    then no longer independent of the past, and the converged loss is far
    smaller than the TZ theorem's :math:`L^* + \eta\,\mathbb{E}\|g_i\|^2/(4B)`
    (chapter 3).

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
    sampling : {"with_replacement", "reshuffle"}
        How the examples of a step are chosen (see above). ``"reshuffle"``
        needs a :class:`~langevin_lib.FiniteSumProblem` (``n_examples`` and
        ``batch_grad``, e.g. :class:`~langevin_lib.LinearRegression`), not
        :class:`~langevin_lib.Quadratic`.

    Returns
    -------
    Trajectory
        ``times`` (sum of learning rates; the mean rate for per-coordinate
        rates), ``phi`` of shape ``(n_records, n_chains, d)``, ``steps``.

    Raises
    ------
    ValueError
        For a non-positive or non-finite rate, bad shapes or counts, an unknown
        ``sampling``, or ``"reshuffle"`` on a problem without a finite training set.
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
    if sampling not in SAMPLING_SCHEMES:
        raise ValueError(f"sampling must be one of {list(SAMPLING_SCHEMES)}, got {sampling!r}")
    if sampling == "reshuffle":
        stream = _EpochStream(problem, x0.shape[0], gen)

        def draw(x: np.ndarray) -> np.ndarray:
            return problem.batch_grad(x, stream.take(batch_size))
    else:

        def draw(x: np.ndarray) -> np.ndarray:
            return problem.stochastic_grad(x, batch_size, gen)

    def advance(k: int, x: np.ndarray) -> float:
        row = 0 if constant else k
        step = draw(x)
        step *= rates[row]
        x -= step
        return dt[row]

    return run_chain(advance, x0, n_steps, record_every, "SGD")


class _EpochStream:
    """Per chain, the concatenation of independent random permutations of ``range(n_examples)``."""

    def __init__(self, problem: FiniteSumProblem, n_chains: int, rng: np.random.Generator):
        if not isinstance(problem, FiniteSumProblem):
            raise ValueError(
                'sampling="reshuffle" needs a FiniteSumProblem (a finite training set with n_examples and '
                f"batch_grad), such as LinearRegression; {type(problem).__name__} is not one"
            )
        self.n = problem.n_examples
        self.rng = rng
        self.order = np.tile(np.arange(self.n), (n_chains, 1))
        self.buffer = np.empty((n_chains, 0), dtype=np.intp)

    def take(self, count: int) -> np.ndarray:
        """The next ``count`` indices of every chain, shape ``(n_chains, count)``."""
        while self.buffer.shape[1] < count:
            # A fresh epoch: each row (chain) gets its own permutation.
            self.buffer = np.concatenate([self.buffer, self.rng.permuted(self.order, axis=1)], axis=1)
        batch, self.buffer = self.buffer[:, :count], self.buffer[:, count:]
        return batch
