"""The two-temperature figure, widget and animation of chapter 5."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

import langevin_lib as ll
from langevin_lib.plotting import animation_html
from langevin_lib.two_temperature_widgets import (
    draw_two_temperatures,
    interactive_two_temperatures,
    stationary_cloud,
    two_temperature_animation,
    update_two_temperatures,
)


def test_stationary_cloud_has_the_exact_discrete_variances():
    cloud = stationary_cloud([1.0, 2.0], 0.2, [1.0, 0.5], n_chains=40_000, rng=1)
    exact = ll.quadratic_sgd_variance(np.array([1.0, 2.0]), np.array([1.0, 0.25]), 0.2)
    # Relative s.e. sqrt(2/40000) = 0.7%; 5 s.e. = 3.5%.
    np.testing.assert_allclose(cloud.var(axis=0), exact, rtol=0.035)
    with pytest.raises(ValueError, match="lr must be < 2"):
        stationary_cloud([1.0, 4.0], 0.6, [1.0, 1.0])


def test_draw_and_update_put_the_predictions_on_the_figure():
    fig, ax = plt.subplots()
    plot = draw_two_temperatures(ax, [1.0, 1.0], 0.1, 2.0, 0.5, lim=2.0, n_chains=4000, rng=0)
    # Two-temperature ellipse at radius 1 has semi-axes sqrt(T_k / h_k) = sqrt(0.2), sqrt(0.0125).
    x, y = plot.two_temperature[0].get_data()
    assert np.max(x) == pytest.approx(np.sqrt(0.2), rel=1e-3)
    assert np.max(y) == pytest.approx(np.sqrt(0.0125), rel=1e-3)
    # The single-temperature ellipse is a circle of radius sqrt(T*), T* close to (T_x + T_y)/2 (discrete SGD is hotter).
    x1, y1 = plot.one_temperature[0].get_data()
    assert np.max(x1) == pytest.approx(np.max(y1), rel=1e-9)
    assert np.max(x1) ** 2 == pytest.approx((0.2 + 0.0125) / 2, rel=0.1)
    update_two_temperatures(plot, 0.1, 1.0, 1.0)
    x, y = plot.two_temperature[0].get_data()
    assert np.max(x) == pytest.approx(np.max(y), rel=1e-9)
    assert "T_x = 0.05" in plot.title.get_text()
    assert plot.cloud.get_data()[0].shape == (4000,)
    plt.close(fig)


def test_widget_and_animation():
    box = interactive_two_temperatures([1.0, 1.0], lr=0.1, sigma_x=1.0, sigma_y=0.5, lr_range=(0.01, 0.5),
                                       sigma_range=(0.2, 2.0), lim=2.0, n_chains=500)  # fmt: skip
    assert isinstance(box, ipywidgets.VBox)
    sliders = box.children[:3]
    sliders[1].value = 1.5  # triggers a redraw without error
    with pytest.raises(ValueError, match="lr must lie"):
        interactive_two_temperatures([1.0, 1.0], lr=0.9, sigma_x=1.0, sigma_y=0.5, lr_range=(0.01, 0.5),
                                     sigma_range=(0.2, 2.0), lim=2.0)  # fmt: skip
    anim = two_temperature_animation([1.0, 1.0], [(0.1, 1.0, 1.0), (0.1, 2.0, 0.5)], lim=2.0, n_chains=300)
    assert len(list(anim.new_frame_seq())) == 2
    assert 'alt="two clouds"' in animation_html(anim, alt="two clouds")  # renders both frames
    with pytest.raises(ValueError, match="settings"):
        two_temperature_animation([1.0, 1.0], [(0.1, 1.0)], lim=2.0)
