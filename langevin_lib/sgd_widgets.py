"""SGD paths against gradient flow, as a figure, a widget and an animation (chapter 2).

The same pattern as :mod:`langevin_lib.step_size_widgets`: a drawing function
(:func:`draw_sgd_vs_flow`) and an update function (:func:`update_sgd_vs_flow`)
that the tests exercise directly, wrapped by a slider widget
(:func:`interactive_sgd_vs_flow`) and by the kernel-free animation the static
book shows (:func:`sgd_vs_flow_animation`).

The picture: a few SGD chains
:math:`\\phi_{k+1} = \\phi_k - \\eta\\,\\hat g_k(\\phi_k)` with minibatches of
:math:`B` examples drawn with replacement, plotted coordinate by coordinate
against model time :math:`t_k = k\\eta`, over the exact gradient-flow path
:math:`\\Phi(t)` from the same start. As :math:`\\eta/B \\to 0` the chains
close in on the flow.
"""

from __future__ import annotations

import io
import numbers
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

from ._validation import (
    as_count,
    as_finite_array,
    as_interval,
    as_positive_options,
    as_positive_scalar,
    as_scalar_learning_rate,
    as_seed,
    check_dim,
)
from .flow import gradient_flow
from .plotting import PATH_STYLES
from .problems import Problem
from .sgd import sgd
from .trajectory import Trajectory

__all__ = [
    "SGDFlowPlot",
    "draw_sgd_vs_flow",
    "interactive_sgd_vs_flow",
    "sgd_path_until",
    "sgd_vs_flow_animation",
    "update_sgd_vs_flow",
]

#: Points on the drawn gradient-flow curve.
_FLOW_POINTS = 400


@dataclass(frozen=True)
class SGDFlowPlot:
    """A drawn SGD-against-flow figure: what it shows and the lines an update changes.

    Attributes
    ----------
    problem : Problem
        The training problem.
    phi0 : ndarray, shape (d,)
        Initial point of the flow and of every chain.
    t_max : float
        Model time covered.
    coords : tuple of int
        The coordinate of :math:`\\phi` shown in each panel.
    n_chains : int
        Number of SGD chains drawn.
    seed : int
        Seed of every SGD run, so that a setting always redraws the same paths.
    max_points : int
        Most points recorded per drawn SGD path.
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
    title: Text


def sgd_path_until(
    problem: Problem,
    phi0: np.ndarray,
    lr: float,
    t_max: float,
    *,
    batch_size: int = 1,
    n_chains: int = 3,
    rng: int = 0,
    max_points: int = 500,
) -> Trajectory:
    r"""SGD chains from ``phi0`` up to model time ``t_max``, thinned to at most ``max_points`` records.

    Runs :func:`~langevin_lib.sgd` for :math:`n = \lceil t_{\max}/\eta\rceil`
    steps, so the last record sits at time :math:`n\eta \ge t_{\max}`
    (time = sum of learning rates, chapter 2), recording every
    :math:`\lceil n / \text{max\_points}\rceil`-th step: the cost of drawing
    stays bounded however small :math:`\eta` is.

    Parameters
    ----------
    problem : Problem
        The training problem.
    phi0 : array_like, shape (d,)
        Initial point of every chain.
    lr : float
        Learning rate (> 0).
    t_max : float
        Model time to reach (> 0).
    batch_size : int
        Examples per step, drawn with replacement (>= 1).
    n_chains : int
        Number of independent chains (>= 1).
    rng : int
        Seed (an int, so that the same arguments give the same paths).
    max_points : int
        Most records per path, besides the initial point (>= 1).

    Returns
    -------
    Trajectory
    """
    lr = as_scalar_learning_rate(lr, "lr")
    t_max = as_positive_scalar(t_max, "t_max")
    max_points = as_count(max_points, "max_points")
    seed = as_seed(rng)
    # The small tolerance keeps t_max/lr = 400.00000000000006 from costing an extra step.
    n_steps = max(1, int(np.ceil(t_max / lr - 1e-9)))
    record_every = -(-n_steps // max_points)
    return sgd(
        problem, phi0, lr, n_steps, n_chains=n_chains, batch_size=batch_size, rng=seed, record_every=record_every
    )


def draw_sgd_vs_flow(
    axes: Sequence[Axes],
    problem: Problem,
    phi0: np.ndarray,
    lr: float,
    t_max: float,
    *,
    coords: Sequence[int],
    labels: Sequence[str] | None = None,
    batch_size: int = 1,
    n_chains: int = 3,
    rng: int = 0,
    ylim: tuple[float, float] | None = None,
    max_points: int = 500,
    legend: bool = True,
) -> SGDFlowPlot:
    r"""Draw SGD chains against the gradient flow, one panel per coordinate.

    Panel ``p`` shows :math:`\phi_{k, c_p}` against :math:`t_k` for every
    chain (thin orange lines) over the flow :math:`\Phi_{c_p}(t)` (thick blue)
    for :math:`0 \le t \le t_{\max}`, the figure of chapter 2. The panels
    are meant to be stacked in a column that shares the time axis: the time
    label goes under the last panel and the setting above the first.

    Parameters
    ----------
    axes : sequence of matplotlib.axes.Axes
        One empty axes per entry of ``coords``.
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
    batch_size, n_chains, rng, max_points
        As for :func:`sgd_path_until`.
    ylim : (float, float), optional
        Vertical range of every panel. By default each panel is centred on
        its flow and all panels get the same height, three times the largest
        range of a flow coordinate. The range stays fixed across updates, so
        that spreads at different settings can be compared.
    legend : bool
        Put a legend in the first panel (turn off for all but one column of
        a grid of such plots).

    Returns
    -------
    SGDFlowPlot
        Everything :func:`update_sgd_vs_flow` needs.
    """
    phi0 = as_finite_array(phi0, "phi0", ndim=1)
    check_dim(phi0, problem.dim, "phi0")
    t_max = as_positive_scalar(t_max, "t_max")
    coords = _coordinates(coords, problem.dim)
    axes = list(axes)
    if len(axes) != len(coords):
        raise ValueError(f"axes must hold one axes per coordinate: {len(coords)} coords, {len(axes)} axes")
    if labels is None:
        labels = [rf"$\phi_{{{c}}}$" for c in coords]
    labels = [str(label) for label in labels]
    if len(labels) != len(coords):
        raise ValueError(f"labels must name each of the {len(coords)} coords, got {len(labels)} labels")
    n_chains = as_count(n_chains, "n_chains")

    times = np.linspace(0.0, t_max, _FLOW_POINTS)
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
    plot = SGDFlowPlot(
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


def update_sgd_vs_flow(plot: SGDFlowPlot, lr: float, batch_size: int) -> Trajectory:
    r"""Rerun SGD at a new learning rate and batch size and redraw only its chains.

    The flow does not depend on :math:`(\eta, B)`, so it stays; the update
    costs one :func:`sgd_path_until` (a few thousand steps of a few chains)
    and the moving of ``n_chains`` lines per panel.

    Parameters
    ----------
    plot : SGDFlowPlot
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
    batch_size = as_count(batch_size, "batch_size")
    traj = sgd_path_until(
        plot.problem,
        plot.phi0,
        lr,
        plot.t_max,
        batch_size=batch_size,
        n_chains=plot.n_chains,
        rng=plot.seed,
        max_points=plot.max_points,
    )
    for chains, c in zip(plot.sgd_lines, plot.coords, strict=True):
        for k, line in enumerate(chains):
            line.set_data(traj.times, traj.phi[:, k, c])
    plot.title.set_text(rf"$\eta = {float(lr):.3g}$, $B = {batch_size}$")
    return traj


