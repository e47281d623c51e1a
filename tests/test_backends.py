"""gi.lambdify backends against the NumPy reference: the same values, bit for bit, and the
same warnings, on the whole registry, random expressions, wild inputs and 10^5-node chains."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphir as gi
from graphir.passes.compile import BACKENDS
from graphir.passes.scalar_code import scalar_forms
from graphir.primitives import PRIMITIVES
from tests.strategies import (
    EXAMPLES,
    VARIABLES,
    WILD_CONSTANTS,
    builtin_ops,
    points,
    recipes,
    wild_points,
    wild_recipes,
)

SCALAR_OPS = [op for op in builtin_ops() if op in scalar_forms()[0]]
BITS = st.one_of(st.floats(), st.sampled_from(WILD_CONSTANTS), st.floats(-3.0, 3.0), st.floats(-800.0, 800.0))


def same(a: Any, b: Any) -> bool:
    """Equal to the last bit (nan equals nan; 0.0 and -0.0 differ)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and a.tobytes() == b.tobytes() or bool(
        np.all((a == b) & (np.signbit(a) == np.signbit(b)) | (np.isnan(a) & np.isnan(b)))
    )


def run(fn: Any, xs: list[Any]) -> tuple[Any, list[str]]:
    """Values and the warnings they gave (class and message)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(*xs)
    return out, [f"{w.category.__name__}: {w.message}" for w in caught]


def agree(exprs: Any, args: list[Any], xs: list[Any], backend: str = "python") -> None:
    ref, ref_warn = run(gi.lambdify(exprs, args, backend="numpy"), xs)
    got, got_warn = run(gi.lambdify(exprs, args, backend=backend), xs)
    auto, auto_warn = run(gi.lambdify(exprs, args), xs)
    for r, g, a in zip(np.atleast_1d(ref), np.atleast_1d(got), np.atleast_1d(auto), strict=True):
        assert same(g, r), (exprs, xs, g, r)
        assert same(a, r), (exprs, xs, a, r)
    assert got_warn == ref_warn == auto_warn


def test_the_registry_has_python_forms_for_every_builtin_elementwise_op():
    assert set(SCALAR_OPS) == set(builtin_ops())
    assert set(BACKENDS) >= {"numpy", "python"}


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SCALAR_OPS), BITS, BITS)
def test_every_op_matches_numpy_bit_for_bit(op, a, b):
    x, y = gi.symbols("x y")
    e = getattr(gi, op)(*[x, y][: PRIMITIVES[op].arity]) if hasattr(gi, op) else None
    if e is None:
        from graphir.build import _apply

        e = _apply(op, *[x, y][: PRIMITIVES[op].arity])
    agree(e, [x, y], [a, b])


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(BITS, st.sampled_from([2.0, 0.5, -1.0, 3.0, 1.0, 0.0, -2.0, 1.5]))
def test_powers_by_constants_match_numpy(a, c):
    x = gi.symbols("x")
    agree([x**c, (x + 1.0) ** c * x], [x], [a])


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recipes(max_ops=10), points())
def test_random_expressions_match_numpy(recipe, point):
    e = recipe.to_expr()
    agree([e, e * e], list(VARIABLES), [point[n] for n in VARIABLES])


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wild_recipes(max_ops=6), wild_points())
def test_wild_values_and_warnings_match_numpy(recipe, point):
    agree(recipe.to_expr(), list(VARIABLES), [point[n] for n in VARIABLES])


@pytest.mark.parametrize(
    "make, xs",
    [
        (lambda x, y: gi.atan(x * y), [1e300, 1e300]),  # overflow to inf, then a finite value
        (lambda x, y: gi.tanh(x * y - x * y), [1e300, 1e300]),  # inf - inf
        (lambda x, y: 1.0 / (x * y), [1e300, 1e300]),
        (lambda x, y: gi.exp(x) + y, [1000.0, 1.0]),
        (lambda x, y: gi.log(x - y), [1.0, 1.0]),
        (lambda x, y: gi.sqrt(x) * y, [-1.0, 2.0]),
        (lambda x, y: x / y, [1.0, 0.0]),
        (lambda x, y: x**y, [-8.0, 1 / 3]),
        (lambda x, y: gi.sin(x) + y, [math.inf, 1.0]),
        (lambda x, y: gi.maximum(x, y), [math.nan, 1.0]),
        (lambda x, y: gi.exp(-x) * y, [math.inf, 2.0]),
        (lambda x, y: x * y, [0.0, -0.0]),
    ],
)
def test_nan_inf_and_overflow_give_numpy_values_and_warnings(make, xs):
    x, y = gi.symbols("x y")
    agree(make(x, y), [x, y], xs)


def test_numbers_of_other_types_and_arrays_give_the_reference_values():
    x, y = gi.symbols("x y")
    f = gi.sin(x) * y + x**2
    fn, ref = gi.lambdify(f, [x, y]), gi.lambdify(f, [x, y], backend="numpy")
    for xs in ([2, 3], [np.float64(0.5), True], [np.float32(0.5), 2.0], [np.linspace(0, 1, 5), 2.0]):
        assert same(fn(*xs), ref(*xs))
    assert type(fn(0.5, 2.0)) is float
    assert fn(0.5 + 0j, 2.0) == ref(0.5 + 0j, 2.0)
    with pytest.raises(TypeError, match="takes 2 argument"):
        fn(1.0)


def test_array_graphs_take_the_numpy_backend_and_python_refuses_them():
    v = gi.symbols("v", shape=(3,))
    f = gi.sum(gi.sin(v))
    at = np.array([0.1, 0.2, 0.3])
    assert same(gi.lambdify(f, [v])(at), gi.lambdify(f, [v], backend="numpy")(at))
    with pytest.raises(gi.ArgumentError, match="python backend"):
        gi.lambdify(f, [v], backend="python")
    with pytest.raises(gi.ArgumentError, match="unknown backend"):
        gi.lambdify(f, [v], backend="fortran")


def test_a_chain_of_100000_nodes():
    x = gi.symbols("x")
    e = x
    for _ in range(100_000 // 3):
        e = gi.sin(e) * 0.5 + e
    assert e.num_nodes >= 100_000
    agree(e, [x], [0.3])
    agree(e, [x], [1e300])  # overflows on the way: the NumPy values and warnings


def test_gradients_match_numpy():
    xs = gi.symbols([f"x{i}" for i in range(10)])
    f = 0.0
    for i in range(9):
        f = f + 100.0 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1.0 - xs[i]) ** 2
    rng = np.random.default_rng(4)
    for _ in range(20):
        agree(gi.grad(f, xs), list(xs), [float(v) for v in rng.uniform(-2, 2, 10)])
