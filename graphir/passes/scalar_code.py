"""The "python" backend of :func:`graphir.lambdify`: a graph of scalars as straight-line
Python arithmetic on floats (``v5 = v3 * a0``, ``v6 = sin(v5)``), with no NumPy call per node.

Results are those of the NumPy backend, bit for bit.  Python's operators (``+ - * /``,
``abs``, comparisons) are IEEE operations, exact as NumPy's are; for the functions of
:mod:`math` (the platform's libm) NumPy may use other code (SIMD libraries), so each op's
Python form is *calibrated* once per process (:func:`scalar_forms`): it is compared with
the NumPy function on a fixed sample of points (signed zeros, both tails, the op's
domain), and an op whose Python form differs anywhere on it is computed by the NumPy
function on the float instead (a NumPy call, still cheaper than the NumPy backend's).
``x ** 2`` is ``x * x`` where NumPy's ``power`` is (it is on NumPy 2).

Where NumPy would warn (overflow, nan from numbers, division by zero), the Python form
raises instead (``math`` raises ``OverflowError``/``ValueError``; ``+ - * /`` overflow
to inf silently, so their results are checked where an inf could vanish downstream):
the call then runs again on the NumPy backend, which gives NumPy's values and warnings.
Inputs that are not finite go to the NumPy backend at once.

>>> import graphir as gi
>>> from graphir.build import lift
>>> x, y = gi.symbols("x y")
>>> graph, roots = lift(gi.sin(x) * y + x ** 2)
>>> src, _ = scalar_source(graph, roots, [graph.find_var("x"), graph.find_var("y")])
>>> print(src.splitlines()[1].strip())
v6 = sin(a0) * a1 + a0 * a0
>>> print(src.splitlines()[2].strip())
s = sum((a0, a1, v6,))
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import primitives
from ..errors import EvalError
from ..traversal import postorder

__all__ = [
    "scalar_forms", "scalar_source", "chunked_sources", "direct_source", "direct_function", "python_backend",
    "supports", "Fallback", "CHUNK_ABOVE", "CHUNK_LINES",
]


class Fallback(ArithmeticError):
    """A Python form met a value NumPy would warn about: evaluate with the NumPy backend."""


def _sigmoid(x: float, exp: Callable[[float], float]) -> float:
    if x >= 0:
        e = exp(-x)
        return 1.0 / (1.0 + e)
    e = exp(x)
    return e / (1.0 + e)


def _sign(x: float) -> float:
    return x if x != x else float((x > 0) - (x < 0))


def _heaviside(x: float) -> float:
    return x if x != x else (0.0 if x < 0 else (0.5 if x == 0 else 1.0))


_MATH = ("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "exp", "log", "log1p", "expm1")
# ``pow`` with these constant exponents, where NumPy has a fast path (checked by calibration).
_POW_CONST: dict[float, tuple[str, int]] = {
    2.0: ("{0} * {0}", 1), 0.5: ("sqrt({0})", 3), -1.0: ("1.0 / {0}", 1),
}
_OPERAND_PREC = {"{0} + {1}": (0, 1), "{0} - {1}": (0, 1), "{0} * {1}": (1, 2), "{0} / {1}": (1, 2),
                 "-{0}": (2,), "{0} * {0}": (2,), "1.0 / {0}": (2,)}


def _flagged(field: str) -> set[str]:
    """The built-in ops whose record has ``field`` set (see :class:`graphir.primitives.Primitive`)."""
    return {p.name for p in primitives.PRIMITIVES.values() if getattr(p, field) and not p.user}


def _guarded(numpy_fn: Any, check: Callable[..., Any]) -> Callable[..., float]:
    """``float(numpy_fn(*x))``, after ``check(*x)`` (the math function) has raised where
    NumPy would warn."""

    def f(*x: float) -> float:
        check(*x)
        return float(numpy_fn(*x))

    return f


def _base_namespace() -> dict[str, Any]:
    ns: dict[str, Any] = {"sqrt": math.sqrt, "pow": math.pow, "maximum": _maximum, "minimum": _minimum,
                          "sign": _sign, "heaviside": _heaviside, "isfinite": math.isfinite}
    for name in _MATH:
        ns[name] = getattr(math, name)
    ns["sigmoid"] = lambda x: _sigmoid(x, ns["exp"])
    return ns


def _maximum(a: float, b: float) -> float:
    return a if a > b or a != a else b


def _minimum(a: float, b: float) -> float:
    return a if a < b or a != a else b


def _sample(op: str) -> list[np.ndarray]:
    """Points (one array per operand) on which an op's Python form is checked against NumPy."""
    rng = np.random.default_rng(20240611)
    special = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, 1e-300, -1e-300, 5e-324, 1e300, -1e300, 700.0, -700.0,
               710.0, 1e-8, 3.0, math.pi / 2]
    x = np.concatenate([
        special, rng.uniform(-3, 3, 12000), rng.uniform(-1, 1, 3000), rng.uniform(-40, 40, 3000),
        np.exp(rng.uniform(-700, 700, 2000)), -np.exp(rng.uniform(-700, 700, 1000)),
        rng.uniform(0, 1e-3, 1000),
    ])
    if primitives.PRIMITIVES[op].arity == 1:
        return [x]
    y = rng.permutation(x)
    if op == "pow":
        a = np.abs(x)
        return [np.concatenate([a, x, x, x]), np.concatenate([y, np.round(y), np.full_like(x, 2.0),
                                                             np.full_like(x, 3.0)])]
    return [np.concatenate([x, x, [0.0, -0.0]]), np.concatenate([y, x, [-0.0, 0.0]])]


