"""Tests of the course plotting style and the shared plot helpers (langevin_lib.viz.style)."""

from __future__ import annotations

import base64
import io
import re

import matplotlib
import numpy as np
import pytest
from matplotlib.animation import FuncAnimation
from matplotlib.colors import is_color_like, to_hex
from PIL import Image

import langevin_lib as ll
from langevin_lib import viz
from langevin_lib.viz import style as plotting


@pytest.fixture
def valley() -> ll.LinearRegression:
    """A 2-D least-squares problem with a tilted, ill-conditioned valley."""
    rng = np.random.default_rng(5)
    X = rng.standard_normal((40, 2)) @ np.array([[1.0, 0.6], [0.0, 0.3]])
    y = X @ np.array([0.5, -1.0]) + 0.1 * rng.standard_normal(40)
    return ll.LinearRegression(X, y)


@pytest.fixture
def axes():
    return viz.new_figure()[1]  # closed at once: nothing to clean up


# --- style -------------------------------------------------------------------


def test_course_style_sets_the_promised_rcparams():
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        plotting.use_course_style()
        rc = matplotlib.rcParams
        for key in ("figure.facecolor", "axes.facecolor", "savefig.facecolor"):
            assert to_hex(rc[key]) == "#ffffff", key  # opaque white: legible in dark mode
        assert rc["savefig.bbox"] == "tight"
        assert rc["font.size"] >= 10 and rc["axes.labelsize"] >= 10
        assert [to_hex(c["color"]) for c in rc["axes.prop_cycle"]] == [to_hex(c) for c in plotting.PALETTE]
        for key, value in plotting.COURSE_RC.items():
            if key != "axes.prop_cycle":
                assert np.array_equal(np.asarray(rc[key], dtype=object), np.asarray(value, dtype=object)), key


def test_course_style_does_not_change_the_backend():
    backend = matplotlib.get_backend()
    with matplotlib.rc_context():
        plotting.use_course_style()
        assert matplotlib.get_backend() == backend


def test_named_colours_cover_the_recurring_objects_and_are_distinct():
    for name in ("flow", "gd", "sgd", "langevin", "theory"):
        assert is_color_like(plotting.COLORS[name])
    assert len(set(plotting.COLORS.values())) == len(plotting.COLORS)
    with pytest.raises(TypeError):
        plotting.COLORS["flow"] = "red"  # read-only: one palette for the whole course


def test_palette_omits_yellow_and_is_okabe_ito():
    okabe_ito = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}
    assert {to_hex(c) for c in plotting.PALETTE} <= okabe_ito - {"#f0e442"}


# --- plot_loss_contours ------------------------------------------------------


def test_contours_are_geometric_levels_above_the_minimum(valley, axes):
    contours = plotting.plot_loss_contours(axes, valley, (-2, 2), (-3, 1), n_levels=10)
    excess = np.asarray(contours.levels) - valley.loss(valley.minimizer())
    assert excess.size == 10 and np.all(excess > 0)
    ratios = excess[1:] / excess[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-10)  # geometric spacing
    assert excess[-1] / excess[0] == pytest.approx(1e3)


def test_contours_mark_the_minimizer_and_set_the_window(valley, axes):
    plotting.plot_loss_contours(axes, valley, (-2, 2), (-3, 1))
    (star,) = axes.lines
    np.testing.assert_allclose(np.ravel(star.get_xydata()), valley.minimizer())
    assert axes.get_xlim() == (-2, 2) and axes.get_ylim() == (-3, 1)
    assert axes.get_aspect() == 1.0


def test_contours_of_a_problem_without_minimizer_use_the_grid_minimum(axes):
    class Bowl:
        dim = 2

        def loss(self, phi):
            return np.sum((phi - 0.25) ** 2, axis=-1)

    contours = plotting.plot_loss_contours(axes, Bowl(), (-1, 1), (-1, 1), n_grid=5)
    assert not axes.lines  # nothing to mark
    grid_min = 2 * 0.25**2  # nearest grid point (0, 0) of linspace(-1, 1, 5)
    assert contours.levels[0] > grid_min


def test_contours_reject_bad_input(valley, axes):
    with pytest.raises(ValueError, match="2-D"):
        plotting.plot_loss_contours(axes, ll.Quadratic([1.0, 2.0, 3.0], 0.0), (-1, 1), (-1, 1))
    with pytest.raises(ValueError, match="xlim"):
        plotting.plot_loss_contours(axes, valley, (1, -1), (-1, 1))
    with pytest.raises(ValueError, match="ylim"):
        plotting.plot_loss_contours(axes, valley, (-1, 1), (0, 1, 2))
    with pytest.raises(ValueError, match="n_levels"):
        plotting.plot_loss_contours(axes, valley, (-1, 1), (-1, 1), n_levels=1)


