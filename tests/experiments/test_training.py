"""Training curves with rate drops, Monte Carlo L(eta), the first-order prediction and Yaida's relation."""

from __future__ import annotations

import numpy as np
import pytest

import langevin_lib as ll
from langevin_lib.dynamics.schedules import step_decay
from langevin_lib.experiments.training import (
    TrainingCurve,
    converged_loss,
    first_order_loss,
    fluctuation_dissipation,
    plateau_levels,
    train_with_drops,
)


def test_train_with_drops_is_sgd_with_a_step_schedule(regression3):
    curve = train_with_drops(
        regression3,
        np.zeros(3),
        0.2,
        drop_factor=10,
        steps_per_stage=30,
        n_stages=3,
        batch_size=2,
        n_chains=4,
        rng=5,
        record_every=10,
    )
    same = ll.sgd(
        regression3, np.zeros(3), step_decay(0.2, 0.1, 30), 90, n_chains=4, batch_size=2, rng=5, record_every=10
    )
    np.testing.assert_array_equal(curve.steps, same.steps)
    np.testing.assert_allclose(curve.loss, regression3.loss(same.phi), rtol=1e-14)
    np.testing.assert_allclose(curve.final, same.final)
    # Records 1..30 come from stage 0, 31..60 from stage 1, ...
    np.testing.assert_array_equal(curve.stage, [0, 0, 0, 0, 1, 1, 1, 2, 2, 2])
    np.testing.assert_allclose(curve.lr, 0.2 / 10.0**curve.stage)
    np.testing.assert_allclose(curve.epochs, curve.steps * 2 / regression3.n_examples)


def test_drop_factor_below_one_is_rejected(regression3):
    with pytest.raises(ValueError, match="drop_factor must be >= 1"):
        train_with_drops(regression3, np.zeros(3), 0.1, drop_factor=0.5, steps_per_stage=10)


def test_plateau_levels_average_the_tail_of_each_stage():
    steps = np.arange(9)
    stage = np.maximum(steps - 1, 0) // 4
    loss = np.column_stack([steps.astype(float), 2.0 * steps])  # two chains
    curve = TrainingCurve(
        steps=steps, epochs=steps.astype(float), lr=1.0 / (1 + stage), stage=stage, loss=loss, final=np.zeros((2, 1))
    )
    levels, errors = plateau_levels(curve, tail=0.5)
    # Stage 0 holds records 1..4 (tail: 3, 4), stage 1 holds 5..8 (tail: 7, 8); chain 2 doubles chain 1.
    np.testing.assert_allclose(levels, [1.5 * 3.5, 1.5 * 7.5])
    np.testing.assert_allclose(
        errors, [np.std([3.5, 7.0], ddof=1) / np.sqrt(2), np.std([7.5, 15.0], ddof=1) / np.sqrt(2)]
    )
    with pytest.raises(ValueError, match="tail"):
        plateau_levels(curve, tail=1.5)


def test_converged_loss_matches_the_exact_solution(regression3):
    lr = 0.5 * ll.sgd_stability_bound(regression3)
    exact = ll.sgd_excess_loss(regression3, lr)
    tangent = lr * ll.tz_slope(regression3)
    loss_star = float(regression3.loss(regression3.minimizer()))
    mc = converged_loss(regression3, regression3.minimizer(), lr, n_steps=4000, burn_in=500, n_chains=400, rng=1)
    # 5 standard errors over independent chains ...
    assert abs(mc.mean - loss_star - exact) < 5 * mc.stderr
    # ... and the first-order (tangent) value, which is wrong at half the bound, lies far outside.
    assert abs(mc.mean - loss_star - tangent) > 10 * mc.stderr


def test_converged_loss_validates_its_window(regression3):
    with pytest.raises(ValueError, match="burn_in"):
        converged_loss(regression3, np.zeros(3), 0.1, n_steps=10, burn_in=10)
    with pytest.raises(ValueError, match="n_chains"):
        converged_loss(regression3, np.zeros(3), 0.1, n_steps=10, burn_in=1, n_chains=1)


@pytest.mark.parametrize("batch_size", [1, 3])
def test_first_order_loss_is_the_tz_tangent(regression3, batch_size):
    phi_star = regression3.minimizer()
    rates = np.array([0.0, 0.1, 0.2])
    expected = float(regression3.loss(phi_star)) + rates * ll.tz_slope(regression3, batch_size)
    np.testing.assert_allclose(first_order_loss(regression3, phi_star, rates, batch_size), expected, rtol=1e-13)


def test_fluctuation_dissipation_pointwise_for_linear_regression(regression3):
    phi_star = regression3.minimizer()
    samples = phi_star + 0.3 * np.random.default_rng(2).standard_normal((20, 3))
    lhs, rhs = fluctuation_dissipation(regression3, samples, phi_star, 0.1, batch_size=2)
    # (phi - phi*).grad L = 2 (L - L*) exactly for a quadratic loss.
    np.testing.assert_allclose(lhs, 2 * (regression3.loss(samples) - regression3.loss(phi_star)), rtol=1e-12)
    # rhs = lr/2 * (|g|^2 + (E_i|g_i|^2 - |g|^2) / B), computed here from the residuals.
    r = samples @ regression3.X.T - regression3.y
    g = r @ regression3.X / regression3.n_examples
    mean_sq = np.mean(r**2 * np.sum(regression3.X**2, axis=1), axis=1)
    np.testing.assert_allclose(rhs, 0.05 * (np.sum(g**2, axis=1) + (mean_sq - np.sum(g**2, axis=1)) / 2), rtol=1e-12)


def test_fluctuation_dissipation_holds_in_the_stationary_state(regression3):
    phi_star, lr = regression3.minimizer(), 0.3
    run = ll.sgd(regression3, phi_star, lr, 600, n_chains=4000, rng=3, record_every=600)
    lhs, rhs = fluctuation_dissipation(regression3, run.final, phi_star, lr)
    diff = lhs - rhs
    # Both sides agree within 5 standard errors of their difference (4000 independent chains) ...
    assert abs(diff.mean()) < 5 * diff.std() / np.sqrt(len(diff))
    # ... but not at the start, where the chains sit at phi* (lhs = 0 < rhs): the relation needs stationarity.
    lhs0, rhs0 = fluctuation_dissipation(regression3, run.phi[0], phi_star, lr)
    assert np.all(lhs0 == 0) and np.all(rhs0 > 0)
