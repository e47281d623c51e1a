"""Compilation: the graph as one straight-line NumPy function.

The generated source is written only from the graph's own node ids and the
registry's op names (never from user text): ``v7 = op_log(a0)``.  An op name
that is not plain ASCII (a name registered by hand into the table) is written
as ``op3`` instead: Python reads identifiers after NFKC normalisation, so
``op_ｓｉｎ`` would *be* ``op_sin`` and call another function.  Each shared
subexpression is computed once, in depth-first order
(:func:`~graphir.traversal.postorder`), and each intermediate array is dropped
(``del v7``) after its last use, as hand-written NumPy code does.  Constants are
bound by reference, so they are exact.

>>> import graphir as gi
>>> x, y = gi.symbols("x y")
>>> f = lambdify([x * y, x + y], [x, y])
>>> [float(v) for v in f(2.0, 3.0)]
[6.0, 5.0]
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import primitives
from ..arguments import as_value, real_only_uses, variable_name
from ..build import Expr, expr_list, lift
from ..errors import ArgumentError, EvalError
from ..shapes import numpy_key
from ..traversal import postorder
from .blocked import out_kernel
from .evaluate import check_shapes
from .scalar_code import Fallback, direct_function, python_backend, supports

__all__ = [
    "lambdify", "lambdify_numpy", "generate_source", "BACKENDS", "WHOLE_BACKENDS", "numpy_backend", "BLOCK",
]

# Arrays of at least 4 blocks of points are evaluated block by block (intermediates stay in
# cache): measured in benchmarks/bench_backends.py.
BLOCK = 16384
# From this many nodes, when the python backend runs numbers, the NumPy source (the fall-back's)
# is written at its first use only, and ``f.source`` is the python backend's source.
LAZY_SOURCE_NODES = 50_000

_ASCII_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*\Z")
# Not an identifier, so no primitive's name: written as op<k> in the source.
_SCATTER_ADD = "scatter add"


def _hoisted(graph: Any, order: list[int], roots: list[int]) -> dict[int, Any]:
    """The values of the operation nodes of ``order`` that depend on no variable, computed
    once by the same NumPy call the function would make (so the same values), for an
    array graph only; a node whose value warns, or a root, is left to run time."""
    ops, args, params = graph.ops, graph.args, graph.params
    if not any(graph.shapes[i] for i in order):
        return {}
    known: dict[int, Any] = {}
    out: dict[int, Any] = {}
    keep = set(roots)
    for i in order:
        op = ops[i]
        if op in ("const", "data"):
            known[i] = params[i] if op == "const" else params[i].array
        elif op != "var" and i not in keep and all(a in known for a in args[i]):
            record = primitives.get(op)
            operands = [known[a] for a in args[i]] + ([params[i]] if record.has_param else [])
            try:
                with np.errstate(all="raise"), warnings.catch_warnings():
                    warnings.simplefilter("error")
                    value = record.numpy(*operands)
            except (ArithmeticError, ValueError, TypeError, Warning):
                continue
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
            known[i] = out[i] = value
    return out


def _scatter_add(out: Any, g: Any, param: Any) -> Any:
    """``out + unindex(g, param)`` computed in place in ``out`` (a fresh array)."""
    kind = np.result_type(out, g)
    if kind != out.dtype:
        out = out.astype(kind)
    out[numpy_key(param[0])] += g
    return out


def _plan(graph: Any, order: list[int], roots: list[int], hoisted: dict[int, Any]) -> dict[int, tuple]:
    """Rewrites of single-use operands that keep every value: ``a + (-b)`` is computed as
    ``a - b`` and ``unindex(g) + unindex(h)`` as ``h`` added in place into ``unindex(g)``.
    Maps a node to ``(function, operand ids, param)``; its absorbed operand is left out."""
    ops, args, params = graph.ops, graph.args, graph.params
    if not any(graph.shapes[i] for i in order):
        return {}  # scalar graphs compile as they read
    uses: dict[int, int] = {}
    for i in order:
        for a in args[i]:
            uses[a] = uses.get(a, 0) + 1
    for r in roots:
        uses[r] = uses.get(r, 0) + 1

    def single(a: int, op: str) -> bool:
        return ops[a] == op and uses[a] == 1 and a not in hoisted

    plan: dict[int, tuple] = {}
    for i in order:
        if ops[i] != "add" or i in hoisted:
            continue
        a, b = args[i]
        if single(b, "neg"):
            plan[i] = ("sub", (a, args[b][0]), None, b)
        elif single(a, "neg"):
            plan[i] = ("sub", (b, args[a][0]), None, a)
        elif (
            single(a, "unindex") and single(b, "unindex") and a != b
            and params[a][1] == params[b][1] == graph.shapes[i]
        ):
            plan[i] = (_SCATTER_ADD, (a, args[b][0]), params[b], b)
    return plan


def _dying(steps: list[tuple], ref: dict[int, str], roots: list[int]) -> dict[int, list[int]]:
    """Liveness of the lines ``steps``: node -> the intermediates whose last use it is."""
    last: dict[int, int] = {}
    for i, _, operands, _, _ in steps:
        for a in operands:
            last[a] = i
    dying: dict[int, list[int]] = {}
    kept = set(roots)
    for a, i in last.items():
        if ref[a].startswith("v") and a not in kept:
            dying.setdefault(i, []).append(a)
    return dying


def generate_source(
    graph: Any, roots: list[int], arg_ids: list[int], name: str = "f"
) -> tuple[str, dict[str, Any]]:
    """Python source of a function computing ``roots`` from the variables ``arg_ids``,
    and the namespace it needs.  An id that is not a variable of the graph (say -1)
    stands for an argument the function takes and does not use.

    In an array graph, what depends on no variable is computed once here, and two
    rewrites save an array each: ``a + (-b)`` runs as ``a - b``, and the sum of two
    scattered adjoints (``unindex``) adds the second in place into the first."""
    ops, args, params = graph.ops, graph.args, graph.params
    namespace: dict[str, Any] = {}
    argname = {a: f"a{k}" for k, a in enumerate(arg_ids)}
    lines = [f"def {name}({', '.join(argname[a] for a in arg_ids)}):"]
    ref: dict[int, str] = {}
    functions: dict[str, str] = {}  # op -> its name in the source
    order = postorder(graph, roots)
    hoisted = _hoisted(graph, order, roots)
    plan = _plan(graph, order, roots, hoisted)
    absorbed = {p[3] for p in plan.values()}
    steps = []  # (node, op, operand ids, param) of each line, in order
    for i in order:
        op = ops[i]
        if op == "var":
            if i not in argname:
                raise EvalError(f"the expression depends on {params[i]!r}, which is not among the arguments")
            ref[i] = argname[i]
        elif op in ("const", "data") or i in hoisted:
            ref[i] = f"c{i}"
            value = hoisted[i] if i in hoisted else params[i]
            namespace[ref[i]] = value.array if op == "data" else value
        elif i not in absorbed:
            ref[i] = f"v{i}"
            if i in plan:
                op, operands, param, _ = plan[i]
                steps.append((i, op, operands, param, op == _SCATTER_ADD))
            else:
                steps.append((i, op, args[i], params[i], primitives.get(op).has_param))
    # Drop each intermediate array after its last use, as hand-written NumPy does.
    dying = _dying(steps, ref, roots)
    for i, op, operands, param, with_param in steps:
        fn = functions.get(op)
        if fn is None:
            fn = f"op_{op}" if _ASCII_NAME.match(op) else f"op{len(functions)}"
            if op == _SCATTER_ADD and "scatter_add" not in primitives.PRIMITIVES:
                fn = "op_scatter_add"
            functions[op] = fn
            namespace[fn] = _scatter_add if op == _SCATTER_ADD else primitives.get(op).numpy
        refs = [ref[a] for a in operands]
        if with_param:
            namespace[f"p{i}"] = param
            refs.append(f"p{i}")
        lines.append(f"    v{i} = {fn}({', '.join(refs)})")
        if i in dying:
            lines.append(f"    del {', '.join(ref[a] for a in sorted(dying[i]))}")
    lines.append(f"    return ({', '.join(ref[r] for r in roots)},)")
    return "\n".join(lines) + "\n", namespace


def numpy_backend(graph: Any, roots: list[int], arg_ids: list[int]) -> Callable[..., tuple]:
    """The reference backend: one NumPy call per node (:func:`generate_source`); the compiled
    function returns the tuple of the roots' values.

    >>> import graphir as gi
    >>> from graphir.build import lift
    >>> x = gi.symbols("x")
    >>> g, roots = lift(x * x)
    >>> [float(v) for v in numpy_backend(g, roots, [g.find_var("x")])(3.0)]
    [9.0]
    """
    source, namespace = generate_source(graph, roots, arg_ids, "_graphir_compiled")
    exec(compile(source, "<graphir.lambdify>", "exec"), namespace)  # exec of our own generated code
    compiled = namespace["_graphir_compiled"]
    compiled.source = source
    return compiled


# name -> function (graph, roots, arg_ids) -> compiled callable taking the argument values in
# order and returning the tuple of the roots' values.  "numpy" is the reference every other
# backend is tested against; "python" takes Python floats only (graphs of scalars), and its
# callable raises ArithmeticError or ValueError where the NumPy backend would warn.
BACKENDS: dict[str, Callable[[Any, list[int], list[int]], Callable[..., tuple]]] = {
    "numpy": numpy_backend,
    "python": python_backend,
}


def _as_float(v: Any) -> float | None:
    """``v`` as a Python float when it is a real number given as one (not an array, not complex)."""
    if type(v) is float:
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        try:
            return float(v)
        except OverflowError:
            return None
    return None


def _numba(exprs: Any, args: Sequence[Any] | Any, *, block: int | None = None) -> Callable[..., Any]:
    from .numba_backend import lambdify_numba  # numba itself is an optional extra

    return lambdify_numba(exprs, args, block=block)


# Backends that compile the whole function themselves (their own argument checks and
# fallbacks): name -> function (exprs, args, *, block) -> f.
WHOLE_BACKENDS: dict[str, Callable[..., Callable[..., Any]]] = {"numba": _numba}


def read_arguments(
    exprs: Any, args: Sequence[Any] | Any
) -> tuple[list[Expr], bool, list[str], Any, list[int], list[Any]]:
    """What every backend reads from ``lambdify``'s arguments: the expressions, whether one
    was given alone, the argument names (none repeated), the graph, the roots, and each
    argument's variable node (None for a variable the expressions do not use)."""
    outs, single = expr_list(exprs)
    if isinstance(args, (Expr, str)):
        args = [args]
    names = [variable_name(a) for a in args]
    if len(set(names)) != len(names):
        raise ArgumentError(f"an argument is repeated in {names}")
    graph, roots = lift(*outs)
    return outs, single, names, graph, roots, [graph.find_var(n) for n in names]


