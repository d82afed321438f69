"""The eta'/sigma^p widget: rates, stationary samples against the exact variance, drawing and updating."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import langevin_lib as ll
from langevin_lib import preconditioning_widgets as pw

H, SIGMA = np.array([1.0, 1.0]), np.array([0.5, 2.0])


def test_preconditioned_rates_closed_form():
    np.testing.assert_allclose(pw.preconditioned_rates(SIGMA, 0.1, 2.0), [0.4, 0.025])
    np.testing.assert_allclose(pw.preconditioned_rates(SIGMA, 0.1, 0.0), [0.1, 0.1])
    with pytest.raises(ValueError, match="lr_prime"):
        pw.preconditioned_rates(SIGMA, 0.0, 1.0)
    with pytest.raises(ValueError, match="sigma"):
        pw.preconditioned_rates([0.0, 1.0], 0.1, 1.0)


@pytest.mark.parametrize("p", [0.0, 2.0])
def test_stationary_samples_have_the_exact_variance(p):
    rates = pw.preconditioned_rates(SIGMA, 0.05, p)
    samples = pw.stationary_samples(H, SIGMA, rates, n_chains=4000, rng=1)
    exact = ll.quadratic_sgd_variance(H, SIGMA**2, rates)
    # A sample variance of n Gaussian draws has relative standard error sqrt(2/n) = 2.2%; allow 5 of them.
    np.testing.assert_allclose(samples.var(axis=0) / exact, 1.0, atol=5 * np.sqrt(2 / 4000))
    # ... and the variance ratio (the temperature ratio, h = 1) is far from the other scheme's
    # (Langevin ratios: 16 for p = 0, 1 for p = 2; the exact ones differ by the discrete factors).
    ratio = samples[:, 1].var() / samples[:, 0].var()
    other = 1.0 if p == 0 else 16.0
    assert ratio == pytest.approx(exact[1] / exact[0], rel=0.1)  # two variances, 2 x 2.2% s.e. each
    assert abs(np.log(ratio / other)) > 2


def test_stationary_samples_refuse_unstable_or_slow_rates():
    with pytest.raises(ValueError, match="lr"):
        pw.stationary_samples(H, SIGMA, [2.5, 0.1])
    with pytest.raises(ValueError, match="rates too small"):
        pw.stationary_samples(H, SIGMA, [1e-4, 1e-4])


def test_draw_and_update():
    fig, axes = plt.subplots(1, 2)
    plot = pw.draw_preconditioning(axes, H, SIGMA, 0.05, 1.0, extent=2.0, t_range=(1e-3, 1.0), n_chains=300)
    measured = pw.update_preconditioning(plot, 0.1, 2.0)
    np.testing.assert_allclose([bar.get_height() for bar in plot.measured], measured)
    _, y = plot.predicted.get_data()
    np.testing.assert_allclose(np.asarray(y)[[0, 3]], [0.05, 0.05])  # T = eta'/2 for p = 2
    assert len(plot.cloud.get_xdata()) == 300
    assert "p = 2.00" in plot.title.get_text()
    # Same seed, same setting: the same cloud.
    before = np.array(plot.cloud.get_xdata())
    pw.update_preconditioning(plot, 0.1, 2.0)
    np.testing.assert_array_equal(plot.cloud.get_xdata(), before)
    plt.close(fig)


def test_widget_sliders_redraw():
    box = pw.interactive_preconditioning(H, SIGMA, n_chains=200)
    lr_slider, p_slider, _ = box.children
    p_slider.value = 0.0
    lr_slider.value = 0.1
    assert (lr_slider.value, p_slider.value) == pytest.approx((0.1, 0.0))
    with pytest.raises(ValueError, match="lr_prime"):
        pw.interactive_preconditioning(H, SIGMA, lr_prime=1.0)


def test_animation_has_one_frame_per_exponent():
    animation = pw.preconditioning_animation(H, SIGMA, 0.05, [0.0, 1.0, 2.0], n_chains=100)
    assert len(list(animation.new_frame_seq())) == 3
    animation._draw_was_started = True  # not rendered on purpose: silence matplotlib's warning
    plt.close(animation._fig)
    with pytest.raises(ValueError, match="ps"):
        pw.preconditioning_animation(H, SIGMA, 0.05, [])
