"""Array expressions: data constants and the operations that are not elementwise.

Elementwise functions (``gi.exp``, ``+``, ``*`` ...) broadcast as NumPy does; the
builders here add matrix products, reductions, transposes, reshapes and the
numerically stable ``logsumexp``/``softmax``.  Every node has a static shape,
checked when it is built (:class:`~graphir.errors.ShapeError`).  The NumPy
functions ``np.sum``, ``np.mean``, ``np.dot``, ``np.matmul``, ``np.transpose``
on an expression build the same nodes.

>>> import numpy as np
>>> import graphir as gi
>>> X = gi.constant(np.arange(6.0).reshape(3, 2), name="X")
>>> w = gi.symbols("w", shape=(2,))
>>> r = X @ w - 1.0
>>> r.shape, gi.sum(r * r).shape
((3,), ())
>>> float(gi.mean(r).eval(w=[1.0, 1.0]))
4.0
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .build import Expr, _apply, as_expr, check_variable_names
from .errors import ArgumentError, ShapeError
from .shapes import as_shape, normalize_axis, size

__all__ = [
    "constant",
    "matmul",
    "dot",
    "sum",
    "mean",
    "transpose",
    "reshape",
    "broadcast_to",
    "sum_to",
    "logsumexp",
    "softmax",
    "stack",
    "NUMPY_FUNCTIONS",
]


def constant(value: Any, name: str | None = None) -> Expr:
    """A data node: an array (or number) that is never differentiated, shown by ``name``.

    >>> import numpy as np
    >>> X = constant(np.eye(2), name="X")
    >>> X.shape, str(X), X.eval().tolist()
    ((2, 2), 'X', [[1.0, 0.0], [0.0, 1.0]])
    """
    from .ir import Graph

    if name is not None:
        check_variable_names([name])
    try:
        a = np.array(value, dtype=float)
    except (TypeError, ValueError):
        what = type(value).__name__
        raise ArgumentError(f"constant takes numbers or an array of numbers, got {what}") from None
    g = Graph()
    return Expr(g, g.data(a, name))


def matmul(a: Any, b: Any) -> Expr:
    """``a @ b`` for vectors and matrices, as NumPy (a ShapeError names both shapes).

    >>> import graphir as gi
    >>> A = gi.symbols("A", shape=(2, 3))
    >>> matmul(A, np.ones(3)).shape
    (2,)
    """
    return _apply("matmul", a, b)


def dot(a: Any, b: Any) -> Expr:
    """NumPy's ``dot`` for 1-D and 2-D operands (the matrix product, or the inner product of vectors).

    >>> import graphir as gi
    >>> x = gi.symbols("x", shape=(3,))
    >>> float(dot(x, x).eval(x=[1.0, 2.0, 2.0]))
    9.0
    """
    return matmul(a, b)


def sum(x: Any, axis: int | None = None) -> Expr:
    """The sum over ``axis`` (every entry for None), as ``np.sum``.

    >>> import graphir as gi
    >>> W = gi.symbols("W", shape=(2, 3))
    >>> sum(W, axis=0).shape, sum(W).shape
    ((3,), ())
    """
    e = as_expr(x)
    ax = normalize_axis("sum", axis, e.shape)
    if not e.shape:
        return e
    return _apply("sum", e, param=ax)


def mean(x: Any, axis: int | None = None) -> Expr:
    """The mean over ``axis``: the sum divided by the number of entries summed.

    >>> import graphir as gi
    >>> v = gi.symbols("v", shape=(4,))
    >>> float(mean(v).eval(v=[1.0, 2.0, 3.0, 6.0]))
    3.0
    """
    e = as_expr(x)
    ax = normalize_axis("mean", axis, e.shape)
    n = size(e.shape) if ax is None else e.shape[ax]
    return sum(e, ax) / float(n) if n != 1 else sum(e, ax)


def transpose(x: Any, axes: Sequence[int] | None = None) -> Expr:
    """The axes reversed (or permuted by ``axes``); a scalar or vector is its own transpose.

    >>> import graphir as gi
    >>> transpose(gi.symbols("W", shape=(2, 3))).shape
    (3, 2)
    """
    e = as_expr(x)
    if axes is not None:
        perm = tuple(normalize_axis("transpose", a, e.shape) for a in axes)  # type: ignore[misc]
        if sorted(perm) != list(range(e.ndim)):
            raise ShapeError(f"transpose: axes {tuple(axes)} are no permutation of the axes of {e.shape}")
        if perm == tuple(range(e.ndim)):
            return e
        if perm == tuple(reversed(range(e.ndim))):
            perm = None  # type: ignore[assignment]
        return _apply("transpose", e, param=perm)
    if e.ndim < 2:
        return e
    return _apply("transpose", e, param=None)


def reshape(x: Any, shape: Any) -> Expr:
    """The same entries in ``shape`` (C order).

    >>> import graphir as gi
    >>> reshape(gi.symbols("v", shape=(6,)), (2, 3)).shape
    (2, 3)
    """
    e = as_expr(x)
    s = as_shape(shape)
    return e if s == e.shape else _apply("reshape", e, param=s)


def broadcast_to(x: Any, shape: Any) -> Expr:
    """``x`` repeated to ``shape`` by NumPy's broadcasting (what the forward pass writes
    when a tangent must grow to its node's shape).

    >>> import graphir as gi
    >>> broadcast_to(gi.symbols("b"), (3,)).shape
    (3,)
    """
    e = as_expr(x)
    s = as_shape(shape)
    return e if s == e.shape else _apply("broadcast_to", e, param=s)


def sum_to(x: Any, shape: Any) -> Expr:
    """``x`` summed over the axes broadcasting added to ``shape`` (what the reverse pass
    writes when an adjoint goes back to a broadcast operand).

    >>> import graphir as gi
    >>> sum_to(gi.symbols("M", shape=(4, 3)), (3,)).shape
    (3,)
    """
    e = as_expr(x)
    s = as_shape(shape)
    return e if s == e.shape else _apply("sum_to", e, param=s)


def logsumexp(x: Any, axis: int | None = None) -> Expr:
    """``log(sum(exp(x), axis))``, computed without overflow (finite at 1000).

    >>> import graphir as gi
    >>> v = gi.symbols("v", shape=(2,))
    >>> float(logsumexp(v).eval(v=[1000.0, 1000.0]))
    1000.6931471805599
    """
    e = as_expr(x)
    ax = normalize_axis("logsumexp", axis, e.shape)
    return e if not e.shape else _apply("logsumexp", e, param=ax)


def softmax(x: Any, axis: int | None = -1) -> Expr:
    """``exp(x) / sum(exp(x), axis)`` without overflow (``axis=None``: over every entry).

    >>> import graphir as gi
    >>> v = gi.symbols("v", shape=(2,))
    >>> softmax(v).eval(v=[1000.0, 1000.0]).tolist()
    [0.5, 0.5]
    """
    e = as_expr(x)
    if not e.shape:
        raise ShapeError("softmax: a scalar has no axis to normalise over (it would be 1)")
    ax = normalize_axis("softmax", axis, e.shape)
    return _apply("softmax", e, param=ax)


def stack(xs: Sequence[Any]) -> Expr:
    """Expressions of one shape stacked along a new first axis (``np.stack``).

    >>> import graphir as gi
    >>> x, y = gi.symbols("x y")
    >>> stack([x, y, x * y]).eval(x=2.0, y=3.0).tolist()
    [2.0, 3.0, 6.0]
    """
    items = list(xs)
    if not items:
        raise ShapeError("stack: nothing to stack")
    return _apply("stack", *items)


def _np_sum(a: Any, axis: Any = None, **kwargs: Any) -> Expr:
    _no_extras("sum", kwargs)
    return sum(a, axis)


def _np_mean(a: Any, axis: Any = None, **kwargs: Any) -> Expr:
    _no_extras("mean", kwargs)
    return mean(a, axis)


def _np_transpose(a: Any, axes: Any = None) -> Expr:
    return transpose(a, axes)


def _no_extras(name: str, kwargs: dict[str, Any]) -> None:
    if kwargs:
        raise TypeError(f"np.{name} on an expression takes only axis, got {', '.join(kwargs)}")


#: NumPy functions that build graph nodes when called on an expression.
NUMPY_FUNCTIONS: dict[Callable[..., Any], Callable[..., Expr]] = {
    np.sum: _np_sum,
    np.mean: _np_mean,
    np.dot: dot,
    np.matmul: matmul,
    np.transpose: _np_transpose,
}
