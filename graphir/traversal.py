"""Topological order: the one place graphir decides in which order nodes are visited.

The order is by *level* (longest path from a leaf), ties broken by creation
order.  It is deterministic, iterative (no recursion, so a chain of a million
nodes is fine) and linear in the number of nodes visited.  It is the order of
the evaluation traces in the AD literature: for ``ln(x1) + x1*x2 - sin(x2)``
it visits ``ln``, ``*``, ``sin``, then ``+``, then ``-``.

>>> from graphir.ir import Graph
>>> g = Graph(); x = g.var("x"); y = g.var("y")
>>> s = g.apply("add", g.apply("mul", x, y), g.apply("sin", y))
>>> [g.ops[i] for i in topo_order(g, [s])]
['var', 'var', 'mul', 'sin', 'add']
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ir import Graph

__all__ = ["reachable", "topo_order", "levels", "postorder", "last_use", "tree_size"]


def reachable(graph: Graph, roots: Iterable[int]) -> list[int]:
    """Ids of the nodes ``roots`` depend on (themselves included), ascending."""
    args = graph.args
    seen = set()
    stack = list(roots)
    while stack:
        i = stack.pop()
        if i not in seen:
            seen.add(i)
            stack.extend(args[i])
    return sorted(seen)


def levels(graph: Graph, ids: list[int]) -> dict[int, int]:
    """Level of each node of ``ids`` (ascending ids, closed under operands): leaves are 0."""
    args = graph.args
    level: dict[int, int] = {}
    for i in ids:
        m = -1
        for j in args[i]:
            v = level[j]
            if v > m:
                m = v
        level[i] = m + 1
    return level


def tree_size(graph: Graph, root: int, cap: int, ids: Sequence[int] | None = None) -> int:
    """Nodes of the tree form of ``root`` (a node used twice counted twice), or ``cap + 1``
    when there are more than ``cap``: one pass over the DAG, however large the tree.

    ``ids`` are the nodes ``root`` depends on, ascending (computed when not given).

    >>> from graphir.ir import Graph
    >>> g = Graph(); x = g.var("x"); s = g.apply("add", g.apply("sin", x), x)
    >>> tree_size(g, g.apply("mul", s, s), 100), tree_size(g, g.apply("mul", s, s), 5)
    (9, 6)
    """
    args = graph.args
    size: dict[int, int] = {}
    over = cap + 1
    for i in reachable(graph, [root]) if ids is None else ids:
        n = 1
        for a in args[i]:
            n += size[a]
        size[i] = n if n <= cap else over
    return size[root]


def topo_order(graph: Graph, roots: Iterable[int]) -> list[int]:
    """The nodes ``roots`` depend on, operands before results, by level then id."""
    ids = reachable(graph, roots)
    level = levels(graph, ids)
    buckets: list[list[int]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
    for i in ids:
        buckets[level[i]].append(i)
    return [i for b in buckets for i in b]


def postorder(graph: Graph, roots: Iterable[int]) -> list[int]:
    """The nodes ``roots`` depend on, depth first: each node right after its operands,
    operands left to right, roots in the order given (iterative).

    This is also a topological order, the one of code written by hand: each
    value is used soon after it is computed, so compiled code and evaluation keep
    few arrays alive at once.  It numbers equal structures the same way whatever
    their node ids.

    >>> from graphir.ir import Graph
    >>> g = Graph(); x = g.var("x"); y = g.var("y")
    >>> s = g.apply("add", g.apply("sin", y), g.apply("mul", x, y))
    >>> [g.ops[i] for i in postorder(g, [s])]
    ['var', 'sin', 'var', 'mul', 'add']
    """
    args = graph.args
    done: set[int] = set()
    out: list[int] = []
    for r in roots:
        stack: list[tuple[int, bool]] = [(r, False)]
        while stack:
            i, ready = stack.pop()
            if ready:
                done.add(i)
                out.append(i)
                continue
            if i in done:
                continue
            stack.append((i, True))
            stack.extend((a, False) for a in reversed(args[i]) if a not in done)
    return out


def last_use(graph: Graph, order: Sequence[int], keep: Collection[int] = ()) -> dict[int, list[int]]:
    """Liveness: node ``i`` -> the operands whose last use in ``order`` is ``i``
    (those not in ``keep``), so a pass can drop their values right after ``i``.

    >>> from graphir.ir import Graph
    >>> g = Graph(); x = g.var("x"); s = g.apply("sin", x); c = g.apply("cos", s)
    >>> last_use(g, [x, s, c], keep=[x])
    {2: [1]}
    """
    args = graph.args
    last: dict[int, int] = {}
    for i in order:
        for a in args[i]:
            last[a] = i
    kept = set(keep)
    dying: dict[int, list[int]] = {}
    for a, i in last.items():
        if a not in kept:
            dying.setdefault(i, []).append(a)
    return dying