def lambdify_numpy(exprs: Any, args: Sequence[Any] | Any, *, block: int | None = None) -> Callable[..., Any]:
    """The NumPy backend of :func:`lambdify` (the reference every other backend is tested against).

    >>> import graphir as gi
    >>> x, = gi.symbols("x,")
    >>> float(lambdify_numpy(x * x, [x])(3.0))
    9.0
    """
    return lambdify(exprs, args, backend="numpy", block=block)


def lambdify(
    exprs: Any, args: Sequence[Any] | Any, backend: str | None = None, *, block: int | None = None
) -> Callable[..., Any]:
    """A compiled ``f(*arrays)`` for one expression or a list of them, as :func:`sympy.lambdify`.

    ``args`` are variables (expressions) or their names, in the order ``f``
    takes them. One expression gives one value; a list gives a list.

    ``backend`` picks how ``f`` computes (a name of :data:`BACKENDS`): ``"numpy"``, one
    NumPy call per node (the reference); ``"python"``, Python arithmetic on floats, for
    graphs of scalars called with numbers (the same values, bit for bit; arrays, and the
    inputs where NumPy would warn, go to the NumPy backend); ``None`` (default) picks at
    each call: ``"python"`` for numbers when the graph allows it, else ``"numpy"``; for a big
    graph of scalars whose ops numba computes bit for bit as NumPy does, the instruction table
    instead of ``"python"`` (:func:`graphir.passes.numba_backend.default_numba`; then ``f.backend``
    is ``"numba"``).  With ``"python"`` (or ``None`` and numbers) the values come back as Python
    floats.
    ``"numba"`` runs an instruction table in a compiled loop (``pip install graphir[fast]``;
    :mod:`graphir.passes.numba_backend`).  ``block``: arrays of points (for an expression
    of scalars) of at least 4 blocks are computed ``block`` points at a time, so that
    intermediates stay in cache (default :data:`BLOCK`; 0 never); the values are the same.
    ``f.source`` is the NumPy backend's source (the python backend's, for graphs of at least
    :data:`LAZY_SOURCE_NODES` nodes that it runs: the NumPy source is then written when needed).

    >>> import graphir as gi
    >>> x, = gi.symbols("x,")
    >>> import numpy as np
    >>> lambdify(gi.sin(x) ** 2, [x])(np.array([0.0, np.pi / 2]))
    array([0., 1.])
    >>> lambdify(gi.sin(x) ** 2, [x], backend="python")(0.5) == float(np.sin(0.5) ** 2)
    True
    """
    block = _check_backend(backend, block)
    if backend in WHOLE_BACKENDS:
        return WHOLE_BACKENDS[backend](exprs, args, block=block)
    read = read_arguments(exprs, args)
    outs, single, names, graph, roots, found = read
    if backend is None:
        from .numba_backend import default_numba  # numba itself is an optional extra

        table = default_numba(exprs, args, read, block)
        if table is not None:
            return table
    arg_ids = [-1 - k if i is None else i for k, i in enumerate(found)]
    order = postorder(graph, roots)
    fast = None
    if backend in (None, "python") and supports(graph, order):
        fast = python_backend(graph, roots, arg_ids)
    elif backend == "python":
        raise ArgumentError(
            "the python backend takes graphs of scalars of built-in elementwise operations; "
            "use backend='numpy' for this one"
        )
    main = None
    if backend not in (None, "python", "numpy"):
        main = BACKENDS[backend](graph, roots, arg_ids)
    # The NumPy backend: the reference, and where every other backend sends what it does not take.
    generated, source = _reference_source(graph, roots, arg_ids, order, fast)
    reference = _numpy_path(graph, roots, arg_ids, names, order, generated, fast is None, block)
    if main is not None:
        call = main
        source = getattr(main, "source", source)
    elif fast is not None:
        call = _with_fallback(fast, reference)
        if backend == "python":
            source = fast.source  # type: ignore[attr-defined]
    else:
        call = reference

    if single:

        def f(*xs: Any) -> Any:
            return call(*xs)[0]

    else:

        def f(*xs: Any) -> Any:
            return list(call(*xs))

    if fast is not None:  # numbers straight in one generated function, the rest through f
        f = direct_function(graph, roots, arg_ids, "single" if single else "list", f) or f
    f.__doc__ = f"Compiled from graphir; arguments ({', '.join(names)}).\n\n{source}"
    f.source = source  # type: ignore[attr-defined]
    f.python_source = fast.source if fast is not None else None  # type: ignore[attr-defined]
    return f


