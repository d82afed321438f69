"""The error contract: ValueError naming the argument, the stability bound stated, DivergenceError naming the step.

Never a silent NaN.
"""

from __future__ import annotations

import math
import re
import sys
import warnings

import numpy as np
import pytest

import langevin_lib as ll

BAD_RATES = [0, -1, 0.0, -1e-3, np.nan, np.inf, -np.inf]


def named(arg: str) -> str:
    """Regex matching ``arg`` as a whole word in an error message."""
    return rf"(?<![\w]){re.escape(arg)}(?![\w])"


@pytest.fixture
def lr_problem():
    rng = np.random.default_rng(0)
    return ll.LinearRegression(rng.standard_normal((6, 2)), rng.standard_normal(6))


@pytest.fixture
def quad():
    return ll.Quadratic([1.0, 2.0], [0.5, 0.5])


# ---------------------------------------------------------------- learning rates


@pytest.mark.parametrize("bad", BAD_RATES)
def test_bad_learning_rate_everywhere(bad, lr_problem, quad):
    calls = [
        lambda: ll.sgd(quad, np.zeros(2), bad, 5, rng=0),
        lambda: ll.sgd(lr_problem, np.zeros(2), bad, 5, rng=0),
        lambda: ll.gradient_descent(lr_problem, np.zeros(2), bad, 5),
        lambda: ll.quadratic_sgd_variance(1.0, 1.0, bad),
        lambda: ll.sgd_stationary_covariance(lr_problem, bad),
        lambda: ll.sgd_stationary_covariance(quad, bad),
        lambda: ll.sgd_excess_loss(lr_problem, bad),
        lambda: ll.langevin_temperature(bad, 1.0),
        lambda: ll.sgd(quad, np.zeros(2), np.array([0.1, bad]), 5, rng=0),  # one bad coordinate
        lambda: ll.sgd(quad, np.zeros(2), lambda k: 0.1 if k < 3 else bad, 5, rng=0),  # bad schedule value
    ]
    for call in calls:
        with pytest.raises(ValueError, match=named("lr")):
            call()


@pytest.mark.parametrize("shape", [(3,), (1,), (2, 2), (1, 2)])
def test_learning_rate_wrong_shape(shape, quad):
    # quad has d = 2, so only a scalar or shape (2,) is allowed
    lr = np.full(shape, 0.1)
    with pytest.raises(ValueError, match=named("lr")):
        ll.sgd(quad, np.zeros(2), lr, 5, rng=0)
    with pytest.raises(ValueError, match=named("lr")):
        ll.gradient_descent(quad, np.zeros(2), lr, 5)
    with pytest.raises(ValueError, match=named("lr")):
        ll.sgd_stationary_covariance(quad, lr)


def test_learning_rate_schedule_changing_shape(quad):
    with pytest.raises(ValueError, match=named("lr")):
        ll.sgd(quad, np.zeros(2), lambda k: 0.1 if k == 0 else np.array([0.1, 0.2]), 3, rng=0)


def test_per_coordinate_rate_refused_for_linear_regression_exact_solve(lr_problem):
    with pytest.raises(ValueError, match=named("lr")):
        ll.sgd_stationary_covariance(lr_problem, np.array([0.1, 0.1]))


# ---------------------------------------------------------------- data and problems


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_training_data(bad):
    X = np.ones((4, 2)) + np.eye(4, 2)
    y = np.arange(4.0)
    Xb = X.copy()
    Xb[1, 1] = bad
    with pytest.raises(ValueError, match=named("X")):
        ll.LinearRegression(Xb, y)
    yb = y.copy()
    yb[2] = bad
    with pytest.raises(ValueError, match=named("y")):
        ll.LinearRegression(X, yb)


def test_mismatched_and_malformed_training_data():
    X = np.ones((4, 2)) + np.eye(4, 2)
    with pytest.raises(ValueError, match=named("y")) as info:
        ll.LinearRegression(X, np.arange(5.0))
    assert "4" in str(info.value) and "5" in str(info.value)
    with pytest.raises(ValueError, match=named("X")):
        ll.LinearRegression(np.arange(4.0), np.arange(4.0))  # X must be 2-D
    with pytest.raises(ValueError, match=named("y")):
        ll.LinearRegression(X, np.ones((4, 1)))  # y must be 1-D
    with pytest.raises(ValueError, match=named("X")):
        ll.LinearRegression(np.ones((4, 2)), np.arange(4.0))  # rank deficient: no unique minimizer


