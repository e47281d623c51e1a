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

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NamedTuple

from .. import primitives
from ..build import Expr, RuleKit
from ..ir import Graph
from ..shapes import Shape, broadcast, can_sum_to

__all__ = [
    "Step",
    "PassResult",
    "accumulate",
    "contribution",
    "partial_node",
    "edge",
    "fit",
    "gc_paused",
    "scalar_partial",
    "scalar_product",
]


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


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block (passes allocate many small
    objects and free none of them in cycles, so the collector only costs time; re-entrant:
    it is enabled again only when it was enabled before).

    >>> with gc_paused():
    ...     gc.isenabled()
    False
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# Ids-only twins of the most common built-in partial rules: each builds exactly the nodes
# its rule builds, in the same order (tests/test_pass_speed.py holds them to it), without
# wrapping operands in Expr handles.  Keyed by the rule function itself, so that a record
# with another rule never uses them.
FastRule = Callable[[Graph, int, tuple[int, ...]], int]


def _fast_rules() -> dict[Callable[..., object], FastRule]:
    def one(g: Graph, n: int, a: tuple[int, ...]) -> int:
        return g.const(1.0)

    def minus_one(g: Graph, n: int, a: tuple[int, ...]) -> int:
        return g.const(-1.0)

    def tanh(g: Graph, n: int, a: tuple[int, ...]) -> int:
        m = g.apply("mul", n, n)
        return g.apply("sub", g.const(1.0), m)

    p = primitives.PRIMITIVES
    fast: dict[str, tuple[FastRule, ...]] = {
        "add": (one, one),
        "sub": (one, minus_one),
        "mul": (lambda g, n, a: a[1], lambda g, n, a: a[0]),
        "div": (
            lambda g, n, a: g.apply("div", g.const(1.0), a[1]),
            lambda g, n, a: g.apply("neg", g.apply("div", n, a[1])),
        ),
        "neg": (minus_one,),
        "sin": (lambda g, n, a: g.apply("cos", a[0]),),
        "cos": (lambda g, n, a: g.apply("neg", g.apply("sin", a[0])),),
        "sinh": (lambda g, n, a: g.apply("cosh", a[0]),),
        "cosh": (lambda g, n, a: g.apply("sinh", a[0]),),
        "exp": (lambda g, n, a: n,),
        "log": (lambda g, n, a: g.apply("div", g.const(1.0), a[0]),),
        "sqrt": (lambda g, n, a: g.apply("div", g.const(0.5), n),),
        "tanh": (tanh,),
    }
    return {p[op].partials[k]: f for op, fs in fast.items() for k, f in enumerate(fs)}


FAST_RULES = _fast_rules()


def scalar_partial(graph: Graph, kit: RuleKit, node: int, k: int) -> int:
    """:func:`partial_node` through the rule's ids-only twin when it has one."""
    f = FAST_RULES.get(primitives.get(graph.ops[node]).partials[k])
    if f is None:
        return partial_node(graph, kit, node, k)
    return f(graph, node, graph.args[node])


def scalar_product(graph: Graph, incoming: int, partial: int) -> int | None:
    """:func:`contribution` of two scalar nodes (``incoming`` no ``broadcast_to``)."""
    ops, params = graph.ops, graph.params
    p = params[partial] if ops[partial] == "const" else None
    c = params[incoming] if ops[incoming] == "const" else None
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


class Step(NamedTuple):
    """One use of a local partial derivative (one edge of the graph).

    ``node`` is the primal node whose partial is used and ``operand`` the
    position of ``arg`` among its operands.  ``incoming`` is the tangent of
    ``arg`` (forward) or the adjoint of ``node`` (reverse); ``contribution`` is
    ``incoming * partial`` (on arrays, brought to the target's shape; for an array
    op ``partial`` is None and the contribution comes from its record's
    ``jvp``/``vjp`` rule); ``target`` is the node whose tangent (forward:
    ``node``) or adjoint (reverse: ``arg``) goes from ``before`` (None: no
    contribution yet) to ``after``.  All but ``operand`` are node ids.  Immutable (a named
    tuple: a pass records one per edge, so it must be cheap to build).
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
