"""Scalarize: an array expression rewritten as the same computation on scalar nodes.

One loop over the nodes in topological order gives each node an object array
(its shape) of node ids in a new, all-scalar graph:

* a shaped variable ``W`` becomes one scalar variable per entry, ``W_0_1`` for
  ``W[0, 1]`` (variables are ASCII identifiers, so the name the issue writes
  ``W[0,1]`` is spelled with underscores; a scalar variable keeps its name);
* a data array becomes one constant per entry (the numbers, as a micrograd picture
  shows them), a constant stays a constant;
* an elementwise op becomes one node per entry of its broadcast operands;
* ``matmul`` becomes sums of products, ``sum``/``sum_to`` chains of ``add``
  (``mean`` is already a sum divided by n), ``logsumexp`` and ``softmax`` their
  stable scalar formulas (``m + log(Σ exp(xᵢ - m))`` and ``exp(xᵢ - m) / Σ exp(xⱼ - m)``
  with ``m`` the ``maximum`` of the entries);
* ``index``, ``transpose``, ``reshape``, ``broadcast_to``, ``unindex`` and
  ``stack`` only re-wire entries (no node at all).

An operation node with a display name ``h`` (``expr.named("h")``) of shape (2,)
gives its entries the display names ``h[0]`` and ``h[1]``.  Nodes are interned,
so an entry used twice is one node.  The cost is one node per entry (a matrix
product: one product per term), no recursion.

>>> import numpy as np
>>> import graphir as gi
>>> W = gi.symbols("W", shape=(2, 2))
>>> y = scalarize(W @ np.array([1.0, 2.0]))
>>> y.shape, str(y[0])
((2,), 'W_0_0*1 + W_0_1*2')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import primitives
from ..build import Expr, expr_list, lift
from ..errors import ArgumentError
from ..ir import Graph, display_name_problem
from ..shapes import numpy_key
from ..traversal import topo_order

__all__ = ["scalarize", "entry_name"]

Ids = np.ndarray  # an object array of node ids of the scalar graph


def entry_name(name: str, index: tuple[int, ...]) -> str:
    """The scalar variable that holds entry ``index`` of the shaped variable ``name``.

    >>> entry_name("W", (0, 1)), entry_name("w", (2,))
    ('W_0_1', 'w_2')
    """
    return "_".join([name, *map(str, index)])


def _ids(shape: tuple[int, ...], fn: Callable[[tuple[int, ...]], int]) -> Ids:
    """An object array of ``shape`` whose entry at ``index`` is ``fn(index)``."""
    out = np.empty(shape, dtype=object)
    for index in np.ndindex(*shape):
        out[index] = fn(index)
    return out


def _chain(g: Graph, op: str, ids: list[int]) -> int:
    """``ids[0] op ids[1] op ...`` as a left-to-right chain of binary nodes (0.0 when empty)."""
    if not ids:
        return g.const(0.0)
    acc = ids[0]
    for i in ids[1:]:
        acc = g.apply(op, acc, i)
    return acc


def _along(x: Ids, axis: int | None, fn: Callable[[list[int]], Any], keep: bool = False) -> Ids:
    """``fn`` applied to the entries along ``axis`` (every entry for None): a reduction
    when ``fn`` returns one id (the axis dropped, or kept with size 1), a map when it
    returns a list (the shape kept)."""
    moved = x.reshape(1, -1) if axis is None else np.moveaxis(x, axis, -1)
    rows = moved.reshape(int(np.prod(moved.shape[:-1])), moved.shape[-1])
    results = [fn(list(row)) for row in rows]
    if results and isinstance(results[0], list):
        out = np.empty(rows.shape, dtype=object)
        for k, r in enumerate(results):
            out[k, :] = r
        out = out.reshape(moved.shape)
        return out.reshape(x.shape) if axis is None else np.moveaxis(out, -1, axis)
    red = np.empty(len(results), dtype=object)
    red[:] = results
    if axis is None:
        return red.reshape((1,) * x.ndim if keep else ())
    red = red.reshape(moved.shape[:-1])
    return np.expand_dims(red, axis) if keep else red


def _sum(g: Graph, x: Ids, axis: int | None) -> Ids:
    return _along(x, axis, lambda ids: _chain(g, "add", ids))


def _sum_to(g: Graph, x: Ids, shape: tuple[int, ...]) -> Ids:
    for _ in range(x.ndim - len(shape)):
        x = _along(x, 0, lambda ids: _chain(g, "add", ids))
    for axis, n in enumerate(shape):
        if n == 1 and x.shape[axis] != 1:
            x = _along(x, axis, lambda ids: _chain(g, "add", ids), keep=True)
    return x


def _matmul(g: Graph, a: Ids, b: Ids) -> Ids:
    a2 = a.reshape(1, -1) if a.ndim == 1 else a
    b2 = b.reshape(-1, 1) if b.ndim == 1 else b
    out = _ids((a2.shape[0], b2.shape[1]), lambda ij: _chain(
        g, "add", [g.apply("mul", a2[ij[0], k], b2[k, ij[1]]) for k in range(a2.shape[1])]))
    shape = a.shape[:-1] + b.shape[1:]
    return out.reshape(shape)


def _stable_parts(g: Graph, ids: list[int]) -> tuple[int, list[int], int]:
    """``(m, [exp(xᵢ - m)], Σ exp(xᵢ - m))`` with ``m`` the maximum: nothing overflows."""
    m = _chain(g, "maximum", ids)
    exps = [g.apply("exp", g.apply("sub", i, m)) for i in ids]
    return m, exps, _chain(g, "add", exps)


def _logsumexp(g: Graph, ids: list[int]) -> int:
    if len(ids) == 1:
        return ids[0]
    m, _, total = _stable_parts(g, ids)
    return g.apply("add", m, g.apply("log", total))


def _softmax(g: Graph, ids: list[int]) -> list[int]:
    if len(ids) == 1:
        return [g.const(1.0)]
    _, exps, total = _stable_parts(g, ids)
    return [g.apply("div", e, total) for e in exps]


def _unindex(g: Graph, x: Ids, param: Any) -> Ids:
    key, shape = param
    out = np.full(shape, g.const(0.0), dtype=object)
    out[numpy_key(key)] = x
    return out


def _obj(x: Any) -> Ids:
    """``x`` (an id, or an array or view of ids) as an object array that owns its entries."""
    out = np.empty(np.shape(x), dtype=object)
    out[...] = x
    return out


#: How each array op maps its operands' entries (object arrays of ids) to its own.
_ARRAY_OPS: dict[str, Callable[[Graph, list[Ids], Any], Any]] = {
    "matmul": lambda g, xs, p: _matmul(g, xs[0], xs[1]),
    "sum": lambda g, xs, p: _sum(g, xs[0], p),
    "sum_to": lambda g, xs, p: _sum_to(g, xs[0], p),
    "transpose": lambda g, xs, p: np.transpose(xs[0], p),
    "index": lambda g, xs, p: xs[0][numpy_key(p)],
    "unindex": lambda g, xs, p: _unindex(g, xs[0], p),
    "reshape": lambda g, xs, p: np.reshape(xs[0], p),
    "broadcast_to": lambda g, xs, p: np.broadcast_to(xs[0], p),
    "stack": lambda g, xs, p: np.stack(xs),
    "logsumexp": lambda g, xs, p: _along(xs[0], p, lambda ids: _logsumexp(g, ids)),
    "softmax": lambda g, xs, p: _along(xs[0], p, lambda ids: _softmax(g, ids)),
}


def _leaf(src: Graph, new: Graph, i: int, taken: set[str]) -> Ids:
    op, param, shape = src.ops[i], src.params[i], src.shapes[i]
    if op == "const":
        return _obj(new.const(param))
    if op == "data":
        return _ids(shape, lambda index: new.const(float(param.array[index])))
    stamp = src.stamps.get(i)
    if not shape:
        return _obj(new.var(param, stamp))

    def entry(index: tuple[int, ...]) -> int:
        name = entry_name(param, index)
        if name in taken:
            raise ArgumentError(
                f"scalarize: entry {index} of {param!r} would be the variable {name!r}, which the "
                "expression already has; rename one of them"
            )
        return new.var(name, stamp)

    return _ids(shape, entry)


def _node(src: Graph, new: Graph, i: int, entries: dict[int, Ids]) -> Ids:
    op, param = src.ops[i], src.params[i]
    operands = [entries[a] for a in src.args[i]]
    record = primitives.get(op)
    if record.elementwise:
        parts = np.broadcast_arrays(*operands)
        return _ids(src.shapes[i], lambda index: new.apply(op, *[p[index] for p in parts], param=param))
    rule = _ARRAY_OPS.get(op)
    if rule is None:
        raise ArgumentError(f"scalarize: the array operation {op!r} has no scalar form")
    return _obj(rule(new, operands, param))


def _name_entries(src: Graph, new: Graph, entries: dict[int, Ids]) -> None:
    """Display names ``h[0]``, ``h[1]`` for the entries of a named node ``h`` (scalar: ``h``)."""
    for i, text in src.display_names.items():
        ids = entries.get(i)
        if ids is None:
            continue
        for index in np.ndindex(*ids.shape):
            j = ids[index]
            shown = text if not index else f"{text}[{','.join(map(str, index))}]"
            if new.args[j] and j not in new.display_names and display_name_problem(shown) is None:
                new.display_names[j] = shown


def _expr(g: Graph, ids: Ids) -> Any:
    if not ids.shape:
        return Expr(g, int(ids[()]))
    return _ids(ids.shape, lambda index: Expr(g, int(ids[index])))


def scalarize(exprs: Any) -> Any:
    """The same computation on scalar nodes, one node per entry: an expression for a
    scalar, a NumPy object array of expressions (of the original shape) for an array;
    a list of them for a list.  Entry ``(0, 1)`` of a shaped variable ``W`` is the
    scalar variable ``W_0_1`` (see the module's text for every rule).

    >>> import numpy as np
    >>> import graphir as gi
    >>> w = gi.symbols("w", shape=(2,))
    >>> f = scalarize(gi.sum(w * w))
    >>> str(f), [v.name for v in f.variables]
    ('w_0*w_0 + w_1*w_1', ['w_0', 'w_1'])
    >>> float(f.eval(w_0=3.0, w_1=4.0))
    25.0
    """
    outs, single = expr_list(exprs)
    src, roots = lift(*outs)
    new = Graph()
    order = topo_order(src, roots)
    taken = {src.params[i] for i in order if src.ops[i] == "var" and not src.shapes[i]}
    entries: dict[int, Ids] = {}
    for i in order:
        if src.ops[i] in primitives.LEAF_OPS:
            entries[i] = _leaf(src, new, i, taken)
        else:
            entries[i] = _node(src, new, i, entries)
    _name_entries(src, new, entries)
    results = [_expr(new, entries[r]) for r in roots]
    return results[0] if single else results
