"""The IR: interning, operand order, structure as written, the networkx view,
validate() on broken graphs, and the traversal order."""

from __future__ import annotations

import networkx as nx
import pytest

import graphir as gi
from graphir.build import as_expr
from graphir.errors import GraphError
from graphir.ir import Graph, validate
from graphir.traversal import levels, postorder, reachable, topo_order


def ops_of(e: gi.Expr) -> list[str]:
    return [d["op"] for _, d in e.graph.nodes(data=True)]


# ---------------------------------------------------------------- interning


def test_shared_subexpression_is_one_node():
    x, y = gi.symbols("x y")
    f = (x + y) * (x + y)
    assert ops_of(f).count("add") == 1
    assert f.num_nodes == 4  # x, y, x+y, product
    (s1, s2) = f.args
    assert s1.node == s2.node
    g = f.graph
    assert g.number_of_edges() == 4  # x->add, y->add, add->mul twice
    assert sorted(k for _, _, k in g.in_edges(f.node, keys=True)) == [0, 1]
    gi.validate(f)


def test_separately_built_calls_are_one_node():
    x = gi.symbols("x")
    a = gi.sin(x)
    b = gi.sin(x)
    assert a.ir is b.ir and a.node == b.node
    assert (a * b).args[0].node == (a * b).args[1].node
    # and a constant written twice is one node
    c1, c2 = x + 2, x + 2.0
    assert c1.node == c2.node


def test_zero_and_negative_zero_are_distinct_constants():
    x = gi.symbols("x")
    p, n = x + 0.0, x + (-0.0)
    assert p.node != n.node
    assert p.args[1].value == 0.0 and str(p.args[1].value) == "0.0"
    assert str(n.args[1].value) == "-0.0"
    g = Graph()
    assert g.const(0.0) != g.const(-0.0)
    assert g.const(1) == g.const(1.0)
    assert g.var("x") == g.var("x")
    assert len(g) == 4  # 0.0, -0.0, 1.0, x


# ---------------------------------------------------------------- operand order


def test_operand_order_is_kept():
    x, y = gi.symbols("x y")
    a, b = x - y, y - x
    assert a.node != b.node
    assert [v.name for v in a.args] == ["x", "y"]
    assert [v.name for v in b.args] == ["y", "x"]
    assert a.eval(x=5, y=2) == 3.0 and b.eval(x=5, y=2) == -3.0
    ga = a.graph
    assert ga.edges[x.node, a.node, 0]["position"] == 0
    assert ga.edges[y.node, a.node, 1]["position"] == 1
    assert not ga.has_edge(y.node, a.node, 0)


def test_square_has_two_operand_slots_and_two_edges():
    x = gi.symbols("x")
    sq = x * x
    assert sq.op == "mul"
    assert [a.node for a in sq.args] == [x.node, x.node]
    g = sq.graph
    assert isinstance(g, nx.MultiDiGraph)
    edges = sorted(g.edges(keys=True, data=True))
    assert edges == [(x.node, sq.node, 0, {"position": 0}), (x.node, sq.node, 1, {"position": 1})]
    # the same holds for x + x and sin(x)*sin(x)
    for e in (x + x, gi.sin(x) * gi.sin(x)):
        a = e.args[0].node
        assert e.graph.number_of_edges(a, e.node) == 2
        assert sorted(k for _, _, k in e.graph.in_edges(e.node, keys=True)) == [0, 1]


# ---------------------------------------------------------------- structure as written


def test_sums_are_left_nested_not_flattened():
    a, b, c = gi.symbols("a b c")
    e = a + b + c
    assert e.op == "add"
    left, right = e.args
    assert left.op == "add" and [v.name for v in left.args] == ["a", "b"]
    assert right.name == "c"
    e2 = a + (b + c)
    assert e2.node != e.node
    assert e2.args[0].name == "a" and e2.args[1].op == "add"


