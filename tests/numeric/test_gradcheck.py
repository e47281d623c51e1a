"""Per-node gradient check: a user's primitive with a wrong partial is found and named."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import graphir as gi
from graphir.numeric.gradcheck import check_partials


@pytest.fixture
def register():
    """Register primitives for one test and remove them afterwards (the registry is global)."""
    names = []

    def reg(name, np_fn, partials, **kw):
        names.append(name)
        return gi.register_primitive(name, np_fn, partials, **kw)

    yield reg
    for n in names:
        if n in gi.PRIMITIVES:
            gi.unregister_primitive(n)


def test_wrong_partial_of_a_registered_primitive_is_named(register):
    cube = register("cube_wrong", lambda x: x**3, [lambda b, out, x: 2.0 * x * x])  # should be 3*x*x
    x, y = gi.symbols("x y")
    f = gi.sin(cube(x)) + x * y
    r = check_partials(f, {"x": 1.3, "y": 0.4})
    assert not r.ok and not bool(r)
    assert r.wrong_rules() == [("cube_wrong", 0)]
    (bad,) = r.failures
    assert bad.op == "cube_wrong" and bad.operand == 0
    assert bad.formula == "cube_wrong(x)"
    assert bad.rule_value == pytest.approx(2 * 1.3**2)
    assert bad.fd_value == pytest.approx(3 * 1.3**2, rel=1e-10)
    assert bad.point == {"x": 1.3, "y": 0.4}
    text = str(r)
    assert "WRONG" in text and "cube_wrong" in text and "cube_wrong(x)" in text
    assert "2*x*x" in text  # the rule as written
    # Every other node's rules agree.
    assert {c.op for c in r.results if c.status == "ok"} == {"sin", "add", "mul"}
    data = json.loads(r.to_json())
    assert data["ok"] is False and data["wrong_rules"] == [{"op": "cube_wrong", "operand": 0}]


def test_right_partial_passes_and_works_in_eval_and_diff(register):
    cube = register("cube_right", lambda x: x**3, [lambda b, out, x: 3.0 * x * x])
    x = gi.symbols("x")
    f = cube(gi.sin(x))
    r = check_partials(f)  # sampled points
    assert r.ok, str(r)
    assert len(r.points) == 3 and "No rule disagrees." in str(r)
    assert f.eval(x=0.7) == pytest.approx(math.sin(0.7) ** 3)
    exact = 3 * math.sin(0.7) ** 2 * math.cos(0.7)
    for mode in ("forward", "reverse"):
        assert gi.diff(f, x, mode=mode).eval(x=0.7) == pytest.approx(exact, rel=1e-14)
    second = 6 * math.sin(0.7) * math.cos(0.7) ** 2 - 3 * math.sin(0.7) ** 3
    assert gi.diff(f, x, x).eval(x=0.7) == pytest.approx(second, rel=1e-13)
    assert gi.finite_difference(f, {"x": 0.7}, method="complex")[0] == pytest.approx(exact, rel=1e-14)
    # Text input finds the registered primitive too.
    assert gi.parse("cube_right(sin(x))").eval(x=0.7) == pytest.approx(math.sin(0.7) ** 3)


def test_second_operand_of_a_binary_primitive(register):
    # hyp(x, y) = sqrt(x^2 + y^2); the y-partial is wrong (x/out instead of y/out).
    hyp = register(
        "hyp_wrong",
        lambda x, y: np.sqrt(x * x + y * y),
        [lambda b, out, x, y: x / out, lambda b, out, x, y: x / out],
    )
    x, y = gi.symbols("x y")
    r = check_partials(hyp(x, 2 * y), {"x": 0.6, "y": 1.1})
    assert r.wrong_rules() == [("hyp_wrong", 1)]
    assert r.failures[0].operand_text == "2*y"


def test_builtin_rules_agree_everywhere_sampled():
    x, y, z = gi.symbols("x y z")
    f = (gi.log(x * x + 1) * gi.tanh(y) + gi.sqrt(gi.abs(z) + 1) / (2 + gi.cos(x))
         + gi.sigmoid(x - y) ** 3 + gi.atan(z) - gi.expm1(y / 4) + gi.log1p(x * x) + 2 ** x)
    r = check_partials(f, samples=4, seed=1)
    assert r.ok, str(r)
    assert len(r.points) == 4
    ops = {c.op for c in r.results}
    assert {"log", "tanh", "sqrt", "abs", "div", "cos", "sigmoid", "pow", "atan", "expm1", "log1p"} <= ops
    # Constant operands stay constants: pow's specialised rule x**2 -> 2*x is the one checked.
    r2 = check_partials(x ** 2, {"x": 1.5})
    assert any("2*x" in c.rule for c in r2.results if c.operand == 0)


def test_sampling_is_reproducible():
    x, y = gi.symbols("x y")
    f = gi.log(x) + y
    a = check_partials(f, seed=3)
    b = check_partials(f, seed=3)
    assert a.points == b.points
    assert all(p["x"] > 0 for p in a.points)  # only points where the expression is finite


def test_a_rule_that_raises_is_reported(register):
    def broken(b, out, x):
        raise RuntimeError("oops")

    f = register("broken_rule", np.sin, [broken])
    x = gi.symbols("x")
    r = check_partials(f(x), {"x": 0.3})
    assert r.wrong_rules() == [("broken_rule", 0)]
    assert "oops" in r.failures[0].rule
