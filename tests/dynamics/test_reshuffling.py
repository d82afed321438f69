"""Random reshuffling, ``sgd(..., sampling="reshuffle")``: each example once per epoch; exact converged loss."""

from __future__ import annotations

from itertools import permutations

import numpy as np
import pytest

import langevin_lib as ll
from langevin_lib.experiments.training import converged_loss


def coordinate_problem(n: int) -> ll.LinearRegression:
    """x_i = e_i, y = 0: a step on example i multiplies coordinate i by (1 - lr/B) and leaves the rest alone."""
    return ll.LinearRegression(np.eye(n), np.zeros(n))


@pytest.mark.parametrize("batch_size", [1, 2, 3])
def test_each_epoch_uses_every_example_once(batch_size):
    n, lr = 6, 0.1
    run = ll.sgd(
        coordinate_problem(n),
        np.ones(n),
        lr,
        n // batch_size,
        n_chains=5,
        batch_size=batch_size,
        rng=0,
        sampling="reshuffle",
    )
    # Every coordinate was hit exactly once in the epoch, whatever the order.
    np.testing.assert_allclose(run.final, (1 - lr / batch_size) * np.ones((5, n)), rtol=1e-14)


def test_batches_straddle_epochs_when_batch_size_does_not_divide_n():
    n, lr, batch_size = 6, 0.1, 4
    # 3 steps of 4 indices = 12 indices = exactly two epochs: every coordinate is used twice, either in two
    # batches ((1 - lr/4)^2) or twice in the batch that straddles the epochs (1 - 2 lr/4).
    run = ll.sgd(
        coordinate_problem(n), np.ones(n), lr, 3, n_chains=40, batch_size=batch_size, rng=1, sampling="reshuffle"
    )
    twice_apart, twice_together = (1 - lr / batch_size) ** 2, 1 - 2 * lr / batch_size
    apart = np.isclose(run.final, twice_apart, rtol=1e-14, atol=0)
    together = np.isclose(run.final, twice_together, rtol=1e-14, atol=0)
    assert np.all(apart | together)
    assert together.any() and apart.any()


def test_with_replacement_does_not_use_every_example_once():
    # The alternative: with replacement, some coordinate is hit twice or never within n steps (for 200 chains).
    n, lr = 6, 0.1
    run = ll.sgd(coordinate_problem(n), np.ones(n), lr, n, n_chains=200, rng=0)
    assert not np.allclose(run.final, 1 - lr)


def test_chains_get_independent_permutations():
    n = 8
    half = ll.sgd(coordinate_problem(n), np.ones(n), 0.5, n // 2, n_chains=50, rng=2, sampling="reshuffle").final
    touched = half < 1  # which examples each chain used in the first half epoch
    assert np.all(touched.sum(axis=1) == n // 2)
    assert len({tuple(row) for row in touched}) > 10  # 70 possible subsets; identical permutations would give 1


def test_reshuffle_is_repeatable_with_a_seed(regression3):
    a = ll.sgd(regression3, np.zeros(3), 0.1, 50, n_chains=3, rng=7, sampling="reshuffle").phi
    b = ll.sgd(regression3, np.zeros(3), 0.1, 50, n_chains=3, rng=7, sampling="reshuffle").phi
    np.testing.assert_array_equal(a, b)


def test_reshuffle_needs_a_finite_training_set():
    with pytest.raises(ValueError, match=r"reshuffle.*Quadratic"):
        ll.sgd(ll.Quadratic(1.0, 1.0), [0.0], 0.1, 10, sampling="reshuffle")


def test_unknown_sampling_is_rejected(regression3):
    with pytest.raises(ValueError, match="sampling must be one of"):
        ll.sgd(regression3, np.zeros(3), 0.1, 10, sampling="without_replacement")


def exact_reshuffled_excess(problem: ll.LinearRegression, lr: float) -> float:
    """Exact stationary excess loss of B = 1 reshuffling, averaged over the positions in an epoch.

    Independent of the library: enumerate all n! epoch orders. Within an epoch,
    delta_k = A_k delta_0 + b_k with the affine maps of the first k steps; at
    epoch starts the chain is Markov, with stationary mean m and second moment M.
    """
    X, n = problem.X, problem.n_examples
    phi_star = np.linalg.solve(X.T @ X, X.T @ problem.y)
    g = (X @ phi_star - problem.y)[:, None] * X
    d = X.shape[1]
    maps = []  # per order: [(A_k, b_k) for k = 1..n]
    for order in permutations(range(n)):
        A, b, seq = np.eye(d), np.zeros(d), []
        for i in order:
            step = np.eye(d) - lr * np.outer(X[i], X[i])
            A, b = step @ A, step @ b - lr * g[i]
            seq.append((A, b))
        maps.append(seq)
    A_n = np.array([seq[-1][0] for seq in maps])
    b_n = np.array([seq[-1][1] for seq in maps])
    m = np.linalg.solve(np.eye(d) - A_n.mean(axis=0), b_n.mean(axis=0))
    # M = E[A M A^T] + E[A m b^T + b m^T A^T + b b^T], solved densely via Kronecker products.
    kron = np.mean([np.kron(a, a) for a in A_n], axis=0)
    cross = np.mean(
        [np.outer(a @ m, bb) + np.outer(bb, a @ m) + np.outer(bb, bb) for a, bb in zip(A_n, b_n, strict=True)], axis=0
    )
    M = np.linalg.solve(np.eye(d * d) - kron, cross.ravel()).reshape(d, d)
    H = X.T @ X / n
    total = 0.0
    for seq in maps:
        for A, b in seq:
            second = A @ M @ A.T + np.outer(A @ m, b) + np.outer(b, A @ m) + np.outer(b, b)
            total += 0.5 * np.sum(H * second)
    return total / (len(maps) * n)


def test_reshuffled_converged_loss_matches_exact_enumeration():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((4, 2))
    problem = ll.LinearRegression(X, X @ np.array([1.0, -0.5]) + 0.7 * rng.standard_normal(4))
    lr = 0.1
    exact = exact_reshuffled_excess(problem, lr)
    with_replacement = ll.sgd_excess_loss(problem, lr)
    loss_star = float(problem.loss(problem.minimizer()))
    lam_min = np.linalg.eigvalsh(problem.hessian())[0]
    burn = 4 * int(np.ceil(10 / (lr * lam_min) / 4))  # whole epochs, 10 relaxation times
    mc = converged_loss(
        problem,
        problem.minimizer(),
        lr,
        n_steps=burn + 4 * 500,
        burn_in=burn,
        n_chains=400,
        rng=3,
        record_every=1,
        sampling="reshuffle",
    )
    # 5 standard errors (independent chains) for the simulation against the exact value ...
    assert abs(mc.mean - loss_star - exact) < 5 * mc.stderr
    # ... and the with-replacement value is rejected: it is far outside that band.
    assert abs(mc.mean - loss_star - with_replacement) > 20 * mc.stderr
