"""Tests of the step-size figure of chapter 1 (langevin_lib.viz.step_size) and its slider and animation."""

from __future__ import annotations

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

import langevin_lib as ll
from langevin_lib import viz

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
    return viz.new_figure()[1]


def gd_iterates(problem, lr: float, n_steps: int) -> np.ndarray:
    return ll.gradient_descent(problem, PHI0, lr, n_steps).phi[:, 0, :]


# --- the number of steps -------------------------------------------------------


def test_gd_takes_exactly_t_max_over_lr_steps_when_lr_divides_t_max(valley):
    plot = viz.draw_step_size(valley, PHI0, 0.1, 3.0, **WINDOW)  # 3.0 / 0.1 = 30.000000000000004 in floats
    np.testing.assert_array_equal(plot.gd_path.get_xydata(), gd_iterates(valley, 0.1, 30))


def test_gd_reaches_t_max_when_lr_does_not_divide_it(valley):
    plot = viz.draw_step_size(valley, PHI0, 0.5, 3.0, **WINDOW)
    path = viz.update_step_size(plot, 0.4)  # steps at t = 0.4, ..., 2.8, 3.2
    np.testing.assert_array_equal(path, gd_iterates(valley, 0.4, 8))
    np.testing.assert_array_equal(plot.gd_path.get_xydata(), path)


def test_gd_takes_at_least_one_step(valley):
    plot = viz.draw_step_size(valley, PHI0, 0.5, 0.1, **WINDOW)
    np.testing.assert_array_equal(plot.gd_path.get_xydata(), gd_iterates(valley, 0.5, 1))


def test_gd_far_above_the_stability_bound_raises_divergence_error(valley):
    lam_max = np.linalg.eigvalsh(valley.hessian())[-1]
    plot = viz.draw_step_size(valley, PHI0, 1.5, 5_000.0, **WINDOW)
    with pytest.raises(ll.DivergenceError):  # |1 - 3| = 2 per step for ~1900 steps overflows
        viz.update_step_size(plot, 3.0 / lam_max)


# --- draw / update -----------------------------------------------------------


def test_draw_puts_the_library_gd_iterates_and_flow_on_the_axes(valley, axes):
    plot = viz.draw_step_size(valley, PHI0, 0.5, T_MAX, ax=axes, **WINDOW)
    np.testing.assert_array_equal(plot.gd_path.get_xydata(), gd_iterates(valley, 0.5, 12))
    t = np.linspace(0.0, T_MAX, len(plot.flow_path.get_xdata()))
    np.testing.assert_allclose(plot.flow_path.get_xydata(), ll.gradient_flow(valley, PHI0, t), rtol=0, atol=1e-12)
    assert plot.gd_path in axes.lines and plot.flow_path in axes.lines
    assert plot.figure is axes.figure
    assert "0.500" in plot.title.get_text() and plot.title is axes.title
    assert axes.collections, "the loss contours are drawn"
    assert axes.get_xlim() == WINDOW["xlim"] and axes.get_ylim() == WINDOW["ylim"]


def test_draw_makes_its_own_closed_figure_by_default(valley):
    open_before = plt.get_fignums()
    plot = viz.draw_step_size(valley, PHI0, 0.5, T_MAX, figsize=(5.0, 4.0), **WINDOW)
    assert plt.get_fignums() == open_before  # closed: only the widget or the animation shows it
    assert tuple(plot.figure.get_size_inches()) == (5.0, 4.0)
    assert plot.figure.axes == [plot.gd_path.axes]


def test_update_replaces_only_the_gd_path(valley, axes):
    plot = viz.draw_step_size(valley, PHI0, 0.5, T_MAX, ax=axes, **WINDOW)
    flow_before = plot.flow_path.get_xydata().copy()
    n_artists = len(axes.get_children())
    path = viz.update_step_size(plot, 1.5)
    np.testing.assert_array_equal(path, gd_iterates(valley, 1.5, 4))
    np.testing.assert_array_equal(plot.gd_path.get_xydata(), path)
    np.testing.assert_array_equal(plot.flow_path.get_xydata(), flow_before)
    assert len(axes.get_children()) == n_artists  # nothing redrawn, nothing added
    assert "1.500" in plot.title.get_text()


