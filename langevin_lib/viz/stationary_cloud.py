r"""Chapter 3's figure: the stationary cloud of SGD and its point on the converged-loss curve.

For a 2-D linear regression the picture has two panels. Left: the loss
contours, a cloud of stationary SGD chains at learning rate :math:`\eta`
(:func:`~langevin_lib.stationary_samples`), and the ellipse
:math:`\{\delta : \delta^\top S^{-1}\delta = 4\}` of the exact stationary
second moment :math:`S` (:func:`~langevin_lib.sgd_stationary_covariance`).
Right: the exact excess loss :math:`L(\eta) - L^*`
(:func:`~langevin_lib.sgd_excess_loss`) against :math:`\eta`, its tangent
:math:`\eta\,\mathbb{E}\|g_i\|^2/4` at 0 (:func:`~langevin_lib.tz_slope`),
and, at the current rate, the exact value and the mean loss of the cloud.
:func:`draw_stationary_cloud` draws it, :func:`update_stationary_cloud` redraws
it for a new rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from .._validation import as_count, as_scalar_learning_rate, as_seed
from ..problems import LeastSquaresProblem
from ..theory import sgd_excess_loss, sgd_stability_bound, sgd_stationary_covariance, tz_slope
from .cloud import CloudFigure
from .driver import new_figure
from .style import COLORS, PATH_STYLES, ellipse_points, plot_loss_contours

__all__ = ["StationaryCloudFigure", "draw_stationary_cloud", "update_stationary_cloud"]

#: Points on the drawn L(eta) curve.
_CURVE_POINTS = 200


@dataclass(frozen=True)
class StationaryCloudFigure(CloudFigure):
    """A drawn stationary-cloud figure and the artists an update changes.

    The cloud (a scatter in the left panel) runs five relaxation times, its
    second moment within :math:`e^{-10}` of its limit, in at most 20 000 steps.

    Attributes
    ----------
    problem : LeastSquaresProblem
        A 2-D problem.
    ellipse : Line2D
        The exact second-moment ellipse (radius 2).
    exact_point, cloud_point : Line2D
        The exact :math:`L(\\eta) - L^*` and the cloud's mean excess loss in the right panel.
    rate_line : Line2D
        Vertical line at the current rate.
    title : Text
        Title of the left panel (states the rate).
    """

    problem: LeastSquaresProblem
    ellipse: Line2D
    exact_point: Line2D
    cloud_point: Line2D
    rate_line: Line2D

    relaxation_times: ClassVar[float] = 5.0
    max_steps: ClassVar[int | None] = 20_000


def draw_stationary_cloud(
    problem: LeastSquaresProblem,
    lr: float,
    *,
    lr_max: float,
    n_chains: int = 400,
    rng: np.random.Generator | int | None = 0,
    legend: bool = True,
    axes: Sequence[Axes] | None = None,
    figsize: tuple[float, float] = (9.0, 4.0),
) -> StationaryCloudFigure:
    r"""Draw the stationary cloud (``axes[0]``) and the :math:`L(\eta)` curve (``axes[1]``) at rate ``lr``.

    The window of the left panel is fixed by the largest rate ``lr_max`` (three
    times the semi-axes of the second-moment ellipse there), so the cloud is
    seen to grow like :math:`\sqrt\eta`. The curve runs from 0 to 97% of the
    stability bound, so its blow-up shows; the vertical axis stops at 1.5 times
    the excess loss at ``lr_max``.

    Parameters
    ----------
    problem : LeastSquaresProblem
        With ``dim == 2`` (e.g. a :class:`~langevin_lib.LinearRegression`).
    lr : float
        Rate to show first (0 < lr < stability bound).
    lr_max : float
        Largest rate the figure will show (< stability bound).
    n_chains : int
        Size of the cloud.
    rng : numpy.random.Generator, int or None
        Seed of the cloud (the same at every rate, so a rate always redraws the same cloud).
    legend : bool
        Draw the legends.
    axes : two matplotlib axes, optional
        The cloud panel and the curve panel; by default a new (closed) figure of size ``figsize``.
    figsize : (float, float)
        Size of the new figure in inches.

    Returns
    -------
    StationaryCloudFigure
    """
    if not isinstance(problem, LeastSquaresProblem) or problem.dim != 2:
        raise ValueError(f"problem must be a 2-D LeastSquaresProblem (e.g. LinearRegression), got {problem!r}")
    if axes is None:
        axes = new_figure(1, 2, figsize=figsize)[1]
    if len(axes) != 2:
        raise ValueError(f"axes must hold two axes (cloud, curve), got {len(axes)}")
    bound = sgd_stability_bound(problem)
    lr_max = as_scalar_learning_rate(lr_max, "lr_max")
    if lr_max >= bound:
        raise ValueError(f"lr_max must be below the stability bound {bound:.6g}, got {lr_max:.6g}")
    ax_cloud, ax_curve = axes
    center = problem.minimizer()
    half = 3 * np.sqrt(np.linalg.eigvalsh(sgd_stationary_covariance(problem, lr_max)).max())
    plot_loss_contours(ax_cloud, problem, (center[0] - half, center[0] + half), (center[1] - half, center[1] + half))
    cloud = ax_cloud.scatter([], [], s=5, color=COLORS["sgd"], alpha=0.6, label="SGD chains", zorder=3)
    (ellipse,) = ax_cloud.plot([], [], color=COLORS["theory"], linewidth=1.4, label="exact $S$, radius 2", zorder=5)
    if legend:
        ax_cloud.legend(loc="upper right", fontsize=8)

    rates = np.linspace(0.0, 0.97 * bound, _CURVE_POINTS)[1:]
    excess = np.array([sgd_excess_loss(problem, r) for r in rates])
    slope = tz_slope(problem)
    top = 1.5 * sgd_excess_loss(problem, lr_max)
    ax_curve.plot(rates, excess, color=COLORS["flow"], label=r"exact $L(\eta) - L^*$")
    ax_curve.plot([0.0, bound], [0.0, slope * bound], **PATH_STYLES["theory"], label=r"TZ tangent $\eta\,E\|g_i\|^2/4$")
    ax_curve.axvline(bound, color=COLORS["gd"], linewidth=1.0, linestyle=":", label="stability bound")
    rate_line = ax_curve.axvline(lr, color="0.5", linewidth=0.8)
    (exact_point,) = ax_curve.plot([], [], "o", color=COLORS["flow"], markersize=7, zorder=6)
    (cloud_point,) = ax_curve.plot([], [], "x", color=COLORS["sgd"], markersize=9, mew=2, label="mean of the cloud")
    ax_curve.set(xlim=(0.0, 1.05 * bound), ylim=(0.0, top), xlabel=r"learning rate $\eta$", ylabel=r"$L(\eta) - L^*$")
    if legend:
        ax_curve.legend(loc="upper left", fontsize=8)
    title = ax_cloud.set_title(" ")
    plot = StationaryCloudFigure(
        problem=problem,
        n_chains=as_count(n_chains, "n_chains"),
        seed=as_seed(rng),
        cloud=cloud,
        ellipse=ellipse,
        exact_point=exact_point,
        cloud_point=cloud_point,
        rate_line=rate_line,
        title=title,
    )
    update_stationary_cloud(plot, lr)
    return plot


def update_stationary_cloud(plot: StationaryCloudFigure, lr: float) -> np.ndarray:
    r"""Redraw the cloud, the ellipse and the two points for a new rate; returns the cloud ``(n_chains, 2)``."""
    lr = as_scalar_learning_rate(lr, "lr")
    problem = plot.problem
    cloud = plot.sample_cloud(problem, lr)
    plot.cloud.set_offsets(cloud)
    plot.ellipse.set_data(*ellipse_points(sgd_stationary_covariance(problem, lr), 2.0, problem.minimizer()).T)
    excess = sgd_excess_loss(problem, lr)
    measured = float(np.mean(problem.loss(cloud)) - problem.loss(problem.minimizer()))
    plot.exact_point.set_data([lr], [excess])
    plot.cloud_point.set_data([lr], [measured])
    plot.rate_line.set_xdata([lr, lr])
    plot.title.set_text(rf"$\eta = {lr:.3g}$: $L(\eta) - L^* = {excess:.3g}$ (cloud: {measured:.3g})")
    return cloud
