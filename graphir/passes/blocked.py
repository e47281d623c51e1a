"""Blocked evaluation of a graph of scalars on long float64 arrays of points, with no
temporary array: each node's ufunc writes into a buffer of one block (``np.sin(x0, out=t1)``),
buffers are reused once their value is dead (in place where an operand dies at the node),
and each output is written straight into its slice of the result.

The values are those of one NumPy call per node on the whole arrays (the NumPy backend),
bit for bit: the same ufuncs on the same float64 numbers, entry by entry, only in pieces.
Used by :func:`graphir.lambdify` for arrays of at least 4 blocks of points; a graph that
does not fit (an op that is not a float64 ufunc, an output that is a variable, a constant
or a repeated one, a node that depends on no variable) gets None and the plain blocks.

>>> import numpy as np
>>> import graphir as gi
>>> from graphir.build import lift
>>> x, y = gi.symbols("x y")
>>> graph, roots = lift(gi.sin(x) * y + x, x - y)
>>> run = out_kernel(graph, roots, [graph.find_var("x"), graph.find_var("y")])
>>> a, b = np.linspace(0, 1, 10), np.linspace(1, 2, 10)
>>> got = run(4, a, b)
>>> bool(np.array_equal(got[0], np.sin(a) * b + a)), bool(np.array_equal(got[1], a - b))
(True, True)
>>> print(run.source.splitlines()[-4].strip())
op_mul(t0, x1, out=t0)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import primitives
from ..traversal import postorder

__all__ = ["out_kernel"]

_F64 = np.dtype(np.float64)


def _const_type(value: Any) -> Any:
    """The dtype a constant takes in a ufunc call: Python floats and ints are weak scalars."""
    if type(value) in (float, int):
        return type(value)
    if type(value) is np.float64:
        return _F64
    return None


def _fits(graph: Any, order: list[int], roots: list[int]) -> bool:
    """Every operation is a ufunc giving float64 from float64 variables and Python-number
    constants, depends on a variable, and every root is a distinct operation."""
    ops, args, params = graph.ops, graph.args, graph.params
    if len(set(roots)) != len(roots) or any(ops[r] in ("var", "const") for r in roots):
        return False
    kind: dict[int, Any] = {}
    for i in order:
        op = ops[i]
        if graph.shapes[i]:
            return False
        if op == "var":
            kind[i] = _F64
            continue
        if op == "const":
            kind[i] = _const_type(params[i])
            if kind[i] is None:
                return False
            continue
        fn = primitives.get(op).numpy if op in primitives.PRIMITIVES else None
        if not isinstance(fn, np.ufunc) or fn.nout != 1 or primitives.get(op).has_param:
            return False
        operands = [kind[a] for a in args[i]]
        if not any(k is _F64 for k in operands):  # depends on no variable
            return False
        try:
            resolved = fn.resolve_dtypes((*operands, None))
        except (TypeError, ValueError):
            return False
        if resolved[-1] != _F64:
            return False
        kind[i] = _F64
    return True


def _last_uses(order: list[int], args: Any) -> dict[int, int]:
    last: dict[int, int] = {}
    for i in order:
        for a in args[i]:
            last[a] = i
    return last


def kernel_source(graph: Any, roots: list[int], arg_ids: list[int], name: str = "f") -> tuple[str, dict]:
    """Source of ``name(a0, a1, ..., n, B)`` (flat float64 arrays of ``n`` points) returning
    the tuple of the roots' arrays, computed ``B`` points at a time, and its namespace."""
    ops, args, params = graph.ops, graph.args, graph.params
    order = postorder(graph, roots)
    ns: dict[str, Any] = {"empty": np.empty}
    ref: dict[int, str] = {a: f"x{k}" for k, a in enumerate(arg_ids) if a >= 0}
    out_of = {r: f"p{k}" for k, r in enumerate(roots)}
    last = _last_uses(order, args)
    free: list[str] = []
    n_buffers = 0
    body: list[str] = []
    for i in order:
        op = ops[i]
        if op == "var":
            continue
        if op == "const":
            ref[i] = f"c{i}"
            ns[ref[i]] = params[i]
            continue
        fname = f"op_{op}" if op.isidentifier() and op.isascii() else f"op{len(ns)}"
        ns[fname] = primitives.get(op).numpy
        operands = [ref[a] for a in args[i]]
        dying = [a for a in dict.fromkeys(args[i]) if last.get(a) == i and ref[a].startswith("t")]
        if i in out_of:
            target = out_of[i]
        elif dying:
            target = ref[dying.pop(0)]  # in place: an operand that dies here
        elif free:
            target = free.pop()
        else:
            target = f"t{n_buffers}"
            n_buffers += 1
        free.extend(ref[a] for a in dying)
        ref[i] = target
        body.append(f"{fname}({', '.join(operands)}, out={target})")
    k_args = len(arg_ids)
    outs = [f"o{k}" for k in range(len(roots))]
    temps = [f"t{k}" for k in range(n_buffers)]
    xs = [f"x{k}" for k, a in enumerate(arg_ids) if a >= 0]
    lines = [f"def {name}({''.join(f'a{k}, ' for k in range(k_args))}n, B):"]
    lines += [f"    {o} = empty(n)" for o in outs]
    lines += [f"    {t} = empty(B)" for t in temps]
    lines.append("    for s in range(0, n, B):")
    lines.append("        e = s + B")
    lines.append("        if e > n:")
    lines.append("            e = n")
    lines += [f"            {t} = {t}[:e - s]" for t in temps]
    lines += [f"        {x} = a{x[1:]}[s:e]" for x in xs]
    lines += [f"        p{k} = {o}[s:e]" for k, o in enumerate(outs)]
    lines += [f"        {line}" for line in body]
    lines.append(f"    return ({''.join(f'{o}, ' for o in outs)})")
    return "\n".join(lines) + "\n", ns


def out_kernel(graph: Any, roots: list[int], arg_ids: list[int]) -> Callable[..., Any] | None:
    """``run(block, *values)``: the roots' values for float64 arrays of one shape, computed
    ``block`` points at a time (:func:`kernel_source`), or None when the values are of other
    kinds; None for a graph that does not fit (see the module's docstring)."""
    order = postorder(graph, roots)
    if not _fits(graph, order, roots):
        return None
    source, ns = kernel_source(graph, roots, arg_ids, "_graphir_blocks")
    exec(compile(source, "<graphir.lambdify blocks>", "exec"), ns)  # our own generated code
    kernel = ns["_graphir_blocks"]

    def run(block: int, *values: Any) -> tuple | None:
        shape = None
        for v in values:
            if type(v) is not np.ndarray or v.dtype != _F64 or (shape is not None and v.shape != shape):
                return None
            shape = v.shape
        if shape is None:
            return None
        flat = [v.reshape(-1) for v in values]
        return tuple(o.reshape(shape) for o in kernel(*flat, flat[0].size, block))

    run.source = source  # type: ignore[attr-defined]
    return run
