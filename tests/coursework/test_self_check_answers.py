"""Self-checks judge values: the classic wrong answers never pass, right answers computed differently do.

The right values are recomputed here from the questions (closed forms, other algorithms, other
seeds), independently of the digests stored in the self-check module; the wrong answers are the
mistakes each question is about (a factor 2, a wrong sign, swapped eigenvalues, the
continuous-time formula where the discrete one is asked, ...). No hint may show a right value.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad, trapezoid
from scipy.linalg import expm
from scipy.optimize import minimize_scalar
from scipy.special import digamma, gamma

import langevin_lib as ll
from langevin_lib.coursework.self_check import _ANSWERS, QUESTIONS, check, digest

# --- the assignments' set-ups, rebuilt from the question texts -------------------------------
P1 = ll.diabetes_regression(["bmi", "bp"])
LAM = np.linalg.eigvalsh(P1.hessian())
PHI0_1 = np.array([2.0, -1.0])
P2 = ll.diabetes_regression(["bmi", "s5"])
PHI0_2 = np.array([1.0, -1.0])
LRS_SPREAD = np.array([0.04, 0.01, 0.0025])
P3 = ll.diabetes_regression(["bmi", "bp", "s5"])
PHI_STAR_3 = P3.minimizer()
LRS_SMALL = np.array([0.001, 0.002, 0.004, 0.008])
H6, SIGMA6, BASE_LR = np.array([1.0, 4.0]), np.array([0.5, 2.0]), 0.05


def lam_closed_form() -> np.ndarray:
    """Eigenvalues of the 2 x 2 Hessian from its trace and determinant (not eigvalsh)."""
    X = P1.X
    H = X.T @ X / len(X)
    tr, det = np.trace(H), np.linalg.det(H)
    root = np.sqrt(tr**2 / 4 - det)
    return np.array([tr / 2 - root, tr / 2 + root])


def gd_errors(t_end: float = 4.0, power: int = 1) -> np.ndarray:
    """Gradient descent by a plain loop, against the flow by the matrix exponential."""
    H, star = P1.hessian(), P1.minimizer()
    exact = star + expm(-t_end * H) @ (PHI0_1 - star)
    out = []
    for n in 2 ** np.arange(4, 10):
        phi = PHI0_1.copy()
        for _ in range(n):
            phi = phi - (4.0 / n) * H @ (phi - star)
        out.append(np.linalg.norm(phi - exact) ** power)
    return np.array(out)


def rms_spread(seeds, *, square_root: bool = True) -> np.ndarray:
    end = ll.gradient_flow(P2, PHI0_2, [1.0])[0]
    msd = [
        np.mean(np.sum((ll.sgd(P2, PHI0_2, lr, round(1 / lr), n_chains=400, rng=s).final - end) ** 2, axis=1))
        for lr, s in zip(LRS_SPREAD, seeds, strict=True)
    ]
    return np.sqrt(msd) if square_root else np.array(msd)


def numpy_sgd_spread(seed: int) -> np.ndarray:
    """The spread of question 2.3 from an SGD loop written here (another generator, another algorithm)."""
    rng = np.random.default_rng(seed)
    end = ll.gradient_flow(P2, PHI0_2, [1.0])[0]
    out = []
    for lr in LRS_SPREAD:
        phi = np.tile(PHI0_2, (400, 1))
        for _ in range(round(1 / lr)):
            i = rng.integers(P2.n_examples, size=400)
            x = P2.X[i]
            phi = phi - lr * x * (np.sum(x * phi, axis=1) - P2.y[i])[:, None]
        out.append(np.sqrt(np.mean(np.sum((phi - end) ** 2, axis=1))))
    return np.array(out)


def slope(lrs, values) -> float:
    return float(np.polyfit(np.log(lrs), np.log(values), 1)[0])


def excess_sim(seed: int, lr: float = 0.02, *, subtract: bool = True) -> float:
    final = ll.sgd(P3, PHI_STAR_3, lr, 1000, n_chains=2000, rng=seed).final
    return float(np.mean(P3.loss(final)) - (P3.loss(PHI_STAR_3) if subtract else 0.0))


def ou_var(seed: int, n_steps: int = 500, *, std: bool = False) -> float:
    final = ll.euler_maruyama(lambda x: -2.0 * x, 0.5, np.zeros((4000, 1)), 0.01, n_steps, rng=seed).final
    return float(final.std() if std else final.var())


def ou_var_loop(seed: int) -> float:
    """Euler-Maruyama for question 4.2 written out, with its own generator."""
    rng, x = np.random.default_rng(seed), np.zeros(4000)
    for _ in range(500):
        x = x - 2.0 * x * 0.01 + 0.5 * np.sqrt(0.01) * rng.standard_normal(4000)
    return float(x.var())


def msd(seed: int, *, per_coordinate: bool = False) -> float:
    paths = ll.euler_maruyama(lambda x: np.zeros_like(x), np.sqrt(0.1) * 2.0, np.zeros((2000, 2)), 0.01, 100, rng=seed)
    sq = paths.final**2
    return float(np.mean(sq) if per_coordinate else np.mean(np.sum(sq, axis=1)))


def alpha_est(seed: int, n_steps: int = 300, *, h_factor: float = 2.0) -> float:
    final = ll.sgd(ll.Quadratic(h=2.0, sigma=1.0), np.zeros(1), 0.05, n_steps, n_chains=4000, rng=seed).final
    return float(h_factor * final.var() / 0.05)


def t_sim(seed: int, rates, *, with_h: bool = True, n_steps: int = 600) -> np.ndarray:
    final = ll.sgd(ll.Quadratic(H6, SIGMA6), np.zeros(2), rates, n_steps, n_chains=4000, rng=seed).final
    return (H6 if with_h else 1.0) * final.var(axis=0)


def quartic_mean_square(grid, T: float = 0.1, weight=lambda x: x**2) -> float:
    return float(trapezoid(weight(grid) * ll.gibbs_density(lambda x: x**4 / 4, grid, T), grid))


GRID = np.linspace(-3, 3, 4001)
TZ = ll.tz_slope(P3)
EXCESS = np.array([ll.sgd_excess_loss(P3, lr) for lr in LRS_SMALL])
T_1000 = 5.0 * (digamma(1100.0) - digamma(100.0))  # eta_0 k_0 [psi(k_0 + k) - psi(k_0)]
T_PLAIN = BASE_LR * SIGMA6**2 / 2
RATES_P2 = BASE_LR / SIGMA6**2

# Question -> (right answers computed in different ways, classic wrong answers).
VALUE_CASES = {
    "1.2": (
        [(LAM[0], LAM[1], 2 / LAM[1]), (*lam_closed_form(), 2 / lam_closed_form()[1])],
        [
            (LAM[0], LAM[1], 1 / LAM[1]),  # lr_max = 1 / lam_max, a factor 2 off
            (LAM[0], LAM[1], 2 / LAM[0]),  # the bound from the wrong eigenvalue
            (LAM[0], LAM[1], 2 / (LAM[0] + LAM[1])),  # the best rate, not the largest
            (LAM[1], LAM[0], 2 / LAM[1]),  # swapped eigenvalues
            (*(LAM * P1.n_examples), 2 / (LAM[1] * P1.n_examples)),  # X^T X without 1/n
            (*np.sqrt(LAM), 2 / np.sqrt(LAM[1])),  # singular values of X / sqrt(n)
        ],
    ),
    "1.4": (
        [(gd_errors(), slope(4.0 / 2 ** np.arange(4, 10), gd_errors()))],
        [
            (gd_errors(power=2), slope(4.0 / 2 ** np.arange(4, 10), gd_errors(power=2))),  # squared distances
            (gd_errors(t_end=1.0), slope(4.0 / 2 ** np.arange(4, 10), gd_errors(t_end=1.0))),  # wrong time
            (gd_errors(), -1.0),  # slope against the number of steps
            (gd_errors(), 2.0),  # a second-order method
            (gd_errors()[::-1], 1.0),  # listed the wrong way round
        ],
    ),
    "1.5": (
        [
            (2 / (LAM[0] + LAM[1]),),
            (
                minimize_scalar(
                    lambda lr: np.max(np.abs(1 - lr * LAM)),
                    bounds=(0, 2 / LAM[1]),
                    method="bounded",
                    options={"xatol": 1e-12},
                ).x,
            ),
        ],
        [(1 / LAM[1],), (2 / LAM[1],), (1000.0,), (1 / (LAM[0] + LAM[1]),), (1 / LAM[0],), (2 / (LAM[1] - LAM[0]),)],
    ),
    "2.2": (
        [(float(np.sum(ll.inverse_time_decay(0.05, 100)(np.arange(1000)))),), (T_1000,)],
        [
            (float(np.sum(ll.inverse_time_decay(0.05, 100)(np.arange(1001)))),),  # 1001 steps
            (float(np.sum(ll.inverse_time_decay(0.05, 100)(np.arange(1, 1001)))),),  # steps 1..1000
            (5.0 * np.log(11.0),),  # the integral instead of the sum
            (0.05 * 1000,),  # a constant rate
        ],
    ),
    "2.3": (
        [
            (rms_spread([0, 1, 2]), slope(LRS_SPREAD, rms_spread([0, 1, 2]))),
            (rms_spread([21, 22, 23]), slope(LRS_SPREAD[[0, 2]], rms_spread([21, 22, 23])[[0, 2]])),  # end points
            (numpy_sgd_spread(5), slope(LRS_SPREAD, numpy_sgd_spread(5))),
        ],
        [
            (rms_spread([0, 1, 2], square_root=False), slope(LRS_SPREAD, rms_spread([0, 1, 2], square_root=False))),
            (rms_spread([0, 1, 2]), -slope(LRS_SPREAD, rms_spread([0, 1, 2]))),  # slope against n_steps
            (rms_spread([0, 1, 2]), 1.0),  # the exponent of the mean, not of the spread
        ],
    ),
    "2.5": (
        [(20.0,), (float(ll.elapsed_time(ll.step_decay(0.1, 0.5, 100), 20_000)[-1]),)],
        [
            (0.1 / (1 - 0.5),),
            (0.1 * 100 * 0.5 / (1 - 0.5),),
            (float(ll.elapsed_time(ll.step_decay(0.1, 0.5, 100), 1000)[-1]),),
        ],
    ),
    "3.1": (
        [
            (np.mean(np.sum(P3.example_grads(PHI_STAR_3) ** 2, axis=1)) / 4,),
            (TZ,),
            (np.mean(np.sum(P3.X**2, axis=1) * (P3.X @ PHI_STAR_3 - P3.y) ** 2) / 4,),
        ],
        [
            (np.sum(np.sum(P3.example_grads(PHI_STAR_3) ** 2, axis=1)) / 4,),  # a sum, not a mean
            (2 * TZ,),  # divided by 2
            (4 * TZ,),  # not divided by 4
            (np.mean(np.linalg.norm(P3.example_grads(PHI_STAR_3), axis=1)) / 4,),  # norm, not squared
            (np.mean(P3.example_grads(PHI_STAR_3) ** 2) / 4,),  # a mean over coordinates too
            (-TZ,),
        ],
    ),
    "3.2": (
        [
            (EXCESS, np.polyfit(LRS_SMALL, EXCESS / LRS_SMALL, 1)[1]),
            (EXCESS, np.linalg.lstsq(np.c_[LRS_SMALL, LRS_SMALL**2], EXCESS, rcond=None)[0][0]),  # a + b lr fit
            (EXCESS, 2 * EXCESS[0] / LRS_SMALL[0] - EXCESS[1] / LRS_SMALL[1]),  # Richardson
        ],
        [
            (EXCESS, EXCESS[0] / LRS_SMALL[0]),  # the raw ratio, not extrapolated
            (EXCESS, np.polyfit(LRS_SMALL, EXCESS / LRS_SMALL, 1)[0]),  # the slope of the fit, not its intercept
            (EXCESS, np.polyfit(LRS_SMALL, EXCESS, 1)[0]),  # a straight line through the excess itself
            (EXCESS + P3.loss(PHI_STAR_3), TZ),  # L(eta), not L(eta) - L(phi*)
            (EXCESS * 2, TZ),
        ],
    ),
    "3.5": (
        [(excess_sim(3),), (excess_sim(11),), (ll.sgd_excess_loss(P3, 0.02),)],
        [
            (excess_sim(3, subtract=False),),  # L, not L - L(phi*)
            (excess_sim(3, lr=0.01),),
            (2 * excess_sim(3),),
            (
                float(
                    P3.loss(ll.sgd(P3, PHI_STAR_3, 0.02, 1000, n_chains=2000, rng=3).final.mean(axis=0))
                    - P3.loss(PHI_STAR_3)
                ),
            ),
        ],
    ),
    "4.2": (
        [(0.5**2 / (2 * 2.0), ou_var(4)), (0.0625, ou_var(9)), (0.0625, ou_var_loop(2))],
        [
            (0.5**2 / 2.0, ou_var(4)),  # factor 2
            (0.5 / (2 * 2.0), ou_var(4)),  # s, not s**2
            (0.0625, ou_var(4, std=True)),  # a standard deviation
            (0.0625, ou_var(4, n_steps=25)),  # not stationary yet (t = 0.25)
        ],
    ),
    "4.4": (
        [(float(ll.quadratic_sgd_variance(1.0, 1.0, 0.2) / (0.2 / 2)),), (1 / (1 - 0.2 / 2),)],
        [(1 - 0.2 / 2,), (1.0,), (float(ll.quadratic_sgd_variance(1.0, 1.0, 0.2) / 0.2),)],
    ),
    "4.5": (
        [
            (msd(5),),
            (msd(17),),
            (float(np.mean(np.sum(np.random.default_rng(3).normal(0, np.sqrt(0.4), (2000, 2)) ** 2, 1))),),
        ],
        [(msd(5, per_coordinate=True),), (0.1**2 * 4 * 2,), (2 * msd(5),)],
    ),
    "5.3": (
        [(alpha_est(6),), (alpha_est(1),), (alpha_est(2, n_steps=1000),)],
        [
            (0.1,),
            (alpha_est(6, h_factor=1.0),),
            (2 * alpha_est(6),),
            (np.sqrt(alpha_est(6) * 0.05 / 2.0) * 2.0 / 0.05,),
        ],
    ),
    "5.4": (
        [
            (ll.langevin_temperature(0.02, np.array([1.0, 3.0]) ** 2), False),
            (0.02 * np.array([1.0, 9.0]) / 2, np.False_),
        ],
        [
            (0.02 * np.array([1.0, 3.0]) / 2, False),  # sigma, not sigma**2
            (0.02 * np.array([1.0, 9.0]), False),  # alpha = 1
            (0.02 * np.array([9.0, 1.0]) / 2, False),  # swapped
            (0.02 * np.array([1.0, 9.0]) / 2, True),
        ],
    ),
    "5.5": (
        [
            (quartic_mean_square(GRID),),
            (
                quad(lambda x: x**2 * np.exp(-(x**4) / 0.4), -np.inf, np.inf)[0]
                / quad(lambda x: np.exp(-(x**4) / 0.4), -np.inf, np.inf)[0],
            ),
            (np.sqrt(0.4) * gamma(0.75) / gamma(0.25),),
        ],
        [
            (quartic_mean_square(GRID, T=0.2),),
            (quartic_mean_square(GRID, weight=np.abs),),
            (quartic_mean_square(GRID, weight=np.ones_like),),  # the normalisation
            (0.1,),  # the Gaussian answer T
        ],
    ),
    "6.1": (
        [(ll.langevin_temperature(BASE_LR, SIGMA6**2),), (T_PLAIN,)],
        [(2 * T_PLAIN,), (BASE_LR * SIGMA6 / 2,), (T_PLAIN[::-1],), (BASE_LR * SIGMA6**2 / (2 - BASE_LR * H6),)],
    ),
    "6.3": (
        [(t_sim(7, RATES_P2),), (t_sim(3, RATES_P2),), (t_sim(4, RATES_P2, n_steps=1000),)],
        [(t_sim(7, RATES_P2, with_h=False),), (t_sim(7, BASE_LR),), (t_sim(7, BASE_LR / SIGMA6),)],
    ),
    "6.5": (
        [
            (
                float(
                    ll.langevin_temperature(BASE_LR / SIGMA6, SIGMA6**2)[1]
                    / ll.langevin_temperature(BASE_LR / SIGMA6, SIGMA6**2)[0]
                ),
            ),
            (SIGMA6[1] / SIGMA6[0],),
        ],
        [(SIGMA6[0] / SIGMA6[1],), ((SIGMA6[1] / SIGMA6[0]) ** 2,), (1.0,), (np.sqrt(SIGMA6[1] / SIGMA6[0]),)],
    ),
}

# Numbers a hint must never show (the right values, in the forms a notebook prints them).
SECRETS = [
    LAM[0], LAM[1], 2 / LAM[1], 2 / (LAM[0] + LAM[1]), *gd_errors(), T_1000, 20.0, TZ, *EXCESS,
    ll.sgd_excess_loss(P3, 0.02), 0.0625, 1 / 0.9, 0.8, 0.5 / 0.95, 0.01, 0.09,
    np.sqrt(0.4) * gamma(0.75) / gamma(0.25), *T_PLAIN, 4.0,
]  # fmt: skip


def run(question: str, answers, capsys) -> str:
    check(question, *answers)
    return capsys.readouterr().out


def test_every_numeric_question_has_cases():
    numeric = {question for question, _ in _ANSWERS}
    assert numeric <= set(VALUE_CASES)
    assert set(VALUE_CASES) <= set(QUESTIONS)


@pytest.mark.parametrize(
    ("question", "index"), [(q, i) for q, (right, _) in VALUE_CASES.items() for i in range(len(right))]
)
def test_right_answers_computed_differently_pass(question, index, capsys):
    out = run(question, VALUE_CASES[question][0][index], capsys)
    assert out.startswith(f"[pass] Q{question}:"), out


@pytest.mark.parametrize(
    ("question", "index"), [(q, i) for q, (_, wrong) in VALUE_CASES.items() for i in range(len(wrong))]
)
def test_classic_wrong_answers_never_pass(question, index, capsys):
    out = run(question, VALUE_CASES[question][1][index], capsys)
    assert out.startswith(f"[hint] Q{question}:"), out
    for value in SECRETS:
        for digits in (3, 4, 6):
            assert f"{value:.{digits}f}" not in out, (value, out)


# --- functions: the library's results, computed another way, against the classic slips --------


def gd_via_hessian(problem, phi, lr):
    """Least squares and quadratics have the exact gradient H (phi - phi*)."""
    return phi - lr * problem.hessian() @ (phi - problem.minimizer())


def gd_in_place(problem, phi, lr):
    phi -= lr * problem.grad(phi)
    return phi


def gd_sum_gradient(problem, phi, lr):
    n = getattr(problem, "n_examples", 1)
    return phi - lr * n * problem.grad(phi)


def sgd_outer(problem, phi, lr, i):
    x = problem.X[i]
    return phi - lr * (np.outer(x, x) @ phi - x * problem.y[i])


def variance_by_iteration(h, sigma2, lr):
    """Iterate v -> (1 - lr h)**2 v + lr**2 sigma2 to its fixed point."""
    v = 0.0
    for _ in range(20_000):
        v = (1 - lr * h) ** 2 * v + lr**2 * sigma2
    return v


FUNCTION_CASES = {
    "1.1": (
        [lambda p, phi, lr: phi - lr * p.grad(phi), gd_via_hessian],
        [
            lambda p, phi, lr: phi + lr * p.grad(phi),
            lambda p, phi, lr: phi - 2 * lr * p.grad(phi),
            gd_in_place,
            gd_sum_gradient,
        ],
    ),
    "2.1": (
        [lambda p, phi, lr, i: phi - lr * p.X[i] * (p.X[i] @ phi - p.y[i]), sgd_outer],
        [
            lambda p, phi, lr, i: phi + lr * p.X[i] * (p.X[i] @ phi - p.y[i]),
            lambda p, phi, lr, i: phi - lr * p.X[i] * (p.X[i] @ phi),
            lambda p, phi, lr, i: phi - lr * p.X[i] * (p.X[i] @ phi - p.y[i]) / p.n_examples,
            lambda p, phi, lr, i: phi - 2 * lr * p.X[i] * (p.X[i] @ phi - p.y[i]),
        ],
    ),
    "3.4": (
        [
            lambda h, s2, lr: lr * s2 / (2 * h - lr * h**2),
            variance_by_iteration,
            lambda h, s2, lr: lr * s2 / (h * (2 - lr * h)),
        ],
        [
            lambda h, s2, lr: lr * s2 / (2 * h),  # the continuous-time (Langevin) formula
            lambda h, s2, lr: lr * s2 / (2 * h + lr * h**2),  # wrong sign
            lambda h, s2, lr: lr * s2 / (2 * h - lr * h),  # missing square
            lambda h, s2, lr: lr * s2 / (h - lr * h**2),  # factor 2
        ],
    ),
    "4.1": (
        [
            lambda x, b, s, dt, xi: x + b(x) * dt + s * np.sqrt(dt) * xi,
            lambda x, b, s, dt, xi: x + dt * b(x) + s * dt**0.5 * xi,
        ],
        [
            lambda x, b, s, dt, xi: x + b(x) * dt + s * dt * xi,
            lambda x, b, s, dt, xi: x - b(x) * dt + s * np.sqrt(dt) * xi,
            lambda x, b, s, dt, xi: x + b(x) * dt + s**2 * np.sqrt(dt) * xi,
            lambda x, b, s, dt, xi: x + b(x) * dt + np.sqrt(s * dt) * xi,
            lambda x, b, s, dt, xi: x + b(x) * dt + s * np.sqrt(2 * dt) * xi,
        ],
    ),
    "5.2": (
        [lambda lr, s2: lr * s2 / 2, ll.langevin_temperature],
        [
            lambda lr, s2: lr * s2,  # alpha = 1
            lambda lr, s2: lr * s2 / 10,  # the slides' alpha
            lambda lr, s2: np.sqrt(lr) * s2,
            lambda lr, s2: lr * np.sqrt(s2) / 2,  # sigma, not sigma**2
        ],
    ),
    "6.2": (
        [lambda lr, s, p: lr / s**p, lambda lr, s, p: lr * np.asarray(s, dtype=float) ** (-p)],
        [
            lambda lr, s, p: lr * s**p,
            lambda lr, s, p: lr / s ** (2 * p),
            lambda lr, s, p: lr / s,  # ignores power
            lambda lr, s, p: lr / np.asarray(s) ** 2,
        ],
    ),
}


@pytest.mark.parametrize(
    ("question", "index"), [(q, i) for q, (right, _) in FUNCTION_CASES.items() for i in range(len(right))]
)
def test_right_functions_written_differently_pass(question, index, capsys):
    out = run(question, [FUNCTION_CASES[question][0][index]], capsys)
    assert out.startswith(f"[pass] Q{question}:"), out


@pytest.mark.parametrize(
    ("question", "index"), [(q, i) for q, (_, wrong) in FUNCTION_CASES.items() for i in range(len(wrong))]
)
def test_classic_wrong_functions_never_pass(question, index, capsys):
    out = run(question, [FUNCTION_CASES[question][1][index]], capsys)
    assert out.startswith(f"[hint] Q{question}:"), out


def test_the_masters_answers_pass_and_the_issue_examples_do_not(capsys):
    # The examples of issue 19: a factor 2 in lr_max and lr_best, any positive lr_best.
    assert run("1.2", (LAM[0], LAM[1], 1 / LAM[1]), capsys).startswith("[hint] Q1.2: lr_max is not")
    assert run("1.5", (1 / LAM[1],), capsys).startswith("[hint] Q1.5:")
    assert run("1.5", (1000.0,), capsys).startswith("[hint] Q1.5:")


def test_digest_accepts_within_the_tolerance_and_rejects_beyond_a_quarter_more(monkeypatch, capsys):
    rel, right = 1e-3, 0.731
    monkeypatch.setitem(_ANSWERS, ("1.5", "lr_best"), (rel, (digest("1.5", "lr_best", right, rel),)))
    for factor in np.linspace(1 - 0.99 * rel, 1 + 0.99 * rel, 41):  # all of the tolerance, any grid position
        assert run("1.5", (right * factor,), capsys).startswith("[pass]")
    for factor in (1 + 1.3 * rel, 1 - 1.3 * rel, 2.0):
        assert run("1.5", (right * factor,), capsys).startswith("[hint]")
    assert digest("1.5", "lr_max", right, rel) != digest("1.5", "lr_best", right, rel)  # salted with the name
    with pytest.raises(ValueError, match="rel must be > 0"):
        digest("1.5", "lr_best", right, 0.0)
