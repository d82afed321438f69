r"""Chapter 5's figure: the stationary SGD cloud against the two-temperature and the best one-temperature law.

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
Gaussian). :func:`draw_two_temperatures` draws it and
:func:`update_two_temperatures` redraws it for a new setting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from .._validation import as_count, as_positive_array, as_positive_scalar, as_seed
from ..problems import Quadratic
from ..theory import fit_temperature, langevin_temperature
from .cloud import CloudFigure
from .driver import new_figure
from .style import COLORS, ellipse_points

__all__ = ["TwoTemperatureFigure", "draw_two_temperatures", "update_two_temperatures"]

#: Mahalanobis radii of the drawn ellipses.
_RADII = (1.0, 2.0)


@dataclass(frozen=True)
class TwoTemperatureFigure(CloudFigure):
    """Handles of a drawn two-temperature figure.

    The cloud (markers of a ``Line2D``) runs six relaxation times
    :math:`1/(\\eta h)` of the slowest coordinate, its variance within a
    factor :math:`1 - e^{-12}` of the stationary one.

    Attributes
    ----------
    h : ndarray, shape (2,)
        Curvatures :math:`h_x, h_y`.
    two_temperature, one_temperature : tuple of Line2D
        The ellipses of each prediction, one per radius.
    title : Text
        States the temperatures.
    """

    h: np.ndarray
    two_temperature: tuple[Line2D, ...]
    one_temperature: tuple[Line2D, ...]


def _predictions(h: np.ndarray, lr: float, sigma: np.ndarray, cloud: np.ndarray) -> tuple[np.ndarray, float]:
    """Per-coordinate Langevin temperatures and the single temperature fitted to the cloud."""
    temps = langevin_temperature(lr, sigma**2)
    reach = 1.5 * np.abs(cloud).max() + 1e-12
    grid = np.linspace(-reach, reach, 801)
    losses = [lambda x, hk=hk: 0.5 * hk * x**2 for hk in h]
    return temps, fit_temperature(losses, cloud, grid)


def _title(temps: np.ndarray, t_star: float) -> str:
    return rf"$T_x = {temps[0]:.3g}$, $T_y = {temps[1]:.3g}$; best single $T^* = {t_star:.3g}$"


def _check_setting(lr: float, sigma_x: float, sigma_y: float) -> tuple[float, np.ndarray]:
    lr = as_positive_scalar(lr, "lr")
    sigma = np.array([as_positive_scalar(sigma_x, "sigma_x"), as_positive_scalar(sigma_y, "sigma_y")])
    return lr, sigma


def draw_two_temperatures(
    h: np.ndarray,
    lr: float,
    sigma_x: float,
    sigma_y: float,
    *,
    lim: float,
    n_chains: int = 1500,
    rng: np.random.Generator | int | None = 0,
    ax: Axes | None = None,
    figsize: tuple[float, float] = (5.4, 5.0),
) -> TwoTemperatureFigure:
    r"""Draw the stationary SGD cloud with the two-temperature and best one-temperature ellipses.

    Parameters
    ----------
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
    rng : numpy.random.Generator, int or None
        Seed of every redraw (a setting always redraws the same cloud).
    ax : matplotlib.axes.Axes, optional
        Empty axes; by default a new (closed) figure of size ``figsize``.
    figsize : (float, float)
        Size of the new figure in inches.

    Returns
    -------
    TwoTemperatureFigure
    """
    h = as_positive_array(h, "h")
    if h.shape != (2,):
        raise ValueError(f"h must have shape (2,), got {h.shape}")
    lim = as_positive_scalar(lim, "lim")
    n_chains = as_count(n_chains, "n_chains", minimum=2)
    seed = as_seed(rng)
    if ax is None:
        ax = new_figure(figsize=figsize)[1]
    (points,) = ax.plot(
        [], [], linestyle="none", marker=".", markersize=2.5, alpha=0.5, color=COLORS["sgd"], label="SGD, stationary"
    )
    two, one = [], []
    for j in range(len(_RADII)):
        (line,) = ax.plot([], [], color=COLORS["langevin"], linewidth=2.0,
                          label="two temperatures $T_x, T_y$" if j == 0 else None)  # fmt: skip
        two.append(line)
        (line,) = ax.plot([], [], color=COLORS["theory"], linewidth=1.4,
                          linestyle="--", label="best single $T^*$" if j == 0 else None)  # fmt: skip
        one.append(line)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    # Below the window, not in it: at large rates the ellipses reach every corner of the window.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=3, markerscale=4, fontsize=8, frameon=False)
    plot = TwoTemperatureFigure(
        h=h, n_chains=n_chains, seed=seed, cloud=points, two_temperature=tuple(two), one_temperature=tuple(one),
        title=ax.set_title(" ", fontsize=10),
    )  # fmt: skip
    update_two_temperatures(plot, lr, sigma_x, sigma_y)
    return plot


def update_two_temperatures(plot: TwoTemperatureFigure, lr: float, sigma_x: float, sigma_y: float) -> None:
    """Redraw the cloud, both predictions and the title of a figure from :func:`draw_two_temperatures`."""
    lr, sigma = _check_setting(lr, sigma_x, sigma_y)
    cloud = plot.sample_cloud(Quadratic(plot.h, sigma), lr)
    temps, t_star = _predictions(plot.h, lr, sigma, cloud)
    plot.cloud.set_data(cloud[:, 0], cloud[:, 1])
    for r, two, one in zip(_RADII, plot.two_temperature, plot.one_temperature, strict=True):
        two.set_data(*ellipse_points(np.diag(temps / plot.h), r).T)
        one.set_data(*ellipse_points(np.diag(t_star / plot.h), r).T)
    plot.title.set_text(_title(temps, t_star))
