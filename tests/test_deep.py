"""A 100,000-node chain through every core pass: nothing may recurse over the graph."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

import graphir as gi
from graphir.ir import Graph, validate
from graphir.traversal import postorder, topo_order

STEPS = 33_334  # three nodes per step: about 100,000 nodes
LIMIT = sys.getrecursionlimit()


@pytest.fixture(scope="module")
def chain():
    """x_{k+1} = sin(x_k)*0.5 + x_k: each step uses the previous node twice (a DAG whose
    tree form is astronomically large), converging to pi from x_0 = 1."""
    x = gi.symbols("x")
    e = x
    for _ in range(STEPS):
        e = gi.sin(e) * 0.5 + e
    return x, e


def reference(x0, steps=STEPS):
    v = x0
    for _ in range(steps):
        v = np.sin(v) * 0.5 + v
    return v


def test_chain_builds_and_is_valid(chain):
    x, e = chain
    assert e.num_nodes == 3 * STEPS + 2  # x, 0.5 and three nodes per step
    assert e.num_nodes >= 100_000
    validate(e.ir)
    order = topo_order(e.ir, [e.node])
    assert order[0] == x.node and order[-1] == e.node
    assert postorder(e.ir, [e.node])[-1] == e.node
    assert [v.name for v in e.variables] == ["x"]
    assert sys.getrecursionlimit() == LIMIT  # nobody raised the limit


def test_chain_evaluates_scalar_and_array(chain):
    _, e = chain
    v = e.eval(x=1.0)
    assert v == reference(1.0)
    assert abs(v - math.pi) < 1e-12
    xs = np.array([0.5, 1.0, 2.0, -1.0])
    got = e.eval(x=xs)
    np.testing.assert_array_equal(got, reference(xs))


def test_chain_compiles(chain):
    x, e = chain
    fn = gi.lambdify(e, [x])
    xs = np.array([0.5, 1.0, 2.0])
    np.testing.assert_array_equal(fn(xs), reference(xs))
    assert float(fn(1.0)) == e.eval(x=1.0)


def test_chain_prints_and_compares(chain):
    x, e = chain
    r = repr(e)
    assert r.startswith("<expression add(...) with ") and len(r) < 100
    assert e == e
    assert e != gi.sin(x)
    g = e.graph  # the networkx view
    assert g.number_of_nodes() == e.num_nodes
    assert g.number_of_edges() == 5 * STEPS  # sin: 1, mul: 2, add: 2


def test_chain_copies_into_another_graph(chain):
    _, e = chain
    g = Graph()
    mapping = g.copy_from(e.ir, [e.node])
    assert len(g) == e.num_nodes
    validate(g)
    assert gi.Expr(g, mapping[e.node]) == e


def test_linear_chain_text_round_trip():
    x = gi.symbols("x")
    e = x
    for k in range(STEPS):
        e = gi.sin(e) if k % 3 == 0 else (e * 0.5 if k % 3 == 1 else 1 - e)
    text = str(e)  # tree form is linear here: every node used once
    assert text.count("sin(") == (STEPS + 2) // 3
    back = gi.parse(text)
    assert back == e
    assert back.eval(x=0.3) == e.eval(x=0.3)


def test_chain_json_round_trip(chain):
    _, e = chain
    text = gi.to_json(e)
    back = gi.from_json(text)
    assert back == e
    assert back.num_nodes == e.num_nodes
    assert back.eval(x=1.0) == e.eval(x=1.0)