def _check_backend(backend: str | None, block: int | None) -> int:
    """The block size ``lambdify`` uses; an ArgumentError for an unknown backend or a bad block."""
    if backend is not None and backend not in BACKENDS and backend not in WHOLE_BACKENDS:
        known = sorted([*BACKENDS, *WHOLE_BACKENDS])
        raise ArgumentError(f"unknown backend {backend!r}: choose one of {known} or None")
    block = BLOCK if block is None else block
    if isinstance(block, bool) or not isinstance(block, int) or block < 0:
        raise ArgumentError(f"block must be a number of points >= 0, not {block!r}")
    return block


def _reference_source(graph: Any, roots: list[int], arg_ids: list[int], order: list[int], fast: Any) -> tuple:
    """The NumPy backend's source and namespace (or, for a big graph the python backend ``fast``
    runs, a function writing them at the first call that needs them: 16 MB of text and 175 MB
    of peak memory at 3x10^5 nodes), and the source ``f.source`` shows."""
    if fast is not None and len(order) >= LAZY_SOURCE_NODES:
        return (lambda: generate_source(graph, roots, arg_ids, "_graphir_compiled")), fast.source
    generated = generate_source(graph, roots, arg_ids, "_graphir_compiled")
    return generated, generated[0]


def _with_fallback(fast: Callable[..., tuple], reference: Callable[..., tuple]) -> Callable[..., tuple]:
    """``fast`` on numbers, ``reference`` (the NumPy backend) on anything else and wherever
    ``fast`` meets a value NumPy warns about."""

    def call(*xs: Any) -> tuple:
        try:
            values = [v if type(v) is float else _as_float(v) for v in xs]
            if None not in values:
                return fast(*values)
        except (Fallback, ArithmeticError, ValueError, TypeError):
            pass
        return reference(*xs)

    return call


