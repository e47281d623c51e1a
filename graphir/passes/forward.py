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

from .. import primitives
from ..build import RuleKit
from ..ir import Graph
from ..traversal import topo_order
from .chain import FAST_RULES, PassResult, Step, edge, fit, gc_paused, partial_node, scalar_product

__all__ = ["forward"]


def forward(
    graph: Graph,
    outputs: list[int],
    seeds: dict[int, int],
    record_steps: bool = True,
    order: list[int] | None = None,
) -> PassResult:
    """Push the tangents ``seeds`` (input node -> tangent node) through to ``outputs``.

    With ``record_steps=False`` the result has no :class:`Step` records (the graph it
    builds is the same, node for node).  ``order`` is ``topo_order(graph, outputs)`` when
    the caller has it already.
    """
    with gc_paused():
        if order is None:
            order = topo_order(graph, outputs)
        tangent: dict[int, int] = {}
        for i in order:
            if i in seeds and graph.const_value(seeds[i]) != 0.0:
                tangent[i] = fit(graph, seeds[i], graph.shapes[i])
        result = PassResult("forward", graph, list(outputs), order, dict(seeds), tangent)
        _loop(graph, order, seeds, tangent, result.steps if record_steps else None)
    return result


def _loop(
    graph: Graph, order: list[int], seeds: dict[int, int], tangent: dict[int, int], steps: list[Step] | None
) -> None:
    """The pass proper: every edge out of an operand with a tangent, in order."""
    kit = RuleKit(graph)
    ops, args, shapes = graph.ops, graph.args, graph.shapes
    get, fast, apply = primitives.get, FAST_RULES, graph.apply
    for n in order:
        operands = args[n]
        if not operands or n in seeds:
            continue
        record = None
        for k, a in enumerate(operands):
            t = tangent.get(a)
            if t is None:
                continue
            if record is None:
                record = get(ops[n])
            if record.elementwise and not shapes[n] and ops[t] != "broadcast_to":
                f = fast.get(record.partials[k])
                partial = f(graph, n, operands) if f is not None else partial_node(graph, kit, n, k)
                c = scalar_product(graph, t, partial)
            else:
                partial, c = edge(graph, kit, "forward", n, k, t)
            if c is None:
                continue
            before = tangent.get(n)
            after = tangent[n] = c if before is None else apply("add", before, c)
            if steps is not None:
                steps.append(Step("forward", n, k, a, partial, t, c, n, before, after))
