"""RMSProp, Adam and the inverse-variance rule against hand-computed steps and their stationary statistics."""

from __future__ import annotations

import numpy as np
import pytest

import langevin_lib as ll
from langevin_lib.dynamics.optimizers import (
    Adam,
    InverseVarianceSGD,
    OptimizerTrajectory,
    RMSProp,
    adam,
    inverse_variance_sgd,
    rmsprop,
    run_optimizer,
)


class ScriptedGradients:
    """A problem whose stochastic gradients are a fixed script, the same for every chain (for hand computations)."""

    def __init__(self, script):
        self.script = [np.asarray(g, dtype=float) for g in script]
        self.dim = self.script[0].size
        self.calls = 0

    def stochastic_grad(self, phi, batch_size, rng):
        g = self.script[self.calls]
        self.calls += 1
        return np.broadcast_to(g, phi.shape).copy()


class NoisyLinear:
    r"""L(phi) = a . phi: gradient a plus N(0, sigma^2) noise, so E g^2 = a^2 + sigma^2 differs from sigma^2."""

    def __init__(self, a, sigma):
        self.a, self.sigma = np.asarray(a, float), np.asarray(sigma, float)
        self.dim = self.a.size

    def stochastic_grad(self, phi, batch_size, rng):
        return self.a + self.sigma * rng.standard_normal(phi.shape)


def test_rmsprop_two_hand_computed_steps():
    # L = (phi1^2 + 2 phi2^2)/2, no noise, from (1, 1): g1 = (1, 2).
    q = ll.Quadratic([1.0, 2.0], 0.0)
    run = rmsprop(q, [1.0, 1.0], 0.1, 2, beta=0.9, eps=1e-8)
    g1 = np.array([1.0, 2.0])
    v1 = 0.1 * g1**2
    phi1 = 1.0 - 0.1 * g1 / (np.sqrt(v1) + 1e-8)  # = 1 - 0.1/sqrt(0.1) = 0.68377 in both coordinates
    g2 = np.array([1.0, 2.0]) * phi1
    v2 = 0.9 * v1 + 0.1 * g2**2
    phi2 = phi1 - 0.1 * g2 / (np.sqrt(v2) + 1e-8)
    np.testing.assert_allclose(run.phi[1, 0], [0.683772234, 0.683772234], rtol=1e-7)  # eps shifts it by ~1e-8
    np.testing.assert_allclose(run.phi[2, 0], phi2, rtol=1e-12)
    np.testing.assert_allclose(run.moment[2, 0], v2, rtol=1e-12)
    np.testing.assert_allclose(run.rates[2, 0], 0.1 / (np.sqrt(v2) + 1e-8), rtol=1e-12)
    # time = sum of the mean per-coordinate rate
    assert run.times[2] == pytest.approx(np.mean(0.1 / np.sqrt(v1)) + np.mean(0.1 / (np.sqrt(v2) + 1e-8)))


def test_adam_two_hand_computed_steps_with_bias_correction():
    script = [[2.0, -0.5], [1.0, 0.5]]
    run = run_optimizer(ScriptedGradients(script), [0.0, 0.0], Adam(0.01, 0.9, 0.999, 1e-8), 2)
    # Step 1: m_hat = g, v_hat = g^2, so the step is lr * sign(g) up to eps.
    np.testing.assert_allclose(run.phi[1, 0], [-0.01, 0.01], rtol=1e-7)
    m = 0.9 * 0.1 * np.array(script[0]) + 0.1 * np.array(script[1])
    v = 0.999 * 0.001 * np.array(script[0]) ** 2 + 0.001 * np.array(script[1]) ** 2
    m_hat, v_hat = m / (1 - 0.9**2), v / (1 - 0.999**2)
    expected = run.phi[1, 0] - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8)
    np.testing.assert_allclose(run.phi[2, 0], expected, rtol=1e-12)
    np.testing.assert_allclose(run.moment[2, 0], v_hat, rtol=1e-12)


def test_rmsprop_first_step_is_enlarged_without_bias_correction():
    run = run_optimizer(ScriptedGradients([[3.0]]), [0.0], RMSProp(0.01, beta=0.99, eps=1e-12), 1)
    assert run.final[0, 0] == pytest.approx(-0.01 / np.sqrt(0.01), rel=1e-9)  # 10 x lr


def test_inverse_variance_warmup_then_ewma_step():
    script = [[1.0], [3.0], [2.0], [4.0]]
    rule = InverseVarianceSGD(0.5, beta=0.9, eps=1e-8, warmup=3)
    run = run_optimizer(ScriptedGradients(script), [0.0], rule, 4)
    np.testing.assert_array_equal(run.phi[:4, 0, 0], 0.0)  # the warm-up does not move
    assert run.times[3] == 0.0
    assert run.moment[3, 0, 0] == pytest.approx(2.0 / 3.0)  # population variance of 1, 3, 2
    # Step 4: delta = 4 - 2, mean -> 2.2, s = 0.9 * (2/3 + 0.1 * 4) = 0.96, rate 0.5 / 0.96.
    assert run.moment[4, 0, 0] == pytest.approx(0.96)
    assert run.final[0, 0] == pytest.approx(-0.5 / (0.96 + 1e-8) * 4.0)
    assert run.times[4] == pytest.approx(0.5 / (0.96 + 1e-8))


