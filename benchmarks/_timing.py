"""Timing helper shared by the benchmark scripts."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_time(fn: Callable[[], object], repeats: int = 5) -> float:
    """Best wall-clock time of ``repeats`` calls (the least disturbed run)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def report(name: str, ours: float, baseline: float, target: float) -> bool:
    """Print one comparison line and return whether the ratio meets the target."""
    ratio = ours / baseline
    verdict = "ok" if ratio <= target else "SLOWER THAN TARGET"
    print(
        f"{name:<44} ours {ours * 1e3:8.1f} ms  baseline {baseline * 1e3:8.1f} ms  "
        f"ratio {ratio:5.2f} (target <= {target}) {verdict}"
    )
    return ratio <= target
