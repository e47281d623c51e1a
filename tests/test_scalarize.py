"""gi.scalarize: an array expression as the same computation on scalar nodes (issue 10, item 6).

Each case is checked at random points: the scalarized values equal the array
expression's entry by entry, and the gradient of the scalarized expression with
respect to ``W_0_1`` equals entry ``[0, 1]`` of the array gradient.
"""

from __future__ import annotations

import numpy as np
import pytest

import graphir as gi
from graphir.passes.scalarize import entry_name

A = gi.symbols("A", shape=(2, 3))
B = gi.symbols("B", shape=(3, 2))
u = gi.symbols("u", shape=(3,))
v = gi.symbols("v", shape=(2,))
s = gi.symbols("s")
X = gi.constant([[1.0, 2.0, -1.0], [0.5, -3.0, 2.0]], name="X")

CASES = {
    "matmul 2-D @ 1-D": A @ u,
    "matmul 1-D @ 2-D": v @ A,
    "matmul 2-D @ 2-D": A @ B,
    "dot 1-D": gi.dot(u, u),
    "sum": gi.sum(A),
    "sum axis 0": gi.sum(A, axis=0),
    "sum axis 1": gi.sum(A * A, axis=1),
    "mean": gi.mean(A * u),
    "mean axis 0": gi.mean(gi.sin(A), axis=0),
    "transpose": A.T @ v,
    "index int": A[1] * u,
    "index entry": A[1, 2] * s,
    "slices (Rosenbrock)": gi.sum(100 * (u[1:] - u[:-1] ** 2) ** 2 + (1 - u[:-1]) ** 2),
    "reshape": gi.reshape(A, (3, 2)) @ v,
    "broadcast row": A + u,
    "broadcast column": A * gi.reshape(v, (2, 1)),
    "broadcast scalar": gi.exp(s * A),
    "broadcast_to": gi.broadcast_to(v, (3, 2)) * B,
    "sum_to": gi.sum_to(A * s, (3,)),
    "sum_to keepdims": gi.sum_to(A, (2, 1)) * v,
    "logsumexp": gi.logsumexp(A),
    "logsumexp axis 1": gi.logsumexp(A, axis=1),
    "logsumexp axis 0": gi.logsumexp(A * 3, axis=0),
    "softmax": gi.softmax(A),
    "softmax axis 0": gi.softmax(A, axis=0) * B.T,
    "softmax of everything": gi.softmax(u * s, axis=None),
    "stack": gi.stack([gi.sum(u), s, u[0] * s]),
    "data": X @ u - gi.constant(np.array([1.0, 2.0])),
    "named data and sigmoid": gi.sigmoid(X @ u + s),
}

rng = np.random.default_rng(10)


def point() -> dict[str, np.ndarray]:
    return {"A": rng.normal(size=(2, 3)), "B": rng.normal(size=(3, 2)), "u": rng.normal(size=3),
            "v": rng.normal(size=2), "s": np.array(rng.normal())}


def scalar_point(p: dict[str, np.ndarray]) -> dict[str, float]:
    out = {}
    for name, value in p.items():
        for index in np.ndindex(*value.shape):
            out[entry_name(name, index) if index else name] = float(value[index])
    return out


def entrywise(e, at: dict[str, float]) -> np.ndarray:
    if isinstance(e, gi.Expr):
        return np.asarray(e.eval(at), dtype=float)
    return np.vectorize(lambda x: float(x.eval(at)), otypes=[float])(e)


