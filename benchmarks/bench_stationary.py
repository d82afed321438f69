"""The matrix-free exact stationary solve against a dense Kronecker solve.

Targets (DESIGN.md section 6): at d=50 ``sgd_stationary_covariance`` agrees
with the dense d^2 x d^2 solve to 1e-8 and is at least 5x faster; at d=300
(where the dense matrix would need 65 GB) it finishes in seconds.
Run: ``make bench`` (or ``python benchmarks/bench_stationary.py``).
"""

from __future__ import annotations

import sys
import time

import numpy as np
from _timing import best_time, report

import langevin_lib as ll


def regression(n: int, d: int, seed: int) -> ll.LinearRegression:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * np.linspace(0.5, 1.5, d)
    y = X @ rng.normal(size=d) + rng.normal(size=n)
    return ll.LinearRegression(X, y)


def dense_kronecker_covariance(problem: ll.LinearRegression, lr: float) -> np.ndarray:
    """Solve vec(S) = E[(I - lr H_i) kron (I - lr H_i)] vec(S) + lr^2 vec(C) densely (batch size 1)."""
    X, d = problem.X, problem.dim
    H = problem.hessian()
    grads = problem.example_grads(problem.minimizer())
    C = grads.T @ grads / problem.n_examples
    outer = np.einsum("ni,nj->nij", X, X).reshape(len(X), d * d)  # rows vec(x x^T)
    eye = np.eye(d)
    second_moment_map = (
        np.eye(d * d) - lr * (np.kron(eye, H) + np.kron(H, eye)) + lr**2 * outer.T @ outer / problem.n_examples
    )
    vec = np.linalg.solve(np.eye(d * d) - second_moment_map, lr**2 * C.ravel())
    return vec.reshape(d, d)


def main() -> int:
    problem = regression(n=500, d=50, seed=0)
    lr = 0.5 * ll.sgd_stability_bound(problem)
    matrix_free = ll.sgd_stationary_covariance(problem, lr)
    dense = dense_kronecker_covariance(problem, lr)
    error = np.abs(matrix_free - dense).max() / np.abs(dense).max()
    print(f"d=50: max relative difference matrix-free vs dense = {error:.2e} (target <= 1e-8)")
    ours = best_time(lambda: ll.sgd_stationary_covariance(problem, lr), repeats=3)
    base = best_time(lambda: dense_kronecker_covariance(problem, lr), repeats=3)
    ok = report("sgd_stationary_covariance, d=50 vs dense", ours, base, 1 / 5) and error <= 1e-8

    big = regression(n=2000, d=300, seed=1)
    start = time.perf_counter()
    bound = ll.sgd_stability_bound(big)
    S = ll.sgd_stationary_covariance(big, 0.5 * bound)
    elapsed = time.perf_counter() - start
    print(f"d=300, n=2000: stability bound and stationary covariance in {elapsed:.2f} s (trace {np.trace(S):.4g})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
