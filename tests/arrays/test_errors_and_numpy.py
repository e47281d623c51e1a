"""Shape errors when an array expression is built or evaluated, NumPy functions on
expressions and on object arrays of expressions, transposes and indexing."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import graphir as gi
from graphir.build import _apply

A = gi.symbols("A", shape=(2, 3))
v = gi.symbols("v", shape=(2,))
T = gi.symbols("T", shape=(2, 3, 4))
s = gi.symbols("s")

# op -> a build that does not fit, and the pieces its message must name
BAD_BUILDS: dict[str, tuple[Callable[[], Any], tuple[str, ...]]] = {
    "matmul": (lambda: A @ v, ("matmul", "(2, 3)", "(2,)", "3 != 2")),
    "matmul 3-D": (lambda: T @ v, ("matmul", "(2, 3, 4)", "(2,)")),
    "matmul scalar": (lambda: gi.matmul(s, v), ("matmul", "()", "(2,)")),
    "sum": (lambda: gi.sum(A, axis=2), ("sum", "axis 2", "(2, 3)")),
    "mean": (lambda: gi.mean(A, axis=-3), ("mean", "axis -3", "(2, 3)")),
    "transpose": (lambda: gi.transpose(A, (0, 0)), ("transpose", "(0, 0)", "(2, 3)")),
    "index": (lambda: A[2], ("index", "2", "(2, 3)")),
    "index negative": (lambda: A[0, -4], ("index", "-4", "(2, 3)")),
    "index too many": (lambda: A[0, 0, 0], ("index", "3 indices", "(2, 3)")),
    "unindex": (lambda: _apply("unindex", v, param=((0,), (2, 3))), ("unindex", "(2,)", "(2, 3)")),
    "reshape": (lambda: gi.reshape(A, (4,)), ("reshape", "(2, 3)", "(4,)")),
    "broadcast_to": (lambda: gi.broadcast_to(A, (3, 3)), ("broadcast_to", "(2, 3)", "(3, 3)")),
    "sum_to": (lambda: gi.sum_to(A, (3, 3)), ("sum_to", "(2, 3)", "(3, 3)")),
    "logsumexp": (lambda: gi.logsumexp(A, axis=5), ("logsumexp", "axis 5", "(2, 3)")),
    "softmax": (lambda: gi.softmax(A, axis=2), ("softmax", "axis 2", "(2, 3)")),
    "softmax scalar": (lambda: gi.softmax(s), ("softmax", "scalar")),
    "stack": (lambda: gi.stack([A, v]), ("stack", "(2, 3)", "(2,)")),
    "stack empty": (lambda: gi.stack([]), ("stack", "nothing")),
    "add": (lambda: A + v, ("add", "(2, 3) + (2,)")),
    "mul ndarray": (lambda: A * np.ones(4), ("mul", "(2, 3) * (4,)")),
    "pow": (lambda: A**v, ("pow", "(2, 3) ** (2,)")),
    "maximum": (lambda: gi.maximum(A, v), ("maximum", "(2, 3), (2,)")),
}


@pytest.mark.parametrize("case", sorted(BAD_BUILDS))
def test_shape_error_at_build_names_op_and_shapes(case: str) -> None:
    build, pieces = BAD_BUILDS[case]
    with pytest.raises(gi.ShapeError) as info:
        build()
    message = str(info.value)
    assert "\n" not in message
    for piece in pieces:
        assert piece in message, (piece, message)


def test_every_array_record_has_a_bad_build() -> None:
    from graphir import primitives

    ops = {p.name for p in primitives.PRIMITIVES.values() if not p.elementwise}
    assert ops <= {case.split()[0] for case in BAD_BUILDS}


def test_matmul_message_is_exact() -> None:
    with pytest.raises(gi.ShapeError, match=re.escape("matmul: (2, 3) @ (2,): 3 != 2")):
        gi.matmul(A, v)


@pytest.mark.parametrize("how", ["eval", "lambdify"])
def test_value_of_wrong_shape_is_an_eval_error(how: str) -> None:
    e = gi.sum(A @ np.ones(3))
    bad = np.ones((3, 2))
    with pytest.raises(gi.EvalError, match=re.escape("'A' has shape (2, 3), but its value has shape (3, 2)")):
        if how == "eval":
            e.eval(A=bad)
        else:
            gi.lambdify(e, [A])(bad)


@pytest.mark.parametrize("how", ["eval", "lambdify"])
def test_scalar_variable_with_arrays_takes_one_number(how: str) -> None:
    e = gi.sum(A) * s
    with pytest.raises(gi.EvalError, match="'s' is a scalar"):
        if how == "eval":
            e.eval(A=np.ones((2, 3)), s=np.ones(2))
        else:
            gi.lambdify(e, [A, s])(np.ones((2, 3)), np.ones(2))
    assert e.eval(A=np.ones((2, 3)), s=2.0) == 12.0


def test_shaped_variables_of_different_shapes_evaluate_together() -> None:
    # two shaped variables whose shapes do not broadcast are not "many points" (fixed)
    a, b = gi.symbols("a", shape=(1, 2)), gi.symbols("b", shape=(2, 3))
    pa, pb = np.array([[1.0, 2.0]]), np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal((a @ b).eval(a=pa, b=pb), pa @ pb)
    np.testing.assert_array_equal(gi.lambdify(a @ b, [a, b])(pa, pb), pa @ pb)


def test_numpy_functions_on_expressions() -> None:
    x = gi.symbols("x", shape=(3,))
    M = gi.symbols("M", shape=(2, 3))
    px, pm = np.array([0.5, -1.0, 2.0]), np.arange(6.0).reshape(2, 3)
    cases = [
        (np.exp(x), np.exp(px)),
        (np.sum(x), np.sum(px)),
        (np.sum(M, axis=0), np.sum(pm, axis=0)),
        (np.mean(M, axis=1), np.mean(pm, axis=1)),
        (np.dot(x, x), np.dot(px, px)),
        (np.matmul(M, x), pm @ px),
        (np.dot(np.ones((2, 3)), x), np.ones((2, 3)) @ px),
        (np.ones((2, 3)) @ x, np.ones((2, 3)) @ px),
        (np.transpose(M), pm.T),
        (x.exp(), np.exp(px)),
    ]
    for e, want in cases:
        assert isinstance(e, gi.Expr)
        got = e.eval({n.name: {"x": px, "M": pm}[n.name] for n in e.variables})
        np.testing.assert_allclose(got, want, rtol=1e-15)
        assert e.shape == np.shape(want)


def test_numpy_functions_on_object_arrays_of_expressions() -> None:
    x, y = gi.symbols("x y")
    arr = np.array([x, y], dtype=object)
    point = {"x": 0.3, "y": -1.2}
    pv = np.array([0.3, -1.2])
    ex = np.exp(arr)
    assert ex.dtype == object and [str(e) for e in ex] == ["exp(x)", "exp(y)"]
    assert np.sum(arr).eval(point) == pytest.approx(pv.sum())
    assert np.dot(arr, arr).eval(point) == pytest.approx(pv @ pv)
    mat = np.array([[x, y], [y, x]], dtype=object)
    prod = np.matmul(mat, arr)
    assert prod.shape == (2,)
    pm = np.array([[0.3, -1.2], [-1.2, 0.3]])
    np.testing.assert_allclose([e.eval(point) for e in prod], pm @ pv)


def test_transpose_and_indexing_values() -> None:
    x = gi.symbols("x", shape=(4,))
    M = gi.symbols("M", shape=(2, 3))
    px, pm = np.array([1.0, 2.0, 3.0, 5.0]), np.arange(6.0).reshape(2, 3)
    assert M.T.shape == (3, 2) and str(x.T) == "x"
    np.testing.assert_array_equal(M.T.eval(M=pm), pm.T)
    keys = [slice(1, None), slice(-3), (0, 1), -1, (-1, -2), (slice(None), 1), (1, slice(0, None, 2))]
    for key in keys:
        e = M[key] if isinstance(key, tuple) or key == -1 else x[key]
        want = pm[key] if isinstance(key, tuple) or key == -1 else px[key]
        np.testing.assert_array_equal(e.eval({n.name: {"x": px, "M": pm}[n.name] for n in e.variables}), want)
        assert e.shape == np.shape(want)
    assert str(x[1:]) == "x[1:]" and str(x[:-1]) == "x[:3]" and str(M[0, 1]) == "M[0, 1]"
    assert x[-1].ir.params[x[-1].node] == x[3].ir.params[x[3].node]  # negative keys are normalised
