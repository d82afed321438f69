"""The chapters' claim checks can fail: a library function made 15% wrong makes its chapter fail.

nbval proves that a chapter repeats its stored outputs; the claim checks (``ll.claim``) prove that
its measurements agree with the theory. This test proves that the second proof has teeth: for each
public theory function or simulator a chapter relies on, it executes the chapter in a fresh kernel
with that function sabotaged (its result, or the step size it simulates with, 15% off) and demands
that the run stops on a :class:`~langevin_lib.ClaimFailed`, naming the claim that caught it (or,
for the few entries that say so, on the error the wrong value causes before any claim is reached).

Sabotage happens on the facade (``ll.<name>``), which is how a chapter calls the library. Two kinds:

- ``result``: every floating-point number the function returns is multiplied by 1.15 (inside
  arrays, tuples and the fields of returned records);
- ``rate``: the function simulates with a step size (``lr``, ``lr0``, ``dt`` or ``temperature``)
  15% larger than asked for, a simulator that is wrong while its output looks plausible.

``make test`` runs one sabotage per chapter (the chapter's central theory function); ``make
stress`` runs the whole table by setting ``LL_STRESS=all``.
"""

from __future__ import annotations

import os
import re

import pytest
from nbclient.exceptions import CellExecutionError

FACTOR = 1.15
FULL = os.environ.get("LL_STRESS") == "all"

# (chapter, facade name, kind, what must stop the chapter, run by make test). What stops it: "" for
# any claim check, a claim id for that one, or an exception where the wrong value breaks the
# computation before a claim can see it (a rate pushed past the true stability bound, say).
# Functions of the theory, dynamics and experiments layers that a chapter calls but that are not in
# the table are in NOT_SABOTAGED, with the reason; a test keeps the two lists complete.
SABOTAGE = [
    ("01_gradient_flow", "gradient_flow", "result", "", True),
    ("01_gradient_flow", "gradient_descent", "result", "", False),
    ("01_gradient_flow", "gradient_descent", "rate", "", False),
    ("01_gradient_flow", "loglog_slope", "result", "", False),
    ("02_sgd_to_flow", "sgd", "rate", "", True),
    ("02_sgd_to_flow", "sgd", "result", "", False),
    ("02_sgd_to_flow", "gradient_flow", "result", "", False),
    ("02_sgd_to_flow", "gradient_descent", "result", "", False),
    ("02_sgd_to_flow", "sgd_stability_bound", "result", "", False),
    ("02_sgd_to_flow", "elapsed_time", "result", "", False),
    ("02_sgd_to_flow", "inverse_time_decay", "rate", "", False),
    ("02_sgd_to_flow", "step_decay", "rate", "", False),
    ("03_converged_loss", "tz_slope", "result", "", True),
    ("03_converged_loss", "sgd_excess_loss", "result", "ValueError", False),
    ("03_converged_loss", "sgd_stationary_covariance", "result", "", False),
    ("03_converged_loss", "sgd_stability_bound", "result", "ValueError", False),
    ("03_converged_loss", "stationary_samples", "rate", "", False),
    ("03_converged_loss", "converged_loss", "rate", "", False),
    ("03_converged_loss", "converged_loss", "result", "", False),
    ("03_converged_loss", "loglog_slope", "result", "", False),
    ("03_converged_loss", "first_order_loss", "result", "", False),
    ("03_converged_loss", "train_with_drops", "rate", "", False),
    ("03_converged_loss", "plateau_levels", "result", "", False),
    ("03_converged_loss", "moment_growth_rate", "result", "ValueError", False),
    ("03_converged_loss", "sgd", "rate", "", False),
    ("04_langevin_sde", "gradient_noise_covariance", "result", "", True),
    ("04_langevin_sde", "sgd", "result", "", False),
    ("04_langevin_sde", "sgd", "rate", "", False),
    ("04_langevin_sde", "weak_error", "result", "", False),
    ("04_langevin_sde", "coupled_sgd_langevin", "result", "", False),
    ("04_langevin_sde", "coupled_sgd_langevin", "rate", "", False),
    ("04_langevin_sde", "simulate_langevin", "result", "", False),
    ("04_langevin_sde", "simulate_langevin", "rate", "", False),
    ("04_langevin_sde", "euler_maruyama", "result", "", False),
    ("04_langevin_sde", "euler_maruyama", "rate", "", False),
    ("04_langevin_sde", "quadratic_sgd_variance", "result", "", False),
    ("04_langevin_sde", "gradient_flow", "result", "", False),
    ("04_langevin_sde", "loglog_slope", "result", "", False),
    ("04_langevin_sde", "langevin_sde", "rate", "", False),
    ("05_stationary_distributions", "sgd", "rate", "", True),
    ("05_stationary_distributions", "sgd_first_passage_times", "rate", "", False),
    ("05_stationary_distributions", "euler_maruyama", "result", "", False),
    ("05_stationary_distributions", "gibbs_density", "result", "", False),
    ("05_stationary_distributions", "discrete_gibbs_density", "result", "", False),
    ("05_stationary_distributions", "separable_gibbs_density", "result", "", False),
    ("05_stationary_distributions", "gaussian_density", "result", "", False),
    ("05_stationary_distributions", "fit_temperature", "result", "", False),
    ("05_stationary_distributions", "ks_distance", "result", "", False),
    ("05_stationary_distributions", "gibbs_kl_divergence", "result", "", False),
    ("05_stationary_distributions", "lyapunov_covariance", "result", "", False),
    ("05_stationary_distributions", "stationary_circulation", "result", "", False),
    ("05_stationary_distributions", "measured_circulation", "result", "", False),
    ("05_stationary_distributions", "stationary_current", "result", "", False),
    ("05_stationary_distributions", "fokker_planck_operator", "result", "", False),
    ("05_stationary_distributions", "solve_fokker_planck", "result", "", False),
    ("05_stationary_distributions", "exact_mean_first_passage_time", "result", "", False),
    ("05_stationary_distributions", "kramers_escape_time", "result", "", False),
    ("05_stationary_distributions", "least_squares_noise_variance", "result", "", False),
    ("05_stationary_distributions", "ito_stationary_density", "result", "", False),
    ("05_stationary_distributions", "gibbs_cdf", "result", "", False),
    ("06_rmsprop_preconditioning", "quadratic_sgd_variance", "result", "", True),
    ("06_rmsprop_preconditioning", "langevin_temperature", "result", "", False),
    ("06_rmsprop_preconditioning", "preconditioned_rates", "result", "", False),
    ("06_rmsprop_preconditioning", "sgd", "rate", "", False),
    ("06_rmsprop_preconditioning", "sgd", "result", "", False),
    ("06_rmsprop_preconditioning", "loglog_slope", "result", "", False),
    ("06_rmsprop_preconditioning", "rmsprop", "rate", "", False),
    ("06_rmsprop_preconditioning", "adam", "rate", "", False),
    ("06_rmsprop_preconditioning", "RMSProp", "rate", "", False),
    ("06_rmsprop_preconditioning", "InverseVarianceSGD", "rate", "", False),
    ("06_rmsprop_preconditioning", "run_optimizer", "result", "", False),
    ("06_rmsprop_preconditioning", "gradient_noise_covariance", "result", "", False),
    ("06_rmsprop_preconditioning", "mode_temperatures", "result", "ch6-mode-temperature-diagonal-test", False),
    ("06_rmsprop_preconditioning", "momentum_sgd_variance", "result", "ch6-momentum-temperature", False),
]

