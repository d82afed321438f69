"""The vocabulary of hidden tests: read a student's answers by value, compare them in the grader.

A ``hidden-tests`` cell of a master is plain Python that the **grader** runs in
its own process, with its own NumPy and ``langevin_lib``: no test and no
reference value ever enters the student's kernel. The cell asks the
student's kernel for values and compares them here::

    import numpy as _np
    import langevin_lib as _ll
    from langevin_lib.coursework.answers import between, build, call, close, equal, value

    _lam = _np.linalg.eigvalsh(_ll.diabetes_regression(["bmi", "bp"]).hessian())
    close(value("lam_min"), _lam[0], "lam_min", rtol=1e-10)

    _problem = build('ll.diabetes_regression(["bmi", "bp"])')  # made in the kernel, and here by .here()
    _phi = _np.array([0.3, -0.2])
    close(call("gd_step", _problem, _phi, 0.07), _ll.gradient_descent(_problem.here(), _phi, 0.07, 1).final[0],
          "gd_step", rtol=1e-12, atol=1e-14)

The words:

- ``value(name)``: the student's variable ``name``, as data (a number, an
  array, a bool, a string, a list...);
- ``call(name, *args, **kwargs)``: the result of calling the student's function
  ``name`` with inputs chosen here (data, or ``build(...)`` inputs);
- ``build(expression)``: an input that cannot travel as data (a problem
  object, a drift function), built in the kernel from a Python expression in
  ``np`` and ``ll``; ``.here()`` builds the same thing in the grader;
- ``close(actual, expected, name, rtol=..., atol=...)``, ``between(actual, low,
  high, name)``, ``equal(actual, expected, name)``: the checks. A failed check
  raises :class:`Mismatch`, whose message names the quantity, never the
  expected value.

A student's function that raises, or a missing variable, raises
:class:`StudentError` (the cell scores zero, the note says why). When no
grader is running (the master notebook executed by nbval), ``value`` and
``call`` read the notebook's own variables through the same exchange, so the
master's run proves that its tests pass on its solutions.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .exchange import Build, ExchangeError, Unsupported, decode, encode, loads, respond

__all__ = ["Mismatch", "StudentError", "between", "build", "call", "close", "equal", "student_session", "value"]

#: The grader's link to the student's kernel: a function from a request to the response's JSON text.
_SESSION: contextvars.ContextVar[Callable[[dict[str, Any]], str] | None] = contextvars.ContextVar(
    "coursework_session", default=None
)


class Mismatch(AssertionError):
    """A check failed: the answer is not what the test expects."""


class StudentError(Exception):
    """The student's code could not give an answer (a missing name, a function that raised)."""


class build(Build):  # a word of the vocabulary, so written like a function
    """An input built from ``expression`` (Python in ``np`` and ``ll``) where the student's function runs."""

    def here(self) -> Any:
        """The same input, built in this process (for the reference computation)."""
        import langevin_lib

        return eval(self.expression, {"np": np, "ll": langevin_lib})


def value(name: str) -> Any:
    """The student's variable ``name``, by value."""
    return _exchange({"op": "value", "name": _name(name)})


def call(name: str, *args: Any, **kwargs: Any) -> Any:
    """The student's function ``name`` called with ``args`` and ``kwargs``; its result, by value."""
    request = {
        "op": "call",
        "name": _name(name),
        "args": [encode(arg) for arg in args],
        "kwargs": {key: encode(arg) for key, arg in kwargs.items()},
    }
    return _exchange(request)


@contextlib.contextmanager
def student_session(exchange: Callable[[dict[str, Any]], str]) -> Iterator[None]:
    """Route ``value`` and ``call`` to a student's kernel (used by the grader).

    ``exchange`` takes a request dict and returns the response's JSON text.
    """
    token = _SESSION.set(exchange)
    try:
        yield
    finally:
        _SESSION.reset(token)


def _name(name: Any) -> str:
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be a Python identifier, got {name!r}")
    return name


