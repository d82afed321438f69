"""Ensemble SGD against a minimal fused NumPy loop doing the same updates.

Target (DESIGN.md section 6): ``langevin_lib.sgd`` within 1.5x of the loop, for
1e5 chains of a 1-D quadratic and 2000 chains of a d=10 linear regression.
Run: ``make bench`` (or ``python benchmarks/bench_sgd.py``).
"""

from __future__ import annotations

import sys

import numpy as np
from _timing import best_time, report

import langevin_lib as ll

N_STEPS = 500


def fused_quadratic(h: float, sigma: float, lr: float, n_chains: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = np.zeros((n_chains, 1))
    for _ in range(N_STEPS):
        x -= lr * (h * x + sigma * rng.standard_normal(x.shape))
    return x


def fused_regression(X: np.ndarray, y: np.ndarray, lr: float, n_chains: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = np.zeros((n_chains, X.shape[1]))
    for _ in range(N_STEPS):
        idx = rng.integers(len(y), size=n_chains)
        xb = X[idx]
        residual = np.einsum("cd,cd->c", xb, x) - y[idx]
        x -= lr * residual[:, None] * xb
    return x


def main() -> int:
    ok = True
    quad = ll.Quadratic(1.0, 1.0)
    ours = best_time(lambda: ll.sgd(quad, [0.0], 0.1, N_STEPS, n_chains=100_000, rng=0, record_every=N_STEPS))
    base = best_time(lambda: fused_quadratic(1.0, 1.0, 0.1, 100_000, 0))
    ok &= report("sgd, 1-D quadratic, 1e5 chains", ours, base, 1.5)

    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 10))
    y = X @ rng.normal(size=10) + rng.normal(size=1000)
    reg = ll.LinearRegression(X, y)
    ours = best_time(lambda: ll.sgd(reg, np.zeros(10), 0.01, N_STEPS, n_chains=2000, rng=0, record_every=N_STEPS))
    base = best_time(lambda: fused_regression(X, y, 0.01, 2000, 0))
    ok &= report("sgd, linear regression d=10, 2000 chains", ours, base, 1.5)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
