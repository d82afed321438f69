r"""The two-temperature picture of chapter 5, as a figure, a widget and an animation.

SGD on the separable quadratic :math:`L(x, y) = \frac{h_x}2 x^2 + \frac{h_y}2 y^2`
with independent gradient noise of standard deviations :math:`\sigma_x, \sigma_y`
(:class:`~langevin_lib.Quadratic`) settles into a cloud whose Langevin
prediction is the two-temperature density

.. math::

    p(x, y) \propto \exp\Big(-\frac{L_x(x)}{T_x} - \frac{L_y(y)}{T_y}\Big),
    \qquad T_k = \frac{\eta\sigma_k^2}{2},

a Gaussian with variances :math:`T_k/h_k`. The best *single* temperature
:math:`T^*` (fitted to the cloud by maximum likelihood,
:func:`~langevin_lib.fit_temperature`) gives variances
:math:`T^*/h_k` instead, which are wrong in both coordinates unless
:math:`\sigma_x = \sigma_y`. The figure draws the cloud and both predictions
as ellipses at Mahalanobis radii 1 and 2 (which hold 39% and 86% of a
Gaussian). Same pattern as :mod:`langevin_lib.step_size_widgets`: drawing and update
functions that the tests exercise, wrapped by sliders and by an animation.
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

from ._validation import as_count, as_finite_array, as_positive_array, as_positive_scalar
from .plotting import COLORS
from .problems import Quadratic
from .sgd import sgd
from .temperature_fit import fit_temperature

__all__ = [
    "TwoTemperaturePlot",
    "draw_two_temperatures",
    "interactive_two_temperatures",
    "stationary_cloud",
    "two_temperature_animation",
    "update_two_temperatures",
]

#: Mahalanobis radii of the drawn ellipses.
_RADII = (1.0, 2.0)
#: Relaxation times (1/(eta h) steps each) simulated before the cloud is taken as stationary:
#: the variance then differs from the stationary one by a factor 1 - e^{-2*6}.
_RELAXATION_TIMES = 6.0


@dataclass(frozen=True)
class TwoTemperaturePlot:
    """Handles of a drawn two-temperature figure.

    Attributes
    ----------
    h : ndarray, shape (2,)
        Curvatures :math:`h_x, h_y`.
    n_chains : int
        Points in the cloud.
    seed : int
        Seed of every SGD run, so that a setting always redraws the same cloud.
    cloud : Line2D
        The SGD samples (markers only).
    two_temperature, one_temperature : tuple of Line2D
        The ellipses of each prediction, one per radius.
    title : Text
        States the temperatures.
    """

    h: np.ndarray
    n_chains: int
    seed: int
    cloud: Line2D
    two_temperature: tuple[Line2D, ...]
    one_temperature: tuple[Line2D, ...]
    title: Text


def stationary_cloud(h: np.ndarray, lr: float, sigma: np.ndarray, *, n_chains: int = 1500, rng: int = 0) -> np.ndarray:
    r"""Stationary samples of SGD on :class:`~langevin_lib.Quadratic` ``(h, sigma)``, one per chain.

    Runs ``n_chains`` chains from 0 for :math:`\lceil 6/(\eta\min_k h_k)\rceil`
    steps, after which the variance is within :math:`e^{-12}` of its
    stationary value :math:`\eta\sigma_k^2/(2h_k - \eta h_k^2)`.

    Returns
    -------
    ndarray, shape (n_chains, 2)
    """
    problem = Quadratic(h, sigma)
    lr = as_positive_scalar(lr, "lr")
    if lr * problem.h.max() >= 2:
        raise ValueError(f"lr must be < 2/max(h) = {2 / problem.h.max():.4g} for a stationary cloud, got {lr:g}")
    n_steps = int(np.ceil(_RELAXATION_TIMES / (lr * problem.h.min())))
    return sgd(problem, np.zeros(problem.dim), lr, n_steps, n_chains=n_chains, rng=rng, record_every=n_steps).final


def _predictions(h: np.ndarray, lr: float, sigma: np.ndarray, cloud: np.ndarray) -> tuple[np.ndarray, float]:
    """Per-coordinate Langevin temperatures and the single temperature fitted to the cloud."""
    temps = lr * sigma**2 / 2
    reach = 1.5 * np.abs(cloud).max() + 1e-12
    grid = np.linspace(-reach, reach, 801)
    losses = [lambda x, hk=hk: 0.5 * hk * x**2 for hk in h]
    return temps, fit_temperature(losses, cloud, grid)


def _ellipse(variances: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray]:
    angle = np.linspace(0, 2 * np.pi, 121)
    return radius * np.sqrt(variances[0]) * np.cos(angle), radius * np.sqrt(variances[1]) * np.sin(angle)


def _title(temps: np.ndarray, t_star: float) -> str:
    return rf"$T_x = {temps[0]:.3g}$, $T_y = {temps[1]:.3g}$; best single $T^* = {t_star:.3g}$"


def _check_setting(lr: float, sigma_x: float, sigma_y: float) -> tuple[float, np.ndarray]:
    lr = as_positive_scalar(lr, "lr")
    sigma = np.array([as_positive_scalar(sigma_x, "sigma_x"), as_positive_scalar(sigma_y, "sigma_y")])
    return lr, sigma


def draw_two_temperatures(
    ax: Axes,
    h: np.ndarray,
    lr: float,
    sigma_x: float,
    sigma_y: float,
    *,
    lim: float,
    n_chains: int = 1500,
    rng: int = 0,
) -> TwoTemperaturePlot:
    r"""Draw the stationary SGD cloud with the two-temperature and best one-temperature ellipses.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Empty axes.
    h : array_like, shape (2,)
        Curvatures, each > 0.
    lr : float
        Learning rate, :math:`0 < \eta < 2/\max h`.
    sigma_x, sigma_y : float
        Gradient-noise standard deviations, > 0.
    lim : float
        Half-width of the square window (fixed, so that settings can be compared).
    n_chains : int
        Points in the cloud.
    rng : int
        Seed.

    Returns
    -------
    TwoTemperaturePlot
    """
    h = as_positive_array(h, "h")
    if h.shape != (2,):
        raise ValueError(f"h must have shape (2,), got {h.shape}")
    lim = as_positive_scalar(lim, "lim")
    n_chains = as_count(n_chains, "n_chains", minimum=2)
    if isinstance(rng, bool) or not isinstance(rng, int):
        raise ValueError(f"rng must be an int seed, got {rng!r}")
    lr, sigma = _check_setting(lr, sigma_x, sigma_y)
    cloud = stationary_cloud(h, lr, sigma, n_chains=n_chains, rng=rng)
    temps, t_star = _predictions(h, lr, sigma, cloud)
    (points,) = ax.plot(
        cloud[:, 0], cloud[:, 1], linestyle="none", marker=".", markersize=2.5, alpha=0.5,
        color=COLORS["sgd"], label="SGD, stationary",
    )  # fmt: skip
    two, one = [], []
    for j, r in enumerate(_RADII):
        (line,) = ax.plot(*_ellipse(temps / h, r), color=COLORS["langevin"], linewidth=2.0,
                          label="two temperatures $T_x, T_y$" if j == 0 else None)  # fmt: skip
        two.append(line)
        (line,) = ax.plot(*_ellipse(t_star / h, r), color=COLORS["theory"], linewidth=1.4, linestyle="--",
                          label="best single $T^*$" if j == 0 else None)  # fmt: skip
        one.append(line)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.legend(loc="upper right", markerscale=4)
    title = ax.set_title(_title(temps, t_star), fontsize=10)
    return TwoTemperaturePlot(
        h=h, n_chains=n_chains, seed=rng, cloud=points, two_temperature=tuple(two), one_temperature=tuple(one),
        title=title,
    )  # fmt: skip


def update_two_temperatures(plot: TwoTemperaturePlot, lr: float, sigma_x: float, sigma_y: float) -> None:
    """Redraw the cloud, both predictions and the title of a figure from :func:`draw_two_temperatures`."""
    lr, sigma = _check_setting(lr, sigma_x, sigma_y)
    cloud = stationary_cloud(plot.h, lr, sigma, n_chains=plot.n_chains, rng=plot.seed)
    temps, t_star = _predictions(plot.h, lr, sigma, cloud)
    plot.cloud.set_data(cloud[:, 0], cloud[:, 1])
    for r, two, one in zip(_RADII, plot.two_temperature, plot.one_temperature, strict=True):
        two.set_data(*_ellipse(temps / plot.h, r))
        one.set_data(*_ellipse(t_star / plot.h, r))
    plot.title.set_text(_title(temps, t_star))


def interactive_two_temperatures(
    h: np.ndarray,
    *,
    lr: float,
    sigma_x: float,
    sigma_y: float,
    lr_range: tuple[float, float],
    sigma_range: tuple[float, float],
    lim: float,
    n_chains: int = 1500,
    rng: int = 0,
) -> ipywidgets.VBox:
    """Three sliders (learning rate, sigma_x, sigma_y) that redraw :func:`draw_two_temperatures` (chapter 5).

    The figure is re-rendered into an ``Output`` widget, so the default
    inline backend suffices (Jupyter, Colab, Binder).

    Returns
    -------
    ipywidgets.VBox
        Children: the three ``FloatSlider`` and the ``Output``.
    """
    ranges = {}
    for name, bounds in (("lr_range", lr_range), ("sigma_range", sigma_range)):
        b = as_positive_array(bounds, name)
        if b.shape != (2,) or not b[0] < b[1]:
            raise ValueError(f"{name} must be (low, high) with 0 < low < high, got {bounds!r}")
        ranges[name] = (float(b[0]), float(b[1]))
    for name, value, key in (("lr", lr, "lr_range"), ("sigma_x", sigma_x, "sigma_range"),
                             ("sigma_y", sigma_y, "sigma_range")):  # fmt: skip
        low, high = ranges[key]
        if not low <= as_positive_scalar(value, name) <= high:
            raise ValueError(f"{name} must lie in {key} {(low, high)}, got {value!r}")
    fig, ax = plt.subplots(figsize=(5.4, 5.0))
    plt.close(fig)  # shown through the Output widget only
    plot = draw_two_temperatures(ax, h, lr, sigma_x, sigma_y, lim=lim, n_chains=n_chains, rng=rng)

    def slider(value: float, bounds: tuple[float, float], description: str) -> ipywidgets.FloatSlider:
        return ipywidgets.FloatSlider(
            value=value, min=bounds[0], max=bounds[1], step=(bounds[1] - bounds[0]) / 100,
            description=description, readout_format=".3f", continuous_update=False,
            style={"description_width": "initial"}, layout=ipywidgets.Layout(width="30em"),
        )  # fmt: skip

    sliders = [
        slider(lr, ranges["lr_range"], "learning rate η"),
        slider(sigma_x, ranges["sigma_range"], "noise sigma_x"),
        slider(sigma_y, ranges["sigma_range"], "noise sigma_y"),
    ]
    output = ipywidgets.Output()

    def show() -> None:
        with output:
            output.clear_output(wait=True)
            display(fig)

    def on_change(_: dict) -> None:
        update_two_temperatures(plot, *(s.value for s in sliders))
        show()

    for s in sliders:
        s.observe(on_change, names="value")
    show()
    return ipywidgets.VBox([*sliders, output])


def two_temperature_animation(
    h: np.ndarray,
    settings: Sequence[tuple[float, float, float]],
    *,
    lim: float,
    n_chains: int = 1500,
    rng: int = 0,
    dpi: int = 80,
    interval_ms: int = 900,
) -> FuncAnimation:
    """The widget's kernel-free fallback: one frame per setting ``(lr, sigma_x, sigma_y)``.

    Render it with :func:`~langevin_lib.plotting.animation_html`.
    """
    rows = as_finite_array(settings, "settings", ndim=2)
    if rows.shape[1] != 3 or rows.shape[0] < 1:
        raise ValueError(f"settings must be a non-empty list of (lr, sigma_x, sigma_y), got shape {rows.shape}")
    dpi = as_count(dpi, "dpi")
    interval_ms = as_count(interval_ms, "interval_ms")
    fig, ax = plt.subplots(figsize=(5.0, 4.7), dpi=dpi)
    plt.close(fig)
    plot = draw_two_temperatures(ax, h, *rows[0], lim=lim, n_chains=n_chains, rng=rng)

    def frame(row: np.ndarray) -> list:
        update_two_temperatures(plot, *row)
        return [plot.cloud, *plot.two_temperature, *plot.one_temperature, plot.title]

    return FuncAnimation(fig, frame, frames=list(rows), interval=interval_ms, repeat=True)
