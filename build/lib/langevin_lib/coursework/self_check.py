"""Self-checks for the coursework: one call per question, a pass or a hint, never the answer.

In an assignment notebook a question ends with a call such as::

    from langevin_lib.coursework import check
    check("2.3", spread, spread_exponent)

which prints one line: ``[pass] ...`` when the answers have the properties a
right answer has (type, shape, range, an invariant such as "averaged over all
examples, one SGD step is a gradient-descent step"), ``[hint] ...`` saying
which property fails, or ``[todo] ... not answered yet`` while an answer is
still ``...`` or a function still raises ``NotImplementedError``. A check
never raises on a student's answer (so "Run All" completes) and never prints
or derives a message from the expected value. Passing a self-check is
necessary, not sufficient: the instructor's hidden tests check the values.

Only NumPy and langevin_lib are needed, so the checks run in plain Jupyter,
Colab and Binder.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..problems import LinearRegression

__all__ = ["QUESTIONS", "check"]

Checker = Callable[..., str | None]

#: Question id -> (names of the answers, checker). A checker returns None for a
#: pass or a hint; it may raise NotImplementedError (not answered yet).
QUESTIONS: dict[str, tuple[tuple[str, ...], Checker]] = {}


def check(question: str, *answers: Any) -> None:
    """Print whether the answers to ``question`` pass its self-check, with a hint if not.

    Parameters
    ----------
    question : str
        The question id, as in the assignment (``"1.2"``).
    *answers
        The answer variables, in the order the question names them.
    """
    if question not in QUESTIONS:
        print(f"[hint] Q{question}: no self-check has this id; the ids are {', '.join(QUESTIONS)}")
        return
    names, checker = QUESTIONS[question]
    if len(answers) != len(names):
        print(f"[hint] Q{question}: check({question!r}, ...) takes {len(names)} answer(s): {', '.join(names)}")
        return
    if any(answer is Ellipsis for answer in answers):
        missing = [name for name, answer in zip(names, answers, strict=True) if answer is Ellipsis]
        print(f"[todo] Q{question}: not answered yet (replace the ... of {', '.join(missing)})")
        return
    try:
        hint = checker(*answers)
    except NotImplementedError:
        print(f"[todo] Q{question}: not answered yet (your function still raises NotImplementedError)")
        return
    except Exception as exc:  # a student's function may raise anything; report it, never crash
        print(f"[hint] Q{question}: your code raised {type(exc).__name__}: {exc}")
        return
    if hint is None:
        print(f"[pass] Q{question}: {', '.join(names)} passed the self-check (the hidden tests check the values)")
    else:
        print(f"[hint] Q{question}: {hint}")


def _question(question: str, *names: str) -> Callable[[Checker], Checker]:
    def register(checker: Checker) -> Checker:
        QUESTIONS[question] = (names, checker)
        return checker

    return register


# ---------------------------------------------------------------------------
# Property checks shared by the questions. Each returns a hint or None; the
# hints describe what is expected (type, shape, range), never a value.


def _number(value: Any, name: str, *, low: float | None = None, high: float | None = None) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        if isinstance(value, np.ndarray) and value.size == 1:
            value = value.item()
        else:
            return f"{name} should be a single number (a float), got {type(value).__name__}"
    if not np.isfinite(value):
        return f"{name} should be finite, got {value}"
    if low is not None and value <= low:
        return f"{name} should be greater than {low:g}"
    if high is not None and value >= high:
        return f"{name} should be less than {high:g}"
    return None


def _array(value: Any, name: str, shape: tuple[int, ...], *, positive: bool = False) -> str | None:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return f"{name} should be an array of numbers, got {type(value).__name__}"
    if arr.shape != shape:
        return f"{name} should have shape {shape}, got {arr.shape}"
    if not np.all(np.isfinite(arr)):
        return f"{name} should contain only finite numbers"
    if positive and np.any(arr <= 0):
        return f"every entry of {name} should be > 0"
    return None


def _function(value: Any, name: str) -> str | None:
    return None if callable(value) else f"{name} should be a function, got {type(value).__name__}"


def _first(*hints: str | None) -> str | None:
    return next((hint for hint in hints if hint is not None), None)


def _toy_regression() -> LinearRegression:
    """A small regression that is not the assignment's, for checking the properties of a function."""
    rng = np.random.default_rng(7)
    X = rng.standard_normal((12, 2))
    return LinearRegression(X, X @ np.array([0.5, -1.0]) + 0.3 * rng.standard_normal(12))


# ---------------------------------------------------------------------------
# Chapter 1: gradient flow


