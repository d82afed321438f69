r"""Chapter 4's figure: SGD paths next to their Langevin SDE, driven by the same noise.

The picture: on a one-dimensional loss :math:`L` (the double well of
chapter 5, say) with gradient noise of standard deviation :math:`\sigma`,
a few SGD chains :math:`x_{k+1} = x_k - \eta(L'(x_k) + \sigma\xi_k)` in the
left panel and the same number of paths of the Langevin SDE
:math:`dX = -L'(X)\,dt + \sqrt\eta\,\sigma\,dW` in the right panel, both
against time :math:`t = k\eta` and over the gradient flow. Chain :math:`c` of
both panels is driven by the same Brownian path
(:func:`~langevin_lib.coupled_sgd_langevin`), so the two panels
look alike exactly as far as SGD and its SDE agree. A footer gives the
spread of a larger ensemble of each at the final time.

:func:`draw_sgd_and_langevin` draws it and :func:`update_sgd_and_langevin`
redraws it for a new :math:`(\eta, \sigma)`; the driver of
:mod:`langevin_lib.viz` makes the sliders and the animation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.text import Text

from .._validation import as_count, as_finite_array, as_interval, as_positive_scalar, as_seed
from ..dynamics import CoupledRuns, coupled_sgd_langevin, gradient_flow, steps_to_reach
from ..problems import Potential, SeparableNoisyLoss
from .driver import FigureState, new_figure
from .style import FLOW_POINTS, PATH_STYLES

__all__ = ["SGDLangevinFigure", "draw_sgd_and_langevin", "update_sgd_and_langevin"]


@dataclass(frozen=True)
class SGDLangevinFigure(FigureState):
    """A drawn SGD-next-to-Langevin figure: what it shows and the artists an update changes.

    Attributes
    ----------
    potential, x0, t_max, n_paths, n_ensemble, substeps, max_points
        The arguments of :func:`draw_sgd_and_langevin` of the same names, checked.
    seed : int
        Seed of every run, so that a setting always redraws the same paths.
    sgd_lines, langevin_lines : tuple of Line2D
        The drawn paths of each panel.
    title : matplotlib.text.Text
        The figure title, which states the setting.
    footer : matplotlib.text.Text
        The spreads at the final time.
    """

    potential: Potential
    x0: float
    t_max: float
    n_paths: int
    n_ensemble: int
    seed: int
    substeps: int
    max_points: int
    sgd_lines: tuple[Line2D, ...]
    langevin_lines: tuple[Line2D, ...]
    footer: Text


def draw_sgd_and_langevin(
    potential: Potential,
    x0: float,
    lr: float,
    sigma: float,
    t_max: float,
    *,
    n_paths: int = 10,
    n_ensemble: int = 400,
    rng: np.random.Generator | int | None = 0,
    substeps: int = 4,
    max_points: int = 300,
    ylim: tuple[float, float] = (-2.0, 2.0),
    axes: Sequence[Axes] | None = None,
    figsize: tuple[float, float] = (8.0, 3.6),
) -> SGDLangevinFigure:
    r"""Draw SGD paths (left) and Langevin paths (right) on a 1-D loss, over the gradient flow.

    Parameters
    ----------
    potential : Potential
        The loss, e.g. :class:`~langevin_lib.DoubleWell`.
    x0 : float
        Start of every path.
    lr, sigma : float
        Learning rate :math:`\eta > 0` and gradient-noise scale :math:`\sigma > 0`.
    t_max : float
        Model time covered (> 0).
    n_paths : int
        Paths drawn per panel (>= 1).
    n_ensemble : int
        Chains (>= ``max(2, n_paths)``) whose standard deviation at ``t_max`` the footer reports; the
        first ``n_paths`` of them are drawn.
    rng : numpy.random.Generator, int or None
        Seed of every redraw (a setting always gives the same paths).
    substeps : int
        Euler-Maruyama steps per SGD step (>= 1).
    max_points : int
        Most records per path (>= 1).
    ylim : (float, float)
        Vertical range, fixed across updates.
    axes : sequence of two matplotlib.axes.Axes, optional
        The SGD panel and the Langevin panel (sharing y); by default a new
        (closed) figure of size ``figsize``.
    figsize : (float, float)
        Size of the new figure in inches.

    Returns
    -------
    SGDLangevinFigure
    """
    if axes is None:
        axes = new_figure(1, 2, figsize=figsize, sharey=True)[1]
    axes = list(axes)
    if len(axes) != 2:
        raise ValueError(f"axes must be two axes (SGD, Langevin), got {len(axes)}")
    if not isinstance(potential, Potential):
        raise ValueError(f"potential must be a Potential, got {potential!r}")
    x0 = float(as_finite_array(x0, "x0", ndim=0))
    t_max = as_positive_scalar(t_max, "t_max")
    n_paths = as_count(n_paths, "n_paths")
    n_ensemble = as_count(n_ensemble, "n_ensemble", minimum=max(2, n_paths))
    ylim = as_interval(ylim, "ylim")
    times = np.linspace(0.0, t_max, FLOW_POINTS)
    flow = gradient_flow(SeparableNoisyLoss(potential, 0.0), [x0], times)[:, 0]
    lines = []
    for ax, kind, name in zip(axes, ("sgd", "langevin"), ("SGD", "Langevin SDE"), strict=True):
        paths = tuple(
            ax.plot([], [], **PATH_STYLES[kind], label=f"{name} paths" if k == 0 else None)[0] for k in range(n_paths)
        )
        lines.append(paths)
        ax.plot(times, flow, **PATH_STYLES["flow"], label="gradient flow")
        ax.set(xlim=(0.0, t_max), ylim=ylim, xlabel=r"time $t = k\eta$")
        ax.legend(loc="lower right")
    axes[0].set_ylabel(r"$x$")
    fig = axes[0].figure
    plot = SGDLangevinFigure(
        potential=potential,
        x0=x0,
        t_max=t_max,
        n_paths=n_paths,
        n_ensemble=n_ensemble,
        seed=as_seed(rng),
        substeps=as_count(substeps, "substeps"),
        max_points=as_count(max_points, "max_points"),
        sgd_lines=lines[0],
        langevin_lines=lines[1],
        title=fig.suptitle(" "),
        footer=axes[1].text(0.02, 0.97, " ", transform=axes[1].transAxes, va="top", fontsize=9),
    )
    update_sgd_and_langevin(plot, lr, sigma)
    return plot


def update_sgd_and_langevin(plot: SGDLangevinFigure, lr: float, sigma: float) -> CoupledRuns:
    r"""Rerun the coupled SGD and Langevin ensembles at a new :math:`(\eta, \sigma)` and redraw the paths.

    Parameters
    ----------
    plot : SGDLangevinFigure
        What :func:`draw_sgd_and_langevin` returned.
    lr, sigma : float
        Learning rate and noise scale, each > 0.

    Returns
    -------
    CoupledRuns
        The simulated ensembles (all ``n_ensemble`` chains), exactly the data drawn and summarised.
    """
    lr = as_positive_scalar(lr, "lr")
    sigma = as_positive_scalar(sigma, "sigma")
    n_steps = steps_to_reach(plot.t_max, lr)
    runs = coupled_sgd_langevin(
        SeparableNoisyLoss(plot.potential, sigma),
        [plot.x0],
        lr,
        n_steps,
        substeps=plot.substeps,
        n_chains=plot.n_ensemble,
        rng=plot.seed,
        record_every=-(-n_steps // plot.max_points),
    )
    for lines, run in zip((plot.sgd_lines, plot.langevin_lines), runs, strict=True):
        for k, line in enumerate(lines):
            line.set_data(run.times, run.phi[:, k, 0])
    sd_sgd, sd_sde = (float(run.final[:, 0].std()) for run in runs)
    plot.title.set_text(rf"$\eta = {lr:.3g}$, $\sigma = {sigma:.3g}$")
    plot.footer.set_text(
        f"sd at t = {runs.sgd.times[-1]:.3g} ({plot.n_ensemble} chains):\nSGD {sd_sgd:.3f}, Langevin {sd_sde:.3f}"
    )
    return runs
