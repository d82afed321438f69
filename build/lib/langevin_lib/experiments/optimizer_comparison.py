r"""The optimiser comparison of chapter 6: SGD, 1/sigma^2, RMSProp and Adam on the digits data.

The lecture asserts that RMSProp (per-coordinate rate :math:`\eta'/\sigma_k`)
works better than the "theoretically motivated" rule :math:`\eta'/\sigma_k^2`.
This module runs the experiment: two classifiers on scikit-learn's digits
(softmax regression, :class:`~langevin_lib.SoftmaxRegression`, and
a one-hidden-layer network, :class:`~langevin_lib.MLPClassifier`), four
optimisers, a grid of learning rates each, several seeds (run as the chains of
one ensemble), a constant learning rate and minibatches drawn with replacement.
For every run it stores the training-loss curve, the final training loss, the
test accuracy, and the training loss at the average of the iterates of the
last quarter of training (which removes most of the stationary fluctuation,
the "temperature", and keeps how far the run got).

Results are plain dictionaries of lists, so that a sweep can be saved as JSON
(:func:`save_sweep`) and loaded again (:func:`load_sweep`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .._validation import as_count, as_generator
from ..data import load_digits
from ..dynamics import Adam, InverseVarianceSGD, RMSProp, run_optimizer, sgd
from ..errors import DivergenceError
from ..problems import MLPClassifier, SoftmaxRegression

__all__ = [
    "DEFAULT_SWEEP",
    "FULL_SWEEP",
    "MODELS",
    "OPTIMIZERS",
    "best_runs",
    "digits_split",
    "epochs_to_reach",
    "load_sweep",
    "run_sweep",
    "save_sweep",
    "train",
]

#: The optimisers compared, in the order of every table.
OPTIMIZERS: tuple[str, ...] = ("SGD", "1/sigma^2", "RMSProp", "Adam")
#: The two classifiers.
MODELS: tuple[str, ...] = ("softmax", "mlp")

#: Learning-rate grids (factor 3 apart) bracketing each optimiser's best rate, the same for both models.
_GRID_SMALL = {
    "SGD": [0.1, 0.3, 1.0, 3.0],
    "1/sigma^2": [1e-5, 3e-5, 1e-4, 3e-4],
    "RMSProp": [1e-3, 3e-3, 1e-2, 3e-2],
    "Adam": [1e-3, 3e-3, 1e-2, 3e-2],
}
#: The full sweep's grids: factor 2 apart, wider.
_GRID_FULL = {
    "SGD": [0.0625, 0.125, 0.25, 0.5, 1.0, 2.0, 4.0],
    "1/sigma^2": [3.125e-6, 6.25e-6, 1.25e-5, 2.5e-5, 5e-5, 1e-4, 2e-4],
    "RMSProp": [5e-4, 1e-3, 2e-3, 4e-3, 8e-3, 1.6e-2, 3.2e-2],
    "Adam": [5e-4, 1e-3, 2e-3, 4e-3, 8e-3, 1.6e-2, 3.2e-2],
}

#: The default (quick) sweep of the chapter: about 10 s on two cores.
DEFAULT_SWEEP: dict[str, Any] = {"grid": _GRID_SMALL, "n_seeds": 3, "n_epochs": 20, "batch_size": 32}
#: The full sweep whose results the chapter stores under ``book/data``: about a minute.
FULL_SWEEP: dict[str, Any] = {"grid": _GRID_FULL, "n_seeds": 10, "n_epochs": 60, "batch_size": 32}

#: Examples of the digits data used for training; the remaining 597 are the test set.
_N_TRAIN = 1200
#: Hidden units of the network and the L2 penalty of both models.
_N_HIDDEN, _L2 = 32, 1e-3


def digits_split(
    model: str, *, rng: np.random.Generator | int | None = 0
) -> tuple[SoftmaxRegression | MLPClassifier, Any]:
    """Training problem and test problem of ``model`` on a fixed random split of the digits (1200 / 597).

    Parameters
    ----------
    model : {"softmax", "mlp"}
        Softmax regression, or the network with 32 tanh hidden units; both with L2 penalty 1e-3.
    rng : numpy.random.Generator, int or None
        Source of the random split (default: seed 0, the chapter's split).
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {list(MODELS)}, got {model!r}")
    data = load_digits()
    order = as_generator(rng).permutation(len(data.labels))
    parts = (order[:_N_TRAIN], order[_N_TRAIN:])
    if model == "softmax":
        return tuple(SoftmaxRegression(data.X[i], data.labels[i], n_classes=10, l2=_L2) for i in parts)
    return tuple(MLPClassifier(data.X[i], data.labels[i], n_hidden=_N_HIDDEN, n_classes=10, l2=_L2) for i in parts)


def train(
    problem: SoftmaxRegression | MLPClassifier,
    phi0: np.ndarray,
    lr: float,
    n_steps: int,
    *,
    optimizer: str,
    batch_size: int,
    rng: np.random.Generator | int | None,
    record_every: int,
):
    """One run of ``optimizer`` (a name from :data:`OPTIMIZERS`) at rate ``lr``, one chain per row of ``phi0``.

    SGD is :func:`~langevin_lib.sgd`; the others use the defaults of
    :class:`~langevin_lib.InverseVarianceSGD`,
    :class:`~langevin_lib.RMSProp` (beta 0.99) and
    :class:`~langevin_lib.Adam` (0.9, 0.999).
    """
    common = {"batch_size": batch_size, "rng": rng, "record_every": record_every}
    if optimizer == "SGD":
        return sgd(problem, phi0, lr, n_steps, **common)
    rules = {"1/sigma^2": InverseVarianceSGD, "RMSProp": RMSProp, "Adam": Adam}
    if optimizer not in rules:
        raise ValueError(f"optimizer must be one of {list(OPTIMIZERS)}, got {optimizer!r}")
    return run_optimizer(problem, phi0, rules[optimizer](lr), n_steps, **common)


def run_sweep(
    grid: dict[str, Sequence[float]],
    n_seeds: int,
    n_epochs: int,
    batch_size: int,
    *,
    models: Sequence[str] = MODELS,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    r"""Train every model with every optimiser at every rate of ``grid``, ``n_seeds`` chains each.

    An epoch is :math:`n/B` steps (1200/32 = 37 with the default batch). The
    loss is recorded once per epoch. Every model starts all its runs from the
    same ``n_seeds`` initial points (zero for softmax regression, random
    hidden weights for the network), and run ``j`` of a sweep draws its
    minibatches from seed ``j``.

    Parameters
    ----------
    grid : dict
        Optimiser name -> learning rates.
    n_seeds, n_epochs, batch_size : int
        Chains per run, length of each run, examples per step (each >= 1).
    models : sequence of str
        Subset of :data:`MODELS`.
    progress : callable, optional
        Called as ``progress(done, total)`` after each run (a progress bar).

    Returns
    -------
    dict
        ``config`` (the arguments) and ``runs``: one dict per (model,
        optimiser, rate) with ``epochs``, ``loss_curve`` (n_epochs + 1 lists of
        n_seeds), ``final_loss``, ``averaged_loss``, ``test_accuracy`` (lists of
        n_seeds, ``None`` where the run diverged) and ``diverged``.
    """
    n_seeds = as_count(n_seeds, "n_seeds")
    n_epochs = as_count(n_epochs, "n_epochs")
    batch_size = as_count(batch_size, "batch_size")
    for name in grid:
        if name not in OPTIMIZERS:
            raise ValueError(f"grid keys must be among {list(OPTIMIZERS)}, got {name!r}")
    total = len(models) * sum(len(rates) for rates in grid.values())
    runs, done = [], 0
    for model in models:
        problem, test = digits_split(model)
        steps_per_epoch = problem.n_examples // batch_size
        n_steps = n_epochs * steps_per_epoch
        phi0 = np.zeros((n_seeds, problem.dim)) if model == "softmax" else problem.init_params(0, n_chains=n_seeds)
        for optimizer, rates in grid.items():
            for lr in rates:
                runs.append(
                    _one_run(
                        problem, test, model, optimizer, float(lr), n_steps, phi0, batch_size, done, steps_per_epoch
                    )
                )
                done += 1
                if progress is not None:
                    progress(done, total)
    config = {"grid": {k: list(map(float, v)) for k, v in grid.items()}, "n_seeds": n_seeds, "n_epochs": n_epochs}
    config.update(batch_size=batch_size, models=list(models), n_train=_N_TRAIN, n_hidden=_N_HIDDEN, l2=_L2)
    return {"config": config, "runs": runs}


def _one_run(problem, test, model, optimizer, lr, n_steps, phi0, batch_size, seed, steps_per_epoch) -> dict:
    run = {"model": model, "optimizer": optimizer, "lr": lr}
    try:
        traj = train(
            problem, phi0, lr, n_steps, optimizer=optimizer, batch_size=batch_size, rng=seed,
            record_every=steps_per_epoch,
        )
    except DivergenceError:
        return {**run, "diverged": True, "epochs": None, "loss_curve": None, "final_loss": None,
                "averaged_loss": None, "test_accuracy": None}  # fmt: skip
    curve = problem.loss(traj.phi)  # (n_epochs + 1, n_seeds)
    tail = traj.phi[-max(2, (len(traj.steps) - 1) // 4) :].mean(axis=0)
    return {
        **run,
        "diverged": False,
        "epochs": (traj.steps / steps_per_epoch).tolist(),
        "loss_curve": curve.tolist(),
        "final_loss": curve[-1].tolist(),
        "averaged_loss": problem.loss(tail).tolist(),
        "test_accuracy": (1.0 - test.error_rate(traj.final)).tolist(),
    }


def best_runs(sweep: dict[str, Any]) -> dict[tuple[str, str], dict]:
    """For each (model, optimiser), the run whose mean final training loss is lowest.

    The rate is chosen on the *training* loss, the quantity the lecture's
    claim is about; the test accuracy of that run is then an honest estimate
    (it played no part in the choice). Diverged runs and runs with a
    non-finite loss are never chosen.
    """
    best: dict[tuple[str, str], dict] = {}
    for run in sweep["runs"]:
        if run["diverged"] or not np.all(np.isfinite(run["final_loss"])):
            continue
        key = (run["model"], run["optimizer"])
        if key not in best or np.mean(run["final_loss"]) < np.mean(best[key]["final_loss"]):
            best[key] = run
    return best


def epochs_to_reach(run: dict, level: float) -> float:
    """First recorded epoch at which the mean (over seeds) training loss of ``run`` is <= ``level``; inf if never."""
    mean = np.mean(run["loss_curve"], axis=1)
    hit = np.flatnonzero(mean <= level)
    return float(run["epochs"][hit[0]]) if hit.size else float("inf")


def save_sweep(sweep: dict[str, Any], path: str | Path) -> None:
    """Write a sweep as JSON (floats to 6 significant digits, which keeps the file small)."""
    text = json.dumps(_rounded(sweep), separators=(",", ":"))
    Path(path).write_text(text + "\n")


def load_sweep(path: str | Path) -> dict[str, Any]:
    """Read a sweep written by :func:`save_sweep`."""
    return json.loads(Path(path).read_text())


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.6g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value
