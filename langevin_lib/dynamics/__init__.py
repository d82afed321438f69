"""What moves: gradient flow and descent, SGD, adaptive optimisers, learning-rate schedules, SDEs.

Layer 2 of the library: it uses the problems (through their capabilities,
:mod:`langevin_lib.problems.base`), never the theory, the experiments or the figures.
"""

from .flow import gradient_descent, gradient_flow
from .langevin import LangevinSDE, langevin_sde, simulate_langevin
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
from .schedules import (
    LearningRate,
    Schedule,
    elapsed_time,
    inverse_time_decay,
    learning_rate_table,
    preconditioned_rates,
    step_decay,
    steps_to_reach,
)
from .sde import euler_maruyama
from .sgd import SAMPLING_SCHEMES, sgd
from .trajectory import Trajectory
from .weak_error import CoupledRuns, WeakError, coupled_sgd_langevin, weak_error

__all__ = [
    "SAMPLING_SCHEMES",
    "Adam",
    "CoupledRuns",
    "InverseVarianceSGD",
    "LangevinSDE",
    "LearningRate",
    "OptimizerTrajectory",
    "RMSProp",
    "Schedule",
    "Trajectory",
    "WeakError",
    "adam",
    "coupled_sgd_langevin",
    "elapsed_time",
    "euler_maruyama",
    "gradient_descent",
    "gradient_flow",
    "inverse_time_decay",
    "inverse_variance_sgd",
    "langevin_sde",
    "learning_rate_table",
    "preconditioned_rates",
    "rmsprop",
    "run_optimizer",
    "sgd",
    "simulate_langevin",
    "step_decay",
    "steps_to_reach",
    "weak_error",
]
