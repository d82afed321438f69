r"""SGD paths next to their Langevin SDE, as a figure, a widget and an animation (chapter 4).

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

Same pattern as :mod:`langevin_lib.sgd_widgets`: :func:`draw_sgd_and_langevin`
and :func:`update_sgd_and_langevin` are tested directly, and
:func:`interactive_sgd_and_langevin` (sliders) and
:func:`sgd_and_langevin_animation` (the kernel-free fallback) wrap them.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import PIL.Image
from matplotlib.animation import FuncAnimation
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.lines import Line2D
from matplotlib.text import Text

from ._validation import as_count, as_finite_array, as_positive_options, as_positive_scalar, as_seed
from .flow import gradient_flow
from .plotting import PATH_STYLES
from .potentials import Potential, SeparableNoisyLoss
from .weak_error import CoupledRuns, coupled_sgd_langevin

__all__ = [
    "SideBySidePlot",
    "draw_sgd_and_langevin",
    "interactive_sgd_and_langevin",
    "sgd_and_langevin_animation",
    "update_sgd_and_langevin",
]

#: Points on the drawn gradient-flow curve.
_FLOW_POINTS = 300


@dataclass(frozen=True)
class SideBySidePlot:
    """A drawn SGD-next-to-Langevin figure: what it shows and the artists an update changes.

    Attributes
    ----------
    potential : Potential
        The loss :math:`L`.
    x0 : float
        Start of every chain and of the flow.
    t_max : float
        Model time covered.
    n_paths : int
        Paths drawn per panel.
    n_ensemble : int
        Chains behind the spreads in the footer.
    seed : int
        Seed of every run, so that a setting always redraws the same paths.
    substeps : int
        Euler-Maruyama steps of the SDE per SGD step.
    max_points : int
        Most points recorded per drawn path.
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
    title: Text
    footer: Text


