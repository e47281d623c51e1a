"""JSON documents of array expressions: shapes, parameters and data round-trip exactly;
a malformed array document raises GraphError; scalar documents stay version 1."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphir as gi
from graphir.bridges.json_io import from_json, to_json
from tests.arrays.test_rules import CASES, instances


def _same_graph(a: gi.Expr, b: gi.Expr) -> None:
    """The same nodes (op, shape, parameter), whatever order the variables come in."""
    def nodes(e: gi.Expr) -> list[str]:
        return sorted(repr((e.ir.ops[i], e.ir.shapes[i], e.ir.params[i])) for i in e.order)

    assert nodes(a) == nodes(b)


@pytest.mark.parametrize("op", sorted(CASES))
@settings(max_examples=10)
@given(data=st.data())
def test_every_array_op_round_trips(op: str, data: st.DataObject) -> None:
    e, values, _ = data.draw(instances(op))
    text = to_json(e)
    back = from_json(text)
    _same_graph(e, back)
    assert str(back) == str(e) and back.shape == e.shape
    assert to_json(back) == text
    assert json.loads(text) == json.loads(json.dumps(json.loads(text), sort_keys=True))
    np.testing.assert_array_equal(back.eval(values), e.eval(values))
    for d in gi.vjp(e, [np.ones(e.shape)], list(values)):  # the adjoint ops (unindex, sum_to...) too
        again = from_json(to_json(d))
        assert to_json(again) == to_json(d)
        np.testing.assert_array_equal(again.eval(values), d.eval(values))


def test_data_constants_keep_every_bit_and_their_names() -> None:
    entries = [-0.0, 0.0, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 0.1, 1 / 3,
               np.inf, -np.inf, np.nan]
    X = gi.constant(np.array(entries).reshape(2, 5), name="X")
    u = gi.constant(np.array([1e-300, -2.5]))
    w = gi.symbols("w", shape=(5,))
    e = gi.sum(X @ w) + u[1]
    back = from_json(to_json(e))
    datas = [back.ir.params[i] for i in back.order if back.ir.ops[i] == "data"]
    assert [d.name for d in datas] == ["X", None]
    assert datas[0].array.tobytes() == X.ir.params[X.node].array.tobytes()
    assert datas[1].array.tobytes() == u.ir.params[u.node].array.tobytes()
    assert str(back) == str(e)


def test_versions() -> None:
    x = gi.symbols("x")
    assert json.loads(to_json(gi.sin(x)))["version"] == 1  # no arrays: readable by every graphir
    v = gi.symbols("v", shape=(2,))
    assert json.loads(to_json(gi.sum(v)))["version"] == 2
    assert json.loads(to_json(v * 2.0))["version"] == 2
    old = ('{"format": "graphir", "nodes": [{"id": 0, "name": "x", "op": "var"}], "outputs": [0], '
           '"single": true, "version": 1}')
    assert from_json(old).shape == ()


def _doc(nodes: list[dict[str, Any]], out: int | None = None) -> str:
    return json.dumps({"format": "graphir", "version": 2, "nodes": nodes,
                       "outputs": [nodes[-1]["id"] if out is None else out], "single": True})


V = {"id": 0, "op": "var", "name": "v", "shape": [2, 3]}

BAD: list[tuple[list[dict[str, Any]], str]] = [
    ([{**V, "shape": [2, -1]}], "shape must be a list of non-negative integers"),
    ([{**V, "shape": 3}], "shape must be a list"),
    ([{**V, "shape": [True]}], "shape must be a list"),
    ([{"id": 0, "op": "data", "shape": [2], "values": [1.0]}], "'values' must list the 2 entries"),
    ([{"id": 0, "op": "data", "shape": [2], "values": [1.0, "x"]}], "not a number"),
    ([{"id": 0, "op": "data", "shape": [1], "values": [1.0], "name": "sin"}], "not a valid name"),
    ([{"id": 0, "op": "data", "values": [1.0]}], "shape must be a list"),
    ([{"id": 0, "op": "data", "shape": [10**12], "values": []}], "'values' must list"),
    ([V, {"id": 1, "op": "sum", "args": [0], "param": 2}], "axis 2 is out of range"),
    ([V, {"id": 1, "op": "sum", "args": [0], "param": -1}], "not in normal form"),
    ([V, {"id": 1, "op": "sum", "args": [0], "param": "0"}], "axis is an int"),
    ([V, {"id": 1, "op": "sum", "args": [0]}], "has no param"),
    ([V, {"id": 1, "op": "sin", "args": [0], "param": 1}], "takes no param"),
    ([V, {"id": 1, "op": "softmax", "args": [0], "param": {"a": 1}}], "axis is an int"),
    ([V, {"id": 1, "op": "transpose", "args": [0], "param": [0, 0]}], "no permutation"),
    ([V, {"id": 1, "op": "transpose", "args": [0], "param": [0, 1, 2]}], "out of range"),
    ([V, {"id": 1, "op": "index", "args": [0], "param": [2]}], "out of range"),
    ([V, {"id": 1, "op": "index", "args": [0], "param": [-1]}], "not in normal form"),
    ([V, {"id": 1, "op": "index", "args": [0], "param": [0, ["slice", 0, 5, 1]]}], "not in normal form"),
    ([V, {"id": 1, "op": "index", "args": [0], "param": [["slice", 0, 2, 0]]}], "step 0"),
    ([V, {"id": 1, "op": "index", "args": [0], "param": [["range", 0, 2, 1]]}], "slice"),
    ([V, {"id": 1, "op": "index", "args": [0], "param": 0}], "an index key is a list"),
    ([V, {"id": 1, "op": "unindex", "args": [0], "param": [[0], [3, 3]]}], "does not fit"),
    ([V, {"id": 1, "op": "unindex", "args": [0], "param": [0]}], "[key, shape]"),
    ([V, {"id": 1, "op": "reshape", "args": [0], "param": [5]}], "6 entries != 5"),
    ([V, {"id": 1, "op": "reshape", "args": [0], "param": 6}], "not in normal form"),
    ([V, {"id": 1, "op": "broadcast_to", "args": [0], "param": [2, 2]}], "broadcast"),
    ([V, {"id": 1, "op": "broadcast_to", "args": [0], "param": [10**30, 2, 3]}], "node 1 (broadcast_to)"),
    ([V, {"id": 1, "op": "sum_to", "args": [0], "param": [4]}], "does not sum to"),
    ([V, {"id": 1, "op": "matmul", "args": [0, 0]}], "matmul: (2, 3) @ (2, 3): 3 != 2"),
    ([V, {"id": 1, "op": "stack", "args": []}], "one or more"),
    ([V, {"id": 1, "op": "var", "name": "v"}, {"id": 2, "op": "add", "args": [0, 1]}], "has shape (2, 3)"),
    ([V, {"id": 1, "op": "add", "args": [0, 0], "param": None}], None),  # a null param is no param
]


@pytest.mark.parametrize("nodes, message", BAD, ids=[str(k) for k in range(len(BAD))])
def test_malformed_array_documents_raise_graph_error(nodes: list[dict[str, Any]], message: Any) -> None:
    if message is None:
        assert from_json(_doc(nodes)).shape == (2, 3)
        return
    with pytest.raises(gi.GraphError) as info:
        from_json(_doc(nodes))
    assert message in str(info.value)
    assert "\n" not in str(info.value)