def test_title_states_eta_times_lambda_max(valley):
    lam_max = np.linalg.eigvalsh(valley.hessian())[-1]
    plot = viz.draw_step_size(valley, PHI0, 0.5, T_MAX, **WINDOW)
    assert f"{0.5 * lam_max:.2f}" in plot.title.get_text()
    viz.update_step_size(plot, 1.25)
    assert f"{1.25 * lam_max:.2f}" in plot.title.get_text()


def test_a_setting_always_redraws_the_same_path(valley):
    plot = viz.draw_step_size(valley, PHI0, 0.5, T_MAX, **WINDOW)
    first = plot.gd_path.get_xydata().copy()
    viz.update_step_size(plot, 1.0)
    viz.update_step_size(plot, 0.5)
    np.testing.assert_array_equal(plot.gd_path.get_xydata(), first)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lr": -0.1}, "lr"),
        ({"lr": [0.1, 0.2]}, "lr"),
        ({"t_max": 0.0}, "t_max"),
        ({"phi0": [1.0, 2.0, 3.0]}, "phi0"),
        ({"xlim": (1.0, -1.0)}, "xlim"),
        ({"ylim": (0.0, 1.0, 2.0)}, "ylim"),
    ],
)
def test_draw_rejects_bad_arguments(valley, kwargs, match):
    args = {"phi0": PHI0, "lr": 0.5, "t_max": T_MAX, **WINDOW, **kwargs}
    with pytest.raises(ValueError, match=match):
        viz.draw_step_size(valley, **args)


def test_update_rejects_bad_learning_rates(valley):
    plot = viz.draw_step_size(valley, PHI0, 0.5, T_MAX, **WINDOW)
    for bad in (0.0, -1.0, np.inf, [0.1, 0.2]):
        with pytest.raises(ValueError, match="lr"):
            viz.update_step_size(plot, bad)


# --- with the driver ---------------------------------------------------------


def test_slider_redraws_gd_at_the_chosen_learning_rate(valley):
    plot = viz.draw_step_size(valley, PHI0, 0.25, T_MAX, **WINDOW)
    control = viz.slider([0.25, 0.5, 1.0], value=0.5, description="learning rate")
    box = viz.interactive(plot, viz.update_step_size, lr=control)
    slider, image = box.children
    assert slider is control and isinstance(image, ipywidgets.Image)
    np.testing.assert_array_equal(plot.gd_path.get_xydata(), gd_iterates(valley, 0.5, 12))  # the slider's value
    first = bytes(image.value)
    slider.value = 1.0
    np.testing.assert_array_equal(plot.gd_path.get_xydata(), gd_iterates(valley, 1.0, 6))
    assert "1.000" in plot.title.get_text()
    assert bytes(image.value) != first


def test_animation_has_one_frame_per_learning_rate_and_ends_on_the_last(valley):
    lrs = [0.2, 0.8, 1.6]
    plot = viz.draw_step_size(valley, PHI0, 1.0, T_MAX, figsize=(3.0, 2.4), **WINDOW)
    frames = [{"lr": lr} for lr in lrs]
    animation = viz.animate(plot, viz.update_step_size, frames, alt="gradient descent, three rates", dpi=40)
    bundle = animation._repr_mimebundle_()
    assert bundle["text/html"].count('] = "data:image/png;base64,') == len(lrs)
    assert 'alt="gradient descent, three rates"' in bundle["text/html"]
    assert bundle["image/png"].startswith(b"\x89PNG")
    # The player leaves the figure on its last frame (the PNG, the first frame, is checked in test_driver).
    np.testing.assert_array_equal(plot.gd_path.get_xydata(), gd_iterates(valley, lrs[-1], 4))


def test_animation_rejects_bad_learning_rates(valley):
    plot = viz.draw_step_size(valley, PHI0, 0.5, T_MAX, **WINDOW)
    with pytest.raises(ValueError, match="frames"):
        viz.animate(plot, viz.update_step_size, [], alt="none")
    with pytest.raises(ValueError, match="lr"):
        viz.animate(plot, viz.update_step_size, [{"lr": 0.1}, {"lr": -0.2}], alt="a bad rate", dpi=40)
