"""Fits that turn measurements into the numbers the chapters compare with theory."""

from __future__ import annotations

import numpy as np

from .._validation import as_positive_array

__all__ = ["loglog_slope"]


def loglog_slope(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    r"""Least-squares fit of a power law :math:`y \approx C x^p` in log-log coordinates.

    Fits :math:`\log y = p \log x + \log C` by least squares and returns
    :math:`(p, \log C)` (natural logarithm). The slope :math:`p` is the
    measured order of convergence in chapter 1 and the measured exponent of
    every scaling law later in the course.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Positive, finite values; at least two distinct ``x``.

    Returns
    -------
    slope : float
        The exponent :math:`p`.
    intercept : float
        :math:`\log C`, so that ``exp(intercept) * x**slope`` is the fitted line.
    """
    x = as_positive_array(x, "x")
    y = as_positive_array(y, "y")
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"x and y must be 1-D arrays of the same length, got shapes {x.shape} and {y.shape}")
    if np.unique(x).size < 2:
        raise ValueError("x must contain at least two distinct values to fit a slope")
    slope, intercept = np.polyfit(np.log(x), np.log(y), deg=1)
    return float(slope), float(intercept)
