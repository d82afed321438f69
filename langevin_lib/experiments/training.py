r"""Training runs and the losses they settle at (chapter 3).

Three measurements on top of :func:`~langevin_lib.sgd`:

- :func:`train_with_drops`: a training curve under a learning rate that is
  held constant and then divided by a factor, stage after stage (the schedule
  of the ResNet runs); :func:`plateau_levels` reads off the level of each stage.
- :func:`converged_loss`: a Monte Carlo estimate, with its standard error, of
  the converged loss :math:`L(\eta) = \mathbb{E}_{\phi\sim P_\eta} L(\phi)`.
- :func:`fluctuation_dissipation`: both sides of Yaida's relation
  :math:`\langle(\phi-\phi^*)\cdot\nabla L(\phi)\rangle = \frac\eta2\langle\|\hat g\|^2\rangle`,
  which holds at every learning rate under the stationary distribution.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .._validation import as_count, as_finite_array, as_positive_scalar, check_dim
from ..dynamics import sgd, step_decay
from ..problems import Problem

__all__ = [
    "ConvergedLoss",
    "TrainingCurve",
    "converged_loss",
    "first_order_loss",
    "fluctuation_dissipation",
    "plateau_levels",
    "train_with_drops",
]


class TrainingCurve(NamedTuple):
    """The training loss of an ensemble of SGD runs, recorded along the way.

    Attributes
    ----------
    steps : ndarray of int, shape (n_records,)
        Step of each record (0 is the start).
    epochs : ndarray, shape (n_records,)
        ``steps * batch_size / n_examples``: passes over the training set.
    lr : ndarray, shape (n_records,)
        Learning rate of the stage each record belongs to (the rate of the
        step that produced it; the first rate at step 0).
    stage : ndarray of int, shape (n_records,)
        Stage (0, 1, ...) of each record.
    loss : ndarray, shape (n_records, n_chains)
        Full training loss :math:`L(\\phi)` of every chain at every record.
    final : ndarray, shape (n_chains, d)
        The chains after the last step.
    """

    steps: np.ndarray
    epochs: np.ndarray
    lr: np.ndarray
    stage: np.ndarray
    loss: np.ndarray
    final: np.ndarray


class ConvergedLoss(NamedTuple):
    """A Monte Carlo estimate of :math:`L(\\eta)`: ``mean`` and its standard error ``stderr``."""

    mean: float
    stderr: float


def train_with_drops(
    problem: Problem,
    phi0: np.ndarray,
    lr0: float,
    *,
    drop_factor: float,
    steps_per_stage: int,
    n_stages: int = 3,
    batch_size: int = 1,
    **sgd_options: Any,
) -> TrainingCurve:
    r"""SGD whose rate is divided by ``drop_factor`` every ``steps_per_stage`` steps.

    The rate of stage :math:`s = 0, 1, \dots` is :math:`\eta_0/f^s`
    (:func:`~langevin_lib.step_decay` with factor :math:`1/f`).
    He et al. (2016) train their ResNets this way with :math:`f = 10`; the
    lecture's slide says :math:`f = 2`. Used in chapter 3.

    Parameters
    ----------
    problem : Problem
        Needs ``loss`` (evaluated on every record) besides what :func:`sgd` needs.
    phi0 : array_like, shape (d,) or (n_chains, d)
        Start.
    lr0 : float
        Rate of the first stage (> 0).
    drop_factor : float
        :math:`f \ge 1`.
    steps_per_stage, n_stages : int
        Length and number of the stages (each >= 1).
    batch_size : int
        As for :func:`~langevin_lib.sgd`; it also converts steps to epochs.
    **sgd_options
        ``n_chains``, ``rng``, ``record_every``, ``sampling``: passed on to :func:`~langevin_lib.sgd`.

    Returns
    -------
    TrainingCurve
    """
    lr0 = as_positive_scalar(lr0, "lr0")
    drop_factor = as_positive_scalar(drop_factor, "drop_factor")
    if drop_factor < 1:
        raise ValueError(f"drop_factor must be >= 1 (the rate is divided by it), got {drop_factor}")
    steps_per_stage = as_count(steps_per_stage, "steps_per_stage")
    n_stages = as_count(n_stages, "n_stages")
    run = sgd(
        problem,
        phi0,
        step_decay(lr0, 1 / drop_factor, steps_per_stage),
        steps_per_stage * n_stages,
        batch_size=batch_size,
        **sgd_options,
    )
    # Record k holds the state after step k, made with the rate of step k - 1.
    stage = np.maximum(run.steps - 1, 0) // steps_per_stage
    n_examples = getattr(problem, "n_examples", None)
    epochs = run.steps * batch_size / n_examples if n_examples else run.steps.astype(float)
    return TrainingCurve(
        steps=run.steps,
        epochs=epochs,
        lr=lr0 / drop_factor**stage,
        stage=stage,
        loss=problem.loss(run.phi),
        final=run.final,
    )


def plateau_levels(curve: TrainingCurve, tail: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    r"""The loss level of each stage: mean over chains and over the last ``tail`` of the stage's records.

    Parameters
    ----------
    curve : TrainingCurve
    tail : float
        Fraction of each stage's records averaged, in (0, 1]; the first part
        of a stage is the transient after a drop.

    Returns
    -------
    levels : ndarray, shape (n_stages,)
    stderr : ndarray, shape (n_stages,)
        Standard error over chains (the chains are independent; records within
        a chain are not), NaN for a single chain.
    """
    tail = as_positive_scalar(tail, "tail")
    if tail > 1:
        raise ValueError(f"tail must be in (0, 1], got {tail}")
    levels, errors = [], []
    for s in np.unique(curve.stage[1:]):
        rows = np.flatnonzero((curve.stage == s) & (curve.steps > 0))
        rows = rows[len(rows) - max(1, round(tail * len(rows))) :]
        per_chain = curve.loss[rows].mean(axis=0)
        levels.append(per_chain.mean())
        n = per_chain.size
        errors.append(per_chain.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan)
    return np.array(levels), np.array(errors)


def converged_loss(
    problem: Problem,
    phi0: np.ndarray,
    lr: float,
    *,
    n_steps: int,
    burn_in: int,
    n_chains: int = 100,
    record_every: int = 10,
    **sgd_options: Any,
) -> ConvergedLoss:
    r"""Monte Carlo estimate of the converged loss :math:`L(\eta) = \mathbb{E}_{\phi\sim P_\eta}L(\phi)`.

    Runs ``n_chains`` independent chains at the constant rate ``lr`` for
    ``n_steps`` steps from ``phi0``, drops the records of the first ``burn_in``
    steps and averages the training loss over the remaining records, first
    along each chain, then over chains. The standard error is the spread of
    the per-chain averages over :math:`\sqrt{n_\text{chains}}`, which is valid
    whatever the correlation of the records within a chain. Used in chapter 3.

    Parameters
    ----------
    problem : Problem
    phi0 : array_like, shape (d,)
        Start of every chain (the minimiser is a good start: only the
        fluctuations then need to build up).
    lr : float
        Constant learning rate (> 0).
    n_steps, burn_in : int
        Total steps, and steps discarded (0 <= burn_in < n_steps).
    n_chains, record_every : int
        As for :func:`~langevin_lib.sgd` (n_chains >= 2).
    **sgd_options
        ``batch_size``, ``rng``, ``sampling``: passed on to :func:`~langevin_lib.sgd`.

    Returns
    -------
    ConvergedLoss
    """
    n_steps = as_count(n_steps, "n_steps")
    burn_in = as_count(burn_in, "burn_in", minimum=0)
    if burn_in >= n_steps:
        raise ValueError(f"burn_in must be < n_steps = {n_steps}, got {burn_in}")
    n_chains = as_count(n_chains, "n_chains", minimum=2)
    run = sgd(problem, phi0, lr, n_steps, n_chains=n_chains, record_every=record_every, **sgd_options)
    # One record at a time: the loss of a whole run at once can need gigabytes (records x chains x examples).
    per_chain = np.mean([problem.loss(state) for state in run.phi[run.steps > burn_in]], axis=0)
    return ConvergedLoss(mean=float(per_chain.mean()), stderr=float(per_chain.std(ddof=1) / np.sqrt(n_chains)))


def first_order_loss(problem: Problem, phi_star: np.ndarray, lr: float | np.ndarray, batch_size: int = 1) -> np.ndarray:
    r"""The TZ theorem's first-order prediction :math:`L(\phi^*) + \eta\,\mathbb{E}_i\|g_i(\phi^*)\|^2/(4B)`.

    For any problem with ``loss`` and ``example_grads`` (e.g. the classifier
    of chapter 3, whose loss is not quadratic); for linear regression the slope
    is :func:`~langevin_lib.tz_slope`. Elementwise in ``lr``.
    """
    phi_star = as_finite_array(phi_star, "phi_star", ndim=1)
    check_dim(phi_star, problem.dim, "phi_star")
    lr = as_finite_array(lr, "lr")
    if np.any(lr < 0):
        raise ValueError("lr must be >= 0")
    batch_size = as_count(batch_size, "batch_size")
    mean_sq = float(np.mean(np.sum(problem.example_grads(phi_star) ** 2, axis=1)))
    return float(problem.loss(phi_star)) + lr * mean_sq / (4 * batch_size)


def fluctuation_dissipation(
    problem: Problem, phi: np.ndarray, phi_star: np.ndarray, lr: float, batch_size: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    r"""Both sides of Yaida's fluctuation-dissipation relation, sample by sample.

    Under the stationary distribution of SGD with examples drawn with
    replacement,

    .. math::

        \big\langle (\phi-\phi^*)\cdot\nabla L(\phi)\big\rangle
        = \frac\eta2\,\big\langle \mathbb{E}_{\text{batch}}\|\hat g(\phi)\|^2\big\rangle,
        \qquad
        \mathbb{E}_{\text{batch}}\|\hat g\|^2 = \|g\|^2 + \frac{\mathbb{E}_i\|g_i\|^2 - \|g\|^2}{B},

    at every learning rate (Yaida 2018): it is the stationarity of
    :math:`\mathbb{E}\|\phi-\phi^*\|^2` under one step. For linear regression
    :math:`(\phi-\phi^*)\cdot\nabla L = 2(L(\phi) - L^*)`, which makes it step 3
    of the TZ proof (chapter 3). Average each returned array over samples
    from the stationary distribution to compare the two sides.

    Parameters
    ----------
    problem : Problem
        Needs ``grad`` and ``example_grads``.
    phi : array_like, shape (m, d)
        Samples (e.g. the states of stationary chains).
    phi_star : array_like, shape (d,)
        The minimiser (any fixed point works; the minimiser is the natural one).
    lr : float
        The learning rate the samples were drawn at.
    batch_size : int

    Returns
    -------
    lhs, rhs : ndarray, shape (m,)
        :math:`(\phi-\phi^*)\cdot\nabla L(\phi)` and :math:`\frac\eta2\mathbb{E}_{\text{batch}}\|\hat g(\phi)\|^2`.
    """
    phi = as_finite_array(phi, "phi", ndim=2)
    check_dim(phi, problem.dim, "phi")
    phi_star = as_finite_array(phi_star, "phi_star", ndim=1)
    check_dim(phi_star, problem.dim, "phi_star")
    lr = as_positive_scalar(lr, "lr")
    batch_size = as_count(batch_size, "batch_size")
    lhs, rhs = np.empty(len(phi)), np.empty(len(phi))
    for k, point in enumerate(phi):
        per_example = problem.example_grads(point)
        full = per_example.mean(axis=0)
        full_sq = float(full @ full)
        lhs[k] = (point - phi_star) @ full
        rhs[k] = 0.5 * lr * (full_sq + (np.mean(np.sum(per_example**2, axis=1)) - full_sq) / batch_size)
    return lhs, rhs
