"""Data loading: standardisation against its formula, the diabetes loader against an independent fit,
and the clear error (instead of a download) when scikit-learn is missing."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import langevin_lib as ll
from langevin_lib import DIABETES_FEATURES, diabetes_regression, load_diabetes, standardize

sklearn_datasets = pytest.importorskip("sklearn.datasets")

# ---------------------------------------------------------------- standardize


def test_standardize_small_column_by_hand():
    # mean 2, population variance 2/3, so z = (x - 2) / sqrt(2/3)
    z = standardize([1.0, 2.0, 3.0])
    np.testing.assert_allclose(z, [-np.sqrt(1.5), 0.0, np.sqrt(1.5)], rtol=1e-15)


def test_standardize_matrix_gives_mean_zero_and_population_std_one():
    rng = np.random.default_rng(0)
    values = rng.normal(loc=[5.0, -3.0, 100.0], scale=[0.1, 2.0, 30.0], size=(50, 3))
    z = standardize(values)
    assert z.shape == values.shape
    np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-13)
    np.testing.assert_allclose(z.std(axis=0, ddof=0), 1.0, rtol=1e-14)
    # an affine map of each column: correlations are unchanged
    np.testing.assert_allclose(np.corrcoef(z.T), np.corrcoef(values.T), atol=1e-14)


def test_standardize_rejects_constant_column_naming_it():
    values = np.column_stack([np.arange(4.0), np.full(4, 7.0)])
    with pytest.raises(ValueError, match=r"constant column\(s\) \[1\]"):
        standardize(values)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([1.0, np.nan, 2.0], "values must be finite"),
        ([[1.0, 2.0]], "at least 2 rows"),
        (np.ones((2, 2, 2)), "values must have 1 or 2 dimension"),
        ([4.0, 4.0, 4.0], "constant column"),
    ],
)
def test_standardize_rejects_bad_input(values, message):
    with pytest.raises(ValueError, match=message):
        standardize(values)


# ---------------------------------------------------------------- the diabetes data


def test_load_diabetes_is_standardised():
    data = load_diabetes()
    assert data.X.shape == (442, 10)
    assert data.y.shape == (442,)
    assert data.feature_names == DIABETES_FEATURES
    np.testing.assert_allclose(data.X.mean(axis=0), 0.0, atol=1e-14)
    np.testing.assert_allclose(data.X.std(axis=0), 1.0, rtol=1e-13)
    assert abs(data.y.mean()) < 1e-14
    assert data.y.std() == pytest.approx(1.0, rel=1e-13)


def test_raw_values_are_scikit_learns_unscaled_copy():
    raw = load_diabetes(standardized=False)
    reference = sklearn_datasets.load_diabetes(scaled=False)
    np.testing.assert_array_equal(raw.X, reference.data)
    np.testing.assert_array_equal(raw.y, reference.target)
    # The standardised data are the raw data centred and divided by the population std.
    data = load_diabetes()
    np.testing.assert_allclose(data.X, (raw.X - raw.X.mean(axis=0)) / raw.X.std(axis=0), rtol=1e-12)


def test_feature_selection_keeps_the_given_order():
    full = load_diabetes()
    picked = load_diabetes(["s5", "bmi"])
    assert picked.feature_names == ("s5", "bmi")
    np.testing.assert_allclose(picked.X, full.X[:, [8, 2]], rtol=1e-14)
    np.testing.assert_array_equal(load_diabetes("bmi").X, full.X[:, [2]])


@pytest.mark.parametrize("features", [["bmi", "weight"], [], ["bmi", "bmi"]])
def test_bad_feature_selection_names_the_allowed_names(features):
    with pytest.raises(ValueError, match=r"features must be distinct names from \['age', 'sex', 'bmi'"):
        load_diabetes(features)


def test_diabetes_regression_matches_an_independent_least_squares_fit():
    problem = diabetes_regression()
    assert isinstance(problem, ll.LinearRegression)
    raw = load_diabetes(standardized=False)
    # Hessian of the standardised problem = correlation matrix of the raw features.
    np.testing.assert_allclose(problem.hessian(), np.corrcoef(raw.X.T), atol=1e-12)
    # Ordinary least squares with an intercept on the raw data, by the normal equations; its slopes
    # in standard units (beta * sd_x / sd_y) are the minimiser of the standardised problem.
    design = np.column_stack([np.ones(len(raw.y)), raw.X])
    beta = np.linalg.solve(design.T @ design, design.T @ raw.y)[1:]
    np.testing.assert_allclose(problem.minimizer(), beta * raw.X.std(axis=0) / raw.y.std(), rtol=1e-8)


def test_missing_scikit_learn_raises_a_clear_import_error(monkeypatch):
    # None in sys.modules makes `import sklearn...` fail, as if the package were not installed.
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"needs scikit-learn.*never downloads data.*pip install scikit-learn"):
        load_diabetes()
    with pytest.raises(ImportError, match="needs scikit-learn"):
        diabetes_regression(["bmi"])


def test_bad_features_are_reported_before_the_import(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ValueError, match="features must be distinct names"):
        load_diabetes(["height"])
