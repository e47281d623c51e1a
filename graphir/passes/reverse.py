"""Reverse mode as a graph transform: adjoints flow from the outputs back to the inputs.

One loop over the primal nodes in reverse topological order; each node with an
adjoint sends ``adjoint(node) * partial`` to every operand that depends on a
variable of ``wrt``; an operand that already has an adjoint accumulates (``+=``),
which is a step of its own.  Adjoints are nodes of the same graph.

>>> import graphir as gi
>>> x, y = gi.symbols("x y")
>>> f = x * y + gi.sin(x)
>>> g = f.ir
>>> r = reverse(g, [f.node], {f.node: g.const(1.0)}, [x.node, y.node])
>>> gi.Expr(g, r.derivative_of(x.node)).eval(x=0.0, y=2.0)
3.0
"""

from __future__ import annotations

from ..build import RuleKit
from ..ir import Graph
from ..traversal import topo_order
from .chain import PassResult, Step, accumulate, edge, fit

__all__ = ["reverse", "depends_on"]


def depends_on(graph: Graph, order: list[int], sources: set[int]) -> set[int]:
    """The nodes of ``order`` (topological) that depend on a node of ``sources``."""
    args = graph.args
    active = set()
    for i in order:
        if i in sources or any(a in active for a in args[i]):
            active.add(i)
    return active


def reverse(graph: Graph, outputs: list[int], seeds: dict[int, int], wrt: list[int]) -> PassResult:
    """Pull the adjoints ``seeds`` (output node -> adjoint node) back to the variables ``wrt``."""
    order = topo_order(graph, outputs)
    active = depends_on(graph, order, set(wrt))
    adjoint: dict[int, int] = {}
    for o, s in seeds.items():
        if o in active and graph.const_value(s) != 0.0:
            adjoint[o] = fit(graph, s, graph.shapes[o])
    result = PassResult("reverse", graph, list(outputs), order, dict(seeds), adjoint)
    kit = RuleKit(graph)
    args = graph.args
    for n in reversed(order):
        incoming = adjoint.get(n)
        operands = args[n]
        if incoming is None or not operands:
            continue
        for k, a in enumerate(operands):
            if a not in active:
                continue
            partial, c = edge(graph, kit, "reverse", n, k, incoming)
            if c is None:
                continue
            before = adjoint.get(a)
            adjoint[a] = accumulate(graph, before, c)
            result.steps.append(Step("reverse", n, k, a, partial, incoming, c, a, before, adjoint[a]))
    return result
