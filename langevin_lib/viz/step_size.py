"""Chapter 1's figure: gradient descent at a learning rate against the gradient flow, on the loss contours.

:func:`draw_step_size` draws it, :func:`update_step_size` redraws it for a new
rate; :func:`~langevin_lib.viz.driver.interactive` turns the pair into a slider and
:func:`~langevin_lib.viz.driver.animate` into the kernel-free animation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from .._validation import as_finite_array, as_positive_scalar, as_scalar_learning_rate, check_dim
from ..dynamics import gradient_descent, gradient_flow, steps_to_reach
from ..problems import QuadraticProblem
from .driver import FigureState, new_figure
from .style import FLOW_POINTS, plot_loss_contours, plot_path

__all__ = ["StepSizeFigure", "draw_step_size", "update_step_size"]


@dataclass(frozen=True)
class StepSizeFigure(FigureState):
    """A drawn step-size figure and the artists :func:`update_step_size` changes.

    Attributes
    ----------
    problem, phi0, t_max
        The arguments of :func:`draw_step_size` of the same names, checked.
    gd_path : matplotlib.lines.Line2D
        The gradient-descent iterates.
    flow_path : matplotlib.lines.Line2D
        The exact gradient-flow curve (drawn once).
    title : matplotlib.text.Text
        The axes title, which states the learning rate.
    """

    problem: QuadraticProblem
    phi0: np.ndarray
    t_max: float
    gd_path: Line2D
    flow_path: Line2D


def draw_step_size(
    problem: QuadraticProblem,
    phi0: np.ndarray,
    lr: float,
    t_max: float,
    *,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    ax: Axes | None = None,
    figsize: tuple[float, float] = (6.0, 4.6),
) -> StepSizeFigure:
    r"""Draw gradient descent at learning rate ``lr`` against the gradient flow, on the loss contours.

    The picture of chapter 1: explicit Euler steps
    :math:`\phi_{k+1} = \phi_k - \eta\, g(\phi_k)` (dots) for
    :math:`\lceil t_{\max}/\eta\rceil` steps against the exact solution of
    :math:`\dot\Phi = -g(\Phi)` (solid curve) for :math:`0 \le t \le t_{\max}`.

    Parameters
    ----------
    problem : QuadraticProblem
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
    ax : matplotlib.axes.Axes, optional
        Empty axes to draw on; by default a new (closed) figure of size ``figsize``.
    figsize : (float, float)
        Size of the new figure in inches.

    Returns
    -------
    StepSizeFigure
    """
    phi0 = as_finite_array(phi0, "phi0", ndim=1)
    check_dim(phi0, problem.dim, "phi0")
    t_max = as_positive_scalar(t_max, "t_max")
    if ax is None:
        ax = new_figure(figsize=figsize)[1]
    plot_loss_contours(ax, problem, xlim, ylim)
    flow = gradient_flow(problem, phi0, np.linspace(0.0, t_max, FLOW_POINTS))
    flow_line = plot_path(ax, flow, "flow", label="gradient flow")
    gd_line = plot_path(ax, phi0[None], "gd", label="gradient descent")
    plot = StepSizeFigure(
        title=ax.set_title(" "), problem=problem, phi0=phi0, t_max=t_max, gd_path=gd_line, flow_path=flow_line
    )
    ax.legend(loc="lower left")
    update_step_size(plot, lr)
    return plot


def update_step_size(plot: StepSizeFigure, lr: float) -> np.ndarray:
    r"""Redraw only the gradient-descent path (and title) for a new learning rate.

    The contours and the flow do not depend on the learning rate, so leaving
    them alone keeps a slider update cheap.

    Returns
    -------
    ndarray, shape (n_steps + 1, 2)
        The iterates drawn.

    Raises
    ------
    DivergenceError
        If an iterate overflows (far above the stability bound :math:`2/\lambda_{\max}`).
    """
    lr = as_scalar_learning_rate(lr)
    path = gradient_descent(plot.problem, plot.phi0, lr, steps_to_reach(plot.t_max, lr)).phi[:, 0, :]
    plot.gd_path.set_data(path[:, 0], path[:, 1])
    lam_max = float(np.linalg.eigvalsh(plot.problem.hessian())[-1])
    plot.title.set_text(rf"$\eta = {lr:.3f}$,  $\eta\,\lambda_{{\max}} = {lr * lam_max:.2f}$  (stable below 2)")
    return path
