"""What forward and reverse mode share: the step record and the one accumulate() helper.

Both modes apply the chain rule edge by edge with the same local partials:
forward ``x_dot[n] += partial * x_dot[arg]``, reverse ``x_bar[arg] += x_bar[n] * partial``.
A missing tangent or adjoint means zero; no ``0*...`` node is built, and a
product with a constant 1 is not built either (the step still records the 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import primitives
from ..build import Expr, RuleKit
from ..ir import Graph

__all__ = ["Step", "PassResult", "accumulate", "contribution", "partial_node"]


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
    d = rule(kit, Expr(graph, node), *[Expr(graph, a) for a in graph.args[node]])
    if not isinstance(d, Expr):
        return graph.const(d)
    return d.node if d.ir is graph else graph.copy_from(d.ir, [d.node])[d.node]


@dataclass(frozen=True)
class Step:
    """One use of a local partial derivative (one edge of the graph).

    ``node`` is the primal node whose partial is used and ``operand`` the
    position of ``arg`` among its operands.  ``incoming`` is the tangent of
    ``arg`` (forward) or the adjoint of ``node`` (reverse); ``contribution`` is
    ``incoming * partial``; ``target`` is the node whose tangent (forward:
    ``node``) or adjoint (reverse: ``arg``) goes from ``before`` (None: no
    contribution yet) to ``after``.  All but ``operand`` are node ids.
    """

    mode: str
    node: int
    operand: int
    arg: int
    partial: int
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
    """``incoming * partial`` as a node, or None when it is zero."""
    p = graph.const_value(partial)
    c = graph.const_value(incoming)
    if p == 0.0 or c == 0.0:
        return None
    if p == 1.0:
        return incoming
    if c == 1.0:
        return partial
    if p == -1.0:
        return graph.apply("neg", incoming)
    if c == -1.0:
        return graph.apply("neg", partial)
    return graph.apply("mul", incoming, partial)


def accumulate(graph: Graph, before: int | None, contrib: int) -> int:
    """The running sum after adding ``contrib`` (``before`` None means nothing yet)."""
    return contrib if before is None else graph.apply("add", before, contrib)
