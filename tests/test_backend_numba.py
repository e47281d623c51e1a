"""Backends of gi.lambdify against the NumPy backend, the reference.

The numba backend (an instruction table run by a compiled loop) is compared with
the NumPy backend on the whole registry, on nan/inf/overflow inputs and on a
10^5-node chain: bit for bit for the operations whose result is exactly rounded
(+ - * / neg abs sqrt maximum minimum sign heaviside), within a few ulp for the
functions where numba calls the C library and NumPy its own vectorised code.
The blocked evaluation of the NumPy backend gives the same bits as one call.
The tests needing numba skip without it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphir as gi
from graphir.build import Expr, as_expr, lift
from graphir.passes import compile as compile_pass
from graphir.passes import instructions, numba_kernels
from graphir.passes.compile import lambdify_numpy
from graphir.passes.instructions import OPNAMES, lower, run_python
from tests.strategies import VARIABLES, points, recipes, wild_points, wild_recipes

needs_numba = pytest.mark.skipif(not numba_kernels.AVAILABLE, reason="numba is not installed (graphir[fast])")
EXACT = ["add", "sub", "mul", "div", "neg", "abs", "sqrt", "maximum", "minimum", "sign", "heaviside"]
ULPS = 4


def apply(op: str, *operands: gi.Expr) -> gi.Expr:
    graph, ids = lift(*operands)
    return Expr(graph, graph.apply(op, *ids))


def numba_values(exprs: list[gi.Expr], names: list[str], values: list, block: int = 64) -> list:
    """The compiled loop's own values (no fall-back to the reference on nan or inf)."""
    from graphir.passes.numba_backend import run_points

    graph, roots = lift(*exprs)
    program = lower(graph, roots, [graph.find_var(n) if graph.find_var(n) is not None else -1 for n in names])
    return run_points(program, [np.asarray(v, dtype=float) if np.ndim(v) else float(v) for v in values],
                      block, numba_kernels)


def reference(exprs: list[gi.Expr], names: list[str], values: list) -> list:
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return lambdify_numpy(exprs, names, block=0)(*values)


def same(got, want, exact: bool) -> None:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    got = np.broadcast_to(got, np.broadcast_shapes(got.shape, want.shape))
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    ok = ~np.isnan(want)
    if exact:
        w = np.broadcast_to(want, got.shape)[ok]
        np.testing.assert_array_equal(got[ok].view(np.int64), w.view(np.int64))
    else:
        w = np.broadcast_to(want, got.shape)[ok]
        with np.errstate(invalid="ignore"):
            close = (got[ok] == w) | (np.abs(got[ok] - w) <= ULPS * np.spacing(np.abs(w)))
            # an ulp of a term is more than an ulp of a sum that cancels it: then relative to 1
            close |= np.abs(got[ok] - w) <= 1e-14 * np.maximum(1.0, np.abs(w))
        assert np.all(close), (got, want)


# ---------------------------------------------------------------- the table itself (no numba)


def test_every_builtin_elementwise_primitive_has_an_opcode():
    elementwise = {n for n, p in gi.PRIMITIVES.items() if p.elementwise and not p.user}
    assert elementwise == set(OPNAMES)


def test_registers_are_reused_along_a_chain():
    x = gi.symbols("x")
    e = x
    for _ in range(1000):
        e = gi.sin(e) * 0.5 + e
    p = lower(e.ir, [e.node], [x.node])
    assert len(p.code) == 3000 and p.n_regs <= 3


def test_run_python_is_the_reference():
    x, y = gi.symbols("x y")
    f = [gi.log(x) + x * y - gi.sin(y), x / y, gi.maximum(x, 2.0)]
    graph, roots = lift(*f)
    p = lower(graph, roots, [graph.find_var("x"), graph.find_var("y")])
    want = reference(f, ["x", "y"], [2.0, 5.0])
    assert [float(v) for v in run_python(p, [2.0, 5.0])] == [float(v) for v in want]


