"""Compilation: the graph as one straight-line NumPy function.

The generated source is written only from the graph's own node ids and the
registry's op names (never from user text): ``v7 = op_log(a0)``.  An op name
that is not plain ASCII (a name registered by hand into the table) is written
as ``op3`` instead: Python reads identifiers after NFKC normalisation, so
``op_ｓｉｎ`` would *be* ``op_sin`` and call another function.  Each shared
subexpression is computed once, in depth-first order
(:func:`~graphir.traversal.postorder`), and each intermediate array is dropped
(``del v7``) after its last use, as hand-written NumPy code does.  Constants are
bound by reference, so they are exact.

>>> import graphir as gi
>>> x, y = gi.symbols("x y")
>>> f = lambdify([x * y, x + y], [x, y])
>>> [float(v) for v in f(2.0, 3.0)]
[6.0, 5.0]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import primitives
from ..arguments import as_value, real_only_uses, variable_name
from ..build import Expr, expr_list, lift
from ..errors import ArgumentError, EvalError
from ..traversal import last_use, postorder
from .evaluate import check_shapes

__all__ = ["lambdify", "generate_source"]

_ASCII_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*\Z")


def generate_source(
    graph: Any, roots: list[int], arg_ids: list[int], name: str = "f"
) -> tuple[str, dict[str, Any]]:
    """Python source of a function computing ``roots`` from the variables ``arg_ids``,
    and the namespace it needs.  An id that is not a variable of the graph (say -1)
    stands for an argument the function takes and does not use."""
    ops, args, params = graph.ops, graph.args, graph.params
    namespace: dict[str, Any] = {}
    argname = {a: f"a{k}" for k, a in enumerate(arg_ids)}
    lines = [f"def {name}({', '.join(argname[a] for a in arg_ids)}):"]
    ref: dict[int, str] = {}
    functions: dict[str, str] = {}  # op -> its name in the source
    order = postorder(graph, roots)
    # Drop each intermediate array after its last use, as hand-written NumPy does.
    dying = last_use(graph, order, keep=[*roots, *(i for i in order if not args[i])])
    for i in order:
        op = ops[i]
        if op == "var":
            if i not in argname:
                raise EvalError(f"the expression depends on {params[i]!r}, which is not among the arguments")
            ref[i] = argname[i]
        elif op in ("const", "data"):
            ref[i] = f"c{i}"
            namespace[ref[i]] = params[i] if op == "const" else params[i].array
        else:
            fn = functions.get(op)
            record = primitives.get(op)
            if fn is None:
                fn = functions[op] = f"op_{op}" if _ASCII_NAME.match(op) else f"op{len(functions)}"
                namespace[fn] = record.numpy
            ref[i] = f"v{i}"
            operands = [ref[a] for a in args[i]]
            if record.has_param:
                namespace[f"p{i}"] = params[i]
                operands.append(f"p{i}")
            lines.append(f"    v{i} = {fn}({', '.join(operands)})")
            if i in dying:
                lines.append(f"    del {', '.join(ref[a] for a in sorted(dying[i]))}")
    lines.append(f"    return ({', '.join(ref[r] for r in roots)},)")
    return "\n".join(lines) + "\n", namespace


def lambdify(exprs: Any, args: Sequence[Any] | Any) -> Callable[..., Any]:
    """A compiled ``f(*arrays)`` for one expression or a list of them, as :func:`sympy.lambdify`.

    ``args`` are variables (expressions) or their names, in the order ``f``
    takes them. One expression gives one value; a list gives a list.

    >>> import graphir as gi
    >>> x, = gi.symbols("x,")
    >>> import numpy as np
    >>> lambdify(gi.sin(x) ** 2, [x])(np.array([0.0, np.pi / 2]))
    array([0., 1.])
    """
    outs, single = expr_list(exprs)
    if isinstance(args, (Expr, str)):
        args = [args]
    names = [variable_name(a) for a in args]
    if len(set(names)) != len(names):
        raise ArgumentError(f"an argument is repeated in {names}")
    graph, roots = lift(*outs)
    found = [graph.find_var(n) for n in names]
    arg_ids = [-1 - k if i is None else i for k, i in enumerate(found)]
    source, namespace = generate_source(graph, roots, arg_ids, "_graphir_compiled")
    exec(compile(source, "<graphir.lambdify>", "exec"), namespace)  # exec of our own generated code
    compiled = namespace["_graphir_compiled"]
    order = postorder(graph, roots)
    reach = real_only_uses(graph, order)
    real_only = [reach.get(n) for n in names]
    shaped = any(graph.shapes[i] for i in order)
    var_ids = {a: i for a, i in zip(names, arg_ids, strict=True) if i >= 0}

    def inner(*xs: Any) -> Any:
        if len(xs) != len(names):
            raise TypeError(f"the compiled function takes {len(names)} argument(s), got {len(xs)}")
        values = list(xs)
        for k, v in enumerate(xs):
            if type(v) is float:  # the common case, as it is
                continue
            v = values[k] = as_value(names[k], v)
            if real_only[k] is not None and np.iscomplexobj(v):
                raise EvalError(
                    f"{real_only[k]} takes real numbers only, and {names[k]} is complex (complex input "
                    "is for functions analytic in it)"
                )
        if shaped:
            given = zip(names, values, strict=True)
            check_shapes(graph, order, {var_ids[n]: v for n, v in given if n in var_ids})
        try:
            return compiled(*values)
        except ValueError as exc:  # arrays NumPy cannot broadcast together, say
            raise EvalError(f"the compiled function cannot take these arguments: {exc}") from None

    if single:

        def f(*xs: Any) -> Any:
            return inner(*xs)[0]

    else:

        def f(*xs: Any) -> Any:
            return list(inner(*xs))

    f.__doc__ = f"Compiled from graphir; arguments ({', '.join(names)}).\n\n{source}"
    f.source = source  # type: ignore[attr-defined]
    return f
