"""Self-checks: "not answered yet" for ..., hints for wrong answers, passes for right ones, never the answer."""

from __future__ import annotations

import numpy as np
import pytest

import langevin_lib as ll
from langevin_lib.coursework.self_check import QUESTIONS, check


@pytest.mark.parametrize("question", sorted(QUESTIONS))
def test_unanswered_questions_report_todo_and_never_raise(question, capsys):
    names, _ = QUESTIONS[question]
    check(question, *([...] * len(names)))
    assert capsys.readouterr().out.startswith(f"[todo] Q{question}: not answered yet")


@pytest.mark.parametrize("question", sorted(QUESTIONS))
def test_wrong_types_give_a_hint_and_never_raise(question, capsys):
    names, _ = QUESTIONS[question]
    check(question, *(["a string"] * len(names)))
    assert capsys.readouterr().out.startswith(f"[hint] Q{question}:")


def test_not_implemented_function_is_not_answered(capsys):
    def gd_step(problem, phi, lr):
        raise NotImplementedError("write this part")

    check("1.1", gd_step)
    assert "[todo] Q1.1: not answered yet" in capsys.readouterr().out


def test_a_crashing_function_is_reported_not_raised(capsys):
    check("2.1", lambda problem, phi, lr, i: 1 / 0)
    assert "[hint] Q2.1: your code raised ZeroDivisionError" in capsys.readouterr().out


def test_wrong_arity_and_unknown_id(capsys):
    check("1.2", 1.0)
    assert "takes 3 answer(s): lam_min, lam_max, lr_max" in capsys.readouterr().out
    check("9.9", 1.0)
    assert "no self-check has this id" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("question", "right", "wrong", "hint"),
    [
        ("1.1", lambda p, phi, lr: phi - lr * p.grad(phi), lambda p, phi, lr: phi + lr * p.grad(phi), "decrease"),
        (
            "2.1",
            lambda p, phi, lr, i: phi - lr * p.X[i] * (p.X[i] @ phi - p.y[i]),
            lambda p, phi, lr, i: phi - lr * p.X[i] * (p.X[i] @ phi),
            "averaged over all examples",
        ),
        ("3.4", lambda h, s2, lr: lr * s2 / (2 * h - lr * h**2), lambda h, s2, lr: s2 / (2 * h), "grow with"),
        (
            "4.1",
            lambda x, b, s, dt, xi: x + b(x) * dt + s * np.sqrt(dt) * xi,
            lambda x, b, s, dt, xi: x + b(x) * dt + s * dt * xi,
            "sqrt(dt)",
        ),
        ("5.2", lambda lr, s2: lr * s2 / 2, lambda lr, s2: np.sqrt(lr) * s2, "proportional"),
        ("6.2", lambda lr, s, p: lr / s**p, lambda lr, s, p: lr * s**p, "smaller rate"),
    ],
)
def test_functions_pass_when_right_and_get_the_hint_when_wrong(question, right, wrong, hint, capsys):
    check(question, right)
    assert capsys.readouterr().out.startswith(f"[pass] Q{question}")
    check(question, wrong)
    out = capsys.readouterr().out
    assert out.startswith(f"[hint] Q{question}") and hint in out


def test_numeric_hints_never_print_the_expected_value(capsys):
    problem = ll.diabetes_regression(["bmi", "bp", "s5"])
    slope = ll.tz_slope(problem)
    lam = np.linalg.eigvalsh(ll.diabetes_regression(["bmi", "bp"]).hessian())
    cases = [
        ("3.1", (-slope,)),
        ("1.2", (lam[-1], lam[0], 2 / lam[-1])),  # swapped eigenvalues
        ("3.2", (np.array([4.0, 3.0, 2.0, 1.0]) * 1e-3, slope)),  # decreasing excess
    ]
    expected = [slope, lam[0], lam[-1], 2 / lam[-1]]
    for question, answers in cases:
        check(question, *answers)
        out = capsys.readouterr().out
        assert out.startswith(f"[hint] Q{question}")
        for value in expected:
            for digits in (2, 3, 4, 6):
                assert f"{value:.{digits}f}" not in out