def interactive_sgd_vs_flow(
    problem: Problem,
    phi0: np.ndarray,
    t_max: float,
    *,
    lrs: Sequence[float],
    batch_sizes: Sequence[int],
    coords: Sequence[int],
    labels: Sequence[str] | None = None,
    n_chains: int = 3,
    rng: int = 0,
    ylim: tuple[float, float] | None = None,
    figsize: tuple[float, float] = (6.0, 4.4),
    dpi: int = 80,
    axes: Sequence[Axes] | None = None,
) -> ipywidgets.VBox:
    """Sliders for the learning rate and the batch size that redraw SGD against the flow (chapter 2).

    Each slider move reruns SGD (:func:`update_sgd_vs_flow`) and renders the
    figure into an ``Image`` widget (about 0.1 s in all), so no interactive
    matplotlib backend is needed in Jupyter, Colab or Binder. The sliders
    step through the given values; the widget starts at the largest rate and
    the smallest batch size.

    Parameters
    ----------
    problem, phi0, t_max, coords, labels, n_chains, rng, ylim
        As for :func:`draw_sgd_vs_flow`.
    lrs : sequence of float
        Learning rates offered by the first slider (each > 0).
    batch_sizes : sequence of int
        Batch sizes offered by the second slider (each >= 1).
    figsize : (float, float)
        Figure size in inches (ignored when ``axes`` is given).
    dpi : int
        Resolution of the rendered figure; a low value keeps a redraw fast
        (ignored when ``axes`` is given).
    axes : sequence of matplotlib.axes.Axes, optional
        One empty axes per coordinate, stacked in a column, in a figure the
        widget may take over (it is given an Agg canvas); by default a new
        figure is made (and closed, so that only the widget shows it).

    Returns
    -------
    ipywidgets.VBox
        Children: the learning-rate slider, the batch-size slider and the
        ``Image`` showing the figure as a PNG.
    """
    lr_values = as_positive_options(lrs, "lrs")
    b_values = _batch_options(batch_sizes)
    if axes is None:
        fig, grid = plt.subplots(len(coords), 1, figsize=figsize, dpi=as_count(dpi, "dpi"), sharex=True, squeeze=False)
        # Closed figures can still be displayed; closing keeps the inline
        # backend from showing a second, static copy below the widget.
        plt.close(fig)
        axes = grid[:, 0]
    plot = draw_sgd_vs_flow(
        axes,
        problem,
        phi0,
        lr_values[-1],
        t_max,
        coords=coords,
        labels=labels,
        batch_size=b_values[0],
        n_chains=n_chains,
        rng=rng,
        ylim=ylim,
    )
    fig = plot.flow_lines[0].figure
    # Render with Agg directly: one draw per update. The inline backend's
    # display would draw twice (its "tight" bounding box) and solve the
    # constrained layout each time; the layout cannot change with (lr, B),
    # since limits, ticks and labels stay, so it is solved once and frozen.
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    fig.set_layout_engine("none")

    def render() -> bytes:
        canvas.draw()
        buffer = io.BytesIO()
        PIL.Image.fromarray(np.asarray(canvas.buffer_rgba())).save(buffer, format="png")
        return buffer.getvalue()

    style = {"description_width": "initial"}
    lr_slider = ipywidgets.SelectionSlider(
        options=[(f"{v:.3g}", v) for v in lr_values],
        value=lr_values[-1],
        description="learning rate η",
        style=style,
        layout=ipywidgets.Layout(width="32em"),
    )
    b_slider = ipywidgets.SelectionSlider(
        options=[(str(b), b) for b in b_values],
        value=b_values[0],
        description="batch size B",
        style=style,
        layout=ipywidgets.Layout(width="32em"),
    )
    image = ipywidgets.Image(value=render(), format="png")

    def on_change(_: dict) -> None:
        update_sgd_vs_flow(plot, lr_slider.value, b_slider.value)
        image.value = render()

    lr_slider.observe(on_change, names="value")
    b_slider.observe(on_change, names="value")
    return ipywidgets.VBox([lr_slider, b_slider, image])


