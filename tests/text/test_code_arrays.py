"""gi.to_python on array expressions: NumPy code (``@``, ``.T``, ``np.sum(..., axis=...)``,
slices, the broadcasting sum-backs written out) that runs and gives lambdify's numbers
(issue 10)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import graphir as gi

ROOT = Path(__file__).resolve().parent.parent.parent

A = gi.symbols("A", shape=(2, 3))
u = gi.symbols("u", shape=(3,))
v = gi.symbols("v", shape=(2,))
s = gi.symbols("s")
X = gi.constant([[1.0, 2.0, -1.0], [0.5, -3.0, 2.0]], name="X")
rng = np.random.default_rng(7)
VALUES = {"A": (2, 3), "u": (3,), "v": (2,), "s": ()}


def run(source: str, name: str = "f"):
    namespace: dict = {}
    exec(compile(source, "<to_python>", "exec"), namespace)  # the generated code under test
    return namespace[name]


def check(e: gi.Expr, at: dict | None = None) -> str:
    variables = list(e.variables)
    at = at or {x.name: rng.normal(size=VALUES[x.name]) for x in variables}
    xs = [at[x.name] for x in variables]
    src = gi.to_python(e, grad=True)
    value, partials = run(src)(*xs)
    want = gi.lambdify([e, *gi.grad(e)], variables)(*xs)
    np.testing.assert_array_equal(np.asarray(value), np.asarray(want[0]))
    for got, w, x in zip(partials, want[1:], variables, strict=True):
        assert np.shape(got) == x.shape
        np.testing.assert_array_equal(np.asarray(got), np.asarray(w))
    primal = run(gi.to_python([e, e * 2], name="g"), "g")(*xs)
    np.testing.assert_array_equal(np.asarray(primal[0]), np.asarray(want[0]))
    return src


CASES = {
    "matmul and broadcast": gi.sum((A @ u + v) ** 2),
    "vector @ matrix": gi.sum(gi.sin(v @ A)),
    "transpose": gi.sum(A.T @ v),
    "data": gi.sum(gi.exp(X * A)) + gi.dot(X @ u, v),
    "sum axis": gi.sum(gi.sum(A * A, axis=0) * u),
    "mean axis 1": gi.sum(gi.mean(A, axis=1) * v),
    "rosenbrock": gi.sum(100 * (u[1:] - u[:-1] ** 2) ** 2 + (1 - u[:-1]) ** 2),
    "index entry": A[1, 2] * s + A[0, 0] ** 2,
    "column broadcast": gi.sum(A * gi.reshape(v, (2, 1))),
    "scalar broadcast": gi.sum(gi.tanh(s * A)),
    "logsumexp": gi.logsumexp(A, axis=1) @ v,
    "softmax": gi.sum(gi.softmax(A, axis=0) * X),
    "stack": gi.sum(gi.stack([u * s, gi.cos(u)]) ** 2),
}


@pytest.mark.parametrize("name", list(CASES))
def test_array_program_gives_lambdify_numbers(name: str) -> None:
    check(CASES[name])


def test_the_code_reads_as_numpy() -> None:
    src = check(CASES["matmul and broadcast"])
    assert "A @ u" in src
    assert "np.broadcast_to(" in src  # the adjoint of sum(...) grows back to the shape it summed
    src = check(CASES["rosenbrock"])
    assert "u[1:]" in src and "u[:2]" in src and "scatter(" in src
    src = check(gi.sum(A + u))
    assert "np.sum(" in src and "axis=0" in src  # the row broadcast summed back: explicit
    src = check(gi.sum(A * gi.reshape(v, (2, 1))))
    assert "keepdims=True" in src
    src = check(CASES["transpose"])
    assert ".T" in src


def test_data_becomes_a_module_constant() -> None:
    src = gi.to_python(gi.sum(X @ u), grad=True)
    assert "X = np.array([[1.0, 2.0, -1.0], [0.5, -3.0, 2.0]])" in src


def test_a_variable_the_output_does_not_reach_gets_zeros_of_its_shape() -> None:
    e = gi.sum(A) + gi.sum(gi.sign(u))  # sign has the partial 0: no adjoint reaches u
    value, (dA, du) = run(gi.to_python(e, grad=True))(np.ones((2, 3)), np.ones(3))
    assert float(value) == 9.0 and np.shape(du) == (3,) and not np.any(du)


def random_expression(seed: int) -> gi.Expr:
    """A random composition of array ops on A (2, 3), u (3,), v (2,), s (shapes are checked at build)."""
    r = np.random.default_rng(seed)
    pool = [A, u, v, s, X]
    steps = [
        lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b, lambda a, b: a @ b,
        lambda a, b: gi.sin(a) * b, lambda a, b: a.T, lambda a, b: gi.sum(a, axis=0) if a.shape else a,
        lambda a, b: gi.exp(0.1 * a), lambda a, b: a[0] if a.shape else a, lambda a, b: gi.logsumexp(a),
        lambda a, b: gi.softmax(a) if a.shape else a, lambda a, b: a[1:] if a.shape else a,
    ]
    for _ in range(8):
        a, b = pool[r.integers(len(pool))], pool[r.integers(len(pool))]
        try:
            pool.append(steps[r.integers(len(steps))](a, b))
        except gi.ShapeError:
            continue
    out = pool[-1]
    return gi.sum(out * out) + gi.sum(pool[-2])


@pytest.mark.parametrize("seed", range(30))
def test_random_array_expressions(seed: int) -> None:
    e = random_expression(seed)
    if e.variables:
        check(e)


@pytest.mark.parametrize("name", ["mazur", "linear_regression", "logistic_regression", "softmax_classifier"])
def test_the_worked_examples(name: str) -> None:
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        module = __import__(name)
    finally:
        sys.path.remove(str(ROOT / "examples"))
    check(module.loss(), {k: np.asarray(x, dtype=float) for k, x in module.POINT.items()})
