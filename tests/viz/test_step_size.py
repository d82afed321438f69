"""Tests of the step-size widget of chapter 1 and its kernel-free animation (langevin_lib.step_size_widgets)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # tests only: no display; the notebooks keep their own backend

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.animation import FuncAnimation

import langevin_lib as ll
from langevin_lib import plotting, step_size_widgets

PHI0 = np.array([-2.0, 2.0])
T_MAX = 6.0
WINDOW = {"xlim": (-3.0, 3.0), "ylim": (-3.0, 3.0)}


@pytest.fixture
def valley() -> ll.LinearRegression:
    """A 2-D least-squares problem with curvatures about 1 and 0.1."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((50, 2)) * np.sqrt([1.0, 0.1])
    y = X @ np.array([0.5, -0.5]) + 0.2 * rng.standard_normal(50)
    return ll.LinearRegression(X, y)


@pytest.fixture
def axes():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def gd_iterates(problem, lr: float, n_steps: int) -> np.ndarray:
    return ll.gradient_descent(problem, PHI0, lr, n_steps).phi[:, 0, :]


# --- gd_path_until -----------------------------------------------------------


def test_gd_path_takes_exactly_t_max_over_lr_steps_when_lr_divides_t_max(valley):
    path = step_size_widgets.gd_path_until(valley, PHI0, 0.1, 3.0)  # 3.0 / 0.1 = 30.000000000000004 in floats
    np.testing.assert_array_equal(path, gd_iterates(valley, 0.1, 30))


def test_gd_path_reaches_t_max_when_lr_does_not_divide_it(valley):
    path = step_size_widgets.gd_path_until(valley, PHI0, 0.4, 3.0)  # steps at t = 0.4, ..., 2.8, 3.2
    np.testing.assert_array_equal(path, gd_iterates(valley, 0.4, 8))


def test_gd_path_validates_its_arguments(valley):
    with pytest.raises(ValueError, match="lr"):
        step_size_widgets.gd_path_until(valley, PHI0, -0.1, 3.0)
    with pytest.raises(ValueError, match="t_max"):
        step_size_widgets.gd_path_until(valley, PHI0, 0.1, 0.0)


def test_gd_path_far_above_the_stability_bound_raises_divergence_error(valley):
    lam_max = np.linalg.eigvalsh(valley.hessian())[-1]
    with pytest.raises(ll.DivergenceError):
        step_size_widgets.gd_path_until(valley, PHI0, 3.0 / lam_max, 20_000.0)


# --- draw / update -----------------------------------------------------------


def test_draw_puts_the_library_gd_iterates_and_flow_on_the_axes(valley, axes):
    artists = step_size_widgets.draw_step_size_comparison(axes, valley, PHI0, 0.5, T_MAX, **WINDOW)
    np.testing.assert_array_equal(artists.gd_path.get_xydata(), gd_iterates(valley, 0.5, 12))
    flow = ll.gradient_flow(valley, PHI0, np.linspace(0.0, T_MAX, len(artists.flow_path.get_xdata())))
    np.testing.assert_allclose(artists.flow_path.get_xydata(), flow, rtol=0, atol=1e-12)
    assert artists.gd_path in axes.lines and artists.flow_path in axes.lines
    assert "0.500" in artists.title.get_text()
    assert axes.collections, "the loss contours are drawn"


def test_update_replaces_only_the_gd_path(valley, axes):
    artists = step_size_widgets.draw_step_size_comparison(axes, valley, PHI0, 0.5, T_MAX, **WINDOW)
    flow_before = artists.flow_path.get_xydata().copy()
    n_artists = len(axes.get_children())
    step_size_widgets.update_step_size(artists, valley, PHI0, 1.5, T_MAX)
    np.testing.assert_array_equal(artists.gd_path.get_xydata(), gd_iterates(valley, 1.5, 4))
    np.testing.assert_array_equal(artists.flow_path.get_xydata(), flow_before)
    assert len(axes.get_children()) == n_artists  # nothing redrawn, nothing added
    assert "1.500" in artists.title.get_text()


