"""The two-temperature figure of chapter 5 (langevin_lib.viz.two_temperatures), with its sliders and animation.

The statistics of the stationary cloud itself are tested with ``stationary_samples``
in tests/theory; here the figure must draw those samples and the predictions.
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest

import langevin_lib as ll
from langevin_lib import viz

#: Relaxation times of the slowest coordinate simulated by the figure (langevin_lib.viz.two_temperatures).
RELAXATION_TIMES = 6.0


def reference_cloud(h, lr, sigma, n_chains, seed):
    """SGD on Quadratic(h, sigma) from the minimiser for ceil(6 / (lr min h)) steps, run by hand."""
    h = np.asarray(h, dtype=float)
    n_steps = int(np.ceil(RELAXATION_TIMES / (lr * h.min())))
    return ll.sgd(ll.Quadratic(h, sigma), np.zeros(2), lr, n_steps, n_chains=n_chains, rng=seed).final


def one_temperature_mle(h, cloud):
    """The maximum-likelihood T of p ~ exp(-L/T) in d = 2 for L = sum h_k x_k^2 / 2: the mean loss."""
    return float(np.mean(0.5 * cloud**2 @ np.asarray(h)))


def semi_axes(line):
    x, y = line.get_data()
    return np.max(np.abs(x)), np.max(np.abs(y))


def test_draw_and_update_put_the_predictions_on_the_figure():
    ax = viz.new_figure()[1]
    plot = viz.draw_two_temperatures([1.0, 1.0], 0.1, 2.0, 0.5, lim=2.0, n_chains=4000, rng=0, ax=ax)
    assert plot.figure is ax.figure and plot.title is ax.title
    cloud = np.column_stack(plot.cloud.get_data())
    np.testing.assert_array_equal(cloud, reference_cloud([1.0, 1.0], 0.1, [2.0, 0.5], 4000, 0))
    # Two-temperature ellipses at radii 1 and 2 have semi-axes r sqrt(T_k / h_k) = r sqrt(0.2), r sqrt(0.0125).
    for r, line in zip((1.0, 2.0), plot.two_temperature, strict=True):
        np.testing.assert_allclose(semi_axes(line), r * np.sqrt([0.2, 0.0125]), rtol=1e-3)
    # The single-temperature ellipse is a circle of radius sqrt(T*), T* the likelihood maximiser for the cloud,
    # close to (T_x + T_y)/2 (discrete SGD is a little hotter).
    t_star = one_temperature_mle([1.0, 1.0], cloud)
    for r, line in zip((1.0, 2.0), plot.one_temperature, strict=True):
        np.testing.assert_allclose(semi_axes(line), r * np.sqrt([t_star, t_star]), rtol=2e-3)
    assert t_star == pytest.approx((0.2 + 0.0125) / 2, rel=0.1)
    assert "T_x = 0.2" in plot.title.get_text() and "T_y = 0.0125" in plot.title.get_text()
    (shown,) = re.findall(r"T\^\* = ([0-9.e+-]+)", plot.title.get_text())
    assert float(shown) == pytest.approx(t_star, rel=6e-3)  # three significant digits of a grid fit

    viz.update_two_temperatures(plot, 0.1, 1.0, 1.0)
    x, y = plot.two_temperature[0].get_data()  # one temperature T = 0.05 in both coordinates: a circle
    np.testing.assert_allclose(np.hypot(x, y), np.sqrt(0.05), rtol=1e-12)
    assert "T_x = 0.05" in plot.title.get_text() and "T_y = 0.05" in plot.title.get_text()
    cloud = np.column_stack(plot.cloud.get_data())
    assert cloud.shape == (4000, 2)
    np.testing.assert_array_equal(cloud, reference_cloud([1.0, 1.0], 0.1, [1.0, 1.0], 4000, 0))
    assert ax.get_xlim() == (-2.0, 2.0) and ax.get_ylim() == (-2.0, 2.0)


def test_a_setting_always_redraws_the_same_cloud():
    plot = viz.draw_two_temperatures([1.0, 2.0], 0.2, 1.0, 0.5, lim=2.0, n_chains=50, rng=np.random.default_rng(5))
    assert plot.seed == int(np.random.default_rng(5).integers(2**63 - 1))
    first = np.column_stack(plot.cloud.get_data())
    np.testing.assert_array_equal(first, reference_cloud([1.0, 2.0], 0.2, [1.0, 0.5], 50, plot.seed))
    viz.update_two_temperatures(plot, 0.1, 2.0, 2.0)
    viz.update_two_temperatures(plot, 0.2, 1.0, 0.5)
    np.testing.assert_array_equal(np.column_stack(plot.cloud.get_data()), first)


def test_draw_makes_its_own_closed_figure_by_default():
    open_before = plt.get_fignums()
    plot = viz.draw_two_temperatures([1.0, 1.0], 0.1, 1.0, 1.0, lim=1.0, n_chains=10, figsize=(3.0, 3.0))
    assert plt.get_fignums() == open_before
    assert tuple(plot.figure.get_size_inches()) == (3.0, 3.0) and len(plot.figure.axes) == 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"h": [1.0, 1.0, 1.0]}, "h must have shape"),
        ({"h": [1.0, -1.0]}, "h"),
        ({"lim": 0.0}, "lim"),
        ({"n_chains": 1}, "n_chains"),
        ({"rng": -2}, "rng"),
        ({"lr": 0.0}, "lr"),
        ({"sigma_x": -1.0}, "sigma_x"),
        ({"sigma_y": np.nan}, "sigma_y"),
        ({"lr": 0.6, "h": [1.0, 4.0]}, "lr"),  # above 2 / max h: no stationary cloud
    ],
)
def test_draw_rejects_bad_arguments(kwargs, match):
    args = {"h": [1.0, 1.0], "lr": 0.1, "sigma_x": 1.0, "sigma_y": 1.0, "lim": 2.0, "n_chains": 10, **kwargs}
    with pytest.raises(ValueError, match=match):
        viz.draw_two_temperatures(**args)


def test_update_rejects_bad_settings():
    plot = viz.draw_two_temperatures([1.0, 4.0], 0.1, 1.0, 1.0, lim=1.0, n_chains=10)
    for setting, match in [((0.6, 1.0, 1.0), "lr"), ((0.1, 0.0, 1.0), "sigma_x"), ((0.1, 1.0, -1.0), "sigma_y")]:
        with pytest.raises(ValueError, match=match):
            viz.update_two_temperatures(plot, *setting)


def test_sliders_and_animation():
    plot = viz.draw_two_temperatures([1.0, 1.0], 0.1, 1.0, 1.0, lim=2.0, n_chains=300, rng=1, figsize=(3.0, 3.0))
    controls = {
        "lr": viz.slider([0.05, 0.1, 0.2], value=0.1, description="learning rate"),
        "sigma_x": viz.slider([0.5, 1.0, 1.5], value=1.0, description="sigma_x"),
        "sigma_y": viz.slider([0.5, 1.0, 1.5], value=0.5, description="sigma_y"),
    }
    box = viz.interactive(plot, viz.update_two_temperatures, **controls)
    assert list(box.children[:3]) == list(controls.values())
    assert "T_y = 0.0125" in plot.title.get_text()  # the first render shows the sliders' values
    before = bytes(box.children[3].value)
    controls["sigma_x"].value = 1.5
    assert bytes(box.children[3].value) != before
    np.testing.assert_array_equal(
        np.column_stack(plot.cloud.get_data()), reference_cloud([1.0, 1.0], 0.1, [1.5, 0.5], 300, 1)
    )
    frames = [{"lr": 0.1, "sigma_x": 1.0, "sigma_y": 1.0}, {"lr": 0.1, "sigma_x": 2.0, "sigma_y": 0.5}]
    animation = viz.animate(plot, viz.update_two_temperatures, frames, alt="two clouds", dpi=40)
    assert 'alt="two clouds"' in animation.html
    assert animation.html.count('] = "data:image/png;base64') == 2
