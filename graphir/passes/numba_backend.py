"""The numba backend of :func:`graphir.lambdify`: an instruction table run by a compiled loop.

The outputs are lowered once (:func:`graphir.passes.instructions.lower`) to an
integer table; the loops of :mod:`graphir.passes.numba_kernels`, compiled by
numba once per machine (cached on disk), run it: on one point in registers,
or on arrays of points ``block`` at a time (each register a row of a block, so
intermediates stay in cache).  No Python source is written per node.

What it takes: expressions of scalars built from the built-in elementwise
primitives, real (float) inputs.  Anything else (array variables, ``matmul``,
``sum``..., a user's primitive, complex or integer-typed input) runs on the
NumPy backend, the reference; ``f.backend`` says which one a compiled function
uses.  An output that comes out nan or inf is recomputed by the NumPy backend,
so such values, and the warnings naming their cause, are the reference's.

Values: ``+ - * /``, ``neg``, ``abs``, ``sqrt``, ``maximum``, ``minimum``, ``sign``,
``heaviside`` are exact, so equal to NumPy's bit for bit; the other functions
(``exp``, ``log``, ``sin``, ``pow``...) come from the C library where NumPy uses its
own vectorised versions, so they may differ in the last bit (tests allow 4 ulp).

``backend=None`` uses the table (:func:`default_numba`) for big graphs of scalars called
with numbers when every op of the graph gives NumPy's bits here (:func:`exact_opcodes`),
so the default stays bit for bit the reference's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..arguments import as_value
from ..errors import ArgumentError, EvalError
from .instructions import NotLowerable, Program, lower

__all__ = [
    "lambdify_numba", "default_numba", "exact_opcodes", "INSTALL_HINT", "DEFAULT_BLOCK", "DEFAULT_MIN_OPS",
    "DEFAULT_MIN_OPS_LOADED",
]

INSTALL_HINT = "backend='numba' needs numba: pip install 'graphir[fast]' (or pip install numba)"
# Points per block: 8192 float64 per register row fits the L2 cache of these machines with the
# registers a gradient of tens of operations needs (benchmarks/bench_backends.py).
DEFAULT_BLOCK = 8192


def _kernels() -> Any:
    from . import numba_kernels

    if not numba_kernels.AVAILABLE:
        raise ArgumentError(INSTALL_HINT)
    return numba_kernels


def run_points(program: Program, values: list[Any], block: int, kernels: Any) -> list[Any]:
    """The outputs of ``program`` at float64 ``values`` (numbers or arrays that broadcast
    together): arrays where an output depends on an array, float64 numbers elsewhere."""
    arrays = [k for k, v in enumerate(values) if np.ndim(v)]
    if not arrays:
        regs = np.empty(program.n_regs)
        for k, r in enumerate(program.arg_regs):
            if r >= 0:
                regs[r] = values[k]
        kernels.run_scalar(program.code, program.consts, regs)
        return [regs[o] if o >= 0 else program.consts[-1 - o] for o in program.outputs]
    try:
        shape = np.broadcast_shapes(*(np.shape(values[k]) for k in arrays))
    except ValueError as exc:
        raise EvalError(f"the compiled function cannot take these arguments: {exc}") from None
    size = int(np.prod(shape))
    flat = [np.broadcast_to(v, shape).reshape(-1) if np.ndim(v) else v for v in values]
    block = max(1, min(block, size))
    regs = np.empty((program.n_regs, block))
    array_mask = sum(1 << k for k in arrays)
    wide = [bool(d & array_mask) for d in program.depends]
    outs: list[Any] = [np.empty(size) if w else None for w in wide]
    for start in range(0, size, block):
        n = min(block, size - start)
        for k, r in enumerate(program.arg_regs):
            if r >= 0:
                regs[r, :n] = flat[k][start : start + n] if np.ndim(flat[k]) else flat[k]
        kernels.run_block(program.code, program.consts, regs, n)
        for m, o in enumerate(program.outputs):
            if wide[m]:
                outs[m][start : start + n] = regs[o, :n] if o >= 0 else program.consts[-1 - o]
            elif start == 0:
                outs[m] = np.float64(regs[o, 0] if o >= 0 else program.consts[-1 - o])
    return [
        _narrow(o.reshape(shape), [values[k] for k in arrays if program.depends[m] >> k & 1])
        if wide[m] else o
        for m, o in enumerate(outs)
    ]


def _narrow(out: np.ndarray, used: list[Any]) -> np.ndarray:
    """``out`` (of the shape of all the arrays) cut to the shape of the arrays ``used`` that
    it depends on, as NumPy broadcasting gives it (a copy when cut)."""
    shape = np.broadcast_shapes(*(np.shape(v) for v in used))
    if shape == out.shape:
        return out
    lead = out.ndim - len(shape)
    key = (0,) * lead + tuple(slice(0, 1) if n == 1 else slice(None) for n in shape)
    return out[key].copy()


def _finite(outputs: list[Any]) -> bool:
    return all(np.isfinite(o).all() for o in outputs)


def _lazy_reference(exprs: Any, args: Sequence[Any] | Any, block: int) -> Callable[..., Any]:
    """The NumPy backend's function, compiled at its first call only (it costs more than the table)."""
    from .compile import lambdify_numpy

    made: list[Callable[..., Any]] = []

    def reference(*xs: Any) -> Any:
        if not made:
            made.append(lambdify_numpy(exprs, args, block=block))
        return made[0](*xs)

    return reference


