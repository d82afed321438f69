"""Moment growth rates and the top Lyapunov exponent of SGD's random factors against closed forms."""

from __future__ import annotations

import numpy as np
import pytest

import langevin_lib as ll


def _regression(X):
    X = np.asarray(X, dtype=float)
    return ll.LinearRegression(X, np.zeros(len(X)))


def test_one_dimension_moments_are_averages_of_powers():
    # d = 1: A_i = 1 - lr a_i^2 is a number, E[A^p] is the growth of the p-th moment.
    a = np.random.default_rng(1).standard_normal(40)
    problem = _regression(a[:, None])
    for lr, power in [(0.1, 1), (0.5, 2), (0.9, 3), (1.3, 4)]:
        exact = abs(np.mean((1 - lr * a**2) ** power))
        assert ll.moment_growth_rate(problem, lr, power) == pytest.approx(exact, rel=1e-12)


def test_first_moment_is_gradient_descent_and_second_reaches_one_at_the_stability_bound():
    X = np.random.default_rng(2).standard_normal((60, 3)) * [1.0, 0.6, 0.3]
    problem = _regression(X)
    eigenvalues = np.linalg.eigvalsh(problem.hessian())
    lr = 0.2
    assert ll.moment_growth_rate(problem, lr, 1) == pytest.approx(np.max(np.abs(1 - lr * eigenvalues)), rel=1e-12)
    # an independent computation: sgd_stability_bound solves a matrix-free eigenproblem
    bound = ll.sgd_stability_bound(problem)
    assert ll.moment_growth_rate(problem, bound, 2) == pytest.approx(1.0, abs=1e-9)
    assert ll.moment_growth_rate(problem, 0.9 * bound, 2) < 1 < ll.moment_growth_rate(problem, 1.1 * bound, 2)


def test_lyapunov_exponent_in_one_dimension_is_the_mean_log_factor():
    a = np.random.default_rng(3).standard_normal(30)
    problem = _regression(a[:, None])
    lr = 0.8
    estimates = ll.top_lyapunov_exponent(problem, lr, n_products=400, n_factors=500, rng=4)
    exact = np.mean(np.log(np.abs(1 - lr * a**2)))
    # each estimate is a mean of 500 independent log-factors; 400 of them give the s.e.
    assert estimates.shape == (400,)
    assert abs(estimates.mean() - exact) < 5 * ll.replica_se(estimates)


def test_lyapunov_exponent_of_diagonal_factors_is_the_slowest_coordinate():
    # x_i along coordinate axes: the factors are diagonal and commute, so the top exponent is
    # max_k E log|1 - lr x_i^2 [i hits k]| = max_k (share of coordinate k) E log|1 - lr a^2|.
    a = np.array([1.0, 1.5, 0.5, 2.0])
    X = np.zeros((6, 2))
    X[:4, 0] = a  # coordinate 0 is hit by 4 of 6 examples
    X[4:, 1] = [1.2, 0.7]  # coordinate 1 by 2 of 6
    problem = _regression(X)
    lr = 0.3
    per_coordinate = [
        np.sum(np.log(np.abs(1 - lr * a**2))) / 6,
        np.sum(np.log(np.abs(1 - lr * np.array([1.2, 0.7]) ** 2))) / 6,
    ]
    estimates = ll.top_lyapunov_exponent(problem, lr, n_products=300, n_factors=2000, rng=5)
    # the start's transient is O(1/n_factors), well inside 5 s.e. here
    assert abs(estimates.mean() - max(per_coordinate)) < 5 * ll.replica_se(estimates)
    assert abs(max(per_coordinate) - min(per_coordinate)) > 20 * ll.replica_se(estimates)


def test_jensen_bound_and_seeded_repeats():
    X = np.random.default_rng(6).standard_normal((50, 2)) * [1.0, 0.4]
    problem = _regression(X)
    lr = 0.3
    estimates = ll.top_lyapunov_exponent(problem, lr, rng=7)
    assert estimates.mean() < 0.5 * np.log(ll.moment_growth_rate(problem, lr, 2))
    np.testing.assert_array_equal(estimates, ll.top_lyapunov_exponent(problem, lr, rng=7))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda p: ll.moment_growth_rate(p, 0.0), "lr"),
        (lambda p: ll.moment_growth_rate(p, np.nan), "lr"),
        (lambda p: ll.moment_growth_rate(p, 0.1, 0), "power"),
        (lambda p: ll.moment_growth_rate(p, 0.1, 11), "power"),
        (lambda p: ll.moment_growth_rate(ll.Quadratic(1.0, 1.0), 0.1), "LeastSquaresProblem"),
        (lambda p: ll.top_lyapunov_exponent(p, -0.1), "lr"),
        (lambda p: ll.top_lyapunov_exponent(p, 0.1, n_products=0), "n_products"),
        (lambda p: ll.top_lyapunov_exponent(p, 0.1, n_factors=1.5), "n_factors"),
    ],
)
def test_bad_input_names_the_argument(call, match):
    problem = _regression(np.random.default_rng(8).standard_normal((10, 2)))
    with pytest.raises(ValueError, match=match):
        call(problem)
