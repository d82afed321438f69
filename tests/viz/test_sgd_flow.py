"""The SGD-against-flow figure, widget and animation draw exactly the data langevin_lib computes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # tests only; the book uses the notebook's inline backend

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

import langevin_lib as ll
from langevin_lib.sgd_widgets import (
    draw_sgd_vs_flow,
    interactive_sgd_vs_flow,
    sgd_path_until,
    sgd_vs_flow_animation,
    update_sgd_vs_flow,
)

PHI0 = np.array([1.5, -1.0, 0.5])
COORDS = [0, 2]


@pytest.fixture
def problem():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((40, 3))
    y = X @ np.array([0.5, 1.0, -0.5]) + 0.3 * rng.standard_normal(40)
    return ll.LinearRegression(X, y)


@pytest.fixture
def axes():
    fig, grid = plt.subplots(len(COORDS), 1, sharex=True, squeeze=False)
    yield list(grid[:, 0])
    plt.close(fig)


def reference_run(problem, lr, t_max, batch_size, n_chains, seed, max_points):
    """The same SGD run, set up by hand: ceil(t_max/lr) steps, thinned to <= max_points records."""
    n_steps = int(np.ceil(t_max / lr - 1e-9))
    record_every = -(-n_steps // max_points)
    return ll.sgd(
        problem, PHI0, lr, n_steps, n_chains=n_chains, batch_size=batch_size, rng=seed, record_every=record_every
    )


def assert_draws(plot, run):
    for chains, c in zip(plot.sgd_lines, plot.coords, strict=True):
        assert len(chains) == run.n_chains
        for k, line in enumerate(chains):
            x, y = line.get_data()
            np.testing.assert_array_equal(x, run.times)
            np.testing.assert_array_equal(y, run.phi[:, k, c])


# ---------------------------------------------------------------- the run


def test_sgd_path_until_reaches_t_max_with_bounded_records(problem):
    run = sgd_path_until(problem, PHI0, 0.001, 2.0, n_chains=2, rng=4, max_points=50)
    assert run.steps[-1] == 2000
    assert run.times[-1] == pytest.approx(2.0, rel=1e-9)
    assert len(run.times) <= 51 + 1  # initial point, <= 50 records, and the last step
    assert run.phi.shape[1:] == (2, 3)
    # t_max / lr = 1.0000000000000002 * 3 must not cost a fourth step
    assert sgd_path_until(problem, PHI0, 0.1, 0.30000000000000004).steps[-1] == 3


def test_sgd_path_until_is_sgd_with_the_same_seed(problem):
    run = sgd_path_until(problem, PHI0, 0.01, 1.0, batch_size=4, n_chains=3, rng=9, max_points=30)
    ref = reference_run(problem, 0.01, 1.0, 4, 3, 9, 30)
    np.testing.assert_array_equal(run.phi, ref.phi)
    np.testing.assert_array_equal(run.times, ref.times)


# ---------------------------------------------------------------- the figure


def test_draw_plots_exactly_the_sgd_data_and_the_flow(problem, axes):
    plot = draw_sgd_vs_flow(axes, problem, PHI0, 0.02, 3.0, coords=COORDS, batch_size=2, n_chains=4, rng=11)
    assert_draws(plot, reference_run(problem, 0.02, 3.0, 2, 4, 11, 500))
    for line, c in zip(plot.flow_lines, COORDS, strict=True):
        t, y = line.get_data()
        np.testing.assert_allclose(y, ll.gradient_flow(problem, PHI0, t)[:, c], rtol=1e-12)
        assert t[0] == 0.0 and t[-1] == 3.0
    assert plot.title.get_text() == r"$\eta = 0.02$, $B = 2$"
    assert axes[0].get_ylabel() == r"$\phi_{0}$" and axes[1].get_ylabel() == r"$\phi_{2}$"
    assert axes[0].get_legend() is not None and axes[1].get_legend() is None


def test_update_redraws_only_the_chains(problem, axes):
    plot = draw_sgd_vs_flow(axes, problem, PHI0, 0.05, 2.0, coords=COORDS, labels=["a", "c"], rng=2, max_points=40)
    flow_before = [line.get_ydata().copy() for line in plot.flow_lines]
    n_artists = len(axes[0].lines)
    run = update_sgd_vs_flow(plot, 0.002, 8)
    assert_draws(plot, run)
    assert_draws(plot, reference_run(problem, 0.002, 2.0, 8, 3, 2, 40))
    for line, before in zip(plot.flow_lines, flow_before, strict=True):
        np.testing.assert_array_equal(line.get_ydata(), before)
    assert len(axes[0].lines) == n_artists  # lines are moved, not added
    # The cost of a redraw is bounded: a thousand steps still draw at most max_points + 2 points.
    assert len(plot.sgd_lines[0][0].get_xdata()) <= 42
    assert plot.title.get_text() == r"$\eta = 0.002$, $B = 8$"


def test_a_setting_always_redraws_the_same_paths(problem, axes):
    plot = draw_sgd_vs_flow(axes, problem, PHI0, 0.05, 1.0, coords=COORDS, rng=5)
    first = update_sgd_vs_flow(plot, 0.01, 1)
    update_sgd_vs_flow(plot, 0.05, 4)
    again = update_sgd_vs_flow(plot, 0.01, 1)
    np.testing.assert_array_equal(first.phi, again.phi)


def test_default_vertical_range_is_centred_on_the_flow_with_a_common_height(problem, axes):
    draw_sgd_vs_flow(axes, problem, PHI0, 0.05, 2.0, coords=COORDS)
    flow = ll.gradient_flow(problem, PHI0, np.linspace(0.0, 2.0, 400))[:, COORDS]
    half = 1.5 * np.max(flow.max(axis=0) - flow.min(axis=0))
    for ax, low, high in zip(axes, flow.min(axis=0), flow.max(axis=0), strict=True):
        np.testing.assert_allclose(ax.get_ylim(), ((low + high) / 2 - half, (low + high) / 2 + half), rtol=1e-9)


# ---------------------------------------------------------------- widget and animation


def test_widget_sliders_redraw_the_sgd_of_the_chosen_setting(problem, axes):
    box = interactive_sgd_vs_flow(
        problem, PHI0, 1.0, lrs=[0.05, 0.01, 0.02], batch_sizes=[4, 1, 16], coords=COORDS, rng=8, axes=axes
    )
    lr_slider, b_slider, image = box.children
    assert isinstance(lr_slider, ipywidgets.SelectionSlider) and isinstance(image, ipywidgets.Image)
    first_png = bytes(image.value)
    assert first_png.startswith(b"\x89PNG")
    assert list(lr_slider.options) == [("0.01", 0.01), ("0.02", 0.02), ("0.05", 0.05)]
    assert [b for _, b in b_slider.options] == [1, 4, 16]
    assert (lr_slider.value, b_slider.value) == (0.05, 1)  # starts at the largest rate and the smallest batch

    title = axes[0].get_title()
    assert title == r"$\eta = 0.05$, $B = 1$"
    lr_slider.value = 0.01
    b_slider.value = 16
    assert axes[0].get_title() == r"$\eta = 0.01$, $B = 16$"
    assert bytes(image.value).startswith(b"\x89PNG") and bytes(image.value) != first_png  # the picture was re-rendered
    run = reference_run(problem, 0.01, 1.0, 16, 3, 8, 500)
    for chains, c in zip(axes, COORDS, strict=True):
        drawn = [line for line in chains.lines if line.get_label() != "gradient flow"]
        for k, line in enumerate(drawn):
            np.testing.assert_array_equal(line.get_ydata(), run.phi[:, k, c])


def test_animation_has_one_frame_per_setting_and_ends_on_the_last(problem):
    settings = [(0.05, 1), (0.01, 4)]
    animation = sgd_vs_flow_animation(problem, PHI0, 1.0, settings, coords=COORDS, rng=1, dpi=30)
    assert list(animation.new_frame_seq()) == settings
    html = animation.to_jshtml()
    assert html.count("frames[") >= len(settings)
    axes = animation._fig.axes  # the figure the frames were drawn on
    run = reference_run(problem, 0.01, 1.0, 4, 3, 1, 500)
    drawn = [line for line in axes[1].lines if line.get_label() != "gradient flow"]
    np.testing.assert_array_equal(drawn[0].get_ydata(), run.phi[:, 0, 2])
    plt.close(animation._fig)


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rng": np.random.default_rng(0)}, "rng must be an int seed"),
        ({"rng": -1}, "rng must be an int seed"),
        ({"coords": [0, 3]}, r"coords must be a non-empty sequence of integers in 0 \.\. 2"),
        ({"coords": [0]}, "axes must hold one axes per coordinate"),
        ({"labels": ["only one"]}, "labels must name each of the 2 coords"),
        ({"ylim": (1.0, -1.0)}, r"ylim must be \(low, high\) with low < high"),
        ({"n_chains": 0}, "n_chains must be an integer >= 1"),
    ],
)
def test_draw_rejects_bad_arguments(problem, axes, kwargs, message):
    args = {"coords": COORDS, **kwargs}
    with pytest.raises(ValueError, match=message):
        draw_sgd_vs_flow(axes, problem, PHI0, 0.05, 1.0, **args)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda p: sgd_path_until(p, PHI0, 0.0, 1.0), "lr must be finite and > 0"),
        (lambda p: sgd_path_until(p, PHI0, 0.1, -1.0), "t_max must be finite and > 0"),
        (lambda p: sgd_path_until(p, PHI0, 0.1, 1.0, max_points=0), "max_points must be an integer >= 1"),
        (lambda p: sgd_path_until(p, PHI0, [0.1, 0.2], 1.0), "lr must be a scalar learning rate"),
        (lambda p: sgd_vs_flow_animation(p, PHI0, 1.0, [], coords=COORDS), "settings must hold at least one"),
        (lambda p: sgd_vs_flow_animation(p, PHI0, 1.0, [(0.1, 0)], coords=COORDS), "batch_size in settings"),
        (lambda p: interactive_sgd_vs_flow(p, PHI0, 1.0, lrs=[], batch_sizes=[1], coords=COORDS), "lrs must be"),
        (
            lambda p: interactive_sgd_vs_flow(p, PHI0, 1.0, lrs=[0.1], batch_sizes=[], coords=COORDS),
            "batch_sizes must hold at least one",
        ),
    ],
)
def test_bad_arguments_raise_value_errors_naming_them(problem, call, message):
    with pytest.raises(ValueError, match=message):
        call(problem)
    plt.close("all")
