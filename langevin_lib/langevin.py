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

Supported problems: :class:`~langevin_lib.Quadratic` and
:class:`~langevin_lib.potentials.SeparableNoisyLoss` (additive noise, constant
:math:`\Sigma = \mathrm{diag}(\sigma^2)`), and
:class:`~langevin_lib.LinearRegression` and
:class:`~langevin_lib.classifiers.SoftmaxRegression` (per-example gradients,
state-dependent :math:`\Sigma(\phi)`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validation import as_count, as_finite_array, as_positive_scalar, check_dim
from .classifiers import SoftmaxRegression
from .potentials import SeparableNoisyLoss
from .problems import LinearRegression, Problem, Quadratic
from .sde import euler_maruyama
from .trajectory import Trajectory, initial_ensemble

__all__ = [
    "LangevinSDE",
    "ensemble_gradient",
    "example_gradients",
    "gradient_noise_covariance",
    "langevin_sde",
    "simulate_langevin",
]

_ADDITIVE = (Quadratic, SeparableNoisyLoss)
_PER_EXAMPLE = (LinearRegression, SoftmaxRegression)


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


def example_gradients(problem: LinearRegression | SoftmaxRegression, phi: np.ndarray) -> np.ndarray:
    r"""Per-example gradients :math:`g_i(\phi_c)` of every chain, shape ``(n_chains, n_examples, d)``.

    Linear regression: :math:`g_i = x_i(x_i^\top\phi - y_i)`. Softmax
    regression: :math:`g_i = x_i(p_i - e_{y_i})^\top + \lambda W`, flattened
    row by row as in :class:`~langevin_lib.classifiers.SoftmaxRegression`.

    Parameters
    ----------
    problem : LinearRegression or SoftmaxRegression
    phi : array_like, shape (d,) or (n_chains, d)
    """
    phi = _ensemble(problem, phi)
    if isinstance(problem, _ADDITIVE):
        raise ValueError(f"problem must have a training set (LinearRegression or SoftmaxRegression), got {problem!r}")
    factors = np.swapaxes(_residual_factors(problem, phi), 1, 2)  # (n_chains, n, K)
    grads = problem.X[None, :, :, None] * factors[:, :, None, :]
    return grads.reshape(*factors.shape[:2], problem.dim) + _penalty(problem) * phi[:, None, :]


def ensemble_gradient(problem: Problem, phi: np.ndarray) -> np.ndarray:
    r"""The full gradient :math:`g(\phi_c)` of every chain, shape ``(n_chains, d)``.

    (``SoftmaxRegression.grad`` takes one point only.)
    """
    phi = _ensemble(problem, phi)
    if isinstance(problem, _ADDITIVE):
        return problem.grad(phi)
    mean = _residual_factors(problem, phi) @ problem.X / problem.n_examples  # (n_chains, K, n_features)
    return np.swapaxes(mean, 1, 2).reshape(phi.shape) + _penalty(problem) * phi


def gradient_noise_covariance(problem: Problem, phi: np.ndarray, batch_size: int = 1) -> np.ndarray:
    r"""Covariance :math:`\Sigma(\phi)/B` of the minibatch gradient at ``phi``.

    .. math::

        \operatorname{Cov}[\hat g \mid \phi] = \frac1B\Big(\frac1n\sum_i g_i g_i^\top - g g^\top\Big)

    for per-example problems (equation eq-ch2-noise), and
    :math:`\mathrm{diag}(\sigma^2)/B` for additive noise. Used in chapter 4 to
    build the Langevin SDE and to check the covariance of SGD increments.

    Both per-example problems have gradients :math:`g_i = x_i \otimes r_i + c`
    with a residual :math:`r_i \in \mathbb{R}^K` (:math:`K = 1` for linear
    regression) and a constant :math:`c` (the L2 penalty), so
    :math:`\frac1n\sum_i g_ig_i^\top` is assembled from the products
    :math:`x_ix_i^\top` and :math:`r_ir_i^\top` without forming every
    :math:`g_i` (the constant drops out of the covariance).

    Parameters
    ----------
    problem : Quadratic, SeparableNoisyLoss, LinearRegression or SoftmaxRegression
    phi : array_like, shape (d,) or (n_chains, d)
    batch_size : int
        :math:`B \ge 1`.

    Returns
    -------
    ndarray, shape (d, d) for one point, (n_chains, d, d) for an ensemble
    """
    batch_size = as_count(batch_size, "batch_size")
    single = np.ndim(phi) == 1
    phi = _ensemble(problem, phi)
    n_chains, d = phi.shape
    if isinstance(problem, _ADDITIVE):
        cov = np.broadcast_to(np.diag(problem.sigma**2), (n_chains, d, d)).copy()
    else:
        X, n, f = problem.X, problem.n_examples, problem.X.shape[1]
        factors = _residual_factors(problem, phi)  # (n_chains, K, n)
        k = factors.shape[1]
        outer_r = (factors[:, :, None, :] * factors[:, None, :, :]).reshape(n_chains, k * k, n)
        outer_x = (X[:, :, None] * X[:, None, :]).reshape(n, f * f)
        second = (outer_r @ outer_x / n).reshape(n_chains, k, k, f, f)
        # Entry (f k, g l) of the flattened (n_features, K) layout is second[c, k, l, f, g].
        cov = second.transpose(0, 3, 1, 4, 2).reshape(n_chains, d, d)
        mean = np.swapaxes(factors @ X / n, 1, 2).reshape(n_chains, d)
        cov -= mean[:, :, None] * mean[:, None, :]
    cov /= batch_size
    return cov[0] if single else cov


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
    problem : Quadratic, SeparableNoisyLoss, LinearRegression or SoftmaxRegression
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
    _check_supported(problem)

    def drift(x: np.ndarray) -> np.ndarray:
        return -ensemble_gradient(problem, x)

    if isinstance(problem, _ADDITIVE):
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


def _residual_factors(problem: LinearRegression | SoftmaxRegression, phi: np.ndarray) -> np.ndarray:
    """Residuals r_i with g_i = x_i r_i^T (+ penalty), laid out as (n_chains, K, n_examples).

    Examples last: NumPy loops over the last axis, and K is short (1 or a few classes).
    """
    if isinstance(problem, LinearRegression):
        return (phi @ problem.X.T - problem.y)[:, None, :]
    W = phi.reshape(phi.shape[0], problem.n_features, problem.n_classes)
    prob = np.swapaxes(W, 1, 2) @ problem.X.T  # logits, (n_chains, K, n)
    prob -= prob.max(axis=1, keepdims=True)
    np.exp(prob, out=prob)
    prob /= prob.sum(axis=1, keepdims=True)
    prob[:, problem.labels, np.arange(problem.n_examples)] -= 1.0
    return prob


def _penalty(problem: LinearRegression | SoftmaxRegression) -> float:
    return problem.l2 if isinstance(problem, SoftmaxRegression) else 0.0


def _check_supported(problem: Problem) -> None:
    if not isinstance(problem, _ADDITIVE + _PER_EXAMPLE):
        raise ValueError(
            "problem must be Quadratic, SeparableNoisyLoss, LinearRegression or SoftmaxRegression "
            f"(the problems whose gradient-noise covariance is known), got {problem!r}"
        )


def _ensemble(problem: Problem, phi: np.ndarray) -> np.ndarray:
    _check_supported(problem)
    phi = as_finite_array(phi, "phi", ndim=(1, 2))
    check_dim(phi, problem.dim, "phi")
    return phi[None] if phi.ndim == 1 else phi
