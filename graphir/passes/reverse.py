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

from collections.abc import Callable

from .. import primitives
from ..build import RuleKit
from ..ir import Graph
from ..traversal import topo_order
from .chain import FAST_RULES, FastRule, PassResult, Step, edge, fit, gc_paused, partial_node

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
    """The pass proper: every edge into an active operand, in reverse order.

    A scalar node of an elementwise op (its operands are scalars too) takes the inlined
    path: the partial by the rule's ids-only twin when it has one, ``incoming * partial``
    and the accumulation built by :meth:`Graph.scalar_builder`; the nodes are those that
    :func:`scalar_product` and :func:`_accumulate` build, in the same order.
    """
    kit = RuleKit(graph)
    ops, args, params, shapes = graph.ops, graph.args, graph.params, graph.shapes
    neg, mul, add, sub = (graph.scalar_builder(op) for op in ("neg", "mul", "add", "sub"))
    rules = _Rules(kit)
    negated: set[int] = set()  # operands whose adjoint so far is -(an adjoint): neg(y) built by a -=
    for n in reversed(order):
        incoming = adjoint.get(n)
        operands = args[n]
        if incoming is None or not operands:
            continue
        fast = rules[ops[n]]
        icop = ops[incoming]
        if fast is None or shapes[n] or icop == "broadcast_to":
            _edges(graph, kit, n, incoming, active, adjoint, negated, steps)
            continue
        ic = params[incoming] if icop == "const" else None
        for k, a in enumerate(operands):
            if a not in active:
                continue
            partial = fast[k](graph, n, operands)
            pc = params[partial] if ops[partial] == "const" else None
            if pc is None and ic is None:
                c, minus = mul(incoming, partial), False
            elif pc == 1.0 and ic is None:
                c, minus = incoming, False
            else:
                c, minus = _product(neg, mul, incoming, partial, pc, ic)
                if c is None:
                    continue
            before = adjoint.get(a)
            if before is None:
                after = c
                if minus:
                    negated.add(a)
            elif minus:
                negated.discard(a)
                after = sub(before, incoming)
            elif a in negated:
                negated.discard(a)
                after = sub(c, args[before][0])
            else:
                after = add(before, c)
            adjoint[a] = after
            if steps is not None:
                steps.append(Step("reverse", n, k, a, partial, incoming, c, a, before, after))


def _product(
    neg: Callable[[int], int],
    mul: Callable[[int, int], int],
    incoming: int,
    partial: int,
    pc: float | None,
    ic: float | None,
) -> tuple[int | None, bool]:
    """:func:`scalar_product` of ``incoming`` (constant value ``ic``, else None) and ``partial``
    (``pc``), and whether it is ``neg(incoming)`` for a partial of -1 (``incoming`` no constant)."""
    if pc == 0.0 or ic == 0.0:
        return None, False
    if pc == 1.0:
        return incoming, False
    if ic == 1.0:
        return partial, False
    if pc == -1.0:
        return neg(incoming), ic is None
    if ic == -1.0:
        return neg(partial), False
    return mul(incoming, partial), False


class _Rules(dict[str, "tuple[FastRule, ...] | None"]):
    """op -> one ids-only partial builder per operand (the rule's twin when it has one, else
    the rule through ``kit``), or None when the op is not elementwise; looked up in the
    registry on first use."""

    def __init__(self, kit: RuleKit):
        super().__init__()
        self.kit = kit

    def __missing__(self, op: str) -> tuple[FastRule, ...] | None:
        record = primitives.get(op)
        fast = None
        if record.elementwise:
            fast = tuple(FAST_RULES.get(rule) or self._slow(k) for k, rule in enumerate(record.partials))
        self[op] = fast
        return fast

    def _slow(self, k: int) -> FastRule:
        kit = self.kit
        return lambda g, n, a: partial_node(g, kit, n, k)


def _edges(
    graph: Graph,
    kit: RuleKit,
    n: int,
    incoming: int,
    active: set[int],
    adjoint: dict[int, int],
    negated: set[int],
    steps: list[Step] | None,
) -> None:
    """The edges of node ``n`` by the general path (arrays, broadcasts, array ops)."""
    for k, a in enumerate(graph.args[n]):
        if a not in active:
            continue
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
