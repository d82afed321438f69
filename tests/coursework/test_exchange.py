"""The answer exchange and the hidden tests' vocabulary, without a kernel: what travels, what is refused."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from langevin_lib.coursework.answers import (
    Mismatch,
    StudentError,
    between,
    build,
    call,
    close,
    equal,
    student_session,
    value,
)
from langevin_lib.coursework.exchange import ExchangeError, Unsupported, decode, encode, loads, respond


def roundtrip(x):
    return decode(loads(json.dumps(encode(x), allow_nan=False)))


def test_data_travels_by_value():
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    out = roundtrip(array)
    assert out.dtype == np.float32 and np.array_equal(out, array) and out.flags.writeable
    big_endian = np.array([1.5, -2.0], dtype=">f8")
    assert np.array_equal(roundtrip(big_endian), [1.5, -2.0])
    assert roundtrip([1, 2.5, True, None, "s", (3, 4)]) == [1, 2.5, True, None, "s", [3, 4]]
    assert roundtrip({"a": np.float64(2.0), "b": np.bool_(False)}) == {"a": 2.0, "b": False}
    assert roundtrip(1 + 2j) == 1 + 2j
    nan, inf = roundtrip([float("nan"), -float("inf")])
    assert np.isnan(nan) and inf == -np.inf


def test_what_is_not_data_travels_as_its_type_name_only():
    class Liar(float):
        def __eq__(self, other):
            return True

    assert roundtrip(lambda x: x) == Unsupported("function")
    assert roundtrip(...) == Unsupported("ellipsis")
    assert roundtrip(np.array([object()])) == Unsupported("array of object")
    assert type(roundtrip(Liar(3.0))) is float  # a float subclass arrives as the plain float it holds
    assert roundtrip({1: "x"}) == Unsupported("dict")


def _array(dtype: str, shape: list, data: bytes) -> dict:
    return {"$": "array", "dtype": dtype, "shape": shape, "data": base64.b64encode(data).decode()}


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (_array("|O", [1], b"\0" * 8), "not a plain number type"),
        (_array("<f8", [2], b"\0" * 8), "does not match"),
        (_array("<f8", [-1], b""), "shape"),
        (_array("V8", [1], b"\0" * 8), "not a plain number type"),
        ({"$": "pickle", "data": "gASV"}, "unknown tag"),
        ({"$": "dict", "items": [[1, 2]]}, "string key"),
        ("x" * 200_000, "string longer"),
    ],
)
def test_hostile_payloads_are_refused(payload, message):
    with pytest.raises(ExchangeError, match=message):
        decode(payload)


def test_hostile_json_is_refused():
    with pytest.raises(ExchangeError, match="NaN is not allowed"):
        loads("[NaN]")
    with pytest.raises(ExchangeError, match="not valid JSON"):
        loads("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ExchangeError, match="not valid JSON"):
        loads("{oops")


def test_respond_reads_values_calls_functions_and_reports_failures():
    namespace = {"x": np.array([1.0, 2.0]), "double": lambda v: 2 * v, "stub": _raise}
    assert respond({"op": "value", "name": "x"}, namespace)["$"] == "ok"
    reply = respond({"op": "call", "name": "double", "args": [encode(np.array([3.0]))], "kwargs": {}}, namespace)
    assert np.array_equal(decode(reply["value"]), [6.0])
    built = {"op": "call", "name": "double", "args": [encode(build("ll.Quadratic([1.0], 0.0).dim"))], "kwargs": {}}
    assert decode(respond(built, namespace)["value"]) == 2
    assert respond({"op": "value", "name": "y"}, namespace) == {"$": "missing", "name": "y"}
    raised = respond({"op": "call", "name": "stub", "args": [], "kwargs": {}}, namespace)
    assert raised == {"$": "raised", "type": "NotImplementedError", "message": "write this part"}


def _raise():
    raise NotImplementedError("write this part")


def session(namespace):
    return student_session(lambda request: json.dumps(respond(request, namespace)))


def test_the_vocabulary_reads_the_student_and_compares_here():
    namespace = {"lam": 2.0, "arr": [1.0, 2.0], "flag": False, "double": lambda v: 2 * v, "todo": ..., "stub": _raise}
    with session(namespace):
        close(value("lam"), 2.0 + 1e-12, "lam", rtol=1e-10)
        close(value("arr"), np.array([1.0, 2.0]), "arr")
        close(call("double", np.array([1.0, -1.0])), [2.0, -2.0], "double")
        between(value("lam"), 1.9, 2.1, "lam")
        equal(value("flag"), False, "flag")
        with pytest.raises(Mismatch, match="lam: not within the tolerance"):
            close(value("lam"), 2.1, "lam", rtol=1e-3)
        with pytest.raises(Mismatch, match=r"shape \(2,\) where \(3,\)"):
            close(value("arr"), [1.0, 2.0, 3.0], "arr")
        with pytest.raises(Mismatch, match="not answered yet"):
            close(value("todo"), 1.0, "todo")
        with pytest.raises(Mismatch, match="expected numbers, got a value of type function"):
            close(value("double"), 1.0, "double")
        with pytest.raises(Mismatch, match="not the expected bool"):
            equal(value("lam"), False, "flag")
        with pytest.raises(Mismatch, match="outside the accepted range"):
            between(value("lam"), 0.0, 1.0, "lam")
        with pytest.raises(StudentError, match="missing is not defined"):
            value("missing")
        with pytest.raises(StudentError, match="stub raised NotImplementedError"):
            call("stub")


def test_failure_messages_never_show_the_expected_value():
    with session({"x": 1.0}), pytest.raises(Mismatch) as info:
        close(value("x"), 123.456, "x")
    assert "123" not in str(info.value)


def test_forged_or_garbled_responses_are_a_student_error():
    for text in ("not json", json.dumps({"$": "ok", "value": {"$": "pickle"}}), "[]"):
        with student_session(lambda request, text=text: text), pytest.raises(StudentError, match="could not be read"):
            value("x")
    with pytest.raises(ValueError, match="identifier"):
        value("x; import os")
