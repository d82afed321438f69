"""Euler-Maruyama against exact stationary laws of the discrete recursion, and the Langevin SDE of SGD.

For a linear drift the Euler-Maruyama chain X' = F X + G sqrt(dt) xi is itself a
linear recursion whose stationary covariance solves the *discrete* Lyapunov
equation Sigma = F Sigma F^T + dt G G^T; that is the reference, and the
continuous-time answer is what the tests reject when dt is not small.

Gaussian Monte Carlo statistics (mean known to be 0, N independent final states):
the estimator mean(x_a x_b) has variance (Sigma_aa Sigma_bb + Sigma_ab^2) / N.
Tolerance: 5 standard errors.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.integrate import cumulative_trapezoid
from scipy.linalg import solve_continuous_lyapunov, solve_discrete_lyapunov

import langevin_lib as ll

A = np.array([[-1.0, 0.5], [-0.3, -0.8]])  # stable drift matrix, non-normal


def gaussian_second_moment_se(Sigma, N):
    d = np.diag(Sigma)
    return np.sqrt((np.outer(d, d) + Sigma**2) / N)


def empirical_second_moment(x):
    return x.T @ x / x.shape[0]


def test_ou_one_dimensional_discrete_variance_rejects_continuous():
    """dX = -theta X dt + s dW with theta dt = 0.5: Var = s^2 dt / (1 - (1 - theta dt)^2), not s^2/(2 theta).

    The two differ by the factor 4/3. Relative s.e. of mean(x^2) for N normals is
    sqrt(2/N) = 0.32 % (N = 200 000); the continuous value is 25 % lower (~80 s.e.).
    Started at 0, the variance deficit after k steps is (1 - theta dt)^(2k) = 0.25^k: nil after 60.
    """
    theta, s, dt, N = 2.0, 1.5, 0.25, 200_000
    traj = ll.euler_maruyama(lambda x: -theta * x, s, np.zeros((N, 1)), dt, 60, rng=42, record_every=20)
    np.testing.assert_array_equal(traj.steps, [0, 20, 40, 60])
    np.testing.assert_allclose(traj.times, dt * traj.steps, rtol=1e-13)
    est = np.mean(traj.final[:, 0] ** 2)
    rse = np.sqrt(2 / N)
    discrete = s**2 * dt / (1 - (1 - theta * dt) ** 2)
    continuous = s**2 / (2 * theta)
    assert est == pytest.approx(discrete, rel=5 * rse)
    assert abs(est / continuous - 1) > 20 * rse


def test_full_noise_matrix_two_dimensional():
    """(d, d) noise G: one-step noise covariance G G^T dt (not G^T G), stationary Sigma from solve_discrete_lyapunov.

    |eig(F)| = 0.82, so the deficit ||F^k Sigma F^k^T|| ~ 0.68^k is 1e-13 after 80 steps.
    Both wrong alternatives (G^T G: 55-156 s.e.; continuous Lyapunov: 18-28 s.e.) are rejected.
    """
    dt, N = 0.2, 100_000
    G = np.array([[1.0, 0.0], [0.8, 0.5]])
    F = np.eye(2) + dt * A
    traj = ll.euler_maruyama(lambda x: x @ A.T, G, np.zeros((N, 2)), dt, 80, rng=7, record_every=80)
    est = empirical_second_moment(traj.final)
    Sigma = solve_discrete_lyapunov(F, dt * G @ G.T)
    se = gaussian_second_moment_se(Sigma, N)
    assert np.all(np.abs(est - Sigma) < 5 * se), (est - Sigma) / se
    transposed = solve_discrete_lyapunov(F, dt * G.T @ G)
    continuous = solve_continuous_lyapunov(A, -G @ G.T)
    assert np.max(np.abs(est - transposed) / se) > 30
    assert np.max(np.abs(est - continuous) / se) > 12


def test_diagonal_noise_two_dimensional():
    """(d,) noise g means the matrix diag(g): one-step covariance diag(g^2) dt (g read as variances is rejected)."""
    dt, N = 0.2, 100_000
    g = np.array([0.7, 1.3])
    F = np.eye(2) + dt * A
    traj = ll.euler_maruyama(lambda x: x @ A.T, g, np.zeros((N, 2)), dt, 80, rng=8, record_every=80)
    est = empirical_second_moment(traj.final)
    Sigma = solve_discrete_lyapunov(F, dt * np.diag(g**2))
    se = gaussian_second_moment_se(Sigma, N)
    assert np.all(np.abs(est - Sigma) < 5 * se), (est - Sigma) / se
    as_variances = solve_discrete_lyapunov(F, dt * np.diag(g))
    assert np.max(np.abs(est - as_variances) / se) > 30


def test_scalar_noise_same_as_identity_matrix_noise():
    """A scalar s means s * I: with the same seed the paths coincide with the (d, d) and (d,) forms."""
    x0 = np.array([[1.0, -1.0], [0.5, 2.0]])
    drift = lambda x: x @ A.T  # noqa: E731
    a = ll.euler_maruyama(drift, 0.3, x0, 0.1, 25, rng=3)
    b = ll.euler_maruyama(drift, 0.3 * np.eye(2), x0, 0.1, 25, rng=3)
    c = ll.euler_maruyama(drift, np.array([0.3, 0.3]), x0, 0.1, 25, rng=3)
    np.testing.assert_allclose(a.phi, b.phi, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(a.phi, c.phi, rtol=1e-12, atol=1e-14)
    # A single point x0 of shape (d,) is one chain.
    single = ll.euler_maruyama(drift, 0.3, x0[0], 0.1, 25, rng=3)
    assert single.phi.shape == (26, 1, 2)


def test_zero_noise_is_explicit_euler():
    traj = ll.euler_maruyama(lambda x: x @ A.T, 0.0, np.array([[1.0, 2.0]]), 0.05, 30, rng=0)
    F = np.eye(2) + 0.05 * A
    np.testing.assert_allclose(traj.final[0], np.linalg.matrix_power(F, 30) @ [1.0, 2.0], rtol=1e-12)


def test_state_dependent_diagonal_noise_closed_form():
    """dX = -theta X dt + sqrt(a + b X^2) dW (noise evaluated at X_k, Ito).

    The second moment obeys m' = (1 - theta dt)^2 m + dt (a + b m), so stationary
    m = a dt / (1 - (1 - theta dt)^2 - b dt) = 0.588; ignoring the state dependence gives 0.526
    (10 % lower). The law is not Gaussian (multiplicative noise; the fourth moment is finite
    since (1-theta dt)^4 + 6 (1-theta dt)^2 b dt + 3 b^2 dt^2 = 0.75 < 1), so the s.e. is the
    sample std of x^2 over sqrt(N). The moment deficit contracts by 0.83 per step: 1e-16 after 200.
    """
    theta, a, b, dt, N = 1.0, 1.0, 0.2, 0.1, 100_000
    traj = ll.euler_maruyama(
        lambda x: -theta * x, lambda x: np.sqrt(a + b * x**2), np.zeros((N, 1)), dt, 200, rng=9, record_every=200
    )
    x2 = traj.final[:, 0] ** 2
    est, se = x2.mean(), x2.std(ddof=1) / np.sqrt(N)
    m = a * dt / (1 - (1 - theta * dt) ** 2 - b * dt)
    assert abs(est - m) < 5 * se
    additive = a * dt / (1 - (1 - theta * dt) ** 2)
    assert abs(est - additive) > 12 * se  # about 21 s.e. away


def test_state_dependent_matrix_noise_closed_form():
    """Callable returning (n_chains, d, d): G(x) = sqrt(a + b x_1^2) G0.

    Second moments: S' = F S F^T + dt (a + b S_11) G0 G0^T, a linear fixed point solved
    here densely. Non-Gaussian, so per-entry s.e. from the sample; the constant-noise
    answer (b = 0) is rejected.
    """
    a, b, dt, N = 0.5, 0.3, 0.2, 100_000
    G0 = np.array([[1.0, 0.0], [0.5, 0.6]])
    Q0 = G0 @ G0.T
    F = np.eye(2) + dt * A

    def noise(x):
        return np.sqrt(a + b * x[:, 0] ** 2)[:, None, None] * G0

    # vec(S) = (F kron F) vec(S) + dt a vec(Q0) + dt b vec(Q0) S_11
    T = np.kron(F, F) + dt * b * np.outer(Q0.ravel(), np.eye(2).ravel() * [1, 0, 0, 0])
    rho = np.max(np.abs(np.linalg.eigvals(T)))
    n_steps = int(np.ceil(35 / -np.log(rho)))  # deficit rho^k < e^-35
    S = np.linalg.solve(np.eye(4) - T, dt * a * Q0.ravel()).reshape(2, 2)

    traj = ll.euler_maruyama(lambda x: x @ A.T, noise, np.zeros((N, 2)), dt, n_steps, rng=10, record_every=n_steps)
    x = traj.final
    prods = x[:, :, None] * x[:, None, :]
    est, se = prods.mean(axis=0), prods.std(axis=0, ddof=1) / np.sqrt(N)
    assert np.all(np.abs(est - S) < 5 * se), (est - S) / se
    constant = solve_discrete_lyapunov(F, dt * a * Q0)
    assert np.max(np.abs(est - constant) / se) > 20  # 27-40 s.e. on every entry


# ---------------------------------------------------------------- requirement (f): the Langevin SDE of SGD


def double_well(x):
    return (x**2 - 1) ** 2 / 4


def test_double_well_langevin_sde_samples_gibbs_at_lr_sigma2_over_2():
    """dX = -L'(X) dt + sqrt(lr) sigma dW has stationary density exp(-L/T)/Z with T = lr sigma^2 / 2.

    N = 20 000 chains, half started at -1 and half at +1: the start and the dynamics are
    symmetric under x -> -x, so the slow (Kramers) inter-well mode is never excited and
    the ensemble equilibrates at the intra-well rate ~L''(1) = 2, i.e. e^-10 by t = 5.
    dt = 0.005 makes the O(dt) Euler-Maruyama bias ~0.5 % in the bin probabilities, a
    chi-square non-centrality of about N * 0.005^2 ~ 0.5, negligible against 29 degrees
    of freedom. 30 bins, every expected count >= 10, critical value at level 1e-3.
    The slide's alpha = 1/10 temperature T/5 is rejected by a huge chi-square, and even
    a 20 % error in T is rejected (power check).
    """
    lr, sigma = 0.1, 2.0
    T = lr * sigma**2 / 2
    assert ll.langevin_temperature(lr, sigma**2) == pytest.approx(T)
    N, dt, n_steps = 20_000, 0.005, 1000
    x0 = np.concatenate([-np.ones(N // 2), np.ones(N // 2)])[:, None]
    traj = ll.euler_maruyama(lambda x: -(x**3 - x), np.sqrt(lr) * sigma, x0, dt, n_steps, rng=3, record_every=n_steps)
    x = traj.final[:, 0]
    assert np.all(np.abs(x) < 3)

    grid = np.linspace(-3, 3, 60_001)
    edges = np.concatenate([[-3.0], np.linspace(-1.8, 1.8, 31)[1:-1], [3.0]])
    counts = np.histogram(x, edges)[0]

    def chi_square(temperature):
        density = ll.gibbs_density(double_well, grid, temperature)
        cdf = cumulative_trapezoid(density, grid, initial=0.0)
        expected = N * np.diff(np.interp(edges, grid, cdf))
        return np.sum((counts - expected) ** 2 / expected), expected

    critical = stats.chi2.ppf(1 - 1e-3, df=len(counts) - 1)
    chi2, expected = chi_square(T)
    assert expected.min() >= 10
    assert chi2 < critical
    chi2_slide, _ = chi_square(lr * sigma**2 / 10)
    assert chi2_slide > 100 * critical
    for wrong in (1.2 * T, T / 1.2):
        assert chi_square(wrong)[0] > critical