def sgd_vs_flow_animation(
    problem: Problem,
    phi0: np.ndarray,
    t_max: float,
    settings: Sequence[tuple[float, int]],
    *,
    coords: Sequence[int],
    labels: Sequence[str] | None = None,
    n_chains: int = 3,
    rng: int = 0,
    ylim: tuple[float, float] | None = None,
    figsize: tuple[float, float] = (5.6, 4.2),
    dpi: int = 80,
    interval_ms: int = 900,
) -> FuncAnimation:
    """The SGD-against-flow figure as an animation over ``(lr, batch_size)`` settings.

    The kernel-free fallback of :func:`interactive_sgd_vs_flow`: one frame per
    setting, drawn with :func:`draw_sgd_vs_flow` and :func:`update_sgd_vs_flow`;
    render it with :func:`~langevin_lib.plotting.animation_html`.

    Parameters
    ----------
    problem, phi0, t_max, coords, labels, n_chains, rng, ylim
        As for :func:`draw_sgd_vs_flow`.
    settings : sequence of (float, int)
        ``(lr, batch_size)`` of each frame.
    figsize : (float, float)
        Figure size in inches.
    dpi : int
        Resolution of the frames; every frame is embedded as a PNG, so a low
        dpi keeps the book page light.
    interval_ms : int
        Delay between frames in milliseconds.

    Returns
    -------
    matplotlib.animation.FuncAnimation
    """
    frames = [
        (as_scalar_learning_rate(lr, "lr in settings"), as_count(b, "batch_size in settings")) for lr, b in settings
    ]
    if not frames:
        raise ValueError("settings must hold at least one (lr, batch_size) pair")
    interval_ms = as_count(interval_ms, "interval_ms")
    fig, axes = plt.subplots(len(coords), 1, figsize=figsize, dpi=as_count(dpi, "dpi"), sharex=True, squeeze=False)
    plt.close(fig)  # shown through the animation's HTML, not as a static figure
    plot = draw_sgd_vs_flow(
        axes[:, 0],
        problem,
        phi0,
        frames[0][0],
        t_max,
        coords=coords,
        labels=labels,
        batch_size=frames[0][1],
        n_chains=n_chains,
        rng=rng,
        ylim=ylim,
    )

    def frame(setting: tuple[float, int]) -> list:
        update_sgd_vs_flow(plot, *setting)
        return [line for chains in plot.sgd_lines for line in chains] + [plot.title]

    return FuncAnimation(fig, frame, frames=frames, interval=interval_ms, repeat=True)


def _coordinates(coords: Sequence[int], dim: int) -> list[int]:
    values = list(coords)
    if not values or any(
        isinstance(c, bool) or not isinstance(c, numbers.Integral) or not 0 <= c < dim for c in values
    ):
        raise ValueError(f"coords must be a non-empty sequence of integers in 0 .. {dim - 1}, got {coords!r}")
    return [int(c) for c in values]


def _batch_options(batch_sizes: Sequence[int]) -> list[int]:
    values = [as_count(b, "batch_sizes entries") for b in batch_sizes]
    if not values:
        raise ValueError("batch_sizes must hold at least one batch size >= 1")
    return sorted(set(values))
