"""Exact stationary theory against closed forms and an independent dense Kronecker-product solve."""

from __future__ import annotations

import re

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.linalg import solve_continuous_lyapunov

import langevin_lib as ll


def numbers_in(message: str) -> list[float]:
    return [float(m) for m in re.findall(r"[-+]?\d*\.?\d+(?:[eE][-+]?\d+)?", message)]


def per_example_grads_at_optimum(problem):
    """g_i(phi*) computed here, with phi* from the normal equations."""
    X, y = problem.X, problem.y
    phi_star = np.linalg.solve(X.T @ X, X.T @ y)
    return (X @ phi_star - y)[:, None] * X


# ---------------------------------------------------------------- 1-D quadratic, requirement (a)


@pytest.mark.parametrize(
    ("h", "s2", "lr"),
    [(1.0, 1.0, 0.5), (2.0, 0.3, 0.9), (0.1, 5.0, 1e-3), (10.0, 2.0, 0.19)],
)
def test_quadratic_sgd_variance_closed_forms(h, s2, lr):
    v = ll.quadratic_sgd_variance(h, s2, lr)
    # The definition as the fixed point of v = (1 - lr h)^2 v + lr^2 s2:
    assert v == pytest.approx(lr**2 * s2 / (1 - (1 - lr * h) ** 2), rel=1e-12)
    # The Langevin value lr s2 / (2h) is off by exactly the factor 1/(1 - lr h / 2):
    langevin = lr * s2 / (2 * h)
    assert v / langevin == pytest.approx(1 / (1 - lr * h / 2), rel=1e-12)


def test_quadratic_sgd_variance_elementwise():
    h = np.array([1.0, 2.0, 4.0])
    s2 = np.array([1.0, 0.5, 0.25])
    lr = np.array([0.1, 0.5, 0.3])
    np.testing.assert_allclose(ll.quadratic_sgd_variance(h, s2, lr), lr * s2 / (2 * h - lr * h**2), rtol=1e-14)
    # zero noise: zero variance
    assert ll.quadratic_sgd_variance(1.0, 0.0, 0.5) == 0.0


def test_langevin_temperature():
    assert ll.langevin_temperature(0.1, 4.0) == pytest.approx(0.2, rel=1e-15)
    np.testing.assert_allclose(ll.langevin_temperature(np.array([0.1, 0.2]), np.array([1.0, 3.0])), [0.05, 0.3])


# ---------------------------------------------------------------- exact second moment, requirement (b)


@pytest.mark.parametrize("batch_size", [1, 3])
@pytest.mark.parametrize("fraction", [0.1, 0.6, 0.95, 0.999])
@pytest.mark.parametrize("problem_name", ["regression3", "regression6", "regression_illcond", "raw_regression"])
def test_stationary_covariance_matches_dense_kronecker_solve(problem_name, batch_size, fraction, ref, request):
    """vec(S) = E[(I - lr Hhat) kron (I - lr Hhat)] vec(S) + lr^2 vec(C) / B, solved densely in conftest."""
    p = request.getfixturevalue(problem_name)
    lr = fraction * ll.sgd_stability_bound(p, batch_size)
    S = ll.sgd_stationary_covariance(p, lr, batch_size)
    S_dense = ref.dense_stationary_second_moment(p, lr, batch_size)
    assert S.shape == (p.dim, p.dim)
    np.testing.assert_allclose(S, S_dense, rtol=1e-10, atol=1e-10 * np.abs(S_dense).max())
    np.testing.assert_allclose(S, S.T, rtol=0, atol=1e-12 * np.abs(S).max())
    assert np.linalg.eigvalsh(S).min() > 0
    # The converged excess loss is 0.5 tr(H S).
    H = p.X.T @ p.X / p.n_examples
    assert ll.sgd_excess_loss(p, lr, batch_size) == pytest.approx(0.5 * np.trace(H @ S_dense), rel=1e-10)


