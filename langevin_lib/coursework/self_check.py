"""Self-checks for the coursework: one call per question, a pass or a hint, never the answer.

In an assignment notebook a question ends with a call such as::

    from langevin_lib.coursework import check
    check("2.3", spread, spread_exponent)

which prints one line: ``[pass] ...`` when the answers are right, ``[hint] ...``
saying what to look at, or ``[todo] ... not answered yet`` while an answer is
still ``...`` or a function still raises ``NotImplementedError``. A check never
raises on a student's answer (so "Run All" completes), and its messages are
fixed sentences about the method: none prints, or is derived from, an expected
value. Passing a self-check is necessary, not sufficient: the instructor's
hidden tests grade, and a self-check accepts at least every answer they accept.

What each check compares (so that a ``[pass]`` never lets through the mistake
the question is about, such as a factor 2, a wrong sign, swapped eigenvalues or
the continuous-time formula where the discrete one is asked):

- **Functions** (questions 1.1, 2.1, 3.4, 4.1, 5.2, 6.2) are called on test
  inputs that are not the assignment's and compared with the library's own
  implementation (``gradient_descent``, the per-example gradients,
  ``quadratic_sgd_variance``, ``euler_maruyama``, ``langevin_temperature``) or
  with the formula the question states, to a relative ``1e-9``.
- **Numbers with one right value** are compared with a hash of that value (see
  :func:`digest`), to the relative tolerance of the hidden test (``1e-9`` for a
  closed form, ``1e-6`` for a fitted or iterated number).
- **Simulated numbers** (any seed is right) are compared in the same way with
  the exact value of what they estimate, to the tolerance the hidden test
  derives from the number of chains (8 to 15 percent); for question 2.3 the
  "exact" spread is a 40 000-chain estimate with a standard error below 0.3
  percent.
- **Answers that follow from other answers** are recomputed from the student's
  own inputs: the exponent of question 2.3 from the student's ``spread``, and
  ``one_temperature`` of question 5.4 from the student's ``T``.

A hash stores where the right value lies on a logarithmic grid of the
question's relative tolerance, so the source does not show the answer; it
hides the value from reading, not from a search over the grid, which takes as
much work as solving the question.

Only NumPy and langevin_lib are needed, so the checks run in plain Jupyter,
Colab and Binder.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import (
    LinearRegression,
    Quadratic,
    euler_maruyama,
    gradient_descent,
    langevin_temperature,
    quadratic_sgd_variance,
)

__all__ = ["QUESTIONS", "check", "digest"]

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


def digest(question: str, name: str, value: float, rel: float) -> str:
    """The stored form of a right answer: a hash of where ``value`` lies on a fine logarithmic grid.

    The grid has cells of width ``log(1 + rel) / 4`` in ``log|value|`` (with the
    sign of ``value`` apart); the digest is the first 16 hex digits of the
    SHA-256 of the question id, the answer's name, ``rel`` and the cell. An
    answer passes when a cell at most 4 away from its own has the stored
    digest, so every answer within the relative tolerance ``rel`` of the right
    value passes and none more than about ``1.25 * rel`` away does. An
    instructor who changes a question stores ``digest(question, name,
    right_value, rel)`` in ``_ANSWERS``.

    Parameters
    ----------
    question : str
        The question id (``"1.2"``).
    name : str
        The answer's name, with ``[i]`` for entry ``i`` of an array (``"T[1]"``).
    value : float
        The right value.
    rel : float
        The relative tolerance, > 0.

    Returns
    -------
    str
        16 hex digits.
    """
    if not rel > 0:
        raise ValueError(f"rel must be > 0, got {rel}")
    return _digest_cell(question, name, _cell(float(value), rel), rel)


#: Grid cells per relative tolerance: a tolerance of ``rel`` spans this many cells, so answers up to
#: ``(1 + 1 / _CELLS) * rel`` away can still pass.
_CELLS = 4


def _cell(value: float, rel: float) -> tuple[int, int]:
    if value == 0:
        return (0, 0)
    return (1 if value > 0 else -1, math.floor(_CELLS * math.log(abs(value)) / math.log1p(rel)))


def _digest_cell(question: str, name: str, cell: tuple[int, int], rel: float) -> str:
    key = f"{question}|{name}|{rel!r}|{cell[0]}|{cell[1]}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


#: (question, answer name) -> (relative tolerance, digests of the right values, one per entry).
#: The right values come from the masters in book/assignments and the library's exact formulas;
#: tests/coursework/test_self_check_values.py recomputes them independently.
_ANSWERS: dict[tuple[str, str], tuple[float, tuple[str, ...]]] = {
    ("1.2", "lam_min"): (1e-09, ("07d190346e132b1a",)),
    ("1.2", "lam_max"): (1e-09, ("cc728faa26ab9e8f",)),
    ("1.2", "lr_max"): (1e-09, ("03dd4ef1db1c50e0",)),
    ("1.4", "errors"): (
        1e-06,
        (
            "cc94ba92c332b246",
            "f956e4b7a5529876",
            "0ca2f5305b24ccb9",
            "27aede4884df430f",
            "f6f9f9f70af8ada5",
            "4ba40f9b9294f270",
        ),
    ),
    ("1.5", "lr_best"): (1e-06, ("ae42630a9ad4fc34",)),
    ("2.2", "t_1000"): (1e-09, ("f147fe2c910fa93d",)),
    ("2.3", "spread"): (
        0.15,
        (
            "8c98883c7522cc3f",
            "98c550e4d1ef55ff",
            "843973c15ffb8c4e",
        ),
    ),
    ("2.5", "t_limit"): (1e-09, ("2c7c4fe09c262e8b",)),
    ("3.1", "slope_formula"): (1e-09, ("14aef4c9108fa061",)),
    ("3.2", "excess"): (
        1e-08,
        (
            "3a13d4e5bed9f6f0",
            "e23b77d3168e9069",
            "a7df3605717bb5de",
            "d2be9737886e07a6",
        ),
    ),
    ("3.2", "slope_fit"): (0.0005, ("d37402104b1bbdf9",)),
    ("3.5", "excess_sim"): (0.1, ("b03b961e56730086",)),
    ("4.2", "var_theory"): (1e-09, ("c0d83e591bb5edfa",)),
    ("4.2", "var_sim"): (0.08, ("346731ce6de6a9e5",)),
    ("4.4", "ratio"): (1e-09, ("b3d63ef028e1e2b6",)),
    ("4.5", "msd"): (0.1, ("d4b41f5bd2f91322",)),
    ("5.3", "alpha_est"): (0.08, ("990a6865736b97e4",)),
    ("5.4", "T"): (
        1e-09,
        (
            "5210cf5d57205758",
            "8ed17b2e477f2e3b",
        ),
    ),
    ("5.5", "mean_square"): (0.0001, ("9d0e4e07f383c28a",)),
    ("6.1", "T_plain"): (
        1e-09,
        (
            "97d658b2d254bb28",
            "beb72ad4c83fe4f8",
        ),
    ),
    ("6.3", "T_sim"): (
        0.08,
        (
            "f104276771c696f8",
            "32deaf0c7214a219",
        ),
    ),
    ("6.5", "ratio_rmsprop"): (1e-09, ("eaf7ca2745ba2ce2",)),
}


def _is_right(question: str, name: str, value: Any) -> bool:
    """Whether ``value`` (a number or an array of the stored length) is within the stored tolerance."""
    rel, digests = _ANSWERS[(question, name)]
    values = np.atleast_1d(np.asarray(value, dtype=float)).ravel()
    if values.size != len(digests):
        return False
    for i, (entry, stored) in enumerate(zip(values, digests, strict=True)):
        label = name if len(digests) == 1 else f"{name}[{i}]"
        sign, cell = _cell(float(entry), rel)
        shifts = range(-_CELLS, _CELLS + 1)
        if not any(_digest_cell(question, label, (sign, cell + shift), rel) == stored for shift in shifts):
            return False
    return True


def _question(question: str, *names: str) -> Callable[[Checker], Checker]:
    def register(checker: Checker) -> Checker:
        QUESTIONS[question] = (names, checker)
        return checker

    return register


# ---------------------------------------------------------------------------
# Property checks shared by the questions. Each returns a hint or None; the
# hints describe what is expected (type, shape, range, method), never a value.


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


def _value(question: str, name: str, value: Any, hint: str) -> str | None:
    """``hint`` when ``value`` is not the stored right value (to its tolerance), else None."""
    return None if _is_right(question, name, value) else hint


def _stored_answer(
    question: str, name: str, hint: str, *, shape: tuple[int, ...] | None = None, high: float | None = None
) -> None:
    """Register a question whose one answer is checked only against its stored right value.

    The answer must be a positive number below ``high`` (or, given ``shape``, an
    array of that shape with positive entries) before it is compared.
    """

    def checker(value: Any) -> str | None:
        form = _number(value, name, low=0, high=high) if shape is None else _array(value, name, shape, positive=True)
        return form or _value(question, name, value, hint)

    QUESTIONS[question] = ((name,), checker)


def _same(got: Any, expected: Any) -> bool:
    got = np.asarray(got, dtype=float)
    return got.shape == np.shape(expected) and bool(np.allclose(got, expected, rtol=1e-9, atol=1e-14))


def _own_slope(slope: float, name: str, lrs: np.ndarray, values: Any, values_name: str, lrs_name: str) -> str | None:
    """A hint unless ``slope`` is the log-log slope of the student's own ``values`` against ``lrs``.

    Any straight-line fit of nearly collinear points (least squares, end points) agrees to 0.02.
    """
    own = np.polyfit(np.log(lrs), np.log(np.asarray(values, dtype=float)), 1)[0]
    if abs(slope - own) < 0.02:
        return None
    return f"{name} is not the slope of log({values_name}) against log({lrs_name}) for your {values_name}"


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
    for test_problem, start, lr in [
        (problem, phi, 0.3),
        (Quadratic([1.0, 5.0, 0.5], 0.0), np.array([1.0, 2.0, -3.0]), 0.07),
    ]:
        if not _same(gd_step(test_problem, start.copy(), lr), gradient_descent(test_problem, start, lr, 1).final[0]):
            return "gd_step is not one gradient-descent step phi - lr * problem.grad(phi) (use the mean gradient)"
    return None


@_question("1.2", "lam_min", "lam_max", "lr_max")
def _q1_2(lam_min: Any, lam_max: Any, lr_max: Any) -> str | None:
    if hint := _first(
        _number(lam_min, "lam_min", low=0), _number(lam_max, "lam_max", low=0), _number(lr_max, "lr_max", low=0)
    ):
        return hint
    if not lam_min <= lam_max:
        return "lam_min should not exceed lam_max"
    return _first(
        _value("1.2", "lam_min", lam_min, "lam_min is not the smallest eigenvalue of problem.hessian()"),
        _value("1.2", "lam_max", lam_max, "lam_max is not the largest eigenvalue of problem.hessian()"),
        _value(
            "1.2",
            "lr_max",
            lr_max,
            "lr_max is not the stability bound: gradient descent converges from every start while "
            "|1 - lr * lam| < 1 for every eigenvalue lam; find the rate where that first fails",
        ),
    )


@_question("1.4", "errors", "order")
def _q1_4(errors: Any, order: Any) -> str | None:
    if hint := _first(_array(errors, "errors", (6,), positive=True), _number(order, "order", low=0, high=4)):
        return hint
    if not np.all(np.diff(np.asarray(errors, dtype=float)) < 0):
        return "errors should shrink as the learning rate shrinks (list them from the largest rate down)"
    return _first(
        _value(
            "1.4",
            "errors",
            errors,
            "errors are not the distances from gradient descent at t = 4 to the exact flow Phi(4) (check the "
            "number of steps for each rate, the start phi0, and that you take the norm of the difference)",
        ),
    ) or _own_slope(order, "order", 4.0 / 2 ** np.arange(4, 10), errors, "errors", "the learning rates 4 / n_steps")


_stored_answer(
    "1.5",
    "lr_best",
    "lr_best does not minimise rho(lr) = max_k |1 - lr * lam_k|: at the best rate the two extreme "
    "eigenvalues contract equally fast (|1 - lr * lam_min| = |1 - lr * lam_max|)",
)


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
    steps = np.array([sgd_step(problem, phi.copy(), 0.1, i) for i in range(problem.n_examples)])
    if not np.allclose(steps.mean(axis=0), phi - 0.1 * problem.grad(phi), atol=1e-10):
        return "averaged over all examples i, one SGD step should equal one full gradient-descent step"
    if not _same(steps, phi - 0.1 * problem.example_grads(phi)):
        return "sgd_step(problem, phi, lr, i) should use example i only: phi - lr * x_i * (x_i @ phi - y_i)"
    return None


_stored_answer(
    "2.2",
    "t_1000",
    "t_1000 is not the model time after 1000 steps: sum the rates of the steps k = 0, 1, ..., 999",
    high=1000 * 0.05,
)


@_question("2.3", "spread", "spread_exponent")
def _q2_3(spread: Any, spread_exponent: Any) -> str | None:
    if hint := _first(_array(spread, "spread", (3,), positive=True), _number(spread_exponent, "spread_exponent")):
        return hint
    spread = np.asarray(spread, dtype=float)
    if not np.all(np.diff(spread) < 0):
        return "the spread should shrink with the learning rate (list it from the largest rate down)"
    if hint := _value(
        "2.3",
        "spread",
        spread,
        "spread is not the root-mean-square distance of the final chains to the flow at t = 1, within the "
        "sampling error of 400 chains (the square root of the mean over chains of the squared distance)",
    ):
        return hint
    return _own_slope(
        spread_exponent, "spread_exponent", np.array([0.04, 0.01, 0.0025]), spread, "spread", "lrs_spread"
    )


_stored_answer(
    "2.5",
    "t_limit",
    "t_limit is not the limit of the model time: each stage of 100 steps adds 100 times its rate, "
    "and the stages form a geometric series",
)


# ---------------------------------------------------------------------------
# Chapter 3: the converged loss L(eta)


_stored_answer(
    "3.1",
    "slope_formula",
    "slope_formula is not the mean over examples of the squared norm of g_i(phi_star), divided by 4",
)


@_question("3.2", "excess", "slope_fit")
def _q3_2(excess: Any, slope_fit: Any) -> str | None:
    if hint := _first(_array(excess, "excess", (4,), positive=True), _number(slope_fit, "slope_fit", low=0)):
        return hint
    if not np.all(np.diff(np.asarray(excess, dtype=float)) > 0):
        return "the excess loss should grow with the learning rate"
    return _first(
        _value("3.2", "excess", excess, "excess is not ll.sgd_excess_loss(problem, lr) at the rates lrs_small"),
        _value(
            "3.2",
            "slope_fit",
            slope_fit,
            "slope_fit is not the slope at lr = 0: take the intercept of a straight-line fit of excess / lrs_small "
            "against lrs_small (the ratio at the smallest rate is not extrapolated)",
        ),
    )


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
    for h, sigma2, lr in [(1.0, 1.0, 0.1), (2.0, 0.5, 0.9), (0.3, 4.0, 6.0)]:
        if not _same(second_moment_1d(h, sigma2, lr), quadratic_sgd_variance(h, sigma2, lr)):
            return (
                "second_moment_1d is not the stationary variance of the discrete recursion x -> (1 - lr h) x - lr xi "
                "(take the variance of both sides; the continuous-time formula is only its small-lr limit)"
            )
    return None


_stored_answer(
    "3.5",
    "excess_sim",
    "excess_sim is not the mean over the final chains of L(phi) - L(phi_star), within the sampling "
    "error of 2000 chains (run from phi_star at lr = 0.02 for 1000 steps)",
)


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
    start = np.array([[1.0, -0.5], [0.2, 2.0], [-1.0, 0.0]])
    for seed, dt in [(0, 0.01), (1, 0.3)]:
        draws = np.random.default_rng(seed).standard_normal(start.shape)
        expected = euler_maruyama(lambda z: -(z**3), 0.7, start, dt, 1, rng=seed).final
        if not _same(em_step(start.copy(), lambda z: -(z**3), 0.7, dt, draws), expected):
            return "em_step is not one Euler-Maruyama step x + drift(x) dt + noise_std dW with dW = sqrt(dt) xi"
    return None


@_question("4.2", "var_theory", "var_sim")
def _q4_2(var_theory: Any, var_sim: Any) -> str | None:
    return _first(_number(var_theory, "var_theory", low=0), _number(var_sim, "var_sim", low=0)) or _first(
        _value(
            "4.2",
            "var_theory",
            var_theory,
            "var_theory is not the stationary variance of dX = -h X dt + s dW: in the stationary state the "
            "pull back, 2 h Var, balances the noise added per unit time, s**2",
        ),
        _value(
            "4.2",
            "var_sim",
            var_sim,
            "var_sim is not the variance of the final chains within the sampling error of 4000 chains "
            "(variance, not standard deviation; 500 steps of dt = 0.01 from 0)",
        ),
    )


_stored_answer(
    "4.4",
    "ratio",
    "ratio is not the exact SGD variance divided by the Langevin variance (SGD's on top; the Langevin "
    "variance is that of question 4.2 with s**2 = lr * sigma**2)",
)


_stored_answer(
    "4.5",
    "msd",
    "msd is not the mean over chains of the squared norm |X_1|**2 (sum over the d coordinates) within "
    "the sampling error of 2000 chains",
)


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
    lr, sigma2 = np.array([0.01, 0.1, 0.5]), np.array([1.0, 4.0, 0.25])
    out = np.asarray(temperature(lr, sigma2), dtype=float)
    if hint := _array(out, "temperature(lr, sigma2) for arrays of shape (3,)", (3,), positive=True):
        return hint
    if not _same(out, langevin_temperature(lr, sigma2)):
        return "temperature is not alpha * lr * sigma2 with the alpha you derive in question 5.1"
    return None


_stored_answer(
    "5.3",
    "alpha_est",
    "alpha_est is not h * Var(final chains) / (lr * sigma**2) within the sampling error of 4000 chains",
)


@_question("5.4", "T", "one_temperature")
def _q5_4(T: Any, one_temperature: Any) -> str | None:
    if hint := _array(T, "T", (2,), positive=True):
        return hint
    if not isinstance(one_temperature, (bool, np.bool_)):
        return f"one_temperature should be True or False, got {type(one_temperature).__name__}"
    if hint := _value("5.4", "T", T, "T is not the pair of Langevin temperatures alpha * lr * sigma_k**2"):
        return hint
    if bool(one_temperature) != bool(np.isclose(T[0], T[1], rtol=1e-9)):
        return "one_temperature does not match your T: one Gibbs temperature needs equal temperatures"
    return None


_stored_answer(
    "5.5",
    "mean_square",
    "mean_square is not the integral of x**2 p(x) over [-3, 3] for the Gibbs density of x**4 / 4 at T = 0.1",
)


# ---------------------------------------------------------------------------
# Chapter 6: preconditioning and RMSProp


_stored_answer("6.1", "T_plain", "T_plain is not the Langevin temperatures alpha * base_lr * sigma_k**2", shape=(2,))


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
    sigma = np.array([0.5, 2.0, 3.0])
    for power in (1, 2):
        if not _same(preconditioned_rates(0.1, sigma, power), 0.1 / sigma**power):
            return "preconditioned_rates(base_lr, sigma, power) should be base_lr / sigma**power for each coordinate"
    return None


_stored_answer(
    "6.3",
    "T_sim",
    "T_sim is not h_k times the variance of coordinate k of the final chains, within the sampling error of "
    "4000 chains (run with the rates preconditioned_rates(base_lr, sigma, 2))",
    shape=(2,),
)


_stored_answer(
    "6.5",
    "ratio_rmsprop",
    "ratio_rmsprop is not T_1 / T_0 for RMSProp's rates base_lr / sigma_k (coordinate 1 on top)",
)
