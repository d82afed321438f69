"""The softmax classifier against independent computations (scipy's log_softmax, finite differences)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import log_softmax

import langevin_lib as ll
from langevin_lib import SoftmaxRegression, digits_classifier, load_digits


@pytest.fixture
def small():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 4))
    labels = rng.integers(3, size=30)
    return SoftmaxRegression(X, labels, n_classes=3, l2=0.05)


def reference_example_losses(problem, phi):
    """-log softmax(W^T x_i)_{y_i} + l2/2 |phi|^2, one example at a time."""
    W = phi.reshape(problem.n_features, problem.n_classes)
    logp = log_softmax(problem.X @ W, axis=1)
    return -logp[np.arange(problem.n_examples), problem.labels] + 0.5 * problem.l2 * phi @ phi


def test_loss_matches_log_softmax_for_any_batch_shape(small):
    rng = np.random.default_rng(1)
    phis = rng.standard_normal((2, 40, small.dim))  # 80 > one chunk of 32
    expected = np.array([[reference_example_losses(small, p).mean() for p in row] for row in phis])
    np.testing.assert_allclose(small.loss(phis), expected, rtol=1e-12)
    assert np.shape(small.loss(phis[0, 0])) == ()


def test_gradients_match_finite_differences(small):
    phi = np.random.default_rng(2).standard_normal(small.dim)
    eps = 1e-6
    fd = np.array([(small.loss(phi + eps * e) - small.loss(phi - eps * e)) / (2 * eps) for e in np.eye(small.dim)])
    # Central differences are accurate to ~eps^2 * third derivative + roundoff 1e-16/eps ~ 1e-9.
    np.testing.assert_allclose(small.grad(phi), fd, atol=1e-8)
    np.testing.assert_allclose(small.example_grads(phi).mean(axis=0), small.grad(phi), atol=1e-14)
    # Each example gradient is the gradient of its own loss.
    i, e = 7, np.eye(small.dim)
    fd_i = [
        (reference_example_losses(small, phi + eps * v)[i] - reference_example_losses(small, phi - eps * v)[i])
        / (2 * eps)
        for v in e
    ]
    np.testing.assert_allclose(small.example_grads(phi)[i], fd_i, atol=1e-8)


def test_batch_and_stochastic_gradients(small):
    rng = np.random.default_rng(3)
    phi = rng.standard_normal((5, small.dim))
    idx = rng.integers(small.n_examples, size=(5, 4))
    expected = np.array([small.example_grads(phi[c])[idx[c]].mean(axis=0) for c in range(5)])
    np.testing.assert_allclose(small.batch_grad(phi, idx), expected, atol=1e-14)
    # stochastic_grad draws its indices exactly as rng.integers would.
    drawn = np.random.default_rng(9).integers(small.n_examples, size=(5, 4))
    np.testing.assert_allclose(small.stochastic_grad(phi, 4, np.random.default_rng(9)), small.batch_grad(phi, drawn))


def test_stochastic_gradient_is_unbiased(small):
    phi = np.random.default_rng(5).standard_normal(small.dim)
    draws = small.stochastic_grad(np.tile(phi, (20_000, 1)), 1, np.random.default_rng(6))
    stderr = draws.std(axis=0) / np.sqrt(len(draws))
    # Mean within 5 standard errors of the full gradient in every coordinate ...
    assert np.all(np.abs(draws.mean(axis=0) - small.grad(phi)) < 5 * stderr)
    # ... and the draws are not all the same (a gradient at the wrong labels would be biased, not noiseless).
    assert np.all(stderr > 0)


def test_sgd_runs_the_classifier(small):
    run = ll.sgd(small, np.zeros(small.dim), 0.1, 1, n_chains=3, batch_size=5, rng=0)
    idx = np.random.default_rng(0).integers(small.n_examples, size=(3, 5))
    np.testing.assert_allclose(run.final, -0.1 * small.batch_grad(np.zeros((3, small.dim)), idx), atol=1e-15)


def test_minimizer_is_a_stationary_point_and_a_minimum(small):
    phi_star = small.minimizer()
    assert np.linalg.norm(small.grad(phi_star)) < 1e-8
    bumps = 1e-3 * np.random.default_rng(4).standard_normal((50, small.dim))
    assert np.all(small.loss(phi_star + bumps) > small.loss(phi_star))
    np.testing.assert_allclose(small.example_grads(phi_star).mean(axis=0), 0, atol=1e-8)


def test_minimizer_needs_a_penalty():
    problem = SoftmaxRegression(np.eye(3), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="l2 > 0"):
        problem.minimizer()


def test_error_rate(small):
    # At phi = 0 all classes tie and argmax picks class 0.
    assert small.error_rate(np.zeros(small.dim)) == pytest.approx(np.mean(small.labels != 0))
    assert small.error_rate(np.zeros((2, small.dim))).shape == (2,)


@pytest.mark.parametrize(
    ("X", "labels", "kwargs", "match"),
    [
        (np.ones((3, 2)), np.array([0, 1]), {}, "labels must be integers"),
        (np.ones((3, 2)), np.array([0.0, 1.0, 1.0]), {}, "labels must be integers"),
        (np.ones((3, 2)), np.array([0, 1, 5]), {"n_classes": 3}, "labels must lie"),
        (np.ones((3, 2)), np.array([0, 0, 0]), {}, "n_classes"),
        (np.ones((3, 2)), np.array([0, 1, 1]), {"l2": -1.0}, "l2"),
        (np.full((3, 2), np.nan), np.array([0, 1, 1]), {}, "X must be finite"),
    ],
)
def test_bad_input(X, labels, kwargs, match):
    with pytest.raises(ValueError, match=match):
        SoftmaxRegression(X, labels, **kwargs)


def test_phi_of_wrong_length_is_rejected(small):
    with pytest.raises(ValueError, match="phi"):
        small.loss(np.zeros(small.dim + 1))
    with pytest.raises(ValueError, match="phi must have last dimension"):
        small.grad(np.zeros((2, small.dim + 1)))


def test_grad_of_an_ensemble_is_the_grad_of_each_chain(small):
    phi = 0.3 * np.random.default_rng(8).standard_normal((2, 3, small.dim))
    each = np.array([[small.example_grads(p).mean(axis=0) for p in row] for row in phi])
    np.testing.assert_allclose(small.grad(phi), each, atol=1e-12)
    np.testing.assert_allclose(small.noise_covariance(phi[0, 0]), np.cov(small.example_grads(phi[0, 0]).T, bias=True),
                               atol=1e-12)  # fmt: skip


def test_load_digits():
    data = load_digits()
    assert data.X.shape == (1797, 62) and data.labels.shape == (1797,)
    assert set(np.unique(data.labels)) == set(range(10))
    np.testing.assert_allclose(data.X[:, :-1].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(data.X[:, :-1].std(axis=0), 1, rtol=1e-12)
    np.testing.assert_array_equal(data.X[:, -1], 1.0)
    assert data.feature_names[-1] == "1" and len(data.feature_names) == 62
    assert load_digits(intercept=False).X.shape == (1797, 61)


def test_digits_classifier_fits_the_training_set():
    clf = digits_classifier(0.01)
    assert clf.dim == 620
    phi_star = clf.minimizer()
    assert np.linalg.norm(clf.grad(phi_star)) < 1e-7
    assert clf.error_rate(phi_star) < 0.03  # a linear classifier separates the digits almost perfectly


def test_softmax_loss_hessian_against_finite_differences():
    # Central differences of the exact gradient along random directions, at a point away from the minimiser.
    problem = ll.digits_classifier()
    rng = np.random.default_rng(5)
    phi = 0.05 * rng.standard_normal(problem.dim)
    hessian = problem.loss_hessian(phi)
    np.testing.assert_allclose(hessian, hessian.T, atol=1e-15)
    for _ in range(3):
        u = 1e-5 * rng.standard_normal(problem.dim)
        numeric = (problem.grad(phi + u) - problem.grad(phi - u)) / 2
        np.testing.assert_allclose(hessian @ u, numeric, rtol=0, atol=1e-6 * np.abs(numeric).max())
    with pytest.raises(ValueError):
        problem.loss_hessian(np.zeros((2, problem.dim)))