# --- plot_path ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["flow", "gd", "sgd", "langevin", "theory"])
def test_plot_path_draws_the_points_in_the_colour_of_their_kind(axes, kind):
    path = np.array([[0.0, 1.0], [0.5, 0.4], [1.0, 0.1]])
    line = plotting.plot_path(axes, path, kind, label="a path")
    np.testing.assert_array_equal(line.get_xydata(), path)
    assert to_hex(line.get_color()) == to_hex(plotting.PATH_STYLES[kind]["color"])
    assert line.get_label() == "a path"


def test_plot_path_keyword_arguments_override_the_style(axes):
    line = plotting.plot_path(axes, np.zeros((2, 2)), "gd", color="black", marker="x")
    assert line.get_color() == "black" and line.get_marker() == "x"


def test_plot_path_rejects_bad_input(axes):
    with pytest.raises(ValueError, match="kind"):
        plotting.plot_path(axes, np.zeros((3, 2)), "adam")
    with pytest.raises(ValueError, match="path"):
        plotting.plot_path(axes, np.zeros((3, 3)), "flow")
    with pytest.raises(ValueError, match="path"):
        plotting.plot_path(axes, [[0.0, np.nan]], "flow")


# --- ellipse_points ----------------------------------------------------------


def test_ellipse_lies_on_the_mahalanobis_level_set_around_its_centre():
    S = np.array([[2.0, 0.5], [0.5, 1.0]])
    centre = np.array([1.0, -1.0])
    points = plotting.ellipse_points(S, radius=2.0, center=centre) - centre
    np.testing.assert_allclose(np.einsum("ia,ab,ib->i", points, np.linalg.inv(S), points), 4.0, rtol=1e-12)
    assert points.shape == (200, 2)


def test_ellipse_defaults_to_radius_two_around_the_origin_and_is_closed():
    S = np.diag([4.0, 0.25])
    points = plotting.ellipse_points(S, n_points=9)
    assert points.shape == (9, 2)
    np.testing.assert_allclose(points[0], points[-1], atol=1e-12)  # a closed curve when drawn as a line
    # Semi-axes r sqrt(eigenvalue) = 2 * 2 and 2 * 0.5 along the coordinate axes.
    np.testing.assert_allclose(np.abs(points).max(axis=0), [4.0, 1.0], rtol=1e-12)


def test_ellipse_of_a_singular_covariance_is_a_segment():
    points = plotting.ellipse_points(np.diag([1.0, 0.0]), radius=1.0, n_points=5)  # angles k pi/2
    np.testing.assert_allclose(points[:, 1], 0.0, atol=1e-12)
    assert np.abs(points[:, 0]).max() == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"covariance": np.eye(3)}, "covariance"),
        ({"covariance": [[1.0, np.nan], [np.nan, 1.0]]}, "covariance"),
        ({"radius": 0.0}, "radius"),
        ({"n_points": 2}, "n_points"),
        ({"center": [[0.0, 0.0]]}, "center"),
    ],
)
def test_ellipse_rejects_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        plotting.ellipse_points(**{"covariance": np.eye(2), **kwargs})


# --- animation_html ----------------------------------------------------------


def _small_animation(n_frames: int = 3) -> FuncAnimation:
    fig, ax = viz.new_figure(figsize=(2, 1.5), dpi=40)
    (line,) = ax.plot([0, 1], [0, 1], color=plotting.COLORS["flow"])
    ax.set_ylim(-1, 4)
    return FuncAnimation(fig, lambda k: line.set_ydata([0, k]), frames=n_frames)


def _frames(html: str) -> list[Image.Image]:
    payloads = re.findall(r'data:image/png;base64,((?:[A-Za-z0-9+/=]|\\\n)+)"', html)
    return [Image.open(io.BytesIO(base64.b64decode(p.replace("\\\n", "")))) for p in payloads]


def test_animation_html_embeds_every_frame_with_alt_text():
    html = plotting.animation_html(_small_animation(3), alt='a line that "rises" <fast>')
    assert 'alt="a line that &quot;rises&quot; &lt;fast&gt;"' in html
    frames = _frames(html)
    assert len(frames) == 3
    assert all(frame.mode == "P" and len(frame.getcolors(256)) <= 64 for frame in frames)


def test_animation_html_keeps_full_colour_frames_on_request():
    frames = _frames(plotting.animation_html(_small_animation(2), alt="x", colors=None))
    assert len(frames) == 2 and all(frame.mode == "RGBA" for frame in frames)


def test_animation_html_rejects_bad_input():
    animation = _small_animation(1)
    with pytest.raises(ValueError, match="alt"):
        plotting.animation_html(animation, alt="  ")
    with pytest.raises(ValueError, match="colors"):
        plotting.animation_html(animation, alt="x", colors=1)
    assert len(_frames(plotting.animation_html(animation, alt="x"))) == 1


def test_viz_reexports_the_style():
    for name in plotting.__all__:
        assert getattr(viz, name) is getattr(plotting, name), name
