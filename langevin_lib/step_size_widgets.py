"""Interactive figures of the course, each built from a tested drawing function.

Every widget here is a thin shell around a pure drawing function
(``draw_...``) and an update function (``update_...``) that the tests
exercise directly; the same pair also renders the kernel-free animation that
the static book shows in place of the widget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display
from matplotlib.animation import FuncAnimation
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.text import Text

from ._validation import as_count, as_finite_array, as_learning_rate, as_positive_array, check_dim
from .flow import gradient_descent, gradient_flow
from .plotting import plot_loss_contours, plot_path
from .problems import Problem

__all__ = [
    "StepSizeArtists",
    "draw_step_size_comparison",
    "gd_path_until",
    "interactive_step_size",
    "step_size_animation",
    "update_step_size",
]

#: Points on the drawn gradient-flow curve: enough for a smooth curve at any zoom of a book page.
_FLOW_POINTS = 400


@dataclass(frozen=True)
class StepSizeArtists:
    """Handles of the step-size figure that :func:`update_step_size` changes.

    Attributes
    ----------
    gd_path : matplotlib.lines.Line2D
        The gradient-descent iterates.
    flow_path : matplotlib.lines.Line2D
        The exact gradient-flow curve (drawn once).
    title : matplotlib.text.Text
        The axes title, which states the learning rate.
    """

    gd_path: Line2D
    flow_path: Line2D
    title: Text


def gd_path_until(problem: Problem, phi0: np.ndarray, lr: float, t_max: float) -> np.ndarray:
    r"""Gradient-descent iterates from ``phi0`` up to model time ``t_max``.

    Runs :func:`~langevin_lib.gradient_descent` for
    :math:`\lceil t_{\max}/\eta \rceil` steps, so the last iterate sits at
    time :math:`t = k\eta \ge t_{\max}` (time = sum of learning rates,
    chapter 1) and paths at different learning rates cover the same stretch
    of the gradient flow.

    Parameters
    ----------
    problem : Problem
        The training problem.
    phi0 : array_like, shape (d,)
        Initial point.
    lr : float
        Learning rate (> 0).
    t_max : float
        Model time to reach (> 0).

    Returns
    -------
    ndarray, shape (n_steps + 1, d)
        The iterates :math:`\phi_0, \dots, \phi_{n}`.

    Raises
    ------
    DivergenceError
        If an iterate overflows (far above the stability bound :math:`2/\lambda_{\max}`).
    """
    lr = float(as_learning_rate(lr))
    t_max = float(as_positive_array(t_max, "t_max"))
    # The small tolerance keeps t_max/lr = 40.000000000000001 from costing an extra step.
    n_steps = max(1, int(np.ceil(t_max / lr - 1e-9)))
    return gradient_descent(problem, phi0, lr, n_steps).phi[:, 0, :]


def draw_step_size_comparison(
    ax: Axes,
    problem: Problem,
    phi0: np.ndarray,
    lr: float,
    t_max: float,
    *,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
) -> StepSizeArtists:
    r"""Draw gradient descent at learning rate ``lr`` against the gradient flow, on the loss contours.

    The picture of chapter 1: explicit Euler steps
    :math:`\phi_{k+1} = \phi_k - \eta\, g(\phi_k)` (dots) against the exact
    solution of :math:`\dot\Phi = -g(\Phi)` (solid curve) for
    :math:`0 \le t \le t_{\max}`.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Empty axes to draw on.
    problem : Problem
        A 2-D problem with ``hessian()`` (e.g. :class:`~langevin_lib.LinearRegression`);
        its largest curvature :math:`\lambda_{\max}` is quoted in the title.
    phi0 : array_like, shape (2,)
        Initial point of both paths.
    lr : float
        Learning rate of gradient descent (> 0).
    t_max : float
        Model time covered by both paths (> 0).
    xlim, ylim : (float, float)
        The window.

    Returns
    -------
    StepSizeArtists
        Handles for :func:`update_step_size`.
    """
    phi0 = as_finite_array(phi0, "phi0", ndim=1)
    check_dim(phi0, problem.dim, "phi0")
    t_max = float(as_positive_array(t_max, "t_max"))
    plot_loss_contours(ax, problem, xlim, ylim)
    flow = gradient_flow(problem, phi0, np.linspace(0.0, t_max, _FLOW_POINTS))
    flow_line = plot_path(ax, flow, "flow", label="gradient flow")
    gd_line = plot_path(ax, gd_path_until(problem, phi0, lr, t_max), "gd", label="gradient descent")
    title = ax.set_title(_step_size_title(problem, float(as_learning_rate(lr))))
    ax.legend(loc="lower left")
    return StepSizeArtists(gd_path=gd_line, flow_path=flow_line, title=title)


def update_step_size(artists: StepSizeArtists, problem: Problem, phi0: np.ndarray, lr: float, t_max: float) -> None:
    """Redraw only the gradient-descent path (and title) of a figure from :func:`draw_step_size_comparison`.

    The contours and the flow do not depend on the learning rate, so leaving
    them alone keeps a slider update cheap.

    Parameters
    ----------
    artists : StepSizeArtists
        What :func:`draw_step_size_comparison` returned.
    problem, phi0, t_max
        As given to :func:`draw_step_size_comparison`.
    lr : float
        The new learning rate (> 0).
    """
    path = gd_path_until(problem, phi0, lr, t_max)
    artists.gd_path.set_data(path[:, 0], path[:, 1])
    artists.title.set_text(_step_size_title(problem, float(lr)))


def interactive_step_size(
    problem: Problem,
    phi0: np.ndarray,
    t_max: float,
    *,
    lr_range: tuple[float, float],
    lr: float,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    ax: Axes | None = None,
) -> ipywidgets.VBox:
    """A learning-rate slider that redraws gradient descent against the gradient flow (chapter 1).

    Works with the default inline backend: the figure is re-rendered into an
    ``Output`` widget at each slider move (about 0.1 s), so no interactive
    matplotlib backend is needed in Jupyter, Colab or Binder.

    Parameters
    ----------
    problem, phi0, t_max, xlim, ylim
        As for :func:`draw_step_size_comparison`.
    lr_range : (float, float)
        Slider range ``(low, high)``, ``0 < low < high``.
    lr : float
        Initial learning rate, inside ``lr_range``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new figure is made (and closed, so that
        only the widget shows it).

    Returns
    -------
    ipywidgets.VBox
        Children: the ``FloatSlider`` and the ``Output`` showing the figure.
    """
    bounds = as_learning_rate(lr_range, "lr_range")
    if bounds.shape != (2,) or not bounds[0] < bounds[1]:
        raise ValueError(f"lr_range must be (low, high) with 0 < low < high, got {lr_range!r}")
    lr_low, lr_high = float(bounds[0]), float(bounds[1])
    if not lr_low <= float(as_learning_rate(lr)) <= lr_high:
        raise ValueError(f"lr must lie in lr_range {lr_range!r}, got {lr!r}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.0, 4.6))
        # Closed figures can still be displayed; closing keeps the inline
        # backend from showing a second, static copy below the widget.
        plt.close(fig)
    artists = draw_step_size_comparison(ax, problem, phi0, lr, t_max, xlim=xlim, ylim=ylim)
    slider = ipywidgets.FloatSlider(
        value=lr,
        min=lr_low,
        max=lr_high,
        step=(lr_high - lr_low) / 200,
        description="learning rate η",
        readout_format=".3f",
        style={"description_width": "initial"},
        layout=ipywidgets.Layout(width="32em"),
    )
    output = ipywidgets.Output()

    def show() -> None:
        with output:
            output.clear_output(wait=True)
            display(ax.figure)

    def on_change(change: dict) -> None:
        update_step_size(artists, problem, phi0, change["new"], t_max)
        show()

    slider.observe(on_change, names="value")
    show()
    return ipywidgets.VBox([slider, output])


def step_size_animation(
    problem: Problem,
    phi0: np.ndarray,
    lrs: Sequence[float],
    t_max: float,
    *,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    dpi: int = 80,
    interval_ms: int = 900,
) -> FuncAnimation:
    """The step-size figure as an animation over ``lrs``: the widget's kernel-free fallback.

    One frame per learning rate, drawn with :func:`draw_step_size_comparison`
    and :func:`update_step_size`; render it with
    :func:`~langevin_lib.plotting.animation_html`.

    Parameters
    ----------
    problem, phi0, t_max, xlim, ylim
        As for :func:`draw_step_size_comparison`.
    lrs : sequence of float
        The learning rates, one frame each (each > 0).
    dpi : int
        Resolution of the frames; every frame is embedded as a PNG, so a
        low dpi keeps the book page light.
    interval_ms : int
        Delay between frames in milliseconds.

    Returns
    -------
    matplotlib.animation.FuncAnimation
    """
    lrs = as_learning_rate(lrs, "lrs")
    if lrs.ndim != 1 or lrs.size < 1:
        raise ValueError(f"lrs must be a non-empty 1-D sequence of learning rates, got shape {lrs.shape}")
    dpi = as_count(dpi, "dpi")
    interval_ms = as_count(interval_ms, "interval_ms")
    fig, ax = plt.subplots(figsize=(5.6, 4.3), dpi=dpi)
    plt.close(fig)  # shown through the animation's HTML, not as a static figure
    artists = draw_step_size_comparison(ax, problem, phi0, lrs[0], t_max, xlim=xlim, ylim=ylim)

    def frame(lr: float) -> list:
        update_step_size(artists, problem, phi0, lr, t_max)
        return [artists.gd_path, artists.title]

    return FuncAnimation(fig, frame, frames=list(lrs), interval=interval_ms, repeat=True)


def _step_size_title(problem: Problem, lr: float) -> str:
    lam_max = float(np.linalg.eigvalsh(problem.hessian())[-1])
    return rf"$\eta = {lr:.3f}$,  $\eta\,\lambda_{{\max}} = {lr * lam_max:.2f}$  (stable below 2)"