def test_nothing_is_rewritten():
    x, y = gi.symbols("x y")
    assert (x - y).op == "sub"
    assert (x + (-y)).op == "add" and (x + (-y)).args[1].op == "neg"
    assert (x / y).op == "div"
    assert (x * 1).op == "mul" and (x + 0).op == "add"
    assert (x**2).op == "pow" and (x**2).args[1].value == 2.0
    minus_x = -x
    assert (-minus_x).op == "neg" and (-minus_x).args[0].op == "neg"


# ---------------------------------------------------------------- networkx view


def test_networkx_view_attributes():
    x, y = gi.symbols("x y")
    f = gi.sin(x) * 2.5 - y
    g = f.graph
    assert set(g.nodes) == set(f.order)
    assert f.num_nodes == g.number_of_nodes() == 6  # x, y, 2.5, sin, mul, sub
    assert g.nodes[x.node] == {"op": "var", "name": "x"}
    assert g.nodes[y.node] == {"op": "var", "name": "y"}
    c = f.args[0].args[1]
    assert g.nodes[c.node] == {"op": "const", "value": 2.5}
    assert g.nodes[f.node] == {"op": "sub"}
    assert g.nodes[f.args[0].node] == {"op": "mul"}
    for u, v, k, d in g.edges(keys=True, data=True):
        assert d == {"position": k}
        assert f.ir.args[v][k] == u  # the edge mirrors the ordered operand
    assert nx.is_directed_acyclic_graph(g)
    # only the nodes the expression depends on
    assert gi.sin(x).graph.number_of_nodes() == 2


# ---------------------------------------------------------------- validate


def small_graph() -> tuple[Graph, dict[str, int]]:
    g = Graph()
    ids = {"x": g.var("x"), "y": g.var("y"), "two": g.const(2.0)}
    ids["sin"] = g.apply("sin", ids["x"])
    ids["cos"] = g.apply("cos", ids["y"])
    ids["mul"] = g.apply("mul", ids["sin"], ids["two"])
    validate(g)
    return g, ids


def test_validate_accepts_what_the_builders_make():
    g, _ = small_graph()
    validate(g)
    x, y = gi.symbols("x y")
    gi.validate(gi.maximum(gi.log(x) ** y, x / y) + gi.sigmoid(-x))


@pytest.mark.parametrize(
    "breakage, message",
    [
        (lambda g, n: g.ops.__setitem__(n["sin"], "frobnicate"), "unknown op 'frobnicate'"),
        (lambda g, n: g.args.__setitem__(n["sin"], (n["x"], n["y"])), r"takes 1 operands, got 2"),
        (lambda g, n: g.args.__setitem__(n["mul"], (n["sin"],)), r"takes 2 operands, got 1"),
        (lambda g, n: g.args.__setitem__(n["sin"], (42,)), r"operand 0 is node 42, which does not exist"),
        (lambda g, n: g.args.__setitem__(n["mul"], (n["sin"], -1)), r"operand 1 is node -1"),
        (lambda g, n: g.args.__setitem__(n["x"], (n["y"],)), r"a var has no operands"),
        (lambda g, n: g.params.__setitem__(n["x"], None), r"a variable needs a name"),
        (lambda g, n: g.params.__setitem__(n["x"], ""), r"a variable needs a name"),
        (lambda g, n: g.params.__setitem__(n["two"], 2), r"a constant needs a float"),
        (lambda g, n: g.params.__setitem__(n["two"], "2.0"), r"a constant needs a float"),
        (lambda g, n: g.params.pop(), r"different lengths"),
    ],
    ids=[
        "unknown-op", "too-many-operands", "too-few-operands", "missing-operand", "negative-id",
        "var-with-operand", "var-without-name", "var-empty-name", "const-int", "const-str",
        "ragged-columns",
    ],
)
def test_validate_catches_broken_graphs(breakage, message):
    g, ids = small_graph()
    breakage(g, ids)
    with pytest.raises(GraphError, match=message):
        validate(g)


