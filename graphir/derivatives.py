"""Derivatives as expressions: diff, grad, jacobian, hessian, jvp, vjp, value_and_grad.

Every result is an expression in the IR (it evaluates, compiles, simplifies,
renders and differentiates again), built by the forward or reverse graph pass
(:mod:`graphir.passes.forward`, :mod:`graphir.passes.reverse`).
``forward_pass`` and ``reverse_pass`` return the pass itself, with its
ordered steps, for pictures and trace tables.

>>> import graphir as gi
>>> x1, x2 = gi.symbols("x1 x2")
>>> f = gi.log(x1) + x1 * x2 - gi.sin(x2)
>>> [round(d.eval(x1=2, x2=5), 4) for d in gi.grad(f)]
[5.5, 1.7163]
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .arguments import as_point, check_mode, forward_seeds, variable_name, variables_of, wrt_items, wrt_names
from .build import Expr, as_expr, expr_list, lift
from .errors import ArgumentError, ShapeError
from .ir import Graph
from .passes.chain import PassResult
from .passes.evaluate import evaluate
from .passes.forward import forward
from .passes.reverse import reverse
from .primitives import registry_version
from .shapes import Shape, size

__all__ = [
    "diff",
    "grad",
    "jacobian",
    "hessian",
    "jvp",
    "vjp",
    "value_and_grad",
    "forward_pass",
    "reverse_pass",
]


#: Per graph, the nodes the functions of this module returned as derivatives (pictures
#: draw their ``gi.cleanup`` by default); weak, so a graph dropped by the user goes.
_DERIVATIVES: weakref.WeakKeyDictionary[Graph, set[int]] = weakref.WeakKeyDictionary()


def _zero_or(graph: Graph, node: int | None, shape: Shape = ()) -> Expr:
    """The node, or a zero of ``shape`` when it is None (no tangent or adjoint), marked
    as a derivative."""
    if node is None:
        zero = graph.const(0.0)
        node = graph.apply("broadcast_to", zero, param=shape) if shape else zero
    return _marked(Expr(graph, node))


def _marked(e: Expr) -> Expr:
    """``e``, recorded as a derivative this module returned (see :func:`is_derivative`)."""
    _DERIVATIVES.setdefault(e.ir, set()).add(e.node)
    return e


def is_derivative(graph: Graph, node: int) -> bool:
    """Whether ``node`` was returned by :func:`diff`, :func:`grad`, :func:`jacobian`,
    :func:`hessian`, :func:`jvp` or :func:`vjp` (pictures clean such expressions up).

    >>> import graphir as gi
    >>> x, = gi.symbols("x,")
    >>> d = gi.diff(x ** 3, x)
    >>> is_derivative(d.ir, d.node), is_derivative(x.ir, (x ** 3).node)
    (True, False)
    """
    return node in _DERIVATIVES.get(graph, ())


def _var_shape(graph: Graph, name: str) -> Shape:
    i = graph.find_var(name)
    return () if i is None else graph.shapes[i]


def _derivative_of_var(r: PassResult, name: str, shape: Shape = ()) -> Expr:
    """The adjoint of the variable ``name`` after a reverse pass (0 of ``shape`` when it has none)."""
    i = r.graph.find_var(name)
    if i is not None:
        shape = r.graph.shapes[i]
    return _zero_or(r.graph, None if i is None else r.derivative_of(i), shape)


def _basis(shape: Shape) -> list[np.ndarray]:
    """The one-hot arrays of ``shape``, in C order (the seeds of one pass per entry)."""
    n = size(shape)
    return [np.eye(n)[j].reshape(shape) for j in range(n)]


def _entries(parts: list[Expr], lead: Shape) -> Expr:
    """Expressions of one shape, one per entry of ``lead``, as one expression of shape ``lead + shape``."""
    from .arrays import reshape, stack

    inner = parts[0].shape
    return _marked(reshape(stack(parts), lead + inner))


def _forward_columns(outs: list[Expr], name: str, var_shape: Shape) -> list[Expr]:
    """``d out / d name`` for each output, shaped ``out.shape + var_shape``: one forward pass
    per entry of the variable (one pass for a scalar variable)."""
    from .arrays import transpose

    if not var_shape:
        r = _forward_pass(outs, {name: 1.0})
        return [_zero_or(r.graph, r.derivative_of(o), r.graph.shapes[o]) for o in r.outputs]
    if not size(var_shape):  # an empty variable: empty Jacobians, no pass
        graph, ids = lift(*outs)
        return [_zero_or(graph, None, graph.shapes[i] + var_shape) for i in ids]
    columns: list[list[Expr]] = [[] for _ in outs]
    for seed in _basis(var_shape):
        r = _forward_pass(outs, {name: seed})
        for k, o in enumerate(r.outputs):
            columns[k].append(_zero_or(r.graph, r.derivative_of(o), r.graph.shapes[o]))
    out = []
    for col in columns:
        j = _entries(col, var_shape)  # shape var_shape + out.shape
        nv, no = len(var_shape), col[0].ndim
        out.append(_marked(transpose(j, tuple(range(nv, nv + no)) + tuple(range(nv)))) if no else j)
    return out


def _reverse_rows(e: Expr, names: list[str]) -> list[Expr]:
    """``d e / d name`` for each name, shaped ``e.shape + var_shape``: one reverse pass per
    entry of ``e`` (one pass for a scalar ``e``)."""
    if not e.shape:
        r = _reverse_pass(e, wrt=names)
        return [_derivative_of_var(r, n, _var_shape(e.ir, n)) for n in names]
    if not size(e.shape):  # an empty output: empty Jacobians, no pass
        return [_zero_or(e.ir, None, e.shape + _var_shape(e.ir, n)) for n in names]
    rows: list[list[Expr]] = [[] for _ in names]
    for seed in _basis(e.shape):
        r = _reverse_pass(e, [seed], names)
        for k, n in enumerate(names):
            rows[k].append(_derivative_of_var(r, n, _var_shape(e.ir, n)))
    return [_entries(row, e.shape) for row in rows]


def forward_pass(exprs: Any, tangents: Mapping[Any, Any]) -> PassResult:
    """Run forward mode on ``exprs`` with input tangents (variable or name -> number or expression).

    This is the pass itself: tangents of variables the expressions do not use
    are ignored (:func:`jvp` checks names).

    >>> import graphir as gi
    >>> x, = gi.symbols("x,")
    >>> r = forward_pass(x * x, {x: 1})
    >>> len(r.steps)
    2
    """
    return _forward_pass(exprs, tangents, True)


def _forward_pass(exprs: Any, tangents: Mapping[Any, Any], record_steps: bool = False) -> PassResult:
    """:func:`forward_pass`, with step records only when ``record_steps``."""
    outs, _ = expr_list(exprs)
    if not isinstance(tangents, Mapping):
        raise TypeError(f"tangents map variables (or their names) to tangents, got {type(tangents).__name__}")
    names = [variable_name(v) for v in tangents]
    graph, ids = lift(*outs, *tangents.values())
    found = [graph.find_var(n) for n in names]
    seeds = {i: t for i, t in zip(found, ids[len(outs) :], strict=True) if i is not None}
    return forward(graph, ids[: len(outs)], seeds, record_steps, _known_order(outs, graph))


def reverse_pass(exprs: Any, cotangents: Sequence[Any] | None = None, wrt: Any = None) -> PassResult:
    """Run reverse mode on ``exprs`` seeded with ``cotangents`` (default 1 for each output).

    This is the pass itself: ``wrt`` (default: every variable) may name
    variables the expressions do not use; they get no adjoint, and nothing is
    added to the graph for them.

    >>> import graphir as gi
    >>> x, = gi.symbols("x,")
    >>> r = reverse_pass(x * x)
    >>> [s.operand for s in r.steps]
    [0, 1]
    """
    return _reverse_pass(exprs, cotangents, wrt, True)


def _reverse_pass(
    exprs: Any, cotangents: Sequence[Any] | None = None, wrt: Any = None, record_steps: bool = False
) -> PassResult:
    """:func:`reverse_pass`, with step records only when ``record_steps``."""
    outs, _ = expr_list(exprs)
    if cotangents is None:
        cotangents = [1.0] * len(outs)
    cotangents = list(cotangents)
    if len(cotangents) != len(outs):
        raise ArgumentError(f"{len(outs)} outputs need {len(outs)} cotangents, got {len(cotangents)}")
    items = wrt_items(wrt)
    names = variables_of(outs) if items is None else [variable_name(v) for v in items]
    graph, ids = lift(*outs, *cotangents)
    roots, seeds_in = ids[: len(outs)], ids[len(outs) :]
    seeds: dict[int, int] = {}
    for r, s in zip(roots, seeds_in, strict=False):
        seeds[r] = graph.apply("add", seeds[r], s) if r in seeds else s
    found = [graph.find_var(n) for n in names]
    wrt_ids = [i for i in found if i is not None]
    return reverse(graph, roots, seeds, wrt_ids, record_steps, _known_order(outs, graph))


def _known_order(outs: list[Expr], graph: Graph) -> list[int] | None:
    """The topological order of a single output that lives in ``graph`` (an expression
    keeps its order once computed), else None: the pass computes it."""
    if len(outs) == 1 and outs[0].ir is graph:
        return outs[0].order
    return None


def _one_derivative(e: Expr, name: str, mode: str) -> Expr:
    if mode == "forward":
        return _forward_columns([e], name, _var_shape(e.ir, name))[0]
    return _reverse_rows(e, [name])[0]


def _grad(e: Expr, names: list[str], mode: str) -> tuple[Expr, ...]:
    """The partials of ``e`` by the variables ``names`` (already checked)."""
    if mode == "forward":
        return tuple(_one_derivative(e, n, "forward") for n in names)
    return tuple(_reverse_rows(e, names))


def _scalar_output(e: Expr, what: str) -> None:
    if e.shape:
        raise ShapeError(
            f"{what} takes a scalar expression, got one of shape {e.shape}; use jacobian (or vjp) for arrays"
        )


def diff(expr: Any, *wrt: Any, mode: str = "reverse") -> Expr:
    """Partial derivative of ``expr``, once for each variable given.

    ``diff(f, x, x)`` is the second derivative in ``x``.

    >>> import graphir as gi
    >>> x, = gi.symbols("x,")
    >>> diff(x ** 3, x, x).eval(x=2)
    12.0
    """
    check_mode(mode)
    if not wrt:
        raise TypeError("diff needs at least one variable to differentiate with respect to")
    e = expr_list(expr)[0][0]
    for name in wrt_names(e, wrt):
        e = _one_derivative(e, name, mode)
    return e


def grad(expr: Any, wrt: Any = None, mode: str = "reverse") -> tuple[Expr, ...]:
    """Tuple of partial derivatives; ``wrt`` defaults to ``expr.variables``.

    A name in ``wrt`` must name a variable of ``expr`` (a typo raises
    :class:`~graphir.errors.ArgumentError`); a variable object ``expr`` does not
    use gives 0, as in SymPy.

    >>> import graphir as gi
    >>> x, y = gi.symbols("x y")
    >>> [d.eval(x=2, y=3) for d in grad(x * y)]
    [3.0, 2.0]
    """
    check_mode(mode)
    e = expr_list(expr)[0][0]
    _scalar_output(e, "grad")
    return _grad(e, wrt_names(e, wrt), mode)


def jacobian(exprs: Any, wrt: Any = None, mode: str = "forward") -> tuple[tuple[Expr, ...], ...]:
    """Jacobian: rows are outputs, columns variables (``wrt``: all, in the order they were created).

    Forward mode runs one pass per variable, reverse mode one per output.

    >>> import graphir as gi
    >>> x, y = gi.symbols("x y")
    >>> J = jacobian([x * y, x + y])
    >>> [[d.eval(x=2, y=3) for d in row] for row in J]
    [[3.0, 2.0], [1.0, 1.0]]
    """
    check_mode(mode)
    outs, _ = expr_list(exprs)
    names = wrt_names(outs, wrt)
    if mode == "forward":
        graph = lift(*outs)[0]
        cols = [_forward_columns(outs, n, _var_shape(graph, n)) for n in names]
        return tuple(tuple(cols[j][i] for j in range(len(names))) for i in range(len(outs)))
    return tuple(tuple(_reverse_rows(o, names)) for o in outs)


def hessian(expr: Any, wrt: Any = None) -> tuple[tuple[Expr, ...], ...]:
    """Symmetric matrix of second partials, by forward mode over reverse mode.

    >>> import graphir as gi
    >>> x, y = gi.symbols("x y")
    >>> H = hessian(x ** 2 * y)
    >>> [[h.eval(x=1, y=2) for h in row] for row in H]
    [[4.0, 2.0], [2.0, 0.0]]
    """
    e = expr_list(expr)[0][0]
    _scalar_output(e, "hessian")
    names = wrt_names(e, wrt)
    g = _grad(e, names, "reverse")
    if any(_var_shape(e.ir, n) for n in names):
        # H[j][k] = d grad_j / d x_k, shaped x_j.shape + x_k.shape (forward over reverse)
        cols = [_forward_columns(list(g), n, _var_shape(e.ir, n)) for n in names]
        return tuple(tuple(cols[k][j] for k in range(len(names))) for j in range(len(names)))
    rows: list[list[Expr]] = [[] for _ in names]
    for k, n in enumerate(names):
        r = _forward_pass(list(g), {n: 1.0})
        for j in range(k, len(names)):
            rows[j].append(_zero_or(r.graph, r.derivative_of(r.outputs[j])))
    # rows[j] holds H[j][0..j]; mirror to make the matrix exactly symmetric.
    return tuple(
        tuple(rows[j][k] if k <= j else rows[k][j] for k in range(len(names))) for j in range(len(names))
    )


def jvp(exprs: Any, tangents: Mapping[Any, Any]) -> Any:
    """Directional derivative: one expression per output (one expression for one output).

    ``tangents`` maps variables (or names) to numbers or expressions; missing ones are 0.
    A name must be the name of a variable of ``exprs`` (:func:`graphir.arguments.wrt_names`).

    >>> import graphir as gi
    >>> x, y = gi.symbols("x y")
    >>> jvp(x * y, {x: 1, "y": 2}).eval(x=3, y=5)
    11.0
    """
    outs, single = expr_list(exprs)
    if not isinstance(tangents, Mapping):
        raise TypeError(f"tangents map variables (or their names) to tangents, got {type(tangents).__name__}")
    r = _forward_pass(outs, forward_seeds(outs, tangents))
    res = tuple(_zero_or(r.graph, r.derivative_of(o), r.graph.shapes[o]) for o in r.outputs)
    return res[0] if single else res


def vjp(exprs: Any, cotangents: Sequence[Any], wrt: Any = None) -> tuple[Expr, ...]:
    """Vector-Jacobian product: ``cotangents`` one per output; one expression per variable.

    >>> import graphir as gi
    >>> x, y = gi.symbols("x y")
    >>> [v.eval(x=3, y=5) for v in vjp([x * y, x + y], [1, 10])]
    [15.0, 13.0]
    """
    outs, single = expr_list(exprs)
    if single and not isinstance(cotangents, (list, tuple)):
        cotangents = [cotangents]
    names = wrt_names(outs, wrt)
    graph = lift(*outs)[0]
    for o, c in zip(outs, cotangents, strict=False):
        got = as_expr(c).shape
        if got and got != o.shape:
            raise ShapeError(f"vjp: a cotangent of shape {got} for an output of shape {o.shape}")
    r = _reverse_pass(outs, cotangents, names)
    return tuple(_derivative_of_var(r, n, _var_shape(graph, n)) for n in names)


#: Per graph, the gradients :func:`value_and_grad` built: (node, names, mode, registry
#: version) -> the gradient's node ids.  Graphs are append-only, so a node's gradient never
#: changes unless a primitive is registered again (the version is in the key); weak, and
#: holding ids only, so a graph dropped by the user goes.
_GRADS: weakref.WeakKeyDictionary[Graph, dict[tuple[Any, ...], tuple[int, ...]]] = (
    weakref.WeakKeyDictionary()
)


def _cached_grad(e: Expr, wrt: Any, mode: str) -> tuple[Expr, ...]:
    """:func:`grad` of ``e``, built once per (expression, variables, mode)."""
    check_mode(mode)
    _scalar_output(e, "grad")
    names = tuple(wrt_names(e, wrt))
    graph = e.ir
    cache = _GRADS.get(graph)
    if cache is None:
        cache = _GRADS[graph] = {}
    key = (e.node, names, mode, registry_version())
    ids = cache.get(key)
    if ids is None:
        g = _grad(e, list(names), mode)
        if any(d.ir is not graph for d in g):  # (never for numbers as seeds; kept safe)
            return g
        ids = cache[key] = tuple(d.node for d in g)
    return tuple(Expr(graph, i) for i in ids)


#: Per graph: (value node, gradient nodes) -> (variable names, the compiled Python-float
#: program of the value and the gradient), None where no such program exists, or 1 after
#: the first call (which evaluates without compiling).
_PROGRAMS: weakref.WeakKeyDictionary[Graph, dict[tuple[int, ...], Any]] = weakref.WeakKeyDictionary()


def _compiled_value_and_grad(
    e: Expr, g: tuple[Expr, ...], point: Mapping[str, Any]
) -> tuple[float, ...] | None:
    """The value and the partials at ``point`` from a program compiled once (the ``python``
    backend of :func:`graphir.lambdify`), when every value is a plain number and the graph is
    one of scalars; None otherwise, and wherever NumPy would warn (the caller then evaluates
    as usual, with its warnings).  Bit for bit the values :func:`evaluate` gives."""
    if not all(type(v) is float or (type(v) is int and abs(v) < 2**53) for v in point.values()):
        return None
    graph = e.ir
    if any(d.ir is not graph for d in g):
        return None
    roots = (e.node, *(d.node for d in g))
    cache = _PROGRAMS.setdefault(graph, {})
    entry = cache.get(roots, 0)
    if entry == 0:  # a first call evaluates as usual: compiling pays off from the second on
        cache[roots] = 1
        return None
    if entry == 1:
        entry = cache[roots] = _value_and_grad_program(graph, list(roots))
    if entry is None:
        return None
    names, program = entry
    try:
        return program(*[float(point[n]) for n in names])
    except (KeyError, ArithmeticError, ValueError, TypeError):
        return None


def _value_and_grad_program(graph: Graph, roots: list[int]) -> tuple[list[str], Any] | None:
    from .passes.scalar_code import python_backend, supports
    from .traversal import postorder

    order = postorder(graph, roots)
    if not supports(graph, order):
        return None
    ids = graph.in_creation_order(order)
    return [graph.params[i] for i in ids], python_backend(graph, roots, ids)


def value_and_grad(
    expr: Any, at: Mapping[Any, Any], wrt: Any = None, mode: str = "reverse"
) -> tuple[Any, np.ndarray]:
    """``(value, ndarray of partials)`` at the point ``at`` (names or variables -> values).

    When a variable holds an array, the partials come as a tuple of arrays, each
    of its variable's shape.

    >>> import graphir as gi
    >>> x, y = gi.symbols("x y")
    >>> value_and_grad(x * y, {"x": 2, "y": 3})
    (6.0, array([3., 2.]))
    >>> w = gi.symbols("w", shape=(2,))
    >>> value_and_grad(gi.sum(w * w) * y, {w: [1.0, 2.0], y: 3.0}, wrt=[w, y])
    (15.0, (array([ 6., 12.]), array(5.)))
    """
    e = expr_list(expr)[0][0]
    g = _cached_grad(e, wrt, mode)
    point = as_point(at)
    fast = _compiled_value_and_grad(e, g, point)
    if fast is not None:
        return fast[0], np.array(fast[1:], dtype=float)
    values = evaluate([e, *g], point)
    if any(d.shape for d in g):
        return values[0], tuple(np.asarray(v, dtype=float) for v in values[1:])
    shape = np.broadcast_shapes(*(np.shape(v) for v in values))
    partials = np.array([np.broadcast_to(v, shape) for v in values[1:]], dtype=np.result_type(*values))
    return values[0], partials
