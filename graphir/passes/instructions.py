"""Lowering: a graph of scalars (one output or several) as an instruction table.

The table is what a compiled loop runs (:mod:`graphir.passes.numba_backend`):
one row per operation, ``(opcode, destination, operand, operand)`` in a NumPy
integer array, constants in a float array.  An operand ``>= 0`` is a register,
an operand ``< 0`` is the constant ``consts[-1 - operand]``.  Registers are
reused as soon as their value's last use has run, so a long chain needs few of
them (a block of points per register then stays in cache).  The arguments come
first, in registers ``0 .. len(args) - 1`` (an argument the outputs do not use
has none).  Only the built-in elementwise primitives of :data:`OPCODES` lower;
:func:`lowerable` says whether a graph does.

>>> import graphir as gi
>>> x, y = gi.symbols("x y")
>>> f = gi.sin(x) * y + 2.0
>>> p = lower(f.ir, [f.node], [x.node, y.node])
>>> [OPNAMES[k] for k in p.code[:, 0]], p.consts.tolist(), p.n_regs
(['sin', 'mul', 'add'], [2.0], 2)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from .. import primitives
from ..errors import EvalError

__all__ = ["OPCODES", "OPNAMES", "Program", "NotLowerable", "lower", "lowerable", "run_python"]


class NotLowerable(EvalError):
    """The graph has a node with no instruction (an array, or an op the loops do not know)."""

# The opcode of each primitive the compiled loops know (built-in, elementwise, scalar to scalar).
OPNAMES: tuple[str, ...] = (
    "add", "sub", "mul", "div", "neg", "pow", "sin", "cos", "tan", "asin", "acos", "atan",
    "sinh", "cosh", "tanh", "exp", "log", "sqrt", "abs", "sigmoid", "log1p", "expm1",
    "maximum", "minimum", "sign", "heaviside",
)  # fmt: skip
OPCODES: dict[str, int] = {name: k for k, name in enumerate(OPNAMES)}
_VAR, _CONST, _OTHER, _ARRAY = -2, -3, -1, -4


@dataclass(frozen=True)
class Program:
    """An instruction table.

    ``code`` is an ``(n, 4)`` int64 array of ``(opcode, destination register, operand a,
    operand b)`` (a unary operation repeats ``a`` as ``b``); ``consts`` the constants;
    ``n_regs`` the number of registers; ``arg_regs[k]`` the register of argument ``k``
    (``-1`` when unused); ``outputs`` the operand holding each output; :attr:`depends`,
    computed when first read, the argument sets of the outputs.
    """

    code: np.ndarray
    consts: np.ndarray
    n_regs: int
    arg_regs: np.ndarray
    outputs: np.ndarray

    @cached_property
    def depends(self) -> tuple[int, ...]:
        """``depends[k]``: the bit set of the arguments output ``k`` depends on (bit ``j`` for
        argument ``j``), followed through the table (registers are reused in table order)."""
        regs: list[int] = [0] * self.n_regs
        for k, r in enumerate(self.arg_regs.tolist()):
            if r >= 0:
                regs[r] |= 1 << k
        for _, dest, a, b in self.code.tolist():
            regs[dest] = (regs[a] if a >= 0 else 0) | (regs[b] if b >= 0 else 0)
        return tuple(regs[o] if o >= 0 else 0 for o in self.outputs.tolist())


def lowerable(graph: Any, order: list[int]) -> str | None:
    """``None`` when every node of ``order`` lowers, else why not (the first op that does not).

    >>> import graphir as gi
    >>> W = gi.symbols("W", shape=(2, 2))
    >>> lowerable(W.ir, [W.node])
    'variable W is an array (shape (2, 2))'
    """
    ops, shapes = graph.ops, graph.shapes
    for i in order:
        op = ops[i]
        if shapes[i]:
            what = f"variable {graph.params[i]}" if op == "var" else f"{op} (node {i})"
            return f"{what} is an array (shape {shapes[i]})"
        if op in ("var", "const"):
            continue
        record = primitives.get(op)
        if op not in OPCODES or record.user or not record.elementwise:
            return f"{op} has no compiled instruction"
    return None


def _columns(graph: Any, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nodes ``0 .. m - 1`` of ``graph`` as integer columns: the opcode of each (or ``_VAR``,
    ``_CONST``, ``_OTHER``, ``_ARRAY``) and the operands, as offsets into one flat array."""
    table: dict[str, int] = {"var": _VAR, "const": _CONST}
    for name in OPNAMES:
        record = primitives.get(name)
        if not record.user and record.elementwise:
            table[name] = OPCODES[name]
    opc = np.fromiter(map(table.get, itertools.islice(graph.ops, m), itertools.repeat(_OTHER)), np.int64, m)
    shaped = np.fromiter(map(bool, itertools.islice(graph.shapes, m)), np.bool_, m)
    opc[shaped] = _ARRAY
    start = np.zeros(m + 1, np.int64)
    np.cumsum(np.fromiter(map(len, itertools.islice(graph.args, m)), np.int64, m), out=start[1:])
    operands = itertools.chain.from_iterable(itertools.islice(graph.args, m))
    flat = np.fromiter(operands, np.int64, int(start[-1]))
    return opc, start, flat


