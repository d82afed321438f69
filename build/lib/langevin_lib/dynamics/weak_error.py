r"""The weak error between SGD and its Langevin SDE, measured with coupled noise (chapter 4).

:cite:t:`li2017sme` prove that the Langevin SDE (their *stochastic modified
equation*) approximates SGD in the weak sense to order one: for smooth test
functions :math:`f` and a fixed horizon :math:`T`,

.. math::

    \max_{k\eta \le T}\;\big|\,\mathbb{E}f(\phi_k) - \mathbb{E}f(\Phi_{k\eta})\big| \le C\,\eta .

Both expectations carry Monte Carlo noise of order :math:`1/\sqrt{n}` for
:math:`n` chains, far above :math:`C\eta` unless :math:`n` is huge. For
additive Gaussian gradient noise the two processes can be driven by the *same*
Brownian path: the Euler-Maruyama increments :math:`\Delta W_j` of the SDE over
one SGD step add up to that step's noise. Then :math:`f(\phi_k) - f(\Phi_{k\eta})`
is small on every chain, and its average estimates the weak error with a
standard error far below the error itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .._validation import as_count, as_generator, as_positive_scalar
from ..problems import AdditiveNoiseProblem
from .trajectory import Trajectory, initial_ensemble, run_chain

__all__ = ["CoupledRuns", "WeakError", "coupled_sgd_langevin", "weak_error"]


class CoupledRuns(NamedTuple):
    """SGD and the Euler-Maruyama solution of its Langevin SDE, driven by the same noise."""

    sgd: Trajectory
    langevin: Trajectory


class WeakError(NamedTuple):
    r"""A measured difference of expectations and its standard error."""

    value: float
    standard_error: float


def coupled_sgd_langevin(
    problem: AdditiveNoiseProblem,
    phi0: np.ndarray,
    lr: float,
    n_steps: int,
    *,
    substeps: int = 16,
    n_chains: int = 1,
    rng: np.random.Generator | int | None = None,
    record_every: int = 1,
) -> CoupledRuns:
    r"""SGD (batch size 1) and its Langevin SDE on one shared Brownian path per chain.

    With :math:`m` substeps :math:`\Delta t = \eta/m` and standard normal
    :math:`z_{k,1..m}`, the SDE takes the Euler-Maruyama steps

    .. math::

        \Phi \leftarrow \Phi - g(\Phi)\,\Delta t + \sqrt{\eta}\,\sigma\sqrt{\Delta t}\,z_{k,j},

    and SGD takes :math:`\phi_{k+1} = \phi_k - \eta\,g(\phi_k) + \eta\,\sigma\,\xi_k`
    with :math:`\xi_k = m^{-1/2}\sum_j z_{k,j} \sim N(0, 1)`: exactly SGD with
    the problem's Gaussian gradient noise, and exactly the sum of the SDE's
    noise increments over the step.

    Parameters
    ----------
    problem : AdditiveNoiseProblem
        A problem with additive Gaussian gradient noise of standard deviations ``problem.sigma``
        (e.g. :class:`~langevin_lib.Quadratic`, :class:`~langevin_lib.SeparableNoisyLoss`).
    phi0 : array_like, shape (d,) or (n_chains, d)
    lr : float
        :math:`\eta > 0`.
    n_steps : int
        SGD steps (>= 1).
    substeps : int
        Euler-Maruyama steps per SGD step (>= 1); the SDE's own weak error is
        of order :math:`\eta/m`.
    n_chains : int
    rng : numpy.random.Generator, int or None
    record_every : int
        Record every this many SGD steps.

    Returns
    -------
    CoupledRuns
        Two trajectories with the same ``times = k * lr``.
    """
    if not isinstance(problem, AdditiveNoiseProblem):
        raise ValueError(
            f"problem must have additive Gaussian gradient noise (an AdditiveNoiseProblem), got {problem!r}"
        )
    lr = as_positive_scalar(lr, "lr")
    n_steps = as_count(n_steps, "n_steps")
    m = as_count(substeps, "substeps")
    record_every = as_count(record_every, "record_every")
    x0 = initial_ensemble(phi0, problem.dim, as_count(n_chains, "n_chains"))
    gen = as_generator(rng)
    d, dt = problem.dim, lr / m
    sde_kick = np.sqrt(lr * dt) * problem.sigma

    def advance(_: int, state: np.ndarray) -> float:
        sgd_part, sde_part = state[:, :d], state[:, d:]
        z = gen.standard_normal((m, *sgd_part.shape))
        sgd_part += lr * (problem.sigma * z.sum(axis=0) / np.sqrt(m) - problem.grad(sgd_part))
        for j in range(m):
            sde_part += sde_kick * z[j] - dt * problem.grad(sde_part)
        return lr

    both = run_chain(advance, np.hstack([x0, x0]), n_steps, record_every, "coupled SGD and Langevin")
    split = [
        Trajectory(times=both.times, phi=part, steps=both.steps) for part in (both.phi[..., :d], both.phi[..., d:])
    ]
    return CoupledRuns(*split)


def weak_error(f: Callable[[np.ndarray], np.ndarray], a: np.ndarray, b: np.ndarray) -> WeakError:
    r"""Estimate :math:`\mathbb{E}f(A) - \mathbb{E}f(B)` from paired samples, with its standard error.

    Parameters
    ----------
    f : callable
        Test function, mapping an ensemble of shape ``(n_chains, d)`` to ``(n_chains,)``.
    a, b : array_like, shape (n_chains, d)
        Paired samples (chain ``c`` of ``a`` coupled to chain ``c`` of ``b``),
        or ``b`` of shape ``(d,)`` for a deterministic reference such as the
        gradient flow.

    Returns
    -------
    WeakError
        The mean of :math:`f(a_c) - f(b_c)` and its standard error
        :math:`\mathrm{sd}/\sqrt{n}`.
    """
    a = np.asarray(a, dtype=float)
    b = np.broadcast_to(np.asarray(b, dtype=float), a.shape)
    if a.ndim != 2 or a.shape[0] < 2:
        raise ValueError(f"a must have shape (n_chains, d) with n_chains >= 2, got {a.shape}")
    diff = np.asarray(f(a), dtype=float) - np.asarray(f(b), dtype=float)
    if diff.shape != (a.shape[0],):
        raise ValueError(f"f must map (n_chains, d) to (n_chains,), got shape {diff.shape}")
    return WeakError(float(diff.mean()), float(diff.std(ddof=1) / np.sqrt(diff.size)))
