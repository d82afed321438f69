r"""A small neural network for chapter 6: a one-hidden-layer perceptron classifier.

With inputs :math:`x_i` (a column of ones included), a hidden layer of
:math:`H` tanh units and a softmax output over :math:`K` classes,

.. math::

    z_i = \tanh(W_1^\top x_i), \qquad
    p_i = \mathrm{softmax}(W_2^\top z_i + b), \qquad
    L_i(\phi) = -\log p_{i, y_i} + \frac{\lambda}{2}\|\phi\|^2,

with :math:`\phi = (W_1, W_2, b)` flattened into one vector of length
:math:`dH + HK + K`. The gradient is backpropagation:

.. math::

    \delta_i = p_i - e_{y_i}, \quad
    \nabla_{W_2} L_i = z_i\delta_i^\top, \quad \nabla_b L_i = \delta_i, \quad
    \nabla_{W_1} L_i = x_i\big((W_2\delta_i)\odot(1 - z_i^2)\big)^\top,

plus :math:`\lambda\phi`. Unlike softmax regression
(:class:`~langevin_lib.SoftmaxRegression`) the loss is not convex:
permuting the hidden units gives the same function, so there are many minima.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_count, as_generator, as_parameter
from .base import example_grad_covariance
from .classifiers import check_classification_data

__all__ = ["MLPClassifier"]


class MLPClassifier:
    r"""One-hidden-layer tanh network with a softmax output and an L2 penalty.

    Parameters
    ----------
    X : array_like, shape (n_examples, d)
        Inputs, one example per row (include a column of ones for the hidden biases).
    labels : array_like of int, shape (n_examples,)
        Classes :math:`0, \dots, K-1`.
    n_hidden : int
        :math:`H \ge 1`.
    n_classes : int, optional
        :math:`K` (default ``labels.max() + 1``).
    l2 : float
        Penalty :math:`\lambda \ge 0`.

    Attributes
    ----------
    n_examples : int
        Number of training examples :math:`n`.
    n_features : int
        Input dimension :math:`d`.
    n_hidden : int
        Hidden units :math:`H`.
    n_classes : int
        Classes :math:`K`.
    dim : int
        :math:`dH + HK + K`, the length of :math:`\phi`.
    """

    def __init__(
        self, X: np.ndarray, labels: np.ndarray, n_hidden: int = 32, n_classes: int | None = None, l2: float = 0.0
    ):
        X, labels, k, l2 = check_classification_data(X, labels, n_classes, l2)
        self.X, self.labels, self.l2 = X, labels, l2
        self.n_examples, self.n_features = X.shape
        self.n_hidden = as_count(n_hidden, "n_hidden")
        self.n_classes = k
        self._sizes = (self.n_features * self.n_hidden, self.n_hidden * k, k)
        self.dim = sum(self._sizes)
        self._onehot = np.eye(k)[self.labels]

    def unpack(self, phi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(W1, W2, b)`` of shapes ``(..., d, H)``, ``(..., H, K)``, ``(..., K)`` from ``phi`` (..., D)."""
        lead = phi.shape[:-1]
        a, b, _ = self._sizes
        return (
            phi[..., :a].reshape(*lead, self.n_features, self.n_hidden),
            phi[..., a : a + b].reshape(*lead, self.n_hidden, self.n_classes),
            phi[..., a + b :],
        )

    def init_params(self, rng: np.random.Generator | int | None = None, n_chains: int | None = None) -> np.ndarray:
        r"""Random initial parameters: :math:`W_1` with entries :math:`N(0, 1/d)`, :math:`W_2 = 0`, :math:`b = 0`.

        The :math:`1/\sqrt d` scale keeps the hidden units out of tanh's flat
        tails at the start; a zero output layer starts every example at the
        uniform prediction (loss :math:`\log K`) while the gradient still
        reaches :math:`W_1` after one step. Shape ``(D,)``, or ``(n_chains, D)``.
        """
        gen = as_generator(rng)
        lead = () if n_chains is None else (as_count(n_chains, "n_chains"),)
        phi = np.zeros((*lead, self.dim))
        phi[..., : self._sizes[0]] = gen.standard_normal((*lead, self._sizes[0])) / np.sqrt(self.n_features)
        return phi

    def loss(self, phi: np.ndarray) -> np.ndarray:
        r"""Training loss :math:`L(\phi) = \frac1n\sum_i L_i(\phi)`; ``phi`` of shape ``(D,)`` or ``(..., D)``."""
        phi = as_parameter(phi, self.dim)
        flat = phi.reshape(-1, self.dim)
        out = np.array([self._cross_entropy(p).mean() for p in flat])
        out += 0.5 * self.l2 * np.sum(flat**2, axis=1)
        return out.reshape(phi.shape[:-1])

    def error_rate(self, phi: np.ndarray) -> np.ndarray:
        """Fraction of examples misclassified; ``phi`` of shape ``(D,)`` or ``(..., D)``."""
        phi = as_parameter(phi, self.dim)
        flat = phi.reshape(-1, self.dim)
        out = np.array([np.mean(np.argmax(self._logits(p), axis=1) != self.labels) for p in flat])
        return out.reshape(phi.shape[:-1])

    def grad(self, phi: np.ndarray) -> np.ndarray:
        """Full gradient, same shape as ``phi`` (``(D,)`` or an ensemble ``(..., D)``)."""
        phi = as_parameter(phi, self.dim)
        flat = phi.reshape(-1, self.dim)
        every = np.broadcast_to(np.arange(self.n_examples), (flat.shape[0], self.n_examples))
        return self.batch_grad(flat, every).reshape(phi.shape)

    def noise_covariance(self, phi: np.ndarray) -> np.ndarray:
        r"""Gradient-noise covariance :math:`\Sigma(\phi)` of one example, ``(D, D)`` (or ``(..., D, D)``)."""
        return example_grad_covariance(self, as_parameter(phi, self.dim))

    def example_grads(self, phi: np.ndarray) -> np.ndarray:
        r"""Per-example gradients :math:`g_i(\phi)`, shape ``(n_examples, D)``."""
        phi = as_parameter(phi, self.dim, single_for="example_grads")
        one_each = np.arange(self.n_examples)[:, None]
        return self.batch_grad(np.broadcast_to(phi, (self.n_examples, self.dim)), one_each)

    def batch_grad(self, phi: np.ndarray, idx: np.ndarray) -> np.ndarray:
        r"""Average gradient of the examples ``idx[c]`` at ``phi[c]``, by backpropagation.

        ``phi`` has shape ``(n_chains, D)`` and ``idx`` integer shape ``(n_chains, B)``.
        """
        W1, W2, b = self.unpack(phi)
        xb = self.X[idx]  # (c, B, d)
        z = np.tanh(xb @ W1)  # (c, B, H)
        logits = z @ W2 + b[:, None, :]
        logits -= logits.max(axis=2, keepdims=True)
        delta = np.exp(logits)
        delta /= delta.sum(axis=2, keepdims=True)
        delta -= self._onehot[idx]  # p - e_y, (c, B, K)
        back = (delta @ np.swapaxes(W2, 1, 2)) * (1.0 - z * z)  # (c, B, H)
        size = idx.shape[1]
        out = np.concatenate(
            [
                (np.swapaxes(xb, 1, 2) @ back).reshape(phi.shape[0], -1),
                (np.swapaxes(z, 1, 2) @ delta).reshape(phi.shape[0], -1),
                delta.sum(axis=1),
            ],
            axis=1,
        )
        out /= size
        out += self.l2 * phi
        return out

    def stochastic_grad(self, phi: np.ndarray, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        """Minibatch gradients of ``batch_size`` examples drawn with replacement; ``phi`` of shape ``(n_chains, D)``."""
        return self.batch_grad(phi, rng.integers(self.n_examples, size=(phi.shape[0], batch_size)))

    def _logits(self, phi: np.ndarray) -> np.ndarray:
        W1, W2, b = self.unpack(phi)
        return np.tanh(self.X @ W1) @ W2 + b

    def _cross_entropy(self, phi: np.ndarray) -> np.ndarray:
        logits = self._logits(phi)
        top = logits.max(axis=1)
        picked = logits[np.arange(self.n_examples), self.labels]
        return np.log(np.exp(logits - top[:, None]).sum(axis=1)) + top - picked

    def __repr__(self) -> str:
        return (
            f"MLPClassifier(n_examples={self.n_examples}, n_features={self.n_features}, "
            f"n_hidden={self.n_hidden}, n_classes={self.n_classes}, l2={self.l2:g})"
        )