def _agrees(form: Callable[..., float], ref: Callable[..., Any], points: list[np.ndarray]) -> bool:
    """The Python form gives NumPy's bits at every point where NumPy gives a number (NumPy's
    value for one float is its value for an array of them, entry by entry)."""
    with np.errstate(all="ignore"):
        want = np.asarray(ref(*points), dtype=float)
    keep = np.isfinite(want)
    columns = [p[keep].tolist() for p in points]
    for args, w in zip(zip(*columns, strict=True), want[keep].tolist(), strict=True):
        try:
            got = form(*args)
        except (ArithmeticError, ValueError):
            continue  # raising falls back to NumPy
        if got != w or type(got) is not float or math.copysign(1.0, got) != math.copysign(1.0, w):
            return False
    return True


def _form_function(template: str, ns: dict[str, Any], arity: int) -> Callable[..., float]:
    params = ", ".join(f"x{k}" for k in range(arity))
    body = template.format(*[f"x{k}" for k in range(arity)])
    return eval(f"lambda {params}: {body}", dict(ns))  # our own template, no user text


_CALIBRATED: dict[str, Any] = {}


def _calibrate() -> None:
    ns = _base_namespace()
    forms: dict[str, str] = {}
    numpy_ops = []
    python_ops = [p for p in primitives.PRIMITIVES.values() if p.py_form is not None and not p.user]
    for prim in sorted(python_ops, key=lambda p: p.name == "sigmoid"):  # sigmoid last: it uses exp
        op, template = prim.name, prim.py_form
        if _agrees(_form_function(template, ns, prim.arity or 1), prim.numpy, _sample(op)):
            forms[op] = template
        elif "(" in template:  # a function: NumPy's, on the float, after math's checks
            fname = template.split("(")[0]
            check = ns[fname] if fname in _MATH or fname in ("sqrt", "pow") else (lambda *x: None)
            ns[fname] = _guarded(prim.numpy, check)
            forms[op] = template
            numpy_ops.append(op)
    pow_forms = {}
    xs = _sample("sin")
    for c, (t, _) in _POW_CONST.items():
        if _agrees(_form_function(t, ns, 1), lambda x, c=c: np.power(x, c), xs):
            pow_forms[c] = t
    _CALIBRATED.update(forms=forms, pow=pow_forms, ns=ns, numpy=numpy_ops)


def scalar_forms() -> tuple[dict[str, str], dict[float, str], dict[str, Any]]:
    """The calibrated forms: op -> Python template, constant exponent -> template for ``x ** c``,
    and the namespace they run in.  Computed once per process; ``_CALIBRATED["numpy"]`` lists
    the ops computed by NumPy's function on the float (their math form differs somewhere).

    >>> forms, pow_forms, ns = scalar_forms()
    >>> forms["mul"], forms["add"]
    ('{0} * {1}', '{0} + {1}')
    """
    if not _CALIBRATED:
        _calibrate()
    return _CALIBRATED["forms"], _CALIBRATED["pow"], _CALIBRATED["ns"]