def test_what_does_not_lower_is_said():
    W = gi.symbols("W", shape=(2,))
    x = gi.symbols("x")
    with pytest.raises(gi.EvalError, match="array"):
        lower(W.ir, [gi.sum(W).node], [W.node])
    with pytest.raises(gi.EvalError, match="not among the arguments"):
        f = x * gi.symbols("z")
        lower(f.ir, [f.node], [x.node])


def test_without_numba_the_backend_says_how_to_install_it(monkeypatch):
    x = gi.symbols("x")
    monkeypatch.setattr(numba_kernels, "AVAILABLE", False)
    with pytest.raises(gi.ArgumentError, match=r"pip install 'graphir\[fast\]'"):
        gi.lambdify(x * x, [x], backend="numba")
    with pytest.raises(gi.ArgumentError, match="unknown backend 'jax': choose one of"):
        gi.lambdify(x * x, [x], backend="jax")
    assert set(compile_pass.BACKENDS) | set(compile_pass.WHOLE_BACKENDS) >= {"numpy", "numba"}


# ---------------------------------------------------------------- blocked NumPy evaluation


@pytest.mark.parametrize("block", [1, 7, 64])
def test_blocks_give_the_same_bits_as_one_call(block):
    x, y = gi.symbols("x y")
    f = gi.log(x) + x * y - gi.sin(y)
    outs = [f, *gi.grad(f, [x, y]), as_expr(2.0), x]
    rng = np.random.default_rng(11)
    a, b = rng.uniform(0.1, 3.0, 1000), rng.uniform(-3, 3, 1000)
    want = lambdify_numpy(outs, [x, y], block=0)(a, b)
    got = lambdify_numpy(outs, [x, y], block=block)(a, b)
    for g, w in zip(got, want, strict=True):
        assert type(g) is type(w) and np.shape(g) == np.shape(w)
        np.testing.assert_array_equal(g, w)
    # broadcasting and a scalar argument, in blocks
    got = lambdify_numpy(f, [x, y], block=block)(a[:30].reshape(3, 10), 2.0)
    np.testing.assert_array_equal(got, lambdify_numpy(f, [x, y], block=0)(a[:30].reshape(3, 10), 2.0))
    with pytest.raises(gi.EvalError, match="cannot take"):
        lambdify_numpy(f, [x, y], block=block)(a, b[:999])


def test_the_default_block_is_used_on_long_arrays():
    x = gi.symbols("x")
    a = np.linspace(0.1, 3.0, 5 * compile_pass.BLOCK + 3)
    np.testing.assert_array_equal(gi.lambdify(gi.exp(x) * x, [x])(a), np.exp(a) * a)
    with pytest.raises(gi.ArgumentError, match="block"):
        gi.lambdify(x, [x], block=-1)


# ---------------------------------------------------------------- numba against NumPy


@needs_numba
@pytest.mark.parametrize("op", OPNAMES)
def test_each_opcode_against_numpy(op):
    p = gi.PRIMITIVES[op]
    x, y = gi.symbols("x y")
    e = apply(op, x, y) if p.arity == 2 else apply(op, x)
    rng = np.random.default_rng(7)
    lo, hi = {"positive": (0.2, 3.0), "unit": (-0.9, 0.9), "gt-1": (-0.8, 3.0)}.get(p.domain[0], (-3.0, 3.0))
    special = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e308, -1e308, 5e-324]
    a = np.concatenate([rng.uniform(lo, hi, 500), special])
    b = np.concatenate([rng.uniform(-3.0, 3.0, 500), [-0.0, 0.0, 1.0, np.nan, 2.0, -np.inf, 1e-308, 0.5]])
    want = reference([e], ["x", "y"], [a, b])[0]
    same(numba_values([e], ["x", "y"], [a, b])[0], want, op in EXACT)
    for k in (0, 500, 502, 504):  # the scalar loop too
        same(numba_values([e], ["x", "y"], [a[k], b[k]])[0], want[k], op in EXACT)


