"""Forward mode as a graph transform: tangents flow from the inputs to the outputs.

One loop over the primal nodes in topological order; for each operand with a
tangent, the registry's partial rule builds ``d node / d operand`` and the
tangent of the node accumulates ``partial * tangent(operand)``.  Tangents are
nodes of the same graph, so they evaluate, compile and differentiate again.

>>> import graphir as gi
>>> from graphir.ir import Graph
>>> x, y = gi.symbols("x y")
>>> f = x * y + gi.sin(x)
>>> g = f.ir
>>> r = forward(g, [f.node], {x.node: g.const(1.0)})
>>> gi.Expr(g, r.derivative_of(f.node)).eval(x=0.0, y=2.0)
3.0
"""

from __future__ import annotations

from ..build import RuleKit
from ..ir import Graph
from ..traversal import topo_order
from .chain import PassResult, Step, accumulate, edge, fit

__all__ = ["forward"]


def forward(graph: Graph, outputs: list[int], seeds: dict[int, int]) -> PassResult:
    """Push the tangents ``seeds`` (input node -> tangent node) through to ``outputs``."""
    order = topo_order(graph, outputs)
    tangent: dict[int, int] = {}
    for i in order:
        if i in seeds and graph.const_value(seeds[i]) != 0.0:
            tangent[i] = fit(graph, seeds[i], graph.shapes[i])
    result = PassResult("forward", graph, list(outputs), order, dict(seeds), tangent)
    kit = RuleKit(graph)
    args = graph.args
    for n in order:
        operands = args[n]
        if not operands or n in seeds or not any(a in tangent for a in operands):
            continue
        for k, a in enumerate(operands):
            t = tangent.get(a)
            if t is None:
                continue
            partial, c = edge(graph, kit, "forward", n, k, t)
            if c is None:
                continue
            before = tangent.get(n)
            tangent[n] = accumulate(graph, before, c)
            result.steps.append(Step("forward", n, k, a, partial, t, c, n, before, tangent[n]))
    return result
