"""Simulated first passages against the exact mean first-passage time; the quadrature against closed forms.

Escape times over a barrier are close to exponential, so the standard error of
a mean of N of them is about mean / sqrt(N). Tolerances: 5 standard errors
plus the O(lr) bias of the discrete time step where stated.
"""

from __future__ import annotations

import numpy as np
import pytest

from langevin_lib import DivergenceError
from langevin_lib.problems.potentials import DoubleWell, Harmonic, SeparableNoisyLoss
from langevin_lib.theory.escape import EscapeTimes, exact_mean_first_passage_time, sgd_first_passage_times


def test_exact_passage_time_of_pure_diffusion_with_a_wall():
    # L = 0 on [wall, c]: tau(a -> c) = ((c - wall)^2 - (a - wall)^2) / (2T).
    class Flat(Harmonic):
        def loss(self, x):
            return np.zeros_like(np.asarray(x, dtype=float))

    tau = exact_mean_first_passage_time(Flat(), 0.5, 0.3, 2.0, wall=0.0, n_grid=20001)
    assert tau == pytest.approx((2.0**2 - 0.3**2) / (2 * 0.5), rel=1e-6)


def test_exact_passage_time_is_mirror_symmetric():
    well = DoubleWell()
    right = exact_mean_first_passage_time(well, 0.1, -1.0, 1.0, wall=-3.0)
    left = exact_mean_first_passage_time(well, 0.1, 1.0, -1.0, wall=3.0)
    assert left == pytest.approx(right, rel=1e-10)


def test_simulated_escape_matches_the_exact_mean_first_passage_time():
    well, lr, T = DoubleWell(), 0.01, 0.125
    exact = exact_mean_first_passage_time(well, T, -1.0, 1.0, wall=-3.0)
    run = sgd_first_passage_times(
        SeparableNoisyLoss(well, np.sqrt(2 * T / lr)), -1.0, lr, target=1.0, n_chains=800, max_time=6 * exact, rng=3
    )
    # s.e. = mean/sqrt(800) = 3.5%; 5 s.e. = 18%. The discrete-step bias is a few percent at lr = 0.01.
    assert run.mean() == pytest.approx(exact, rel=0.18)
    # The slide's convention (T = lr sigma^2/10, five times colder) predicts an escape time 40 times longer.
    slide = exact_mean_first_passage_time(well, T / 5, -1.0, 1.0, wall=-3.0)
    assert slide > 10 * run.mean()


def test_passage_to_the_left_and_censoring():
    well, lr, T = DoubleWell(), 0.01, 0.125
    run = sgd_first_passage_times(
        SeparableNoisyLoss(well, np.sqrt(2 * T / lr)), 1.0, lr, target=-1.0, n_chains=300, max_time=20.0, rng=4
    )
    assert run.max_time == pytest.approx(20.0)
    assert 0 < run.n_censored < 300
    finite = run.times[np.isfinite(run.times)]
    assert finite.min() > 0 and finite.max() <= 20.0 + 1e-9
    # Censored-exponential estimate: total time on test over the number of arrivals.
    assert run.mean() == pytest.approx((finite.sum() + 20.0 * run.n_censored) / finite.size)


def test_escape_times_estimator_without_censoring_is_the_sample_mean():
    times = EscapeTimes(times=np.array([1.0, 2.0, 6.0]), max_time=10.0)
    assert times.mean() == pytest.approx(3.0)
    assert times.standard_error() == pytest.approx(3.0 / np.sqrt(3))
    with pytest.raises(ValueError, match="no chain arrived"):
        EscapeTimes(times=np.full(3, np.inf), max_time=1.0).mean()


def test_rejects_bad_input():
    well = DoubleWell()
    with pytest.raises(ValueError, match="target must differ"):
        sgd_first_passage_times(SeparableNoisyLoss(well, 1.0), 0.5, 0.01, target=0.5, n_chains=2, max_time=1.0)
    with pytest.raises(ValueError, match="lr"):
        sgd_first_passage_times(SeparableNoisyLoss(well, 1.0), -1.0, -0.01, target=1.0, n_chains=2, max_time=1.0)
    with pytest.raises(ValueError, match="wall"):
        exact_mean_first_passage_time(well, 0.1, -1.0, 1.0, wall=0.0)


def test_divergence_raises_divergence_error_naming_the_step():
    # On the double well x -= lr * (x^3 - x): from x = 3 at lr = 1 the cubic term overshoots
    # (3 -> -21 -> ~9e3 -> ...), overflowing within a few steps, long before any chain can
    # reach the far target.
    with pytest.raises(DivergenceError, match=r"step \d+") as caught:
        sgd_first_passage_times(
            SeparableNoisyLoss(DoubleWell(), 0.1), 3.0, 1.0, target=100.0, n_chains=4, max_time=50.0, rng=0
        )
    assert caught.value.step >= 1
