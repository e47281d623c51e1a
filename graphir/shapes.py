"""Static shapes: the rules that give each node its shape when it is built.

A shape is a tuple of ints, ``()`` for a scalar.  The rules here are what the
array primitives' records call (:mod:`graphir.primitives`); each raises
:class:`~graphir.errors.ShapeError` naming the operation and the shapes when
they do not fit, so a wrong expression fails where it is written, not when it
is evaluated.  Index keys are stored normalised (non-negative ints and
``("slice", start, stop, step)`` tuples), so equal indexing is one node.

>>> broadcast("add", (2, 3), (3,))
(2, 3)
>>> matmul_shape((2, 3), (2,))
Traceback (most recent call last):
...
graphir.errors.ShapeError: matmul: (2, 3) @ (2,): 3 != 2
>>> key = normalize_key(slice(1, None), (4,)); key, index_shape(key, (4,)), key_text(key, (4,))
((('slice', 1, 4, 1),), (3,), '1:')
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .errors import ShapeError

__all__ = [
    "Shape",
    "as_shape",
    "broadcast",
    "matmul_shape",
    "normalize_axis",
    "reduced",
    "kept",
    "normalize_key",
    "index_shape",
    "numpy_key",
    "key_text",
    "can_sum_to",
    "sum_to_value",
    "size",
]

Shape = tuple[int, ...]


def as_shape(shape: Any, what: str = "shape") -> Shape:
    """``shape`` as a tuple of non-negative ints (an int ``n`` is ``(n,)``).

    >>> as_shape(3), as_shape((2, 3)), as_shape(())
    ((3,), (2, 3), ())
    """
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        out = tuple(operator.index(n) for n in shape)
    except TypeError:
        raise TypeError(f"a {what} is a tuple of ints, got {shape!r}") from None
    if any(n < 0 for n in out):
        raise ShapeError(f"a {what} has no negative sizes, got {out}")
    return out


def size(shape: Shape) -> int:
    """Number of entries of an array of ``shape`` (1 for a scalar)."""
    n = 1
    for k in shape:
        n *= k
    return n


def broadcast(op: str, *shapes: Shape, symbol: str = ",") -> Shape:
    """NumPy's broadcast of ``shapes``; ShapeError ``add: (2, 3) + (2,): ...`` when they do not.

    >>> broadcast("mul", (3, 1), (4,))
    (3, 4)
    """
    if all(s == shapes[0] for s in shapes):
        return shapes[0]
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        shown = f" {symbol} ".join(str(s) for s in shapes) if symbol != "," else ", ".join(map(str, shapes))
        raise ShapeError(f"{op}: {shown}: the shapes do not broadcast together") from None


def matmul_shape(a: Shape, b: Shape) -> Shape:
    """The shape of ``A @ B`` for 1-D and 2-D operands (NumPy's meaning).

    >>> matmul_shape((2, 3), (3,)), matmul_shape((3,), (3, 4)), matmul_shape((3,), (3,))
    ((2,), (4,), ())
    """
    if not (1 <= len(a) <= 2 and 1 <= len(b) <= 2):
        raise ShapeError(f"matmul: {a} @ {b}: operands must be vectors or matrices (1-D or 2-D)")
    inner_a, inner_b = a[-1], b[0]
    if inner_a != inner_b:
        raise ShapeError(f"matmul: {a} @ {b}: {inner_a} != {inner_b}")
    return a[:-1] + b[1:]


def normalize_axis(op: str, axis: Any, shape: Shape) -> int | None:
    """``axis`` as a non-negative int (None stays None); ShapeError when out of range."""
    if axis is None:
        return None
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{op}: axis is an int or None, got {axis!r}")
    n = len(shape)
    if not -n <= axis < n:
        raise ShapeError(f"{op}: axis {axis} is out of range for shape {shape}")
    return int(axis) % n


def reduced(shape: Shape, axis: int | None) -> Shape:
    """The shape after reducing ``axis`` (every axis for None)."""
    return () if axis is None else shape[:axis] + shape[axis + 1 :]


def kept(shape: Shape, axis: int | None) -> Shape:
    """The shape after reducing ``axis`` with ``keepdims`` (size 1 where the axis was)."""
    if axis is None:
        return (1,) * len(shape)
    return shape[:axis] + (1,) + shape[axis + 1 :]


def normalize_key(key: Any, shape: Shape) -> tuple[Any, ...]:
    """An index key (ints and basic slices) as a hashable tuple of non-negative ints
    and ``("slice", start, stop, step)``; ShapeError for an int out of range.

    >>> normalize_key((-1, slice(None, -1)), (2, 4))
    (1, ('slice', 0, 3, 1))
    """
    if not isinstance(key, tuple):
        key = (key,)
    if len(key) > len(shape):
        raise ShapeError(f"index: {len(key)} indices for shape {shape}")
    out: list[Any] = []
    for axis, (k, n) in enumerate(zip(key, shape, strict=False)):
        if isinstance(k, slice):
            for part in (k.start, k.stop, k.step):
                if part is not None and (isinstance(part, bool) or not isinstance(part, (int, np.integer))):
                    raise TypeError(f"index: slice bounds are ints, got {k!r}")
            if k.step is not None and k.step <= 0:
                raise ShapeError(f"index: slices with step {k.step} are not supported (steps are positive)")
            out.append(("slice", *k.indices(n)))
        elif isinstance(k, (int, np.integer)) and not isinstance(k, bool):
            if not -n <= k < n:
                raise ShapeError(f"index: {k} is out of range for axis {axis} of shape {shape}")
            out.append(int(k) % n)
        else:
            raise TypeError(f"index: only ints and basic slices index an expression, got {k!r}")
    return tuple(out)


def index_shape(key: tuple[Any, ...], shape: Shape) -> Shape:
    """The shape of ``x[key]`` for a normalised key."""
    out: list[int] = []
    for k in key:
        if isinstance(k, tuple):
            out.append(len(range(k[1], k[2], k[3])))
    return tuple(out) + shape[len(key) :]


def numpy_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    """A normalised key as NumPy indexes it."""
    return tuple(slice(k[1], k[2], k[3]) if isinstance(k, tuple) else k for k in key)


def key_text(key: tuple[Any, ...], shape: Shape) -> str:
    """The shortest text of a normalised key (``1:``, ``:3``, ``0, 2``).

    >>> key_text(normalize_key((0, slice(None, None, 2)), (2, 5)), (2, 5))
    '0, ::2'
    """
    parts = []
    for k, n in zip(key, shape, strict=False):
        if not isinstance(k, tuple):
            parts.append(str(k))
            continue
        _, start, stop, step = k
        text = ("" if start == 0 else str(start)) + ":" + ("" if stop == n else str(stop))
        parts.append(text + ("" if step == 1 else f":{step}"))
    return ", ".join(parts)


def can_sum_to(source: Shape, target: Shape) -> bool:
    """Whether an array of ``source`` sums back to ``target`` (``target`` broadcasts to ``source``)."""
    if len(target) > len(source):
        return False
    lead = len(source) - len(target)
    return all(t in (1, s) for s, t in zip(source[lead:], target, strict=True))


def sum_to_value(x: Any, target: Shape) -> Any:
    """Sum ``x`` over the axes that broadcasting added to reach its shape from ``target``.

    >>> sum_to_value(np.ones((2, 3)), (3,)).tolist(), sum_to_value(np.ones((2, 3)), (2, 1)).tolist()
    ([2.0, 2.0, 2.0], [[3.0], [3.0]])
    """
    x = np.asarray(x)
    lead = x.ndim - len(target)
    if lead:
        x = x.sum(axis=tuple(range(lead)))
    axes = tuple(k for k, t in enumerate(target) if t == 1 and x.shape[k] != 1)
    if axes:
        x = x.sum(axis=axes, keepdims=True)
    return x