def args(e: gi.Expr, p: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {x.name: p[x.name] for x in e.variables}


@pytest.mark.parametrize("name", list(CASES))
def test_scalarized_values_equal_the_array_values(name: str) -> None:
    e = CASES[name]
    sc = gi.scalarize(e)
    assert (sc.shape if isinstance(sc, gi.Expr) else np.shape(sc)) == e.shape
    for _ in range(3):
        p = point()
        want = np.asarray(e.eval(args(e, p)), dtype=float)
        got = entrywise(sc, scalar_point(p))
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", list(CASES))
def test_gradients_of_the_scalarized_expression_are_the_array_gradients(name: str) -> None:
    e = CASES[name]
    weights = np.sin(np.arange(1.0, 1.0 + np.prod(e.shape)).reshape(e.shape))
    f = gi.sum(e * weights) if e.shape else e
    sc = gi.scalarize(f)
    p = point()
    grads = gi.grad(f)
    at_array = args(f, p)
    at_scalar = scalar_point(p)
    for x, gx in zip(f.variables, grads, strict=True):
        want = np.asarray(gx.eval(at_array), dtype=float).reshape(x.shape)
        for index in np.ndindex(*x.shape):
            entry = entry_name(x.name, index) if index else x.name
            got = float(gi.diff(sc, gi.symbols(entry)).eval(at_scalar))
            assert got == pytest.approx(want[index], rel=1e-9, abs=1e-12), (name, entry)


def test_the_derivative_graph_scalarizes_too() -> None:
    """Gradients hold sum_to, broadcast_to and unindex nodes: they scalarize as well."""
    f = gi.sum(gi.sin(A[1, 1:]) * u[:2]) + gi.logsumexp(A + u)
    for g in gi.grad(f):
        sc = gi.scalarize(g)
        p = point()
        want = np.asarray(g.eval(args(g, p)), dtype=float)
        np.testing.assert_allclose(entrywise(sc, scalar_point(p)), want, rtol=1e-12, atol=1e-12)


def test_names_one_node_per_entry_and_display_names() -> None:
    W = gi.symbols("W", shape=(2, 2))
    x = gi.constant([0.05, 0.10], name="x")
    h = gi.sigmoid(W @ x + 0.35).named("h")
    sh = gi.scalarize(h)
    assert [e.display_name for e in sh] == ["h[0]", "h[1]"]
    assert [v.name for v in sh[0].variables] == ["W_0_0", "W_0_1"]
    assert str(sh[1]) == "sigmoid(W_1_0*0.05 + W_1_1*0.1 + 0.35)"
    # one graph for all entries, every op node a scalar
    g = sh[0].ir
    assert sh[1].ir is g and all(shape == () for shape in g.shapes)
    gi.validate(sh[0])


def test_a_scalar_expression_is_unchanged_in_meaning() -> None:
    x, y = gi.symbols("x y")
    f = x * gi.sin(y)
    sc = gi.scalarize(f)
    assert str(sc) == str(f) and sc.eval(x=2.0, y=0.5) == f.eval(x=2.0, y=0.5)
    a, b = gi.scalarize([x, f])
    assert a.ir is b.ir


def test_stable_at_1000() -> None:
    z = gi.symbols("z", shape=(2,))
    lse, sm = gi.scalarize([gi.logsumexp(z), gi.softmax(z)])
    at = {"z_0": 1000.0, "z_1": 1000.0}
    assert float(lse.eval(at)) == pytest.approx(1000 + np.log(2))
    assert [float(e.eval(at)) for e in sm] == [0.5, 0.5]


def test_a_name_clash_is_an_error() -> None:
    w = gi.symbols("w", shape=(2,))
    w_0 = gi.symbols("w_0")
    with pytest.raises(gi.ArgumentError, match="'w_0'"):
        gi.scalarize(gi.sum(w) + w_0)


def test_a_big_product_scalarizes_without_recursion() -> None:
    M = gi.symbols("M", shape=(30, 30))
    x = gi.symbols("x", shape=(30,))
    f = gi.sum(M @ (M @ x))
    sc = gi.scalarize(f)
    p = {"M": rng.normal(size=(30, 30)), "x": rng.normal(size=30)}
    assert float(sc.eval(scalar_point(p))) == pytest.approx(float(f.eval(p)), rel=1e-10)


def test_shaped_variables_whose_shapes_do_not_broadcast_evaluate() -> None:
    """(found here) ``v @ A`` with v (2,) and A (2, 3): the values are not "many points"."""
    p = point()
    want = p["v"] @ p["A"]
    np.testing.assert_allclose((v @ A).eval(v=p["v"], A=p["A"]), want)
