r"""The Langevin SDE matched to SGD on a problem at a learning rate (chapter 4).

SGD with learning rate :math:`\eta` and batches of :math:`B` examples drawn
with replacement, run on the clock :math:`t = k\eta`, is modelled by

.. math::

    d\Phi = -g(\Phi)\,dt + \sqrt{\frac{\eta}{B}}\;\Sigma(\Phi)^{1/2}\,dW_t ,
    \qquad
    \Sigma(\phi) = \frac1n\sum_{i=1}^n g_i(\phi)\,g_i(\phi)^\top - g(\phi)\,g(\phi)^\top ,

the drift of gradient flow plus a noise whose covariance per unit time,
:math:`\eta\Sigma/B`, is that of :math:`1/\eta` SGD steps. :func:`langevin_sde`
builds the drift and the noise factor in the form
:func:`~langevin_lib.euler_maruyama` takes, and :func:`simulate_langevin`
integrates them on the time axis of :func:`~langevin_lib.sgd`.

Supported problems: any :class:`~langevin_lib.AdditiveNoiseProblem`
(constant :math:`\Sigma = \mathrm{diag}(\sigma^2)`, e.g.
:class:`~langevin_lib.Quadratic`) and any
:class:`~langevin_lib.FiniteSumProblem` (per-example gradients,
state-dependent :math:`\Sigma(\phi)`, e.g. :class:`~langevin_lib.LinearRegression`
and :class:`~langevin_lib.SoftmaxRegression`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .._validation import as_count, as_positive_scalar
from ..problems import AdditiveNoiseProblem, FiniteSumProblem, Problem, gradient_noise_covariance
from .sde import euler_maruyama
from .trajectory import Trajectory, initial_ensemble

__all__ = ["LangevinSDE", "langevin_sde", "simulate_langevin"]


@dataclass(frozen=True)
class LangevinSDE:
    r"""The Langevin SDE of SGD, :math:`d\Phi = b(\Phi)\,dt + G(\Phi)\,dW`, ready for ``euler_maruyama``.

    Attributes
    ----------
    drift : callable
        :math:`b(x) = -g(x)` for an ensemble ``x`` of shape ``(n_chains, d)``.
    noise_std : ndarray of shape (d,), or callable
        :math:`G` with :math:`GG^\top = \eta\Sigma/B`: a constant diagonal for
        additive noise, else ``noise_std(x)`` of shape ``(n_chains, d, d)``,
        the symmetric square root of :math:`\eta\Sigma(x)/B` per chain.
    lr : float
        The learning rate :math:`\eta` the SDE is matched to.
    batch_size : int
        The batch size :math:`B`.
    """

    drift: Callable[[np.ndarray], np.ndarray]
    noise_std: np.ndarray | Callable[[np.ndarray], np.ndarray]
    lr: float
    batch_size: int


def langevin_sde(problem: Problem, lr: float, batch_size: int = 1) -> LangevinSDE:
    r"""The Langevin SDE matched to SGD with learning rate ``lr`` and batch size ``batch_size``.

    .. math::

        d\Phi = -g(\Phi)\,dt + G(\Phi)\,dW_t, \qquad G G^\top = \frac{\eta}{B}\,\Sigma(\Phi),

    equation eq-ch4-langevin of chapter 4. For additive noise :math:`G` is the
    constant diagonal :math:`\sqrt{\eta/B}\,\sigma`; for per-example problems
    it is the symmetric square root of :math:`\eta\Sigma(\phi)/B`, recomputed
    at every state (eigenvalues that round-off makes slightly negative are set
    to zero: :math:`\Sigma` is singular for softmax regression).

    Parameters
    ----------
    problem : AdditiveNoiseProblem or FiniteSumProblem
    lr : float
        :math:`\eta`, finite and > 0.
    batch_size : int
        :math:`B \ge 1`.

    Returns
    -------
    LangevinSDE
    """
    lr = as_positive_scalar(lr, "lr")
    batch_size = as_count(batch_size, "batch_size")
    if not isinstance(problem, (AdditiveNoiseProblem, FiniteSumProblem)):
        raise ValueError(
            "problem must have a known gradient-noise covariance: a FiniteSumProblem (per-example gradients) "
            f"or an AdditiveNoiseProblem (constant sigma); {type(problem).__name__} is neither"
        )

    def drift(x: np.ndarray) -> np.ndarray:
        return -problem.grad(x)

    if isinstance(problem, AdditiveNoiseProblem):
        return LangevinSDE(drift, np.sqrt(lr / batch_size) * problem.sigma, lr, batch_size)

    def noise_std(x: np.ndarray) -> np.ndarray:
        vals, vecs = np.linalg.eigh(gradient_noise_covariance(problem, x, batch_size))
        root = np.sqrt(lr * np.clip(vals, 0.0, None))
        return (vecs * root[:, None, :]) @ np.swapaxes(vecs, 1, 2)

    return LangevinSDE(drift, noise_std, lr, batch_size)


def simulate_langevin(
    problem: Problem,
    phi0: np.ndarray,
    lr: float,
    n_steps: int,
    *,
    substeps: int = 10,
    n_chains: int = 1,
    batch_size: int = 1,
    rng: np.random.Generator | int | None = None,
    record_every: int = 1,
) -> Trajectory:
    r"""Integrate the Langevin SDE of SGD over the time of ``n_steps`` SGD steps.

    The call mirrors :func:`~langevin_lib.sgd`: the SDE of :func:`langevin_sde`
    runs from ``phi0`` up to :math:`t = n\eta` with Euler-Maruyama steps of
    :math:`\Delta t = \eta/m` (``m = substeps``), and the states are recorded
    at the times SGD with the same ``record_every`` records, :math:`t = k\eta`.

    The substeps matter. One Euler-Maruyama step of size :math:`\Delta t = \eta`
    with additive noise *is* an SGD step with Gaussian noise, so it would
    reproduce SGD's own discretisation error (on :math:`\frac h2 x^2` the
    stationary variance :math:`\eta\sigma^2/(2h - \Delta t h^2)`) instead of
    the SDE's :math:`\eta\sigma^2/(2h)`; with ``m`` substeps that error is
    ``m`` times smaller than the gap between SGD and the SDE.

    Parameters
    ----------
    problem, phi0, lr, n_chains, batch_size, rng, record_every
        As for :func:`~langevin_lib.sgd` (``lr`` a scalar).
    n_steps : int
        Number of SGD steps whose time is covered (>= 1).
    substeps : int
        Euler-Maruyama steps per SGD step (>= 1).

    Returns
    -------
    Trajectory
        ``times = k * lr`` and ``steps = k`` in units of SGD steps.

    Raises
    ------
    DivergenceError
        If the integration blows up.
    """
    sde = langevin_sde(problem, lr, batch_size)
    n_steps = as_count(n_steps, "n_steps")
    substeps = as_count(substeps, "substeps")
    record_every = as_count(record_every, "record_every")
    x0 = initial_ensemble(phi0, problem.dim, as_count(n_chains, "n_chains"))
    run = euler_maruyama(
        sde.drift,
        sde.noise_std,
        x0,
        sde.lr / substeps,
        n_steps * substeps,
        rng=rng,
        record_every=record_every * substeps,
    )
    steps = run.steps // substeps
    return Trajectory(times=steps * sde.lr, phi=run.phi, steps=steps)
