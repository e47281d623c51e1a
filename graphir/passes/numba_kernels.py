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

__all__ = ["AVAILABLE", "apply_op", "run_scalar", "run_block", "lower_table"]


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
def run_scalar(code: Any, consts: Any, regs: Any, stop: bool = False) -> bool:
    """Run the table on one point: ``regs`` holds the arguments in their registers.  With
    ``stop``, stop at the first result that is nan or inf and return False (else True)."""
    for k in range(code.shape[0]):
        a = code[k, 2]
        b = code[k, 3]
        x = regs[a] if a >= 0 else consts[-1 - a]
        y = regs[b] if b >= 0 else consts[-1 - b]
        v = apply_op(code[k, 0], x, y)
        if stop and not math.isfinite(v):
            return False
        regs[code[k, 1]] = v
    return True


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


@_jit()
def lower_table(opc: Any, start: Any, flat: Any, roots: Any, arg_nodes: Any) -> Any:  # noqa: C901
    """The register allocation of :func:`graphir.passes.instructions.lower`, over integer columns.

    Node ``i`` (of the nodes ``0 .. len(opc) - 1``) has the opcode ``opc[i]`` (``-2`` a
    variable, ``-3`` a constant, ``-1`` an op with no instruction, ``-4`` an array) and the
    operands ``flat[start[i]:start[i + 1]]``.  The nodes the ``roots`` depend on run in id
    order (a topological order); a register is freed at its value's last use.  Returns
    ``(status, node, code, n_regs, arg_regs, outputs, const_nodes)``: status 0 when done,
    1 when ``node`` does not lower, 2 when the variable ``node`` is not among ``arg_nodes``.
    """
    m = len(opc)
    live = np.zeros(m, np.bool_)
    for r in roots:
        live[r] = True
    n_ops = 0
    for i in range(m - 1, -1, -1):
        if live[i]:
            for s in range(start[i], start[i + 1]):
                live[flat[s]] = True
            if opc[i] >= 0:
                n_ops += 1
    empty = np.zeros((0, 4), np.int64)
    for i in range(m):
        if live[i] and (opc[i] == -1 or opc[i] == -4):
            return 1, i, empty, 0, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    uses = np.zeros(m, np.int64)
    for i in range(m):
        if live[i] and opc[i] >= 0:
            for s in range(start[i], start[i + 1]):
                uses[flat[s]] += 1
    for r in roots:
        uses[r] = 1 << 62
    where = np.full(m, -(1 << 62), np.int64)  # node -> operand; unset below -len(consts)
    arg_regs = np.full(len(arg_nodes), -1, np.int64)
    n_regs = 0
    for k in range(len(arg_nodes)):
        a = arg_nodes[k]
        if 0 <= a < m and live[a] and opc[a] == -2:
            if where[a] < 0:
                where[a] = n_regs
                n_regs += 1
            arg_regs[k] = where[a]
    free = np.zeros(m + 1, np.int64)
    n_free = 0
    code = np.zeros((n_ops, 4), np.int64)
    const_nodes = np.zeros(m, np.int64)
    n_consts = 0
    row = 0
    for i in range(m):
        if not live[i]:
            continue
        op = opc[i]
        if op == -2:
            if where[i] < 0:
                return 2, i, empty, 0, arg_regs, np.zeros(0, np.int64), const_nodes[:0]
            continue
        if op == -3:
            where[i] = -1 - n_consts
            const_nodes[n_consts] = i
            n_consts += 1
            continue
        s0 = start[i]
        s1 = start[i + 1]
        for s in range(s0, s1):
            a = flat[s]
            uses[a] -= 1
            if uses[a] == 0 and where[a] >= 0:
                free[n_free] = where[a]
                n_free += 1
        if n_free > 0:
            n_free -= 1
            dest = free[n_free]
        else:
            dest = n_regs
            n_regs += 1
        code[row, 0] = op
        code[row, 1] = dest
        code[row, 2] = where[flat[s0]]
        code[row, 3] = where[flat[s1 - 1]]
        where[i] = dest
        row += 1
    outputs = np.zeros(len(roots), np.int64)
    for k in range(len(roots)):
        outputs[k] = where[roots[k]]
    return 0, -1, code, n_regs, arg_regs, outputs, const_nodes[:n_consts]

