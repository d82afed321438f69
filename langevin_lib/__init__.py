"""langevin_lib: the companion library of *Gradient Flow and Langevin Dynamics*.

Everything the chapters compute comes from here: training problems
(:class:`LinearRegression`, :class:`Quadratic`, :class:`SoftmaxRegression`,
the potentials of chapter 5), the dynamics (gradient flow, gradient descent,
SGD, Euler-Maruyama), exact stationary theory (the SGD second moment, the
converged loss :math:`L(\\eta)`, the TZ slope, Gibbs densities, the
Fokker-Planck equation), and the real data sets the chapters train on.
Plotting and widget helpers live in submodules (``langevin_lib.plotting``,
``langevin_lib.step_size_widgets``, ...) so that importing the library stays light.
"""

from .classifiers import (
    ClassificationData,
    SoftmaxRegression,
    digits_classifier,
    load_digits,
)
from .datasets import (
    DIABETES_FEATURES,
    RegressionData,
    diabetes_regression,
    load_diabetes,
    standardize,
)
from .errors import (
    DivergenceError,
)
from .escape import (
    EscapeTimes,
    exact_mean_first_passage_time,
    sgd_first_passage_times,
)
from .flow import (
    gradient_descent,
    gradient_flow,
)
from .fokker_planck import (
    FokkerPlanckSolution,
    discrete_gibbs_density,
    fokker_planck_operator,
    solve_fokker_planck,
)
from .langevin import (
    LangevinSDE,
    gradient_noise_covariance,
    langevin_sde,
    simulate_langevin,
)
from .linear_sde import (
    current_matrix,
    gaussian_density,
    lyapunov_covariance,
    measured_circulation,
    stationary_circulation,
    stationary_current,
)
from .mlp import MLPClassifier
from .optimizers import (
    Adam,
    InverseVarianceSGD,
    OptimizerTrajectory,
    RMSProp,
    adam,
    inverse_variance_sgd,
    rmsprop,
    run_optimizer,
)
from .potentials import (
    DoubleWell,
    Harmonic,
    Potential,
    SeparableNoisyLoss,
    kramers_escape_time,
)
from .problems import (
    LinearRegression,
    Problem,
    Quadratic,
)
from .schedules import (
    LearningRate,
    elapsed_time,
    inverse_time_decay,
    learning_rate_table,
    step_decay,
)
from .sde import (
    euler_maruyama,
)
from .sgd import (
    sgd,
)
from .stationary import (
    gibbs_density,
    langevin_temperature,
    quadratic_sgd_variance,
    sgd_excess_loss,
    sgd_stability_bound,
    sgd_stationary_covariance,
    tz_slope,
)
from .temperature_fit import (
    fit_temperature,
    gibbs_cdf,
    gibbs_kl_divergence,
    ks_distance,
    separable_gibbs_density,
)
from .training import (
    ConvergedLoss,
    TrainingCurve,
    converged_loss,
    first_order_loss,
    fluctuation_dissipation,
    plateau_levels,
    train_with_drops,
)
from .trajectory import (
    Trajectory,
)
from .weak_error import (
    coupled_sgd_langevin,
    weak_error,
)

__version__ = "0.1.0"

__all__ = [
    "DIABETES_FEATURES",
    "Adam",
    "ClassificationData",
    "ConvergedLoss",
    "DivergenceError",
    "DoubleWell",
    "EscapeTimes",
    "FokkerPlanckSolution",
    "Harmonic",
    "InverseVarianceSGD",
    "LangevinSDE",
    "LearningRate",
    "LinearRegression",
    "MLPClassifier",
    "OptimizerTrajectory",
    "Potential",
    "Problem",
    "Quadratic",
    "RMSProp",
    "RegressionData",
    "SeparableNoisyLoss",
    "SoftmaxRegression",
    "TrainingCurve",
    "Trajectory",
    "adam",
    "converged_loss",
    "coupled_sgd_langevin",
    "current_matrix",
    "diabetes_regression",
    "digits_classifier",
    "discrete_gibbs_density",
    "elapsed_time",
    "euler_maruyama",
    "exact_mean_first_passage_time",
    "first_order_loss",
    "fit_temperature",
    "fluctuation_dissipation",
    "fokker_planck_operator",
    "gaussian_density",
    "gibbs_cdf",
    "gibbs_density",
    "gibbs_kl_divergence",
    "gradient_descent",
    "gradient_flow",
    "gradient_noise_covariance",
    "inverse_time_decay",
    "inverse_variance_sgd",
    "kramers_escape_time",
    "ks_distance",
    "langevin_sde",
    "langevin_temperature",
    "learning_rate_table",
    "load_diabetes",
    "load_digits",
    "lyapunov_covariance",
    "measured_circulation",
    "plateau_levels",
    "quadratic_sgd_variance",
    "rmsprop",
    "run_optimizer",
    "separable_gibbs_density",
    "sgd",
    "sgd_excess_loss",
    "sgd_first_passage_times",
    "sgd_stability_bound",
    "sgd_stationary_covariance",
    "simulate_langevin",
    "solve_fokker_planck",
    "standardize",
    "stationary_circulation",
    "stationary_current",
    "step_decay",
    "train_with_drops",
    "tz_slope",
    "weak_error",
]
