"""The answer exchange: the only things that cross between a submission's kernel and the grader.

The grader never runs a test in the student's kernel. It sends a *request*
(read the variable ``lam_min``; call ``gd_step`` with these inputs) and gets
back a *response* holding plain data, as JSON text:

- ``None``, booleans, integers, floats (``nan`` and ``inf`` included), complex
  numbers, strings, lists, string-keyed dicts;
- NumPy arrays of booleans or numbers: dtype, shape and the raw bytes in base64.

Nothing is pickled. :func:`decode` builds only these types, checks every dtype
against a whitelist and every size against a limit, so the worst a hostile
kernel can send is a refused payload. Anything else (a function, a custom
object) travels as :class:`Unsupported` with its type name; a function that
raised travels as the exception's type and message.

In the student's kernel the request is served by :func:`serve` (one line of
code the grader executes there); with no kernel, :func:`respond` serves it
from a namespace dict (the master notebook's own run under nbval).
"""

from __future__ import annotations

import base64
import json
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "MAX_PAYLOAD",
    "MIME",
    "ExchangeError",
    "Unsupported",
    "decode",
    "encode",
    "request_source",
    "respond",
    "serve",
]

#: The display MIME type a response travels under on the kernel's IOPub channel.
MIME = "text/x-langevin-coursework-response"
#: Largest response accepted, in characters of JSON.
MAX_PAYLOAD = 32 * 1024 * 1024
_MAX_DEPTH = 12
_MAX_ITEMS = 100_000
_MAX_TEXT = 100_000
_ARRAY_KINDS = "biufc"


class ExchangeError(ValueError):
    """A payload that is not a well-formed answer (too large, too deep, unknown tag, bad array)."""


@dataclass(frozen=True)
class Unsupported:
    """A value that cannot travel as data (a function, a class instance...): only its type name does."""

    type_name: str

    def __str__(self) -> str:
        return f"a value of type {self.type_name}"


@dataclass(frozen=True)
class Build:
    """An input built *inside* the kernel from a Python expression in ``np`` and ``ll``.

    For inputs that are not data: a regression problem, a drift function
    (``"lambda z: -z**3"``). See :class:`langevin_lib.coursework.answers.build`.
    """

    expression: str


