"""The compiled loops that run an instruction table (:mod:`graphir.passes.instructions`).

Written as plain Python over NumPy arrays and compiled with numba when it is
installed (``pip install graphir[fast]``); :data:`AVAILABLE` says whether it is.
Without numba the functions stay plain Python (correct, slow: the tests use them
only to check the table).  ``error_model="numpy"`` makes a division by zero give
inf or nan, as NumPy does, instead of raising.

Each operation is written to give NumPy's value: ``maximum``/``minimum`` keep
NumPy's choice between ``0.0`` and ``-0.0`` and propagate nan, ``sigmoid`` is
the same two-branch formula as the registry's, ``heaviside(0) = 0.5``.

>>> import numpy as np
>>> float(apply_op(0, 2.0, 3.0))  # opcode 0 is add
5.0
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

try:  # an optional extra: graphir[fast]
    import numba

    AVAILABLE = True
except ImportError:  # pragma: no cover - depends on the environment
    numba = None
    AVAILABLE = False

__all__ = ["AVAILABLE", "apply_op", "run_scalar", "run_block"]


def _jit(**options: Any) -> Any:
    if numba is None:
        return lambda f: f
    return numba.njit(cache=True, error_model="numpy", nogil=True, **options)


@_jit(inline="always")
def _sigmoid(x: float) -> float:
    if x >= 0.0:
        e = math.exp(-x)
        return 1.0 / (1.0 + e)
    e = math.exp(x)
    return e / (1.0 + e)


@_jit(inline="always")
def _sign(x: float) -> float:
    if x > 0.0:
        return 1.0
    if x < 0.0:
        return -1.0
    if x == 0.0:
        return 0.0
    return x  # nan


@_jit(inline="always")
def _heaviside(x: float) -> float:
    if x > 0.0:
        return 1.0
    if x < 0.0:
        return 0.0
    if x == 0.0:
        return 0.5
    return x  # nan


@_jit(inline="always")
def _unary(op: int, x: float) -> float:  # noqa: C901 - one branch per opcode, on purpose
    # The opcodes of instructions.OPNAMES, in order.
    if op == 4:
        return -x
    if op == 6:
        return math.sin(x)
    if op == 7:
        return math.cos(x)
    if op == 8:
        return math.tan(x)
    if op == 9:
        return math.asin(x) if -1.0 <= x <= 1.0 else math.nan
    if op == 10:
        return math.acos(x) if -1.0 <= x <= 1.0 else math.nan
    if op == 11:
        return math.atan(x)
    if op == 12:
        return math.sinh(x)
    if op == 13:
        return math.cosh(x)
    if op == 14:
        return math.tanh(x)
    if op == 15:
        return math.exp(x)
    if op == 16:
        return np.log(x)
    if op == 17:
        return np.sqrt(x)
    if op == 18:
        return abs(x)
    if op == 19:
        return _sigmoid(x)
    if op == 20:
        return np.log1p(x)
    if op == 21:
        return math.expm1(x)
    if op == 24:
        return _sign(x)
    return _heaviside(x)


@_jit(inline="always")
def apply_op(op: int, x: float, y: float) -> float:
    """The value of operation ``op`` (an opcode) on ``x`` (and ``y`` when binary)."""
    if op == 0:
        return x + y
    if op == 1:
        return x - y
    if op == 2:
        return x * y
    if op == 3:
        return x / y
    if op == 5:
        return x**y
    if op == 22:
        return x if (x > y or x != x) else y
    if op == 23:
        return x if (x < y or x != x) else y
    return _unary(op, x)


@_jit()
def run_scalar(code: Any, consts: Any, regs: Any) -> None:
    """Run the table on one point: ``regs`` holds the arguments in their registers."""
    for k in range(code.shape[0]):
        a = code[k, 2]
        b = code[k, 3]
        x = regs[a] if a >= 0 else consts[-1 - a]
        y = regs[b] if b >= 0 else consts[-1 - b]
        regs[code[k, 1]] = apply_op(code[k, 0], x, y)


@_jit()
def run_block(code: Any, consts: Any, regs: Any, n: int) -> None:
    """Run the table on the first ``n`` points of a block: ``regs`` is ``(registers, block)``
    with the arguments' points in their rows."""
    for k in range(code.shape[0]):
        op = code[k, 0]
        out = regs[code[k, 1]]
        a = code[k, 2]
        b = code[k, 3]
        if a >= 0 and b >= 0:
            xs = regs[a]
            ys = regs[b]
            for j in range(n):
                out[j] = apply_op(op, xs[j], ys[j])
        elif a >= 0:
            xs = regs[a]
            y = consts[-1 - b]
            for j in range(n):
                out[j] = apply_op(op, xs[j], y)
        elif b >= 0:
            x = consts[-1 - a]
            ys = regs[b]
            for j in range(n):
                out[j] = apply_op(op, x, ys[j])
        else:
            v = apply_op(op, consts[-1 - a], consts[-1 - b])
            for j in range(n):
                out[j] = v
