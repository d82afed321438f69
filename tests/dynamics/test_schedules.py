"""Learning-rate schedules and the model clock t_k = sum_{j<k} eta_j, against closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import digamma

import langevin_lib as ll
from langevin_lib.dynamics.schedules import elapsed_time, inverse_time_decay, learning_rate_table, step_decay

# ---------------------------------------------------------------- the rates


def test_inverse_time_decay_values():
    schedule = inverse_time_decay(0.3, decay_steps=50)
    assert schedule(0) == pytest.approx(0.3, rel=1e-15)
    assert schedule(50) == pytest.approx(0.15, rel=1e-15)  # halved at k = k0
    assert schedule(150) == pytest.approx(0.075, rel=1e-15)
    k = np.arange(10)
    np.testing.assert_allclose(schedule(k), 0.3 / (1 + k / 50), rtol=1e-15)


def test_step_decay_values():
    schedule = step_decay(0.2, factor=0.1, every=3)
    np.testing.assert_allclose(schedule(np.arange(8)), [0.2, 0.2, 0.2, 0.02, 0.02, 0.02, 0.002, 0.002], rtol=1e-14)
    assert schedule(3) == pytest.approx(0.02, rel=1e-14)
    # factor 1 is a constant schedule
    np.testing.assert_allclose(step_decay(0.5, factor=1.0, every=2)(np.arange(5)), 0.5)


# ---------------------------------------------------------------- the clock


def test_elapsed_time_of_a_constant_rate():
    t = elapsed_time(0.25, 8)
    np.testing.assert_allclose(t, 0.25 * np.arange(9), rtol=1e-15)


def test_elapsed_time_of_inverse_time_decay_is_the_digamma_formula():
    lr0, k0, n = 0.01, 200.0, 1500
    t = elapsed_time(inverse_time_decay(lr0, k0), n)
    k = np.arange(n + 1)
    np.testing.assert_allclose(t, lr0 * k0 * (digamma(k0 + k) - digamma(k0)), rtol=1e-11, atol=1e-15)
    # it grows like lr0 * k0 * log(k): without bound
    assert t[-1] == pytest.approx(lr0 * k0 * np.log((k0 + n) / k0), rel=2e-3)


def test_elapsed_time_of_step_decay_is_a_geometric_sum_below_its_limit():
    lr0, gamma, m = 0.01, 0.5, 300
    t = elapsed_time(step_decay(lr0, gamma, m), 5 * m)
    for q in range(6):
        assert t[q * m] == pytest.approx(lr0 * m * (1 - gamma**q) / (1 - gamma), rel=1e-12)
    assert t[-1] < lr0 * m / (1 - gamma)  # the clock stops at 6


def test_elapsed_time_of_per_coordinate_rates_uses_their_mean():
    t = elapsed_time(np.array([0.1, 0.3]), 4, dim=2)
    np.testing.assert_allclose(t, 0.2 * np.arange(5), rtol=1e-15)


def test_elapsed_time_is_the_clock_of_sgd():
    problem = ll.Quadratic([1.0, 2.0], [0.5, 0.5])
    schedule = inverse_time_decay(0.05, 10)
    run = ll.sgd(problem, [1.0, -1.0], schedule, 40, n_chains=3, rng=0)
    np.testing.assert_allclose(run.times, elapsed_time(schedule, 40), rtol=1e-14)
    run = ll.sgd(problem, [1.0, -1.0], step_decay(0.05, 0.5, 7), 40, rng=0, record_every=5)
    np.testing.assert_allclose(run.times, elapsed_time(step_decay(0.05, 0.5, 7), 40)[run.steps], rtol=1e-14)


def test_learning_rate_table_for_constant_and_scheduled_rates():
    rates, dt = learning_rate_table(0.1, 5, 3)
    assert rates.shape == (1,)
    np.testing.assert_array_equal(dt, [0.1])
    rates, dt = learning_rate_table(step_decay(1.0, 0.5, 2), 5, 3)
    np.testing.assert_allclose(rates, [1.0, 1.0, 0.5, 0.5, 0.25])
    np.testing.assert_allclose(dt, rates)


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: inverse_time_decay(0.0, 10), "lr0 must be finite and > 0"),
        (lambda: inverse_time_decay(np.nan, 10), "lr0 must be finite"),
        (lambda: inverse_time_decay([0.1, 0.2], 10), "lr0 must be a finite scalar"),
        (lambda: inverse_time_decay(0.1, -1.0), "decay_steps must be finite and > 0"),
        (lambda: step_decay(0.1, 1.5, 10), r"factor must be in \(0, 1\]"),
        (lambda: step_decay(0.1, 0.0, 10), "factor must be finite and > 0"),
        (lambda: step_decay(0.1, 0.5, 0), "every must be an integer >= 1"),
        (lambda: step_decay(0.1, 0.5, 2.5), "every must be an integer >= 1"),
        (lambda: elapsed_time(0.1, 0), "n_steps must be an integer >= 1"),
        (lambda: elapsed_time(-0.1, 3), "lr must be finite and > 0"),
    ],
)
def test_bad_arguments_raise_value_errors_naming_them(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("k", [-1, 1.5, np.array([0, -2])])
def test_schedules_refuse_steps_that_are_not_non_negative_integers(k):
    for schedule in (inverse_time_decay(0.1, 5), step_decay(0.1, 0.5, 5)):
        with pytest.raises(ValueError, match="k must be an integer step >= 0"):
            schedule(k)


@pytest.mark.parametrize(("t", "lr", "expected"), [(4.0, 0.01, 400), (4.0, 0.03, 134), (1e-3, 0.5, 1), (2.0, 2.0, 1)])
def test_steps_to_reach_is_the_first_step_at_or_past_t(t, lr, expected):
    n = ll.steps_to_reach(t, lr)
    assert n == expected
    assert n * lr >= t * (1 - 1e-12) and (n == 1 or (n - 1) * lr < t)


def test_preconditioned_rates_and_their_temperatures():
    sigma = np.array([0.5, 1.0, 4.0])
    for p in (0.0, 1.0, 2.0):
        rates = ll.preconditioned_rates(sigma, 0.1, p)
        np.testing.assert_allclose(rates, 0.1 / sigma**p)
        # T_k = eta_k sigma_k^2 / 2 = eta' sigma^(2-p) / 2: one temperature exactly when p = 2.
        np.testing.assert_allclose(ll.langevin_temperature(rates, sigma**2), 0.05 * sigma ** (2 - p))
    with pytest.raises(ValueError, match="sigma"):
        ll.preconditioned_rates([0.5, 0.0], 0.1, 1.0)
    with pytest.raises(ValueError, match="p"):
        ll.preconditioned_rates([0.5], 0.1, np.nan)
