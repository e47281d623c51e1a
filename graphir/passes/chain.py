"""What forward and reverse mode share: the step record and the one accumulate() helper.

Both modes apply the chain rule edge by edge with the same local partials:
forward ``x_dot[n] += partial * x_dot[arg]``, reverse ``x_bar[arg] += x_bar[n] * partial``.
A missing tangent or adjoint means zero; no ``0*...`` node is built, and a
product with a constant 1 is not built either (the step still records the 1).

On arrays a tangent always has its node's shape and an adjoint its node's
shape.  For an elementwise op the product ``partial * incoming`` is
broadcast to the node (forward, a ``broadcast_to`` node) or summed back to the
operand's shape (reverse, a ``sum_to`` node): the broadcasting adjoint is drawn,
not hidden.  An array op (``matmul``, ``sum``...) has no entrywise partial; its
record's ``jvp``/``vjp`` rule builds the contribution (:func:`edge`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import primitives
from ..build import Expr, RuleKit
from ..ir import Graph
from ..shapes import Shape, broadcast, can_sum_to

__all__ = ["Step", "PassResult", "accumulate", "contribution", "partial_node", "edge", "fit"]


def _node_of(graph: Graph, d: object) -> int:
    """The id in ``graph`` of what a rule returned (an expression or a plain number)."""
    if not isinstance(d, Expr):
        return graph.const(d)  # type: ignore[arg-type]
    return d.node if d.ir is graph else graph.copy_from(d.ir, [d.node])[d.node]


def partial_node(graph: Graph, kit: RuleKit, node: int, k: int) -> int:
    """Id of ``d node / d (operand k)``, built by the primitive's partial rule with ``kit``
    (interned: asking twice gives the same node).  A rule may return a plain number.

    >>> import graphir as gi
    >>> x, = gi.symbols("x,")
    >>> f = gi.sin(x)
    >>> d = partial_node(f.ir, RuleKit(f.ir), f.node, 0)
    >>> str(gi.Expr(f.ir, d))
    'cos(x)'
    """
    rule = primitives.get(graph.ops[node]).partials[k]
    return _node_of(graph, rule(kit, Expr(graph, node), *[Expr(graph, a) for a in graph.args[node]]))


def fit(graph: Graph, node: int, shape: Shape) -> int:
    """``node`` brought to ``shape``: summed over broadcast axes (``sum_to``) when it is
    larger, broadcast (``broadcast_to``) when it is smaller, itself when it fits."""
    have = graph.shapes[node]
    if have == shape:
        return node
    if can_sum_to(have, shape):
        return graph.apply("sum_to", node, param=shape)
    return graph.apply("broadcast_to", node, param=shape)


def edge(
    graph: Graph, kit: RuleKit, mode: str, node: int, k: int, incoming: int
) -> tuple[int | None, int | None]:
    """One chain-rule step along operand ``k`` of ``node``: ``(partial, contribution)``.

    Forward: the tangent ``incoming`` of the operand gives the contribution to the
    node's tangent; reverse: the adjoint ``incoming`` of the node gives the
    contribution to the operand's adjoint (None when it is zero).  ``partial`` is
    the entrywise local partial of an elementwise op, None for an array op.
    """
    record = primitives.get(graph.ops[node])
    args = graph.args[node]
    if record.elementwise:
        partial = partial_node(graph, kit, node, k)
        c = contribution(graph, incoming, partial)
        if c is not None:
            c = fit(graph, c, graph.shapes[node] if mode == "forward" else graph.shapes[args[k]])
        return partial, c
    rule = record.jvp if mode == "forward" else record.vjp
    assert rule is not None, f"{record.name} gives neither partials nor a {mode} rule"
    d = rule(kit, k, Expr(graph, node), Expr(graph, incoming), *[Expr(graph, a) for a in args])
    return None, _node_of(graph, d)


@dataclass(frozen=True)
class Step:
    """One use of a local partial derivative (one edge of the graph).

    ``node`` is the primal node whose partial is used and ``operand`` the
    position of ``arg`` among its operands.  ``incoming`` is the tangent of
    ``arg`` (forward) or the adjoint of ``node`` (reverse); ``contribution`` is
    ``incoming * partial`` (on arrays, brought to the target's shape; for an array
    op ``partial`` is None and the contribution comes from its record's
    ``jvp``/``vjp`` rule); ``target`` is the node whose tangent (forward:
    ``node``) or adjoint (reverse: ``arg``) goes from ``before`` (None: no
    contribution yet) to ``after``.  All but ``operand`` are node ids.
    """

    mode: str
    node: int
    operand: int
    arg: int
    partial: int | None
    incoming: int
    contribution: int
    target: int
    before: int | None
    after: int


@dataclass
class PassResult:
    """A derivative pass: the primal order, tangents or adjoints by node, and the steps.

    ``derivatives`` maps a primal node id to the id of its tangent (forward) or
    adjoint (reverse) node (read it with :meth:`derivative_of`); ``seeds`` maps the seeded nodes (variables in
    forward mode, outputs in reverse mode) to their seed nodes.
    """

    mode: str
    graph: Graph
    outputs: list[int]
    order: list[int]
    seeds: dict[int, int]
    derivatives: dict[int, int] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)

    def derivative_of(self, node: int) -> int | None:
        """The node holding the tangent (forward) or adjoint (reverse) of ``node``;
        None when it is zero."""
        return self.derivatives.get(node)


def contribution(graph: Graph, incoming: int, partial: int) -> int | None:
    """``incoming * partial`` as a node, or None when it is zero.  When ``incoming`` is a
    broadcast, the product is taken before broadcasting (the same entries, no array of
    copies multiplied entry by entry)."""
    if graph.ops[incoming] == "broadcast_to":
        shape = broadcast("mul", graph.shapes[incoming], graph.shapes[partial])
        inner = _product(graph, graph.args[incoming][0], partial)
        if inner is None or graph.shapes[inner] == shape:
            return inner
        return graph.apply("broadcast_to", inner, param=shape)
    return _product(graph, incoming, partial)


def _product(graph: Graph, incoming: int, partial: int) -> int | None:
    p = graph.const_value(partial)
    c = graph.const_value(incoming)
    if p == 0.0 or c == 0.0:
        return None
    if p == 1.0:
        return incoming
    # partial has the product's shape: 1 * partial is partial itself
    same = graph.shapes[partial] == broadcast("mul", graph.shapes[incoming], graph.shapes[partial])
    if c == 1.0 and same:
        return partial
    if p == -1.0:
        return graph.apply("neg", incoming)
    if c == -1.0 and same:
        return graph.apply("neg", partial)
    return graph.apply("mul", incoming, partial)


def accumulate(graph: Graph, before: int | None, contrib: int) -> int:
    """The running sum after adding ``contrib`` (``before`` None means nothing yet)."""
    return contrib if before is None else graph.apply("add", before, contrib)
