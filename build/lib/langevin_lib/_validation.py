"""Input checks shared by the public functions.

Every public function validates at its boundary so that bad input raises a
``ValueError`` that names the argument and the allowed range, never a silent
NaN further down.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def as_finite_array(value: Any, name: str, *, ndim: int | tuple[int, ...] | None = None) -> np.ndarray:
    """Return ``value`` as a float array, or raise if it is not finite or has the wrong rank."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an array of real numbers, got {value!r}") from exc
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if arr.ndim not in allowed:
            ranks = " or ".join(str(n) for n in allowed)
            raise ValueError(f"{name} must have {ranks} dimension(s), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf), got {_preview(arr)}")
    return arr


def as_positive_array(value: Any, name: str, *, allow_zero: bool = False) -> np.ndarray:
    """Return ``value`` as a finite float array whose entries are > 0 (or >= 0)."""
    arr = as_finite_array(value, name)
    bad = arr < 0 if allow_zero else arr <= 0
    if np.any(bad):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be finite and {bound}, got {_preview(arr)}")
    return arr


def as_positive_scalar(value: Any, name: str) -> float:
    """A finite scalar > 0 (a step size, a temperature)."""
    arr = as_positive_array(value, name)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a finite scalar > 0, got an array of shape {arr.shape}")
    return float(arr)


def check_broadcastable(**arrays: np.ndarray) -> None:
    """Raise a ValueError naming the arguments unless their shapes broadcast together."""
    try:
        np.broadcast_shapes(*(a.shape for a in arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{name} {a.shape}" for name, a in arrays.items())
        raise ValueError(f"{' and '.join(arrays)} must have shapes that broadcast together, got {shapes}") from None


def as_learning_rate(value: Any, name: str = "lr") -> np.ndarray:
    """A learning rate: a finite positive scalar or array."""
    return as_positive_array(value, name)


def as_count(value: Any, name: str, *, minimum: int = 1) -> int:
    """An integer count ``>= minimum`` (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def as_generator(rng: Any) -> np.random.Generator:
    """A NumPy ``Generator`` from a Generator, an int seed or None."""
    if rng is None or isinstance(rng, (np.random.Generator, numbers.Integral, np.random.SeedSequence)):
        return np.random.default_rng(rng)
    raise ValueError(f"rng must be a numpy.random.Generator, an int seed or None, got {type(rng).__name__}")


def check_dim(arr: np.ndarray, dim: int, name: str) -> None:
    """Raise unless the last axis of ``arr`` has length ``dim``."""
    if arr.ndim == 0 or arr.shape[-1] != dim:
        raise ValueError(f"{name} must have last dimension {dim} (the problem's dim), got shape {arr.shape}")


def coordinate_count(lengths: dict[str, int | None], dim: Any) -> int:
    """The number of coordinates that per-coordinate parameters agree on.

    ``lengths`` maps each parameter's name to its length, or None for a
    scalar (which applies to every coordinate); ``dim`` fixes the count when
    every parameter is a scalar (default 1) and must agree otherwise.
    """
    sizes = {n for n in lengths.values() if n is not None}
    names = " and ".join(lengths)
    if len(sizes) > 1:
        raise ValueError(f"{names} must have the same length, got {', '.join(f'{k}: {v}' for k, v in lengths.items())}")
    n = sizes.pop() if sizes else as_count(1 if dim is None else dim, "dim")
    if dim is not None and as_count(dim, "dim") != n:
        raise ValueError(f"dim={dim} does not match the {n} coordinates given by {names}")
    return n


def as_parameter(phi: Any, dim: int, *, single_for: str | None = None) -> np.ndarray:
    """A finite parameter array with last axis ``dim``: shape ``(d,)`` or ``(..., d)``.

    With ``single_for`` (the name of the method asking), only one vector of shape ``(d,)`` is allowed.
    """
    phi = as_finite_array(phi, "phi")
    check_dim(phi, dim, "phi")
    if single_for is not None and phi.ndim != 1:
        raise ValueError(f"phi must have shape ({dim},) for {single_for}, got {phi.shape}")
    return phi


def as_scalar_learning_rate(value: Any, name: str = "lr") -> float:
    """A single learning rate: a finite scalar > 0 (where per-coordinate rates make no sense)."""
    rate = as_learning_rate(value, name)
    if rate.ndim != 0:
        raise ValueError(f"{name} must be a scalar learning rate > 0, got shape {rate.shape}")
    return float(rate)


def as_seed(rng: Any) -> int:
    """An int seed >= 0, for figures that must redraw the same paths for the same setting.

    A Generator would advance between redraws, so one slider position would
    show different paths each time. An int seed is used as it is; a Generator
    or None is turned into one int seed, once (drawn from the Generator, or
    fresh for None), so every redraw of the figure repeats.
    """
    if isinstance(rng, bool):
        raise ValueError(f"rng must be a numpy.random.Generator, an int seed >= 0 or None, got {rng!r}")
    if isinstance(rng, numbers.Integral):
        if rng < 0:
            raise ValueError(f"rng must be a numpy.random.Generator, an int seed >= 0 or None, got {rng!r}")
        return int(rng)
    return int(as_generator(rng).integers(2**63 - 1))


def as_interval(value: Any, name: str) -> tuple[float, float]:
    """A finite interval ``(low, high)`` with ``low < high`` (axis limits, slider ranges)."""
    arr = as_finite_array(value, name, ndim=1)
    if arr.shape != (2,) or not arr[0] < arr[1]:
        raise ValueError(f"{name} must be (low, high) with low < high, got {value!r}")
    return float(arr[0]), float(arr[1])


def as_positive_options(values: Any, name: str) -> list[float]:
    """The distinct values of a non-empty 1-D sequence of positive numbers, sorted (slider options)."""
    arr = as_positive_array(values, name)
    if arr.ndim != 1 or arr.size < 1:
        raise ValueError(f"{name} must be a non-empty 1-D sequence of values > 0, got shape {arr.shape}")
    return sorted({float(v) for v in arr})


def _preview(arr: np.ndarray) -> str:
    if arr.ndim == 0:
        return repr(float(arr))
    flat = arr.ravel()
    text = np.array2string(flat[:5], precision=4)
    return text if flat.size <= 5 else text[:-1] + " ...]"
