"""The power-law fit behind every measured exponent of the book."""

from __future__ import annotations

import numpy as np
import pytest

import langevin_lib as ll


@pytest.mark.parametrize("exponent", [-1.5, 0.5, 1.0, 2.0, 3.0])
def test_loglog_slope_recovers_exact_power_laws(exponent):
    x = np.array([0.3, 0.01, 2.0, 0.07, 1.0])  # unsorted on purpose
    slope, intercept = ll.loglog_slope(x, 3.0 * x**exponent)
    assert slope == pytest.approx(exponent, abs=1e-12)
    assert intercept == pytest.approx(np.log(3.0), abs=1e-12)


def test_loglog_slope_is_the_least_squares_line():
    x = np.geomspace(1e-3, 1.0, 9)
    wiggle = np.exp(0.1 * np.sin(np.arange(9)))
    slope, intercept = ll.loglog_slope(x, 2.0 * x * wiggle)
    expected_slope, expected_intercept = np.polyfit(np.log(x), np.log(2.0 * x * wiggle), 1)
    assert (slope, intercept) == pytest.approx((expected_slope, expected_intercept), rel=1e-12)


@pytest.mark.parametrize(
    ("x", "y", "name"),
    [
        ([1.0, 0.0, 2.0], [1.0, 2.0, 3.0], "x"),
        ([1.0, 2.0, 3.0], [1.0, -2.0, 3.0], "y"),
        ([1.0, 2.0, np.nan], [1.0, 2.0, 3.0], "x"),
        ([1.0, 2.0], [1.0, 2.0, 3.0], "same length"),
        ([2.0, 2.0, 2.0], [1.0, 2.0, 3.0], "two distinct"),
    ],
)
def test_loglog_slope_rejects_bad_input(x, y, name):
    with pytest.raises(ValueError, match=name):
        ll.loglog_slope(x, y)