def supports(graph: Any, order: list[int]) -> bool:
    """Every node of ``order`` is a scalar of an op with a Python form."""
    forms = scalar_forms()[0]
    ops, shapes = graph.ops, graph.shapes
    return all(
        not shapes[i] and (ops[i] in forms or ops[i] in ("var", "const")) for i in order
    )


_PREC = {"{0} + {1}": 0, "{0} - {1}": 0, "{0} * {1}": 1, "{0} / {1}": 1, "-{0}": 2, "{0} * {0}": 1,
         "1.0 / {0}": 1}
_INLINE_DEPTH = 6


def _wrap(text: str, prec: int, need: int) -> str:
    return f"({text})" if prec < need else text


def _render(
    template: str, operands: list[int], expr: dict[int, tuple[str, int, int]],
    negs: dict[int, tuple[str, int]],
) -> tuple[str, int, tuple[str, int] | None]:
    """The text and precedence of ``template`` on ``operands``, and the text (with its
    precedence) of minus the value when it is had without a unary minus, else None.

    An inlined negation is absorbed where IEEE arithmetic gives the same bits: ``a + (-b)``
    is ``a - b``, ``(-a) + b`` is ``b - a``, ``a - (-b)`` is ``a + b``, and ``(-a) * b`` and
    ``(-a) / b`` are minus ``a * b`` and ``a / b`` (rounding is symmetric in the sign)."""
    pieces = [expr[a][:2] for a in operands]
    negated: tuple[str, int] | None = None
    if template in ("{0} + {1}", "{0} - {1}"):
        if operands[1] in negs:
            template = "{0} - {1}" if template == "{0} + {1}" else "{0} + {1}"
            pieces[1] = negs[operands[1]]
        elif template == "{0} + {1}" and operands[0] in negs:
            template, pieces = "{0} - {1}", [pieces[1], negs[operands[0]]]
    elif template == "-{0}":
        negated = pieces[0]
    elif template in ("{0} * {1}", "{0} / {1}"):
        for k, a in enumerate(operands):
            if a in negs:
                positive = list(pieces)
                positive[k] = negs[a]
                negated = (_fill(template, positive), _PREC[template])
                break
    return _fill(template, pieces), _PREC.get(template, 3), negated


def _fill(template: str, pieces: list[tuple[str, int]]) -> str:
    need = _OPERAND_PREC.get(template, (0,) * len(pieces))
    return template.format(*[_wrap(text, prec, need[k]) for k, (text, prec) in enumerate(pieces)])


