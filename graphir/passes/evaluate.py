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
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np

from .. import primitives
from ..arguments import as_value
from ..build import Expr, lift
from ..errors import EvalError, EvalWarning
from ..traversal import last_use, postorder

__all__ = ["evaluate", "values_of_nodes"]


def _inputs(graph: Any, order: Sequence[int], point: Mapping[str, Any]) -> dict[int, Any]:
    """The values of the variables of ``order``, by node id."""
    ops, params = graph.ops, graph.params
    env: dict[int, Any] = {}
    for i in order:
        if ops[i] == "var":
            name = params[i]
            if name not in point:
                raise EvalError(f"no value given for variable {name!r}")
            env[i] = as_value(name, point[name])
    return env


def _implementations(graph: Any, order: Sequence[int], complex_mode: bool) -> dict[str, Any]:
    """Op name -> the NumPy function evaluating it (complex-safe in complex mode)."""
    impls: dict[str, Any] = {}
    for op in {graph.ops[i] for i in order if graph.args[i]}:
        p = primitives.get(op)
        impls[op] = p.complex_impl() if complex_mode else p.numpy
    return impls


def values_of_nodes(
    graph: Any,
    order: Sequence[int],
    point: Mapping[str, Any],
    keep: Collection[int] | None = None,
) -> dict[int, Any]:
    """Evaluate the nodes ``order`` (topological) at ``point``; every node's value by id.

    With ``keep``, only the values of those nodes are returned, and every other
    value is dropped as soon as its last user has been computed (large arrays
    and long chains then need little memory).
    """
    env = _inputs(graph, order, point)
    complex_mode = any(np.iscomplexobj(v) for v in env.values())
    # (with scalar inputs every value is a scalar: nothing worth freeing early)
    arrays = keep is not None and any(np.ndim(v) for v in env.values())
    dying = last_use(graph, order, keep) if arrays else {}
    problems = _run(graph, order, env, _implementations(graph, order, complex_mode), dying)
    for i, (kinds, outcome) in problems.items():
        _warn(graph, i, outcome, kinds)
    if keep is not None:
        env = {i: env[i] for i in keep}
    return env


def _run(
    graph: Any, order: Sequence[int], env: dict[int, Any], impls: dict[str, Any], dying: dict[int, list[int]]
) -> dict[int, tuple[set[str], str]]:
    """The loop: every operation of ``order`` into ``env``; the nodes that gave nan or inf."""
    ops, args, params = graph.ops, graph.args, graph.params
    problems: dict[int, tuple[set[str], str]] = {}
    flagged: set[str] = set()

    def on_error(kind: str, flag: int) -> None:
        flagged.add(kind)

    with np.errstate(divide="call", over="call", invalid="call", under="ignore", call=on_error):
        for i in order:
            a = args[i]
            if not a:
                if ops[i] == "const":
                    env[i] = params[i]
                continue
            f = impls[ops[i]]
            if len(a) == 1:
                v = env[i] = f(env[a[0]])
            elif len(a) == 2:
                v = env[i] = f(env[a[0]], env[a[1]])
            else:
                v = env[i] = f(*[env[k] for k in a])
            if flagged:
                problems[i] = (set(flagged), _outcome(v))
                flagged.clear()
            for d in dying.get(i, ()):
                del env[d]
    return problems


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