def _exchange(request: dict[str, Any]) -> Any:
    session = _SESSION.get()
    if session is None:
        text = json.dumps(respond(request, _notebook_namespace()), allow_nan=False)
    else:
        text = session(request)
    try:
        response = loads(text)
        if not isinstance(response, dict):
            raise ExchangeError("the response is not a JSON object")
        kind = response.get("$")
        if kind == "ok":
            return decode(response.get("value"))
    except ExchangeError as exc:
        raise StudentError(f"the answer to {request['name']!r} could not be read: {exc}") from None
    if kind == "missing":
        raise StudentError(f"{request['name']} is not defined")
    if kind == "raised":
        raise StudentError(f"{request['name']} raised {response.get('type')}: {response.get('message')}")
    raise StudentError(f"the answer to {request['name']!r} could not be read")


def _notebook_namespace() -> dict[str, Any]:
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        raise RuntimeError("value() and call() run in a notebook or under the grader (student_session)")
    return shell.user_ns


# ---------------------------------------------------------------------------
# Checks: in the grader's process, with its own NumPy.


def close(actual: Any, expected: Any, name: str = "the answer", *, rtol: float = 1e-7, atol: float = 0.0) -> None:
    """Check that ``actual`` has the shape of ``expected`` and ``|actual - expected| <= atol + rtol |expected|``.

    A single number may be given as a one-element array. Raise :class:`Mismatch` otherwise.
    """
    want = np.asarray(expected, dtype=float)
    got = _numbers(actual, name)
    if want.ndim == 0 and got.size == 1:
        got = got.reshape(())
    if got.shape != want.shape:
        raise Mismatch(f"{name}: shape {got.shape} where {want.shape} is expected")
    if not np.all(np.isfinite(got)):
        raise Mismatch(f"{name}: contains nan or inf")
    if not np.all(np.abs(got - want) <= atol + rtol * np.abs(want)):
        raise Mismatch(f"{name}: not within the tolerance (rtol={rtol:g}, atol={atol:g}) of the expected value")


def between(actual: Any, low: float, high: float, name: str = "the answer") -> None:
    """Check that ``actual`` is one number with ``low < actual < high``."""
    got = _numbers(actual, name)
    if got.size != 1:
        raise Mismatch(f"{name}: {got.size} numbers where one is expected")
    if not low < float(got.reshape(())) < high:
        raise Mismatch(f"{name}: outside the accepted range")


def equal(actual: Any, expected: bool | int | str, name: str = "the answer") -> None:
    """Check that ``actual`` equals ``expected`` exactly (a bool must be a bool, a str a str)."""
    got = actual.item() if isinstance(actual, np.ndarray) and actual.size == 1 else actual
    if isinstance(expected, bool):
        ok = isinstance(got, bool | np.bool_) and bool(got) is expected
    elif isinstance(expected, int):
        ok = isinstance(got, int | np.integer) and not isinstance(got, bool) and int(got) == expected
    else:
        ok = type(got) is type(expected) and got == expected
    if _unanswered(actual):
        raise Mismatch(f"{name}: not answered yet (still ...)")
    if not ok:
        raise Mismatch(f"{name}: not the expected {type(expected).__name__}")


def _numbers(actual: Any, name: str) -> np.ndarray:
    if _unanswered(actual):
        raise Mismatch(f"{name}: not answered yet (still ...)")
    if isinstance(actual, Unsupported | str | dict) or actual is None or isinstance(actual, bool):
        kind = "None" if actual is None else str(actual) if isinstance(actual, Unsupported) else type(actual).__name__
        raise Mismatch(f"{name}: expected numbers, got {kind}")
    try:
        got = np.asarray(actual, dtype=float)
    except (TypeError, ValueError, OverflowError) as exc:
        raise Mismatch(f"{name}: expected numbers, got something else") from exc
    return got


def _unanswered(actual: Any) -> bool:
    return isinstance(actual, Unsupported) and actual.type_name == "ellipsis"
