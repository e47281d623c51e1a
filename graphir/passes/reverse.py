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

from .. import primitives
from ..build import RuleKit
from ..ir import Graph
from ..traversal import topo_order
from .chain import FAST_RULES, PassResult, Step, edge, fit, gc_paused, partial_node, scalar_product

__all__ = ["reverse", "depends_on"]


def depends_on(graph: Graph, order: list[int], sources: set[int]) -> set[int]:
    """The nodes of ``order`` (topological) that depend on a node of ``sources``."""
    args = graph.args
    active = set()
    add = active.add
    for i in order:
        if i in sources:
            add(i)
            continue
        for a in args[i]:
            if a in active:
                add(i)
                break
    return active


def reverse(
    graph: Graph,
    outputs: list[int],
    seeds: dict[int, int],
    wrt: list[int],
    record_steps: bool = True,
    order: list[int] | None = None,
) -> PassResult:
    """Pull the adjoints ``seeds`` (output node -> adjoint node) back to the variables ``wrt``.

    ``record_steps`` and ``order`` as in forward mode (:func:`graphir.passes.forward.forward`):
    no :class:`Step` records when False (the same graph is built), the topological order
    when the caller has it.
    """
    with gc_paused():
        order = topo_order(graph, outputs) if order is None else order
        active = depends_on(graph, order, set(wrt))
        adjoint: dict[int, int] = {}
        for o, s in seeds.items():
            if o in active and graph.const_value(s) != 0.0:
                adjoint[o] = fit(graph, s, graph.shapes[o])
        result = PassResult("reverse", graph, list(outputs), order, dict(seeds), adjoint)
        _loop(graph, order, active, adjoint, result.steps if record_steps else None)
    return result


def _loop(
    graph: Graph, order: list[int], active: set[int], adjoint: dict[int, int], steps: list[Step] | None
) -> None:
    """The pass proper: every edge into an active operand, in reverse order."""
    kit = RuleKit(graph)
    ops, args, shapes = graph.ops, graph.args, graph.shapes
    get, fast = primitives.get, FAST_RULES
    negated: set[int] = set()  # operands whose adjoint so far is -(an adjoint): neg(y) built by a -=
    for n in reversed(order):
        incoming = adjoint.get(n)
        operands = args[n]
        if incoming is None or not operands:
            continue
        record = get(ops[n])
        # scalar node of an elementwise op: its operands are scalars too
        scalar = record.elementwise and not shapes[n] and ops[incoming] != "broadcast_to"
        for k, a in enumerate(operands):
            if a not in active:
                continue
            if scalar:
                f = fast.get(record.partials[k])
                partial = f(graph, n, operands) if f is not None else partial_node(graph, kit, n, k)
                c = scalar_product(graph, incoming, partial)
            else:
                partial, c = edge(graph, kit, "reverse", n, k, incoming)
            if c is None:
                continue
            before = adjoint.get(a)
            after = adjoint[a] = _accumulate(graph, before, c, incoming, partial, a, negated)
            if steps is not None:
                steps.append(Step("reverse", n, k, a, partial, incoming, c, a, before, after))


def _accumulate(
    graph: Graph, before: int | None, c: int, incoming: int, partial: int | None, a: int, negated: set[int]
) -> int:
    """The adjoint of ``a`` after adding the contribution ``c`` (``incoming * partial``) to ``before``.

    A partial of -1 (``sub``'s second operand, ``neg``) makes ``c`` the node ``neg(incoming)``:
    the adjoint is then written ``before - incoming`` (``x̄ -= ȳ``), and a first contribution
    ``neg(y)`` followed by ``+ c`` is written ``c - y``, so no ``neg`` node stays in the
    derivative (IEEE: ``a + (-b)`` is exactly ``a - b``).  A ``neg`` that is the product
    of a constant -1 adjoint and a partial is kept as it is.
    """
    ops, args = graph.ops, graph.args
    minus = (
        partial is not None
        and ops[partial] == "const"
        and graph.params[partial] == -1.0
        and ops[incoming] != "const"
        and ops[c] == "neg"
        and args[c][0] == incoming
    )
    if before is None:
        if minus:
            negated.add(a)
        return c
    if minus:
        negated.discard(a)
        return graph.apply("sub", before, incoming)
    if a in negated:
        negated.discard(a)
        return graph.apply("sub", c, args[before][0])
    return graph.apply("add", before, c)
