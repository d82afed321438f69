"""langevin_lib: the companion library of *Gradient Flow and Langevin Dynamics*.

Everything the chapters compute comes from here: training problems
(:class:`LinearRegression`, :class:`Quadratic`), the dynamics (gradient flow,
gradient descent, SGD, Euler-Maruyama), and exact stationary theory (the SGD
second moment, the converged loss :math:`L(\\eta)`, the TZ slope, Gibbs
densities), and the real data sets the chapters train on. Plotting and
widget helpers live in submodules (``langevin_lib.plotting``,
``langevin_lib.step_size_widgets``, ...) so that importing the library stays light.
"""

from .datasets import RegressionData, diabetes_regression, load_diabetes, standardize
from .errors import DivergenceError
from .flow import gradient_descent, gradient_flow
from .problems import LinearRegression, Problem, Quadratic
from .schedules import LearningRate, elapsed_time, inverse_time_decay, step_decay
from .sde import euler_maruyama
from .sgd import sgd
from .stationary import (
    gibbs_density,
    langevin_temperature,
    quadratic_sgd_variance,
    sgd_excess_loss,
    sgd_stability_bound,
    sgd_stationary_covariance,
    tz_slope,
)
from .trajectory import Trajectory

__version__ = "0.1.0"

__all__ = [
    "DivergenceError",
    "LearningRate",
    "LinearRegression",
    "Problem",
    "Quadratic",
    "RegressionData",
    "Trajectory",
    "diabetes_regression",
    "elapsed_time",
    "euler_maruyama",
    "gibbs_density",
    "gradient_descent",
    "gradient_flow",
    "inverse_time_decay",
    "langevin_temperature",
    "load_diabetes",
    "quadratic_sgd_variance",
    "sgd",
    "sgd_excess_loss",
    "sgd_stability_bound",
    "sgd_stationary_covariance",
    "standardize",
    "step_decay",
    "tz_slope",
]