def test_stationary_covariance_quadratic_closed_form():
    h, sigma = np.array([0.5, 1.0, 3.0]), np.array([1.0, 0.2, 2.0])
    q = ll.Quadratic(h, sigma)
    for B in (1, 2, 7):
        S = ll.sgd_stationary_covariance(q, 0.3, B)
        expected = 0.3 * sigma**2 / B / (2 * h - 0.3 * h**2)
        np.testing.assert_allclose(S, np.diag(expected), rtol=1e-14, atol=0)
        assert ll.sgd_excess_loss(q, 0.3, B) == pytest.approx(0.5 * np.sum(h * expected), rel=1e-14)


# ---------------------------------------------------------------- TZ slope, requirements (c) and (h)


def test_tz_slope_direct_formula(raw_regression):
    g = per_example_grads_at_optimum(raw_regression)
    mean_sq = np.mean(np.sum(g**2, axis=1))
    for B in (1, 2, 5):
        assert ll.tz_slope(raw_regression, B) == pytest.approx(mean_sq / (4 * B), rel=1e-12)
    q = ll.Quadratic([1.0, 2.0], [0.5, 1.5])
    assert ll.tz_slope(q) == pytest.approx((0.25 + 2.25) / 4, rel=1e-15)
    assert ll.tz_slope(q, 3) == pytest.approx((0.25 + 2.25) / 12, rel=1e-15)


@pytest.mark.parametrize("problem_name", ["regression3", "raw_regression"])
def test_tz_slope_batch_size_scaling(problem_name, request):
    p = request.getfixturevalue(problem_name)
    for B in (2, 3, 10, 64):
        assert ll.tz_slope(p, B) == pytest.approx(ll.tz_slope(p, 1) / B, rel=1e-14)


def second_order_coefficient(problem, batch_size):
    """lim (excess(lr)/lr - tz) / lr = tr K(S1) / 4, with H S1 + S1 H = C / B.

    Expanding S = lr S1 + lr^2 S2 + ... in L(S) - lr K(S) = lr C / B gives L(S1) = C/B and
    L(S2) = K(S1); then 0.5 tr(H S) = lr tr(C)/(4B) + lr^2 tr(K(S1))/4 + O(lr^3), since
    tr(H A) = tr(L(A))/2. K is built from explicit H_i = x_i x_i^T.
    """
    X, n = problem.X, problem.n_examples
    H = X.T @ X / n
    g = per_example_grads_at_optimum(problem)
    C = g.T @ g / n
    S1 = solve_continuous_lyapunov(H, C / batch_size)
    Hi = np.einsum("ia,ib->iab", X, X)
    K = np.mean(Hi @ S1 @ Hi, axis=0) / batch_size + (1 - 1 / batch_size) * H @ S1 @ H
    return np.trace(K) / 4


@pytest.mark.parametrize("batch_size", [1, 4])
def test_excess_loss_over_lr_tends_to_tz_slope_linearly(raw_regression, batch_size):
    """Requirement (c): excess(lr)/lr -> tz_slope, with a gap that is linear in lr.

    The gap shrinks 10x per decade of lr and gap/lr converges to the second-order
    coefficient computed independently above (relative corrections O(lr))."""
    p = raw_regression
    tz = ll.tz_slope(p, batch_size)
    lrs = np.array([1e-2, 1e-3, 1e-4])
    assert lrs[0] < 0.2 * ll.sgd_stability_bound(p, batch_size)
    gaps = np.array([ll.sgd_excess_loss(p, lr, batch_size) / lr - tz for lr in lrs])
    assert np.all(gaps > 0)  # L(lr) is convex-up from the TZ line here (K is positive)
    # 10x per decade, up to the O(lr) relative correction (~5 % between 1e-2 and 1e-3 here)
    np.testing.assert_allclose(gaps[:-1] / gaps[1:], 10.0, rtol=0.1)
    assert abs(gaps[-1]) / tz < 1e-2  # the relative gap itself is small at lr = 1e-4
    c2 = second_order_coefficient(p, batch_size)
    for lr, gap, tol in zip(lrs, gaps, [0.1, 0.01, 1e-3], strict=True):
        assert gap / lr == pytest.approx(c2, rel=tol)


