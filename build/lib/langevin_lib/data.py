"""Real training sets for the chapters, loaded from disk and never downloaded.

The course runs offline (on a laptop, in CI, on Binder), so every data set
here is one that ships inside an installed package. The loaders import that
package lazily: ``import langevin_lib`` works without it, and a loader called
without it raises an :class:`ImportError` that says what to install instead
of trying the network.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from ._validation import as_finite_array

__all__ = [
    "DIABETES_FEATURES",
    "ClassificationData",
    "RegressionData",
    "load_diabetes",
    "load_digits",
    "standardize",
]

#: Column names of the diabetes data, in order (age, sex, body-mass index,
#: mean blood pressure and six blood-serum measurements s1 ... s6).
DIABETES_FEATURES: tuple[str, ...] = ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")


class RegressionData(NamedTuple):
    """A regression training set.

    Attributes
    ----------
    X : ndarray, shape (n_examples, dim)
        Inputs, one example per row.
    y : ndarray, shape (n_examples,)
        Targets.
    feature_names : tuple of str
        Name of each column of ``X``.
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]


def standardize(values: np.ndarray) -> np.ndarray:
    r"""Centre and scale each column to mean 0 and standard deviation 1.

    .. math::

        z_{ij} = \frac{v_{ij} - \bar v_j}{s_j}, \qquad
        \bar v_j = \frac1n\sum_i v_{ij}, \quad
        s_j^2 = \frac1n\sum_i (v_{ij} - \bar v_j)^2 ,

    with the population standard deviation (divisor :math:`n`). For a
    regression on standardised inputs the Hessian :math:`H = X^\top X/n` is the
    correlation matrix of the features, so its eigenvalues, and with them the
    time scales of gradient flow (chapters 1 and 2), do not depend on the units
    the data were recorded in.

    Parameters
    ----------
    values : array_like, shape (n,) or (n, k)
        A column or a matrix of columns, finite, with ``n >= 2``.

    Returns
    -------
    ndarray, same shape as ``values``

    Raises
    ------
    ValueError
        If a column is constant (it cannot be scaled to standard deviation 1),
        or if there are fewer than two rows or non-finite entries.
    """
    values = as_finite_array(values, "values", ndim=(1, 2))
    if values.shape[0] < 2:
        raise ValueError(f"values must have at least 2 rows to standardise, got shape {values.shape}")
    centred = values - values.mean(axis=0)
    scale = np.sqrt(np.mean(centred**2, axis=0))
    # Relative test: a column that is constant up to rounding has a spread at
    # the level of machine epsilon times its magnitude.
    magnitude = np.max(np.abs(values), axis=0)
    constant = scale <= 1e-12 * np.maximum(magnitude, np.finfo(float).tiny)
    if np.any(constant):
        columns = np.flatnonzero(np.atleast_1d(constant)).tolist()
        raise ValueError(f"values has constant column(s) {columns}: they cannot be scaled to standard deviation 1")
    return centred / scale


def load_diabetes(features: Sequence[str] | None = None, *, standardized: bool = True) -> RegressionData:
    r"""The diabetes regression data of Efron et al. (2004), as shipped with scikit-learn.

    442 patients, 10 baseline measurements each (:data:`DIABETES_FEATURES`),
    and as target a measure of disease progression one year later. The raw
    values are read from the copy inside scikit-learn (no download) and, by
    default, every column of ``X`` and the target are standardised with
    :func:`standardize`. Then the least-squares problem
    :math:`L(\phi) = \frac1{2n}\|X\phi - y\|^2` needs no intercept (its
    minimiser has zero intercept) and its Hessian is the correlation matrix of
    the selected features. Used in chapter 2.

    Parameters
    ----------
    features : sequence of str, optional
        Names of the columns to keep, in the order given (default: all ten).
    standardized : bool
        Standardise ``X`` and ``y`` (default) or return the raw values.

    Returns
    -------
    RegressionData
        ``X`` of shape ``(442, len(features))``, ``y`` of shape ``(442,)`` and the
        feature names.

    Raises
    ------
    ImportError
        If scikit-learn is not installed; nothing is downloaded instead.
    ValueError
        If a feature name is unknown or repeated, or ``features`` is empty.
    """
    names = _feature_selection(features)
    try:
        from sklearn.datasets import load_diabetes as sklearn_load_diabetes
    except ImportError as exc:
        raise ImportError(
            "load_diabetes needs scikit-learn, which ships the diabetes data inside the package; "
            "langevin_lib never downloads data. Install it with `pip install scikit-learn` "
            "(it is listed in the course's requirements.txt)."
        ) from exc
    raw = sklearn_load_diabetes(scaled=False)
    columns = [DIABETES_FEATURES.index(name) for name in names]
    X = np.asarray(raw.data, dtype=float)[:, columns]
    y = np.asarray(raw.target, dtype=float)
    if standardized:
        X, y = standardize(X), standardize(y)
    return RegressionData(X=X, y=y, feature_names=names)


class ClassificationData(NamedTuple):
    """A classification training set: inputs ``X`` (n, d), integer ``labels`` (n,), and the ``feature_names``."""

    X: np.ndarray
    labels: np.ndarray
    feature_names: tuple[str, ...]


def load_digits(*, intercept: bool = True) -> ClassificationData:
    r"""The handwritten digits of scikit-learn (1797 images of 8x8 pixels, classes 0-9), standardised.

    Read from the copy inside scikit-learn (no download). Pixels that are
    blank in every image are dropped (they carry no information and cannot be
    standardised); the remaining pixels are scaled with
    :func:`~langevin_lib.standardize`, and a column of ones (the
    intercept, named ``"1"``) is appended. Used in chapter 3.

    Raises
    ------
    ImportError
        If scikit-learn is not installed; nothing is downloaded instead.
    """
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError as exc:
        raise ImportError(
            "load_digits needs scikit-learn, which ships the digits data inside the package; "
            "langevin_lib never downloads data. Install it with `pip install scikit-learn` "
            "(it is listed in the course's requirements.txt)."
        ) from exc
    raw = sklearn_load_digits()
    pixels = np.asarray(raw.data, dtype=float)
    used = np.ptp(pixels, axis=0) > 0
    X = standardize(pixels[:, used])
    names = tuple(f"pixel_{i // 8}_{i % 8}" for i in np.flatnonzero(used))
    if intercept:
        X = np.hstack([X, np.ones((X.shape[0], 1))])
        names += ("1",)
    return ClassificationData(X=X, labels=np.asarray(raw.target, dtype=np.intp), feature_names=names)


def _feature_selection(features: Sequence[str] | None) -> tuple[str, ...]:
    if features is None:
        return DIABETES_FEATURES
    if isinstance(features, str):
        # A lone name would otherwise be read as a sequence of letters.
        features = (features,)
    names = tuple(features)
    unknown = [name for name in names if name not in DIABETES_FEATURES]
    if unknown or not names or len(set(names)) != len(names):
        raise ValueError(
            f"features must be distinct names from {list(DIABETES_FEATURES)}, at least one, got {list(names)}"
        )
    return names