# Called by a chapter, not in the table, and why.
NOT_SABOTAGED = {
    "fluctuation_dissipation": "returns both sides of Yaida's relation, which the chapter compares as a "
    "ratio: one factor on both cancels",
    "run_sweep": "the quick sweep's losses are only compared with one another (which optimiser is lower, "
    "over seeds); one factor on every loss changes no conclusion. The optimisers it runs are in the table",
    "best_runs": "selects the lowest-loss rate of each optimiser; scaling every loss alike selects the same runs",
    "top_lyapunov_exponent": "chapter 3 uses its sign and where it crosses zero, which one factor on every "
    "estimate leaves alone; a 15% error in its rate would move the crossing (0.914) to 0.79, which no claim "
    "can pin since no closed form is known. It is tested against closed forms in tests/theory",
    "digits_split": "data: a train/test split of scikit-learn's digits, not a computation",
    "load_sweep": "storage: reads the stored full sweep",
    "save_sweep": "storage: writes a sweep (only when the full sweep is rerun)",
}

PRELUDE = """\
import dataclasses as _dc
import functools as _ft
import inspect as _inspect

import numpy as _np
import scipy.sparse as _sparse

import langevin_lib as _ll

_RATE_NAMES = ("lr", "lr0", "dt", "temperature")


def _scaled(value, factor):
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value * factor
    if isinstance(value, _np.ndarray) and _np.issubdtype(value.dtype, _np.floating):
        return value * factor
    if isinstance(value, _np.floating) or _sparse.issparse(value):
        return value * factor
    if _dc.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _scaled(getattr(value, f.name), factor) for f in _dc.fields(value) if f.init}
        return _dc.replace(value, **changes)
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(_scaled(v, factor) for v in value))
    if isinstance(value, tuple):
        return tuple(_scaled(v, factor) for v in value)
    return value


def _sabotage(name, kind, factor):
    original = getattr(_ll, name)
    signature = _inspect.signature(original)

    @_ft.wraps(original)
    def wrong(*args, **kwargs):
        if kind == "result":
            return _scaled(original(*args, **kwargs), factor)
        bound = signature.bind(*args, **kwargs)
        rate = next(n for n in _RATE_NAMES if n in bound.arguments)
        bound.arguments[rate] = bound.arguments[rate] * factor
        return original(*bound.args, **bound.kwargs)

    setattr(_ll, name, wrong)
"""