def _numpy_path(
    graph: Any, roots: list[int], arg_ids: list[int], names: list[str], order: list[int],
    generated: tuple[str, dict[str, Any]] | Callable[[], tuple[str, dict[str, Any]]], eager: bool,
    block: int = 0,
) -> Callable[..., tuple]:
    """The NumPy backend behind the argument checks, compiled from ``generated`` (source and
    namespace) now when ``eager``, else at its first call; long arrays of points go
    ``block`` points at a time (0: never)."""
    reach = real_only_uses(graph, order)
    real_only = [reach.get(n) for n in names]
    shaped = any(graph.shapes[i] for i in order)
    var_ids = {a: i for a, i in zip(names, arg_ids, strict=True) if i >= 0}
    box: list[Any] = [None]

    def build() -> Callable[..., tuple]:
        source, namespace = generated() if callable(generated) else generated
        exec(compile(source, "<graphir.lambdify>", "exec"), namespace)  # exec of our own generated code
        compiled = namespace["_graphir_compiled"]
        if not block or shaped:
            return compiled
        return _blocked(compiled, block, out_kernel(graph, roots, arg_ids))

    if eager:
        box[0] = build()

    def inner(*xs: Any) -> Any:
        if len(xs) != len(names):
            raise TypeError(f"the compiled function takes {len(names)} argument(s), got {len(xs)}")
        values = list(xs)
        for k, v in enumerate(xs):
            if type(v) is float:  # the common case, as it is
                continue
            v = values[k] = as_value(names[k], v)
            if real_only[k] is not None and np.iscomplexobj(v):
                raise EvalError(
                    f"{real_only[k]} takes real numbers only, and {names[k]} is complex (complex input "
                    "is for functions analytic in it)"
                )
        if shaped:
            given = zip(names, values, strict=True)
            check_shapes(graph, order, {var_ids[n]: v for n, v in given if n in var_ids})
        if box[0] is None:
            box[0] = build()
        try:
            return box[0](*values)
        except ValueError as exc:  # arrays NumPy cannot broadcast together, say
            raise EvalError(f"the compiled function cannot take these arguments: {exc}") from None

    return inner