def encode(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON-ready data (see the module docstring); never raises on odd values."""
    if depth > _MAX_DEPTH:
        return {"$": "unsupported", "type": "nesting deeper than the exchange allows"}
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**63 else float(value)
    if isinstance(value, float):
        return value if np.isfinite(value) else {"$": "float", "repr": repr(value)}
    if isinstance(value, complex):
        return {"$": "complex", "re": encode(value.real), "im": encode(value.imag)}
    if isinstance(value, Build):
        return {"$": "build", "expression": value.expression}
    if isinstance(value, np.generic) and value.dtype.kind in _ARRAY_KINDS:
        return encode(value.item(), depth)
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in _ARRAY_KINDS:
            return {"$": "unsupported", "type": f"array of {value.dtype}"}
        array = np.ascontiguousarray(value)
        dtype = array.dtype.newbyteorder("<") if array.dtype.byteorder == ">" else array.dtype
        array = array.astype(dtype, copy=False)
        return {
            "$": "array",
            "dtype": array.dtype.str,
            "shape": list(array.shape),
            "data": base64.b64encode(array.tobytes()).decode("ascii"),
        }
    if isinstance(value, list | tuple):
        return [encode(item, depth + 1) for item in value]
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {"$": "dict", "items": [[key, encode(item, depth + 1)] for key, item in value.items()]}
    return {"$": "unsupported", "type": type(value).__name__}


def decode(data: Any, depth: int = 0) -> Any:
    """The value encoded by :func:`encode`; raise :class:`ExchangeError` on anything malformed."""
    if depth > _MAX_DEPTH + 1:
        raise ExchangeError("nested too deeply")
    if data is None or isinstance(data, bool | int | float):
        return data
    if isinstance(data, str):
        if len(data) > _MAX_TEXT:
            raise ExchangeError("a string longer than the exchange allows")
        return data
    if isinstance(data, list):
        if len(data) > _MAX_ITEMS:
            raise ExchangeError("a list longer than the exchange allows")
        return [decode(item, depth + 1) for item in data]
    if not isinstance(data, dict):
        raise ExchangeError(f"unexpected JSON value of type {type(data).__name__}")
    tag = data.get("$")
    if tag == "float" and data.get("repr") in ("nan", "inf", "-inf"):
        return float(data["repr"])
    if tag == "complex":
        re, im = decode(data.get("re"), depth + 1), decode(data.get("im"), depth + 1)
        if not all(isinstance(part, int | float) and not isinstance(part, bool) for part in (re, im)):
            raise ExchangeError("a complex number needs two real parts")
        return complex(re, im)
    if tag == "build" and isinstance(data.get("expression"), str):
        return Build(data["expression"])
    if tag == "unsupported":
        return Unsupported(str(data.get("type", "unknown"))[:200])
    if tag == "dict" and isinstance(data.get("items"), list) and len(data["items"]) <= _MAX_ITEMS:
        out = {}
        for pair in data["items"]:
            if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
                raise ExchangeError("a dict entry must be a [key, value] pair with a string key")
            out[pair[0]] = decode(pair[1], depth + 1)
        return out
    if tag == "array":
        return _decode_array(data)
    raise ExchangeError(f"unknown tag {str(tag)[:40]!r}")


def _decode_array(data: dict[str, Any]) -> np.ndarray:
    dtype_text, shape, payload = data.get("dtype"), data.get("shape"), data.get("data")
    if not (isinstance(dtype_text, str) and isinstance(shape, list) and isinstance(payload, str)):
        raise ExchangeError("an array needs a dtype, a shape and data")
    try:
        dtype = np.dtype(dtype_text)
    except TypeError as exc:
        raise ExchangeError(f"unknown dtype {dtype_text[:40]!r}") from exc
    if dtype.kind not in _ARRAY_KINDS or dtype.hasobject or dtype.fields is not None or dtype.itemsize > 16:
        raise ExchangeError(f"dtype {dtype_text[:40]!r} is not a plain number type")
    if len(shape) > 32 or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape):
        raise ExchangeError("an array shape must be a short list of non-negative integers")
    size = 1
    for n in shape:
        size *= n
    raw = base64.b64decode(payload.encode("ascii"), validate=True)
    if len(raw) != size * dtype.itemsize:
        raise ExchangeError("the array's data does not match its dtype and shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def loads(text: str) -> Any:
    """Parse a response's JSON text (size-checked; no NaN literals) and decode it."""
    if len(text) > MAX_PAYLOAD:
        raise ExchangeError(f"a response larger than {MAX_PAYLOAD // 2**20} MiB")

    def no_constants(name: str) -> Any:
        raise ExchangeError(f"the JSON literal {name} is not allowed")

    try:
        return json.loads(text, parse_constant=no_constants)
    except (RecursionError, json.JSONDecodeError, ValueError) as exc:
        raise ExchangeError(f"not valid JSON: {str(exc)[:100]}") from exc


def respond(request: dict[str, Any], namespace: dict[str, Any]) -> dict[str, Any]:
    """Answer one request from the variables in ``namespace`` (runs where the student's code runs).

    A request is ``{"op": "value", "name": NAME}`` or
    ``{"op": "call", "name": NAME, "args": [...], "kwargs": {...}}`` with
    encoded arguments. The response is ``{"$": "ok", "value": ...}``,
    ``{"$": "missing", "name": NAME}`` or ``{"$": "raised", "type": ..., "message": ...}``.
    """
    name = request.get("name")
    if not isinstance(name, str) or name not in namespace:
        return {"$": "missing", "name": str(name)}
    try:
        target = namespace[name]
        if request.get("op") == "call":
            args = [_built(decode(item), namespace) for item in request.get("args", [])]
            kwargs = {key: _built(decode(item), namespace) for key, item in request.get("kwargs", {}).items()}
            target = target(*args, **kwargs)
        return {"$": "ok", "value": encode(target)}
    except Exception as exc:  # the student's function may raise anything: that is its answer
        return {"$": "raised", "type": type(exc).__name__, "message": str(exc)[:500]}


def _built(value: Any, namespace: dict[str, Any]) -> Any:
    if not isinstance(value, Build):
        return value
    import langevin_lib

    return eval(value.expression, {"np": np, "ll": langevin_lib})


def request_source(request: dict[str, Any]) -> str:
    """The one line the grader executes in the student's kernel to serve ``request``."""
    return f"__import__('langevin_lib.coursework.exchange', fromlist=['serve']).serve({json.dumps(request)!r})"


def serve(request_json: str) -> None:
    """Serve a request in an IPython kernel: answer it from the user's namespace, publish the JSON."""
    from IPython import get_ipython

    shell = get_ipython()
    namespace = shell.user_ns if shell is not None else vars(sys.modules["__main__"])
    response = respond(json.loads(request_json), namespace)
    try:
        text = json.dumps(response, allow_nan=False)
    except (TypeError, ValueError) as exc:
        text = json.dumps({"$": "raised", "type": "ExchangeError", "message": str(exc)[:200]})
    if len(text) > MAX_PAYLOAD:
        text = json.dumps({"$": "raised", "type": "ExchangeError", "message": "the answer is too large to send"})
    if shell is None:
        print(text)
    else:
        shell.display_pub.publish(data={MIME: text}, metadata={})
