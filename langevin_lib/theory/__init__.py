"""Exact results and estimators: stationary SGD, linear SDEs, Fokker-Planck, escape times, fits.

Layer 3 of the library: it may use the problems and the dynamics (estimators
simulate), never the experiments or the figures.
"""

from .escape import EscapeTimes, exact_mean_first_passage_time, kramers_escape_time, sgd_first_passage_times
from .fits import loglog_slope
from .fokker_planck import FokkerPlanckSolution, discrete_gibbs_density, fokker_planck_operator, solve_fokker_planck
from .ito_stationary import ito_stationary_density, least_squares_noise_variance
from .linear_sde import (
    current_matrix,
    gaussian_density,
    lyapunov_covariance,
    measured_circulation,
    stationary_circulation,
    stationary_current,
)
from .preconditioning import ModeTemperatures, mode_temperatures, momentum_sgd_variance
from .random_products import moment_growth_rate, top_lyapunov_exponent
from .stationary import (
    ExactProblem,
    gibbs_density,
    langevin_temperature,
    quadratic_sgd_variance,
    sgd_excess_loss,
    sgd_stability_bound,
    sgd_stationary_covariance,
    stationary_samples,
    tz_slope,
)
from .temperature_fit import fit_temperature, gibbs_cdf, gibbs_kl_divergence, ks_distance, separable_gibbs_density

__all__ = [
    "EscapeTimes",
    "ExactProblem",
    "FokkerPlanckSolution",
    "ModeTemperatures",
    "current_matrix",
    "discrete_gibbs_density",
    "exact_mean_first_passage_time",
    "fit_temperature",
    "fokker_planck_operator",
    "gaussian_density",
    "gibbs_cdf",
    "gibbs_density",
    "gibbs_kl_divergence",
    "ito_stationary_density",
    "kramers_escape_time",
    "ks_distance",
    "langevin_temperature",
    "least_squares_noise_variance",
    "loglog_slope",
    "lyapunov_covariance",
    "measured_circulation",
    "mode_temperatures",
    "moment_growth_rate",
    "momentum_sgd_variance",
    "quadratic_sgd_variance",
    "separable_gibbs_density",
    "sgd_excess_loss",
    "sgd_first_passage_times",
    "sgd_stability_bound",
    "sgd_stationary_covariance",
    "solve_fokker_planck",
    "stationary_circulation",
    "stationary_current",
    "stationary_samples",
    "top_lyapunov_exponent",
    "tz_slope",
]
