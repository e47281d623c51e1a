"""The chain rule on a graph as a sum over paths.

The partial derivative of an output with respect to an input is the sum, over
every path from the input to the output, of the product of the local partial
derivatives along its edges.  Paths are counted per operand slot, so ``x*x``
has two edges from ``x`` and two paths through them.  Forward and reverse mode
compute the same sum without listing the paths; this module lists them (the
first :data:`MAX_PATHS`), and counts and sums all of them by dynamic programming
over the topological order, so an exponential number of paths costs linear time.

Everything here is iterative (an explicit stack for the listing) and reads the
IR directly; the local partials come from a callback, so any source of numbers
(a trace table, a picture) can drive it.

>>> import graphir as gi
>>> x = gi.symbols("x")
>>> f = x * x
>>> ps = path_sum(f.ir, f.node, "x", lambda node, slot: 3.0)
>>> ps.count, ps.total, [p.product for p in ps.paths]
(2, 6.0, [3.0, 3.0])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import ShapeError
from ..ir import Graph
from ..traversal import topo_order

__all__ = ["MAX_PATHS", "GraphPath", "PathSum", "path_sum", "simple_paths"]

#: Paths listed per input in a sum over paths (all are counted and summed).
MAX_PATHS = 20

#: An edge of the graph: (operand node, result node, operand slot).
Edge = tuple[int, int, int]


@dataclass(frozen=True)
class GraphPath:
    """One path from an input to the output: its edges ``(operand, result, slot)``,
    the local partial of each edge (value) and their product."""

    edges: tuple[Edge, ...]
    partials: tuple[float, ...]
    product: float


@dataclass(frozen=True)
class PathSum:
    """The paths from one input to the output: the first :data:`MAX_PATHS` of them,
    how many there are, and the sum of the products over all of them.

    ``node`` is the input's node id, None when the output does not depend on it.
    """

    variable: str
    node: int | None
    paths: tuple[GraphPath, ...]
    count: int
    total: float


def simple_paths(
    graph: Graph, source: int, target: int, within: set[int], limit: int
) -> list[tuple[Edge, ...]]:
    """The first ``limit`` paths from ``source`` to ``target`` through the nodes ``within``
    (which must hold both), depth first, earlier nodes and operand slots first.

    >>> import graphir as gi
    >>> x = gi.symbols("x")
    >>> f = gi.sin(x) * x
    >>> g = f.ir
    >>> simple_paths(g, x.node, f.node, {x.node, gi.sin(x).node, f.node}, 5)
    [((0, 1, 0), (1, 2, 0)), ((0, 2, 1),)]
    """
    if source == target:
        return [()]
    users: dict[int, list[tuple[int, int]]] = {}
    for v in sorted(within):  # ids are a topological order
        for k, a in enumerate(graph.args[v]):
            if a in within:
                users.setdefault(a, []).append((v, k))
    found: list[tuple[Edge, ...]] = []
    path: list[Edge] = []
    stack = [iter(users.get(source, ()))]  # one iterator per node of the path so far
    while stack and len(found) < limit:
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            if path:
                path.pop()
            continue
        v, k = step
        edge = (path[-1][1] if path else source, v, k)
        if v == target:
            found.append((*path, edge))
            continue
        path.append(edge)
        stack.append(iter(users.get(v, ())))
    return found


def path_sum(
    graph: Graph,
    output: int,
    variable: str,
    partial: Callable[[int, int], float],
    limit: int = MAX_PATHS,
) -> PathSum:
    """The sum over paths from the input named ``variable`` to ``output``.

    ``partial(node, slot)`` gives the value of the local partial derivative of
    ``node`` with respect to its operand in ``slot``.  The first ``limit`` paths
    are listed with their partials; all of them are counted and summed.

    >>> import graphir as gi
    >>> x, y = gi.symbols("x y")
    >>> f = gi.sin(x) * y
    >>> ps = path_sum(f.ir, f.node, "z", lambda node, slot: 1.0)
    >>> ps.node, ps.count, ps.total
    (None, 0, 0.0)
    """
    order = topo_order(graph, [output])
    shaped = next((i for i in order if graph.shapes[i]), None)
    if shaped is not None:
        raise ShapeError(
            f"the sum over paths multiplies scalar local partials, but node {shaped} holds an array of "
            f"shape {graph.shapes[shaped]}: with arrays the local partials are Jacobians (use the "
            "adjoint or tangent trace instead)")
    source = next((i for i in order if graph.ops[i] == "var" and graph.params[i] == variable), None)
    if source is None:
        return PathSum(variable, None, (), 0, 0.0)
    # All paths, by dynamic programming in topological order: their number and the sum of products.
    count: dict[int, int] = {source: 1}
    total: dict[int, float] = {source: 1.0}
    for v in order:
        if v == source:
            continue
        c, s = 0, 0.0
        for k, a in enumerate(graph.args[v]):
            if a in count:
                c += count[a]
                s += total[a] * partial(v, k)
        if c:
            count[v], total[v] = c, s
    # Nodes on some path: reached from the source, and reaching the output.
    within = {output}
    for v in reversed(order):
        if v in within:
            within.update(a for a in graph.args[v] if a in count)
    shown = []
    for edges in simple_paths(graph, source, output, within, limit):
        partials = tuple(partial(v, k) for _, v, k in edges)
        product = 1.0
        for p in partials:
            product *= p
        shown.append(GraphPath(edges, partials, product))
    return PathSum(variable, source, tuple(shown), count.get(output, 0), total.get(output, 0.0))