def test_excess_loss_batch_size_limit(regression3):
    """Requirement (h): sgd_excess_loss(p, lr, B)/lr -> tz_slope(p, 1)/B for small lr, and not tz_slope(p, 1)."""
    p = regression3
    tz1 = ll.tz_slope(p, 1)
    for B in (1, 2, 5):
        lr = 1e-6
        ratio = ll.sgd_excess_loss(p, lr, B) / lr
        # relative correction is O(lr * lambda) ~ 1e-6
        assert ratio == pytest.approx(tz1 / B, rel=1e-4)
        if B > 1:
            assert abs(ratio / tz1 - 1) > 0.4


def test_quadratic_excess_loss_limit():
    q = ll.Quadratic([1.0, 2.0], [1.0, 0.5])
    for B in (1, 3):
        lr = 1e-6
        assert ll.sgd_excess_loss(q, lr, B) / lr == pytest.approx(ll.tz_slope(q, 1) / B, rel=1e-5)


# ---------------------------------------------------------------- fluctuation-dissipation, requirement (d)


@pytest.mark.parametrize("fraction", [0.05, 0.5, 0.9])
@pytest.mark.parametrize("problem_name", ["regression3", "regression6", "raw_regression"])
def test_fluctuation_dissipation_identity(problem_name, fraction, request):
    """Yaida (2018), B = 1: tr(H S) = (lr/2) (E_i ||g_i||^2 + tr E_i[H_i S H_i])."""
    p = request.getfixturevalue(problem_name)
    lr = fraction * ll.sgd_stability_bound(p, 1)
    S = ll.sgd_stationary_covariance(p, lr, 1)
    X = p.X
    H = X.T @ X / p.n_examples
    Hi = np.einsum("ia,ib->iab", X, X)
    g = per_example_grads_at_optimum(p)
    lhs = np.trace(H @ S)
    rhs = lr / 2 * (np.mean(np.sum(g**2, axis=1)) + np.trace(np.mean(Hi @ S @ Hi, axis=0)))
    assert lhs == pytest.approx(rhs, rel=1e-10)
    # It is not the naive (Langevin) balance tr(H S) = (lr/2) E||g_i||^2 at these rates:
    naive = lr / 2 * np.mean(np.sum(g**2, axis=1))
    assert abs(lhs / naive - 1) > 1e-3


# ---------------------------------------------------------------- stability bound


@pytest.mark.parametrize("batch_size", [1, 3])
@pytest.mark.parametrize("problem_name", ["regression3", "regression6", "regression_illcond", "raw_regression"])
def test_stability_bound_is_where_the_second_moment_map_loses_contraction(problem_name, batch_size, ref, request):
    p = request.getfixturevalue(problem_name)
    bound = ll.sgd_stability_bound(p, batch_size)
    below = ref.spectral_radius(ref.dense_second_moment_map(p.X, 0.999 * bound, batch_size))
    above = ref.spectral_radius(ref.dense_second_moment_map(p.X, 1.001 * bound, batch_size))
    assert below < 1 < above
    lam_max = np.linalg.eigvalsh(p.X.T @ p.X / p.n_examples).max()
    assert bound <= 2 / lam_max * (1 + 1e-12)
    # Below the bound the exact solve works (finite, positive definite) ...
    S = ll.sgd_stationary_covariance(p, 0.99 * bound, batch_size)
    assert np.all(np.isfinite(S)) and np.linalg.eigvalsh(S).min() > 0
    # ... and at 1.01x it raises a ValueError that states the bound.
    with pytest.raises(ValueError, match=r"\blr\b") as info:
        ll.sgd_stationary_covariance(p, 1.01 * bound, batch_size)
    assert any(abs(x / bound - 1) < 1e-5 for x in numbers_in(str(info.value)))
    with pytest.raises(ValueError):
        ll.sgd_excess_loss(p, 1.01 * bound, batch_size)