def run_sabotaged(run_chapter, chapter: str, name: str, kind: str) -> str:
    """Execute the chapter with ``ll.<name>`` sabotaged; return the error text of the cell that failed."""
    with pytest.raises(CellExecutionError) as failure:
        run_chapter(chapter, PRELUDE + f"\n_sabotage({name!r}, {kind!r}, {FACTOR})\n")
    return str(failure.value)


def _cases():
    for chapter, name, kind, caught_by, in_make_test in SABOTAGE:
        marks = [] if (in_make_test or FULL) else [pytest.mark.skip(reason="run by `make stress`")]
        yield pytest.param(chapter, name, kind, caught_by, id=f"{chapter}-{name}-{kind}", marks=marks)


@pytest.mark.parametrize(("chapter", "name", "kind", "caught_by"), list(_cases()))
def test_a_sabotaged_function_fails_its_chapter_on_a_claim_check(run_chapter, chapter, name, kind, caught_by):
    error = run_sabotaged(run_chapter, chapter, name, kind)
    if caught_by.endswith("Error"):
        assert caught_by in error, f"{chapter} with ll.{name} 15% wrong did not stop on a {caught_by}:\n{error}"
        return
    assert "ClaimFailed" in error, f"{chapter} with ll.{name} 15% wrong failed, but not on a claim check:\n{error}"
    claim_id = re.search(r"claim '([a-z0-9-]+)'", error)
    assert claim_id is not None, error
    if caught_by:
        assert claim_id[1] == caught_by, f"caught by {claim_id[1]}, expected {caught_by}"


def _facade_calls_of_chapters() -> set[str]:
    """Names of the theory, dynamics and experiments layers that some chapter calls as ``ll.<name>(``."""
    import json
    from pathlib import Path

    import langevin_lib as ll

    layers = ("langevin_lib.theory", "langevin_lib.dynamics", "langevin_lib.experiments")
    called = set()
    for path in sorted((Path(__file__).resolve().parents[2] / "book").glob("0*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        code = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
        called |= set(re.findall(r"\bll\.(\w+)\(", code))
    return {name for name in called if getattr(getattr(ll, name, None), "__module__", "").startswith(layers)}


def test_every_theory_function_and_simulator_a_chapter_calls_is_sabotaged_or_excused():
    in_table = {name for _, name, *_ in SABOTAGE}
    called = _facade_calls_of_chapters()
    assert called, "no chapter calls the library through ll.<name>("
    missing = called - in_table - set(NOT_SABOTAGED)
    assert not missing, f"called by a chapter but neither in SABOTAGE nor in NOT_SABOTAGED: {sorted(missing)}"
    assert not in_table & set(NOT_SABOTAGED), "a function is both sabotaged and excused"
    stale = set(NOT_SABOTAGED) - called
    assert not stale, f"NOT_SABOTAGED names functions no chapter calls: {sorted(stale)}"


def test_the_sabotage_is_15_percent_and_honest():
    """The prelude scales what it should and nothing else (checked in this process, no kernel)."""
    namespace: dict = {}
    exec(PRELUDE, namespace)
    scaled = namespace["_scaled"]
    import numpy as np

    import langevin_lib as ll

    assert scaled(2.0, FACTOR) == pytest.approx(2.3)
    assert scaled(3, FACTOR) == 3 and scaled(True, FACTOR) is True
    np.testing.assert_allclose(scaled(np.array([1.0, -2.0]), FACTOR), [1.15, -2.3])
    assert scaled(np.array([1, 2]), FACTOR).dtype.kind == "i"
    assert scaled((1.0, "a"), FACTOR) == (pytest.approx(1.15), "a")

    problem = ll.Quadratic(1.0, 0.0)
    honest = ll.gradient_descent(problem, np.array([1.0]), 0.1, 1)
    namespace["_sabotage"]("gradient_descent", "rate", FACTOR)
    try:
        wrong = ll.gradient_descent(problem, np.array([1.0]), 0.1, 1)
    finally:
        ll.gradient_descent = namespace["_ll"].gradient_descent.__wrapped__
    assert honest.phi[-1].item() == pytest.approx(0.9)
    assert wrong.phi[-1].item() == pytest.approx(1 - 0.115)
