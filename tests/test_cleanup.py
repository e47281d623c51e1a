"""The algebraic clean-up pass: same values, fewer nodes, same graph, no recursion."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings

import graphir as gi
from graphir.build import as_expr
from tests.strategies import points, recipes

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def values(exprs, at):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return [e.eval(**at) for e in exprs]


def same_value(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-14, abs_tol=1e-300) or (math.isnan(a) and math.isnan(b))


# ---------------------------------------------------------------- each rule


@pytest.mark.parametrize(
    "build",
    [
        lambda x: x * 1,
        lambda x: 1 * x,
        lambda x: x + 0,
        lambda x: 0 + x,
        lambda x: x - 0,
        lambda x: x / 1,
        lambda x: x**1,
        lambda x: x.__neg__().__neg__(),
        lambda x: x + -0.0,
        lambda x: (x * 1 + 0) / 1,
        lambda x: x.__neg__().__neg__().__neg__().__neg__(),
    ],
    ids=["x*1", "1*x", "x+0", "0+x", "x-0", "x/1", "x**1", "neg-neg", "x+(-0.0)", "nested", "neg^4"],
)
def test_identities_give_back_x(build):
    x = gi.symbols("x")
    e = build(x)
    assert e.node != x.node
    c = gi.cleanup(e)
    assert c.node == x.node


@pytest.mark.parametrize("build", [lambda x: 0 * x, lambda x: x * 0, lambda x: 0 * gi.sin(x) * x])
def test_zero_times_anything_is_zero(build):
    x = gi.symbols("x")
    c = gi.cleanup(build(x))
    assert c.op == "const" and c.value == 0.0


def test_zero_times_x_nan_caveat():
    # documented: IEEE gives 0*inf = nan, the cleaned expression gives 0
    x = gi.symbols("x")
    e = 0 * x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert math.isnan(e.eval(x=math.inf))
    assert gi.cleanup(e).eval(x=math.inf) == 0.0
    assert gi.cleanup(e).eval(x=math.nan) == 0.0


def test_x_to_the_zero_is_one_even_for_nan():
    x = gi.symbols("x")
    c = gi.cleanup(x**0)
    assert c.op == "const" and c.value == 1.0
    assert (x**0).eval(x=math.nan) == 1.0  # IEEE agrees: nothing changes


def test_constant_folding():
    x = gi.symbols("x")
    e = gi.sin(as_expr(0.5)) * 2 + x * (3 - 1)
    c = gi.cleanup(e)
    assert str(c) == f"{gi.cleanup(gi.sin(0.5) * 2).value!r} + x*2"
    assert c.eval(x=1.25) == e.eval(x=1.25)
    folded = gi.cleanup(gi.exp(gi.log(3.0) + 1.0) / 2.0)
    assert folded.op == "const"
    assert folded.value == np.exp(np.log(3.0) + 1.0) / 2.0


def test_no_folding_into_inf_or_nan():
    # 1/0 and log(0) stay nodes: evaluating them still warns, as before clean-up
    x = gi.symbols("x")
    for e in (as_expr(1.0) / 0.0 + x, gi.log(as_expr(0.0)) * x, gi.sqrt(as_expr(-1.0)) + x):
        c = gi.cleanup(e)
        assert c.num_nodes == e.num_nodes
        with pytest.warns(gi.EvalWarning):
            c.eval(x=1.0)


def test_what_is_not_rewritten():
    x, y = gi.symbols("x y")
    for e in (0 - x, 0 / x, x - x, x / x, x * y, x + y, gi.sin(x) * gi.sin(x), 2 * (3 * x)):
        assert gi.cleanup(e).node == e.node


def test_same_graph_and_original_untouched():
    x, y = gi.symbols("x y")
    e = (x * 1 + 0) * gi.sin(y**1)
    n = len(e.ir)
    before = list(e.ir.ops[:n]), list(e.ir.args[:n])
    c = gi.cleanup(e)
    assert c.ir is e.ir
    assert (e.ir.ops[:n], e.ir.args[:n]) == before
    assert str(e) == "(x*1 + 0)*sin(y**1)"
    assert str(c) == "x*sin(y)"


def test_sequences_are_cleaned_together():
    x, y = gi.symbols("x y")
    out = gi.cleanup([x * 1, (y + 0) * x])
    assert isinstance(out, tuple) and len(out) == 2
    assert out[0].node == x.node
    assert str(out[1]) == "y*x"
    assert gi.cleanup(3).value == 3.0


# ---------------------------------------------------------------- on derivative output


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_fan_out_derivative_folds_to_four(mode):
    x = gi.symbols("x")
    b = x + x
    c = b + b
    d = gi.diff(c, x, mode=mode)
    assert d.num_nodes == 3  # 1, 1 + 1, (1 + 1) + (1 + 1)
    cd = gi.cleanup(d)
    assert cd.op == "const" and cd.value == 4.0


def test_node_counts_shrink_on_hessians():
    xs = gi.symbols("x0 x1 x2 x3")
    f = 0.0
    for i in range(3):
        f = f + 100.0 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1.0 - xs[i]) ** 2
    H = [h for row in gi.hessian(f) for h in row]
    C = gi.cleanup(H)
    graph = f.ir
    from graphir.traversal import reachable

    before = len(reachable(graph, [h.node for h in H]))
    after = len(reachable(graph, [h.node for h in C]))
    assert after < before
    p = {v.name: 0.1 * (k + 1) - 0.3 for k, v in enumerate(xs)}
    np.testing.assert_allclose(values(C, p), values(H, p), rtol=1e-14)


@SETTINGS
@given(recipes(max_ops=7), points())
def test_values_unchanged_and_nodes_never_grow(r, at):
    f = r.to_expr()
    c = gi.cleanup(f)
    assert c.num_nodes <= f.num_nodes
    (a,) = values([f], at)
    (b,) = values([c], at)
    assume(np.isfinite(a))
    assert same_value(a, b), (r, a, b)


@SETTINGS
@given(recipes(max_ops=5), points())
def test_values_unchanged_on_derivatives(r, at):
    f = r.to_expr()
    wrt = list(gi.symbols("x y z"))
    for mode in ("forward", "reverse"):
        g = gi.grad(f, wrt, mode=mode)
        c = gi.cleanup(g)
        for e, ce in zip(g, c, strict=True):
            assert ce.num_nodes <= e.num_nodes
        for a, b in zip(values(g, at), values(c, at), strict=True):
            if np.isfinite(a):
                assert same_value(a, b), (r, mode, a, b)


def test_long_chain():
    x = gi.symbols("x")
    e = x
    n = 100_000
    for i in range(n // 2):
        e = gi.sin(e) * 1.0 if i % 2 else (e + 0.0) * 1.0001
    assert e.num_nodes > n
    c = gi.cleanup(e)
    assert c.num_nodes < 0.6 * e.num_nodes
    assert c.eval(x=0.3) == e.eval(x=0.3)
    d = gi.cleanup(gi.diff(e, x))
    assert np.isfinite(d.eval(x=0.3))
