"""Numeric evaluation: one loop over the nodes in topological order.

Inputs may be scalars or arrays (NumPy broadcasting), real or complex (complex
inputs select each primitive's complex-safe implementation, used by the
complex-step method).  A node that turns finite inputs into nan or inf gives
NumPy's value and an :class:`~graphir.errors.EvalWarning` naming the node and
its formula.

>>> import graphir as gi
>>> x, = gi.symbols("x,")
>>> evaluate([x * x, x + 1], {"x": 3})
[9.0, 4.0]
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Sequence
from typing import Any

import numpy as np

from .. import primitives
from ..build import Expr, lift
from ..errors import EvalError, EvalWarning
from ..traversal import postorder

__all__ = ["evaluate", "input_array", "values_of_nodes"]


def input_array(name: str, v: Any) -> Any:
    """A variable's value as a NumPy scalar or array of floats (or complex numbers).

    A float or complex array is used as it is (no copy); passes never write into it.
    """
    if isinstance(v, Expr):
        raise EvalError(f"the value of {name} must be a number, got the expression {v!r}")
    try:
        a = np.asarray(v)
    except Exception as exc:  # broad on purpose: whatever NumPy refuses, say which variable
        raise EvalError(f"the value of {name} is not a number: {v!r}") from exc
    if a.dtype.kind in "biuf":
        a = a.astype(float, copy=False)
    elif a.dtype.kind != "c":
        raise EvalError(f"the value of {name} is not a number: {v!r}")
    return a[()] if a.ndim == 0 else a


def values_of_nodes(
    graph: Any,
    order: Sequence[int],
    point: dict[str, Any],
    keep: Collection[int] | None = None,
) -> dict[int, Any]:
    """Evaluate the nodes ``order`` (topological) at ``point``; every node's value by id.

    With ``keep``, only the values of those nodes are returned, and every other
    value is dropped as soon as its last user has been computed (large arrays
    and long chains then need little memory).
    """
    ops, args, params = graph.ops, graph.args, graph.params
    complex_mode = False
    env: dict[int, Any] = {}
    for i in order:
        if ops[i] == "var":
            name = params[i]
            if name not in point:
                raise EvalError(f"no value given for variable {name!r}")
            env[i] = input_array(name, point[name])
            complex_mode = complex_mode or np.iscomplexobj(env[i])
    dying: dict[int, list[int]] = {}
    if keep is not None and any(np.ndim(v) for v in env.values()):
        # (with scalar inputs every value is a scalar: nothing worth freeing early)
        last: dict[int, int] = {}
        for i in order:
            for a in args[i]:
                last[a] = i
        kept = set(keep)
        for a, i in last.items():
            if a not in kept:
                dying.setdefault(i, []).append(a)
    impls = {}
    problems: dict[int, tuple[set[str], Any]] = {}
    flagged: set[str] = set()

    def on_error(kind: str, flag: int) -> None:
        flagged.add(kind)

    with np.errstate(divide="call", over="call", invalid="call", under="ignore", call=on_error):
        for i in order:
            op = ops[i]
            if op == "var":
                continue
            if op == "const":
                env[i] = params[i]
                continue
            f = impls.get(op)
            if f is None:
                p = primitives.get(op)
                f = impls[op] = p.complex_impl() if complex_mode else p.np
            a = args[i]
            if len(a) == 1:
                v = env[i] = f(env[a[0]])
            elif len(a) == 2:
                v = env[i] = f(env[a[0]], env[a[1]])
            else:
                v = env[i] = f(*[env[k] for k in a])
            if flagged:
                problems[i] = (set(flagged), _outcome(v))
                flagged.clear()
            if dying:
                for a in dying.get(i, ()):
                    del env[a]
    for i, (kinds, outcome) in problems.items():
        _warn(graph, i, outcome, kinds)
    if keep is not None:
        env = {i: env[i] for i in keep}
    return env


def _outcome(value: Any) -> str:
    a = np.asarray(value)
    return "nan" if np.isnan(a).any() else ("inf" if np.isinf(a).any() else "a rounded value")


def _warn(graph: Any, i: int, outcome: str, kinds: set[str]) -> None:
    from ..printing import to_text

    formula = to_text(Expr(graph, i), limit=80)
    what = ", ".join(sorted(kinds))
    warnings.warn(f"node {i} = {formula}: {what} (gives {outcome})", EvalWarning, stacklevel=4)


def evaluate(exprs: Sequence[Any], point: dict[str, Any]) -> list[Any]:
    """Values of several expressions at ``point`` (a dict name -> number or array).

    0-d results come back as Python floats (complex when the inputs are complex).
    """
    graph, roots = lift(*exprs)
    env = values_of_nodes(graph, postorder(graph, roots), point, keep=roots)
    out = []
    for r in roots:
        v = env[r]
        if np.ndim(v) == 0:
            v = complex(v) if np.iscomplexobj(v) else float(v)
        out.append(v)
    return out
