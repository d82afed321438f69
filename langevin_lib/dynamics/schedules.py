"""Learning rates: constant, per-coordinate, or a schedule over steps."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._validation import as_count, as_finite_array, as_learning_rate, as_positive_array, as_positive_scalar

__all__ = [
    "LearningRate",
    "Schedule",
    "elapsed_time",
    "inverse_time_decay",
    "learning_rate_table",
    "preconditioned_rates",
    "step_decay",
    "steps_to_reach",
]

#: A schedule: ``schedule(k)`` is the rate (scalar or ``(d,)``) of step ``k = 0, 1, ...``; the
#: schedules of this module also take an integer array of steps and return the rates elementwise.
Schedule = Callable[[int | np.ndarray], float | np.ndarray]

#: A scalar, a per-coordinate array of shape ``(d,)``, or a :data:`Schedule`.
LearningRate = float | np.ndarray | Schedule


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


# Schedules (chapter 2): each returns a Schedule, which the simulators accept as ``lr``.


def inverse_time_decay(lr0: float, decay_steps: float) -> Schedule:
    r"""The schedule :math:`\eta_k = \eta_0 / (1 + k/k_0)`.

    Its times :math:`t_k = \sum_{j<k}\eta_j = \eta_0 k_0\,[\psi(k_0 + k) - \psi(k_0)]`
    (:math:`\psi` the digamma function) grow like :math:`\eta_0 k_0 \log k`
    without bound, while :math:`\sum_k \eta_k^2 < \infty`: the Robbins-Monro
    conditions. The clock runs forever, so SGD on this schedule can follow the
    gradient flow to any time, while the noise it accumulates stays finite
    (chapter 2).

    Parameters
    ----------
    lr0 : float
        Initial rate :math:`\eta_0 > 0`.
    decay_steps : float
        :math:`k_0 > 0`, the step at which the rate has halved.

    Returns
    -------
    Schedule
    """
    lr0 = as_positive_scalar(lr0, "lr0")
    decay_steps = as_positive_scalar(decay_steps, "decay_steps")

    def schedule(k: int | np.ndarray) -> float | np.ndarray:
        return lr0 / (1.0 + _check_steps(k) / decay_steps)

    return schedule


def step_decay(lr0: float, factor: float, every: int) -> Schedule:
    r"""The piecewise-constant schedule :math:`\eta_k = \eta_0\, \gamma^{\lfloor k / m\rfloor}`.

    The rate drops by the factor :math:`\gamma` every :math:`m` steps, as in the
    ResNet training runs (there :math:`\gamma = 1/10`). After :math:`q` full
    periods the time is :math:`t_{qm} = \eta_0 m (1-\gamma^q)/(1-\gamma)`, which
    stays below :math:`\eta_0 m/(1-\gamma)` when :math:`\gamma < 1`: such a
    schedule stops the clock (chapter 2).

    Parameters
    ----------
    lr0 : float
        Initial rate :math:`\eta_0 > 0`.
    factor : float
        :math:`\gamma`, with :math:`0 < \gamma \le 1`.
    every : int
        :math:`m \ge 1`, steps between drops.

    Returns
    -------
    Schedule
    """
    lr0 = as_positive_scalar(lr0, "lr0")
    factor = as_positive_scalar(factor, "factor")
    if factor > 1:
        raise ValueError(f"factor must be in (0, 1], got {factor}")
    every = as_count(every, "every")

    def schedule(k: int | np.ndarray) -> float | np.ndarray:
        return lr0 * factor ** (_check_steps(k) // every)

    return schedule


def elapsed_time(lr: LearningRate, n_steps: int, dim: int = 1) -> np.ndarray:
    r"""Model time after each step, :math:`t_k = \sum_{j<k}\eta_j` for :math:`k = 0,\dots,n`.

    The clock on which SGD and gradient descent follow gradient flow
    (chapter 2); the same times as the ``times`` of a :class:`Trajectory` run with
    ``record_every=1``. Per-coordinate rates count with their mean, as in
    :func:`learning_rate_table`.

    Parameters
    ----------
    lr : float, array of shape (dim,), or callable
        A learning rate or schedule, as for :func:`~langevin_lib.sgd`.
    n_steps : int
        Number of steps, >= 1.
    dim : int
        Parameter dimension (only needed for per-coordinate rates).

    Returns
    -------
    ndarray, shape (n_steps + 1,)
        ``t[0] = 0`` and ``t[k]`` the time after ``k`` steps.
    """
    n_steps = as_count(n_steps, "n_steps")
    dim = as_count(dim, "dim")
    _, dt = learning_rate_table(lr, n_steps, dim)
    dt = np.broadcast_to(dt, (n_steps,))
    return np.concatenate(([0.0], np.cumsum(dt)))


def steps_to_reach(t: float, lr: float) -> int:
    r"""Number of steps of a constant rate :math:`\eta` that reach model time :math:`t`: :math:`\lceil t/\eta\rceil`.

    The last step ends at :math:`n\eta \ge t` (time = sum of learning rates,
    chapter 2), so runs at different rates cover the same stretch of time. At
    least one step; a tolerance of 1e-9 steps keeps ``t/lr = 400.00000000000006``
    from costing an extra step.

    Parameters
    ----------
    t : float
        Model time to reach, > 0.
    lr : float
        Learning rate, > 0.
    """
    t = as_positive_scalar(t, "t")
    lr = as_positive_scalar(lr, "lr")
    return max(1, int(np.ceil(t / lr - 1e-9)))


def preconditioned_rates(sigma: np.ndarray, lr_prime: float, p: float) -> np.ndarray:
    r"""Per-coordinate learning rates :math:`\eta_k = \eta'/\sigma_k^p` (chapter 6).

    :math:`p = 0` is plain SGD, :math:`p = 1` RMSProp's choice near a minimum,
    :math:`p = 2` the inverse-variance rule; the Langevin temperatures are then
    :math:`T_k = \eta_k\sigma_k^2/2 = \eta'\sigma_k^{2-p}/2`.

    Parameters
    ----------
    sigma : array_like, shape (d,)
        Noise standard deviations, each > 0.
    lr_prime : float
        :math:`\eta' > 0`.
    p : float
        The exponent (finite).
    """
    sigma = as_positive_array(sigma, "sigma")
    lr_prime = as_positive_scalar(lr_prime, "lr_prime")
    p = float(as_finite_array(p, "p", ndim=0))
    return lr_prime / sigma**p


def _check_steps(k: int | np.ndarray) -> np.ndarray:
    steps = np.asarray(k)
    if not np.issubdtype(steps.dtype, np.integer) or np.any(steps < 0):
        raise ValueError(f"k must be an integer step >= 0 (or an array of them), got {k!r}")
    return steps
