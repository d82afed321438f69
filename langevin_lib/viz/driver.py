"""One driver for every interactive figure of the course: sliders in a kernel, an animation without one.

Each figure module of :mod:`langevin_lib.viz` provides a small data class (the
drawn figure and the artists that change), ``draw_*`` (draws a setting) and
``update_*(plot, **setting)`` (redraws for a new setting). This module turns
such a pair into

- :func:`interactive`: controls (usually :func:`slider`) whose every move calls
  ``update_*`` and re-renders the figure with Agg into an ``ipywidgets.Image``
  (no interactive matplotlib backend needed: Jupyter, Colab and Binder all
  show it), and
- :func:`animate`: the same figure stepped through a list of settings, for the
  static book where no kernel runs: a JavaScript player (HTML) with alt text,
  plus a PNG of the first frame for readers and builders without JavaScript
  (the PDF).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import PIL.Image
from matplotlib.animation import FuncAnimation
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from .._validation import as_count
from .style import animation_html

__all__ = [
    "Animation",
    "DrawnFigure",
    "FigureState",
    "InteractiveFigure",
    "animate",
    "interactive",
    "new_figure",
    "slider",
]

#: Device pixels per CSS pixel of the live image: drawn at twice the figure's dpi and shown at its
#: size, it stays sharp on high-density screens and is never stretched on ordinary ones.
PIXEL_RATIO = 2

#: What a notebook shows in place of a stored widget or animation before the cell is run: widget
#: views need a running kernel, and the animation's player is JavaScript, which an untrusted
#: notebook (one opened, not run) does not execute.
RUN_THE_CELL_FOR_SLIDERS = "Interactive figure: run this cell to get its sliders (they need a running kernel)."
RUN_THE_CELL_TO_PLAY = (
    "Run this cell to play the animation (its player is JavaScript, which an unrun notebook does not run)."
)


class DrawnFigure(Protocol):
    """What the driver needs of a drawn figure: the matplotlib figure it lives in."""

    @property
    def figure(self) -> Figure: ...


@dataclass(frozen=True)
class FigureState:
    """Base of the data class of every drawn figure: its title, through which the figure is reached.

    Attributes
    ----------
    title : matplotlib.text.Text
        The title, which states the setting shown.
    """

    title: Text

    @property
    def figure(self) -> Figure:
        """The matplotlib figure."""
        return self.title.figure


def new_figure(nrows: int = 1, ncols: int = 1, **subplots: Any) -> tuple[Figure, Any]:
    """A figure for a ``draw_*`` function, closed at once so that only the widget or the animation shows it.

    Closed figures can still be drawn and saved; closing keeps the inline
    backend from showing a second, static copy. Arguments as for
    ``matplotlib.pyplot.subplots``.
    """
    fig, axes = plt.subplots(nrows, ncols, **subplots)
    plt.close(fig)
    return fig, axes


def slider(
    values: Sequence[Any], *, value: Any = None, description: str, fmt: str = ".3g"
) -> ipywidgets.SelectionSlider:
    """A slider over exactly the given values, so that its readout is the value the figure uses.

    Parameters
    ----------
    values : sequence
        The settings offered, in slider order (at least one).
    value : optional
        The initial value (one of ``values``; default the first).
    description : str
        The label left of the slider.
    fmt : str
        Format of the readout of numeric values (strings are shown as they are).
    """
    options = [v.item() if isinstance(v, np.generic) else v for v in values]
    if not options:
        raise ValueError("values must hold at least one setting")
    value = options[0] if value is None else value
    if value not in options:
        raise ValueError(f"value must be one of values {options!r}, got {value!r}")
    labels = [format(v, fmt) if isinstance(v, (int, float, np.number)) else str(v) for v in options]
    if len(set(labels)) < len(labels):
        raise ValueError(f"values must have distinct readouts with fmt={fmt!r} (use more digits), got {labels}")
    return ipywidgets.SelectionSlider(
        options=list(zip(labels, options, strict=True)),
        value=value,
        description=description,
        style={"description_width": "initial"},
        layout=ipywidgets.Layout(width="32em"),
    )


class InteractiveFigure(ipywidgets.VBox):
    """The controls and the live image of :func:`interactive`: an ``ipywidgets.VBox`` in every respect.

    Only its text form differs: a notebook stores it as the output's ``text/plain``, which is what a
    reader sees where the widget cannot be shown (a notebook opened but not yet run, where widget
    views need a kernel), so it says to run the cell instead of listing the widget's children.
    """

    def __repr__(self) -> str:
        return RUN_THE_CELL_FOR_SLIDERS


def interactive(plot: DrawnFigure, update: Callable[..., Any], **controls: ipywidgets.ValueWidget) -> InteractiveFigure:
    """Controls that redraw ``plot`` with ``update(plot, **values)`` at every move.

    The figure is redrawn once for the controls' initial values (so the
    picture always matches the readouts), its layout is then frozen (only data
    changes with a setting, so the layout is solved once), and every move
    renders it with Agg into an ``Image`` widget, at :data:`PIXEL_RATIO` times
    the figure's dpi and shown at the figure's size (at most the page width).

    Parameters
    ----------
    plot : DrawnFigure
        What a ``draw_*`` function returned.
    update : callable
        The matching ``update_*``; called as ``update(plot, **{name: control.value})``.
    **controls : ipywidgets.ValueWidget
        One control per keyword argument of ``update`` (e.g. from :func:`slider`).

    Returns
    -------
    InteractiveFigure
        The controls, then the image.
    """
    if not controls:
        raise ValueError("interactive needs at least one control")
    for name, control in controls.items():
        if not isinstance(control, ipywidgets.ValueWidget):
            raise ValueError(f"control {name!r} must be an ipywidgets value widget, got {type(control).__name__}")
    fig = plot.figure
    canvas = FigureCanvasAgg(fig)

    def values() -> dict[str, Any]:
        return {name: control.value for name, control in controls.items()}

    update(plot, **values())
    canvas.draw()
    fig.set_layout_engine("none")
    width = f"{round(fig.get_figwidth() * fig.get_dpi())}px"
    image = ipywidgets.Image(
        value=_sharp_png(canvas), format="png", layout=ipywidgets.Layout(width=width, max_width="100%", height="auto")
    )

    def on_change(_: Mapping[str, Any]) -> None:
        update(plot, **values())
        image.value = _sharp_png(canvas)

    for control in controls.values():
        control.observe(on_change, names="value")
    return InteractiveFigure([*controls.values(), image])


class Animation:
    """A kernel-free animation: a JavaScript player for HTML, a PNG of its first frame for everything else.

    Displaying it in a notebook gives a MIME bundle with ``text/html`` (the
    player, with alt text), ``image/png`` (the first frame: what a PDF or a
    reader without JavaScript gets) and ``text/plain`` (what the animation
    shows). Where the player's JavaScript does not run (a notebook opened but
    not run: Jupyter sanitises its stored HTML), the HTML still shows the first
    frame, and a line asking to run the cell that the player removes when it runs.

    Attributes
    ----------
    html : str
        The player.
    png : bytes
        The first frame.
    alt : str
        The text alternative.
    """

    def __init__(self, html: str, png: bytes, alt: str):
        self.html, self.png, self.alt = html, png, alt

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self.html, "image/png": self.png, "text/plain": f"Animation: {self.alt}"}


def animate(
    plot: DrawnFigure,
    update: Callable[..., Any],
    frames: Sequence[Mapping[str, Any]],
    *,
    alt: str,
    interval_ms: int = 900,
    dpi: int = 80,
) -> Animation:
    """Step ``plot`` through ``frames`` (settings for ``update``) as a kernel-free animation.

    Parameters
    ----------
    plot : DrawnFigure
        What a ``draw_*`` function returned (drawn at any setting; the first
        frame redraws it).
    update : callable
        The matching ``update_*``.
    frames : sequence of mappings
        The keyword arguments of ``update`` for each frame (at least one).
    alt : str
        Text alternative for screen readers, describing what the animation shows.
    interval_ms : int
        Delay between frames in milliseconds.
    dpi : int
        Resolution of the frames; every frame is embedded as a PNG, so a
        modest dpi keeps the book page light.

    Returns
    -------
    Animation
    """
    if not all(isinstance(frame, Mapping) for frame in frames) or not frames:
        raise ValueError("frames must be a non-empty sequence of mappings (keyword arguments of update)")
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("alt must be a non-empty description of the animation")
    settings = [dict(frame) for frame in frames]
    interval_ms = as_count(interval_ms, "interval_ms")
    fig = plot.figure
    own_dpi = fig.get_dpi()
    fig.set_dpi(as_count(dpi, "dpi"))
    try:
        canvas = FigureCanvasAgg(fig)
        update(plot, **settings[0])
        first = _png(canvas)
        animation = FuncAnimation(
            fig, lambda setting: update(plot, **setting), frames=settings, interval=interval_ms, repeat=True
        )
        player = _with_first_frame(animation_html(animation, alt), first)
    finally:
        fig.set_dpi(own_dpi)
    return Animation(player, first, alt)


def _with_first_frame(player: str, first: bytes) -> str:
    """The player with the first frame as its image's ``src`` and a run-the-cell line that its script removes."""
    source = "data:image/png;base64," + base64.b64encode(first).decode("ascii")
    player = player.replace('<img alt="', f'<img src="{source}" alt="', 1)
    note = (
        f'<p class="ll-run-to-play"><em>{html.escape(RUN_THE_CELL_TO_PLAY)}</em></p>'
        "<script>document.currentScript.previousElementSibling.remove();</script>"
    )
    return note + player


def _sharp_png(canvas: FigureCanvasAgg) -> bytes:
    """The figure rendered at PIXEL_RATIO times its dpi (the dpi is restored: only pixels change)."""
    fig = canvas.figure
    own_dpi = fig.get_dpi()
    fig.set_dpi(own_dpi * PIXEL_RATIO)
    try:
        return _png(canvas)
    finally:
        fig.set_dpi(own_dpi)


def _png(canvas: FigureCanvasAgg) -> bytes:
    canvas.draw()
    buffer = io.BytesIO()
    PIL.Image.fromarray(np.asarray(canvas.buffer_rgba())).save(buffer, format="png")
    return buffer.getvalue()
