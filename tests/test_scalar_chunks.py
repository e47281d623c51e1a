"""The python backend compiles a big body as several functions (chunks): the values are those
of the one-function program, bit for bit, and its fall-backs (to the NumPy backend, with its
warnings) are the same."""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np
import pytest

import graphir as gi
from graphir.build import lift
from graphir.passes import scalar_code
from graphir.passes.scalar_code import Fallback, python_backend
from tests.test_backends import agree

WHOLE = 10**9  # a chunk size no body reaches: one function


def bits(fn: Any, xs: list[float]) -> list[str] | str:
    """The results' bits, or the name of the exception the program raised."""
    try:
        return [v.hex() for v in fn(*xs)]
    except (Fallback, ArithmeticError, ValueError) as exc:
        return type(exc).__name__


def chain(n: int) -> tuple[gi.Expr, list[gi.Expr]]:
    x, y = gi.symbols("x y")
    e = x
    for k in range(n // 3):
        e = gi.sin(e) * y + e if k % 2 else gi.tanh(e * 0.5) - e * y
    return e, [x, y]


def random_graph(ops: int, seed: int = 3) -> tuple[gi.Expr, list[gi.Expr]]:
    """A random graph of scalars on 10 inputs: every value reaches the output."""
    rng = random.Random(seed)
    xs = list(gi.symbols([f"x{i}" for i in range(10)]))
    vals = list(xs)
    for _ in range(ops):
        a, b = vals[rng.randrange(len(vals))], vals[-1 - min(int(rng.expovariate(1 / 20)), len(vals) - 1)]
        op = rng.choice(["sin", "cos", "tanh", "add", "sub", "mul"])
        vals.append(getattr(gi, op)(a) if op in ("sin", "cos", "tanh") else
                    {"add": a + b, "sub": a - b, "mul": a * b}[op])
    out = vals[-1]
    for v in vals[-50:-1]:
        out = out + v
    return out, xs


def programs(exprs: Any, args: list[gi.Expr], sizes: list[int | None]) -> list[Any]:
    graph, roots = lift(*exprs) if isinstance(exprs, list) else lift(exprs)
    ids = [graph.find_var(a.name) for a in args]
    return [python_backend(graph, roots, ids, chunk=size) for size in sizes]


def test_a_chunked_chain_of_100000_nodes_gives_the_same_bits():
    e, args = chain(100_000)
    assert e.num_nodes >= 100_000
    whole, chunked, tiny = programs(e, args, [WHOLE, 997, 1])
    assert "_part" not in whole.source
    assert "_graphir_scalar_part30(S)" in chunked.source
    for xs in ([0.3, 0.7], [-1.5, 0.999], [2.0, -1.0], [1e300, 1e300], [0.5, 1e308]):
        want = bits(whole, xs)
        assert bits(chunked, xs) == want
        assert bits(tiny, xs) == want


def test_a_chunked_gradient_of_a_random_graph_gives_the_same_bits():
    f, xs = random_graph(3000)
    g = list(gi.grad(f, xs))
    whole, *chunked = programs(g, xs, [WHOLE, 1, 7, 250, 5000])
    assert "_part" not in whole.source
    rng = np.random.default_rng(5)
    points = [[float(v) for v in rng.uniform(-1, 1, 10)] for _ in range(5)]
    points += [[1e300] * 10, [0.5] * 9 + [1e308]]
    for point in points:
        want = bits(whole, point)
        assert all(bits(fn, point) == want for fn in chunked)
    assert isinstance(bits(whole, points[-2]), str)  # it raised: the caller falls back


def test_only_big_bodies_are_chunked(monkeypatch):
    f, xs = random_graph(500)
    g = list(gi.grad(f, xs))
    assert "_part" not in programs(g, xs, [None])[0].source
    monkeypatch.setattr(scalar_code, "CHUNK_ABOVE", 100)
    monkeypatch.setattr(scalar_code, "CHUNK_LINES", 50)
    (fn,) = programs(g, xs, [None])
    assert "_part1(S)" in fn.source
    assert "_part" not in programs([gi.sin(xs[0]) * xs[1]], xs, [None])[0].source


def test_each_chunk_has_at_most_its_size_of_statements():
    f, xs = random_graph(500)
    (fn,) = programs(list(gi.grad(f, xs)), xs, [20])
    parts = fn.source.split("def ")[1:]
    assert len(parts) > 8
    for part in parts[:-1]:
        body = [line for line in part.splitlines()[1:]  # less the reads and writes of S
                if not line.startswith("    S") and "(S)" not in line and " = S[" not in line]
        assert len([line for line in body if " = " in line or " += " in line]) <= 20


@pytest.mark.parametrize(
    "xs", [[0.3, 0.7], [1e300, 1e300], [math.inf, 1.0], [math.nan, 0.5], [0.0, -0.0], [1e308, 2.0]]
)
def test_lambdify_with_chunks_gives_numpy_values_and_warnings(monkeypatch, xs):
    monkeypatch.setattr(scalar_code, "CHUNK_ABOVE", 5)
    monkeypatch.setattr(scalar_code, "CHUNK_LINES", 5)
    x, y = gi.symbols("x y")
    e = x
    for _ in range(20):
        e = gi.exp(gi.sin(e) * y) + e * x
    agree([e, gi.diff(e, x)], [x, y], xs)
    agree(gi.log(x - y) * gi.sqrt(y) + x / y, [x, y], xs)


def test_value_and_grad_with_chunks_is_unchanged(monkeypatch):
    f, xs = random_graph(300)
    at = {x: 0.1 * (k + 1) for k, x in enumerate(xs)}
    want = gi.value_and_grad(f, at)
    monkeypatch.setattr(scalar_code, "CHUNK_ABOVE", 3)
    monkeypatch.setattr(scalar_code, "CHUNK_LINES", 3)
    f2, xs2 = random_graph(300)
    got = gi.value_and_grad(f2, {x: 0.1 * (k + 1) for k, x in enumerate(xs2)})
    assert float(got[0]).hex() == float(want[0]).hex()
    assert got[1].tobytes() == want[1].tobytes()