def _square_by_product(graph: Any, opc: np.ndarray, start: np.ndarray, flat: np.ndarray) -> None:
    """``pow(x, 2.0)`` (a constant exponent) rewritten in the columns as ``mul(x, x)``, where NumPy's
    ``power`` computes it so (calibrated: :func:`graphir.passes.scalar_code.scalar_forms`)."""
    pows = np.flatnonzero(opc == OPCODES["pow"])
    if not len(pows):
        return
    exponents = flat[start[pows] + 1]
    pows, exponents = pows[opc[exponents] == _CONST], exponents[opc[exponents] == _CONST]
    params = graph.params
    twos = [i for i, c in zip(pows.tolist(), exponents.tolist(), strict=True) if float(params[c]) == 2.0]
    if not twos:
        return
    from .scalar_code import scalar_forms

    if scalar_forms()[1].get(2.0) == "{0} * {0}":
        opc[twos] = OPCODES["mul"]
        flat[start[twos] + 1] = flat[start[twos]]


def lower(graph: Any, roots: list[int], arg_ids: list[int]) -> Program:
    """The instruction table computing ``roots`` from the variables ``arg_ids`` (an id that
    is not a variable, say -1, is an argument the outputs do not use).  The graph must be
    :func:`lowerable`; a variable not among ``arg_ids`` is an :class:`EvalError`.

    The nodes run in id order (ids are a topological order); the graph is read as integer
    columns and the registers are allocated by a compiled loop
    (:func:`graphir.passes.numba_kernels.lower_table`; plain Python without numba).
    """
    from . import numba_kernels

    m = max(roots, default=-1) + 1
    opc, start, flat = _columns(graph, m)
    _square_by_product(graph, opc, start, flat)
    columns = [opc, start, flat, np.array(roots, np.int64), np.array(arg_ids, np.int64)]
    kernel = numba_kernels.lower_table
    if not numba_kernels.AVAILABLE:  # plain Python runs faster on lists than on arrays
        kernel = getattr(kernel, "py_func", kernel)
        columns = [c.tolist() for c in columns]
    status, node, code, n_regs, arg_regs, outputs, const_nodes = kernel(*columns)
    if status == 1:
        raise NotLowerable(f"cannot lower to instructions: {lowerable(graph, [node])}")
    if status == 2:
        raise EvalError(f"the expression depends on {graph.params[node]!r}, which is not among the arguments")
    params = graph.params
    return Program(
        code=code,
        consts=np.array([float(params[i]) for i in const_nodes.tolist()], dtype=np.float64),
        n_regs=max(int(n_regs), 1),
        arg_regs=arg_regs,
        outputs=outputs,
    )


def run_python(program: Program, values: list[float]) -> list[float]:
    """The table run by a plain Python loop with the primitives' NumPy functions (a
    reference for the compiled loops, and a readable statement of what the table means).

    >>> import graphir as gi
    >>> x, = gi.symbols("x,")
    >>> f = x * x + 1.0
    >>> [float(v) for v in run_python(lower(f.ir, [f.node], [x.node]), [3.0])]
    [10.0]
    """
    regs: list[Any] = [0.0] * program.n_regs
    for k, r in enumerate(program.arg_regs):
        if r >= 0:
            regs[r] = np.float64(values[k])
    consts = program.consts

    def get(operand: int) -> Any:
        return regs[operand] if operand >= 0 else consts[-1 - operand]

    impls = [primitives.get(name).numpy for name in OPNAMES]
    for op, dest, a, b in program.code.tolist():
        f = impls[op]
        regs[dest] = f(get(a)) if primitives.get(OPNAMES[op]).arity == 1 else f(get(a), get(b))
    return [get(int(o)) for o in program.outputs]