def _scalar_body(
    graph: Any, roots: list[int], arg_ids: list[int]
) -> tuple[list[str], list[str], list[str], dict[str, Any]]:
    """The statements computing ``roots`` from ``a0, a1, ...`` (unindented), the texts whose
    sum is checked to be finite, the roots' texts, and the namespace they run in."""
    forms, pow_forms, base = scalar_forms()
    ops, args, params = graph.ops, graph.args, graph.params
    order = postorder(graph, roots)
    ns: dict[str, Any] = dict(base)
    uses: dict[int, int] = {}
    for i in order:
        for a in args[i]:
            uses[a] = uses.get(a, 0) + 1
    watched: set[int] = set()
    keeps, silent = _flagged("py_keeps_nonfinite"), _flagged("py_silent_overflow")
    for i in order:
        if ops[i] not in keeps:
            watched.update(a for a in args[i] if ops[a] in silent)
    argname = {a: f"a{k}" for k, a in enumerate(arg_ids)}
    root_set = set(roots)
    expr: dict[int, tuple[str, int, int]] = {}  # node -> (text, precedence, inline depth)
    negs: dict[int, tuple[str, int]] = {}  # inlined node -> (text, precedence) of minus its value
    lines: list[str] = []
    for i in order:
        op = ops[i]
        if op == "var":
            if i not in argname:
                raise EvalError(f"the expression depends on {params[i]!r}, which is not among the arguments")
            expr[i] = (argname[i], 3, 0)
            continue
        if op == "const":
            value = float(params[i])
            if math.isfinite(value) and math.copysign(1.0, value) > 0:
                expr[i] = (repr(value), 3, 0)
            else:
                ns[f"c{i}"] = value
                expr[i] = (f"c{i}", 3, 0)
            continue
        template, operands = forms[op], list(args[i])
        c = params[operands[1]] if op == "pow" and ops[operands[1]] == "const" else None
        if c is not None and float(c) in pow_forms:
            template, operands = pow_forms[float(c)], operands[:1]
        text, prec, negated = _render(template, operands, expr, negs)
        depth = 1 + max(expr[a][2] for a in operands)
        if uses.get(i, 0) == 1 and i not in root_set and i not in watched and depth < _INLINE_DEPTH:
            expr[i] = (text, prec, depth)
            if negated is not None:
                negs[i] = negated
        else:
            lines.append(f"v{i} = {text}")
            expr[i] = (f"v{i}", 3, 0)
    checked = list(argname.values()) + [expr[i][0] for i in order if i in watched]
    checked += [expr[r][0] for r in roots]
    for k in range(0, len(checked), 200):  # a sum of tuples: no deeply nested expression
        lines.append(f"{'s = ' if k == 0 else 's += '}sum(({', '.join(checked[k:k + 200])},))")
    return lines, checked, [expr[r][0] for r in roots], ns


def scalar_source(graph: Any, roots: list[int], arg_ids: list[int], name: str = "f") -> tuple[str, dict]:
    """Python source of ``name(a0, a1, ...)`` computing ``roots`` with Python floats, and its
    namespace.  Single-use operations are written inside their user's expression (up to a
    few levels deep).  One ``isfinite`` at the end checks the sum of the arguments, the
    roots and the results of ``+ - * /`` whose inf could vanish downstream: a value that is
    not finite anywhere raises :class:`Fallback`."""
    body, _, results, ns = _scalar_body(graph, roots, arg_ids)
    ns["Fallback"] = Fallback
    return _one_function(body, results, len(arg_ids), name), ns


def _one_function(body: list[str], results: list[str], n_args: int, name: str) -> str:
    """The source of :func:`scalar_source`'s function from its statements and results."""
    lines = [f"def {name}({', '.join(f'a{k}' for k in range(n_args))}):"]
    lines += [f"    {line}" for line in body]
    lines.append("    if not isfinite(s):")
    lines.append("        raise Fallback")
    lines.append(f"    return ({', '.join(results)},)")
    return "\n".join(lines) + "\n"


#: Graphs of at most this many operations get a :func:`direct_function` (its own copy of
#: the statements: compiling costs about 5-9 us a line, so big graphs keep the one copy).
DIRECT_LINES = 2000


def direct_source(
    graph: Any, roots: list[int], arg_ids: list[int], result: str, name: str = "f"
) -> tuple[str, dict]:
    """Python source of ``name(*xs)``: when ``xs`` are as many Python floats as ``arg_ids``
    and every value is finite, the roots computed as :func:`scalar_source` does, returned
    as ``result`` says (``"single"``: the first root alone, ``"list"``: a list); in any
    other case (other types, a count that differs, a value NumPy would warn about)
    ``slow(*xs)``, a function of the namespace the caller binds.  The argument checks are
    written out, so a call costs no Python function but this one.

    >>> import graphir as gi
    >>> from graphir.build import lift
    >>> x, y = gi.symbols("x y")
    >>> graph, roots = lift(x * y)
    >>> src, ns = direct_source(graph, roots, [graph.find_var("x"), graph.find_var("y")], "single")
    >>> ns["slow"] = lambda *xs: "slow"
    >>> exec(src, ns)
    >>> ns["f"](2.0, 3.0), ns["f"](2, 3.0), ns["f"](1e300, 1e300)
    (6.0, 'slow', 'slow')
    """
    body, _, results, ns = _scalar_body(graph, roots, arg_ids)
    n = len(arg_ids)
    names = [f"a{k}" for k in range(n)]
    out = results[0] if result == "single" else f"[{', '.join(results)}]"
    lines = [f"def {name}(*xs):", "    try:"]
    if n:
        lines.append(f"        {', '.join(names)}, = xs")
        lines.append(f"        if {' and '.join(f'type({a}) is float' for a in names)}:")
    else:
        lines.append("        if not xs:")
    lines += [f"            {line}" for line in body]
    lines.append("            if isfinite(s):")
    lines.append(f"                return {out}")
    lines.append("    except (ArithmeticError, ValueError, TypeError):")
    lines.append("        pass")
    lines.append("    return slow(*xs)")
    return "\n".join(lines) + "\n", ns