def draw_sgd_and_langevin(
    axes: Sequence[Axes],
    potential: Potential,
    x0: float,
    lr: float,
    sigma: float,
    t_max: float,
    *,
    n_paths: int = 10,
    n_ensemble: int = 400,
    rng: int = 0,
    substeps: int = 4,
    max_points: int = 300,
    ylim: tuple[float, float] = (-2.0, 2.0),
) -> SideBySidePlot:
    r"""Draw SGD paths (left) and Langevin paths (right) on a 1-D loss, over the gradient flow.

    Parameters
    ----------
    axes : sequence of two matplotlib.axes.Axes
        The SGD panel and the Langevin panel.
    potential : Potential
        The loss, e.g. :class:`~langevin_lib.potentials.DoubleWell`.
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
    rng : int
        Seed (an int >= 0, so that a setting always gives the same paths).
    substeps : int
        Euler-Maruyama steps per SGD step (>= 1).
    max_points : int
        Most records per path (>= 1).
    ylim : (float, float)
        Vertical range, fixed across updates.

    Returns
    -------
    SideBySidePlot
    """
    axes = list(axes)
    if len(axes) != 2:
        raise ValueError(f"axes must be two axes (SGD, Langevin), got {len(axes)}")
    if not isinstance(potential, Potential):
        raise ValueError(f"potential must be a Potential, got {potential!r}")
    x0 = float(as_finite_array(x0, "x0", ndim=0))
    t_max = as_positive_scalar(t_max, "t_max")
    n_paths = as_count(n_paths, "n_paths")
    n_ensemble = as_count(n_ensemble, "n_ensemble", minimum=max(2, n_paths))
    ylim_arr = as_finite_array(ylim, "ylim", ndim=1)
    if ylim_arr.shape != (2,) or not ylim_arr[0] < ylim_arr[1]:
        raise ValueError(f"ylim must be (low, high) with low < high, got {ylim!r}")
    times = np.linspace(0.0, t_max, _FLOW_POINTS)
    flow = gradient_flow(SeparableNoisyLoss(potential, 0.0), [x0], times)[:, 0]
    lines = []
    for ax, kind, name in zip(axes, ("sgd", "langevin"), ("SGD", "Langevin SDE"), strict=True):
        paths = tuple(
            ax.plot([], [], **PATH_STYLES[kind], label=f"{name} paths" if k == 0 else None)[0] for k in range(n_paths)
        )
        lines.append(paths)
        ax.plot(times, flow, **PATH_STYLES["flow"], label="gradient flow")
        ax.set(xlim=(0.0, t_max), ylim=tuple(ylim_arr), xlabel=r"time $t = k\eta$")
        ax.legend(loc="lower right")
    axes[0].set_ylabel(r"$x$")
    fig = axes[0].figure
    plot = SideBySidePlot(
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


def update_sgd_and_langevin(plot: SideBySidePlot, lr: float, sigma: float) -> CoupledRuns:
    r"""Rerun the coupled SGD and Langevin ensembles at a new :math:`(\eta, \sigma)` and redraw the paths.

    Parameters
    ----------
    plot : SideBySidePlot
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
    # The small tolerance keeps t_max/lr = 400.00000000000006 from costing an extra step.
    n_steps = max(1, int(np.ceil(plot.t_max / lr - 1e-9)))
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


def interactive_sgd_and_langevin(
    potential: Potential,
    x0: float,
    t_max: float,
    *,
    lrs: Sequence[float],
    sigmas: Sequence[float],
    n_paths: int = 10,
    n_ensemble: int = 400,
    rng: int = 0,
    ylim: tuple[float, float] = (-2.0, 2.0),
    figsize: tuple[float, float] = (8.0, 3.6),
    dpi: int = 80,
) -> ipywidgets.VBox:
    """Sliders for the learning rate and the noise scale that redraw SGD next to its Langevin SDE.

    Each move reruns both ensembles (:func:`update_sgd_and_langevin`) and
    renders the figure with Agg into an ``Image`` widget, so no interactive
    matplotlib backend is needed. The widget starts at the largest rate and
    the smallest noise scale.

    Parameters
    ----------
    potential, x0, t_max, n_paths, n_ensemble, rng, ylim
        As for :func:`draw_sgd_and_langevin`.
    lrs, sigmas : sequence of float
        Values offered by the two sliders (each > 0).
    figsize : (float, float)
        Figure size in inches.
    dpi : int
        Resolution of the rendered PNG.

    Returns
    -------
    ipywidgets.VBox
        Children: the learning-rate slider, the noise slider and the ``Image``.
    """
    lr_values, sigma_values = as_positive_options(lrs, "lrs"), as_positive_options(sigmas, "sigmas")
    fig, axes = plt.subplots(1, 2, figsize=figsize, dpi=as_count(dpi, "dpi"), sharey=True)
    plt.close(fig)  # shown through the Image widget only
    plot = draw_sgd_and_langevin(
        axes,
        potential,
        x0,
        lr_values[-1],
        sigma_values[0],
        t_max,
        n_paths=n_paths,
        n_ensemble=n_ensemble,
        rng=rng,
        ylim=ylim,
    )
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    # Limits, ticks and labels do not change with the setting: solve the layout once.
    fig.set_layout_engine("none")

    def render() -> bytes:
        canvas.draw()
        buffer = io.BytesIO()
        PIL.Image.fromarray(np.asarray(canvas.buffer_rgba())).save(buffer, format="png")
        return buffer.getvalue()

    style = {"description_width": "initial"}
    layout = ipywidgets.Layout(width="32em")
    lr_slider = ipywidgets.SelectionSlider(
        options=[(f"{v:.3g}", v) for v in lr_values],
        value=lr_values[-1],
        description="learning rate η",
        style=style,
        layout=layout,
    )
    sigma_slider = ipywidgets.SelectionSlider(
        options=[(f"{v:.3g}", v) for v in sigma_values],
        value=sigma_values[0],
        description="noise scale \u03c3",
        style=style,
        layout=layout,
    )
    image = ipywidgets.Image(value=render(), format="png")

    def on_change(_: dict) -> None:
        update_sgd_and_langevin(plot, lr_slider.value, sigma_slider.value)
        image.value = render()

    lr_slider.observe(on_change, names="value")
    sigma_slider.observe(on_change, names="value")
    return ipywidgets.VBox([lr_slider, sigma_slider, image])


def sgd_and_langevin_animation(
    potential: Potential,
    x0: float,
    t_max: float,
    settings: Sequence[tuple[float, float]],
    *,
    n_paths: int = 10,
    n_ensemble: int = 400,
    rng: int = 0,
    ylim: tuple[float, float] = (-2.0, 2.0),
    figsize: tuple[float, float] = (8.0, 3.6),
    dpi: int = 80,
    interval_ms: int = 900,
) -> FuncAnimation:
    """The side-by-side figure as an animation over ``(lr, sigma)`` settings: the kernel-free fallback.

    Render it with :func:`~langevin_lib.plotting.animation_html`.

    Parameters
    ----------
    potential, x0, t_max, n_paths, n_ensemble, rng, ylim
        As for :func:`draw_sgd_and_langevin`.
    settings : sequence of (float, float)
        ``(lr, sigma)`` of each frame.
    figsize, dpi
        Size and resolution of the frames (a low dpi keeps the page light).
    interval_ms : int
        Delay between frames in milliseconds.

    Returns
    -------
    matplotlib.animation.FuncAnimation
    """
    frames = [
        (as_positive_scalar(lr, "lr in settings"), as_positive_scalar(s, "sigma in settings")) for lr, s in settings
    ]
    if not frames:
        raise ValueError("settings must hold at least one (lr, sigma) pair")
    fig, axes = plt.subplots(1, 2, figsize=figsize, dpi=as_count(dpi, "dpi"), sharey=True)
    plt.close(fig)  # shown through the animation's HTML
    plot = draw_sgd_and_langevin(
        axes, potential, x0, *frames[0], t_max, n_paths=n_paths, n_ensemble=n_ensemble, rng=rng, ylim=ylim
    )

    def frame(setting: tuple[float, float]) -> list:
        update_sgd_and_langevin(plot, *setting)
        return [*plot.sgd_lines, *plot.langevin_lines, plot.title, plot.footer]

    return FuncAnimation(fig, frame, frames=frames, interval=as_count(interval_ms, "interval_ms"), repeat=True)
