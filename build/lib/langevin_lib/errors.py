"""Exceptions raised by langevin_lib."""

from __future__ import annotations

__all__ = ["DivergenceError"]


class DivergenceError(ArithmeticError):
    """A simulation left the finite numbers.

    Raised by the simulators (:func:`~langevin_lib.sgd`,
    :func:`~langevin_lib.gradient_descent`,
    :func:`~langevin_lib.euler_maruyama`) at the first step whose iterate is
    not finite, instead of returning NaN.

    Attributes
    ----------
    step : int
        The (1-based) step at which the iterate stopped being finite.
    """

    def __init__(self, message: str, step: int):
        super().__init__(message)
        self.step = step