def lambdify_numba(exprs: Any, args: Sequence[Any] | Any, *, block: int | None = None) -> Callable[..., Any]:
    """:func:`graphir.lambdify` with ``backend="numba"`` (see the module's docstring).

    >>> import graphir as gi
    >>> x, y = gi.symbols("x y")
    >>> f = gi.lambdify([x * y, gi.sqrt(x)], [x, y], backend="numba")  # doctest: +SKIP
    >>> [float(v) for v in f(4.0, 3.0)], f.backend  # doctest: +SKIP
    ([12.0, 2.0], 'numba')
    """
    from .compile import lambdify_numpy, read_arguments

    kernels = _kernels()
    outs, single, names, graph, roots, found = read_arguments(exprs, args)
    try:
        program = lower(graph, roots, [-1 if i is None else i for i in found])
    except NotLowerable:
        fallback = lambdify_numpy(exprs, args, block=block)
        fallback.backend = "numpy"  # type: ignore[attr-defined]
        return fallback
    block = DEFAULT_BLOCK if not block else block
    reference = _lazy_reference(exprs, args, block)

    def f(*xs: Any) -> Any:
        if len(xs) != len(names):
            raise TypeError(f"the compiled function takes {len(names)} argument(s), got {len(xs)}")
        values = [v if type(v) is float else as_value(names[k], v) for k, v in enumerate(xs)]
        if not all(np.asarray(v).dtype == np.float64 for v in values):
            return reference(*xs)  # complex (or other) numbers: the reference
        got = run_points(program, values, block, kernels)
        if not _finite(got):
            return reference(*xs)  # nan and inf, with their warnings, as the reference gives them
        return got[0] if single else got

    f.__doc__ = f"Compiled from graphir (numba backend); arguments ({', '.join(names)})."
    f.program = program  # type: ignore[attr-defined]
    f.backend = "numba"  # type: ignore[attr-defined]
    return f


# backend=None picks the instruction table for graphs of at least this many operations, called with
# numbers: the first time in a process (numba's import, its loops loaded from the disk cache and the
# calibration of exact_opcodes cost about 0.6 s, what compile() takes on the Python source of some
# 50k operations), then from DEFAULT_MIN_OPS_LOADED on (the table is lowered in about 1 us an
# operation where the Python source takes 10-30 us, and its calls are quicker).  Measured with
# benchmarks/bench_compile.py; both paths give the same bits, so the choice changes only the speed.
DEFAULT_MIN_OPS = 50_000
DEFAULT_MIN_OPS_LOADED = 2_000
# The ops whose numba form may give NumPy's bits (checked by :func:`exact_opcodes` on this machine).
_CANDIDATES = frozenset(
    {"add", "sub", "mul", "div", "neg", "abs", "sqrt", "maximum", "minimum", "sign", "heaviside", "sin",
     "cos", "pow"}
)
_EXACT: list[frozenset[int]] = []
_is_float = float.__instancecheck__


