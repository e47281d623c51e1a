"""The fast paths of the derivative passes and the caches (issue 11) build exactly what the
plain paths build: the same nodes in the same order, the same values.  (Speed itself is
measured in benchmarks/bench_passes.py, never here.)"""

from __future__ import annotations

import gc
import math
import struct

import numpy as np
import pytest

import graphir as gi
from graphir import primitives
from graphir.build import RuleKit, as_expr
from graphir.derivatives import _forward_pass, _reverse_pass
from graphir.ir import Graph, validate
from graphir.passes.chain import FAST_RULES, gc_paused, partial_node


def columns(g: Graph) -> tuple:
    return (list(g.ops), list(g.args), [repr(p) for p in g.params], list(g.shapes))


def operands(shape: tuple) -> tuple[Graph, int, list[int]]:
    g = Graph()
    return g, g.var("x", shape=shape), g.var("y", shape=shape)


# --------------------------------------------------------------- ids-only partial rules
FAST = [
    (op, k)
    for op, p in primitives.PRIMITIVES.items()
    for k, rule in enumerate(p.partials)
    if rule in FAST_RULES
]


def test_fast_rules_cover_the_common_ops():
    assert {op for op, _ in FAST} >= {"add", "sub", "mul", "div", "neg", "sin", "cos", "exp", "log"}


@pytest.mark.parametrize("shape", [(), (3,)])
@pytest.mark.parametrize(("op", "k"), FAST)
def test_fast_rule_builds_what_the_rule_builds(op, k, shape):
    built = []
    for fast in (False, True):
        g, x, y = operands(shape)
        g.const(2.0)
        n = g.apply(op, *[x, y][: primitives.get(op).arity])
        if fast:
            i = FAST_RULES[primitives.get(op).partials[k]](g, n, g.args[n])
        else:
            i = partial_node(g, RuleKit(g), n, k)
        built.append((i, columns(g)))
    assert built[0] == built[1]


# --------------------------------------------------------------- steps or no steps
SAFE = ["add", "sub", "mul", "neg", "sin", "cos", "tanh", "sinh"]
ALL = SAFE + ["div", "exp", "sqrt", "log", "pow", "abs", "sigmoid", "maximum"]


def random_expression(seed: int, ops: int = 300, names: list[str] = ALL):
    """A random expression of ``ops`` operations on a, b, c, d (and the constant 0.5)."""
    rng = np.random.default_rng(seed)
    xs = gi.symbols("a b c d")
    g = xs[0].ir
    pool = [x.node for x in xs] + [g.const(0.5)]
    for _ in range(ops):
        op = names[rng.integers(len(names))]
        a, b = (pool[-1 - int(rng.integers(min(len(pool), 20)))] for _ in range(2))
        pool.append(g.apply(op, *[a, b][: primitives.get(op).arity]))
    e = [gi.Expr(g, i) for i in pool]
    return e[-1] + e[-7] * e[-13], xs


def _copy(e):
    h = Graph()
    m = h.copy_from(e.ir, [e.node])
    return gi.Expr(h, m[e.node])


def _arrays():
    W = gi.symbols("W", shape=(2, 3))
    v = gi.symbols("v", shape=(3,))
    b = gi.symbols("b")
    return gi.sum(gi.tanh(W @ v + b) * gi.sin(v[0])) + b * b


