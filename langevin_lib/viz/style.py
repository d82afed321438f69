"""One plotting style for the whole course, and the plots every chapter reuses.

Every chapter starts with :func:`use_course_style` and draws recurring objects
in the colours of :data:`COLORS` (gradient flow always blue, gradient descent
always vermillion, ...), so a reader can tell the curves apart across the book.
The palette is Okabe & Ito's, which stays distinguishable under the common
forms of colour blindness; figures get an opaque white background so that they
stay legible when the book is read in dark mode.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import matplotlib as mpl
import numpy as np
from cycler import cycler
from matplotlib.animation import Animation
from matplotlib.axes import Axes
from matplotlib.contour import QuadContourSet
from matplotlib.lines import Line2D
from PIL import Image

from .._validation import as_count, as_finite_array, as_interval, as_positive_scalar
from ..problems import Problem, QuadraticProblem

__all__ = [
    "COLORS",
    "COURSE_RC",
    "FLOW_POINTS",
    "PALETTE",
    "PATH_STYLES",
    "animation_html",
    "ellipse_points",
    "plot_loss_contours",
    "plot_path",
    "use_course_style",
]

#: Colour of each recurring object of the course (Okabe-Ito palette).
COLORS: Mapping[str, str] = MappingProxyType(
    {
        "flow": "#0072B2",  # blue: gradient flow, the deterministic ODE
        "gd": "#D55E00",  # vermillion: full-batch gradient descent
        "sgd": "#E69F00",  # orange: stochastic gradient descent
        "langevin": "#009E73",  # bluish green: the Langevin SDE
        "rmsprop": "#CC79A7",  # reddish purple: preconditioned / adaptive methods
        "data": "#56B4E9",  # sky blue: measurements, histograms, data points
        "theory": "#000000",  # black: exact formulas and reference lines
    }
)

#: Colours for a series of curves of the same kind (a sweep over learning rates, say), in
#: order. Okabe-Ito without its yellow, which is too faint on white.
PALETTE: tuple[str, ...] = ("#D55E00", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#0072B2", "#000000")

#: Line style of each kind of path drawn by :func:`plot_path`.
PATH_STYLES: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        "flow": MappingProxyType({"color": COLORS["flow"], "linewidth": 2.4, "zorder": 3}),
        "gd": MappingProxyType(
            {"color": COLORS["gd"], "linewidth": 1.2, "marker": "o", "markersize": 3.5, "zorder": 4}
        ),
        "sgd": MappingProxyType({"color": COLORS["sgd"], "linewidth": 0.8, "alpha": 0.85, "zorder": 2}),
        "langevin": MappingProxyType({"color": COLORS["langevin"], "linewidth": 0.8, "alpha": 0.85, "zorder": 2}),
        "rmsprop": MappingProxyType({"color": COLORS["rmsprop"], "linewidth": 1.2, "zorder": 2}),
        "theory": MappingProxyType({"color": COLORS["theory"], "linewidth": 1.2, "linestyle": "--", "zorder": 5}),
    }
)

#: The rcParams that :func:`use_course_style` sets.
COURSE_RC: Mapping[str, Any] = MappingProxyType(
    {
        # An opaque white background: transparent PNGs turn black-on-black in dark mode.
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "savefig.facecolor": "white",
        "savefig.bbox": "tight",
        "figure.figsize": (6.0, 4.0),
        "figure.dpi": 100,
        "figure.constrained_layout.use": True,
        "font.size": 11,
        "axes.titlesize": 12,
        "axes.labelsize": 12,
        "legend.fontsize": 10,
        "xtick.labelsize": 10,
        "ytick.labelsize": 10,
        "lines.linewidth": 1.8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "legend.framealpha": 0.9,
        "axes.prop_cycle": cycler(color=PALETTE),
    }
)

#: Points on a drawn gradient-flow curve: smooth at any zoom of a book page.
FLOW_POINTS = 400

#: Grey of loss contours: visible on white, quieter than any path drawn over it.
_CONTOUR_GREY = "0.6"


def use_course_style() -> None:
    """Set the course's matplotlib style (:data:`COURSE_RC`) for the rest of the session.

    Called once at the top of every chapter. It changes only the keys in
    :data:`COURSE_RC` and never the backend, so it works the same in Jupyter,
    in the book build and in tests.
    """
    mpl.rcParams.update(COURSE_RC)


def plot_loss_contours(
    ax: Axes,
    problem: Problem,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    *,
    n_levels: int = 12,
    n_grid: int = 161,
    mark_minimizer: bool = True,
) -> QuadContourSet:
    r"""Draw contour lines of the training loss of a 2-D problem.

    The levels are :math:`L^* + E_j` with excess losses :math:`E_j` spaced
    geometrically from :math:`10^{-3}` of the largest excess in the window up
    to that excess. For a quadratic loss the contours are then nested ellipses
    whose sizes grow by a constant factor, so the narrow valley of an
    ill-conditioned problem shows at every scale. The axes get equal aspect,
    because only then does the gradient look perpendicular to the contours.
    Used in chapters 1, 2 and 5.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    problem : Problem
        A problem with ``dim == 2``; ``problem.loss`` must accept an array
        of shape ``(..., 2)``. If it is a QuadraticProblem, :math:`L^*` is the
        loss there (and the minimizer is marked), else the grid minimum.
    xlim, ylim : (float, float)
        The window, ``(low, high)`` with ``low < high``.
    n_levels : int
        Number of contour lines (>= 2).
    n_grid : int
        Grid points per axis (>= 2).
    mark_minimizer : bool
        Mark the minimizer with a black star (if the problem has one).

    Returns
    -------
    matplotlib.contour.QuadContourSet
    """
    if problem.dim != 2:
        raise ValueError(f"problem must be 2-D to draw loss contours, got dim={problem.dim}")
    x_lo, x_hi = as_interval(xlim, "xlim")
    y_lo, y_hi = as_interval(ylim, "ylim")
    for name, value in (("n_levels", n_levels), ("n_grid", n_grid)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 2:
            raise ValueError(f"{name} must be an integer >= 2, got {value!r}")
    xs, ys = np.linspace(x_lo, x_hi, n_grid), np.linspace(y_lo, y_hi, n_grid)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    loss = problem.loss(grid)
    minimizer = problem.minimizer() if isinstance(problem, QuadraticProblem) else None
    loss_min = float(problem.loss(minimizer)) if minimizer is not None else float(loss.min())
    top_excess = float(loss.max()) - loss_min
    levels = loss_min + np.geomspace(1e-3 * top_excess, top_excess, n_levels)
    contours = ax.contour(xs, ys, loss, levels=levels, colors=_CONTOUR_GREY, linewidths=0.8, zorder=1)
    if mark_minimizer and minimizer is not None:
        ax.plot(
            *minimizer,
            linestyle="none",
            marker="*",
            markersize=13,
            color=COLORS["theory"],
            zorder=6,
            label=r"minimiser $\phi^*$",
        )
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    ax.set_aspect("equal")
    ax.set_xlabel(r"$\phi_1$")
    ax.set_ylabel(r"$\phi_2$")
    ax.grid(False)
    return contours


def plot_path(ax: Axes, path: np.ndarray, kind: str, **line_kwargs: Any) -> Line2D:
    """Draw a 2-D path (a trajectory of one chain) in the course style for its kind.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    path : array_like, shape (n_points, 2)
        The points, in order; e.g. ``gradient_flow(...)`` or
        ``trajectory.phi[:, 0]``.
    kind : {"flow", "gd", "sgd", "langevin", "rmsprop", "theory"}
        Selects the colour and line style from :data:`PATH_STYLES`.
    **line_kwargs
        Passed on to ``ax.plot`` and override the style (e.g. ``label``).

    Returns
    -------
    matplotlib.lines.Line2D
    """
    if kind not in PATH_STYLES:
        raise ValueError(f"kind must be one of {sorted(PATH_STYLES)}, got {kind!r}")
    path = as_finite_array(path, "path", ndim=2)
    if path.shape[1] != 2:
        raise ValueError(f"path must have shape (n_points, 2), got {path.shape}")
    (line,) = ax.plot(path[:, 0], path[:, 1], **{**PATH_STYLES[kind], **line_kwargs})
    return line


def ellipse_points(
    covariance: np.ndarray, radius: float = 2.0, center: np.ndarray | None = None, n_points: int = 200
) -> np.ndarray:
    r"""Points of the ellipse :math:`\{c + \delta : \delta^\top S^{-1}\delta = r^2\}` of a 2-D covariance :math:`S`.

    At Mahalanobis radius :math:`r` a Gaussian :math:`N(c, S)` puts mass
    :math:`1 - e^{-r^2/2}` inside (39% at 1, 86% at 2). Used to draw the
    predicted stationary laws of chapters 3, 5 and 6.

    Parameters
    ----------
    covariance : array_like, shape (2, 2)
        Symmetric positive semi-definite :math:`S`.
    radius : float
        :math:`r > 0`.
    center : array_like, shape (2,), optional
        :math:`c` (default the origin).
    n_points : int
        Points on the closed curve (>= 3).

    Returns
    -------
    ndarray, shape (n_points, 2)
    """
    covariance = as_finite_array(covariance, "covariance", ndim=2)
    if covariance.shape != (2, 2):
        raise ValueError(f"covariance must have shape (2, 2), got {covariance.shape}")
    center = np.zeros(2) if center is None else as_finite_array(center, "center", ndim=1)
    values, vectors = np.linalg.eigh(covariance)
    angle = np.linspace(0.0, 2 * np.pi, as_count(n_points, "n_points", minimum=3))
    circle = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return center + as_positive_scalar(radius, "radius") * (circle * np.sqrt(np.maximum(values, 0.0))) @ vectors.T


def animation_html(animation: Animation, alt: str, *, colors: int | None = 64) -> str:
    """The animation as self-contained HTML (JavaScript player), with alt text on its image.

    This is the kernel-free fallback of the interactive figures: the built book
    is a static page, where ipywidgets cannot run, but an embedded animation
    can. Every frame is embedded as a PNG; reducing each to a palette of
    ``colors`` colours makes them about four times smaller with no visible
    change to line plots, which keeps the book page light.

    Parameters
    ----------
    animation : matplotlib.animation.Animation
        The animation to render (its frames are rendered now).
    alt : str
        Text alternative for screen readers, describing what the animation shows.
    colors : int or None
        Palette size of each frame (2 to 256), or None for full-colour frames.

    Returns
    -------
    str
        HTML to pass to ``IPython.display.HTML``.
    """
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("alt must be a non-empty description of the animation")
    if colors is not None and (isinstance(colors, bool) or not isinstance(colors, int) or not 2 <= colors <= 256):
        raise ValueError(f"colors must be an integer from 2 to 256 or None, got {colors!r}")
    player = animation.to_jshtml(default_mode="reflect")
    if colors is not None:
        player = _PNG_FRAME.sub(lambda match: _palette_png(match, colors), player)
    # The player shows every frame in one <img>; matplotlib gives it no alt attribute.
    return player.replace('<img id="_anim_img', f'<img alt="{html.escape(alt)}" id="_anim_img', 1)


#: A PNG frame embedded by ``to_jshtml``: base64 text whose line breaks are escaped for JavaScript.
_PNG_FRAME = re.compile(r'data:image/png;base64,((?:[A-Za-z0-9+/=]|\\\n)+)"')


def _palette_png(match: re.Match, colors: int) -> str:
    png = base64.b64decode(match.group(1).replace("\\\n", ""))
    image = Image.open(io.BytesIO(png)).convert("RGB")
    buffer = io.BytesIO()
    # Fast octree keeps the few saturated path colours, which median cut merges into the greys.
    image.quantize(colors=colors, method=Image.Quantize.FASTOCTREE).save(buffer, format="png", optimize=True)
    return f'data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode("ascii")}"'