def test_rmsprop_estimates_second_moment_not_variance():
    # Constant gradient a = 1 with noise sigma = 0.5: E g^2 = 1.25, sigma^2 = 0.25.
    problem = NoisyLinear([1.0], [0.5])
    run = rmsprop(problem, [0.0], 1e-3, 2000, beta=0.99, n_chains=2000, rng=1, record_every=2000)
    v = run.moment[-1, :, 0]
    se = v.std() / np.sqrt(v.size)
    expected = 1.25 * (1 - 0.99**2000)
    assert abs(v.mean() - expected) < 5 * se  # 5 standard errors of the mean over chains
    assert abs(v.mean() - 0.25) > 50 * se  # the noise variance alone is far off


def test_inverse_variance_estimates_variance():
    problem = NoisyLinear([1.0], [0.5])
    run = inverse_variance_sgd(problem, [0.0], 1e-3, 2000, beta=0.99, n_chains=2000, rng=2, record_every=2000)
    s = run.moment[-1, :, 0]
    se = s.std() / np.sqrt(s.size)
    # Stationary mean of the EW variance of iid draws: 2 beta sigma^2 / (1 + beta) (warm-up long forgotten).
    assert abs(s.mean() - 2 * 0.99 / 1.99 * 0.25) < 5 * se
    assert abs(s.mean() - 1.25) > 50 * se


@pytest.mark.parametrize(
    ("make", "ratio"),
    [(lambda: RMSProp(0.01), 4.0), (lambda: InverseVarianceSGD(0.0025), 1.0)],
    ids=["rmsprop: T ~ sigma", "1/sigma^2: one temperature"],
)
def test_stationary_temperatures_on_a_quadratic(make, ratio):
    sigma = np.array([0.5, 2.0])
    q = ll.Quadratic([1.0, 1.0], sigma)
    run = run_optimizer(q, [0.0, 0.0], make(), 3000, n_chains=2000, rng=3, record_every=100)
    temps = np.var(run.phi[15:], axis=(0, 1))  # h = 1: T = Var; steps 1500-3000, > 6 relaxation times
    # Records 100 steps apart are nearly independent for both coordinates here (rates >= 0.005, so
    # correlation <= e^-1 for the slowest); 30000 draws give a few-percent ratio. 10% allows for
    # the slow coordinate's correlation and the small bias of a noisy preconditioner.
    assert temps[1] / temps[0] == pytest.approx(ratio, rel=0.1)
    assert abs(temps[1] / temps[0] - 16.0) > 5  # plain SGD's sigma^2 ratio is rejected


def test_divergence_raises():
    # Step 1 moves by about lr/sqrt(1 - beta) = 1e307; the next gradient h * phi overflows to inf,
    # and inf / sqrt(inf) is NaN: the run must stop there instead of returning NaN.
    q = ll.Quadratic(1e3, 1.0)
    with pytest.raises(ll.DivergenceError) as info:
        rmsprop(q, [1.0], 1e306, 50, rng=0)
    assert info.value.step == 2


def test_trajectory_shapes_and_types():
    q = ll.Quadratic([1.0, 2.0, 3.0], 1.0)
    run = adam(q, np.ones((4, 3)), 0.01, 10, record_every=3, rng=0)
    assert isinstance(run, OptimizerTrajectory) and isinstance(run, ll.Trajectory)
    assert run.phi.shape == run.rates.shape == run.moment.shape == (5, 4, 3)
    np.testing.assert_array_equal(run.steps, [0, 3, 6, 9, 10])


@pytest.mark.parametrize(
    ("factory", "name"),
    [
        (lambda: RMSProp(0.1, beta=1.0), "beta"),
        (lambda: Adam(0.1, beta1=-0.1), "beta1"),
        (lambda: Adam(0.1, beta2=True), "beta2"),
        (lambda: RMSProp(-0.1), "lr"),
        (lambda: RMSProp(0.1, eps=0.0), "eps"),
        (lambda: InverseVarianceSGD(0.1, warmup=1), "warmup"),
    ],
)
def test_bad_hyperparameters_name_the_argument(factory, name):
    with pytest.raises(ValueError, match=name):
        factory()


def test_bad_rule_and_counts():
    q = ll.Quadratic(1.0, 1.0)
    with pytest.raises(ValueError, match="rule"):
        run_optimizer(q, [0.0], "adam", 5)
    with pytest.raises(ValueError, match="n_steps"):
        rmsprop(q, [0.0], 0.1, 0)
