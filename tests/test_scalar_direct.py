"""The python backend's direct function (numbers straight in one generated function) and
its absorbed negations: the values of the NumPy backend, bit for bit, and its warnings."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphir as gi
from graphir.build import as_expr, lift
from graphir.passes import scalar_code
from graphir.passes.scalar_code import direct_function, scalar_source
from tests.strategies import EXAMPLES, WILD_CONSTANTS
from tests.test_backends import agree, same

BITS = st.one_of(st.floats(), st.sampled_from(WILD_CONSTANTS), st.floats(-3.0, 3.0))


def negations(x: gi.Expr, y: gi.Expr) -> list[gi.Expr]:
    """Expressions whose Python form absorbs a negation."""
    return [
        x + -y, -x + y, x - -y, -x + -y, (-x) * y, x * (-y), (-x) / y, x / (-y),
        x + (-x) * y, y - (-x) * y, x + -(x * y) * y, gi.sin(x) + -gi.cos(y) * x, -(-x * 1.0) + y,
    ]


@pytest.mark.parametrize("k", range(13))
@pytest.mark.parametrize(
    "xs", [[0.0, 0.0], [-0.0, 0.0], [0.0, -0.0], [-0.0, -0.0], [1.5, -2.25], [1e308, -1e308], [3.0, 0.1]]
)
def test_absorbed_negations_give_numpy_bits(k, xs):
    x, y = gi.symbols("x y")
    agree(negations(x, y)[k], [x, y], xs)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 12), BITS, BITS)
def test_absorbed_negations_match_numpy_anywhere(k, a, b):
    x, y = gi.symbols("x y")
    agree(negations(x, y)[k], [x, y], [a, b])


def test_the_source_has_no_unary_minus_where_it_is_absorbed():
    x, y = gi.symbols("x y")
    graph, roots = lift(x + -y * x)
    src, _ = scalar_source(graph, roots, [graph.find_var("x"), graph.find_var("y")])
    assert "= a0 - a1 * a0\n" in src
    graph, roots = lift(x - -y)
    src, _ = scalar_source(graph, roots, [graph.find_var("x"), graph.find_var("y")])
    assert "= a0 + a1\n" in src


def test_lambdify_returns_the_direct_function_for_numbers():
    x, y = gi.symbols("x y")
    f = gi.lambdify([x * y, x + y], [x, y])
    assert "_graphir_direct" in f.__code__.co_name
    assert f(2.0, 3.0) == [6.0, 5.0]
    assert type(f(2.0, 3.0)) is list
    g = gi.lambdify(x * y, [x, y])
    assert g(2.0, 3.0) == 6.0
    assert type(g(2.0, 3.0)) is float
    assert gi.lambdify(gi.sin(x), "x", backend="python")(0.5) == float(np.sin(0.5))


def test_other_types_counts_and_warnings_go_the_usual_way():
    x, y = gi.symbols("x y")
    f = gi.lambdify(gi.exp(x) * y, [x, y])
    ref = gi.lambdify(gi.exp(x) * y, [x, y], backend="numpy")
    for xs in ([1, 2], [np.float64(0.5), True], [np.float32(0.5), 2.0], [np.linspace(0, 1, 3), 2.0]):
        assert same(f(*xs), ref(*xs))
    assert type(f(1, 2)) is float  # ints are numbers: the Python path, as before
    with pytest.raises(TypeError, match="takes 2 argument"):
        f(1.0)
    with pytest.raises(TypeError, match="takes 2 argument"):
        f(1.0, 2.0, 3.0)
    with pytest.raises(TypeError):
        f(x=1.0, y=2.0)
    with pytest.warns(RuntimeWarning, match="overflow"):
        assert f(1000.0, 2.0) == math.inf
    assert f(math.nan, 1.0) != f(math.nan, 1.0)


def test_no_arguments_and_unused_ones():
    x = gi.symbols("x")
    c = gi.lambdify(as_expr(2.0) * 3.0, [])
    assert c() == 6.0
    with pytest.raises(TypeError, match="takes 0 argument"):
        c(1.0)
    assert gi.lambdify(gi.sin(x), [x, "y"])(0.5, 7.0) == float(np.sin(0.5))


def test_big_graphs_keep_one_copy_of_their_code(monkeypatch):
    x = gi.symbols("x")
    f = x
    for _ in range(30):
        f = gi.sin(f) * x
    monkeypatch.setattr(scalar_code, "DIRECT_LINES", 10)
    graph, roots = lift(f)
    assert direct_function(graph, roots, [graph.find_var("x")], "single", lambda *xs: None) is None
    fn = gi.lambdify(f, [x])
    assert fn.python_source is not None
    assert same(fn(0.7), gi.lambdify(f, [x], backend="numpy")(0.7))
