r"""The stationary cloud of SGD and its point on the converged-loss curve (chapter 3).

For a 2-D linear regression the picture has two panels. Left: the loss
contours, a cloud of SGD chains run long enough at learning rate :math:`\eta`
to be (nearly) stationary, and the ellipse
:math:`\{\delta : \delta^\top S^{-1}\delta = 4\}` of the exact stationary
second moment :math:`S` (:func:`~langevin_lib.sgd_stationary_covariance`).
Right: the exact excess loss :math:`L(\eta) - L^*`
(:func:`~langevin_lib.sgd_excess_loss`) against :math:`\eta`, its tangent
:math:`\eta\,\mathbb{E}\|g_i\|^2/4` at 0 (:func:`~langevin_lib.tz_slope`),
and, at the current rate, the exact value and the mean loss of the cloud.

As in :mod:`langevin_lib.sgd_widgets`, :func:`draw_stationary` and
:func:`update_stationary` are tested directly; :func:`interactive_stationary`
wraps them in a slider and :func:`stationary_animation` is the kernel-free
fallback.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import PIL.Image
from matplotlib.animation import FuncAnimation
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.lines import Line2D
from matplotlib.text import Text

from ._validation import as_count, as_scalar_learning_rate
from .plotting import COLORS, PATH_STYLES, plot_loss_contours
from .problems import LinearRegression
from .sgd import sgd
from .stationary import sgd_excess_loss, sgd_stability_bound, sgd_stationary_covariance, tz_slope

__all__ = [
    "StationaryPlot",
    "covariance_ellipse",
    "draw_stationary",
    "interactive_stationary",
    "stationary_animation",
    "stationary_cloud",
    "update_stationary",
]

#: Points on the drawn L(eta) curve and on each ellipse.
_CURVE_POINTS = 200


def stationary_cloud(
    problem: LinearRegression,
    lr: float,
    *,
    n_chains: int = 400,
    relaxation_times: float = 5.0,
    max_steps: int = 20_000,
    rng: int = 0,
) -> np.ndarray:
    r"""States of ``n_chains`` SGD chains (B = 1, with replacement) after they forget their start.

    Every chain starts at the minimiser and runs
    :math:`\lceil r/(\eta\lambda_{\min})\rceil` steps (at most ``max_steps``),
    :math:`r` = ``relaxation_times``: the second moment approaches its
    stationary value like :math:`(1-\eta\lambda_{\min})^{2k}`, so after
    :math:`r = 5` relaxation times it is within :math:`e^{-10}` of it.

    Returns
    -------
    ndarray, shape (n_chains, d)
    """
    lr = as_scalar_learning_rate(lr, "lr")
    lam_min = float(np.linalg.eigvalsh(problem.hessian())[0])
    n_steps = min(as_count(max_steps, "max_steps"), math.ceil(relaxation_times / (lr * lam_min)))
    run = sgd(problem, problem.minimizer(), lr, n_steps, n_chains=as_count(n_chains, "n_chains"), rng=rng)
    return run.final


def covariance_ellipse(center: np.ndarray, second_moment: np.ndarray, radius: float = 2.0) -> np.ndarray:
    r"""Points of the ellipse :math:`\{c + \delta : \delta^\top S^{-1}\delta = r^2\}`, shape ``(n, 2)``."""
    values, vectors = np.linalg.eigh(second_moment)
    angle = np.linspace(0.0, 2 * np.pi, _CURVE_POINTS)
    circle = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return center + radius * (circle * np.sqrt(np.maximum(values, 0.0))) @ vectors.T


@dataclass(frozen=True)
class StationaryPlot:
    """A drawn stationary-cloud figure and the artists an update changes.

    Attributes
    ----------
    problem : LinearRegression
        A 2-D problem.
    n_chains, seed : int
        Size and seed of the cloud (the same seed at every rate, so a rate always redraws the same cloud).
    cloud : PathCollection
        The chains in the left panel.
    ellipse : Line2D
        The exact second-moment ellipse (radius 2).
    exact_point, cloud_point : Line2D
        The exact :math:`L(\\eta) - L^*` and the cloud's mean excess loss in the right panel.
    rate_line : Line2D
        Vertical line at the current rate.
    title : Text
        Title of the left panel (states the rate).
    """

    problem: LinearRegression
    n_chains: int
    seed: int
    cloud: PathCollection
    ellipse: Line2D
    exact_point: Line2D
    cloud_point: Line2D
    rate_line: Line2D
    title: Text


def draw_stationary(
    axes: Sequence[Axes],
    problem: LinearRegression,
    lr: float,
    *,
    lr_max: float,
    n_chains: int = 400,
    rng: int = 0,
    legend: bool = True,
) -> StationaryPlot:
    r"""Draw the stationary cloud (``axes[0]``) and the :math:`L(\eta)` curve (``axes[1]``) at rate ``lr``.

    The window of the left panel is fixed by the largest rate ``lr_max`` (three
    times the semi-axes of the second-moment ellipse there), so the cloud is
    seen to grow like :math:`\sqrt\eta`. The curve runs from 0 to 97% of the
    stability bound, so its blow-up shows; the vertical axis stops at 1.5 times
    the excess loss at ``lr_max``.

    Parameters
    ----------
    axes : two matplotlib axes
    problem : LinearRegression
        With ``dim == 2``.
    lr : float
        Rate to show first (0 < lr < stability bound).
    lr_max : float
        Largest rate the figure will show (< stability bound).
    n_chains, rng : int
        Size and seed of the cloud.
    legend : bool
        Draw the legends.

    Returns
    -------
    StationaryPlot
    """
    if not isinstance(problem, LinearRegression) or problem.dim != 2:
        raise ValueError(f"problem must be a 2-D LinearRegression, got {problem!r}")
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
    plot = StationaryPlot(
        problem=problem,
        n_chains=as_count(n_chains, "n_chains"),
        seed=as_count(rng, "rng", minimum=0),
        cloud=cloud,
        ellipse=ellipse,
        exact_point=exact_point,
        cloud_point=cloud_point,
        rate_line=rate_line,
        title=title,
    )
    update_stationary(plot, lr)
    return plot


def update_stationary(plot: StationaryPlot, lr: float) -> np.ndarray:
    r"""Redraw the cloud, the ellipse and the two points for a new rate; returns the cloud ``(n_chains, 2)``."""
    lr = as_scalar_learning_rate(lr, "lr")
    problem = plot.problem
    cloud = stationary_cloud(problem, lr, n_chains=plot.n_chains, rng=plot.seed)
    plot.cloud.set_offsets(cloud)
    plot.ellipse.set_data(*covariance_ellipse(problem.minimizer(), sgd_stationary_covariance(problem, lr)).T)
    excess = sgd_excess_loss(problem, lr)
    measured = float(np.mean(problem.loss(cloud)) - problem.loss(problem.minimizer()))
    plot.exact_point.set_data([lr], [excess])
    plot.cloud_point.set_data([lr], [measured])
    plot.rate_line.set_xdata([lr, lr])
    plot.title.set_text(rf"$\eta = {lr:.3g}$: $L(\eta) - L^* = {excess:.3g}$ (cloud: {measured:.3g})")
    return cloud


def interactive_stationary(
    problem: LinearRegression,
    lrs: Sequence[float],
    *,
    n_chains: int = 400,
    rng: int = 0,
    figsize: tuple[float, float] = (9.0, 4.0),
    dpi: int = 80,
) -> ipywidgets.VBox:
    """A learning-rate slider that redraws the stationary cloud and its point on :math:`L(\\eta)`.

    Each move reruns the cloud (:func:`update_stationary`, well under 0.2 s for
    the default sizes) and renders the figure with Agg into an ``Image``
    widget, so no interactive matplotlib backend is needed.

    Returns
    -------
    ipywidgets.VBox
        The slider and the image.
    """
    values = sorted({as_scalar_learning_rate(v, "lrs") for v in lrs})
    if not values:
        raise ValueError("lrs must hold at least one learning rate")
    fig, axes = plt.subplots(1, 2, figsize=figsize, dpi=as_count(dpi, "dpi"))
    plt.close(fig)  # shown through the Image widget only
    plot = draw_stationary(axes, problem, values[len(values) // 2], lr_max=values[-1], n_chains=n_chains, rng=rng)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    fig.set_layout_engine("none")  # nothing but data changes with the rate: solve the layout once

    def render() -> bytes:
        canvas.draw()
        buffer = io.BytesIO()
        PIL.Image.fromarray(np.asarray(canvas.buffer_rgba())).save(buffer, format="png")
        return buffer.getvalue()

    slider = ipywidgets.SelectionSlider(
        options=[(f"{v:.3g}", v) for v in values],
        value=values[len(values) // 2],
        description="learning rate η",
        style={"description_width": "initial"},
        layout=ipywidgets.Layout(width="36em"),
    )
    image = ipywidgets.Image(value=render(), format="png")

    def on_change(_: dict) -> None:
        update_stationary(plot, slider.value)
        image.value = render()

    slider.observe(on_change, names="value")
    return ipywidgets.VBox([slider, image])


def stationary_animation(
    problem: LinearRegression,
    lrs: Sequence[float],
    *,
    n_chains: int = 400,
    rng: int = 0,
    figsize: tuple[float, float] = (8.0, 3.6),
    dpi: int = 80,
    interval_ms: int = 900,
) -> FuncAnimation:
    """The figure of :func:`interactive_stationary` as an animation over ``lrs`` (the kernel-free fallback).

    Render it with :func:`~langevin_lib.plotting.animation_html`.
    """
    frames = [as_scalar_learning_rate(v, "lrs") for v in lrs]
    if not frames:
        raise ValueError("lrs must hold at least one learning rate")
    fig, axes = plt.subplots(1, 2, figsize=figsize, dpi=as_count(dpi, "dpi"))
    plt.close(fig)
    plot = draw_stationary(axes, problem, frames[0], lr_max=max(frames), n_chains=n_chains, rng=rng)

    def frame(lr: float) -> list:
        update_stationary(plot, lr)
        return [plot.cloud, plot.ellipse, plot.exact_point, plot.cloud_point, plot.rate_line, plot.title]

    return FuncAnimation(fig, frame, frames=frames, interval=as_count(interval_ms, "interval_ms"), repeat=True)
