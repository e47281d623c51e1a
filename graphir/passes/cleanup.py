"""Algebraic clean-up: constant folding and the identities of ``+ - * / **``, as its own pass.

Derivative passes write the chain rule as it is (``1 + 1``, ``2*x**1``), so that
pictures and trace tables show every step; this pass is optional and makes
the result smaller.  It is one flat loop over the nodes in topological order
that maps every node to its cleaned node, appended to the same graph (nothing
is removed, so the original expression keeps its meaning):

* **constant folding**: an op whose operands are all constants becomes the
  constant the registry's NumPy implementation computes, when that value is a
  finite float computed without a floating-point warning (``1/0`` stays a
  node, so evaluating it still warns);
* **identities**: ``x*1``, ``1*x``, ``x+0``, ``0+x``, ``x-0``, ``x/1``, ``x**1``
  become ``x``; ``x**0`` becomes ``1`` (``nan**0`` is 1 in IEEE arithmetic
  too); ``neg(neg(x))`` becomes ``x``;
* **absorbing zero**: ``0*x`` and ``x*0`` become ``0``.

Caveat of the absorbing zero: IEEE arithmetic gives ``0*inf = nan`` and
``0*nan = nan``, so where ``x`` is infinite or nan the cleaned expression
gives 0 where the original gave nan (``0*x`` is 0 wherever ``x`` is finite).
Derivative passes never build ``0*x`` themselves (a zero contribution is
skipped), so this only concerns expressions that hold such a product.

The identities belong to each primitive's record (``Primitive.identities``,
``Primitive.involution``); the loop reads them, with no ``if op == ...`` tests.

>>> import graphir as gi
>>> x, = gi.symbols("x,")
>>> a = x; b = a + a; c = b + b
>>> str(gi.diff(c, x))
'1 + 1 + (1 + 1)'
>>> str(cleanup(gi.diff(c, x)))
'4'
>>> str(cleanup(1 * x ** 1 + 0 * gi.sin(x)))
'x'
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .. import primitives
from ..build import Expr, expr_list, lift
from ..ir import Graph
from ..traversal import topo_order
from .chain import fit

__all__ = ["cleanup"]

def _fold(op: str, values: list[float]) -> float | None:
    """``op(*values)`` as a float when it is finite and computed without a warning, else None."""
    if not primitives.get(op).elementwise:
        return None
    try:
        with np.errstate(all="raise"), warnings.catch_warnings():
            warnings.simplefilter("error")
            v = primitives.get(op).numpy(*values)
        out = float(v)
    except (ArithmeticError, ValueError, TypeError, RuntimeWarning):
        return None
    return out if math.isfinite(out) else None


def _clean_node(graph: Graph, op: str, new_args: tuple[int, ...], param: Any, shape: Any) -> int:
    """The cleaned node for ``op(*new_args)`` (operands already cleaned), of ``shape``."""
    consts = [graph.const_value(a) for a in new_args]
    if all(c is not None for c in consts):
        v = _fold(op, consts)  # type: ignore[arg-type]
        if v is not None:
            return graph.const(v)
    prim = primitives.get(op)
    for pos, value, (kind, what) in prim.identities:
        if consts[pos] == value:
            out = new_args[what] if kind == "operand" else graph.const(what)
            # an identity must not change the shape: x*1 with x a scalar and 1 broadcast
            return fit(graph, out, shape) if graph.shapes[out] != shape else out
    if prim.involution and graph.ops[new_args[0]] == op:
        return graph.args[new_args[0]][0]
    return graph.apply(op, *new_args, param=param)


def cleanup_nodes(graph: Graph, roots: list[int]) -> dict[int, int]:
    """Clean the nodes ``roots`` depend on; map each old id to its cleaned id (same graph)."""
    ops, args, params, shapes = graph.ops, graph.args, graph.params, graph.shapes
    new: dict[int, int] = {}
    for i in topo_order(graph, roots):
        operands = args[i]
        if not operands:
            new[i] = i
            continue
        new[i] = _clean_node(graph, ops[i], tuple(new[a] for a in operands), params[i], shapes[i])
    return new


def cleanup(expr: Any) -> Any:
    """A smaller equal expression: constants folded and trivial identities removed.

    Removes ``x*1``, ``1*x``, ``x+0``, ``0+x``, ``x-0``, ``x/1``, ``x**1``,
    ``x**0``, ``neg(neg(x))`` and ``0*x`` (see the module notes for the nan
    caveat of ``0*x``), and folds ops whose operands are all constants. The
    result lives in the same graph as ``expr``. A list or tuple of
    expressions gives a tuple, cleaned together.

    Parameters
    ----------
    expr : Expr, number, or a sequence of them

    Returns
    -------
    Expr, or a tuple of Expr for a sequence

    Examples
    --------
    >>> import graphir as gi
    >>> x, y = gi.symbols("x y")
    >>> str(gi.diff(x ** 2 * y, x, mode="forward"))
    '2*x*y'
    >>> str(cleanup(gi.diff(x ** 2 * y + 0 * x, x, mode="forward")))
    '2*x*y'
    >>> [str(d) for d in cleanup(gi.grad(2 * x + 3 * y))]
    ['2', '3']
    """
    outs, single = expr_list(expr)
    graph, roots = lift(*outs)
    new = cleanup_nodes(graph, roots)
    res = tuple(Expr(graph, new[r]) for r in roots)
    return res[0] if single else res
