"""Chapter-scale runs: training with learning-rate drops, the converged loss (ch. 3), the optimiser sweep (ch. 6).

Layer 4 of the library: built on the dynamics and the theory, never on the figures.
"""

from .optimizer_comparison import (
    DEFAULT_SWEEP,
    FULL_SWEEP,
    MODELS,
    OPTIMIZERS,
    best_runs,
    digits_split,
    epochs_to_reach,
    load_sweep,
    run_sweep,
    save_sweep,
    train,
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

__all__ = [
    "DEFAULT_SWEEP",
    "FULL_SWEEP",
    "MODELS",
    "OPTIMIZERS",
    "ConvergedLoss",
    "TrainingCurve",
    "best_runs",
    "converged_loss",
    "digits_split",
    "epochs_to_reach",
    "first_order_loss",
    "fluctuation_dissipation",
    "load_sweep",
    "plateau_levels",
    "run_sweep",
    "save_sweep",
    "train",
    "train_with_drops",
]
