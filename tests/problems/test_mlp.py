"""The one-hidden-layer network: backpropagation against finite differences and against the loss itself."""

from __future__ import annotations

import numpy as np
import pytest

from langevin_lib.problems.mlp import MLPClassifier


@pytest.fixture
def net():
    rng = np.random.default_rng(0)
    X = np.hstack([rng.standard_normal((9, 4)), np.ones((9, 1))])
    labels = rng.integers(3, size=9)
    return MLPClassifier(X, labels, n_hidden=3, n_classes=3, l2=0.1)


def random_phi(net, seed=1):
    return np.random.default_rng(seed).standard_normal(net.dim)


def test_dimension_and_unpack(net):
    assert net.dim == 5 * 3 + 3 * 3 + 3
    W1, W2, b = net.unpack(np.arange(net.dim, dtype=float))
    assert W1.shape == (5, 3) and W2.shape == (3, 3) and b.shape == (3,)
    assert W1[0, 0] == 0 and W2[0, 0] == 15 and b[0] == 24


def test_gradient_matches_central_differences(net):
    phi = random_phi(net)
    step = 1e-6
    numeric = np.array([(net.loss(phi + step * e) - net.loss(phi - step * e)) / (2 * step) for e in np.eye(net.dim)])
    # Central differences have error O(step^2 * L''') ~ 1e-12 plus rounding ~ 1e-16 / step = 1e-10.
    np.testing.assert_allclose(net.grad(phi), numeric, atol=1e-8)


def test_example_and_batch_gradients_are_consistent(net):
    phi = random_phi(net, 2)
    per_example = net.example_grads(phi)
    np.testing.assert_allclose(per_example.mean(axis=0), net.grad(phi), atol=1e-13)
    idx = np.array([[0, 3, 3], [8, 1, 2]])
    batch = net.batch_grad(np.stack([phi, phi]), idx)
    np.testing.assert_allclose(batch, per_example[idx].mean(axis=1), atol=1e-13)


def test_example_gradient_is_that_of_the_example_loss(net):
    # Independent check of one per-example gradient: finite differences of a one-example network.
    phi = random_phi(net, 3)
    single = MLPClassifier(net.X[4:5], net.labels[4:5], n_hidden=3, n_classes=3, l2=0.1)
    step = 1e-6
    numeric = np.array(
        [(single.loss(phi + step * e) - single.loss(phi - step * e)) / (2 * step) for e in np.eye(net.dim)]
    )
    np.testing.assert_allclose(net.example_grads(phi)[4], numeric, atol=1e-8)


def test_loss_at_a_zero_output_layer_is_log_k(net):
    phi = net.init_params(rng=0)
    W1, W2, b = net.unpack(phi)
    assert np.all(W2 == 0) and np.all(b == 0) and np.any(W1 != 0)
    assert net.loss(phi) == pytest.approx(np.log(3) + 0.05 * np.sum(phi**2))


def test_stochastic_gradient_is_unbiased(net):
    phi = random_phi(net, 4)
    draws = net.stochastic_grad(np.tile(phi, (20000, 1)), 1, np.random.default_rng(5))
    se = draws.std(axis=0) / np.sqrt(len(draws))
    z = (draws.mean(axis=0) - net.grad(phi)) / se
    assert np.max(np.abs(z)) < 5  # 27 coordinates, 5 standard errors each


def test_batched_loss_and_error_rate_shapes(net):
    phis = net.init_params(rng=0, n_chains=4)
    assert net.loss(phis).shape == (4,)
    assert net.error_rate(phis.reshape(2, 2, -1)).shape == (2, 2)
    np.testing.assert_allclose(net.loss(phis)[2], net.loss(phis[2]))


def test_validation():
    X = np.ones((3, 2))
    with pytest.raises(ValueError, match="labels"):
        MLPClassifier(X, [0, 1])
    with pytest.raises(ValueError, match="n_hidden"):
        MLPClassifier(X, [0, 1, 1], n_hidden=0)
    with pytest.raises(ValueError, match="l2"):
        MLPClassifier(X, [0, 1, 1], l2=-1.0)
    net = MLPClassifier(X, [0, 1, 1], n_hidden=2)
    with pytest.raises(ValueError, match="phi"):
        net.grad(np.zeros(3))
