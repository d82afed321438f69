r"""Chapter 6's figure: per-coordinate learning rates :math:`\eta_k = \eta'/\sigma_k^p` and the temperatures they set.

On the separable quadratic :math:`L = \sum_k \frac{h_k}2\phi_k^2` with
gradient noise of standard deviation :math:`\sigma_k` in coordinate :math:`k`
(:class:`~langevin_lib.Quadratic`), SGD with rates

.. math::

    \eta_k = \frac{\eta'}{\sigma_k^{p}} \quad\Longrightarrow\quad
    T_k = \frac{\eta_k\sigma_k^2}{2} = \frac{\eta'\,\sigma_k^{2-p}}{2}

(Langevin temperature, chapter 5): :math:`p = 0` is plain SGD
(:math:`T \propto \sigma^2`), :math:`p = 1` RMSProp's choice
(:math:`T \propto \sigma`), :math:`p = 2` the inverse-variance rule (one
temperature, a Gibbs distribution). The figure shows the stationary cloud of
SGD with the exact discrete prediction, and the measured temperatures
:math:`h_k\,\mathrm{Var}(\phi_k)` against :math:`T_k`. :func:`draw_preconditioning`
draws it and :func:`update_preconditioning` redraws it for a new :math:`(\eta', p)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.lines import Line2D

from .._validation import as_count, as_finite_array, as_positive_array, as_seed
from ..dynamics import preconditioned_rates
from ..problems import Quadratic
from ..theory import langevin_temperature, quadratic_sgd_variance
from .cloud import CloudFigure
from .driver import new_figure
from .style import COLORS, ellipse_points

__all__ = ["PreconditioningFigure", "draw_preconditioning", "update_preconditioning"]


@dataclass(frozen=True)
class PreconditioningFigure(CloudFigure):
    """Handles of a drawn preconditioning figure, for :func:`update_preconditioning`.

    The cloud (markers of a ``Line2D``) runs six relaxation times
    :math:`1/(\\eta_k h_k)`, its variance within a factor :math:`1 - e^{-12}` of
    its limit, in at most 4000 steps (a slider update stays under 0.2 s).

    Attributes
    ----------
    h, sigma : ndarray, shape (2,)
        The quadratic.
    ellipse : Line2D
        The exact stationary 2-standard-deviation ellipse.
    measured : BarContainer
        Bars of :math:`h_k\\mathrm{Var}(\\phi_k)`, one per coordinate.
    predicted : Line2D
        Markers at :math:`T_k = \\eta_k\\sigma_k^2/2`.
    title : Text
        States :math:`\\eta'`, :math:`p` and the rates.
    """

    h: np.ndarray
    sigma: np.ndarray
    ellipse: Line2D
    measured: BarContainer
    predicted: Line2D

    max_steps: ClassVar[int | None] = 4000


def draw_preconditioning(
    h: np.ndarray,
    sigma: np.ndarray,
    lr_prime: float,
    p: float,
    *,
    lr_range: tuple[float, float],
    p_range: tuple[float, float],
    n_chains: int = 400,
    rng: np.random.Generator | int | None = 0,
    axes: Sequence[Axes] | None = None,
    figsize: tuple[float, float] = (8.4, 4.0),
) -> PreconditioningFigure:
    r"""Draw the stationary cloud (left) and the per-coordinate temperatures (right).

    The window (cloud extent, temperature axis) holds every setting of
    ``lr_range`` x ``p_range``, so that settings can be compared.

    Parameters
    ----------
    h, sigma : array_like, shape (2,)
        Curvatures and noise levels of the 2-D quadratic.
    lr_prime, p : float
        The rates :math:`\eta'/\sigma_k^p`.
    lr_range, p_range : (float, float)
        The settings the figure will show, ``(low, high)`` with ``low <= high``
        (equal ends for one value).
    n_chains : int
        Points in the cloud.
    rng : numpy.random.Generator, int or None
        Seed of the SGD runs (a setting always redraws the same cloud).
    axes : two matplotlib Axes, optional
        Empty axes for the cloud and for the temperature bars; by default a
        new (closed) figure of size ``figsize``.
    figsize : (float, float)
        Size of the new figure in inches.
    """
    h = as_positive_array(h, "h")
    sigma = as_positive_array(sigma, "sigma")
    if h.shape != (2,) or sigma.shape != (2,):
        raise ValueError(f"h and sigma must have shape (2,), got {h.shape} and {sigma.shape}")
    lr_range, p_range = _range(lr_range, "lr_range", positive=True), _range(p_range, "p_range")
    if not (lr_range[0] <= lr_prime <= lr_range[1] and p_range[0] <= p <= p_range[1]):
        raise ValueError(f"lr_prime={lr_prime!r} and p={p!r} must lie in lr_range {lr_range} and p_range {p_range}")
    extent, (t_low, t_high) = _window(h, sigma, lr_range, p_range)
    n_chains = as_count(n_chains, "n_chains", minimum=2)
    seed = as_seed(rng)
    if axes is None:
        axes = new_figure(1, 2, figsize=figsize, width_ratios=[1.15, 1])[1]
    if len(axes) != 2:
        raise ValueError(f"axes must hold two axes (cloud, temperatures), got {len(axes)}")
    ax_cloud, ax_temp = axes
    (cloud,) = ax_cloud.plot([], [], "o", markersize=2.2, alpha=0.5, color=COLORS["sgd"], label="SGD, stationary")
    (ellipse,) = ax_cloud.plot([], [], color=COLORS["theory"], linestyle="--", linewidth=1.3, label="exact, 2 s.d.")
    ax_cloud.set(xlim=(-extent, extent), ylim=(-extent, extent), aspect="equal")
    ax_cloud.set(xlabel=rf"$\phi_1$  ($\sigma_1 = {sigma[0]:g}$)", ylabel=rf"$\phi_2$  ($\sigma_2 = {sigma[1]:g}$)")
    ax_cloud.legend(loc="upper right", fontsize=8)
    positions = np.arange(2)
    measured = ax_temp.bar(positions, [t_low, t_low], width=0.55, color=COLORS["rmsprop"], label=r"measured $h_k\,$Var")
    (predicted,) = ax_temp.plot(
        *_segments(np.array([t_low, t_low])), color=COLORS["theory"], linewidth=2.5, label=r"$T_k = \eta_k\sigma_k^2/2$"
    )
    ax_temp.set(yscale="log", ylim=(t_low, t_high), ylabel="temperature $T_k$")
    ax_temp.set_xticks(positions, [rf"$\sigma_{k + 1} = {s:g}$" for k, s in enumerate(sigma)])
    ax_temp.legend(loc="upper left", fontsize=8)
    title = ax_cloud.figure.suptitle("")
    plot = PreconditioningFigure(
        title=title,
        h=h,
        sigma=sigma,
        n_chains=n_chains,
        seed=seed,
        cloud=cloud,
        ellipse=ellipse,
        measured=measured,
        predicted=predicted,
    )
    update_preconditioning(plot, lr_prime, p)
    return plot


def update_preconditioning(plot: PreconditioningFigure, lr_prime: float, p: float) -> np.ndarray:
    """Redraw the cloud, the ellipse, the bars and the title for new ``lr_prime`` and ``p``.

    Returns the measured temperatures :math:`h_k\\mathrm{Var}(\\phi_k)`, shape (2,).
    """
    rates = preconditioned_rates(plot.sigma, lr_prime, p)
    samples = plot.sample_cloud(Quadratic(plot.h, plot.sigma), rates)
    measured = plot.h * samples.var(axis=0)
    plot.cloud.set_data(samples[:, 0], samples[:, 1])
    plot.ellipse.set_data(*ellipse_points(np.diag(quadratic_sgd_variance(plot.h, plot.sigma**2, rates)), 2.0).T)
    for bar, value in zip(plot.measured, measured, strict=True):
        bar.set_height(value)
    plot.predicted.set_data(*_segments(langevin_temperature(rates, plot.sigma**2)))
    plot.title.set_text(
        rf"$\eta_k = \eta'/\sigma_k^{{p}}$ with $\eta' = {lr_prime:.3g}$, $p = {p:.2f}$:  "
        rf"$T_2/T_1 = {measured[1] / measured[0]:.3g}$ (Langevin: ${(plot.sigma[1] / plot.sigma[0]) ** (2 - p):.3g}$)"
    )
    return measured


def _segments(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y of short horizontal segments at height ``values[k]`` over bar ``k`` (NaN-separated, one Line2D)."""
    x = np.ravel([[k - 0.3, k + 0.3, np.nan] for k in range(len(values))])
    y = np.ravel([[v, v, np.nan] for v in values])
    return x, y


def _window(h: np.ndarray, sigma: np.ndarray, lr_range: tuple[float, float], p_range: tuple[float, float]):
    """Cloud extent and temperature limits that hold every setting of the sliders."""
    corners = [(lr, p) for lr in lr_range for p in p_range]
    temps = np.array([langevin_temperature(preconditioned_rates(sigma, lr, p), sigma**2) for lr, p in corners])
    extent = 2.3 * float(np.sqrt(np.max(temps / h) * 1.5))  # 1.5: room for the discrete correction
    return extent, (float(temps.min()) / 2, float(temps.max()) * 3)


def _range(bounds: tuple[float, float], name: str, *, positive: bool = False) -> tuple[float, float]:
    """``(low, high)`` with ``low <= high`` (finite; both > 0 when ``positive``)."""
    arr = as_positive_array(bounds, name) if positive else as_finite_array(bounds, name, ndim=1)
    if arr.shape != (2,) or not arr[0] <= arr[1]:
        raise ValueError(f"{name} must be (low, high) with low <= high, got {bounds!r}")
    return float(arr[0]), float(arr[1])
