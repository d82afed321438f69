"""The SGD-against-flow figure (langevin_lib.viz.sgd_flow) draws exactly the data langevin_lib computes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

import langevin_lib as ll
from langevin_lib import viz

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
    _, grid = viz.new_figure(len(COORDS), 1, sharex=True, squeeze=False)
    return list(grid[:, 0])


def reference_run(problem, lr, t_max, batch_size, n_chains, seed, max_points):
    """The same SGD run, set up by hand: ceil(t_max/lr) steps, thinned to <= max_points records."""
    n_steps = max(1, int(np.ceil(t_max / lr - 1e-9)))
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


def test_the_run_reaches_t_max_with_bounded_records(problem):
    plot = viz.draw_sgd_vs_flow(problem, PHI0, 0.1, 2.0, coords=COORDS, n_chains=2, rng=4, max_points=50)
    run = viz.update_sgd_vs_flow(plot, 0.001, 1)
    assert run.steps[-1] == 2000
    assert run.times[-1] == pytest.approx(2.0, rel=1e-9)
    assert len(run.times) <= 51 + 1  # initial point, <= 50 records, and the last step
    assert run.phi.shape[1:] == (2, 3)
    # t_max / lr = 1.0000000000000002 * 3 must not cost a fourth step
    plot = viz.draw_sgd_vs_flow(problem, PHI0, 0.1, 0.30000000000000004, coords=COORDS)
    assert viz.update_sgd_vs_flow(plot, 0.1, 1).steps[-1] == 3


def test_the_run_is_sgd_with_the_same_seed(problem):
    plot = viz.draw_sgd_vs_flow(problem, PHI0, 0.1, 1.0, coords=COORDS, n_chains=3, rng=9, max_points=30)
    run = viz.update_sgd_vs_flow(plot, 0.01, 4)
    ref = reference_run(problem, 0.01, 1.0, 4, 3, 9, 30)
    np.testing.assert_array_equal(run.phi, ref.phi)
    np.testing.assert_array_equal(run.times, ref.times)
    assert_draws(plot, ref)


# ---------------------------------------------------------------- the figure


def test_draw_plots_exactly_the_sgd_data_and_the_flow(problem, axes):
    plot = viz.draw_sgd_vs_flow(problem, PHI0, 0.02, 3.0, coords=COORDS, batch_size=2, n_chains=4, rng=11, axes=axes)
    assert_draws(plot, reference_run(problem, 0.02, 3.0, 2, 4, 11, 500))
    for line, c in zip(plot.flow_lines, COORDS, strict=True):
        t, y = line.get_data()
        np.testing.assert_allclose(y, ll.gradient_flow(problem, PHI0, t)[:, c], rtol=1e-12)
        assert t[0] == 0.0 and t[-1] == 3.0
    assert plot.title.get_text() == r"$\eta = 0.02$, $B = 2$"
    assert plot.title is axes[0].title and plot.figure is axes[0].figure
    assert axes[0].get_ylabel() == r"$\phi_{0}$" and axes[1].get_ylabel() == r"$\phi_{2}$"
    assert axes[0].get_legend() is not None and axes[1].get_legend() is None
    assert axes[-1].get_xlabel() and not axes[0].get_xlabel()  # the time label goes under the last panel


def test_draw_makes_its_own_closed_figure_by_default(problem):
    open_before = plt.get_fignums()
    plot = viz.draw_sgd_vs_flow(problem, PHI0, 0.05, 1.0, coords=[1, 0, 2], labels=["b", "a", "c"], legend=False)
    assert plt.get_fignums() == open_before
    axes = plot.figure.axes
    assert [ax.get_ylabel() for ax in axes] == ["b", "a", "c"]
    assert all(ax.get_legend() is None for ax in axes)
    assert axes[0].get_shared_x_axes().joined(axes[0], axes[2])
    assert tuple(plot.figure.get_size_inches()) == (6.0, 4.4)


def test_update_redraws_only_the_chains(problem, axes):
    plot = viz.draw_sgd_vs_flow(
        problem, PHI0, 0.05, 2.0, coords=COORDS, labels=["a", "c"], rng=2, max_points=40, axes=axes
    )
    flow_before = [line.get_ydata().copy() for line in plot.flow_lines]
    n_artists = len(axes[0].lines)
    run = viz.update_sgd_vs_flow(plot, 0.002, 8)
    assert_draws(plot, run)
    assert_draws(plot, reference_run(problem, 0.002, 2.0, 8, 3, 2, 40))
    for line, before in zip(plot.flow_lines, flow_before, strict=True):
        np.testing.assert_array_equal(line.get_ydata(), before)
    assert len(axes[0].lines) == n_artists  # lines are moved, not added
    # The cost of a redraw is bounded: a thousand steps still draw at most max_points + 2 points.
    assert len(plot.sgd_lines[0][0].get_xdata()) <= 42
    assert plot.title.get_text() == r"$\eta = 0.002$, $B = 8$"


def test_a_setting_always_redraws_the_same_paths(problem):
    plot = viz.draw_sgd_vs_flow(problem, PHI0, 0.05, 1.0, coords=COORDS, rng=5)
    first = viz.update_sgd_vs_flow(plot, 0.01, 1)
    viz.update_sgd_vs_flow(plot, 0.05, 4)
    again = viz.update_sgd_vs_flow(plot, 0.01, 1)
    np.testing.assert_array_equal(first.phi, again.phi)


@pytest.mark.parametrize("rng", [np.random.default_rng(7), None])
def test_a_generator_or_none_gives_one_seed_for_the_life_of_the_figure(problem, rng):
    expected = None if rng is None else int(np.random.default_rng(7).integers(2**63 - 1))
    plot = viz.draw_sgd_vs_flow(problem, PHI0, 0.05, 1.0, coords=COORDS, rng=rng)
    assert isinstance(plot.seed, int) and plot.seed >= 0
    if expected is not None:
        assert plot.seed == expected  # one draw from the Generator
    first = plot.sgd_lines[0][0].get_ydata().copy()
    viz.update_sgd_vs_flow(plot, 0.02, 2)
    viz.update_sgd_vs_flow(plot, 0.05, 1)
    np.testing.assert_array_equal(plot.sgd_lines[0][0].get_ydata(), first)
    assert_draws(plot, reference_run(problem, 0.05, 1.0, 1, 3, plot.seed, 500))


def test_an_int_seed_is_used_as_it_is(problem):
    assert viz.draw_sgd_vs_flow(problem, PHI0, 0.05, 1.0, coords=COORDS, rng=123).seed == 123


def test_default_vertical_range_is_centred_on_the_flow_with_a_common_height(problem, axes):
    viz.draw_sgd_vs_flow(problem, PHI0, 0.05, 2.0, coords=COORDS, axes=axes)
    flow = ll.gradient_flow(problem, PHI0, np.linspace(0.0, 2.0, 400))[:, COORDS]
    half = 1.5 * np.max(flow.max(axis=0) - flow.min(axis=0))
    for ax, low, high in zip(axes, flow.min(axis=0), flow.max(axis=0), strict=True):
        np.testing.assert_allclose(ax.get_ylim(), ((low + high) / 2 - half, (low + high) / 2 + half), rtol=1e-9)


def test_a_given_vertical_range_holds_for_every_panel(problem, axes):
    viz.draw_sgd_vs_flow(problem, PHI0, 0.05, 2.0, coords=COORDS, ylim=(-4.0, 3.0), axes=axes)
    assert [ax.get_ylim() for ax in axes] == [(-4.0, 3.0)] * 2
    assert [ax.get_xlim() for ax in axes] == [(0.0, 2.0)] * 2


# ---------------------------------------------------------------- with the driver


def test_sliders_redraw_the_sgd_of_the_chosen_setting(problem, axes):
    plot = viz.draw_sgd_vs_flow(problem, PHI0, 0.02, 1.0, coords=COORDS, rng=8, axes=axes)
    lr_slider = viz.slider([0.01, 0.02, 0.05], value=0.05, description="learning rate")
    b_slider = viz.slider([1, 4, 16], description="batch size")
    box = viz.interactive(plot, viz.update_sgd_vs_flow, lr=lr_slider, batch_size=b_slider)
    assert list(box.children[:2]) == [lr_slider, b_slider]
    image = box.children[2]
    assert axes[0].get_title() == r"$\eta = 0.05$, $B = 1$"  # the first render shows the sliders' values
    assert_draws(plot, reference_run(problem, 0.05, 1.0, 1, 3, 8, 500))
    first_png = bytes(image.value)
    lr_slider.value = 0.01
    b_slider.value = 16
    assert axes[0].get_title() == r"$\eta = 0.01$, $B = 16$"
    assert bytes(image.value).startswith(b"\x89PNG") and bytes(image.value) != first_png
    assert_draws(plot, reference_run(problem, 0.01, 1.0, 16, 3, 8, 500))


def test_animation_has_one_frame_per_setting_and_ends_on_the_last(problem):
    settings = [{"lr": 0.05, "batch_size": 1}, {"lr": 0.01, "batch_size": 4}]
    plot = viz.draw_sgd_vs_flow(problem, PHI0, 0.1, 1.0, coords=COORDS, rng=1, figsize=(3.0, 2.4))
    animation = viz.animate(plot, viz.update_sgd_vs_flow, settings, alt="SGD chains for two settings", dpi=40)
    assert animation.html.count('] = "data:image/png;base64,') == len(settings)
    assert_draws(plot, reference_run(problem, 0.01, 1.0, 4, 3, 1, 500))
    assert plot.title.get_text() == r"$\eta = 0.01$, $B = 4$"


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rng": -1}, "rng must be"),
        ({"rng": True}, "rng must be"),
        ({"rng": 1.5}, "rng must be"),
        ({"coords": [0, 3]}, r"coords must be a non-empty sequence of integers in 0 \.\. 2"),
        ({"coords": []}, "coords must be a non-empty"),
        ({"coords": [0]}, "axes must hold one axes per coordinate"),
        ({"labels": ["only one"]}, "labels must name each of the 2 coords"),
        ({"ylim": (1.0, -1.0)}, r"ylim must be \(low, high\) with low < high"),
        ({"n_chains": 0}, "n_chains must be an integer >= 1"),
        ({"max_points": 0}, "max_points must be an integer >= 1"),
        ({"t_max": -1.0}, "t_max must be finite and > 0"),
        ({"phi0": [0.0, 1.0]}, "phi0"),
        ({"lr": 0.0}, "lr must be finite and > 0"),
        ({"lr": [0.1, 0.2]}, "lr must be a scalar learning rate"),
        ({"batch_size": 0}, "batch_size must be an integer >= 1"),
    ],
)
def test_draw_rejects_bad_arguments(problem, axes, kwargs, message):
    args = {"phi0": PHI0, "lr": 0.05, "t_max": 1.0, "coords": COORDS, "axes": axes, **kwargs}
    with pytest.raises(ValueError, match=message):
        viz.draw_sgd_vs_flow(problem, **args)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"lr": 0.0, "batch_size": 1}, "lr must be finite and > 0"),
        ({"lr": [0.1, 0.2], "batch_size": 1}, "lr must be a scalar learning rate"),
        ({"lr": 0.1, "batch_size": 0}, "batch_size must be an integer >= 1"),
        ({"lr": 0.1, "batch_size": 2.0}, "batch_size must be an integer >= 1"),
    ],
)
def test_update_rejects_bad_settings(problem, setting, message):
    plot = viz.draw_sgd_vs_flow(problem, PHI0, 0.05, 1.0, coords=COORDS)
    with pytest.raises(ValueError, match=message):
        viz.update_sgd_vs_flow(plot, **setting)
