r"""Adaptive optimisers with per-coordinate learning rates: RMSProp, Adam and the inverse-variance rule (chapter 6).

Each optimiser is SGD whose coordinate :math:`k` moves with its own, changing
learning rate :math:`\eta_{t,k}`, set from running averages of the stochastic
gradients :math:`\hat g_t` of the same chain:

- **RMSProp** (Hinton's lecture 6e; the update of PyTorch and Keras):
  :math:`v_t = \beta v_{t-1} + (1-\beta)\hat g_t^2`, :math:`v_0 = 0`,
  :math:`\phi_t = \phi_{t-1} - \eta'\,\hat g_t/(\sqrt{v_t} + \epsilon)`. Its
  running average estimates :math:`\mathbb{E}\hat g^2 = g^2 + \sigma^2`,
  so the rate is about :math:`\eta'/\sqrt{g^2 + \sigma^2}`: :math:`\eta'/\sigma`
  near a minimum, :math:`\eta'/|g|` far from it.
- **Adam** (Kingma & Ba 2015): momentum :math:`m_t = \beta_1 m_{t-1} + (1-\beta_1)\hat g_t`,
  second moment :math:`v_t` as above with :math:`\beta_2`, both divided by
  :math:`1-\beta^t` (bias correction, since they start at 0), and
  :math:`\phi_t = \phi_{t-1} - \eta'\,\hat m_t/(\sqrt{\hat v_t} + \epsilon)`.
- **Inverse-variance SGD**, the lecture's "theoretically motivated" rule:
  :math:`\eta_{t,k} = \eta'/(s_{t,k} + \epsilon)` with :math:`s_t` an
  exponentially weighted estimate of the gradient-noise *variance*
  :math:`\sigma_k^2` (the squared deviations from a running mean, not the raw
  second moment), which makes every coordinate's Langevin temperature
  :math:`T_k = \eta_k\sigma_k^2/2 = \eta'/2` the same: a Gibbs distribution when the noise is
  independent across coordinates (diagonal covariance), not in general.

All three act on an ensemble of chains of shape ``(n_chains, d)`` at once and
run through :func:`~langevin_lib.dynamics.trajectory.run_chain`, so a blow-up raises
:class:`~langevin_lib.DivergenceError`. Time is the sum over steps of the mean
per-coordinate rate, as for per-coordinate rates in :func:`~langevin_lib.sgd`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import as_count, as_generator, as_positive_scalar
from ..problems import Problem
from .trajectory import Trajectory, initial_ensemble, record_steps, run_chain

__all__ = [
    "Adam",
    "InverseVarianceSGD",
    "OptimizerTrajectory",
    "RMSProp",
    "adam",
    "inverse_variance_sgd",
    "rmsprop",
    "run_optimizer",
]


@dataclass(frozen=True)
class OptimizerTrajectory(Trajectory):
    """A :class:`~langevin_lib.Trajectory` that also records the optimiser's state.

    Attributes
    ----------
    rates : ndarray, shape (n_records, n_chains, d)
        The per-coordinate learning rate :math:`\\eta_{t,k}` of the last step
        before each record (the rate that multiplies :math:`\\hat g`, or
        :math:`\\hat m` for Adam); zero at record 0 and during a warm-up.
    moment : ndarray, shape (n_records, n_chains, d)
        The running estimate the rate is built from: :math:`v_t` for RMSProp,
        :math:`\\hat v_t` for Adam, the variance estimate :math:`s_t` for
        :class:`InverseVarianceSGD`.
    """

    rates: np.ndarray
    moment: np.ndarray


class _Rule:
    """State and update of one optimiser; ``start`` allocates, ``step`` returns the update to subtract."""

    name = "rule"

    def __init__(self, lr: float, eps: float):
        self.lr = as_positive_scalar(lr, "lr")
        self.eps = as_positive_scalar(eps, "eps")

    def start(self, shape: tuple[int, int]) -> None:
        """Allocate the running estimates and the rate, all zero, for an ensemble of ``shape``."""
        self.moment = np.zeros(shape)
        self.rate = np.zeros(shape)

    def step(self, grad: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    #: Current per-coordinate learning rate, shape (n_chains, d).
    rate: np.ndarray
    #: Current running estimate (see :class:`OptimizerTrajectory`), shape (n_chains, d).
    moment: np.ndarray


class RMSProp(_Rule):
    r"""RMSProp: :math:`v \leftarrow \beta v + (1-\beta)\hat g^2`, update :math:`\eta'\hat g/(\sqrt v + \epsilon)`.

    No bias correction and :math:`v_0 = 0` (as in PyTorch and Keras), so the
    first steps are larger by :math:`1/\sqrt{1-\beta^t}`: the very first one is
    :math:`\eta'\,\mathrm{sign}(\hat g)/\sqrt{1-\beta}` for :math:`\epsilon \to 0`.

    Parameters
    ----------
    lr : float
        :math:`\eta' > 0`.
    beta : float
        Decay of the running average, :math:`0 \le \beta < 1` (default 0.99).
    eps : float
        :math:`\epsilon > 0`, added to :math:`\sqrt v` (default 1e-8).
    """

    name = "RMSProp"

    def __init__(self, lr: float, beta: float = 0.99, eps: float = 1e-8):
        super().__init__(lr, eps)
        self.beta = _decay(beta, "beta")

    def step(self, grad: np.ndarray) -> np.ndarray:
        self.moment *= self.beta
        self.moment += (1 - self.beta) * grad**2
        self.rate = self.lr / (np.sqrt(self.moment) + self.eps)
        return self.rate * grad


class Adam(_Rule):
    r"""Adam with bias correction.

    .. math::

        m_t = \beta_1 m_{t-1} + (1-\beta_1)\hat g_t, \quad
        v_t = \beta_2 v_{t-1} + (1-\beta_2)\hat g_t^2, \quad
        \phi_t = \phi_{t-1} - \eta'\,\frac{m_t/(1-\beta_1^t)}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}.

    Parameters
    ----------
    lr : float
        :math:`\eta' > 0`.
    beta1, beta2 : float
        Decays of the momentum and of the second moment, each in ``[0, 1)``
        (defaults 0.9 and 0.999).
    eps : float
        :math:`\epsilon > 0` (default 1e-8).
    """

    name = "Adam"

    def __init__(self, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(lr, eps)
        self.beta1 = _decay(beta1, "beta1")
        self.beta2 = _decay(beta2, "beta2")

    def start(self, shape: tuple[int, int]) -> None:
        super().start(shape)
        self.m = np.zeros(shape)
        self.v = np.zeros(shape)
        self.t = 0

    def step(self, grad: np.ndarray) -> np.ndarray:
        self.t += 1
        self.m *= self.beta1
        self.m += (1 - self.beta1) * grad
        self.v *= self.beta2
        self.v += (1 - self.beta2) * grad**2
        self.moment = self.v / (1 - self.beta2**self.t)
        self.rate = self.lr / (np.sqrt(self.moment) + self.eps)
        return self.rate * (self.m / (1 - self.beta1**self.t))


class InverseVarianceSGD(_Rule):
    r"""SGD with :math:`\eta_k = \eta'/(s_k + \epsilon)`, :math:`s_k` an online estimate of the noise variance.

    The estimate is the exponentially weighted variance of the chain's own
    stochastic gradients,

    .. math::

        u_t = \hat g_t - \bar g_{t-1}, \quad
        \bar g_t = \bar g_{t-1} + (1-\beta)u_t, \quad
        s_t = \beta\,\big(s_{t-1} + (1-\beta)u_t^2\big),

    which tracks :math:`\sigma_k^2` (plus the variance of the true gradient
    along the path, small near a minimum) rather than RMSProp's
    :math:`g_k^2 + \sigma_k^2`. A variance needs several samples, so the
    first ``warmup`` steps do not move: they set :math:`\bar g` and :math:`s` to
    the plain mean and variance of their gradients (costing ``warmup``
    gradient evaluations per chain).

    Parameters
    ----------
    lr : float
        :math:`\eta' > 0`; with noise independent across coordinates the Langevin
        temperature is :math:`\eta'/2` in every coordinate (chapter 6 measures what correlated noise does).
    beta : float
        Decay of the running averages, in ``[0, 1)`` (default 0.99).
    eps : float
        :math:`\epsilon > 0`, added to :math:`s` (default 1e-8).
    warmup : int
        Steps spent estimating the variance before the first move, >= 2 (default 10).
    """

    name = "1/sigma^2"

    def __init__(self, lr: float, beta: float = 0.99, eps: float = 1e-8, warmup: int = 10):
        super().__init__(lr, eps)
        self.beta = _decay(beta, "beta")
        self.warmup = as_count(warmup, "warmup", minimum=2)

    def start(self, shape: tuple[int, int]) -> None:
        super().start(shape)
        self.mean = np.zeros(shape)
        self.t = 0

    def step(self, grad: np.ndarray) -> np.ndarray:
        self.t += 1
        delta = grad - self.mean
        if self.t <= self.warmup:
            # Welford's update: after the warm-up, mean and (population) variance of its gradients.
            self.mean += delta / self.t
            self.moment += delta * (grad - self.mean)
            if self.t == self.warmup:
                self.moment /= self.warmup
            return np.zeros_like(grad)
        self.mean += (1 - self.beta) * delta
        self.moment += (1 - self.beta) * delta**2
        self.moment *= self.beta
        self.rate = self.lr / (self.moment + self.eps)
        return self.rate * grad


def run_optimizer(
    problem: Problem,
    phi0: np.ndarray,
    rule: RMSProp | Adam | InverseVarianceSGD,
    n_steps: int,
    *,
    n_chains: int = 1,
    batch_size: int = 1,
    rng: np.random.Generator | int | None = None,
    record_every: int = 1,
) -> OptimizerTrajectory:
    r"""Run an adaptive optimiser on ``n_chains`` independent chains.

    Each step draws minibatch gradients :math:`\hat g` with
    ``problem.stochastic_grad`` (examples with replacement, as :func:`~langevin_lib.sgd`)
    and applies :math:`\phi \leftarrow \phi - \mathrm{rule}(\hat g)`. The rule keeps
    one state per chain and coordinate, so the chains do not interact.

    Parameters
    ----------
    problem : Problem
        Supplies ``stochastic_grad(phi, batch_size, rng)``.
    phi0 : array_like, shape (d,) or (n_chains, d)
        Initial point (copied to every chain) or one per chain.
    rule : RMSProp, Adam or InverseVarianceSGD
        The optimiser; its state is reset at the start of the run.
    n_steps, n_chains, batch_size, record_every : int
        As for :func:`~langevin_lib.sgd`, each >= 1.
    rng : numpy.random.Generator, int or None
        Source of randomness.

    Returns
    -------
    OptimizerTrajectory
        ``times`` (sum of the mean per-coordinate rate), ``phi``, ``steps``,
        and the recorded ``rates`` and ``moment``.

    Raises
    ------
    ValueError
        For bad counts, shapes or an unknown ``rule``.
    DivergenceError
        At the first step whose iterate is not finite.
    """
    if not isinstance(rule, _Rule):
        raise ValueError(f"rule must be an RMSProp, Adam or InverseVarianceSGD, got {type(rule).__name__}")
    n_chains = as_count(n_chains, "n_chains")
    batch_size = as_count(batch_size, "batch_size")
    n_steps = as_count(n_steps, "n_steps")
    record_every = as_count(record_every, "record_every")
    x0 = initial_ensemble(phi0, problem.dim, n_chains)
    gen = as_generator(rng)
    n_records = len(record_steps(n_steps, record_every))
    rates = np.zeros((n_records, *x0.shape))
    moment = np.zeros((n_records, *x0.shape))
    rule.start(x0.shape)

    def advance(k: int, x: np.ndarray) -> float:
        x -= rule.step(problem.stochastic_grad(x, batch_size, gen))
        # The warm-up of InverseVarianceSGD does not move, so it takes no time.
        return 0.0 if not np.any(rule.rate) else float(np.mean(rule.rate))

    def record_state(slot: int) -> None:
        rates[slot], moment[slot] = rule.rate, rule.moment

    run = run_chain(advance, x0, n_steps, record_every, rule.name, on_record=record_state)
    return OptimizerTrajectory(times=run.times, phi=run.phi, steps=run.steps, rates=rates, moment=moment)


def rmsprop(
    problem: Problem,
    phi0: np.ndarray,
    lr: float,
    n_steps: int,
    *,
    beta: float = 0.99,
    eps: float = 1e-8,
    **run: object,
) -> OptimizerTrajectory:
    """:func:`run_optimizer` with :class:`RMSProp` ``(lr, beta, eps)``; ``run`` as for :func:`run_optimizer`."""
    return run_optimizer(problem, phi0, RMSProp(lr, beta, eps), n_steps, **run)


def adam(
    problem: Problem,
    phi0: np.ndarray,
    lr: float,
    n_steps: int,
    *,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    **run: object,
) -> OptimizerTrajectory:
    """:func:`run_optimizer` with :class:`Adam` ``(lr, beta1, beta2, eps)``."""
    return run_optimizer(problem, phi0, Adam(lr, beta1, beta2, eps), n_steps, **run)


def inverse_variance_sgd(
    problem: Problem,
    phi0: np.ndarray,
    lr: float,
    n_steps: int,
    *,
    beta: float = 0.99,
    eps: float = 1e-8,
    warmup: int = 10,
    **run: object,
) -> OptimizerTrajectory:
    """:func:`run_optimizer` with :class:`InverseVarianceSGD` ``(lr, beta, eps, warmup)``."""
    return run_optimizer(problem, phi0, InverseVarianceSGD(lr, beta, eps, warmup), n_steps, **run)


def _decay(value: float, name: str) -> float:
    """A decay rate of a running average: a real number in [0, 1)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    if not 0.0 <= float(value) < 1.0:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    return float(value)