CASES = [
    lambda: random_expression(0)[0],
    lambda: random_expression(1)[0],
    lambda: gi.parse("ln(x1) + x1*x2 - sin(x2)"),
    _arrays,
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_reverse_pass_builds_the_same_graph_without_steps(case):
    e = CASES[case]()
    with_steps, without = _copy(e), _copy(e)
    r1 = _reverse_pass(with_steps, record_steps=True)
    r2 = _reverse_pass(without, record_steps=False)
    assert r1.steps and not r2.steps
    assert columns(r1.graph) == columns(r2.graph)
    assert r1.derivatives == r2.derivatives and r1.order == r2.order
    validate(r2.graph)


@pytest.mark.parametrize("case", range(len(CASES)))
def test_forward_pass_builds_the_same_graph_without_steps(case):
    e = CASES[case]()
    with_steps, without = _copy(e), _copy(e)
    name = with_steps.variables[-1].name
    seed = 1.0 if not with_steps.variables[-1].shape else np.ones(with_steps.variables[-1].shape)
    r1 = _forward_pass(with_steps, {name: seed}, record_steps=True)
    r2 = _forward_pass(without, {name: seed}, record_steps=False)
    assert r1.steps and not r2.steps
    assert columns(r1.graph) == columns(r2.graph)
    assert r1.derivatives == r2.derivatives


def test_public_passes_keep_their_steps_and_grad_equals_them():
    e, xs = random_expression(2, ops=60, names=SAFE)
    r = gi.reverse_pass(e)
    assert len(r.steps) > 20
    grads = gi.grad(e)
    at = {"a": 0.3, "b": 0.7, "c": 1.1, "d": 0.4}
    for x, d in zip(e.variables, grads, strict=True):
        assert d.node == r.derivative_of(x.node)  # interned: the very same nodes
        assert d.eval(at) == gi.Expr(r.graph, r.derivative_of(x.node)).eval(at)


# --------------------------------------------------------------- garbage collector
def test_gc_paused_is_reentrant_and_restores():
    assert gc.isenabled()
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_gc_enabled_again_after_an_error_in_a_pass():
    x = gi.symbols("x")
    with pytest.raises(gi.ArgumentError):
        gi.grad(gi.sin(x), ["nope"])
    assert gc.isenabled()


# --------------------------------------------------------------- constants
def test_constants_interned_by_bit_pattern():
    g = Graph()
    nan2 = struct.unpack("<d", struct.pack("<Q", 0x7FF8000000000001))[0]
    ids = [g.const(v) for v in (0.0, -0.0, math.nan, nan2, 1.0, math.inf, -math.inf)]
    assert len(set(ids)) == 7
    assert [g.const(v) for v in (0.0, -0.0, float("nan"), nan2, 1, math.inf, -math.inf)] == ids
    assert g.const(np.float64(1.0)) == ids[4]
    validate(g)


# --------------------------------------------------------------- hashing
def test_hash_agrees_with_equality_across_graphs():
    x, y = gi.symbols("x y")
    e1 = gi.sin(x * y) + 2.0
    z, x2, y2 = gi.symbols("z x y")
    e2 = gi.sin(x2 * y2) + 2.0
    assert e1.ir is not e2.ir and e1 == e2 and hash(e1) == hash(e2)
    assert hash(as_expr(2.5)) == hash(2.5) and as_expr(2.5) == 2.5
    n1, n2 = as_expr(math.nan), _copy(as_expr(math.nan))
    assert n1 == n2 and hash(n1) == hash(n2)
    assert len({gi.sin(x), gi.cos(x), gi.sin(x), x * y, y * x}) == 4


def test_many_distinct_sums_in_a_set():
    x = gi.symbols("x")
    sums = [x + float(k) for k in range(8000)]
    assert len(set(sums)) == 8000
    assert len({s + 0.0 for s in sums}) == 8000


# --------------------------------------------------------------- caches
def test_value_and_grad_reuses_its_gradient():
    x, y = gi.symbols("x y")
    f = x * gi.sin(y) + y * y
    v1, g1 = gi.value_and_grad(f, {"x": 2.0, "y": 3.0})
    n = len(f.ir)
    v2, g2 = gi.value_and_grad(f, {"x": 0.5, "y": -1.0})
    assert len(f.ir) == n  # nothing differentiated again
    assert v2 == f.eval(x=0.5, y=-1.0)
    assert list(g2) == [d.eval(x=0.5, y=-1.0) for d in gi.grad(f)]
    _, g3 = gi.value_and_grad(f, {"x": 0.5, "y": -1.0}, wrt=[y])
    assert list(g3) == [g2[1]]
    _, g4 = gi.value_and_grad(f, {"x": 0.5, "y": -1.0}, mode="forward")
    assert list(g4) == list(g2)


def test_value_and_grad_sees_a_replaced_primitive():
    try:
        sq = gi.register_primitive("sqx", lambda x: x * x, [lambda b, out, x: 2.0 * x])
        x = gi.symbols("x")
        f = sq(x)
        assert gi.value_and_grad(f, {"x": 3.0})[1][0] == 6.0
        gi.register_primitive("sqx", lambda x: x * x, [lambda b, out, x: 3.0 * x], replace=True)
        assert gi.value_and_grad(f, {"x": 3.0})[1][0] == 9.0
    finally:
        gi.unregister_primitive("sqx")


def test_eval_reuses_its_order_and_stays_right():
    x, y = gi.symbols("x y")
    f = gi.sin(x) * y
    assert f.eval(x=1.0, y=2.0) == np.sin(1.0) * 2.0
    g = f + x  # the graph grows; the first expression means the same
    assert f.eval(x=1.0, y=3.0) == np.sin(1.0) * 3.0
    assert g.eval(x=1.0, y=3.0) == np.sin(1.0) * 3.0 + 1.0
    with pytest.raises(gi.EvalError):
        f.eval(x=1.0)


# --------------------------------------------------------------- sub where the rule gives add(neg)
def _logistic(steps: int = 80):
    (x,) = gi.symbols("x,")
    f = x
    for _ in range(steps):
        f = 3.9 * f * (1.0 - f)
    return f, x


def test_reverse_pass_subtracts_where_a_partial_is_minus_one():
    from graphir.traversal import reachable

    f, x = _logistic()
    d = gi.diff(f, x)
    nodes = reachable(d.ir, [d.node])
    assert [i for i in nodes if d.ir.ops[i] == "neg"] == []
    assert len(nodes) == 560  # CasADi's count for the same derivative
    assert math.isclose(d.eval(x=0.7), gi.diff(f, x, mode="forward").eval(x=0.7), rel_tol=1e-9)
    (y,) = gi.symbols("y,")
    assert str(gi.diff(y * (1.0 - y), y)) == "1 - y - y"
    for v in (0.3, -2.5, 1e300, math.inf):
        want = (1.0 - v) + (-v)  # a + (-b) is exactly a - b in IEEE arithmetic
        assert gi.diff(y * (1.0 - y), y).eval(y=v) == want


def test_a_negated_product_with_a_constant_adjoint_stays_a_sum():
    f = gi.parse("ln(x1) + x1*x2 - sin(x2)")
    assert [str(d) for d in gi.grad(f)] == ["x2 + 1/x1", "-cos(x2) + x1"]  # as the docs show


def _build_some(g: Graph, mk1, mk2) -> list[int]:
    x, y = g.var("x"), g.var("y")
    ids = [mk2("mul", x, y), mk1("neg", x), mk2("sub", x, y), mk2("mul", x, y), mk1("neg", x)]
    ids.append(g.apply("add", ids[0], ids[1]))
    ids.append(mk2("add", ids[0], ids[1]))
    return ids


def test_scalar_builder_builds_what_apply_builds():
    g1, g2 = Graph(), Graph()
    ids1 = _build_some(g1, g1.apply, g1.apply)
    ids2 = _build_some(
        g2, lambda op, a: g2.scalar_builder(op)(a), lambda op, a, b: g2.scalar_builder(op)(a, b)
    )
    assert ids1 == ids2 and columns(g1) == columns(g2)
    validate(g2)


def test_scalar_builder_only_for_elementwise_ops():
    g = Graph()
    with pytest.raises(gi.GraphError):
        g.scalar_builder("matmul")