def _check_recipe(recipe, point, exact: bool) -> None:
    e = recipe.to_expr()
    names = list(VARIABLES)
    shift = np.linspace(-0.5, 0.5, 9)
    arrays = [point[n] + shift for n in names]
    scalars = [point[n] for n in names]
    want = reference([e], names, arrays)[0]
    same(numba_values([e], names, arrays, block=4)[0], want, exact)
    same(numba_values([e], names, scalars)[0], reference([e], names, scalars)[0], exact)


@needs_numba
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recipes(max_ops=8, ops=EXACT), points())
def test_exact_operations_bit_for_bit(recipe, point):
    _check_recipe(recipe, point, exact=True)


@needs_numba
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recipes(max_ops=1), points())
def test_the_whole_registry(recipe, point):
    _check_recipe(recipe, point, exact=recipe.ops <= set(EXACT))


@needs_numba
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wild_recipes(max_ops=6, ops=EXACT), wild_points())
def test_nan_inf_and_overflow_bit_for_bit(recipe, point):
    _check_recipe(recipe, point, exact=True)


@needs_numba
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wild_recipes(max_ops=1), wild_points())
def test_nan_inf_and_overflow_in_every_primitive(recipe, point):
    _check_recipe(recipe, point, exact=recipe.ops <= set(EXACT))


@needs_numba
def test_gradients_and_several_outputs():
    x, y = gi.symbols("x y")
    f = gi.log(x) + x * y - gi.sin(y)
    outs = [f, *gi.grad(f, [x, y]), as_expr(3.0), y]
    fast = gi.lambdify(outs, [x, y], backend="numba")
    assert fast.backend == "numba"
    rng = np.random.default_rng(3)
    a, b = rng.uniform(0.1, 3.0, 20000), rng.uniform(-3, 3, 20000)
    for args in ([a, b], [2.0, 5.0], [a, 5.0], [a[:12].reshape(3, 4), b[:4]]):
        want = reference(outs, ["x", "y"], args)
        got = fast(*args)
        for g, w, exact in zip(got, want, [False, True, False, True, True], strict=True):
            assert np.shape(g) == np.shape(w)
            same(g, w, exact)


@needs_numba
def test_a_chain_of_100000_nodes():
    x = gi.symbols("x")
    e = x
    for k in range(50000):
        e = e * 0.999 + (0.001 if k % 2 else 0.002)
    assert len(e.ir) > 100000
    a = np.linspace(-2.0, 2.0, 50)
    fast = gi.lambdify(e, [x], backend="numba")
    want = e.eval(x=a)
    np.testing.assert_array_equal(fast(a), want)
    assert fast(0.5) == e.eval(x=0.5)


@needs_numba
def test_what_numba_does_not_take_falls_back_to_numpy():
    W = gi.symbols("W", shape=(3,))
    x = gi.symbols("x")
    f = gi.lambdify(gi.sum(W * W), [W], backend="numba")
    assert f.backend == "numpy" and f(np.ones(3)) == 3.0
    g = gi.lambdify(gi.exp(x), [x], backend="numba")
    assert g.backend == "numba"
    assert g(1j * np.pi) == np.exp(1j * np.pi)  # complex input: the reference computes it
    with pytest.warns(RuntimeWarning, match="divide by zero"):  # nan and inf: the reference's warnings
        assert gi.lambdify(gi.log(x), [x], backend="numba")(0.0) == -np.inf
    with pytest.raises(TypeError, match="takes 1 argument"):
        g(1.0, 2.0)
    with pytest.raises(gi.ArgumentError, match="repeated"):
        gi.lambdify(x, [x, x], backend="numba")


@needs_numba
@settings(max_examples=10, deadline=None)
@given(st.integers(1, 5))
def test_user_primitives_fall_back(k):
    name = f"twice_{k}"
    make = gi.register_primitive(name, lambda v: 2.0 * v, [lambda b, out, v: b.const(2.0)])
    try:
        x = gi.symbols("x")
        e = make(x) + 1.0
        f = gi.lambdify(e, [x], backend="numba")
        assert f.backend == "numpy" and f(3.0) == 7.0
    finally:
        gi.unregister_primitive(name)
    assert instructions.lowerable  # the module is importable without numba