@pytest.mark.parametrize("batch_size", [1, 2, 5])
def test_stability_bound_one_dimensional_closed_form(batch_size):
    """d = 1: bound = 2h / ((1/B) E x^4 + (1 - 1/B) h^2), h = E x^2."""
    x = np.array([0.3, -1.2, 2.0, 0.7, 1.5])
    p = ll.LinearRegression(x[:, None], np.array([1.0, 0.0, -1.0, 2.0, 0.5]))
    h, m4 = np.mean(x**2), np.mean(x**4)
    expected = 2 * h / (m4 / batch_size + (1 - 1 / batch_size) * h**2)
    assert ll.sgd_stability_bound(p, batch_size) == pytest.approx(expected, rel=1e-12)


def test_stability_bound_tends_to_gradient_descent_bound(raw_regression):
    lam_max = np.linalg.eigvalsh(raw_regression.hessian()).max()
    bounds = [ll.sgd_stability_bound(raw_regression, B) for B in (1, 4, 16, 10_000)]
    assert np.all(np.diff(bounds) > 0)
    assert bounds[-1] == pytest.approx(2 / lam_max, rel=1e-2)


def test_stability_bound_quadratic():
    q = ll.Quadratic([0.5, 4.0], 1.0)
    assert ll.sgd_stability_bound(q) == pytest.approx(0.5, rel=1e-15)
    assert ll.sgd_stability_bound(q, 8) == pytest.approx(0.5, rel=1e-15)
    with pytest.raises(ValueError, match=r"2/h"):
        ll.sgd_stationary_covariance(q, 0.505)


# ---------------------------------------------------------------- Gibbs density


def test_gibbs_density_quadratic_is_normal():
    """L = x^2/2 at temperature T: the N(0, T) density."""
    grid = np.linspace(-8, 8, 4001)
    T = 0.7
    p = ll.gibbs_density(lambda x: 0.5 * x**2, grid, T)
    np.testing.assert_allclose(p, np.exp(-(grid**2) / (2 * T)) / np.sqrt(2 * np.pi * T), rtol=1e-6)


def test_gibbs_density_double_well_against_quadrature():
    L = lambda x: (x**2 - 1) ** 2 / 4  # noqa: E731
    T = 0.05
    grid = np.linspace(-2.5, 2.5, 20001)
    p = ll.gibbs_density(L, grid, T)
    # exp(-L/T) < exp(-1100) beyond |x| = 4, so [-4, 4] holds all the mass
    Z = quad(lambda x: np.exp(-L(x) / T), -4, 4, points=[-1, 0, 1], epsabs=0, epsrel=1e-12)[0]
    np.testing.assert_allclose(p, np.exp(-L(grid) / T) / Z, rtol=1e-7, atol=1e-12)
    # The shift by min L used against underflow changes nothing: at T = 1e-3 p(0)/p(1) = exp(-250).
    q = ll.gibbs_density(L, grid, 1e-3)
    assert np.all(np.isfinite(q)) and q.max() > 0
    i0, i1 = np.argmin(np.abs(grid)), np.argmin(np.abs(grid - 1))
    assert np.log(q[i0] / q[i1]) == pytest.approx(-0.25 / 1e-3, rel=1e-12)


