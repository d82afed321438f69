"""The stationary-cloud figure (langevin_lib.viz.stationary_cloud) draws exactly what langevin_lib computes.

The statistics of the cloud itself (its exact second moment) are tested with
``stationary_samples`` in tests/theory; here the figure must show those samples
and the exact formulas, and nothing else.
"""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest

import langevin_lib as ll
from langevin_lib import viz

#: Relaxation times and step cap of the figure's cloud (langevin_lib.viz.stationary_cloud).
RELAXATION_TIMES, MAX_STEPS = 5.0, 20_000


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((60, 2)) @ np.array([[1.0, 0.3], [0.0, 0.8]])
    y = X @ np.array([0.5, -1.0]) + 0.5 * rng.standard_normal(60)
    return ll.LinearRegression(X, y)


@pytest.fixture(scope="module")
def drawn(problem):
    """One drawn figure for the tests that only update it (drawing costs ~200 exact L(eta) values)."""
    axes = viz.new_figure(1, 2, figsize=(4.0, 2.0), dpi=50)[1]
    plot = viz.draw_stationary_cloud(problem, 0.05, lr_max=0.2, n_chains=100, rng=2, axes=axes)
    return SimpleNamespace(plot=plot, axes=axes, first_cloud=np.array(plot.cloud.get_offsets()))


def reference_cloud(problem, lr, n_chains, seed):
    """SGD (B = 1) from the minimiser for ceil(5 / (lr lambda_min)) steps, run by hand."""
    lam_min = np.linalg.eigvalsh(problem.hessian())[0]
    n_steps = int(np.ceil(RELAXATION_TIMES / (lr * lam_min)))
    return ll.sgd(problem, problem.minimizer(), lr, n_steps, n_chains=n_chains, rng=seed).final


def test_draw_and_update_show_the_computed_numbers(problem, drawn):
    plot = drawn.plot
    assert plot.figure is drawn.axes[0].figure and plot.seed == 2
    np.testing.assert_array_equal(drawn.first_cloud, reference_cloud(problem, 0.05, 100, 2))
    for lr in (0.15, 0.05):
        cloud = viz.update_stationary_cloud(plot, lr)
        np.testing.assert_array_equal(plot.cloud.get_offsets(), cloud)
        np.testing.assert_array_equal(cloud, reference_cloud(problem, lr, 100, 2))
        exact = ll.sgd_excess_loss(problem, lr)
        np.testing.assert_allclose(plot.exact_point.get_data(), [[lr], [exact]])
        measured = np.mean(problem.loss(cloud)) - problem.loss(problem.minimizer())
        np.testing.assert_allclose(plot.cloud_point.get_data(), [[lr], [measured]])
        np.testing.assert_allclose(plot.rate_line.get_xdata(), [lr, lr])
        assert f"{lr:.3g}" in plot.title.get_text() and f"{exact:.3g}" in plot.title.get_text()
        assert f"{measured:.3g}" in plot.title.get_text()


def test_the_ellipse_is_the_exact_second_moment_at_radius_two(problem, drawn):
    viz.update_stationary_cloud(drawn.plot, 0.1)
    S = ll.sgd_stationary_covariance(problem, 0.1)
    xy = drawn.plot.ellipse.get_xydata()
    delta = xy - problem.minimizer()
    np.testing.assert_allclose(np.einsum("ia,ab,ib->i", delta, np.linalg.inv(S), delta), 4.0, rtol=1e-10)
    np.testing.assert_allclose(xy, viz.ellipse_points(S, 2.0, problem.minimizer()))


def test_the_window_is_set_by_the_largest_rate(problem, drawn):
    axes = drawn.axes
    center = problem.minimizer()
    half = 3 * np.sqrt(np.linalg.eigvalsh(ll.sgd_stationary_covariance(problem, 0.2)).max())
    bound = ll.sgd_stability_bound(problem)
    for lr in (0.05, 0.2):  # the window does not move with the rate
        viz.update_stationary_cloud(drawn.plot, lr)
        np.testing.assert_allclose(axes[0].get_xlim(), (center[0] - half, center[0] + half))
        np.testing.assert_allclose(axes[0].get_ylim(), (center[1] - half, center[1] + half))
        np.testing.assert_allclose(axes[1].get_xlim(), (0.0, 1.05 * bound))
        np.testing.assert_allclose(axes[1].get_ylim(), (0.0, 1.5 * ll.sgd_excess_loss(problem, 0.2)))