def test_quadratic_bad_parameters():
    for h in (0.0, -1.0, np.nan, [1.0, 0.0]):
        with pytest.raises(ValueError, match=named("h")):
            ll.Quadratic(h, 1.0)
    for sigma in (-0.1, np.nan, np.inf):
        with pytest.raises(ValueError, match=named("sigma")):
            ll.Quadratic(1.0, sigma)
    with pytest.raises(ValueError, match=named("sigma")):
        ll.Quadratic([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=named("dim")):
        ll.Quadratic([1.0, 2.0], 1.0, dim=3)


def test_phi_checks_in_problem_methods(lr_problem, quad):
    for p in (lr_problem, quad):
        for phi in (np.zeros(3), np.zeros((4, 3)), np.array([np.nan, 0.0])):
            with pytest.raises(ValueError, match=named("phi")):
                p.loss(phi)
            with pytest.raises(ValueError, match=named("phi")):
                p.grad(phi)
    with pytest.raises(ValueError, match=named("phi")):
        lr_problem.example_grads(np.zeros((3, 2)))


@pytest.mark.parametrize("phi0", [np.zeros(3), np.zeros(1), np.zeros((4, 3)), np.zeros((2, 2, 2)), [np.nan, 0.0]])
def test_phi0_wrong_dimension(phi0, lr_problem):
    with pytest.raises(ValueError, match=named("phi0")):
        ll.sgd(lr_problem, phi0, 0.1, 5, rng=0)
    with pytest.raises(ValueError, match=named("phi0")):
        ll.gradient_descent(lr_problem, phi0, 0.1, 5)
    with pytest.raises(ValueError, match=named("phi0")):
        ll.gradient_flow(lr_problem, phi0, [0.0, 1.0])


def test_n_chains_mismatch(lr_problem):
    with pytest.raises(ValueError, match=named("n_chains")):
        ll.sgd(lr_problem, np.zeros((4, 2)), 0.1, 5, n_chains=3, rng=0)
    for bad in (0, -2, 2.5, True):
        with pytest.raises(ValueError, match=named("n_chains")):
            ll.sgd(lr_problem, np.zeros(2), 0.1, 5, n_chains=bad, rng=0)


# ---------------------------------------------------------------- counts and rng


@pytest.mark.parametrize("bad", [0, -1, 1.5, 2.0, True, "3", None])
def test_bad_batch_size(bad, lr_problem, quad):
    calls = [
        lambda: ll.sgd(lr_problem, np.zeros(2), 0.1, 5, batch_size=bad, rng=0),
        lambda: ll.tz_slope(lr_problem, bad),
        lambda: ll.sgd_stationary_covariance(lr_problem, 0.1, bad),
        lambda: ll.sgd_stationary_covariance(quad, 0.1, bad),
        lambda: ll.sgd_stability_bound(lr_problem, bad),
        lambda: ll.sgd_excess_loss(lr_problem, 0.1, bad),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=named("batch_size")):
            call()


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_bad_n_steps_and_record_every(bad, lr_problem):
    with pytest.raises(ValueError, match=named("n_steps")):
        ll.sgd(lr_problem, np.zeros(2), 0.1, bad, rng=0)
    with pytest.raises(ValueError, match=named("n_steps")):
        ll.gradient_descent(lr_problem, np.zeros(2), 0.1, bad)
    with pytest.raises(ValueError, match=named("n_steps")):
        ll.euler_maruyama(lambda x: -x, 1.0, np.zeros((2, 1)), 0.1, bad, rng=0)
    with pytest.raises(ValueError, match=named("record_every")):
        ll.sgd(lr_problem, np.zeros(2), 0.1, 5, rng=0, record_every=bad)


@pytest.mark.parametrize("bad", ["seed", 1.5, [1, 2], np.random.RandomState(0)])
def test_bad_rng(bad, lr_problem):
    with pytest.raises(ValueError, match=named("rng")):
        ll.sgd(lr_problem, np.zeros(2), 0.1, 5, rng=bad)
    with pytest.raises(ValueError, match=named("rng")):
        ll.euler_maruyama(lambda x: -x, 1.0, np.zeros((2, 1)), 0.1, 5, rng=bad)


def test_accepted_rng_forms(lr_problem):
    for rng in (None, 0, np.int64(3), np.random.default_rng(1), np.random.SeedSequence(5)):
        assert ll.sgd(lr_problem, np.zeros(2), 0.1, 2, rng=rng).phi.shape == (3, 1, 2)


# ---------------------------------------------------------------- Euler-Maruyama


@pytest.mark.parametrize("bad", [0, -0.1, np.nan, np.inf, [0.1, 0.1]])
def test_bad_dt(bad):
    with pytest.raises(ValueError, match=named("dt")):
        ll.euler_maruyama(lambda x: -x, 1.0, np.zeros((3, 2)), bad, 5, rng=0)


@pytest.mark.parametrize("bad", [np.ones(3), np.ones(1), np.eye(3), np.ones((2, 3)), np.ones((2, 2, 2)), np.nan])
def test_bad_noise_std(bad):
    with pytest.raises(ValueError, match=named("noise_std")):
        ll.euler_maruyama(lambda x: -x, bad, np.zeros((3, 2)), 0.1, 5, rng=0)


def test_bad_state_dependent_noise_shape():
    with pytest.raises(ValueError, match=named("noise_std")):
        ll.euler_maruyama(lambda x: -x, lambda x: np.ones(3), np.zeros((4, 2)), 0.1, 5, rng=0)


def test_drift_of_the_wrong_shape_names_drift():
    # drift(x) of the wrong shape must be named, not fail inside numpy's broadcasting.
    with pytest.raises(ValueError, match=named("drift")):
        ll.euler_maruyama(lambda x: -x[:, 0], 1.0, np.zeros((3, 1)), 0.1, 5, rng=0)


@pytest.mark.parametrize("bad", [[np.nan, 0.0], np.zeros((2, 2, 2)), np.zeros((0, 2, 3))])
def test_bad_x0(bad):
    with pytest.raises(ValueError, match=named("x0")):
        ll.euler_maruyama(lambda x: -x, 1.0, bad, 0.1, 5, rng=0)


# ---------------------------------------------------------------- flow, stationary theory, Gibbs


def test_gradient_flow_bad_times_and_method(lr_problem):
    for t in ([1.0, 0.5], [-1.0, 0.0], [], [0.0, np.nan], [[0.0, 1.0]]):
        with pytest.raises(ValueError, match=named("t")):
            ll.gradient_flow(lr_problem, np.zeros(2), t)
    with pytest.raises(ValueError, match=named("method")):
        ll.gradient_flow(lr_problem, np.zeros(2), [0.0, 1.0], method="rk4")


def test_exact_theory_refuses_other_problems():
    class NotQuadratic:
        dim = 1

        def loss(self, phi):
            return phi**4

        def grad(self, phi):
            return 4 * phi**3

        def stochastic_grad(self, phi, batch_size, rng):
            return 4 * phi**3

    for f in (ll.tz_slope, ll.sgd_stability_bound):
        with pytest.raises(ValueError, match=named("problem")):
            f(NotQuadratic())
    with pytest.raises(ValueError, match=named("problem")):
        ll.sgd_stationary_covariance(NotQuadratic(), 0.1)
    with pytest.raises(ValueError, match="exact"):
        ll.gradient_flow(NotQuadratic(), [1.0], [0.0, 1.0], method="exact")


@pytest.mark.parametrize("bad", [0, -1.0, np.nan, np.inf])
def test_gibbs_bad_temperature(bad):
    with pytest.raises(ValueError, match=named("temperature")):
        ll.gibbs_density(lambda x: x**2, np.linspace(-1, 1, 11), bad)


def test_gibbs_bad_grid_and_loss():
    for grid in ([0.0], [0.0, 0.0, 1.0], [1.0, 0.0], [[0.0, 1.0]], [0.0, np.nan]):
        with pytest.raises(ValueError, match=named("grid")):
            ll.gibbs_density(lambda x: x**2, grid, 1.0)
    with pytest.raises(ValueError, match=named("loss")):
        ll.gibbs_density(lambda x: np.where(x > 0.5, np.nan, x**2), np.linspace(-1, 1, 11), 1.0)
    with pytest.raises(ValueError, match=named("loss")):
        ll.gibbs_density(lambda x: x[:-1] ** 2, np.linspace(-1, 1, 11), 1.0)


def test_gibbs_temperature_must_be_a_scalar():
    # An array temperature is a ValueError naming it, not a TypeError from float().
    with pytest.raises(ValueError, match=named("temperature")):
        ll.gibbs_density(lambda x: x**2, np.linspace(-1, 1, 11), np.array([1.0, 2.0]))


def test_mismatched_shapes_in_elementwise_theory_name_the_arguments():
    # Shapes that do not broadcast are named, not left to numpy's anonymous message.
    with pytest.raises(ValueError, match=r"\b(h|sigma2|lr)\b"):
        ll.quadratic_sgd_variance(np.array([1.0, 2.0]), np.array([1.0, 1.0]), np.array([0.1, 0.1, 0.1]))
    with pytest.raises(ValueError, match=r"\b(sigma2|lr)\b"):
        ll.langevin_temperature(np.array([0.1, 0.2, 0.3]), np.array([1.0, 2.0]))


@pytest.mark.parametrize(("h", "lr"), [(4.0, 0.5), (4.0, 0.6), (1.0, 2.0), (1.0, 7.0)])
def test_quadratic_sgd_variance_above_bound_states_the_bound(h, lr):
    """lr >= 2/h has no stationary variance (the formula would give inf or a negative number)."""
    with pytest.raises(ValueError, match=named("lr")) as info:
        ll.quadratic_sgd_variance(h, 1.0, lr)
    numbers = [float(m) for m in re.findall(r"\d+\.?\d*(?:[eE][-+]?\d+)?", str(info.value))]
    assert any(math.isclose(x, 2 / h, rel_tol=1e-6) for x in numbers)


def test_quadratic_sgd_variance_elementwise_bound():
    with pytest.raises(ValueError, match=named("lr")):
        ll.quadratic_sgd_variance(np.array([1.0, 4.0]), 1.0, 0.6)  # fine for h = 1, not for h = 4


# ---------------------------------------------------------------- divergence


def first_overflow_step(phi0: float, factor: float) -> int:
    """First k with |phi0 * factor^k| above the largest double (computed in logs, exact for these numbers)."""
    log_max = math.log2(sys.float_info.max)
    return next(k for k in range(1, 100_000) if math.log2(abs(phi0)) + k * math.log2(abs(factor)) > log_max)


def run_without_warnings(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ll.DivergenceError) as info:
            call()
    runtime = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert not runtime, [str(w.message) for w in runtime]
    return info.value


@pytest.mark.parametrize("method", ["gd", "sgd"])
def test_divergence_step_is_exact_on_a_quadratic(method):
    """On L = x^2/2 with lr = 3 the iterate is x_k = 1.2 * (-2)^k, so it first overflows at k = 1024.

    phi0 = 1.2 keeps every intermediate (3 x_k) finite up to step 1023 (3 * 1.2 * 2^1022 < max),
    so the reported step does not depend on how the update is evaluated.
    """
    q = ll.Quadratic(1.0, 0.0)  # sigma = 0: SGD is gradient descent here
    expected = first_overflow_step(1.2, -2.0)
    assert expected == 1024
    if method == "gd":
        err = run_without_warnings(lambda: ll.gradient_descent(q, [1.2], 3.0, 5000))
    else:
        err = run_without_warnings(lambda: ll.sgd(q, [1.2], 3.0, 5000, n_chains=3, rng=0))
    assert isinstance(err, ArithmeticError)
    assert err.step == expected
    assert re.search(rf"\b{expected}\b", str(err))


def test_divergence_linear_regression_sgd_and_gd(lr_problem):
    lam_max = np.linalg.eigvalsh(lr_problem.hessian()).max()
    err = run_without_warnings(lambda: ll.gradient_descent(lr_problem, np.ones(2), 2.5 / lam_max, 100_000))
    assert err.step >= 1 and re.search(rf"\b{err.step}\b", str(err))
    # Far above every bound: each step multiplies the component along x_i by |1 - lr |x_i|^2| >> 1.
    lr = 50 / lam_max
    err = run_without_warnings(lambda: ll.sgd(lr_problem, np.ones(2), lr, 100_000, n_chains=4, rng=1))
    assert err.step >= 1 and re.search(rf"\b{err.step}\b", str(err))


def test_divergence_euler_maruyama():
    # Deterministic blow-up of x' = x + dt x^3 from x = 1: finite-time explosion, caught as a DivergenceError.
    err = run_without_warnings(lambda: ll.euler_maruyama(lambda x: x**3, 0.0, np.ones((2, 1)), 0.5, 1000, rng=0))
    # Iterate in Python floats to find the first non-finite value independently.
    x, k = 1.0, 0
    while math.isfinite(x):
        k += 1
        try:
            x = x + 0.5 * x**3
        except OverflowError:
            x = math.inf
    assert err.step == k
    # A drift that returns NaN is caught at step 1, not propagated.
    err = run_without_warnings(
        lambda: ll.euler_maruyama(lambda x: np.full_like(x, np.nan), 1.0, np.zeros((3, 1)), 0.1, 5, rng=0)
    )
    assert err.step == 1


def test_divergence_error_is_exported_arithmetic_error():
    assert issubclass(ll.DivergenceError, ArithmeticError)
    err = ll.DivergenceError("boom at step 7", step=7)
    assert err.step == 7 and "7" in str(err)


def test_gradient_flow_finite_time_blow_up_raises():
    """phi' = +phi^3 (loss -phi^4/4) explodes at t = 1/2 from phi = 1; gradient_flow must raise, not return NaN."""

    class Explosive:
        dim = 1

        def loss(self, phi):
            return -np.sum(np.asarray(phi) ** 4, axis=-1) / 4

        def grad(self, phi):
            return -(np.asarray(phi) ** 3)

        def stochastic_grad(self, phi, batch_size, rng):
            return -(phi**3)

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ArithmeticError):
            ll.gradient_flow(Explosive(), [1.0], [0.0, 0.25, 1.0])
        # Before the blow-up it is the closed form phi / sqrt(1 - 2 phi^2 t).
        out = ll.gradient_flow(Explosive(), [1.0], [0.0, 0.25, 0.45])
    np.testing.assert_allclose(out[:, 0], 1 / np.sqrt(1 - 2 * np.array([0.0, 0.25, 0.45])), rtol=1e-8)
