r"""Per-coordinate learning rates :math:`\eta_k = \eta'/\sigma_k^p` and the temperatures they set (chapter 6).

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
:math:`h_k\,\mathrm{Var}(\phi_k)` against :math:`T_k`. Same pattern as
:mod:`langevin_lib.step_size_widgets`: tested drawing and update functions,
wrapped by two sliders and by an animation (the kernel-free fallback).
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
from matplotlib.container import BarContainer
from matplotlib.lines import Line2D
from matplotlib.text import Text

from ._validation import as_count, as_finite_array, as_positive_array, as_positive_scalar
from .plotting import COLORS
from .problems import Quadratic
from .sgd import sgd
from .stationary import langevin_temperature, quadratic_sgd_variance

__all__ = [
    "PreconditioningPlot",
    "draw_preconditioning",
    "interactive_preconditioning",
    "preconditioned_rates",
    "preconditioning_animation",
    "stationary_samples",
    "update_preconditioning",
]

#: Relaxation times :math:`1/(\eta_k h_k)` simulated before the cloud counts as stationary:
#: the variance is then within a factor :math:`1 - e^{-12}` of its limit.
_RELAXATION_TIMES = 6.0
#: Most SGD steps one redraw may take (keeps a slider update under 0.2 s).
_MAX_STEPS = 4000


def preconditioned_rates(sigma: np.ndarray, lr_prime: float, p: float) -> np.ndarray:
    r"""Per-coordinate learning rates :math:`\eta_k = \eta'/\sigma_k^p`.

    Parameters
    ----------
    sigma : array_like, shape (d,)
        Noise standard deviations, each > 0.
    lr_prime : float
        :math:`\eta' > 0`.
    p : float
        The exponent (finite; 0 is SGD, 1 RMSProp, 2 the inverse-variance rule).
    """
    sigma = as_positive_array(sigma, "sigma")
    lr_prime = as_positive_scalar(lr_prime, "lr_prime")
    p = float(as_finite_array(p, "p", ndim=0))
    return lr_prime / sigma**p


def stationary_samples(
    h: np.ndarray, sigma: np.ndarray, rates: np.ndarray, *, n_chains: int = 400, rng: int = 0
) -> np.ndarray:
    r"""Stationary SGD samples on ``Quadratic(h, sigma)`` with per-coordinate ``rates``.

    Runs :func:`~langevin_lib.sgd` from the minimum for six relaxation times
    of the slowest coordinate, :math:`6/\min_k(\eta_k h_k)` steps, and returns
    the final ensemble, shape ``(n_chains, d)``.

    Raises
    ------
    ValueError
        If some :math:`\eta_k h_k \ge 2` (no stationary distribution) or the
        slowest coordinate would need more than 4000 steps.
    """
    problem = Quadratic(h, sigma)
    rates = as_positive_array(rates, "rates")
    quadratic_sgd_variance(problem.h, problem.sigma**2, rates)  # raises above the stability bound
    n_steps = int(np.ceil(_RELAXATION_TIMES / np.min(rates * problem.h)))
    if n_steps > _MAX_STEPS:
        raise ValueError(
            f"rates too small: the slowest coordinate needs {n_steps} steps to relax (at most {_MAX_STEPS}); "
            "raise lr_prime or lower the exponent"
        )
    return sgd(problem, np.zeros(problem.dim), rates, n_steps, n_chains=n_chains, rng=rng, record_every=n_steps).final


@dataclass(frozen=True)
class PreconditioningPlot:
    """Handles of a drawn preconditioning figure, for :func:`update_preconditioning`.

    Attributes
    ----------
    h, sigma : ndarray, shape (2,)
        The quadratic.
    n_chains, seed : int
        Size and seed of the simulated cloud (a setting always redraws the same cloud).
    cloud, ellipse : Line2D
        SGD samples; the exact stationary 2-standard-deviation ellipse.
    measured : BarContainer
        Bars of :math:`h_k\\mathrm{Var}(\\phi_k)`, one per coordinate.
    predicted : Line2D
        Markers at :math:`T_k = \\eta_k\\sigma_k^2/2`.
    title : Text
        States :math:`\\eta'`, :math:`p` and the rates.
    """

    h: np.ndarray
    sigma: np.ndarray
    n_chains: int
    seed: int
    cloud: Line2D
    ellipse: Line2D
    measured: BarContainer
    predicted: Line2D
    title: Text


def draw_preconditioning(
    axes: Sequence[Axes],
    h: np.ndarray,
    sigma: np.ndarray,
    lr_prime: float,
    p: float,
    *,
    extent: float,
    t_range: tuple[float, float],
    n_chains: int = 400,
    rng: int = 0,
) -> PreconditioningPlot:
    r"""Draw the stationary cloud (left) and the per-coordinate temperatures (right).

    Parameters
    ----------
    axes : two matplotlib Axes
        Empty axes for the cloud and for the temperature bars.
    h, sigma : array_like, shape (2,)
        Curvatures and noise levels of the 2-D quadratic.
    lr_prime, p : float
        The rates :math:`\eta'/\sigma_k^p`.
    extent : float
        Half-width of the (square) cloud window, > 0.
    t_range : (float, float)
        Limits of the logarithmic temperature axis, ``0 < low < high``.
    n_chains : int
        Points in the cloud.
    rng : int
        Seed of the SGD runs.
    """
    h = as_positive_array(h, "h")
    sigma = as_positive_array(sigma, "sigma")
    if h.shape != (2,) or sigma.shape != (2,):
        raise ValueError(f"h and sigma must have shape (2,), got {h.shape} and {sigma.shape}")
    extent = as_positive_scalar(extent, "extent")
    t_low, t_high = (float(v) for v in as_positive_array(t_range, "t_range"))
    if not t_low < t_high:
        raise ValueError(f"t_range must be (low, high) with low < high, got {t_range!r}")
    n_chains = as_count(n_chains, "n_chains", minimum=2)
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
    plot = PreconditioningPlot(h, sigma, n_chains, int(rng), cloud, ellipse, measured, predicted, title)
    update_preconditioning(plot, lr_prime, p)
    return plot


def update_preconditioning(plot: PreconditioningPlot, lr_prime: float, p: float) -> np.ndarray:
    """Redraw the cloud, the ellipse, the bars and the title for new ``lr_prime`` and ``p``.

    Returns the measured temperatures :math:`h_k\\mathrm{Var}(\\phi_k)`, shape (2,).
    """
    rates = preconditioned_rates(plot.sigma, lr_prime, p)
    samples = stationary_samples(plot.h, plot.sigma, rates, n_chains=plot.n_chains, rng=plot.seed)
    measured = plot.h * samples.var(axis=0)
    sd = np.sqrt(quadratic_sgd_variance(plot.h, plot.sigma**2, rates))
    angle = np.linspace(0.0, 2 * np.pi, 121)
    plot.cloud.set_data(samples[:, 0], samples[:, 1])
    plot.ellipse.set_data(2 * sd[0] * np.cos(angle), 2 * sd[1] * np.sin(angle))
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


def interactive_preconditioning(
    h: np.ndarray,
    sigma: np.ndarray,
    *,
    lr_range: tuple[float, float] = (0.02, 0.2),
    p_range: tuple[float, float] = (0.0, 2.0),
    lr_prime: float = 0.05,
    p: float = 1.0,
    n_chains: int = 400,
    rng: int = 0,
) -> ipywidgets.VBox:
    """Sliders for :math:`\\eta'` and :math:`p` that redraw the cloud and the temperatures (chapter 6).

    Each redraw simulates a fresh stationary cloud (well under 0.2 s with the
    defaults) and re-renders the figure into an ``Output`` widget, so it works
    with the default inline backend in Jupyter, Colab and Binder.
    """
    lr_low, lr_high = (float(v) for v in as_positive_array(lr_range, "lr_range"))
    p_low, p_high = (float(v) for v in as_finite_array(p_range, "p_range", ndim=1))
    if not (lr_low < lr_high and p_low < p_high):
        raise ValueError(f"lr_range and p_range must be (low, high) with low < high, got {lr_range!r}, {p_range!r}")
    if not (lr_low <= lr_prime <= lr_high and p_low <= p <= p_high):
        raise ValueError(f"lr_prime={lr_prime!r} and p={p!r} must lie in lr_range and p_range")
    sigma_arr, h_arr = as_positive_array(sigma, "sigma"), as_positive_array(h, "h")
    extent, t_range = _window(h_arr, sigma_arr, (lr_low, lr_high), (p_low, p_high))
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 4.0), width_ratios=[1.15, 1])
    plt.close(fig)  # shown through the Output widget only
    plot = draw_preconditioning(
        axes, h_arr, sigma_arr, lr_prime, p, extent=extent, t_range=t_range, n_chains=n_chains, rng=rng
    )
    style = {"description_width": "initial"}
    lr_slider = ipywidgets.FloatLogSlider(
        value=lr_prime, min=np.log10(lr_low), max=np.log10(lr_high), step=0.05, description="η'", style=style,
        readout_format=".3f", layout=ipywidgets.Layout(width="28em"),
    )  # fmt: skip
    p_slider = ipywidgets.FloatSlider(
        value=p, min=p_low, max=p_high, step=0.25, description="exponent p", style=style,
        layout=ipywidgets.Layout(width="28em"),
    )  # fmt: skip
    output = ipywidgets.Output()

    def show() -> None:
        with output:
            output.clear_output(wait=True)
            display(fig)

    def on_change(_: dict) -> None:
        update_preconditioning(plot, lr_slider.value, p_slider.value)
        show()

    lr_slider.observe(on_change, names="value")
    p_slider.observe(on_change, names="value")
    show()
    return ipywidgets.VBox([lr_slider, p_slider, output])


def preconditioning_animation(
    h: np.ndarray,
    sigma: np.ndarray,
    lr_prime: float,
    ps: Sequence[float],
    *,
    n_chains: int = 400,
    rng: int = 0,
    dpi: int = 80,
    interval_ms: int = 900,
) -> FuncAnimation:
    """The preconditioning figure as an animation over the exponents ``ps`` at fixed ``lr_prime``.

    The widget's kernel-free fallback; render it with
    :func:`~langevin_lib.plotting.animation_html`.
    """
    ps = as_finite_array(ps, "ps", ndim=1)
    if ps.size < 1:
        raise ValueError("ps must hold at least one exponent")
    sigma_arr, h_arr = as_positive_array(sigma, "sigma"), as_positive_array(h, "h")
    extent, t_range = _window(h_arr, sigma_arr, (lr_prime, lr_prime), (float(ps.min()), float(ps.max())))
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 4.0), width_ratios=[1.15, 1], dpi=as_count(dpi, "dpi"))
    plt.close(fig)
    plot = draw_preconditioning(
        axes, h_arr, sigma_arr, lr_prime, ps[0], extent=extent, t_range=t_range, n_chains=n_chains, rng=rng
    )

    def frame(p: float) -> list:
        update_preconditioning(plot, lr_prime, p)
        return [plot.cloud, plot.ellipse, *plot.measured, plot.predicted, plot.title]

    return FuncAnimation(fig, frame, frames=list(ps), interval=as_count(interval_ms, "interval_ms"), repeat=True)
