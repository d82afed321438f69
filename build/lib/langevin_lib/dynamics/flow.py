"""Gradient flow and its explicit Euler discretisation, gradient descent (chapter 1)."""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy.integrate import solve_ivp

from .._validation import _preview, as_count, as_finite_array, check_dim
from ..problems import Problem, QuadraticProblem
from .schedules import LearningRate, learning_rate_table
from .trajectory import Trajectory, initial_ensemble, run_chain

__all__ = ["gradient_descent", "gradient_flow"]


def gradient_flow(
    problem: Problem,
    phi0: np.ndarray,
    t: np.ndarray,
    *,
    method: Literal["auto", "exact", "ode"] = "auto",
) -> np.ndarray:
    r"""Solve the gradient-flow ODE :math:`\dot\Phi = -g(\Phi)`, :math:`\Phi(0) = \phi_0`.

    For a :class:`~langevin_lib.QuadraticProblem` (one with ``hessian()`` and
    ``minimizer()``) the solution is exact,

    .. math::

        \Phi(t) = \phi^* + e^{-Ht}(\phi_0 - \phi^*)
                = \phi^* + Q e^{-\Lambda t} Q^\top (\phi_0 - \phi^*),

    with :math:`H = Q\Lambda Q^\top`; otherwise an explicit Runge-Kutta
    method of order 8 (DOP853) runs with relative tolerance 1e-11, for about
    1e-8 relative accuracy. Used in chapters 1, 2 and 4.

    Parameters
    ----------
    problem : Problem
        The training problem.
    phi0 : array_like, shape (d,)
        Initial point.
    t : array_like, shape (n_times,)
        Non-decreasing times >= 0.
    method : {"auto", "exact", "ode"}
        ``"auto"`` uses the exact solution when the problem is quadratic.

    Returns
    -------
    ndarray, shape (n_times, d)
        :math:`\Phi(t_j)` for each time.
    """
    phi0 = as_finite_array(phi0, "phi0", ndim=1)
    check_dim(phi0, problem.dim, "phi0")
    t = as_finite_array(t, "t", ndim=1)
    if t.size == 0 or np.any(t < 0) or np.any(np.diff(t) < 0):
        raise ValueError(f"t must be a non-empty, non-decreasing array of times >= 0, got {_preview(t)}")
    is_quadratic = isinstance(problem, QuadraticProblem)
    if method not in ("auto", "exact", "ode"):
        raise ValueError(f"method must be 'auto', 'exact' or 'ode', got {method!r}")
    if method == "exact" and not is_quadratic:
        raise ValueError(f"method='exact' needs a quadratic problem with hessian() and minimizer(); got {problem!r}")
    if method == "exact" or (method == "auto" and is_quadratic):
        lam, Q = np.linalg.eigh(problem.hessian())
        phi_star = problem.minimizer()
        coeffs = Q.T @ (phi0 - phi_star)
        return phi_star + (np.exp(-np.outer(t, lam)) * coeffs) @ Q.T
    if t[-1] == 0:
        return np.tile(phi0, (t.size, 1))
    scale = max(1.0, float(np.max(np.abs(phi0))))
    sol = solve_ivp(
        lambda _, y: -problem.grad(y),
        (0.0, t[-1]),
        phi0,
        method="DOP853",
        t_eval=t,
        rtol=1e-11,
        atol=1e-13 * scale,
    )
    if not sol.success:
        raise ArithmeticError(f"gradient_flow: the ODE solver failed: {sol.message}")
    return sol.y.T


def gradient_descent(
    problem: Problem,
    phi0: np.ndarray,
    lr: LearningRate,
    n_steps: int,
    *,
    record_every: int = 1,
) -> Trajectory:
    r"""Full-batch gradient descent, the explicit Euler scheme for gradient flow.

    .. math::

        \phi_{k+1} = \phi_k - \eta_k\, g(\phi_k), \qquad t_{k+1} = t_k + \eta_k,

    so the learning rate is the Euler time step (chapter 1).

    Parameters
    ----------
    problem : Problem
        The training problem.
    phi0 : array_like, shape (d,) or (n_chains, d)
        Initial point(s).
    lr : float, array of shape (d,), or callable
        Learning rate(s), as for :func:`~langevin_lib.sgd`.
    n_steps : int
        Number of steps (>= 1).
    record_every : int
        Record every this many steps (the last step is always recorded).

    Returns
    -------
    Trajectory
        ``phi`` has shape ``(n_records, n_chains, d)``.

    Raises
    ------
    DivergenceError
        If an iterate stops being finite (for a quadratic, when
        :math:`\eta \ge 2/\lambda_{\max}(H)`).
    """
    x0 = initial_ensemble(phi0, problem.dim, n_chains=None)
    n_steps = as_count(n_steps, "n_steps")
    record_every = as_count(record_every, "record_every")
    rates, dt = learning_rate_table(lr, n_steps, problem.dim)

    def advance(k: int, x: np.ndarray) -> float:
        row = k if len(rates) > 1 else 0
        x -= rates[row] * problem.grad(x)
        return dt[row]

    return run_chain(advance, x0, n_steps, record_every, "gradient descent")