def _blocked(
    compiled: Callable[..., Any], block: int, kernel: Callable[..., Any] | None = None
) -> Callable[..., Any]:
    """``compiled`` (elementwise, over arrays of points) run ``block`` points at a time when
    its arguments are long arrays; each output is filled block by block, so it holds the
    same values as one call.  ``kernel`` (:func:`~graphir.passes.blocked.out_kernel`), when
    given, computes float64 arrays of one shape with no temporary array."""

    def run(*values: Any) -> Any:
        if not any(isinstance(v, np.ndarray) and v.size >= 4 * block for v in values):
            return compiled(*values)
        if kernel is not None:
            done = kernel(block, *values)
            if done is not None:
                return done
        try:
            shape = np.broadcast_shapes(*(np.shape(v) for v in values))
        except ValueError:
            return compiled(*values)  # the usual error
        flat = [np.broadcast_to(v, shape).reshape(-1) if np.ndim(v) else v for v in values]
        size = int(np.prod(shape))
        outs: list[Any] = []
        for start in range(0, size, block):
            part = compiled(*[v[start : start + block] if np.ndim(v) else v for v in flat])
            if start == 0:
                outs = [np.empty(size, np.result_type(r)) if np.ndim(r) else r for r in part]
            for k, r in enumerate(part):
                if np.ndim(r):
                    outs[k][start : start + block] = r
        return tuple(o.reshape(shape) if np.ndim(o) else o for o in outs)

    return run