def exact_opcodes() -> frozenset[int]:
    """The opcodes whose compiled loop gives NumPy's value, bit for bit, at every point of the
    sample the python backend is calibrated on (:func:`graphir.passes.scalar_code._sample`),
    and nan or inf exactly where NumPy does.  Computed once per process (numba's functions
    come from the C library, NumPy's from its own vectorised code: they agree on some machines
    and ops only).  ``pow`` is checked as ``x ** 2.0`` only (the table writes it ``x * x``).
    """
    if _EXACT:
        return _EXACT[0]
    from .. import primitives
    from .instructions import OPCODES
    from .scalar_code import _sample

    kernels = _kernels()
    exact = set()
    for name in sorted(_CANDIDATES - {"pow"}):
        points = _sample(name)
        n = points[0].size
        regs = np.empty((3, n))
        regs[0], regs[1] = points[0], points[-1]
        kernels.run_block(np.array([[OPCODES[name], 2, 0, 1]], np.int64), np.zeros(0), regs, n)
        with np.errstate(all="ignore"):
            want = np.asarray(primitives.get(name).numpy(*points), dtype=np.float64)
        got = regs[2]
        finite = np.isfinite(want)
        if np.array_equal(finite, np.isfinite(got)) and np.array_equal(
            got[finite].view(np.int64), want[finite].view(np.int64)
        ):
            exact.add(OPCODES[name])
    _EXACT.append(frozenset(exact))
    return _EXACT[0]


def default_numba(
    exprs: Any, args: Sequence[Any] | Any, read: tuple, block: int
) -> Callable[..., Any] | None:
    """What ``backend=None`` compiles for a big graph of scalars when numba is installed: the
    instruction table for numbers, the NumPy backend for anything else; None where the graph
    is small, does not lower, or has an op whose compiled form is not NumPy's bit for bit
    (:func:`exact_opcodes`).  Like the python backend: numbers in, Python floats out, and
    inputs or intermediate values that are nan or inf go to the NumPy backend (its values and
    warnings)."""
    _, single, names, graph, roots, found = read
    least = DEFAULT_MIN_OPS_LOADED if _EXACT else DEFAULT_MIN_OPS
    m = max(roots, default=-1) + 1
    if m < least or not set(graph.ops[:m]) <= _CANDIDATES | {"var", "const"}:
        return None  # before importing numba and lowering: most graphs that do not qualify stop here
    from . import numba_kernels

    if not numba_kernels.AVAILABLE:
        return None
    try:
        program = lower(graph, roots, [-1 if i is None else i for i in found])
    except NotLowerable:
        return None
    exact = exact_opcodes()
    kinds = np.unique(program.code[:, 0]).tolist()
    if len(program.code) < least or not all(op in exact for op in kinds):
        return None
    return _scalar_function(exprs, args, program, (names, single), block)


def _scalar_function(
    exprs: Any, args: Sequence[Any] | Any, program: Program, named: tuple[list[str], bool], block: int
) -> Callable[..., Any]:
    """The function of :func:`default_numba` running ``program`` (``named``: the argument names,
    and whether one expression was given alone)."""
    from .compile import _as_float

    kernels = _kernels()
    names, single = named
    code, consts, n_regs = program.code, program.consts, program.n_regs
    used = program.arg_regs >= 0
    arg_regs = program.arg_regs[used]
    outputs = program.outputs
    from_regs = outputs >= 0
    out_regs = np.where(from_regs, outputs, 0)
    out_consts = consts[np.where(from_regs, 0, -1 - outputs)] if len(consts) else np.zeros(len(outputs))
    spare: list[np.ndarray] = []  # register files of finished calls
    reference = _lazy_reference(exprs, args, block)

    def f(*xs: Any) -> Any:
        if len(xs) != len(names):
            raise TypeError(f"the compiled function takes {len(names)} argument(s), got {len(xs)}")
        if all(map(_is_float, xs)):
            given = np.fromiter(xs, np.float64, len(xs))
        else:
            values = [_as_float(v) for v in xs]
            if None in values:
                return reference(*xs)  # arrays, complex numbers...: the NumPy backend
            given = np.array(values, dtype=np.float64)
        if not np.isfinite(given).all():
            return reference(*xs)
        regs = spare.pop() if spare else np.empty(n_regs)  # pop and append: safe between threads
        regs[arg_regs] = given[used]
        ok = kernels.run_scalar(code, consts, regs, True)
        got = np.where(from_regs, regs[out_regs], out_consts).tolist() if ok else None
        spare.append(regs)
        if got is None:
            return reference(*xs)  # nan and inf, with their warnings, as the reference gives them
        return got[0] if single else got

    f.__doc__ = f"Compiled from graphir (instruction table, numba); arguments ({', '.join(names)})."
    f.program = program  # type: ignore[attr-defined]
    f.backend = "numba"  # type: ignore[attr-defined]
    f.source = None  # type: ignore[attr-defined]
    return f