def direct_function(
    graph: Any, roots: list[int], arg_ids: list[int], result: str, slow: Callable[..., Any]
) -> Callable[..., Any] | None:
    """The compiled :func:`direct_source` calling ``slow`` where it does not compute, or
    None for a graph of more than :data:`DIRECT_LINES` operations."""
    ops = graph.ops
    if sum(1 for i in postorder(graph, roots) if ops[i] not in ("var", "const")) > DIRECT_LINES:
        return None
    source, ns = direct_source(graph, roots, arg_ids, result, "_graphir_direct")
    ns["slow"] = slow
    exec(compile(source, "<graphir.lambdify python>", "exec"), ns)  # our own generated code
    fn = ns["_graphir_direct"]
    fn.source = source
    return fn


#: A body of more than :data:`CHUNK_ABOVE` statements is compiled as several functions of at
#: most :data:`CHUNK_LINES` statements each, one after the other, so that compiling takes a
#: bounded amount of memory: the gradient of a random graph of 10^5 ops (1.25x10^5 statements)
#: took 460 MB more at its peak as one function, 75 MB in chunks of 2,000 (compile: 1.05 s instead
#: of 1.5 s); reading values across chunks costs about 20% more per call, so that smaller
#: bodies (about 70 MB to compile at most) stay one function (benchmarks/bench_peers.py, "random").
CHUNK_ABOVE = 20_000
CHUNK_LINES = 2_000

# The local names of the generated statements: arguments, values, the finiteness sum.
_LOCAL = re.compile(r"\b(?:[av]\d+|s)\b")


def _chunk_names(lines: list[str], tail: list[str]) -> tuple[list[str], list[str]]:
    """The local names a chunk reads before it assigns them (in order of first use), and the
    names it assigns; ``tail`` are texts read after the last statement."""
    live_in: list[str] = []
    seen: set[str] = set()
    assigned: list[str] = []
    done: set[str] = set()
    for line in lines:
        target, op, text = line.split(" ", 2)
        used = _LOCAL.findall(text) + ([target] if op != "=" else [])
        for u in used:
            if u not in seen:
                seen.add(u)
                live_in.append(u)
        if target not in done:
            done.add(target)
            seen.add(target)
            assigned.append(target)
    for text in tail:
        for u in _LOCAL.findall(text):
            if u not in seen:
                seen.add(u)
                live_in.append(u)
    return live_in, assigned


