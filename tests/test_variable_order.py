"""Issue 9, item 3: variables come back in the order they were created, everywhere."""

from __future__ import annotations

import numpy as np
import pytest

import graphir as gi
from graphir.arguments import variables_of
from graphir.cli import main

AT = {"w": 1.0, "b": 2.0}


def loss() -> gi.Expr:
    w, b = gi.symbols("w b")
    return (b + 2 * w - 1) ** 2  # b appears first; w was created first


def names(exprs) -> list[str]:
    return [v.name for v in exprs]


def test_variables_and_value_and_grad_follow_symbols():
    L = loss()
    assert names(L.variables) == ["w", "b"]
    value, g = gi.value_and_grad(L, AT)
    assert value == 9.0
    np.testing.assert_array_equal(g, [12.0, 6.0])  # [dL/dw, dL/db]
    for mode in ("forward", "reverse"):
        _, g = gi.value_and_grad(L, AT, mode=mode)
        np.testing.assert_array_equal(g, [12.0, 6.0])


def test_grad_jacobian_hessian_follow_symbols():
    L = loss()
    assert [d.eval(AT) for d in gi.grad(L)] == [12.0, 6.0]
    assert [d.eval(AT) for d in gi.jacobian([L])[0]] == [12.0, 6.0]
    assert [[h.eval(AT) for h in row] for row in gi.hessian(L)] == [[8.0, 4.0], [4.0, 2.0]]


def test_trace_table_numbers_inputs_in_creation_order():
    t = gi.trace_table(loss(), AT)
    assert t.variables == ["w", "b"]
    text = str(t)
    assert "v_-1  = w" in text and "v_0   = b" in text
    assert list(t.result) == ["w", "b"]


def test_picture_numbers_inputs_in_creation_order():
    from graphir.pictures.model import picture

    p = picture(loss(), at=AT)
    inputs = [i for i in p.nodes if p.kind[i] == "input"]
    assert [p.graph.params[i] for i in inputs] == ["w", "b"]
    assert [p.names[i] for i in inputs] == ["v₋₁", "v₀"]


def test_trace_and_parse():
    f = gi.trace(lambda b, w: w * b + 1)
    assert names(f.variables) == ["b", "w"]
    assert names(gi.parse("b*w + a").variables) == ["b", "w", "a"]


def test_order_survives_merging_graphs():
    x = gi.symbols("x")
    y = gi.symbols("y")
    big = gi.sin(gi.cos(y)) + 1  # the larger graph: x is copied into it
    assert names((big * x).variables) == ["x", "y"]
    assert variables_of([y * 2, x + 1]) == ["x", "y"]


def test_order_survives_json_and_sympy():
    L = loss()
    assert names(gi.from_json(gi.to_json(L)).variables) == ["w", "b"]
    x = gi.symbols("x")
    y = gi.symbols("y")
    merged = gi.sin(gi.cos(y)) * x  # y's ids come first, x was created first
    assert names(gi.from_json(gi.to_json(merged)).variables) == ["x", "y"]
    assert names(gi.simplify(L).variables) == ["w", "b"]
    assert names(gi.symbolic_grad(L)[0].variables) == ["w", "b"]


def test_from_sympy_orders_by_name_digits_as_numbers():
    sp = pytest.importorskip("sympy")
    b, x10, x2 = sp.symbols("b x10 x2")
    assert names(gi.from_sympy(x10 * x2 + b).variables) == ["b", "x2", "x10"]


def test_same_script_same_order():
    first = [names(loss().variables) for _ in range(3)]
    assert first == [["w", "b"]] * 3


def test_cli_diff_lists_partials_in_text_order(capsys):
    assert main(["diff", "b + 2*w"]) == 0
    assert capsys.readouterr().out.splitlines() == ["d/db = 1", "d/dw = 2"]
    assert main(["diff", "2*w + b"]) == 0
    assert capsys.readouterr().out.splitlines() == ["d/dw = 2", "d/db = 1"]
