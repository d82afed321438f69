"""The SGD-next-to-Langevin figure (langevin_lib.viz.sgd_langevin) draws exactly the data langevin_lib computes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from scipy.integrate import solve_ivp

import langevin_lib as ll
from langevin_lib import viz


@pytest.fixture
def axes():
    return viz.new_figure(1, 2, sharey=True)[1]


def reference_runs(lr, sigma, t_max, *, x0, n_chains, seed, max_points, substeps=4):
    """The coupled runs set up by hand: ceil(t_max/lr) steps, thinned to <= max_points records."""
    n_steps = max(1, int(np.ceil(t_max / lr - 1e-9)))
    return ll.coupled_sgd_langevin(
        ll.SeparableNoisyLoss(ll.DoubleWell(), sigma), [x0], lr, n_steps, substeps=substeps, n_chains=n_chains,
        rng=seed, record_every=-(-n_steps // max_points),
    )  # fmt: skip


def assert_draws(plot, runs):
    for lines, run in zip((plot.sgd_lines, plot.langevin_lines), runs, strict=True):
        assert len(lines) == plot.n_paths
        for k, line in enumerate(lines):
            np.testing.assert_array_equal(line.get_ydata(), run.phi[:, k, 0])
            np.testing.assert_array_equal(line.get_xdata(), run.times)


def test_draw_and_update_show_the_coupled_runs(axes):
    plot = viz.draw_sgd_and_langevin(ll.DoubleWell(), 0.2, 0.1, 1.0, 2.0, n_paths=3, n_ensemble=50, rng=4, axes=axes)
    assert_draws(plot, reference_runs(0.1, 1.0, 2.0, x0=0.2, n_chains=50, seed=4, max_points=300))
    runs = viz.update_sgd_and_langevin(plot, 0.05, 0.5)
    expected = reference_runs(0.05, 0.5, 2.0, x0=0.2, n_chains=50, seed=4, max_points=300)
    for run, ref in zip(runs, expected, strict=True):
        np.testing.assert_array_equal(run.phi, ref.phi)
    assert_draws(plot, expected)
    assert plot.title.get_text() == r"$\eta = 0.05$, $\sigma = 0.5$"
    footer = plot.footer.get_text()
    assert f"SGD {expected.sgd.final[:, 0].std():.3f}" in footer
    assert f"Langevin {expected.langevin.final[:, 0].std():.3f}" in footer
    assert "50 chains" in footer and "t = 2" in footer
    assert axes[0].get_ylim() == (-2.0, 2.0) and axes[1].get_xlim() == (0.0, 2.0)
    assert plot.figure is axes[0].figure and plot.title is plot.figure._suptitle


def test_the_flow_solves_the_gradient_ode(axes):
    potential = ll.DoubleWell()
    viz.draw_sgd_and_langevin(potential, 0.2, 0.1, 1.0, 3.0, n_paths=1, n_ensemble=2, axes=axes)
    for ax in axes:
        (flow,) = (line for line in ax.lines if line.get_label() == "gradient flow")
        t, x = flow.get_data()
        assert t[0] == 0.0 and t[-1] == 3.0
        ode = solve_ivp(lambda _, y: -potential.grad(y), (0.0, 3.0), [0.2], t_eval=t, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(x, ode.y[0], atol=1e-6)


def test_paths_are_thinned_to_at_most_max_points():
    plot = viz.draw_sgd_and_langevin(ll.DoubleWell(), 0.2, 0.01, 1.0, 2.0, n_paths=2, n_ensemble=4, max_points=30)
    expected = reference_runs(0.01, 1.0, 2.0, x0=0.2, n_chains=4, seed=plot.seed, max_points=30)
    assert_draws(plot, expected)
    assert expected.sgd.steps[-1] == 200 and len(plot.sgd_lines[0].get_xdata()) <= 32


def test_same_setting_redraws_the_same_paths():
    plot = viz.draw_sgd_and_langevin(ll.DoubleWell(), 0.0, 0.2, 1.0, 1.0, n_paths=2, n_ensemble=10)
    assert plot.seed == 0  # the default seed
    first = plot.sgd_lines[0].get_ydata().copy()
    viz.update_sgd_and_langevin(plot, 0.1, 1.0)
    viz.update_sgd_and_langevin(plot, 0.2, 1.0)
    np.testing.assert_array_equal(plot.sgd_lines[0].get_ydata(), first)


def test_draw_makes_its_own_closed_figure_by_default():
    open_before = plt.get_fignums()
    plot = viz.draw_sgd_and_langevin(ll.DoubleWell(), 0.0, 0.2, 1.0, 1.0, n_paths=1, n_ensemble=2, rng=None)
    assert plt.get_fignums() == open_before
    left, right = plot.figure.axes
    assert left.get_shared_y_axes().joined(left, right)
    assert tuple(plot.figure.get_size_inches()) == (8.0, 3.6)
    assert isinstance(plot.seed, int) and plot.seed >= 0


def test_sliders_redraw_both_panels():
    plot = viz.draw_sgd_and_langevin(ll.DoubleWell(), 0.2, 0.1, 0.5, 1.0, n_ensemble=20, figsize=(4.0, 2.0), rng=3)
    lr_slider = viz.slider([0.05, 0.1], value=0.1, description="learning rate")
    sigma_slider = viz.slider([0.5, 1.0], description="sigma")
    *_, image = viz.interactive(plot, viz.update_sgd_and_langevin, lr=lr_slider, sigma=sigma_slider).children
    before = bytes(image.value)
    sigma_slider.value = 1.0
    assert bytes(image.value) != before and bytes(image.value)[:4] == b"\x89PNG"
    assert_draws(plot, reference_runs(0.1, 1.0, 1.0, x0=0.2, n_chains=20, seed=3, max_points=300))
    assert plot.title.get_text() == r"$\eta = 0.1$, $\sigma = 1$"


def test_animation_has_one_frame_per_setting():
    plot = viz.draw_sgd_and_langevin(ll.DoubleWell(), 0.2, 0.1, 0.5, 1.0, n_ensemble=10, figsize=(4.0, 2.0), rng=2)
    settings = [{"lr": 0.1, "sigma": 0.5}, {"lr": 0.05, "sigma": 1.0}]
    animation = viz.animate(plot, viz.update_sgd_and_langevin, settings, alt="SGD and Langevin paths", dpi=40)
    assert animation.html.count('] = "data:image/png;base64') == 2
    assert_draws(plot, reference_runs(0.05, 1.0, 1.0, x0=0.2, n_chains=10, seed=2, max_points=300))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rng": -1}, "rng"),
        ({"n_paths": 0}, "n_paths"),
        ({"ylim": (1.0, -1.0)}, "ylim"),
        ({"n_ensemble": 1}, "n_ensemble"),
        ({"n_paths": 5, "n_ensemble": 4}, "n_ensemble"),
        ({"substeps": 0}, "substeps"),
        ({"max_points": 0}, "max_points"),
        ({"t_max": 0.0}, "t_max"),
        ({"x0": [0.0, 1.0]}, "x0"),
        ({"potential": ll.Quadratic([1.0], [1.0])}, "potential"),
        ({"lr": -0.1}, "lr"),
        ({"sigma": 0.0}, "sigma"),
        ({"axes": "three"}, "axes"),
    ],
)
def test_bad_arguments(axes, kwargs, match):
    args = {"potential": ll.DoubleWell(), "x0": 0.0, "lr": 0.1, "sigma": 1.0, "t_max": 1.0, "axes": axes, **kwargs}
    with pytest.raises(ValueError, match=match):
        viz.draw_sgd_and_langevin(**args)


def test_update_rejects_bad_settings():
    plot = viz.draw_sgd_and_langevin(ll.DoubleWell(), 0.0, 0.1, 1.0, 1.0, n_paths=1, n_ensemble=2)
    with pytest.raises(ValueError, match="lr"):
        viz.update_sgd_and_langevin(plot, 0.0, 1.0)
    with pytest.raises(ValueError, match="sigma"):
        viz.update_sgd_and_langevin(plot, 0.1, -1.0)
