"""The stationary-cloud figure, widget and animation draw exactly what langevin_lib computes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # tests only; the book uses the notebook's inline backend

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from scipy.linalg import solve_continuous_lyapunov

import langevin_lib as ll
from langevin_lib.plotting import animation_html
from langevin_lib.stationary_widgets import (
    covariance_ellipse,
    draw_stationary,
    interactive_stationary,
    stationary_animation,
    stationary_cloud,
    update_stationary,
)


@pytest.fixture
def problem():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((60, 2)) @ np.array([[1.0, 0.3], [0.0, 0.8]])
    y = X @ np.array([0.5, -1.0]) + 0.5 * rng.standard_normal(60)
    return ll.LinearRegression(X, y)


@pytest.fixture
def axes():
    fig, pair = plt.subplots(1, 2)
    yield pair
    plt.close(fig)


def test_cloud_has_the_exact_stationary_second_moment(problem):
    lr = 0.1
    cloud = stationary_cloud(problem, lr, n_chains=20_000, rng=1)
    delta = cloud - problem.minimizer()
    S = ll.sgd_stationary_covariance(problem, lr)
    # Each entry of the sample second moment within 5 standard errors (independent chains).
    products = delta[:, :, None] * delta[:, None, :]
    stderr = products.std(axis=0) / np.sqrt(len(delta))
    assert np.all(np.abs(products.mean(axis=0) - S) < 5 * stderr)
    # The alternative, the first-order (Langevin) covariance solving H Sigma + Sigma H = lr C, is rejected.
    grads = problem.example_grads(problem.minimizer())
    sigma = solve_continuous_lyapunov(problem.hessian(), lr * grads.T @ grads / problem.n_examples)
    trace_err = np.sum(delta**2, axis=1).std() / np.sqrt(len(delta))
    assert abs(np.trace(products.mean(axis=0)) - np.trace(sigma)) > 5 * trace_err


def test_cloud_is_repeatable(problem):
    np.testing.assert_array_equal(
        stationary_cloud(problem, 0.2, n_chains=10, rng=4), stationary_cloud(problem, 0.2, n_chains=10, rng=4)
    )


def test_covariance_ellipse_lies_on_the_level_set():
    S = np.array([[2.0, 0.5], [0.5, 1.0]])
    centre = np.array([1.0, -1.0])
    points = covariance_ellipse(centre, S, radius=2.0) - centre
    np.testing.assert_allclose(np.einsum("ia,ab,ib->i", points, np.linalg.inv(S), points), 4.0, rtol=1e-12)


def test_draw_and_update_show_the_computed_numbers(problem, axes):
    plot = draw_stationary(axes, problem, 0.05, lr_max=0.2, n_chains=300, rng=2)
    for lr in (0.05, 0.15):
        cloud = update_stationary(plot, lr)
        np.testing.assert_array_equal(plot.cloud.get_offsets(), cloud)
        np.testing.assert_array_equal(cloud, stationary_cloud(problem, lr, n_chains=300, rng=2))
        exact = ll.sgd_excess_loss(problem, lr)
        np.testing.assert_allclose(plot.exact_point.get_ydata(), [exact])
        measured = np.mean(problem.loss(cloud)) - problem.loss(problem.minimizer())
        np.testing.assert_allclose(plot.cloud_point.get_ydata(), [measured])
        np.testing.assert_allclose(plot.rate_line.get_xdata(), [lr, lr])
        assert f"{lr:.3g}" in plot.title.get_text()


def test_draw_rejects_bad_problems_and_rates(problem, axes):
    with pytest.raises(ValueError, match="2-D LinearRegression"):
        draw_stationary(axes, ll.LinearRegression(np.eye(3), np.ones(3)), 0.1, lr_max=0.2)
    bound = ll.sgd_stability_bound(problem)
    with pytest.raises(ValueError, match="stability bound"):
        draw_stationary(axes, problem, 0.1, lr_max=1.01 * bound)
    with pytest.raises(ValueError, match="lr"):
        stationary_cloud(problem, -0.1)


def test_widget_rerenders_on_slider_move(problem):
    box = interactive_stationary(problem, [0.05, 0.1, 0.2], n_chains=100)
    slider, image = box.children
    assert isinstance(slider, ipywidgets.SelectionSlider) and isinstance(image, ipywidgets.Image)
    before = image.value
    slider.value = 0.2
    assert image.value != before and image.value[:4] == b"\x89PNG"


def test_animation_has_one_frame_per_rate(problem):
    animation = stationary_animation(problem, [0.05, 0.1, 0.2], n_chains=50, dpi=40)
    html = animation_html(animation, alt="test")
    assert html.count("data:image/png;base64") == 3