def test_validate_catches_a_cycle():
    g, ids = small_graph()
    # sin(x) -> sin(mul), and mul = sin * 2: sin and mul feed each other
    g.args[ids["sin"]] = (ids["mul"],)
    with pytest.raises(GraphError, match=r"cycle: .*3 -> 5 -> 3|cycle: .*5 -> 3 -> 5"):
        validate(g)
    g2 = Graph()
    x = g2.var("x")
    s = g2.apply("sin", x)
    g2.args[s] = (s,)  # a node that is its own operand
    with pytest.raises(GraphError, match="cycle"):
        validate(g2)


def test_validate_catches_an_operand_after_its_node():
    g, ids = small_graph()
    g.args[ids["sin"]] = (ids["cos"],)  # sin(cos(y)), but cos comes later: ids not topological
    with pytest.raises(GraphError, match=r"node 3 comes before one of its operands"):
        validate(g)


def test_validate_catches_a_duplicate_interned_node():
    g, ids = small_graph()
    g.ops.append("sin")
    g.args.append((ids["x"],))
    g.params.append(None)
    g.shapes.append(())
    with pytest.raises(GraphError, match=r"node 6 \(sin\) duplicates node 3"):
        validate(g)
    g, ids = small_graph()
    g.ops.append("var")
    g.args.append(())
    g.params.append("x")
    g.shapes.append(())
    with pytest.raises(GraphError, match=r"duplicates node 0"):
        validate(g)
    g, ids = small_graph()
    g.ops.append("const")
    g.args.append(())
    g.params.append(2.0)
    g.shapes.append(())
    with pytest.raises(GraphError, match=r"duplicates node 2"):
        validate(g)


# ---------------------------------------------------------------- traversal


def baydin():
    x1, x2 = gi.symbols("x1 x2")
    return x1, x2, gi.log(x1) + x1 * x2 - gi.sin(x2)


def test_topo_order_of_the_baydin_function_is_the_evaluation_trace():
    x1, x2, f = baydin()
    order = topo_order(f.ir, [f.node])
    assert [f.ir.ops[i] for i in order] == ["var", "var", "log", "mul", "sin", "add", "sub"]
    assert order[:2] == [x1.node, x2.node]
    assert f.order == order
    lv = levels(f.ir, reachable(f.ir, [f.node]))
    assert [lv[i] for i in order] == [0, 0, 1, 1, 1, 2, 3]


def test_topo_order_does_not_depend_on_build_order_within_a_level():
    x1, x2 = gi.symbols("x1 x2")
    s = gi.sin(x2)  # built first: still visited with the other level-1 nodes
    f = gi.log(x1) + x1 * x2 - s
    ops = [f.ir.ops[i] for i in topo_order(f.ir, [f.node])]
    assert ops[2:5] == ["sin", "log", "mul"]  # level 1, by id
    assert ops[5:] == ["add", "sub"]


def test_topo_order_of_doubling_chain():
    for a in (as_expr(1.0), gi.symbols("a")):
        b = a + a
        c = b + b
        order = topo_order(c.ir, [c.node])
        assert order == [a.node, b.node, c.node]
        assert c.num_nodes == 3
        assert c.graph.number_of_edges() == 4
        assert [e.node for e in b.args] == [a.node, a.node]
        assert [e.node for e in c.args] == [b.node, b.node]
        assert c.eval(a=1.0) == 4.0


def test_orders_are_topological_and_complete():
    x, y, z = gi.symbols("x y z")
    f = gi.exp(x * y) / (z + gi.sin(x * y)) - gi.maximum(x, z) ** 2
    g = f.ir
    for order in (topo_order(g, [f.node]), postorder(g, [f.node])):
        assert sorted(order) == reachable(g, [f.node])
        pos = {i: k for k, i in enumerate(order)}
        for i in order:
            assert all(pos[a] < pos[i] for a in g.args[i])
    assert postorder(g, [f.node])[-1] == f.node


def test_several_roots():
    x, y = gi.symbols("x y")
    a, b = gi.sin(x), gi.cos(y)
    order = topo_order(a.ir, [a.node, b.node])
    assert [a.ir.ops[i] for i in order] == ["var", "var", "sin", "cos"]
    assert topo_order(a.ir, []) == []