def chunked_sources(
    body: list[str], results: list[str], n_args: int, name: str, size: int
) -> tuple[list[str], dict[str, Any]]:
    """The sources of the functions computing ``body`` (the statements of :func:`scalar_source`,
    whose results are ``results``) in chunks of at most ``size`` statements, and the objects
    they use besides the namespace's: one function ``name_part<k>(S)`` per chunk, and
    ``name(a0, a1, ...)`` calling them in order.  The values a later chunk reads go through
    the list ``S`` made at each call (the arguments, then what each chunk appends); a chunk
    reads them with one ``operator.itemgetter`` (``name_load<k>``), in the order of ``S``.
    The statements are those of the one-function source, in the same order, so the values
    are the same, bit for bit.

    >>> body = ["v2 = a0 * a1", "v3 = sin(v2)", "s = sum((a0, a1, v3,))"]
    >>> parts, names = chunked_sources(body, ["v3"], 2, "f", 2)
    >>> print("".join(parts), end="")
    def f_part0(S):
        a0, a1 = f_load0(S)
        v2 = a0 * a1
        v3 = sin(v2)
        S += (v3,)
    def f_part1(S):
        a0, a1, v3 = f_load1(S)
        s = sum((a0, a1, v3,))
        if not isfinite(s):
            raise Fallback
        return (v3,)
    def f(a0, a1):
        S = [a0, a1]
        f_part0(S)
        return f_part1(S)
    >>> names["f_load1"]
    operator.itemgetter(0, 1, 2)
    """
    chunks = [body[k:k + size] for k in range(0, len(body), size)] or [[]]
    names = [_chunk_names(chunk, results + ["s"] if k == len(chunks) - 1 else [])
             for k, chunk in enumerate(chunks)]
    needed = {u for live_in, _ in names for u in live_in}
    slot = {f"a{k}": k for k in range(n_args)}
    sources, extra = [], {}
    for k, (chunk, (live_in, assigned)) in enumerate(zip(chunks, names, strict=True)):
        lines = [f"def {name}_part{k}(S):"]
        live_in = sorted(live_in, key=slot.__getitem__)  # S read in order: fewer cache misses
        if len(live_in) == 1:
            lines.append(f"    {live_in[0]} = S[{slot[live_in[0]]}]")
        elif live_in:
            extra[f"{name}_load{k}"] = operator.itemgetter(*[slot[u] for u in live_in])
            lines.append(f"    {', '.join(live_in)} = {name}_load{k}(S)")
        lines += [f"    {line}" for line in chunk]
        if k == len(chunks) - 1:
            lines.append("    if not isfinite(s):")
            lines.append("        raise Fallback")
            lines.append(f"    return ({', '.join(results)},)")
        else:  # what a later chunk reads: appended to S (``s`` is assigned in several chunks)
            lines += [f"    S[{slot[t]}] = {t}" for t in assigned if t in slot and t in needed]
            new = [t for t in assigned if t in needed and t not in slot]
            for t in new:
                slot[t] = len(slot)
            if new:
                lines.append(f"    S += ({', '.join(new)},)")
        sources.append("\n".join(lines) + "\n")
    params = ", ".join(f"a{k}" for k in range(n_args))
    lines = [f"def {name}({params}):", f"    S = [{params}]"]
    lines += [f"    {name}_part{k}(S)" for k in range(len(chunks) - 1)]
    lines.append(f"    return {name}_part{len(chunks) - 1}(S)")
    sources.append("\n".join(lines) + "\n")
    return sources, extra


def python_backend(
    graph: Any, roots: list[int], arg_ids: list[int], chunk: int | None = None
) -> Callable[..., tuple]:
    """The compiled Python-float function of ``roots``: takes floats, returns a tuple of floats;
    raises :class:`Fallback` where NumPy would warn (the caller then uses the NumPy backend).
    A body of more than ``chunk`` statements (default :data:`CHUNK_ABOVE`) is compiled as
    several functions of ``chunk`` statements (default :data:`CHUNK_LINES`) by
    :func:`chunked_sources`, one after the other, so that compiling takes a bounded amount
    of memory; the values are the same.

    >>> import graphir as gi
    >>> from graphir.build import lift
    >>> x, y = gi.symbols("x y")
    >>> graph, roots = lift(gi.sin(x * y) * x + y)
    >>> ids = [graph.find_var("x"), graph.find_var("y")]
    >>> python_backend(graph, roots, ids)(0.5, 2.0) == python_backend(graph, roots, ids, chunk=1)(0.5, 2.0)
    True
    """
    name = "_graphir_scalar"
    body, _, results, ns = _scalar_body(graph, roots, arg_ids)
    ns["Fallback"] = Fallback
    above, size = (CHUNK_ABOVE, CHUNK_LINES) if chunk is None else (chunk, max(chunk, 1))
    if len(body) <= above:
        sources = [_one_function(body, results, len(arg_ids), name)]
    else:
        sources, extra = chunked_sources(body, results, len(arg_ids), name, size)
        ns.update(extra)
    del body
    for source in sources:  # one chunk at a time: compile's memory is that of one chunk
        exec(compile(source, "<graphir.lambdify python>", "exec"), ns)  # our own generated code
    fn = ns[name]
    fn.source = "".join(sources)
    return fn