@_question("1.1", "gd_step")
def _q1_1(gd_step: Any) -> str | None:
    if hint := _function(gd_step, "gd_step"):
        return hint
    problem = _toy_regression()
    phi = np.array([1.0, 1.0])
    before = phi.copy()
    new = np.asarray(gd_step(problem, phi, 0.1), dtype=float)
    if hint := _array(new, "gd_step(problem, phi, lr)", (2,)):
        return hint
    if not np.array_equal(phi, before):
        return "gd_step must not change phi in place; return a new array"
    star = problem.minimizer()
    if not np.allclose(gd_step(problem, star, 0.1), star, atol=1e-10):
        return "the minimiser should be a fixed point of a gradient-descent step (the gradient is zero there)"
    if not problem.loss(gd_step(problem, phi, 1e-3)) < problem.loss(phi):
        return "a small step should decrease the loss: step against the gradient, phi - lr * gradient"
    return None


@_question("1.2", "lam_min", "lam_max", "lr_max")
def _q1_2(lam_min: Any, lam_max: Any, lr_max: Any) -> str | None:
    hint = _first(
        _number(lam_min, "lam_min", low=0), _number(lam_max, "lam_max", low=0), _number(lr_max, "lr_max", low=0)
    )
    if hint is None and not lam_min <= lam_max:
        hint = "lam_min should not exceed lam_max"
    return hint


@_question("1.4", "errors", "order")
def _q1_4(errors: Any, order: Any) -> str | None:
    if hint := _first(_array(errors, "errors", (6,), positive=True), _number(order, "order", low=0, high=4)):
        return hint
    if not np.all(np.diff(np.asarray(errors, dtype=float)) < 0):
        return "errors should shrink as the learning rate shrinks (list them from the largest rate down)"
    return None


@_question("1.5", "lr_best")
def _q1_5(lr_best: Any) -> str | None:
    return _number(lr_best, "lr_best", low=0)


# ---------------------------------------------------------------------------
# Chapter 2: SGD converges to gradient flow


@_question("2.1", "sgd_step")
def _q2_1(sgd_step: Any) -> str | None:
    if hint := _function(sgd_step, "sgd_step"):
        return hint
    problem = _toy_regression()
    phi = np.array([1.0, -0.5])
    new = np.asarray(sgd_step(problem, phi, 0.1, 3), dtype=float)
    if hint := _array(new, "sgd_step(problem, phi, lr, i)", (2,)):
        return hint
    steps = np.array([sgd_step(problem, phi, 0.1, i) for i in range(problem.n_examples)])
    if not np.allclose(steps.mean(axis=0), phi - 0.1 * problem.grad(phi), atol=1e-10):
        return "averaged over all examples i, one SGD step should equal one full gradient-descent step"
    return None


@_question("2.2", "t_1000")
def _q2_2(t_1000: Any) -> str | None:
    return _number(t_1000, "t_1000", low=0, high=1000 * 0.05)


@_question("2.3", "spread", "spread_exponent")
def _q2_3(spread: Any, spread_exponent: Any) -> str | None:
    if hint := _first(_array(spread, "spread", (3,), positive=True), _number(spread_exponent, "spread_exponent")):
        return hint
    if not np.all(np.diff(np.asarray(spread, dtype=float)) < 0):
        return "the spread should shrink with the learning rate (list it from the largest rate down)"
    if not 0 < spread_exponent < 2:
        return "spread_exponent is the slope of log(spread) against log(lr); expect a number between 0 and 2"
    return None


@_question("2.5", "t_limit")
def _q2_5(t_limit: Any) -> str | None:
    return _number(t_limit, "t_limit", low=0)


# ---------------------------------------------------------------------------
# Chapter 3: the converged loss L(eta)


@_question("3.1", "slope_formula")
def _q3_1(slope_formula: Any) -> str | None:
    return _number(slope_formula, "slope_formula", low=0)


@_question("3.2", "excess", "slope_fit")
def _q3_2(excess: Any, slope_fit: Any) -> str | None:
    if hint := _first(_array(excess, "excess", (4,), positive=True), _number(slope_fit, "slope_fit", low=0)):
        return hint
    if not np.all(np.diff(np.asarray(excess, dtype=float)) > 0):
        return "the excess loss should grow with the learning rate"
    return None


@_question("3.4", "second_moment_1d")
def _q3_4(second_moment_1d: Any) -> str | None:
    if hint := _function(second_moment_1d, "second_moment_1d"):
        return hint
    values = [second_moment_1d(2.0, 1.0, lr) for lr in (1e-4, 0.1, 0.5, 0.9)]
    if hint := _first(*(_number(v, "second_moment_1d(h, sigma2, lr)", low=0) for v in values)):
        return hint
    if not np.all(np.diff(values) > 0):
        return "the stationary variance should grow with the learning rate"
    if not values[0] < 1e-3:
        return "the stationary variance should vanish as the learning rate goes to 0"
    if not np.isclose(second_moment_1d(2.0, 3.0, 0.1), 3 * second_moment_1d(2.0, 1.0, 0.1)):
        return "the stationary variance should be proportional to the noise variance sigma2"
    return None


