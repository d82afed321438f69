r"""Escape times between wells: simulated first passages of SGD and the exact 1-D mean first-passage time.

Chapter 5 measures how long SGD with additive gradient noise,
:math:`x_{k+1} = x_k - \eta\,(L'(x_k) + \sigma\xi_k)`, takes to get from
one minimum of a double well to the other, and compares the mean with
Kramers' formula (:func:`kramers_escape_time`) and
with the exact mean first-passage time of the Langevin SDE
:math:`dX = -L'(X)\,dt + \sqrt{2T}\,dW`, :math:`T = \eta\sigma^2/2`,

.. math::

    \tau(a \to c) = \frac1T \int_a^c e^{L(y)/T} \int_{\ell}^{y} e^{-L(z)/T}\,dz\,dy ,

for :math:`\ell < a < c` with a reflecting wall at :math:`\ell` (put it where
the density is negligible and it changes nothing).

The SGD step above *is* the Euler-Maruyama step of that SDE with time step
:math:`\eta`, so simulated times are on the SGD clock :math:`t = k\eta`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.integrate import cumulative_trapezoid, trapezoid

from .._validation import as_count, as_finite_array, as_generator, as_positive_scalar
from ..errors import DivergenceError
from ..problems import Potential, SeparableNoisyLoss

__all__ = ["EscapeTimes", "exact_mean_first_passage_time", "kramers_escape_time", "sgd_first_passage_times"]

#: Steps simulated between two compactions of the ensemble (dropping chains that have arrived).
_CHUNK = 512


@dataclass(frozen=True)
class EscapeTimes:
    """First-passage times of an ensemble, some possibly censored at ``max_time``.

    Attributes
    ----------
    times : ndarray, shape (n_chains,)
        Time of first arrival of each chain; ``inf`` if it had not arrived by ``max_time``.
    max_time : float
        Length of the simulation.
    """

    times: np.ndarray
    max_time: float

    @property
    def n_censored(self) -> int:
        """Chains that had not arrived when the simulation stopped."""
        return int(np.sum(~np.isfinite(self.times)))

    def mean(self) -> float:
        r"""Mean first-passage time, correcting for censoring as if the tail were exponential.

        :math:`\hat\tau = \sum_i \min(\tau_i, t_{\max}) / n_{\text{arrived}}`, the
        maximum-likelihood estimate of an exponential mean from censored data.
        Escape over a high barrier is close to exponential (a Poisson event),
        and with no censored chain this is the plain sample mean.
        """
        arrived = self.times.size - self.n_censored
        if arrived == 0:
            raise ValueError(f"no chain arrived by max_time = {self.max_time:g}; simulate longer")
        return float(np.sum(np.minimum(self.times, self.max_time)) / arrived)

    def standard_error(self) -> float:
        r"""Standard error of :meth:`mean`: :math:`\hat\tau/\sqrt{n_{\text{arrived}}}` (exponential times)."""
        return self.mean() / np.sqrt(self.times.size - self.n_censored)


def sgd_first_passage_times(
    problem: SeparableNoisyLoss,
    x0: float,
    lr: float,
    *,
    target: float,
    n_chains: int,
    max_time: float,
    rng: np.random.Generator | int | None = None,
) -> EscapeTimes:
    r"""Simulate SGD with additive noise from ``x0`` until each chain first reaches ``target``.

    Each chain runs :math:`x_{k+1} = x_k - \eta(L'(x_k) + \sigma\xi_k)`,
    :math:`\xi_k \sim N(0, 1)`, and its first-passage time is :math:`k\eta`
    for the first :math:`k` at which :math:`x_k` is at or beyond ``target``.
    Chains that have arrived are dropped, so the cost is proportional to the
    total time the ensemble spends travelling.

    Parameters
    ----------
    problem : SeparableNoisyLoss
        A one-dimensional loss :math:`L` with additive Gaussian gradient noise of
        standard deviation :math:`\sigma > 0`, e.g. ``SeparableNoisyLoss(DoubleWell(), sigma)``.
    x0 : float
        Starting point of every chain.
    lr : float
        Learning rate :math:`\eta > 0` (the time step).
    target : float
        The point to reach (either side of ``x0``).
    n_chains : int
        Number of independent chains.
    max_time : float
        Stop after this much time (:math:`\lceil t_{\max}/\eta\rceil` steps);
        chains still travelling get ``inf``.
    rng : numpy.random.Generator, int or None

    Returns
    -------
    EscapeTimes
    """
    if not isinstance(problem, SeparableNoisyLoss) or problem.dim != 1:
        raise ValueError(f"problem must be a one-dimensional SeparableNoisyLoss, got {problem!r}")
    potential = problem.potentials[0]
    sigma = as_positive_scalar(problem.sigma[0], "problem.sigma")
    lr = as_positive_scalar(lr, "lr")
    start = float(as_finite_array(x0, "x0", ndim=0))
    target = float(as_finite_array(target, "target", ndim=0))
    if start == target:
        raise ValueError(f"target must differ from x0, both are {start:g}")
    n_chains = as_count(n_chains, "n_chains")
    max_time = as_positive_scalar(max_time, "max_time")
    gen = as_generator(rng)
    n_steps = int(np.ceil(max_time / lr - 1e-9))
    # Work with s = direction * x so that arrival is always "s >= direction * target".
    direction = 1.0 if target > start else -1.0
    goal = direction * target

    times = np.full(n_chains, np.inf)
    x = np.full(n_chains, start)
    index = np.arange(n_chains)
    step = 0
    with np.errstate(over="ignore", invalid="ignore"):
        while step < n_steps and x.size:
            chunk = min(_CHUNK, n_steps - step)
            kicks = gen.standard_normal((chunk, x.size))
            kicks *= lr * sigma
            for k in range(chunk):
                x -= lr * potential.grad(x)
                x -= kicks[k]
                arrived = direction * x >= goal
                if arrived.any():
                    fresh = arrived & np.isinf(times[index])
                    times[index[fresh]] = (step + k + 1) * lr
            if not np.isfinite(x).all():
                raise DivergenceError(
                    f"SGD diverged by step {step + chunk}: lr = {lr:g} is too large for this potential",
                    step=step + chunk,
                )
            keep = np.isinf(times[index])
            x, index = x[keep], index[keep]
            step += chunk
    return EscapeTimes(times=times, max_time=n_steps * lr)


def exact_mean_first_passage_time(
    potential: Potential,
    temperature: float,
    start: float,
    target: float,
    *,
    wall: float,
    n_grid: int = 4001,
) -> float:
    r"""Mean first-passage time of :math:`dX = -L'\,dt + \sqrt{2T}\,dW` from ``start`` to ``target`` (module notes).

    The double integral is evaluated by the trapezoidal rule on ``n_grid``
    points from ``wall`` to ``target``, with a reflecting wall at ``wall``.
    The exponents are shifted by the minimum of :math:`L` on the grid, which
    cancels between the two integrals.

    Parameters
    ----------
    potential : Potential
    temperature : float
        :math:`T > 0`.
    start, target, wall : float
        Either ``wall < start < target`` or ``wall > start > target``.
    n_grid : int
        Quadrature points (>= 3).

    Returns
    -------
    float
    """
    temperature = as_positive_scalar(temperature, "temperature")
    start, target, wall = (
        float(as_finite_array(v, n, ndim=0)) for v, n in ((start, "start"), (target, "target"), (wall, "wall"))
    )
    if not (wall < start < target or wall > start > target):
        raise ValueError(f"need wall < start < target or wall > start > target, got {wall:g}, {start:g}, {target:g}")
    n_grid = as_count(n_grid, "n_grid", minimum=3)
    # Mirror x -> -x for escapes to the left, so that the formula needs only one orientation.
    sign = 1.0 if target > start else -1.0
    y = np.linspace(sign * wall, sign * target, n_grid)
    loss = potential.loss(sign * y)
    shift = loss.min()
    inner = cumulative_trapezoid(np.exp(-(loss - shift) / temperature), y, initial=0.0)
    # Only y from start on enter the outer integral; near the wall e^{L/T} may overflow and is never needed.
    first = int(np.argmax(y >= sign * start))
    lo = max(first - 1, 0)
    outer = np.exp((loss[lo:] - shift) / temperature) * inner[lo:]
    y_outer = y[lo:]
    k = first - lo
    value = trapezoid(outer[k:], y_outer[k:])
    # The sliver between start and the first grid point at or after it.
    value += 0.5 * (np.interp(sign * start, y_outer, outer) + outer[k]) * (y_outer[k] - sign * start)
    return float(value / temperature)


def kramers_escape_time(potential: Potential, temperature: float, well: float, saddle: float) -> float:
    r"""Kramers' mean escape time from a well over a barrier, :math:`1/k` for the rate :math:`k`.

    For :math:`dX = -L'(X)\,dt + \sqrt{2T}\,dW` started in the well at
    :math:`a`, the mean time to cross the barrier top :math:`b` and reach the
    other basin is, for :math:`T \ll \Delta L = L(b) - L(a)`,

    .. math::

        \tau_K = \frac{2\pi}{\sqrt{L''(a)\,|L''(b)|}}\; e^{\Delta L / T}

    (Kramers 1940), with relative corrections of order :math:`T/\Delta L`.
    For SGD, :math:`T = \eta\sigma^2/2` (chapter 5): the Arrhenius law
    :math:`\log\tau \approx \Delta L/T + \text{const}`.

    Parameters
    ----------
    potential : Potential
        The loss.
    temperature : float
        :math:`T > 0`.
    well, saddle : float
        :math:`a` (a minimum, :math:`L''(a) > 0`) and :math:`b` (a barrier top, :math:`L''(b) < 0`).

    Returns
    -------
    float
    """
    temperature = as_positive_scalar(temperature, "temperature")
    well = float(as_finite_array(well, "well", ndim=0))
    saddle = float(as_finite_array(saddle, "saddle", ndim=0))
    k_well, k_saddle = float(potential.curvature(well)), float(potential.curvature(saddle))
    if k_well <= 0:
        raise ValueError(f"well must be a minimum (L''(well) > 0), got L''({well:g}) = {k_well:g}")
    if k_saddle >= 0:
        raise ValueError(f"saddle must be a barrier top (L''(saddle) < 0), got L''({saddle:g}) = {k_saddle:g}")
    height = float(potential.loss(saddle) - potential.loss(well))
    return float(2 * np.pi / np.sqrt(k_well * -k_saddle) * np.exp(height / temperature))
