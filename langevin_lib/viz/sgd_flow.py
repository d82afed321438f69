"""Chapter 2's figure: SGD chains against gradient flow, coordinate by coordinate.

The picture: a few SGD chains
:math:`\\phi_{k+1} = \\phi_k - \\eta\\,\\hat g_k(\\phi_k)` with minibatches of
:math:`B` examples drawn with replacement, plotted coordinate by coordinate
against model time :math:`t_k = k\\eta`, over the exact gradient-flow path
:math:`\\Phi(t)` from the same start. As :math:`\\eta/B \\to 0` the chains
close in on the flow. :func:`draw_sgd_vs_flow` draws it and
:func:`update_sgd_vs_flow` redraws it for a new :math:`(\\eta, B)`; the driver
(:func:`~langevin_lib.viz.driver.interactive`, :func:`~langevin_lib.viz.driver.animate`) does the rest.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from .._validation import (
    as_count,
    as_finite_array,
    as_interval,
    as_positive_scalar,
    as_scalar_learning_rate,
    as_seed,
    check_dim,
)
from ..dynamics import Trajectory, gradient_flow, sgd, steps_to_reach
from ..problems import Problem
from .driver import FigureState, new_figure
from .style import FLOW_POINTS, PATH_STYLES

__all__ = ["SGDFlowFigure", "draw_sgd_vs_flow", "update_sgd_vs_flow"]


@dataclass(frozen=True)
class SGDFlowFigure(FigureState):
    """A drawn SGD-against-flow figure: what it shows and the lines an update changes.

    Attributes
    ----------
    problem, phi0, t_max, coords, n_chains, max_points
        The arguments of :func:`draw_sgd_vs_flow` of the same names, checked.
    seed : int
        Seed of every SGD run, so that a setting always redraws the same paths.
    sgd_lines : tuple of tuple of Line2D
        ``sgd_lines[p][c]`` is chain ``c`` in panel ``p``.
    flow_lines : tuple of Line2D
        The gradient-flow curve in each panel (drawn once, never updated).
    title : matplotlib.text.Text
        The title of the first panel, which states the learning rate and batch size.
    """

    problem: Problem
    phi0: np.ndarray
    t_max: float
    coords: tuple[int, ...]
    n_chains: int
    seed: int
    max_points: int
    sgd_lines: tuple[tuple[Line2D, ...], ...]
    flow_lines: tuple[Line2D, ...]


def draw_sgd_vs_flow(
    problem: Problem,
    phi0: np.ndarray,
    lr: float,
    t_max: float,
    *,
    coords: Sequence[int],
    labels: Sequence[str] | None = None,
    batch_size: int = 1,
    n_chains: int = 3,
    rng: np.random.Generator | int | None = 0,
    ylim: tuple[float, float] | None = None,
    max_points: int = 500,
    legend: bool = True,
    axes: Sequence[Axes] | None = None,
    figsize: tuple[float, float] = (6.0, 4.4),
) -> SGDFlowFigure:
    r"""Draw SGD chains against the gradient flow, one panel per coordinate.

    Panel ``p`` shows :math:`\phi_{k, c_p}` against :math:`t_k` for every
    chain (thin orange lines) over the flow :math:`\Phi_{c_p}(t)` (thick blue)
    for :math:`0 \le t \le t_{\max}`, the figure of chapter 2. The panels
    are meant to be stacked in a column that shares the time axis: the time
    label goes under the last panel and the setting above the first.

    Parameters
    ----------
    problem : Problem
        The training problem.
    phi0 : array_like, shape (d,)
        Initial point of the flow and of every chain.
    lr : float
        Learning rate (> 0).
    t_max : float
        Model time covered (> 0).
    coords : sequence of int
        Which coordinates of :math:`\phi` to show, each in ``0 .. d-1``.
    labels : sequence of str, optional
        A name per coordinate for the vertical axes (default ``phi_c``).
    batch_size : int
        Examples per step, drawn with replacement (>= 1).
    n_chains : int
        Number of chains drawn (>= 1).
    rng : numpy.random.Generator, int or None
        Seed of every redraw (a Generator or None gives one seed for the life of the figure).
    max_points : int
        Most records per path besides the start (>= 1): the cost of drawing stays bounded however small
        :math:`\eta` is.
    ylim : (float, float), optional
        Vertical range of every panel. By default each panel is centred on
        its flow and all panels get the same height, three times the largest
        range of a flow coordinate. The range stays fixed across updates, so
        that spreads at different settings can be compared.
    legend : bool
        Put a legend in the first panel (turn off for all but one column of
        a grid of such plots).
    axes : sequence of matplotlib.axes.Axes, optional
        One empty axes per entry of ``coords``, stacked in a column; by default
        a new (closed) figure of size ``figsize``.
    figsize : (float, float)
        Size of the new figure in inches.

    Returns
    -------
    SGDFlowFigure
        Everything :func:`update_sgd_vs_flow` needs.
    """
    phi0 = as_finite_array(phi0, "phi0", ndim=1)
    check_dim(phi0, problem.dim, "phi0")
    t_max = as_positive_scalar(t_max, "t_max")
    coords = _coordinates(coords, problem.dim)
    if labels is None:
        labels = [rf"$\phi_{{{c}}}$" for c in coords]
    labels = [str(label) for label in labels]
    if len(labels) != len(coords):
        raise ValueError(f"labels must name each of the {len(coords)} coords, got {len(labels)} labels")
    n_chains = as_count(n_chains, "n_chains")
    if axes is None:
        axes = new_figure(len(coords), 1, figsize=figsize, sharex=True, squeeze=False)[1][:, 0]
    axes = list(axes)
    if len(axes) != len(coords):
        raise ValueError(f"axes must hold one axes per coordinate: {len(coords)} coords, {len(axes)} axes")

    times = np.linspace(0.0, t_max, FLOW_POINTS)
    flow = gradient_flow(problem, phi0, times)
    if ylim is None:
        # Each panel centred on its flow, all with the same height (three
        # times the largest flow range), so equal spreads look equal.
        low, high = flow[:, coords].min(axis=0), flow[:, coords].max(axis=0)
        half = 1.5 * float(np.max(high - low))
        limits = [((lo + hi) / 2 - half, (lo + hi) / 2 + half) for lo, hi in zip(low, high, strict=True)]
    else:
        limits = [as_interval(ylim, "ylim")] * len(coords)

    sgd_lines, flow_lines = [], []
    for p, (ax, c, label, lim) in enumerate(zip(axes, coords, labels, limits, strict=True)):
        chains = tuple(
            ax.plot([], [], **PATH_STYLES["sgd"], label="SGD chains" if k == 0 else None)[0] for k in range(n_chains)
        )
        (flow_line,) = ax.plot(times, flow[:, c], **PATH_STYLES["flow"], label="gradient flow")
        sgd_lines.append(chains)
        flow_lines.append(flow_line)
        ax.set_xlim(0.0, t_max)
        ax.set_ylim(*lim)
        ax.set_ylabel(label)
        if legend and p == 0:
            ax.legend(loc="lower right")
    axes[-1].set_xlabel(r"time $t = \sum_j \eta_j$")
    # The setting goes on top of the first panel: the panels are meant to be
    # stacked in a column sharing the time axis.
    title = axes[0].set_title(" ")
    plot = SGDFlowFigure(
        problem=problem,
        phi0=phi0,
        t_max=t_max,
        coords=tuple(coords),
        n_chains=n_chains,
        seed=as_seed(rng),
        max_points=as_count(max_points, "max_points"),
        sgd_lines=tuple(sgd_lines),
        flow_lines=tuple(flow_lines),
        title=title,
    )
    update_sgd_vs_flow(plot, lr, batch_size)
    return plot


def update_sgd_vs_flow(plot: SGDFlowFigure, lr: float, batch_size: int) -> Trajectory:
    r"""Rerun SGD at a new learning rate and batch size and redraw only its chains.

    The flow does not depend on :math:`(\eta, B)`, so it stays; the update
    costs one SGD run of :math:`\lceil t_{\max}/\eta\rceil` steps
    (:func:`~langevin_lib.steps_to_reach`), recorded at most ``max_points``
    times, and the moving of ``n_chains`` lines per panel.

    Parameters
    ----------
    plot : SGDFlowFigure
        What :func:`draw_sgd_vs_flow` returned.
    lr : float
        Learning rate (> 0).
    batch_size : int
        Examples per step (>= 1).

    Returns
    -------
    Trajectory
        The simulated chains, exactly the data drawn.
    """
    lr = as_scalar_learning_rate(lr, "lr")
    batch_size = as_count(batch_size, "batch_size")
    n_steps = steps_to_reach(plot.t_max, lr)
    traj = sgd(
        plot.problem,
        plot.phi0,
        lr,
        n_steps,
        n_chains=plot.n_chains,
        batch_size=batch_size,
        rng=plot.seed,
        record_every=-(-n_steps // plot.max_points),
    )
    for chains, c in zip(plot.sgd_lines, plot.coords, strict=True):
        for k, line in enumerate(chains):
            line.set_data(traj.times, traj.phi[:, k, c])
    plot.title.set_text(rf"$\eta = {float(lr):.3g}$, $B = {batch_size}$")
    return traj


def _coordinates(coords: Sequence[int], dim: int) -> list[int]:
    values = list(coords)
    if not values or any(
        isinstance(c, bool) or not isinstance(c, numbers.Integral) or not 0 <= c < dim for c in values
    ):
        raise ValueError(f"coords must be a non-empty sequence of integers in 0 .. {dim - 1}, got {coords!r}")
    return [int(c) for c in values]