@_question("3.5", "excess_sim")
def _q3_5(excess_sim: Any) -> str | None:
    return _number(excess_sim, "excess_sim", low=0)


# ---------------------------------------------------------------------------
# Chapter 4: the Langevin SDE


@_question("4.1", "em_step")
def _q4_1(em_step: Any) -> str | None:
    if hint := _function(em_step, "em_step"):
        return hint
    x = np.array([[1.0, -2.0], [0.5, 0.0]])
    xi = np.array([[0.3, -1.0], [2.0, 0.1]])
    new = np.asarray(em_step(x, lambda z: -z, 0.5, 0.01, xi), dtype=float)
    if hint := _array(new, "em_step(x, drift, noise_std, dt, xi)", x.shape):
        return hint
    if not np.allclose(em_step(x, lambda z: -z, 0.0, 0.01, xi), x - 0.01 * x):
        return "without noise (noise_std = 0) one step should be an explicit Euler step of dx/dt = drift(x)"
    if np.allclose(em_step(x, lambda z: 0 * z, 0.5, 0.04, xi), x + 0.5 * 0.04 * xi):
        return "the noise of one step has standard deviation noise_std * sqrt(dt), not noise_std * dt"
    return None


@_question("4.2", "var_theory", "var_sim")
def _q4_2(var_theory: Any, var_sim: Any) -> str | None:
    return _first(_number(var_theory, "var_theory", low=0), _number(var_sim, "var_sim", low=0))


@_question("4.4", "ratio")
def _q4_4(ratio: Any) -> str | None:
    return _number(ratio, "ratio", low=0)


@_question("4.5", "msd")
def _q4_5(msd: Any) -> str | None:
    return _number(msd, "msd", low=0)


# ---------------------------------------------------------------------------
# Chapter 5: stationary distributions


@_question("5.2", "temperature")
def _q5_2(temperature: Any) -> str | None:
    if hint := _function(temperature, "temperature"):
        return hint
    if hint := _number(temperature(0.1, 2.0), "temperature(lr, sigma2)", low=0):
        return hint
    if not np.isclose(temperature(0.2, 2.0), 2 * temperature(0.1, 2.0)):
        return "the temperature should be proportional to the learning rate"
    out = np.asarray(temperature(np.array([0.1, 0.2]), np.array([1.0, 4.0])), dtype=float)
    return _array(out, "temperature(lr, sigma2) for arrays of shape (2,)", (2,), positive=True)


@_question("5.3", "alpha_est")
def _q5_3(alpha_est: Any) -> str | None:
    return _number(alpha_est, "alpha_est", low=0)


@_question("5.4", "T", "one_temperature")
def _q5_4(T: Any, one_temperature: Any) -> str | None:
    if hint := _array(T, "T", (2,), positive=True):
        return hint
    if not isinstance(one_temperature, (bool, np.bool_)):
        return f"one_temperature should be True or False, got {type(one_temperature).__name__}"
    return None


@_question("5.5", "mean_square")
def _q5_5(mean_square: Any) -> str | None:
    return _number(mean_square, "mean_square", low=0)


# ---------------------------------------------------------------------------
# Chapter 6: preconditioning and RMSProp


@_question("6.1", "T_plain")
def _q6_1(T_plain: Any) -> str | None:
    return _array(T_plain, "T_plain", (2,), positive=True)


@_question("6.2", "preconditioned_rates")
def _q6_2(preconditioned_rates: Any) -> str | None:
    if hint := _function(preconditioned_rates, "preconditioned_rates"):
        return hint
    sigma = np.array([0.5, 2.0])
    rates = np.asarray(preconditioned_rates(0.1, sigma, 1), dtype=float)
    if hint := _array(rates, "preconditioned_rates(base_lr, sigma, power)", (2,), positive=True):
        return hint
    if not rates[0] > rates[1]:
        return "a coordinate with noisier gradients (larger sigma) should get the smaller rate"
    if not np.allclose(preconditioned_rates(0.1, np.ones(2), 2), 0.1):
        return "with sigma = 1 every coordinate should keep the base rate"
    return None


@_question("6.3", "T_sim")
def _q6_3(T_sim: Any) -> str | None:
    return _array(T_sim, "T_sim", (2,), positive=True)


@_question("6.5", "ratio_rmsprop")
def _q6_5(ratio_rmsprop: Any) -> str | None:
    return _number(ratio_rmsprop, "ratio_rmsprop", low=0)
