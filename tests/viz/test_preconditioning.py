"""The eta'/sigma^p figure of chapter 6 (langevin_lib.viz.preconditioning): cloud, exact ellipse, temperatures.

``preconditioned_rates`` and ``stationary_samples`` themselves are tested in
tests/dynamics and tests/theory; here the figure must draw exactly their
results and the closed forms.
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest

import langevin_lib as ll
from langevin_lib import viz

H, SIGMA = np.array([1.0, 1.0]), np.array([0.5, 2.0])
RANGES = {"lr_range": (0.02, 0.2), "p_range": (0.0, 2.0)}
#: Relaxation times of the slowest coordinate and step cap of the figure (langevin_lib.viz.preconditioning).
RELAXATION_TIMES, MAX_STEPS = 6.0, 4000


def rates(lr_prime, p):
    return lr_prime / SIGMA**p


def reference_cloud(lr_prime, p, n_chains, seed):
    """SGD with rates eta'/sigma^p on Quadratic(H, SIGMA), from 0, for ceil(6 / min(eta_k h_k)) steps."""
    eta = rates(lr_prime, p)
    n_steps = int(np.ceil(RELAXATION_TIMES / np.min(eta * H)))
    return ll.sgd(ll.Quadratic(H, SIGMA), np.zeros(2), eta, n_steps, n_chains=n_chains, rng=seed).final


def exact_variance(lr_prime, p):
    """Stationary variance of SGD on h x^2/2 with noise sigma: eta sigma^2 / (h (2 - eta h))."""
    eta = rates(lr_prime, p)
    return eta * SIGMA**2 / (H * (2 - eta * H))


def drawn_cloud(plot):
    return np.column_stack(plot.cloud.get_data())


def test_draw_and_update_draw_the_cloud_the_exact_ellipse_and_the_temperatures():
    axes = viz.new_figure(1, 2)[1]
    plot = viz.draw_preconditioning(H, SIGMA, 0.05, 1.0, **RANGES, n_chains=300, rng=3, axes=axes)
    assert plot.figure is axes[0].figure
    np.testing.assert_array_equal(drawn_cloud(plot), reference_cloud(0.05, 1.0, 300, 3))
    for lr_prime, p in [(0.1, 2.0), (0.02, 0.0)]:
        measured = viz.update_preconditioning(plot, lr_prime, p)
        cloud = reference_cloud(lr_prime, p, 300, 3)
        np.testing.assert_array_equal(drawn_cloud(plot), cloud)
        np.testing.assert_allclose(measured, H * cloud.var(axis=0), rtol=1e-12)
        np.testing.assert_allclose([bar.get_height() for bar in plot.measured], measured)
        # The predicted marks sit at the Langevin temperatures eta' sigma_k^(2 - p) / 2.
        _, y = plot.predicted.get_data()
        np.testing.assert_allclose(np.asarray(y)[[0, 1, 3, 4]], np.repeat(lr_prime * SIGMA ** (2 - p) / 2, 2))
        # The ellipse is the exact discrete stationary law at 2 standard deviations.
        x, y = plot.ellipse.get_data()
        np.testing.assert_allclose([np.max(np.abs(x)), np.max(np.abs(y))], 2 * np.sqrt(exact_variance(lr_prime, p)),
                                   rtol=1e-3)  # fmt: skip
        title = plot.title.get_text()
        assert f"\\eta' = {lr_prime:.3g}" in title and f"p = {p:.2f}" in title
        assert f"T_2/T_1 = {measured[1] / measured[0]:.3g}" in title
        assert f"Langevin: ${(SIGMA[1] / SIGMA[0]) ** (2 - p):.3g}$" in title


def test_p_two_gives_one_temperature_and_p_zero_the_sigma_squared_ratio():
    plot = viz.draw_preconditioning(H, SIGMA, 0.05, 2.0, **RANGES, n_chains=2000, rng=1)
    ratio = float(re.search(r"T_2/T_1 = ([0-9.e+-]+)", plot.title.get_text()).group(1))
    exact = exact_variance(0.05, 2.0)
    assert ratio == pytest.approx(exact[1] / exact[0], rel=0.15)  # two variances of 2000 draws, 3% s.e. each
    measured = viz.update_preconditioning(plot, 0.05, 0.0)
    exact = exact_variance(0.05, 0.0)
    assert measured[1] / measured[0] == pytest.approx(exact[1] / exact[0], rel=0.15)
    assert abs(np.log(measured[1] / measured[0])) > 2  # ratio near 16, far from the single temperature of p = 2