def test_stationary_samples_have_the_exact_second_moment(regression3):
    """The cloud's second moment about the minimiser matches the exact S (a Monte Carlo check).

    For 4000 independent chains each entry of the sample second moment has a relative
    standard error of about sqrt(2/4000) = 2.2% on the diagonal; 5 standard errors is 11%.
    Starting far from stationary (too few relaxation times) gives a variance well below S.
    """
    lr = 0.3
    cloud = ll.stationary_samples(regression3, lr, n_chains=4000, rng=2)
    delta = cloud - regression3.minimizer()
    S = ll.sgd_stationary_covariance(regression3, lr)
    np.testing.assert_allclose(np.diag(delta.T @ delta / len(delta)), np.diag(S), rtol=0.11)
    young = ll.stationary_samples(regression3, lr, n_chains=4000, relaxation_times=0.05, rng=2)
    assert np.trace((young - regression3.minimizer()).T @ (young - regression3.minimizer())) / 4000 < 0.5 * np.trace(S)


def test_stationary_samples_per_coordinate_rates_on_a_quadratic():
    h, sigma, rates = np.array([2.0, 0.5]), np.array([1.0, 3.0]), np.array([0.2, 0.6])
    cloud = ll.stationary_samples(ll.Quadratic(h, sigma), rates, n_chains=8000, rng=5)
    # Exact discrete variances eta s^2 / (2h - eta h^2), independent chains: relative s.e. sqrt(2/8000) = 1.6%.
    np.testing.assert_allclose(cloud.var(axis=0), rates * sigma**2 / (2 * h - rates * h**2), rtol=0.08)


def test_stationary_samples_refuse_unstable_or_slow_settings(regression3):
    bound = ll.sgd_stability_bound(regression3)
    with pytest.raises(ValueError, match="stable only for lr <"):
        ll.stationary_samples(regression3, 1.01 * bound, n_chains=2)
    with pytest.raises(ValueError, match="max_steps"):
        ll.stationary_samples(regression3, 1e-4, n_chains=2, max_steps=100)
    with pytest.raises(ValueError, match="relaxation_times"):
        ll.stationary_samples(regression3, 0.1, n_chains=2, relaxation_times=0.0)


def test_exact_solvers_dispatch_on_capabilities_not_classes(regression3):
    """A problem class the library has never seen works when it has the capabilities (no library edit)."""

    class MyLeastSquares:  # duck-typed: no inheritance from any langevin_lib class
        def __init__(self, inner):
            self.inner, self.X, self.dim, self.n_examples = inner, inner.X, inner.dim, inner.n_examples

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def loss(self, phi):
            return self.inner.loss(phi)

        def grad(self, phi):
            return self.inner.grad(phi)

        def stochastic_grad(self, phi, batch_size, rng):
            return self.inner.stochastic_grad(phi, batch_size, rng)

        def example_grads(self, phi):
            return self.inner.example_grads(phi)

        def batch_grad(self, phi, idx):
            return self.inner.batch_grad(phi, idx)

        def noise_covariance(self, phi):
            return self.inner.noise_covariance(phi)

        def hessian(self):
            return self.inner.hessian()

        def minimizer(self):
            return self.inner.minimizer()

    mine = MyLeastSquares(regression3)
    assert isinstance(mine, ll.LeastSquaresProblem) and not isinstance(mine, ll.LinearRegression)
    assert ll.tz_slope(mine) == ll.tz_slope(regression3)
    exact = ll.sgd_stationary_covariance(regression3, 0.2)
    np.testing.assert_array_equal(ll.sgd_stationary_covariance(mine, 0.2), exact)
    np.testing.assert_array_equal(ll.gradient_noise_covariance(mine, np.zeros(3)),
                                  ll.gradient_noise_covariance(regression3, np.zeros(3)))  # fmt: skip
    assert ll.langevin_sde(mine, 0.1).noise_std(np.zeros((2, 3))).shape == (2, 3, 3)
    with pytest.raises(ValueError, match="LeastSquaresProblem"):
        ll.tz_slope(ll.SeparableNoisyLoss(ll.DoubleWell(), 1.0))  # additive noise but not a quadratic
