"""What a loss is: the problem capabilities (protocols) and the concrete training problems.

Layer 1 of the library: it imports only :mod:`langevin_lib.data` and the
validation helpers, never the dynamics or the theory.
"""

from .base import (
    AdditiveNoiseProblem,
    FiniteSumProblem,
    LeastSquaresProblem,
    Problem,
    QuadraticProblem,
    gradient_noise_covariance,
)
from .classifiers import SoftmaxRegression, digits_classifier
from .mlp import MLPClassifier
from .potentials import DoubleWell, Harmonic, Potential, SeparableNoisyLoss
from .quadratic import Quadratic
from .regression import LinearRegression, diabetes_regression

__all__ = [
    "AdditiveNoiseProblem",
    "DoubleWell",
    "FiniteSumProblem",
    "Harmonic",
    "LeastSquaresProblem",
    "LinearRegression",
    "MLPClassifier",
    "Potential",
    "Problem",
    "Quadratic",
    "QuadraticProblem",
    "SeparableNoisyLoss",
    "SoftmaxRegression",
    "diabetes_regression",
    "digits_classifier",
    "gradient_noise_covariance",
]