def test_title_states_eta_times_lambda_max(valley, axes):
    lam_max = np.linalg.eigvalsh(valley.hessian())[-1]
    artists = step_size_widgets.draw_step_size_comparison(axes, valley, PHI0, 0.5, T_MAX, **WINDOW)
    assert f"{0.5 * lam_max:.2f}" in artists.title.get_text()


# --- the interactive widget --------------------------------------------------


def make_widget(problem, ax, lr=0.5):
    return step_size_widgets.interactive_step_size(problem, PHI0, T_MAX, lr_range=(0.05, 2.0), lr=lr, ax=ax, **WINDOW)


def test_interactive_returns_a_slider_and_an_output(valley, axes):
    box = make_widget(valley, axes)
    assert isinstance(box, ipywidgets.VBox)
    slider, output = box.children
    assert isinstance(slider, ipywidgets.FloatSlider) and isinstance(output, ipywidgets.Output)
    assert (slider.min, slider.max, slider.value) == (0.05, 2.0, 0.5)


def test_moving_the_slider_redraws_gd_at_the_new_learning_rate(valley, axes):
    box = make_widget(valley, axes)
    gd_line = next(line for line in axes.lines if line.get_label() == "gradient descent")
    np.testing.assert_array_equal(gd_line.get_xydata(), gd_iterates(valley, 0.5, 12))
    box.children[0].value = 1.0
    np.testing.assert_array_equal(gd_line.get_xydata(), gd_iterates(valley, 1.0, 6))
    assert "1.000" in axes.get_title()


def test_interactive_makes_its_own_figure_by_default(valley):
    box = step_size_widgets.interactive_step_size(valley, PHI0, T_MAX, lr_range=(0.05, 2.0), lr=0.5, **WINDOW)
    box.children[0].value = 0.25  # the update runs without a kernel or an explicit axes
    assert box.children[0].value == 0.25


@pytest.mark.parametrize(
    ("lr_range", "lr", "match"),
    [
        ((0.5, 0.1), 0.2, "lr_range"),
        ((0.0, 1.0), 0.5, "lr_range"),
        ((0.1, 1.0, 2.0), 0.5, "lr_range"),
        ((0.1, 1.0), 1.5, "lr must lie"),
    ],
)
def test_interactive_validates_the_slider_range(valley, axes, lr_range, lr, match):
    with pytest.raises(ValueError, match=match):
        step_size_widgets.interactive_step_size(valley, PHI0, T_MAX, lr_range=lr_range, lr=lr, ax=axes, **WINDOW)


# --- the kernel-free fallback ------------------------------------------------


def test_animation_has_one_frame_per_learning_rate_and_ends_on_the_last(valley):
    lrs = [0.2, 0.8, 1.6]
    animation = step_size_widgets.step_size_animation(valley, PHI0, lrs, T_MAX, **WINDOW, dpi=30)
    assert isinstance(animation, FuncAnimation)
    html = plotting.animation_html(animation, alt="gradient descent for three learning rates")
    assert html.count("data:image/png;base64,") == len(lrs)
    ax = animation._fig.axes[0]  # matplotlib has no public accessor for the figure
    gd_line = next(line for line in ax.lines if line.get_label() == "gradient descent")
    np.testing.assert_array_equal(gd_line.get_xydata(), step_size_widgets.gd_path_until(valley, PHI0, lrs[-1], T_MAX))


def test_animation_validates_its_learning_rates(valley):
    with pytest.raises(ValueError, match="lrs"):
        step_size_widgets.step_size_animation(valley, PHI0, [], T_MAX, **WINDOW)
    with pytest.raises(ValueError, match="lrs"):
        step_size_widgets.step_size_animation(valley, PHI0, [0.1, -0.2], T_MAX, **WINDOW)
