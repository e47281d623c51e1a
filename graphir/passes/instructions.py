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

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import primitives
from ..errors import EvalError
from ..traversal import postorder

__all__ = ["OPCODES", "OPNAMES", "Program", "lower", "lowerable", "run_python"]

# The opcode of each primitive the compiled loops know (built-in, elementwise, scalar to scalar).
OPNAMES: tuple[str, ...] = (
    "add", "sub", "mul", "div", "neg", "pow", "sin", "cos", "tan", "asin", "acos", "atan",
    "sinh", "cosh", "tanh", "exp", "log", "sqrt", "abs", "sigmoid", "log1p", "expm1",
    "maximum", "minimum", "sign", "heaviside",
)  # fmt: skip
OPCODES: dict[str, int] = {name: k for k, name in enumerate(OPNAMES)}


@dataclass(frozen=True)
class Program:
    """An instruction table.

    ``code`` is an ``(n, 4)`` int64 array of ``(opcode, destination register, operand a,
    operand b)`` (a unary operation repeats ``a`` as ``b``); ``consts`` the constants;
    ``n_regs`` the number of registers; ``arg_regs[k]`` the register of argument ``k``
    (``-1`` when unused); ``outputs`` the operand holding each output; ``depends[k]``
    the bit set of the arguments output ``k`` depends on (bit ``j`` for argument ``j``).
    """

    code: np.ndarray
    consts: np.ndarray
    n_regs: int
    arg_regs: np.ndarray
    outputs: np.ndarray
    depends: tuple[int, ...]


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


def _uses(args: list, order: list[int], roots: list[int]) -> dict[int, int]:
    """Number of operand slots reading each node (a root counts as never dying)."""
    uses: dict[int, int] = {}
    for i in order:
        for a in args[i]:
            uses[a] = uses.get(a, 0) + 1
    for r in roots:
        uses[r] = 1 << 62
    return uses


def lower(graph: Any, roots: list[int], arg_ids: list[int]) -> Program:
    """The instruction table computing ``roots`` from the variables ``arg_ids`` (an id that
    is not a variable, say -1, is an argument the outputs do not use).  The graph must be
    :func:`lowerable`; a variable not among ``arg_ids`` is an :class:`EvalError`."""
    ops, args, params = graph.ops, graph.args, graph.params
    order = postorder(graph, roots)
    problem = lowerable(graph, order)
    if problem is not None:
        raise EvalError(f"cannot lower to instructions: {problem}")
    uses = _uses(args, order, roots)
    where: dict[int, int] = {}  # node -> operand
    depends: dict[int, int] = {}
    arg_regs = []
    n_regs = 0
    for k, a in enumerate(arg_ids):
        if a >= 0 and ops[a] == "var" and a not in where and a in uses:
            where[a], n_regs = n_regs, n_regs + 1
            depends[a] = 1 << k
        arg_regs.append(where.get(a, -1) if a >= 0 and a in uses else -1)
    free: list[int] = []
    consts: list[float] = []
    code: list[tuple[int, int, int, int]] = []
    for i in order:
        op = ops[i]
        if op == "var":
            if i not in where:
                raise EvalError(f"the expression depends on {params[i]!r}, which is not among the arguments")
            continue
        if op == "const":
            where[i] = -1 - len(consts)
            consts.append(float(params[i]))
            depends[i] = 0
            continue
        operands = [where[a] for a in args[i]]
        dep = 0
        for a in args[i]:
            dep |= depends[a]
            uses[a] -= 1
            if uses[a] == 0 and where[a] >= 0:
                free.append(where[a])
        if free:
            dest = free.pop()
        else:
            dest, n_regs = n_regs, n_regs + 1
        where[i], depends[i] = dest, dep
        code.append((OPCODES[op], dest, operands[0], operands[-1]))
    table = np.array(code, dtype=np.int64).reshape(len(code), 4)
    return Program(
        code=table,
        consts=np.array(consts, dtype=np.float64),
        n_regs=max(n_regs, 1),
        arg_regs=np.array(arg_regs, dtype=np.int64),
        outputs=np.array([where[r] for r in roots], dtype=np.int64),
        depends=tuple(depends[r] for r in roots),
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
