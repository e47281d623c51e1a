"""check_partials on array expressions: every array op's jvp and vjp rule is checked at its
node, a wrong one is named, and elementwise rules are checked at entries of arrays."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import graphir as gi
from graphir import primitives
from graphir.numeric.gradcheck import check_partials
from tests.arrays.test_rules import CASES, instances


@pytest.mark.parametrize("op", sorted(CASES))
@settings(max_examples=6)
@given(data=st.data())
def test_every_array_rule_is_checked_and_agrees(op: str, data: st.DataObject) -> None:
    e, values, _ = data.draw(instances(op))
    assume(op in e.ir.ops)
    r = check_partials(e, values)
    assert r.ok, str(r)
    mine = [c for c in r.results if c.op == op]
    arity = max(len(e.ir.args[i]) for i in e.order if e.ir.ops[i] == op)
    want = {(kind, j) for kind in ("jvp", "vjp") for j in range(arity)}
    assert {(c.rule.split()[0], c.operand) for c in mine} == want
    assert all(c.status == "ok" for c in mine), [c.note for c in mine]


@pytest.fixture
def broken() -> Iterator[None]:
    """The sum record with a vjp rule that forgets to broadcast (a wrong factor 2 instead)."""
    good = primitives.PRIMITIVES["sum"]
    primitives.PRIMITIVES["sum"] = dataclasses.replace(
        good, vjp=lambda b, k, out, g, x: good.vjp(b, k, out, g, x) * 2.0)
    try:
        yield
    finally:
        primitives.PRIMITIVES["sum"] = good


def test_a_wrong_vjp_rule_is_named(broken: None) -> None:
    W = gi.symbols("W", shape=(2, 3))
    r = check_partials(gi.sum(gi.sin(W), axis=0), {"W": np.arange(6.0).reshape(2, 3) / 5})
    assert not r.ok
    assert r.wrong_rules() == [("sum", 0)]
    (bad,) = r.failures
    assert bad.rule.startswith("vjp by x")
    assert bad.rule_value == pytest.approx(2 * bad.fd_value, rel=1e-8)
    text = str(r)
    assert "WRONG" in text and "sum(sin(W), axis=0)" in text and "vjp" in text
    assert json.loads(r.to_json())["wrong_rules"] == [{"op": "sum", "operand": 0}]


def test_wrong_partial_of_a_user_primitive_on_arrays() -> None:
    cube = gi.register_primitive("cube_arr", lambda x: x**3, [lambda b, out, x: 2.0 * x * x])
    try:
        v = gi.symbols("v", shape=(5,))
        A = gi.constant(np.eye(5)[:3], name="A")
        r = check_partials(gi.sum(A @ cube(v)), {"v": [0.5, 1.0, 1.5, 2.0, 2.5]})
        assert r.wrong_rules() == [("cube_arr", 0)]
        assert [c.entry for c in r.failures] == [(0,), (2,), (4,)]
        assert [c.operand_values for c in r.failures] == [[0.5], [1.5], [2.5]]
        assert "entry (0,): operands 0.5" in str(r) and "v=[0.5, 1, 1.5, 2, 2.5]" in str(r)
        assert {c.op for c in r.results if c.status == "ok"} == {"matmul", "sum"}
    finally:
        gi.unregister_primitive("cube_arr")


def test_sampled_points_of_an_array_expression() -> None:
    x = gi.symbols("x", shape=(3,))
    r = check_partials(gi.logsumexp(gi.log(x)) * gi.symbols("s"), samples=2)
    assert r.ok and len(r.points) == 2
    assert all(np.all(np.array(p["x"]) > 0) and np.ndim(p["s"]) == 0 for p in r.points)


def test_a_wrong_shape_at_the_point_is_an_eval_error() -> None:
    x = gi.symbols("x", shape=(3,))
    with pytest.raises(gi.EvalError, match=r"shape \(3,\)"):
        check_partials(gi.sum(x), {"x": [1.0, 2.0]})
