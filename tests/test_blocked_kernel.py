"""Blocked evaluation with out= buffers (graphir/passes/blocked.py): the bits of one NumPy
call per node on whole arrays, for every float64 ufunc of the registry, wild values, block
sizes that leave a short last block, and the graphs and values it leaves to the plain path."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphir as gi
from graphir.build import _apply, lift
from graphir.passes.blocked import out_kernel
from graphir.primitives import PRIMITIVES
from tests.strategies import EXAMPLES, WILD_CONSTANTS, builtin_ops
from tests.test_backends import run as run_warned
from tests.test_backends import same

UFUNC_OPS = [op for op in builtin_ops() if isinstance(PRIMITIVES[op].numpy, np.ufunc)]
RNG = np.random.default_rng(5)
WILD = np.array([*WILD_CONSTANTS, *RNG.uniform(-3, 3, 40), *RNG.uniform(-800, 800, 20)], dtype=float)


def kernel(outs: list[gi.Expr], xs: list[gi.Expr]):
    graph, roots = lift(*outs)
    found = [graph.find_var(x.name) for x in xs]
    return out_kernel(graph, roots, [-1 - k if i is None else i for k, i in enumerate(found)])


def reference(outs: list[gi.Expr], xs: list[gi.Expr], arrays: list[np.ndarray]) -> list:
    with np.errstate(all="ignore"):
        return list(gi.lambdify(outs, xs, backend="numpy", block=0)(*arrays))


@pytest.mark.parametrize("op", UFUNC_OPS)
@pytest.mark.parametrize("block", [1, 7, 64])
def test_every_ufunc_op_gives_the_bits_of_one_call(op, block):
    x, y = gi.symbols("x y")
    e = _apply(op, *[x, y][: PRIMITIVES[op].arity])
    outs = [e, e * y - x, gi.sin(e) + e]
    a, b = WILD, np.roll(WILD, 3)
    run = kernel(outs, [x, y])
    assert run is not None
    with np.errstate(all="ignore"):
        got = run(block, a, b)
    for g, r in zip(got, reference(outs, [x, y], [a, b]), strict=True):
        assert same(g, r), op


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(UFUNC_OPS), min_size=1, max_size=12), st.integers(1, 40),
       st.integers(0, 2**32 - 1))
def test_chains_of_ops_with_shared_values_give_the_same_bits(ops, block, seed):
    x, y = gi.symbols("x y")
    rnd = np.random.default_rng(seed)
    nodes = [x, y]
    for op in ops:
        picks = [nodes[int(k)] for k in rnd.integers(0, len(nodes), 2)]
        nodes.append(_apply(op, *picks[: PRIMITIVES[op].arity]))
    outs = list(dict.fromkeys(n for n in nodes[2:]))[-3:]
    run = kernel(outs, [x, y])
    if run is None:  # a node that depends on no variable, say
        return
    a, b = rnd.choice(WILD, 90), rnd.choice(WILD, 90)
    with np.errstate(all="ignore"):
        got = run(block, a, b)
    for g, r in zip(got, reference(outs, [x, y], [a, b]), strict=True):
        assert same(g, r)


def test_lambdify_uses_it_on_long_arrays_and_shapes_are_kept():
    x, y = gi.symbols("x y")
    outs = list(gi.grad(gi.log(x) + x * y - gi.sin(y), [x, y]))
    a, b = RNG.uniform(0.5, 2, (40, 25)), RNG.uniform(0.5, 2, (40, 25))
    got = gi.lambdify(outs, [x, y], block=8)(a, b)
    want = gi.lambdify(outs, [x, y], block=0)(a, b)
    assert all(g.shape == (40, 25) and same(g, w) for g, w in zip(got, want, strict=True))


def test_graphs_and_values_it_leaves_to_the_plain_blocks():
    x, y = gi.symbols("x y")
    assert kernel([x * y, x * y], [x, y]) is None  # a repeated output
    assert kernel([x * y, x], [x, y]) is None  # an output that is a variable
    assert kernel([gi.sigmoid(x)], [x]) is None  # not a ufunc
    assert kernel([gi.sin(gi.symbols("z") * 0.0 + 2.0) * x], [x, gi.symbols("z")]) is not None
    run = kernel([x * y], [x, y])
    a = np.linspace(0, 1, 50)
    assert run(8, a.astype(np.float32), a) is None
    assert run(8, a, a[:49]) is None
    assert run(8, a, 2.0) is None
    for args in ([a.astype(np.float32), a], [a, 2.0], [a.reshape(5, 10), a[:10]]):
        got = gi.lambdify([x * y, x - y], [x, y], block=8)(*args)
        want = gi.lambdify([x * y, x - y], [x, y], block=0)(*args)
        assert all(same(g, w) and g.dtype == w.dtype for g, w in zip(got, want, strict=True))


def test_unused_arguments_and_warnings():
    x, y = gi.symbols("x y")
    outs = [gi.log(x), x * 2.0]
    a = np.array([1.0, 0.0, -1.0, 2.0] * 10)
    got, got_warn = run_warned(gi.lambdify(outs, [x, y], block=8), [a, a])
    want, want_warn = run_warned(gi.lambdify(outs, [x, y], block=0), [a, a])
    assert all(same(g, w) for g, w in zip(got, want, strict=True))
    assert set(got_warn) == set(want_warn) == {
        "RuntimeWarning: divide by zero encountered in log",
        "RuntimeWarning: invalid value encountered in log",
    }
