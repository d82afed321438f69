"""The one driver of the interactive figures (langevin_lib.viz.driver): sliders, the live image, the animation.

The driver is tested on a tiny figure of its own (a line whose end point and
title follow the setting), so that every assertion is about the driver and
each render is cheap; the figure modules' tests use the driver with the real figures.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.text import Text
from PIL import Image

from langevin_lib import viz

FIGSIZE, DPI = (2.0, 1.5), 50


@dataclass(frozen=True)
class Ramp:
    """A drawn test figure: a line from (0, 0) to (1, height), titled with the setting."""

    line: Line2D
    title: Text
    calls: list

    @property
    def figure(self) -> Figure:
        return self.line.figure


def draw_ramp(height: float = 0.0, label: str = "a", *, layout: str | None = None) -> Ramp:
    _, ax = viz.new_figure(figsize=FIGSIZE, dpi=DPI, layout=layout)
    (line,) = ax.plot([0.0, 1.0], [0.0, 0.0])
    ax.set_ylim(-1.0, 4.0)
    plot = Ramp(line, ax.set_title(" "), [])
    update_ramp(plot, height, label)
    plot.calls.clear()
    return plot


def update_ramp(plot: Ramp, height: float, label: str = "a") -> float:
    if not np.isfinite(height):
        raise ValueError(f"height must be finite, got {height!r}")
    plot.calls.append({"height": height, "label": label})
    plot.line.set_ydata([0.0, height])
    plot.title.set_text(f"{label}: height = {height:g}")
    return height


def pixels(png: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return np.asarray(image.convert("RGBA"))


def independent_render(height: float, label: str = "a", *, pixel_ratio: int = 1) -> np.ndarray:
    """The same figure drawn afresh at one setting and rendered with Agg, without the driver."""
    plot = draw_ramp(height, label)
    plot.figure.set_dpi(DPI * pixel_ratio)
    canvas = FigureCanvasAgg(plot.figure)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


# --- new_figure ----------------------------------------------------------------


def test_new_figure_is_closed_but_drawable():
    open_before = plt.get_fignums()
    fig, axes = viz.new_figure(2, 3, figsize=(3.0, 2.0), dpi=20, squeeze=False)
    assert plt.get_fignums() == open_before  # the inline backend will not show a second, static copy
    assert axes.shape == (2, 3) and all(ax.figure is fig for ax in axes.ravel())
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    assert Image.open(buffer).size == (60, 40)


# --- slider ------------------------------------------------------------------


def test_slider_offers_exactly_the_values_with_their_readouts():
    values = [0.05, 0.1, 0.25, 1, 16.0]
    control = viz.slider(values, description="learning rate")
    assert isinstance(control, ipywidgets.SelectionSlider)
    assert [value for _, value in control.options] == values
    assert [label for label, _ in control.options] == ["0.05", "0.1", "0.25", "1", "16"]
    assert all(float(label) == value for label, value in control.options)  # the readout is the value used
    assert control.value == 0.05 and control.index == 0  # the first value by default
    assert control.description == "learning rate"
    control.value = 0.25
    assert control.options[control.index] == ("0.25", 0.25)


def test_slider_starts_at_the_given_value_and_keeps_the_values():
    values = [0.5, 2, 3.5]
    control = viz.slider(values, value=2, description="x")
    assert control.value == 2 and control.options[control.index] == ("2", 2)
    assert all(got is given for (_, got), given in zip(control.options, values, strict=True))


def test_slider_turns_numpy_scalars_into_python_numbers():
    control = viz.slider(np.array([0.25, 0.5]), value=np.float64(0.5), description="x")
    assert control.options == (("0.25", 0.25), ("0.5", 0.5))
    assert all(type(value) is float for _, value in control.options)
    assert type(control.value) is float and control.value == 0.5


def test_slider_formats_numbers_with_fmt_and_shows_strings_as_they_are():
    control = viz.slider([0.125, "plain SGD", 2.0], description="scheme", fmt=".2f")
    assert [label for label, _ in control.options] == ["0.12", "plain SGD", "2.00"]
    assert viz.slider(range(3), description="k").options == (("0", 0), ("1", 1), ("2", 2))


def test_slider_rejects_an_empty_list_and_a_value_outside_it():
    with pytest.raises(ValueError, match="values must hold at least one"):
        viz.slider([], description="x")
    with pytest.raises(ValueError, match="value must be one of values"):
        viz.slider([0.1, 0.2], value=0.3, description="x")
    with pytest.raises(ValueError, match="value must be one of values"):
        viz.slider(["a", "b"], value="c", description="x")


def test_slider_never_shows_two_values_with_the_same_readout():
    with pytest.raises(ValueError, match="distinct readouts"):
        viz.slider([0.1001, 0.1002], description="x")
    labels = [label for label, _ in viz.slider([0.1001, 0.1002], description="x", fmt=".4f").options]
    assert labels == ["0.1001", "0.1002"]


# --- interactive -------------------------------------------------------------


def test_interactive_is_the_controls_then_an_image():
    plot = draw_ramp()
    height = viz.slider([0.5, 1.0, 2.0], description="height")
    label = viz.slider(["a", "b"], description="label")
    box = viz.interactive(plot, update_ramp, height=height, label=label)
    assert isinstance(box, ipywidgets.VBox)
    assert box.children[:2] == (height, label)
    image = box.children[2]
    assert isinstance(image, ipywidgets.Image) and image.format == "png"
    assert bytes(image.value).startswith(b"\x89PNG\r\n\x1a\n")


def test_the_image_has_twice_the_pixels_of_the_size_it_is_shown_at():
    """Sharp on a 2x screen, never stretched on a 1x one, and never wider than the page."""
    plot = draw_ramp()
    box = viz.interactive(plot, update_ramp, height=viz.slider([0.5, 1.0], description="height"))
    image = box.children[-1]
    shown = (FIGSIZE[0] * DPI, FIGSIZE[1] * DPI)
    assert Image.open(io.BytesIO(bytes(image.value))).size == (2 * shown[0], 2 * shown[1])
    assert (image.layout.width, image.layout.max_width, image.layout.height) == (f"{shown[0]:.0f}px", "100%", "auto")
    assert plot.figure.get_dpi() == DPI  # only the pixels change, not the figure


def test_a_stored_widget_reads_run_this_cell_where_it_cannot_be_shown():
    box = viz.interactive(draw_ramp(), update_ramp, height=viz.slider([0.5, 1.0], description="height"))
    bundle = box._repr_mimebundle_()
    assert bundle["text/plain"] == viz.driver.RUN_THE_CELL_FOR_SLIDERS
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_the_first_render_shows_the_controls_initial_values():
    plot = draw_ramp(0.5, "a")  # drawn at another setting than the controls show
    height = viz.slider([0.5, 1.0, 2.0], value=2.0, description="height")
    box = viz.interactive(plot, update_ramp, height=height, label=viz.slider(["a", "b"], value="b", description="l"))
    assert plot.calls == [{"height": 2.0, "label": "b"}]
    assert plot.title.get_text() == "b: height = 2"
    np.testing.assert_array_equal(plot.line.get_ydata(), [0.0, 2.0])
    np.testing.assert_array_equal(pixels(bytes(box.children[-1].value)), independent_render(2.0, "b", pixel_ratio=2))


def test_moving_a_control_redraws_and_moving_it_back_restores_the_picture():
    plot = draw_ramp()
    height = viz.slider([0.5, 1.0, 2.0], value=1.0, description="height")
    label = viz.slider(["a", "b"], description="label")
    box = viz.interactive(plot, update_ramp, height=height, label=label)
    image = box.children[-1]
    first = bytes(image.value)
    height.value = 2.0
    moved = bytes(image.value)
    assert moved != first
    assert plot.calls[-1] == {"height": 2.0, "label": "a"}  # every control's current value, by name
    np.testing.assert_array_equal(pixels(moved), independent_render(2.0, "a", pixel_ratio=2))
    label.value = "b"
    assert plot.title.get_text() == "b: height = 2" and bytes(image.value) != moved
    label.value = "a"
    height.value = 1.0
    assert bytes(image.value) == first
    assert len(plot.calls) == 5  # the first render and one per move


def test_the_layout_is_solved_once():
    plot = draw_ramp(layout="constrained")
    assert isinstance(plot.figure.get_layout_engine(), ConstrainedLayoutEngine)
    height = viz.slider([1.0, 1000000.0], description="height")
    viz.interactive(plot, update_ramp, height=height)
    ax = plot.line.axes
    position = ax.get_position().bounds
    assert not isinstance(plot.figure.get_layout_engine(), ConstrainedLayoutEngine)
    height.value = 1000000.0  # a much longer title: a live layout engine would move the axes
    assert ax.get_position().bounds == position


def test_interactive_accepts_any_value_widget():
    plot = draw_ramp()
    box = viz.interactive(plot, update_ramp, height=ipywidgets.FloatText(value=1.5))
    assert plot.title.get_text() == "a: height = 1.5"
    box.children[0].value = 3.0
    assert plot.title.get_text() == "a: height = 3"


def test_interactive_rejects_missing_or_bad_controls():
    plot = draw_ramp()
    with pytest.raises(ValueError, match="at least one control"):
        viz.interactive(plot, update_ramp)
    with pytest.raises(ValueError, match="control 'height' must be an ipywidgets value widget, got list"):
        viz.interactive(plot, update_ramp, height=[0.5, 1.0])
    with pytest.raises(ValueError, match="height must be finite"):  # the update's own check, at the first render
        viz.interactive(plot, update_ramp, height=ipywidgets.FloatText(value=np.nan))


# --- animate -----------------------------------------------------------------


def embedded_frames(html: str) -> list[bytes]:
    payloads = re.findall(r'data:image/png;base64,((?:[A-Za-z0-9+/=]|\\\n)+)"', html)
    return [base64.b64decode(p.replace("\\\n", "")) for p in payloads]


def test_animate_gives_html_png_and_text():
    plot = draw_ramp()
    frames = [{"height": 0.5}, {"height": 1.5, "label": "b"}, {"height": 3.0}]
    animation = viz.animate(plot, update_ramp, frames, alt='a ramp that "rises" <fast>')
    assert isinstance(animation, viz.Animation)
    bundle = animation._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/png", "text/plain"}
    html = bundle["text/html"]
    assert 'alt="a ramp that &quot;rises&quot; &lt;fast&gt;"' in html
    assert len(embedded_frames(html)) == len(frames) + 1  # one frame per setting, and the first as the image
    assert all(png.startswith(b"\x89PNG") for png in embedded_frames(html))
    assert bundle["image/png"].startswith(b"\x89PNG\r\n\x1a\n")
    assert 'a ramp that "rises" <fast>' in bundle["text/plain"]
    assert (animation.html, animation.png, animation.alt) == (html, bundle["image/png"], 'a ramp that "rises" <fast>')


def test_without_javascript_the_player_shows_the_first_frame_and_asks_to_run_the_cell():
    """What Jupyter shows of a stored animation before the cell is run: scripts stripped, the rest kept."""
    animation = viz.animate(draw_ramp(), update_ramp, [{"height": 0.5}, {"height": 1.5}], alt="ramps", dpi=DPI)
    sanitised = re.sub(r"<script.*?</script>", "", animation.html, flags=re.DOTALL)
    (src,) = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', sanitised)
    assert base64.b64decode(src) == animation.png
    assert viz.driver.RUN_THE_CELL_TO_PLAY in sanitised
    # The player's script removes the line: it is the element right before the script.
    assert re.search(
        r'<p class="ll-run-to-play">.*?</p><script>document\.currentScript\.previousElementSibling'
        r"\.remove\(\);</script>",
        animation.html,
    )


def test_the_png_is_the_first_frame_and_every_setting_is_drawn_in_order():
    plot = draw_ramp(2.0)
    frames = [{"height": 0.5}, {"height": 1.5, "label": "b"}]
    animation = viz.animate(plot, update_ramp, frames, alt="two ramps", dpi=DPI)
    np.testing.assert_array_equal(pixels(animation.png), independent_render(0.5))
    assert plot.calls[0] == {"height": 0.5, "label": "a"}
    assert plot.calls[-2:] == [{"height": 0.5, "label": "a"}, {"height": 1.5, "label": "b"}]
    assert plot.title.get_text() == "b: height = 1.5"  # the player leaves the figure on its last frame


def test_animate_takes_the_frame_interval_and_resolution():
    animation = viz.animate(draw_ramp(), update_ramp, [{"height": 1.0}], alt="one ramp", interval_ms=250, dpi=20)
    assert re.search(r"new Animation\(frames, img_id, slider_id, 250(\.0)?,", animation.html)
    first, frame = embedded_frames(animation.html)
    size = (FIGSIZE[0] * 20, FIGSIZE[1] * 20)
    assert Image.open(io.BytesIO(frame)).size == size and Image.open(io.BytesIO(animation.png)).size == size
    assert first == animation.png


@pytest.mark.parametrize(
    ("frames", "kwargs", "error", "match"),
    [
        ([], {}, ValueError, "frames must be a non-empty sequence of mappings"),
        ((), {}, ValueError, "frames must be a non-empty sequence of mappings"),
        ([{"height": 1.0}], {"interval_ms": 0}, ValueError, "interval_ms"),
        ([{"height": 1.0}], {"interval_ms": 2.5}, ValueError, "interval_ms"),
        ([{"height": 1.0}], {"dpi": 0}, ValueError, "dpi"),
        ([{"height": np.inf}], {}, ValueError, "height must be finite"),
        ([{"height": 1.0}, {"height": np.nan}], {}, ValueError, "height must be finite"),
        ([{"height": 1.0}], {"alt": "  "}, ValueError, "alt"),
        ([{"depth": 1.0}], {}, TypeError, "depth"),
        ([0.5, 1.0], {}, ValueError, "frames must be a non-empty sequence of mappings"),
    ],
)
@pytest.mark.filterwarnings("ignore:Animation was deleted without rendering anything")
def test_animate_rejects_bad_frames(frames, kwargs, error, match):
    with pytest.raises(error, match=match):
        viz.animate(draw_ramp(), update_ramp, frames, **{"alt": "ramps", **kwargs})