def test_a_setting_always_redraws_the_same_cloud():
    plot = viz.draw_preconditioning(H, SIGMA, 0.1, 2.0, **RANGES, n_chains=50, rng=np.random.default_rng(9))
    assert plot.seed == int(np.random.default_rng(9).integers(2**63 - 1))
    before = drawn_cloud(plot)
    viz.update_preconditioning(plot, 0.05, 1.0)
    viz.update_preconditioning(plot, 0.1, 2.0)
    np.testing.assert_array_equal(drawn_cloud(plot), before)


def test_the_window_holds_every_setting_of_the_ranges():
    plot = viz.draw_preconditioning(H, SIGMA, 0.05, 1.0, **RANGES, n_chains=10)
    ax_cloud, ax_temp = plot.figure.axes
    corners = [lr * SIGMA ** (2 - p) / 2 for lr in RANGES["lr_range"] for p in RANGES["p_range"]]
    extent = 2.3 * np.sqrt(1.5 * np.max(np.array(corners) / H))
    np.testing.assert_allclose(ax_cloud.get_xlim(), (-extent, extent))
    np.testing.assert_allclose(ax_cloud.get_ylim(), (-extent, extent))
    np.testing.assert_allclose(ax_temp.get_ylim(), (np.min(corners) / 2, np.max(corners) * 3))
    assert ax_temp.get_yscale() == "log"


def test_draw_makes_its_own_closed_figure_by_default():
    open_before = plt.get_fignums()
    plot = viz.draw_preconditioning(H, SIGMA, 0.05, 1.0, lr_range=(0.05, 0.05), p_range=(1.0, 1.0), n_chains=10)
    assert plt.get_fignums() == open_before
    assert len(plot.figure.axes) == 2 and tuple(plot.figure.get_size_inches()) == (8.4, 4.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"h": [1.0, 1.0, 1.0]}, "h and sigma must have shape"),
        ({"sigma": [0.0, 1.0]}, "sigma"),
        ({"lr_range": (0.2, 0.02)}, "lr_range"),
        ({"lr_range": (0.0, 0.2)}, "lr_range"),
        ({"lr_range": (0.02, 0.1, 0.2)}, "lr_range"),
        ({"p_range": (2.0, 0.0)}, "p_range"),
        ({"p_range": (0.0, np.inf)}, "p_range"),
        ({"n_chains": 1}, "n_chains"),
        ({"rng": -1}, "rng"),
        ({"lr_prime": 0.0}, "lr_prime"),
        ({"p": np.nan}, "p"),
    ],
)
def test_draw_rejects_bad_arguments(kwargs, match):
    args = {"h": H, "sigma": SIGMA, "lr_prime": 0.05, "p": 1.0, **RANGES, "n_chains": 10, **kwargs}
    with pytest.raises(ValueError, match=match):
        viz.draw_preconditioning(**args)


def test_update_refuses_unstable_or_slow_rates():
    plot = viz.draw_preconditioning(H, SIGMA, 0.05, 1.0, **RANGES, n_chains=10)
    with pytest.raises(ValueError, match="lr"):
        viz.update_preconditioning(plot, 0.6, 2.0)  # eta_1 = 0.6 / 0.25 = 2.4 > 2 / h
    with pytest.raises(ValueError, match="max_steps"):
        viz.update_preconditioning(plot, 1e-4, 0.0)  # 60 000 steps to relax: a slider must stay fast


def test_sliders_redraw():
    plot = viz.draw_preconditioning(H, SIGMA, 0.05, 1.0, **RANGES, n_chains=200, rng=2, figsize=(4.0, 2.0))
    lr_slider = viz.slider([0.02, 0.05, 0.1], value=0.05, description="η'")
    p_slider = viz.slider([0.0, 1.0, 2.0], value=1.0, description="p")
    box = viz.interactive(plot, viz.update_preconditioning, lr_prime=lr_slider, p=p_slider)
    image = box.children[2]
    before = bytes(image.value)
    p_slider.value = 0.0
    lr_slider.value = 0.1
    assert bytes(image.value) != before
    np.testing.assert_array_equal(drawn_cloud(plot), reference_cloud(0.1, 0.0, 200, 2))
    assert "p = 0.00" in plot.title.get_text()


def test_animation_has_one_frame_per_exponent():
    plot = viz.draw_preconditioning(H, SIGMA, 0.05, 0.0, lr_range=(0.05, 0.05), p_range=(0.0, 2.0), n_chains=100,
                                    figsize=(4.0, 2.0))  # fmt: skip
    frames = [{"lr_prime": 0.05, "p": p} for p in (0.0, 2.0)]
    animation = viz.animate(plot, viz.update_preconditioning, frames, alt="temperatures for p = 0 and 2", dpi=40)
    assert animation.html.count('] = "data:image/png;base64') == 2
    assert "p = 2.00" in plot.title.get_text()