def test_the_curve_is_the_exact_excess_loss(problem, drawn):
    curve = next(line for line in drawn.axes[1].lines if "exact" in line.get_label())
    rates, excess = curve.get_data()
    assert rates[0] > 0 and rates[-1] == pytest.approx(0.97 * ll.sgd_stability_bound(problem))
    np.testing.assert_allclose(excess[::20], [ll.sgd_excess_loss(problem, r) for r in rates[::20]], rtol=1e-12)


def test_a_rate_always_redraws_the_same_cloud(drawn):
    first = viz.update_stationary_cloud(drawn.plot, 0.2)
    viz.update_stationary_cloud(drawn.plot, 0.1)
    np.testing.assert_array_equal(viz.update_stationary_cloud(drawn.plot, 0.2), first)


def test_draw_makes_its_own_closed_figure_by_default_and_seeds_it_once(problem):
    open_before = plt.get_fignums()
    plot = viz.draw_stationary_cloud(problem, 0.2, lr_max=0.2, n_chains=10, legend=False, rng=np.random.default_rng(4))
    assert plt.get_fignums() == open_before
    assert len(plot.figure.axes) == 2 and tuple(plot.figure.get_size_inches()) == (9.0, 4.0)
    assert all(ax.get_legend() is None for ax in plot.figure.axes)
    assert plot.seed == int(np.random.default_rng(4).integers(2**63 - 1))  # one draw from the Generator
    first = np.array(plot.cloud.get_offsets())
    viz.update_stationary_cloud(plot, 0.1)
    np.testing.assert_array_equal(viz.update_stationary_cloud(plot, 0.2), first)


def test_draw_rejects_bad_problems_and_rates(problem):
    axes = viz.new_figure(1, 2)[1]
    with pytest.raises(ValueError, match="problem must be a 2-D LeastSquaresProblem"):
        viz.draw_stationary_cloud(ll.LinearRegression(np.eye(3), np.ones(3)), 0.1, lr_max=0.2, axes=axes)
    bound = ll.sgd_stability_bound(problem)
    with pytest.raises(ValueError, match="lr_max must be below the stability bound"):
        viz.draw_stationary_cloud(problem, 0.1, lr_max=1.01 * bound, axes=axes)
    with pytest.raises(ValueError, match="axes must hold two axes"):
        viz.draw_stationary_cloud(problem, 0.1, lr_max=0.2, axes=[axes[0]])
    with pytest.raises(ValueError, match="n_chains"):
        viz.draw_stationary_cloud(problem, 0.1, lr_max=0.2, n_chains=0, axes=axes)


def test_update_rejects_bad_rates(problem, drawn):
    bound = ll.sgd_stability_bound(problem)
    for bad in (-0.1, 0.0, [0.1, 0.2]):
        with pytest.raises(ValueError, match="lr"):
            viz.update_stationary_cloud(drawn.plot, bad)
    with pytest.raises(ValueError, match="infinite stationary second moment"):
        viz.update_stationary_cloud(drawn.plot, 1.01 * bound)
    lam_min = np.linalg.eigvalsh(problem.hessian())[0]
    with pytest.raises(ValueError, match="max_steps"):  # a slider must stay fast: at most 20 000 steps
        viz.update_stationary_cloud(drawn.plot, RELAXATION_TIMES / (2 * MAX_STEPS * lam_min))


def test_slider_rerenders_on_move(problem, drawn):
    control = viz.slider([0.05, 0.1, 0.2], value=0.1, description="learning rate")
    box = viz.interactive(drawn.plot, viz.update_stationary_cloud, lr=control)
    slider, image = box.children
    np.testing.assert_array_equal(drawn.plot.cloud.get_offsets(), reference_cloud(problem, 0.1, 100, 2))
    before = bytes(image.value)
    slider.value = 0.2
    np.testing.assert_array_equal(drawn.plot.cloud.get_offsets(), reference_cloud(problem, 0.2, 100, 2))
    assert bytes(image.value) != before and bytes(image.value)[:4] == b"\x89PNG"


def test_animation_has_one_frame_per_rate(drawn):
    animation = viz.animate(
        drawn.plot, viz.update_stationary_cloud, [{"lr": 0.05}, {"lr": 0.2}], alt="two clouds", dpi=40
    )
    assert animation.html.count('] = "data:image/png;base64') == 2
    assert 'alt="two clouds"' in animation.html
