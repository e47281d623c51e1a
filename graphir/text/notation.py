"""Node names of the AD literature (Griewank and Walther): the one place they are decided.

Inputs are ``v_{1-n} ... v_0`` in the order of the expression's variables;
operation nodes are ``v_1, v_2, ...`` in topological order; constants have no
number (they are shown by value).

>>> import graphir as gi
>>> x1, x2 = gi.symbols("x1 x2")
>>> f = gi.log(x1) + x1 * x2 - gi.sin(x2)
>>> sorted(numbering(f.ir, [f.node], ["x1", "x2"]).values())
[-1, 0, 1, 2, 3, 4, 5]
"""

from __future__ import annotations

from collections.abc import Sequence

from ..ir import Graph
from ..traversal import topo_order

__all__ = ["numbering", "vtext", "vlatex"]


def numbering(graph: Graph, outputs: Sequence[int], variables: Sequence[str]) -> dict[int, int]:
    """Node id -> its index ``k`` in ``v_k``, for the nodes ``outputs`` depend on.

    ``variables`` gives the input order (names); variables of the graph not
    listed come after them, in topological order.
    """
    order = topo_order(graph, outputs)
    present = {graph.params[i]: i for i in order if graph.ops[i] == "var"}
    inputs = [present[n] for n in variables if n in present]
    inputs += [i for i in order if graph.ops[i] == "var" and i not in inputs]
    num = {i: k - len(inputs) + 1 for k, i in enumerate(inputs)}
    k = 1
    for i in order:
        if graph.args[i]:
            num[i] = k
            k += 1
    return num


def vtext(k: int) -> str:
    """Plain-text name: ``v_-1``, ``v_3``."""
    return f"v_{k}"


def vlatex(k: int) -> str:
    """LaTeX name: ``v_{-1}``."""
    return f"v_{{{k}}}"
