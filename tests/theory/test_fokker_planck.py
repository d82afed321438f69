"""The finite-volume Fokker-Planck solver against the Gibbs density, the OU transient and mass conservation."""

from __future__ import annotations

import numpy as np
import pytest

import langevin_lib as ll
from langevin_lib.problems.potentials import DoubleWell, Harmonic
from langevin_lib.theory.fokker_planck import discrete_gibbs_density, fokker_planck_operator, solve_fokker_planck


def test_operator_conserves_mass_and_annihilates_the_discrete_gibbs_density():
    well = DoubleWell()
    A, _, _ = fokker_planck_operator(well.loss, 0.1, (-2.5, 2.5), 300)
    np.testing.assert_allclose(np.asarray(A.sum(axis=0)).ravel(), 0.0, atol=1e-9)
    p = discrete_gibbs_density(well.loss, 0.1, (-2.5, 2.5), 300)
    assert np.abs(A @ p).max() < 1e-9 * np.abs(A).max()
    # Off-diagonal rates are positive (an M-matrix: positivity is preserved).
    off = A - np.diag(A.diagonal())
    assert off.min() >= 0


def test_long_run_converges_to_the_continuous_gibbs_density():
    well = DoubleWell()
    sol = solve_fokker_planck(well.loss, 0.2, lambda x: np.exp(-((x - 1.5) ** 2) / 0.02), [0.0, 200.0],
                              domain=(-2.5, 2.5), n_cells=400, max_dt=0.5)  # fmt: skip
    gibbs = ll.gibbs_density(well.loss, sol.centres, 0.2)
    # The discrete and continuous Gibbs densities differ by O(h^2) in normalisation; h = 0.0125.
    np.testing.assert_allclose(sol.density[-1], gibbs, atol=1e-3 * gibbs.max())
    np.testing.assert_allclose(sol.mass(), 1.0, atol=1e-12)


def test_ornstein_uhlenbeck_transient_mean_and_variance():
    h, T, m0, v0 = 2.0, 0.3, 1.5, 0.05
    times = np.array([0.0, 0.05, 0.2, 0.5, 1.0, 2.0])
    sol = solve_fokker_planck(Harmonic(h).loss, T, lambda x: np.exp(-((x - m0) ** 2) / (2 * v0)), times,
                              domain=(-4.0, 5.0), n_cells=600, max_dt=1e-3)  # fmt: skip
    mean = m0 * np.exp(-h * times)
    var = T / h + (v0 - T / h) * np.exp(-2 * h * times)
    # Space error O(h^2) with h = 0.015 and time error O(dt^2): both far below 5e-4.
    np.testing.assert_allclose(sol.mean(), mean, atol=5e-4)
    np.testing.assert_allclose(sol.variance(), var, atol=5e-4)
    # A wrong temperature convention (T/5, the slide's alpha = 1/10) is far off at t = 2.
    assert abs(sol.variance()[-1] - T / 5 / h) > 0.05


def test_time_stepping_is_second_order():
    well = DoubleWell()
    start = lambda x: np.exp(-((x + 1.2) ** 2) / 0.05)  # noqa: E731
    ref = solve_fokker_planck(well.loss, 0.15, start, [1.0], domain=(-2.5, 2.5), n_cells=200, max_dt=1e-4)
    errors = [
        np.abs(solve_fokker_planck(well.loss, 0.15, start, [1.0], domain=(-2.5, 2.5), n_cells=200, max_dt=dt).density
               - ref.density).max()
        for dt in (0.02, 0.01)
    ]  # fmt: skip
    assert 3.0 < errors[0] / errors[1] < 5.0  # halving dt divides a second-order error by 4


def test_rejects_bad_input():
    loss = Harmonic().loss
    with pytest.raises(ValueError, match="times"):
        solve_fokker_planck(loss, 1.0, lambda x: np.exp(-(x**2)), [1.0, 0.5], domain=(-3, 3))
    with pytest.raises(ValueError, match="p0"):
        solve_fokker_planck(loss, 1.0, -np.ones(10), [1.0], domain=(-3, 3), n_cells=10)
    with pytest.raises(ValueError, match="domain"):
        solve_fokker_planck(loss, 1.0, np.ones(10), [1.0], domain=(3, -3), n_cells=10)
    with pytest.raises(ValueError, match="temperature"):
        fokker_planck_operator(loss, 0.0, (-3, 3), 10)
