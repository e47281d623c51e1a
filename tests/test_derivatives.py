"""Derivatives against independent oracles: closed forms, Baydin et al. (2018), SciPy.

The worked example of Baydin, Pearlmutter, Radul and Siskind, "Automatic
differentiation in machine learning: a survey" (JMLR 18, 2018), is
``f(x1, x2) = ln(x1) + x1*x2 - sin(x2)`` at ``(2, 5)``; its Tables 2 and 3 list
the forward tangents and the reverse adjoint updates that the passes' step
lists must reproduce.  SciPy's ``rosen_der`` / ``rosen_hess`` are the oracle
for gradients and Hessians of a many-variable function.  ``validate`` runs
on the graphs after every test (``tests/conftest.py``).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy.optimize import rosen, rosen_der, rosen_hess

import graphir as gi
from graphir.build import Expr
from graphir.ir import validate

MODES = ("forward", "reverse")


def at_point(e: Expr, **point: float) -> float:
    return e.eval(**point)


def baydin():
    x1, x2 = gi.symbols("x1 x2")
    return gi.log(x1) + x1 * x2 - gi.sin(x2), x1, x2


# ---------------------------------------------------------------- Baydin et al. 2018


@pytest.mark.parametrize("mode", MODES)
def test_baydin_gradient_exact(mode):
    f, x1, x2 = baydin()
    g = gi.grad(f, mode=mode)
    want = (1 / 2 + 5, 2 - math.cos(5))
    got = [d.eval(x1=2, x2=5) for d in g]
    assert got[0] == pytest.approx(5.5, rel=1e-15, abs=0)
    assert got[1] == pytest.approx(want[1], rel=1e-15, abs=0)
    assert got[1] == pytest.approx(1.7163378145367738, rel=1e-15)


def test_baydin_table3_reverse_adjoint_updates():
    f, x1, x2 = baydin()
    r = gi.reverse_pass(f)

    def after(target: int) -> list[float]:
        return [Expr(r.graph, s.after).eval(x1=2, x2=5) for s in r.steps if s.target == target]

    # v_0 = x2: first the contribution through sin (-cos 5), then through x1*x2.
    v0 = after(x2.node if x2.ir is r.graph else r.graph.var("x2"))
    assert len(v0) == 2
    assert v0[0] == pytest.approx(-math.cos(5), abs=1e-15)
    assert round(v0[0], 3) == -0.284
    assert v0[1] == pytest.approx(2 - math.cos(5), abs=1e-15)
    assert round(v0[1], 3) == 1.716
    # v_-1 = x1: first through x1*x2 (x2 = 5), then through ln (1/x1).
    vm1 = after(r.graph.var("x1"))
    assert vm1 == [5.0, 5.5]
    # Every other step of Table 3 sets an adjoint once: v5 -> v4, v3, then v4 -> v1, v2.
    assert len(r.steps) == 8
    firsts = [s for s in r.steps if s.before is None]
    assert len(firsts) == 6
    # Each step's contribution is incoming * partial, and after = before + contribution.
    for s in r.steps:
        inc = Expr(r.graph, s.incoming).eval(x1=2, x2=5)
        par = Expr(r.graph, s.partial).eval(x1=2, x2=5)
        con = Expr(r.graph, s.contribution).eval(x1=2, x2=5)
        assert con == pytest.approx(inc * par, rel=1e-15)
        prev = 0.0 if s.before is None else Expr(r.graph, s.before).eval(x1=2, x2=5)
        assert Expr(r.graph, s.after).eval(x1=2, x2=5) == pytest.approx(prev + con, rel=1e-15)


def test_baydin_table2_forward_tangents():
    f, x1, x2 = baydin()
    r = gi.forward_pass(f, {x1: 1.0})
    g = r.graph
    by_op = {}
    for s in r.steps:
        by_op.setdefault(g.ops[s.node], []).append(Expr(g, s.after).eval(x1=2, x2=5))
    # Table 2: v1' = 1/x1 = 0.5, v2' = x1'*x2 = 5, v4' = v1' + v2' = 5.5, v5' = v4' - v3' = 5.5
    assert by_op["log"] == [0.5]
    assert by_op["mul"] == [5.0]
    assert by_op["add"] == [0.5, 5.5]
    assert by_op["sub"] == [5.5]
    assert "sin" not in by_op  # v3' = 0: x2 has no tangent, so no step
    assert Expr(g, r.derivative_of(f.node)).eval(x1=2, x2=5) == 5.5


# ---------------------------------------------------------------- traps


@pytest.mark.parametrize("mode", MODES)
def test_x_times_x(mode):
    x = gi.symbols("x")
    f = x * x
    assert len(f.graph.edges) == 2  # two operand slots, two edges
    d = gi.diff(f, x, mode=mode)
    for v in (-1.5, 0.0, 3.0):
        assert d.eval(x=v) == 2 * v
    r = gi.reverse_pass(f) if mode == "reverse" else gi.forward_pass(f, {x: 1})
    assert len(r.steps) == 2
    assert [s.operand for s in r.steps] == [0, 1]
    assert all(s.arg == x.node for s in r.steps)


@pytest.mark.parametrize("mode", MODES)
def test_x_to_the_x(mode):
    x = gi.symbols("x")
    d = gi.diff(x**x, x, mode=mode)
    for v in (0.3, 1.0, 2.0, 3.7):
        assert d.eval(x=v) == pytest.approx(v**v * (math.log(v) + 1), rel=1e-14)


@pytest.mark.parametrize("mode", MODES)
def test_fan_out(mode):
    x = gi.symbols("x")
    a = x
    b = a + a
    c = b + b
    d = gi.diff(c, x, mode=mode)
    assert d.eval(x=1.25) == 4.0
    assert gi.cleanup(d).value == 4.0
    r = gi.reverse_pass(c) if mode == "reverse" else gi.forward_pass(c, {x: 1})
    assert len(r.steps) == 4  # two operand slots on each of the two adds


@pytest.mark.parametrize("mode", MODES)
def test_sin_times_sin(mode):
    x = gi.symbols("x")
    f = gi.sin(x) * gi.sin(x)
    assert f.num_nodes == 3  # one sin node, used twice
    d = gi.diff(f, x, mode=mode)
    for v in (-2.0, 0.1, 1.0):
        assert d.eval(x=v) == pytest.approx(2 * math.sin(v) * math.cos(v), rel=1e-15)
    d2 = gi.diff(f, x, x, mode=mode)
    for v in (-2.0, 0.1, 1.0):
        assert d2.eval(x=v) == pytest.approx(2 * math.cos(2 * v), rel=1e-14)


@pytest.mark.parametrize("mode", MODES)
def test_partial_wrt_absent_variable_is_constant_zero(mode):
    x, y = gi.symbols("x y")
    f = gi.sin(x) * x
    d = gi.diff(f, y, mode=mode)
    assert d.op == "const" and d.value == 0.0
    assert d.eval() == 0.0
    g = gi.grad(f, [x, y], mode=mode)
    assert g[1].op == "const" and g[1].value == 0.0
    assert g[0].eval(x=1.0) == pytest.approx(math.cos(1) + math.sin(1))
    J = gi.jacobian([f, x], [y, x], mode=mode)
    assert J[0][0].value == 0.0 and J[1][0].value == 0.0 and J[1][1].value == 1.0
    # A *name* that matches no variable is a typo, not a zero.
    typo = "^no variable named 'y' in the expression; its variables are x$"
    with pytest.raises(gi.ArgumentError, match=typo):
        gi.grad(f, [x, "y"], mode=mode)


@pytest.mark.parametrize("mode", MODES)
def test_long_chain_no_recursion(mode):
    x = gi.symbols("x")
    e = x
    n = 100_000
    for i in range(n):
        e = gi.sin(e) if i % 2 else e * 1.0000001
    assert e.num_nodes > n
    d = gi.diff(e, x, mode=mode)
    assert d.num_nodes > n
    # Closed form along the chain: product of 1.0000001 * cos(previous value).
    v, dv = 0.7, 1.0
    for i in range(n):
        if i % 2:
            v, dv = math.sin(v), dv * math.cos(v)
        else:
            v, dv = v * 1.0000001, dv * 1.0000001
    assert d.eval(x=0.7) == pytest.approx(dv, rel=1e-9)


def test_long_chain_second_derivative_and_validate():
    x = gi.symbols("x")
    e = x
    for _ in range(10_000):
        e = gi.tanh(e) + x * 0.0  # 30,000 nodes; x*0 sends no tangent (no 0*... node)
    d2 = gi.diff(e, x, x, mode="forward")
    assert np.isfinite(d2.eval(x=0.1))
    validate(e.ir)


@pytest.mark.parametrize("mode", MODES)
def test_sigmoid_tails(mode):
    x = gi.symbols("x")
    s = gi.sigmoid(x)
    d1 = gi.diff(s, x, mode=mode)
    d2 = gi.diff(s, x, x, mode=mode)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for v in (1000.0, -1000.0, 800.0, -800.0):
            assert d1.eval(x=v) == 0.0
            assert d2.eval(x=v) == 0.0
        arr = d1.eval(x=np.array([-1000.0, 0.0, 1000.0]))
    assert arr.tolist() == [0.0, 0.25, 0.0]
    # and in the middle it is the textbook s(1 - s)
    for v in (-3.0, 0.5, 2.0):
        sv = 1 / (1 + math.exp(-v))
        assert d1.eval(x=v) == pytest.approx(sv * (1 - sv), rel=1e-14)


# ---------------------------------------------------------------- SciPy as oracle


def rosenbrock(n: int):
    xs = gi.symbols([f"x{i}" for i in range(n)])
    f = 0.0
    for i in range(n - 1):
        f = f + 100.0 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1.0 - xs[i]) ** 2
    return f, xs


@pytest.mark.parametrize("n", [5, 10])
def test_rosenbrock_gradient_and_hessian_vs_scipy(n):
    f, xs = rosenbrock(n)
    grads = {mode: gi.grad(f, xs, mode=mode) for mode in MODES}
    H = gi.hessian(f, xs)
    gfun = {mode: gi.lambdify(list(g), xs) for mode, g in grads.items()}
    hfun = gi.lambdify([h for row in H for h in row], xs)
    rng = np.random.default_rng(20180101 + n)
    for _ in range(10):
        p = rng.uniform(-2, 2, n)
        at = {v.name: p[k] for k, v in enumerate(xs)}
        assert f.eval(at) == pytest.approx(rosen(p), rel=1e-13)
        for mode in MODES:
            np.testing.assert_allclose(np.array(gfun[mode](*p), dtype=float), rosen_der(p), rtol=1e-13)
            np.testing.assert_allclose([d.eval(at) for d in grads[mode]], rosen_der(p), rtol=1e-13)
        got = np.array(hfun(*p), dtype=float).reshape(n, n)
        np.testing.assert_allclose(got, rosen_hess(p), rtol=1e-13, atol=1e-12)
        assert np.array_equal(got, got.T)


# ---------------------------------------------------------------- Jacobians, jvp, vjp


def vector_function():
    x, y, z = gi.symbols("x y z")
    outs = [x * y * z, gi.sin(x) + y**2, gi.exp(z) / x]
    return outs, (x, y, z)


def jacobian_closed_form(x, y, z):
    return np.array(
        [
            [y * z, x * z, x * y],
            [math.cos(x), 2 * y, 0.0],
            [-math.exp(z) / x**2, 0.0, math.exp(z) / x],
        ]
    )


POINT = {"x": 1.3, "y": -0.7, "z": 0.4}


@pytest.mark.parametrize("mode", MODES)
def test_jacobian_rows_and_columns(mode):
    outs, xs = vector_function()
    J = gi.jacobian(outs, mode=mode)
    assert len(J) == 3 and all(len(row) == 3 for row in J)
    got = np.array([[d.eval(POINT) for d in row] for row in J])
    np.testing.assert_allclose(got, jacobian_closed_form(**POINT), rtol=1e-14)
    # columns follow wrt when given, in the given order
    Jzx = gi.jacobian(outs, [xs[2], "x"], mode=mode)
    got = np.array([[d.eval(POINT) for d in row] for row in Jzx])
    np.testing.assert_allclose(got, jacobian_closed_form(**POINT)[:, [2, 0]], rtol=1e-14)


def test_jvp_is_jacobian_times_vector():
    outs, (x, y, z) = vector_function()
    v = {"x": 0.5, y: -2.0, z: 3.0}
    res = gi.jvp(outs, v)
    J = jacobian_closed_form(**POINT)
    np.testing.assert_allclose([r.eval(POINT) for r in res], J @ [0.5, -2.0, 3.0], rtol=1e-14)
    # one output gives one expression; missing tangents are 0
    single = gi.jvp(outs[0], {y: 1.0})
    assert isinstance(single, Expr)
    assert single.eval(POINT) == pytest.approx(J[0, 1])
    # tangents may be expressions: the direction (y, x, 1) at the point
    res = gi.jvp(outs, {x: y, y: x, z: 1})
    np.testing.assert_allclose([r.eval(POINT) for r in res], J @ [POINT["y"], POINT["x"], 1.0], rtol=1e-14)


def test_vjp_is_vector_times_jacobian():
    outs, (x, y, z) = vector_function()
    u = [2.0, -1.0, 0.25]
    res = gi.vjp(outs, u)
    J = jacobian_closed_form(**POINT)
    np.testing.assert_allclose([r.eval(POINT) for r in res], np.array(u) @ J, rtol=1e-14)
    res = gi.vjp(outs, [1.0, x, 0.0], wrt=[z, y])
    want = np.array([1.0, POINT["x"], 0.0]) @ J
    np.testing.assert_allclose([r.eval(POINT) for r in res], want[[2, 1]], rtol=1e-14)
    with pytest.raises(ValueError):
        gi.vjp(outs, [1.0, 2.0])


@pytest.mark.parametrize("mode", MODES)
def test_value_and_grad_arrays(mode):
    f, x1, x2 = baydin()
    a = np.linspace(0.5, 4.0, 7)
    b = np.linspace(-3.0, 3.0, 7)
    value, g = gi.value_and_grad(f, {x1: a, "x2": b}, mode=mode)
    np.testing.assert_allclose(value, np.log(a) + a * b - np.sin(b), rtol=1e-15)
    assert g.shape == (2, 7)
    np.testing.assert_allclose(g[0], 1 / a + b, rtol=1e-15)
    np.testing.assert_allclose(g[1], a - np.cos(b), rtol=1e-15)
    # broadcasting a scalar against an array, and the scalar case
    value, g = gi.value_and_grad(f, {"x1": a, "x2": 5.0}, wrt=["x2"], mode=mode)
    assert g.shape == (1, 7)
    np.testing.assert_allclose(g[0], a - math.cos(5), rtol=1e-15)
    value, g = gi.value_and_grad(f, {"x1": 2.0, "x2": 5.0}, mode=mode)
    assert isinstance(value, float)
    np.testing.assert_allclose(g, [5.5, 2 - math.cos(5)], rtol=1e-15)


# ---------------------------------------------------------------- higher order, compile


@pytest.mark.parametrize("mode", MODES)
def test_third_derivative_closed_form(mode):
    x = gi.symbols("x")
    f = x**4 * gi.sin(x)
    d3 = gi.diff(gi.diff(f, x, x, mode=mode), x, mode=mode)
    same = gi.diff(f, x, x, x, mode=mode)
    for v in (-1.2, 0.3, 2.5):
        s, c = math.sin(v), math.cos(v)
        want = 24 * v * s + 36 * v**2 * c - 12 * v**3 * s - v**4 * c
        assert d3.eval(x=v) == pytest.approx(want, rel=1e-13)
        assert same.eval(x=v) == pytest.approx(want, rel=1e-13)


def test_fourth_derivative_of_exp_square():
    x = gi.symbols("x")
    d4 = gi.diff(gi.exp(x * x), x, x, x, x)
    for v in (-0.8, 0.0, 0.6):
        want = (16 * v**4 + 48 * v**2 + 12) * math.exp(v * v)
        assert d4.eval(x=v) == pytest.approx(want, rel=1e-13)


@pytest.mark.parametrize("mode", MODES)
def test_results_lambdify_and_evaluate_equal(mode):
    f, x1, x2 = baydin()
    g = gi.grad(gi.exp(f / 10) * gi.tanh(x1 - x2), mode=mode)
    compiled = gi.lambdify(list(g), [x1, x2])
    a = np.linspace(0.5, 3.0, 11)
    b = np.linspace(-2.0, 4.0, 11)
    got = compiled(a, b)
    for k, d in enumerate(g):
        assert isinstance(d, Expr)
        np.testing.assert_allclose(got[k], d.eval(x1=a, x2=b), rtol=1e-15)
    # and a derivative goes through text and back
    back = gi.parse(str(g[0]))
    np.testing.assert_allclose(back.eval(x1=a, x2=b), got[0], rtol=1e-12)


def test_hessian_symmetric_and_shape():
    x, y, z = gi.symbols("x y z")
    f = x * y**2 * gi.exp(z) + gi.sin(x * z)
    H = gi.hessian(f)
    assert len(H) == 3
    for i in range(3):
        for j in range(3):
            assert H[i][j].node == H[j][i].node
    p = {"x": 0.4, "y": 1.5, "z": -0.3}
    xv, yv, zv = p["x"], p["y"], p["z"]
    want = np.array(
        [
            [
                -(zv**2) * math.sin(xv * zv),
                2 * yv * math.exp(zv),
                yv**2 * math.exp(zv) + math.cos(xv * zv) - xv * zv * math.sin(xv * zv),
            ],
            [0, 2 * xv * math.exp(zv), 2 * xv * yv * math.exp(zv)],
            [0, 0, xv * yv**2 * math.exp(zv) - xv**2 * math.sin(xv * zv)],
        ]
    )
    want = np.triu(want) + np.triu(want, 1).T
    got = np.array([[h.eval(p) for h in row] for row in H])
    np.testing.assert_allclose(got, want, rtol=1e-14)


# ---------------------------------------------------------------- errors and graph hygiene


def test_bad_arguments():
    x, y = gi.symbols("x y")
    with pytest.raises(gi.ArgumentError, match="mode must be 'forward' or 'reverse', got 'sideways'"):
        gi.diff(x * y, x, mode="sideways")
    with pytest.raises(gi.ArgumentError):
        gi.grad(x * y, mode="symbolic")
    with pytest.raises(gi.ArgumentError, match="expected a variable"):
        gi.diff(x * y, x + y)
    with pytest.raises(TypeError):
        gi.diff(x * y)
    with pytest.raises(TypeError):
        gi.diff(x * y, 3)


def test_passes_only_append_and_keep_the_primal():
    f, x1, x2 = baydin()
    g = f.ir
    before = (list(g.ops), list(g.args), list(g.params))
    gi.grad(f)
    gi.hessian(f)
    gi.jacobian([f, x1 * f], mode="forward")
    n = len(before[0])
    assert (g.ops[:n], g.args[:n], g.params[:n]) == before
    assert f.eval(x1=2, x2=5) == pytest.approx(math.log(2) + 10 - math.sin(5), rel=1e-15)


def test_differentiating_expressions_from_separate_graphs():
    (x,) = gi.symbols("x,")
    (x_again,) = gi.symbols("x,")  # another graph, same name
    f = gi.sin(x)
    assert gi.diff(f, x_again).eval(x=0.0) == 1.0
    assert gi.diff(f, "x").eval(x=0.0) == 1.0
