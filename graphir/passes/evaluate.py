"""Numeric evaluation: one loop over the nodes in topological order.

Inputs may be scalars or arrays (NumPy broadcasting), real or complex.  Complex
inputs select each primitive's complex-safe implementation; for ``abs``,
``sign``, ``maximum``, ``minimum`` and ``heaviside`` (and any primitive with a
``complex_numpy``) that is the complex-step extension, right only for an
infinitesimal imaginary part, so :func:`evaluate` refuses complex input to
them (``gi.abs(x).eval(x=3+4j)`` is an :class:`~graphir.errors.EvalError`, not
``3+4j``) unless called with ``complex_step=True``, as the complex-step method
does.  A node that turns finite inputs into nan or inf gives
NumPy's value and an :class:`~graphir.errors.EvalWarning` naming the node and
its formula.

>>> import graphir as gi
>>> x, = gi.symbols("x,")
>>> evaluate([x * x, x + 1], {"x": 3})
[9.0, 4.0]
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np

from .. import primitives
from ..arguments import as_value, real_only_uses
from ..build import Expr, lift
from ..errors import EvalError, EvalWarning
from ..traversal import last_use, postorder

__all__ = ["evaluate", "values_of_nodes", "refuse_complex"]


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
    check_shapes(graph, order, env)
    # Arrays given for scalar variables are many points and must broadcast together; a shaped
    # variable's value has its own shape (checked above), not a number of points.
    shapes = {params[i]: np.shape(v) for i, v in env.items() if np.ndim(v) and not graph.shapes[i]}
    if len(shapes) > 1:
        try:
            np.broadcast_shapes(*shapes.values())
        except ValueError:
            given = ", ".join(f"{n} has shape {s}" for n, s in shapes.items())
            raise EvalError(f"the values of the variables do not broadcast together: {given}") from None
    return env


def check_shapes(graph: Any, order: Sequence[int], values: Mapping[int, Any]) -> None:
    """EvalError when a shaped variable gets a value of another shape, or when a scalar
    variable of an expression with arrays gets an array (many points at once are for
    expressions of scalars only).  ``values`` maps variable node ids to values."""
    shapes, params = graph.shapes, graph.params
    arrays = any(shapes[i] for i in order)
    for i, v in values.items():
        want, got = shapes[i], np.shape(v)
        if want and got != want:
            raise EvalError(f"variable {params[i]!r} has shape {want}, but its value has shape {got}")
        if not want and got and arrays:
            raise EvalError(
                f"variable {params[i]!r} is a scalar in an expression with arrays, but its value has shape "
                f"{got} (an array of values means many points, which only expressions of scalars take; "
                f"declare it with symbols({params[i]!r}, shape={got}) to make it an array)"
            )


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
    with_param = {op for op in impls if primitives.get(op).has_param}  # called as f(*operands, param)
    problems: dict[int, tuple[set[str], str]] = {}
    flagged: set[str] = set()

    def on_error(kind: str, flag: int) -> None:
        flagged.add(kind)

    with np.errstate(divide="call", over="call", invalid="call", under="ignore", call=on_error):
        for i in order:
            a = args[i]
            if not a:
                op = ops[i]
                if op == "const":
                    env[i] = params[i]
                elif op == "data":
                    env[i] = params[i].array
                continue
            f = impls[ops[i]]
            if ops[i] in with_param:
                v = env[i] = f(*[env[k] for k in a], params[i])
            elif len(a) == 1:
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


def refuse_complex(graph: Any, order: Sequence[int], point: Mapping[str, Any]) -> None:
    """EvalError when ``point`` gives a complex value to a variable that reaches a
    real-only primitive in ``order`` (one with a ``complex_numpy``: its complex form is
    the complex-step extension, not a complex function).

    >>> import graphir as gi
    >>> x = gi.symbols("x")
    >>> refuse_complex(x.ir, gi.abs(x).order, {"x": 3 + 4j})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graphir.errors.EvalError: abs takes real numbers only, and x = (3+4j) is complex (complex input is ...
    """
    if not any(np.iscomplexobj(v) for v in point.values()):
        return
    for name, op in real_only_uses(graph, order).items():
        value = point.get(name)
        if np.iscomplexobj(value):
            shown = complex(value) if np.ndim(value) == 0 else "a complex array"
            raise EvalError(
                f"{op} takes real numbers only, and {name} = {shown} is complex (complex input is "
                "for functions analytic in it; for derivatives use finite_difference(..., method='complex'))"
            )


#: Per graph, the plans of the roots evaluated last: the order (postorder) and the names of
#: its variables.  Graphs are append-only, so the nodes a root depends on never change;
#: weak, so a graph dropped by the user goes, and a few plans per graph at most.
_PLANS: weakref.WeakKeyDictionary[Any, dict[tuple[int, ...], tuple[list[int], frozenset[str]]]] = (
    weakref.WeakKeyDictionary()
)
_PLANS_PER_GRAPH = 16


def _plan(graph: Any, roots: Sequence[int]) -> tuple[list[int], frozenset[str]]:
    """``(postorder(graph, roots), names of its variables)``, computed once per roots."""
    plans = _PLANS.get(graph)
    if plans is None:
        plans = _PLANS[graph] = {}
    key = tuple(roots)
    plan = plans.get(key)
    if plan is None:
        order = postorder(graph, roots)
        ops, params = graph.ops, graph.params
        plan = (order, frozenset(params[i] for i in order if ops[i] == "var"))
        if len(plans) >= _PLANS_PER_GRAPH:
            del plans[next(iter(plans))]
        plans[key] = plan
    return plan


def evaluate(exprs: Sequence[Any], point: dict[str, Any], *, complex_step: bool = False) -> list[Any]:
    """Values of several expressions at ``point`` (a dict name -> number or array).

    0-d results come back as Python floats (complex when the inputs are complex).
    Complex input to a real-only primitive raises :class:`EvalError` (see
    :func:`refuse_complex`) unless ``complex_step``: the complex-step method's own
    evaluations, where the imaginary part is infinitesimal.
    """
    graph, roots = lift(*exprs)
    order, used = _plan(graph, roots)
    if not complex_step:
        refuse_complex(graph, order, {n: as_value(n, v) for n, v in point.items() if n in used})
    env = values_of_nodes(graph, order, point, keep=roots)
    out = []
    for r in roots:
        v = env[r]
        if np.ndim(v) == 0:
            v = complex(v) if np.iscomplexobj(v) else float(v)
        out.append(v)
    return out
