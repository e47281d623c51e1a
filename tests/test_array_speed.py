"""What makes compiled array gradients as fast as hand-written NumPy (benchmarks/arrays.py),
and that each of those changes keeps every value exactly: the compiled gradient equals the
interpreted one (``expr.eval``, no rewrite) entry for entry, and the closed forms."""

from __future__ import annotations

import re

import numpy as np
import pytest
from scipy.optimize import rosen_der

import graphir as gi
from graphir.traversal import reachable


def rosenbrock(n):
    x = gi.symbols("x", shape=(n,))
    return x, gi.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def lines(fn):
    return [ln.strip() for ln in fn.source.splitlines() if re.match(r"\s+v\d+ = ", ln)]


def test_rosenbrock_gradient_compiled_equals_interpreted_and_scipy():
    x, f = rosenbrock(50)
    (g,) = gi.grad(f, [x])
    fn = gi.lambdify(g, [x])
    rng = np.random.default_rng(7)
    for _ in range(5):
        v = rng.uniform(-2.0, 2.0, 50)
        got = fn(v)
        np.testing.assert_array_equal(got, g.eval(x=v))
        np.testing.assert_allclose(got, rosen_der(v), rtol=1e-13, atol=1e-12)


def test_a_broadcast_adjoint_is_multiplied_before_broadcasting():
    """sum's adjoint is broadcast_to(1); 100 * it was an array of 100s built entry by entry."""
    x, f = rosenbrock(6)
    (g,) = gi.grad(f, [x])
    graph = f.ir
    for i in reachable(graph, [g.node]):
        if graph.ops[i] in ("mul", "neg"):
            for a in graph.args[i]:
                if graph.ops[a] == "broadcast_to":
                    assert graph.shapes[graph.args[i][0]] == graph.shapes[graph.args[i][-1]], (
                        f"{graph.ops[i]} of a broadcast and a smaller operand"
                    )
    np.testing.assert_array_equal(g.eval(x=np.arange(6.0)), rosen_der(np.arange(6.0)))


def test_constant_subexpressions_are_computed_once_at_compile_time():
    X = gi.constant(np.arange(12.0).reshape(4, 3), name="X")
    y = gi.constant(np.array([0.0, 1.0, 1.0, 0.0]), name="y")
    w = gi.symbols("w", shape=(3,))
    z = X @ w
    loss = gi.mean(gi.log1p(gi.exp(z)) - y * z)
    (gw,) = gi.grad(loss, [w])
    fn = gi.lambdify(gw, [w])
    for ln in lines(fn):
        operands = re.findall(r"\b[avc]\d+\b", ln.split("=", 1)[1])
        assert any(o[0] in "av" for o in operands), f"constant-only line at run time: {ln}"
    w0 = np.array([0.1, -0.2, 0.05])
    np.testing.assert_array_equal(fn(w0), gw.eval(w=w0))
    Xv, yv = np.arange(12.0).reshape(4, 3), np.array([0.0, 1.0, 1.0, 0.0])
    want = Xv.T @ (1 / (1 + np.exp(-(Xv @ w0))) - yv) / 4
    np.testing.assert_allclose(fn(w0), want, rtol=1e-13)


def test_hoisted_values_are_read_only_and_roots_stay_fresh():
    X = gi.constant(np.ones((2, 2)), name="X")
    w = gi.symbols("w", shape=(2,))
    fn = gi.lambdify([X @ w, gi.transpose(X) * 2.0], [w])
    a, b = fn(np.ones(2)), fn(np.ones(2))
    assert a[1] is not b[1]
    a[1][0, 0] = 5.0  # the caller's own array
    np.testing.assert_array_equal(fn(np.ones(2))[1], 2.0 * np.ones((2, 2)))


def test_a_constant_that_warns_is_left_to_run_time():
    w = gi.symbols("w", shape=(2,))
    zero = gi.constant(np.zeros(2), name="z")
    f = w + 1.0 / zero
    fn = gi.lambdify(f, [w])
    with pytest.warns(RuntimeWarning):
        out = fn(np.ones(2))
    assert np.all(np.isinf(out))


def test_add_of_a_negation_runs_as_a_subtraction_with_the_same_values():
    a, b = gi.symbols("a b", shape=(5,))
    f = gi.sin(a) + (-gi.cos(b))
    fn = gi.lambdify(f, [a, b])
    assert "op_neg" not in fn.source and "op_sub" in fn.source
    rng = np.random.default_rng(1)
    va, vb = rng.normal(size=5), rng.normal(size=5)
    np.testing.assert_array_equal(fn(va, vb), f.eval(a=va, b=vb))
    shared = -gi.cos(b)
    g = gi.lambdify([gi.sin(a) + shared, shared * 2.0], [a, b])
    assert "op_neg" in g.source  # used twice: computed once, kept
    np.testing.assert_array_equal(g(va, vb)[0], f.eval(a=va, b=vb))


def test_two_scattered_adjoints_are_added_in_place():
    x = gi.symbols("x", shape=(6,))
    f = gi.sum(x[1:] * x[:-1])
    (g,) = gi.grad(f, [x])
    fn = gi.lambdify(g, [x])
    assert "op_scatter_add" in fn.source
    v = np.arange(1.0, 7.0)
    np.testing.assert_array_equal(fn(v), g.eval(x=v))
    np.testing.assert_array_equal(fn(v), np.r_[v[1:], 0.0] + np.r_[0.0, v[:-1]])
    assert np.iscomplexobj(fn(v + 1e-20j))


def test_mlp_gradient_compiled_equals_interpreted_and_hand_written():
    rng = np.random.default_rng(3)
    Xv, yv = rng.normal(size=(20, 3)), rng.normal(size=20)
    W1, b1 = gi.symbols("W1", shape=(3, 4)), gi.symbols("b1", shape=(4,))
    w2, b2 = gi.symbols("w2", shape=(4,)), gi.symbols("b2")
    h = gi.tanh(gi.constant(Xv, name="X") @ W1 + b1)
    loss = 0.5 * gi.mean((h @ w2 + b2 - gi.constant(yv, name="y")) ** 2)
    wrt = [W1, b1, w2, b2]
    grads = gi.grad(loss, wrt)
    fn = gi.lambdify(list(grads), wrt)
    vals = [rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=4), 0.3]
    got = fn(*vals)
    at = dict(zip(["W1", "b1", "w2", "b2"], vals, strict=True))
    for g, d in zip(got, grads, strict=True):
        np.testing.assert_array_equal(g, d.eval(**at))
    hv = np.tanh(Xv @ vals[0] + vals[1])
    r = (hv @ vals[2] + vals[3] - yv) / 20
    dh = np.multiply.outer(r, vals[2]) * (1 - hv * hv)
    for g, w in zip(got, [Xv.T @ dh, dh.sum(0), hv.T @ r, r.sum()], strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-14)


def test_scalar_graphs_compile_as_before():
    x, y = gi.symbols("x y")
    f = x + (-y)
    fn = gi.lambdify(f, [x, y])
    assert "op_neg" in fn.source and "op_sub" not in fn.source
