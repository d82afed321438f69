r"""A real classifier for chapter 3: multinomial logistic (softmax) regression on the digits data.

The model has a weight matrix :math:`W \in \mathbb{R}^{d\times K}` (flattened
row by row into :math:`\phi` of length :math:`dK`), class probabilities
:math:`p_i = \mathrm{softmax}(W^\top x_i)` and per-example losses

.. math::

    L_i(\phi) = -\log p_{i, y_i} + \frac{\lambda}{2}\|\phi\|^2, \qquad
    g_i(\phi) = x_i\,(p_i - e_{y_i})^\top + \lambda W ,

the cross-entropy of example :math:`i` plus a small L2 penalty. The penalty
is part of every :math:`L_i`, so :math:`L = \mathbb{E}_i L_i` and
:math:`\mathbb{E}_i g_i(\phi^*) = 0` at the minimiser, as the TZ theorem
assumes. Without it the (linearly separable) digits would have no minimiser,
and adding one vector to every column of :math:`W` would not change the loss.
Unlike linear regression the loss is not quadratic, so step 1 of the TZ proof
(chapter 3) is only an approximation here.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import softmax

from .._validation import as_finite_array, as_parameter
from ..data import load_digits
from .base import outer_product_noise_covariance

__all__ = ["SoftmaxRegression", "digits_classifier"]

#: Parameter sets whose losses are computed at once; bounds the (m, n, K) logits array.
_CHUNK = 32


def check_classification_data(
    X: np.ndarray, labels: np.ndarray, n_classes: int | None, l2: float
) -> tuple[np.ndarray, np.ndarray, int, float]:
    """Validate a classification training set; return ``X``, integer ``labels``, the class count and ``l2``.

    Shared by :class:`SoftmaxRegression` and :class:`~langevin_lib.MLPClassifier`.
    """
    X = as_finite_array(X, "X", ndim=2)
    labels = np.asarray(labels)
    if labels.shape != (X.shape[0],) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers, one per row of X ({X.shape[0]}), got {labels.dtype} {labels.shape}")
    if X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"X must have at least one row and one column, got shape {X.shape}")
    k = int(labels.max()) + 1 if n_classes is None else n_classes
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        raise ValueError(f"n_classes must be an integer >= 2, got {n_classes!r}")
    if labels.min() < 0 or labels.max() >= k:
        raise ValueError(f"labels must lie in 0 .. {k - 1}, got {labels.min()} .. {labels.max()}")
    l2 = float(as_finite_array(l2, "l2", ndim=0))
    if l2 < 0:
        raise ValueError(f"l2 must be finite and >= 0, got {l2}")
    return X, labels.astype(np.intp), k, l2


class SoftmaxRegression:
    r"""Softmax (multinomial logistic) regression with an L2 penalty.

    Parameters
    ----------
    X : array_like, shape (n_examples, d)
        Inputs, one example per row (include a column of ones for an intercept).
    labels : array_like of int, shape (n_examples,)
        Classes :math:`0, \dots, K-1`.
    n_classes : int, optional
        :math:`K` (default: ``labels.max() + 1``).
    l2 : float
        Penalty :math:`\lambda \ge 0`; with :math:`\lambda > 0` the loss is
        strictly convex and has exactly one minimiser.

    Attributes
    ----------
    n_examples : int
        Number of training examples (rows of ``X``).
    n_features : int
        Number of inputs per example (columns of ``X``).
    n_classes : int
        Number of classes :math:`K`.
    dim : int
        :math:`d K`, the length of :math:`\phi`.
    """

    def __init__(self, X: np.ndarray, labels: np.ndarray, n_classes: int | None = None, l2: float = 0.0):
        X, labels, k, l2 = check_classification_data(X, labels, n_classes, l2)
        self.X, self.labels, self.l2 = X, labels, l2
        self.n_examples, self.n_features = X.shape
        self.n_classes = k
        self.dim = self.n_features * k
        self._onehot = np.eye(k)[self.labels]
        self._minimizer: np.ndarray | None = None

    def loss(self, phi: np.ndarray) -> np.ndarray:
        r"""Training loss :math:`L(\phi) = \frac1n\sum_i L_i(\phi)`; ``phi`` of shape ``(D,)`` or ``(..., D)``."""
        phi = as_parameter(phi, self.dim)
        flat = phi.reshape(-1, self.dim)
        out = np.empty(flat.shape[0])
        rows = np.arange(self.n_examples)
        for start in range(0, flat.shape[0], _CHUNK):
            W = flat[start : start + _CHUNK].reshape(-1, self.n_features, self.n_classes)
            m = W.shape[0]
            # One matrix product for the whole chunk: (n, d) @ (d, m K).
            logits = (self.X @ W.transpose(1, 0, 2).reshape(self.n_features, m * self.n_classes)).reshape(
                self.n_examples, m, self.n_classes
            )
            top = logits.max(axis=2)
            picked = logits[rows, :, self.labels]
            logits -= top[..., None]
            np.exp(logits, out=logits)
            cross_entropy = np.log(logits.sum(axis=2)) + top - picked
            out[start : start + m] = cross_entropy.mean(axis=0)
        out += 0.5 * self.l2 * np.sum(flat**2, axis=1)
        return out.reshape(phi.shape[:-1])

    def grad(self, phi: np.ndarray) -> np.ndarray:
        r"""Full gradient :math:`g(\phi) = \frac1n\sum_i x_i (p_i - e_{y_i})^\top + \lambda W`, same shape as ``phi``.

        ``phi`` of shape ``(D,)`` or an ensemble ``(..., D)``.
        """
        phi = as_parameter(phi, self.dim)
        flat = phi.reshape(-1, self.dim)
        mean = self._residual_factors(flat) @ self.X / self.n_examples  # (m, K, n_features)
        return (np.swapaxes(mean, 1, 2).reshape(flat.shape) + self.l2 * flat).reshape(phi.shape)

    def noise_covariance(self, phi: np.ndarray) -> np.ndarray:
        r"""Gradient-noise covariance :math:`\Sigma(\phi) = \frac1n\sum_i g_ig_i^\top - gg^\top` of one example.

        ``phi`` of shape ``(D,)`` gives ``(D, D)``; an ensemble ``(..., D)`` gives ``(..., D, D)``.
        """
        phi = as_parameter(phi, self.dim)
        flat = phi.reshape(-1, self.dim)
        cov = outer_product_noise_covariance(self.X, self._residual_factors(flat))
        return cov.reshape(*phi.shape[:-1], self.dim, self.dim)

    def loss_hessian(self, phi: np.ndarray) -> np.ndarray:
        r"""Hessian of the training loss at one point ``phi`` of shape ``(D,)``; returns ``(D, D)``.

        .. math::

            \nabla^2 L(\phi) = \frac1n\sum_i x_ix_i^\top \otimes
            \big(\operatorname{diag}(p_i) - p_ip_i^\top\big) + \lambda I,

        in the layout of :math:`\phi` (inputs outer, classes inner). Chapter 6
        uses it at the minimiser for the mode temperatures of preconditioned SGD.
        (Named ``loss_hessian``, not ``hessian``: the loss is not quadratic.)
        """
        phi = as_parameter(phi, self.dim, single_for="loss_hessian")
        W = phi.reshape(self.n_features, self.n_classes)
        prob = softmax(self.X @ W, axis=1)  # (n, K)
        # -sum_i (x_i p_i^T)(x_i p_i^T)^T, flattened, plus the diagonal blocks X^T diag(p_c) X.
        xp = (self.X[:, :, None] * prob[:, None, :]).reshape(self.n_examples, self.dim)
        hess = -(xp.T @ xp)
        blocks = np.einsum("if,ig,ic->fgc", self.X, self.X, prob)  # (d, d, K)
        hess = hess.reshape(self.n_features, self.n_classes, self.n_features, self.n_classes)
        classes = np.arange(self.n_classes)
        hess[:, classes, :, classes] += np.moveaxis(blocks, 2, 0)
        hess = hess.reshape(self.dim, self.dim) / self.n_examples
        hess[np.diag_indices(self.dim)] += self.l2
        return 0.5 * (hess + hess.T)

    def _residual_factors(self, phi: np.ndarray) -> np.ndarray:
        """Residuals :math:`p_i - e_{y_i}` of an ensemble ``phi`` (m, D), laid out as (m, K, n_examples).

        Examples last: NumPy loops over the last axis, and K is short (a few classes).
        """
        W = phi.reshape(phi.shape[0], self.n_features, self.n_classes)
        prob = np.swapaxes(W, 1, 2) @ self.X.T  # logits, (m, K, n)
        prob -= prob.max(axis=1, keepdims=True)
        np.exp(prob, out=prob)
        prob /= prob.sum(axis=1, keepdims=True)
        prob[:, self.labels, np.arange(self.n_examples)] -= 1.0
        return prob

    def example_grads(self, phi: np.ndarray) -> np.ndarray:
        r"""Per-example gradients :math:`g_i(\phi)`, shape ``(n_examples, D)``."""
        phi = as_parameter(phi, self.dim, single_for="example_grads")
        W = phi.reshape(self.n_features, self.n_classes)
        residual = softmax(self.X @ W, axis=1) - self._onehot
        per_example = self.X[:, :, None] * residual[:, None, :]
        return per_example.reshape(self.n_examples, self.dim) + self.l2 * phi

    def batch_grad(self, phi: np.ndarray, idx: np.ndarray) -> np.ndarray:
        r"""Average gradient of the examples ``idx[c]`` at ``phi[c]``.

        ``phi`` has shape ``(n_chains, D)`` and ``idx`` integer shape ``(n_chains, B)``.
        """
        W = phi.reshape(phi.shape[0], self.n_features, self.n_classes)
        xb = self.X[idx]  # (n_chains, B, d)
        # Batched matmuls and a hand-written softmax: this is the inner loop of every SGD run.
        logits = xb @ W
        logits -= logits.max(axis=2, keepdims=True)
        prob = np.exp(logits)
        prob /= prob.sum(axis=2, keepdims=True)
        prob -= self._onehot[idx]
        out = np.swapaxes(xb, 1, 2) @ prob
        out /= idx.shape[1]
        out += self.l2 * W
        return out.reshape(phi.shape)

    def stochastic_grad(self, phi: np.ndarray, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        """Minibatch gradients of ``batch_size`` examples drawn with replacement; ``phi`` of shape ``(n_chains, D)``."""
        return self.batch_grad(phi, rng.integers(self.n_examples, size=(phi.shape[0], batch_size)))

    def error_rate(self, phi: np.ndarray) -> np.ndarray:
        """Fraction of training examples misclassified; ``phi`` of shape ``(D,)`` or ``(..., D)``."""
        phi = as_parameter(phi, self.dim)
        W = phi.reshape(*phi.shape[:-1], self.n_features, self.n_classes)
        predicted = np.argmax(np.einsum("nd,...dk->...nk", self.X, W), axis=-1)
        return np.mean(predicted != self.labels, axis=-1)

    def minimizer(self, *, gtol: float = 1e-10) -> np.ndarray:
        r"""The minimiser :math:`\phi^*`, by a tight full-batch L-BFGS solve (cached).

        Raises
        ------
        ValueError
            If ``l2 == 0``: the loss may then have no minimiser.
        ArithmeticError
            If L-BFGS stops with a gradient norm above ``10 * gtol``.
        """
        if self.l2 == 0:
            raise ValueError("minimizer needs l2 > 0: without the penalty the loss may have no minimiser")
        if self._minimizer is None:
            result = minimize(
                lambda p: (float(self.loss(p)), self.grad(p)),
                np.zeros(self.dim),
                jac=True,
                method="L-BFGS-B",
                options={"gtol": gtol, "ftol": 0.0, "maxiter": 20_000, "maxcor": 30},
            )
            norm = float(np.linalg.norm(self.grad(result.x)))
            if norm > 10 * gtol * max(1.0, np.sqrt(self.dim)):
                raise ArithmeticError(f"L-BFGS stopped with |grad L| = {norm:.3g}: {result.message}")
            self._minimizer = result.x
        return self._minimizer.copy()

    def __repr__(self) -> str:
        return (
            f"SoftmaxRegression(n_examples={self.n_examples}, n_features={self.n_features}, "
            f"n_classes={self.n_classes}, l2={self.l2:g})"
        )


def digits_classifier(l2: float = 1e-3) -> SoftmaxRegression:
    r"""Softmax regression on :func:`load_digits` with penalty ``l2``: the real classifier of chapter 3.

    Returns
    -------
    SoftmaxRegression
        1797 examples, 62 inputs (61 pixels and the intercept), 10 classes, ``dim = 620``.
    """
    data = load_digits()
    return SoftmaxRegression(data.X, data.labels, n_classes=10, l2=l2)
