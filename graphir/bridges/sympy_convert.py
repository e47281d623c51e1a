"""The SymPy bridge, conversion: graphir expressions to SymPy and back.

(Calculus through SymPy, :func:`simplify` and :func:`symbolic_grad`, lives in
:mod:`graphir.bridges.sympy_calculus`.)

Both directions walk iteratively (topological order one way, an explicit
stack the other way), so the bridge itself never hits the recursion limit.
SymPy, however, recurses over its trees (hashing, assumptions, printing,
``diff``, ``simplify``) and fails a few hundred levels down, so
:func:`to_sympy` refuses expressions nested deeper than :data:`MAX_DEPTH`
graph levels or whose SymPy form would be deeper than :data:`MAX_SYMPY_DEPTH`
levels, with a :class:`~graphir.errors.SymbolicError` giving the depth and the
cap; a ``RecursionError`` escaping SymPy anyway is turned into a
``SymbolicError`` too, and so is any other exception SymPy raises on the way
(``asin(2)`` that ``Min`` cannot compare, ``2**1e200`` that overflows, an integer
too long to print...): the bridge raises nothing but graphir's own errors.

Conventions
-----------
* Variables become ``sympy.Symbol(name, real=True)``: graphir computes with
  real numbers, and SymPy simplifies and differentiates ``Abs``, ``sqrt`` and
  ``log`` correctly only for real symbols (``d|x|/dx = sign(x)``).
  :func:`from_sympy` matches symbols by name alone, so an expression built on
  plain ``sympy.Symbol("x")`` comes back with the variable ``x`` as well.
* Constants: integer values become ``Integer``, ``math.pi`` and ``math.e``
  become ``pi`` and ``E``, binary fractions with a small denominator (0.5,
  0.375...) become ``Rational``, anything else a ``Float`` of 53-bit precision
  holding exactly the double (so SymPy's own float arithmetic rounds like IEEE
  doubles and the way back is exact).  inf and nan become ``oo``/``-oo``/``nan``.
  ``-0.0`` becomes ``0`` (SymPy has no signed zero; :func:`graphir.to_json` is
  the lossless format).
* Arrays go to SymPy entry by entry: a shaped variable ``W`` is an array of real
  symbols named ``W[0,1]`` (written ``W_{0,1}`` in LaTeX; brackets cannot clash with
  a graphir variable's name), a data constant an array of exact numbers (as constants
  above), and each array operation works on NumPy object arrays of SymPy entries (its
  record's ``sympy``).  :func:`to_sympy` gives a column ``sympy.Matrix`` for a vector,
  a ``sympy.Matrix`` for a matrix and an ``ImmutableDenseNDimArray`` beyond two axes.
  :func:`from_sympy` reads a Matrix (or N-dim array) back as an array of its entries
  (a data constant when all are numbers, else a stack of them); its entries may name
  entries of shaped variables of the graph it builds into.
* :func:`from_sympy` gives graphs that read like the printed SymPy expression:
  ``x + (-1)*y`` comes back as ``x - y``, ``(-1)*x`` as ``-x``, factors with
  a negative exponent as a division (``x/y``, ``1/x``), sums and products of
  many terms folded from the left, ``Max``/``Min`` of many arguments folded in
  pairs.  ``sqrt`` and ``sigmoid`` are recognised by the registry's
  ``sympy_match``, other functions by ``sympy_head`` (``sin``, ``Abs``,
  ``Max``, ``log1p``, ``Heaviside`` ...).

>>> import graphir as gi
>>> x, y = gi.symbols("x y")
>>> to_sympy(gi.sqrt(x) - y / 2)
sqrt(x) - y/2
>>> str(from_sympy(to_sympy(gi.sigmoid(x) * y)))
'y*sigmoid(x)'
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache, reduce
from typing import Any

import numpy as np

from .. import primitives
from ..build import Expr, as_expr, variable_name_problem
from ..errors import GraphirError, SymbolicError, SymbolicTooLarge
from ..ir import Graph
from ..printing import pi_or_e
from ..traversal import levels
from .sympy_limits import MAX_SYMPY_SIZE, check_size

__all__ = [
    "to_sympy",
    "sympy_entries",
    "from_sympy",
    "from_sympy_into",
    "symbol",
    "entry_symbol",
    "entry_name",
    "sympy_module",
    "MAX_DEPTH",
    "MAX_SYMPY_DEPTH",
]

#: Longest path (in graph levels) of an expression :func:`to_sympy` accepts.  Also
#: bounds the time SymPy spends re-flattening long left-folded sums and products.
MAX_DEPTH = 1000

#: Deepest SymPy tree :func:`to_sympy` builds.  SymPy's ``diff`` uses about seven
#: Python frames per level of its tree and fails near 140 levels with Python's
#: default recursion limit of 1000; this leaves room for the caller's own frames.
MAX_SYMPY_DEPTH = 80

# Binary fractions with at most this many bits after the point become Rationals.
_RATIONAL_BITS = 10


def sympy_module() -> Any:
    """The ``sympy`` module, imported on first use (``import graphir`` never loads it)."""
    import sympy

    return sympy


def symbol(name: str) -> Any:
    """The SymPy symbol graphir uses for the variable ``name`` (real).

    >>> symbol("x").is_real
    True
    """
    return sympy_module().Symbol(name, real=True)


def entry_name(name: str, index: Sequence[int]) -> str:
    """The name of an entry of the shaped variable ``name``: ``W[0,1]``.

    >>> entry_name("W", (0, 1)), entry_name("w", (2,))
    ('W[0,1]', 'w[2]')
    """
    return f"{name}[{','.join(str(int(k)) for k in index)}]"


_ENTRY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\[(\d+(?:,\d+)*)\]\Z")


def _parse_entry(name: str) -> tuple[str, tuple[int, ...]] | None:
    m = _ENTRY.match(name)
    return None if m is None else (m.group(1), tuple(int(k) for k in m.group(2).split(",")))


@lru_cache(maxsize=1)
def _entry_class() -> Any:
    sp = sympy_module()

    class EntrySymbol(sp.Symbol):  # type: ignore[misc, valid-type]
        """An entry of a shaped variable: ``W[0,1]`` in text, ``W_{0,1}`` in LaTeX."""

        def _latex(self, printer: Any) -> str:
            base, _, rest = self.name.partition("[")
            b = printer._print(sp.Symbol(base))
            return f"{{{b}}}_{{{rest[:-1]}}}" if "_" in b else f"{b}_{{{rest[:-1]}}}"

    return EntrySymbol


def entry_symbol(name: str, index: Sequence[int]) -> Any:
    """The SymPy symbol of the entry ``index`` of the shaped variable ``name`` (real).

    >>> import sympy
    >>> s = entry_symbol("W", (0, 1))
    >>> str(s), sympy.latex(s), s.is_real
    ('W[0,1]', 'W_{0,1}', True)
    """
    return _entry_class()(entry_name(name, index), real=True)


# ---------------------------------------------------------------- graphir -> SymPy


def _const_to_sympy(sp: Any, v: float) -> Any:
    if math.isnan(v):
        return sp.nan
    if math.isinf(v):
        return sp.oo if v > 0 else -sp.oo
    name = pi_or_e(v)
    if name == "pi":
        return sp.pi
    if name == "e":
        return sp.E
    if v.is_integer() and abs(v) <= 2.0**53:
        return sp.Integer(int(v))
    if abs(v) < 2.0**40 and (v * 2.0**_RATIONAL_BITS).is_integer():
        return sp.Rational(v)  # a binary fraction: exact
    return sp.Float(v, precision=53)


def _short(obj: Any, limit: int = 80) -> str:
    try:
        s = str(obj)
    except RecursionError:
        return f"<{type(obj).__name__} too deep to print>"
    except ValueError:  # an integer past Python's limit on digits printed
        bits = getattr(obj, "bit_length", lambda: 0)() or int(getattr(obj, "p", 0)).bit_length()
        return f"<an integer of about {int(bits * math.log10(2)) + 1} digits>"
    return s if len(s) <= limit else s[: limit - 3] + "..."


class _DepthMeter:
    """Depth (and tree size, in ``size``) of SymPy trees, measured iteratively with a memo keyed by object id
    (the objects are kept alive, so ids stay valid)."""

    def __init__(self) -> None:
        self.depth: dict[int, int] = {}
        self.size: dict[int, int] = {}  # nodes of the tree form (shared parts counted per use)
        self.alive: list[Any] = []

    def __call__(self, obj: Any) -> int:
        depth = self.depth
        stack = [(obj, False)]
        while stack:
            o, ready = stack.pop()
            k = id(o)
            if k in depth:
                continue
            args = o.args
            if ready or not args:
                depth[k] = 1 + max((depth[id(a)] for a in args), default=0)
                self.size[k] = 1 + sum(self.size[id(a)] for a in args)
                self.alive.append(o)
                continue
            stack.append((o, True))
            stack.extend((a, False) for a in args if id(a) not in depth)
        return depth[id(obj)]


def to_sympy(expr: Expr | float, *, max_sympy_size: int | None = MAX_SYMPY_SIZE) -> Any:
    """The SymPy expression of ``expr`` (variables are real symbols).

    An array expression goes entry by entry (see the module docstring): a column
    ``sympy.Matrix`` for a vector, a ``sympy.Matrix`` for a matrix, an
    ``ImmutableDenseNDimArray`` beyond two axes.

    Raises :class:`~graphir.errors.SymbolicError` when the expression is nested
    too deeply for SymPy (see :data:`MAX_DEPTH` and :data:`MAX_SYMPY_DEPTH`), and
    :class:`~graphir.errors.SymbolicTooLarge` when its tree form has more than
    ``max_sympy_size`` nodes (None: no limit) or SymPy would compute an
    astronomically large exact number (:func:`graphir.bridges.sympy_limits.check_size`);
    for an array expression, also when its nodes hold more than ``max_sympy_size``
    entries together, or the SymPy forms of its entries more than ``max_sympy_size``
    nodes.

    >>> import graphir as gi
    >>> x1, x2 = gi.symbols("x1 x2")
    >>> to_sympy(gi.log(x1) + x1 * x2 - gi.sin(x2))
    x1*x2 + log(x1) - sin(x2)
    >>> to_sympy(0.1 * x1 + 0.5)
    0.1*x1 + 1/2
    >>> W = gi.symbols("W", shape=(2, 2))
    >>> to_sympy(W @ gi.constant([1.0, 2.0]))
    Matrix([
    [W[0,0] + 2*W[0,1]],
    [W[1,0] + 2*W[1,1]]])
    """
    sp = sympy_module()
    e = as_expr(expr)
    obj = sympy_entries(e, max_sympy_size=max_sympy_size)
    if not isinstance(obj, np.ndarray):
        return obj
    if obj.ndim == 1:
        return sp.Matrix(obj.shape[0], 1, list(obj))
    if obj.ndim == 2:
        return sp.Matrix(obj.tolist())
    return sp.ImmutableDenseNDimArray(list(obj.ravel()), obj.shape)


def sympy_entries(expr: Expr, *, max_sympy_size: int | None = MAX_SYMPY_SIZE) -> Any:
    """The SymPy form of ``expr``: one SymPy expression for a scalar, else a NumPy object
    array of the expression's shape holding one per entry (limits as :func:`to_sympy`).

    >>> import graphir as gi
    >>> w = gi.symbols("w", shape=(2,))
    >>> sympy_entries(2 * w)
    array([2*w[0], 2*w[1]], dtype=object)
    """
    sp = sympy_module()
    e = as_expr(expr)
    g = e.ir
    ids = sorted(e.order)  # ids are topological; levels() wants them ascending
    level = levels(g, ids)
    depth = level[e._id]
    if depth > MAX_DEPTH:
        raise SymbolicError(
            f"the expression is {depth} levels deep; the SymPy bridge takes at most "
            f"{MAX_DEPTH} (SymPy recurses over its trees and would fail)"
        )
    check_size(e, max_sympy_size)
    arrays = any(g.shapes[i] for i in ids)
    if arrays:
        _check_entries(g, ids, max_sympy_size)
    env: dict[int, Any] = {}
    meter = _DepthMeter()
    try:
        for i in ids:
            env[i] = obj = _node_sympy(sp, g, i, env)
            entries = list(obj.ravel()) if isinstance(obj, np.ndarray) else [obj]
            for entry in entries:
                d = meter(entry)
                if d > MAX_SYMPY_DEPTH:
                    raise SymbolicError(
                        f"the SymPy form of the expression is at least {d} levels deep (at graph "
                        f"level {level[i]} of {depth}); the SymPy bridge takes at most "
                        f"{MAX_SYMPY_DEPTH} (SymPy recurses over its trees and would fail)"
                    )
                if arrays and max_sympy_size is not None and meter.size[id(entry)] > max_sympy_size:
                    raise _too_large_entries(meter.size[id(entry)], max_sympy_size)
    except RecursionError:
        raise SymbolicError(
            f"SymPy hit the recursion limit building the expression ({depth} levels deep)"
        ) from None
    except GraphirError:
        raise
    except Exception as exc:  # SymPy's own ValueError, OverflowError...: the bridge raises ours only
        formula = f"{g.ops[i]}({', '.join(_short(env[a], 40) for a in g.args[i])})"
        raise SymbolicError(f"SymPy cannot build {formula}: {_foreign(exc)}") from exc
    out = env[e._id]
    if arrays and max_sympy_size is not None and isinstance(out, np.ndarray):
        total = sum(meter.size[id(entry)] for entry in out.ravel())
        if total > max_sympy_size:
            raise _too_large_entries(total, max_sympy_size)
    return out


def _node_sympy(sp: Any, g: Graph, i: int, env: dict[int, Any]) -> Any:
    """The SymPy form of node ``i`` (its operands' forms in ``env``): an object array when
    the node has a shape."""
    op, param, shape = g.ops[i], g.params[i], g.shapes[i]
    if op == "var":
        if not shape:
            return symbol(param)
        out = np.empty(shape, dtype=object)
        for index in np.ndindex(*shape):
            out[index] = entry_symbol(param, index)
        return out
    if op == "const":
        return _const_to_sympy(sp, param)
    if op == "data":
        values = np.asarray(param.array, dtype=float)
        return np.frompyfunc(lambda v: _const_to_sympy(sp, float(v)), 1, 1)(values).astype(object)
    p = primitives.get(op)
    operands = [env[a] for a in g.args[i]]
    if p.elementwise:
        if not shape:
            return p.sympy(sp, *operands)
        return np.asarray(np.frompyfunc(lambda *xs: p.sympy(sp, *xs), len(operands), 1)(*operands),
                          dtype=object)
    operands = [np.asarray(x, dtype=object) for x in operands]
    out = p.sympy(sp, *operands, param) if p.has_param else p.sympy(sp, *operands)
    out = np.asarray(out, dtype=object)
    return out.item() if not shape else out.reshape(shape)


def _check_entries(g: Graph, ids: Sequence[int], limit: int | None) -> None:
    """Refuse an array expression whose nodes hold more than ``limit`` entries together."""
    if limit is None:
        return
    total = 0
    for i in ids:
        total += math.prod(g.shapes[i])
        if total > limit:
            raise SymbolicTooLarge(
                f"the array expression's nodes hold more than {limit} entries together, the limit "
                f"max_sympy_size={limit} for SymPy work (the SymPy bridge writes every entry out); "
                "pass a larger max_sympy_size= (None: no limit) or use smaller arrays",
                total, limit,
            )


def _too_large_entries(n: int, limit: int) -> SymbolicTooLarge:
    return SymbolicTooLarge(
        f"the SymPy form of the array expression's entries has {n} nodes, more than the limit "
        f"max_sympy_size={limit} for SymPy work; pass a larger max_sympy_size= (None: no limit) "
        "or use smaller arrays",
        n, limit,
    )


def _foreign(exc: BaseException) -> str:
    """A foreign exception in a few words, for a one-line message."""
    text = " ".join(str(exc).split())
    text = text if len(text) <= 160 else text[:157] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# ---------------------------------------------------------------- SymPy -> graphir


@dataclass
class _Plan:
    """How to build one SymPy node: convert ``children`` first, then ``build(ids)``."""

    children: list[Any]
    build: Callable[[list[int]], int]


def _fold(g: Graph, op: str, ids: Sequence[int]) -> int:
    return reduce(lambda a, b: g.apply(op, a, b), ids)


def _int_const(g: Graph, p: Any) -> int:
    try:
        return g.const(float(p))
    except OverflowError:
        raise SymbolicError(f"the integer {_short(p)} is too large for a float") from None


def _number(sp: Any, g: Graph, obj: Any) -> int:
    """Node of a SymPy number (Integer, Rational, Float, oo, nan, pi, E...)."""
    if obj is sp.S.ComplexInfinity:
        raise SymbolicError("SymPy's complex infinity (zoo) has no graphir counterpart")
    if obj is sp.S.NaN:
        return g.const(math.nan)
    if obj is sp.S.Infinity:
        return g.const(math.inf)
    if obj is sp.S.NegativeInfinity:
        return g.const(-math.inf)
    if obj is sp.S.Pi:
        return g.const(math.pi)
    if obj is sp.S.Exp1:
        return g.const(math.e)
    if obj.is_Integer:
        return _int_const(g, int(obj))
    if obj.is_Rational:
        p, q = int(obj.p), int(obj.q)
        try:
            v = p / q  # correctly rounded
        except OverflowError:
            raise SymbolicError(f"the number {_short(obj)} is too large for a float") from None
        if Fraction(v) == Fraction(p, q) and _const_to_sympy(sp, v) == obj:
            return g.const(v)  # a double, exactly, that goes back to this Rational
        if max(abs(p), q) <= 2**53:
            return g.apply("div", g.const(float(p)), g.const(float(q)))  # exact: 1/3 stays 1/3
        return g.const(v)  # no double holds it: the nearest one
    if obj.is_Float:
        return g.const(float(obj))
    if obj.is_NumberSymbol:  # GoldenRatio, EulerGamma, Catalan...
        return g.const(float(obj))
    raise SymbolicError(f"the SymPy number {_short(obj)} is not a real number graphir can hold")


def _negative_number(x: Any) -> bool:
    return bool(x.is_Number and x.is_extended_negative)


def _plan_add(sp: Any, g: Graph, obj: Any) -> _Plan:
    # Non-number terms in SymPy's order, numbers last ("x + 2", as SymPy prints).
    terms = [t for t in obj.args if not t.is_Number] + [t for t in obj.args if t.is_Number]
    negative = [_negative_number(t.as_coeff_Mul()[0]) for t in terms]
    kids = [-t if neg else t for t, neg in zip(terms, negative, strict=True)]
    # Lead with the first positive term: y - x rather than -x + y.
    lead = negative.index(False) if False in negative else 0
    order = [lead] + [k for k in range(len(terms)) if k != lead]

    def build(ids: list[int]) -> int:
        acc = ids[0]
        if negative[order[0]]:
            acc = g.apply("neg", acc)
        for k, i in zip(order[1:], ids[1:], strict=True):
            acc = g.apply("sub" if negative[k] else "add", acc, i)
        return acc

    return _Plan([kids[k] for k in order], build)


def _front_non_add(items: list[tuple[int, bool]]) -> list[tuple[int, bool]]:
    """Move the first factor that is not a sum to the front (SymPy order otherwise)."""
    for k, (_, is_add) in enumerate(items):
        if not is_add:
            return [items[k]] + items[:k] + items[k + 1 :]
    return items


_PENDING = -1


def _attach(g: Graph, const: int | None, items: list[tuple[int, bool]]) -> int | None:
    """``const * f1 * f2 * ...`` folded from the left with the number next to a factor
    that is not a sum; :data:`_PENDING` when every factor is a sum.

    SymPy distributes a number over a sum when the two are multiplied alone
    (``2*(x + y)`` becomes ``2*x + 2*y``, and so does ``(x + y)/2``), so a number
    is never multiplied onto a sum directly: when only sums are there, the caller
    applies the number last, to a product that is no longer a sum.
    """
    if not items:
        return const
    ids = [i for i, _ in _front_non_add(items)]
    if const is None:
        return _fold(g, "mul", ids)
    if all(is_add for _, is_add in items):
        return _PENDING
    return _fold(g, "mul", [const, *ids])


def _coefficient(sp: Any, g: Graph, coeff: Any) -> tuple[int | None, int | None]:
    """The constant nodes of a positive coefficient ``p/q`` (None where it is 1): a rational
    that floats hold exactly keeps its numerator and denominator apart, as it is printed."""
    if coeff.is_Rational and max(abs(int(coeff.p)), int(coeff.q)) <= 2**53:
        p_id = g.const(float(coeff.p)) if coeff.p != 1 else None
        q_id = g.const(float(coeff.q)) if coeff.q != 1 else None
        return p_id, q_id
    return (None if coeff == 1 else _number(sp, g, coeff)), None


def _fraction(sp: Any, factors: Any, matchers: list[primitives.Primitive]) -> tuple[list[Any], list[Any]]:
    """Numerator and denominator factors: a power with a negative number as exponent goes
    under the line (``x**(-2)`` as ``1/x**2``), unless a primitive prints it (``1/sqrt``)."""
    num: list[Any] = []
    den: list[Any] = []
    for f in factors:
        if (
            f.is_Pow
            and f.exp.is_Number
            and f.exp.is_extended_negative
            and not any(_match(sp, p, f) is not None for p in matchers)
        ):
            den.append(sp.Pow(f.base, -f.exp))
        else:
            num.append(f)
    return num, den


def _plan_mul(sp: Any, g: Graph, obj: Any, matchers: list[primitives.Primitive]) -> _Plan:
    """``c * f1 * ... / (d1 * ...)`` as SymPy prints it; its SymPy form is ``obj`` again."""
    coeff, factors = obj.as_coeff_mul()
    negative = _negative_number(coeff)
    p_id, q_id = _coefficient(sp, g, -coeff if negative else coeff)
    num, den = _fraction(sp, factors, matchers)
    num_add = [bool(f.is_Add) for f in num]
    den_add = [bool(f.is_Add) for f in den]
    n_num = len(num)

    def build(ids: list[int]) -> int:
        top = list(zip(ids[:n_num], num_add, strict=True))
        bottom = list(zip(ids[n_num:], den_add, strict=True))
        p = p_id
        negate_all = False
        if negative:
            if p is not None:
                p = g.const(-g.params[p])
            elif not top:
                p = g.const(-1.0)
            elif not all(num_add):
                top = _front_non_add(top)
                top[0] = (g.apply("neg", top[0][0]), False)
            else:
                negate_all = True
        numer = _attach(g, p, top)
        denom = _attach(g, q_id, bottom)
        core = _fold(g, "mul", [i for i, _ in top]) if numer == _PENDING else numer
        under = _fold(g, "mul", [i for i, _ in bottom]) if denom == _PENDING else denom
        out = g.const(1.0) if core is None else core
        if under is not None:
            out = g.apply("div", out, under)
        if numer == _PENDING:
            out = g.apply("mul", p, out)  # type: ignore[arg-type]
        if denom == _PENDING:
            out = g.apply("div", out, q_id)  # type: ignore[arg-type]
        return g.apply("neg", out) if negate_all else out

    return _Plan(num + den, build)


def _plan_pow(sp: Any, g: Graph, obj: Any) -> _Plan:
    base, ex = obj.args
    if ex.is_Number and ex.is_extended_negative:
        pos = sp.Pow(base, -ex)
        return _Plan([pos], lambda ids: g.apply("div", g.const(1.0), ids[0]))
    return _Plan([base, ex], lambda ids: g.apply("pow", ids[0], ids[1]))


def _match(sp: Any, p: primitives.Primitive, obj: Any) -> tuple[Any, ...] | None:
    m = p.sympy_match(sp, obj)  # type: ignore[misc]
    if m is not None and len(m) == p.arity:
        return tuple(m)
    return None


def _apply_plan(g: Graph, op: str, args: Sequence[Any]) -> _Plan:
    return _Plan(list(args), lambda ids: g.apply(op, *ids))


def _plan_head(sp: Any, g: Graph, obj: Any, p: primitives.Primitive) -> _Plan | None:
    args = obj.args
    if len(args) == p.arity:
        return _apply_plan(g, p.name, args)
    try:
        if len(args) > p.arity == 2:
            # An n-ary head (Max(a, b, c)): fold in pairs if that is the same thing.
            if reduce(lambda a, b: p.sympy(sp, a, b), args) == obj:
                return _Plan(list(args), lambda ids: _fold(g, p.name, ids))
        elif len(args) > p.arity and p.sympy(sp, *args[: p.arity]) == obj:
            # Extra arguments that are the defaults graphir uses (Heaviside(x, 1/2)).
            return _apply_plan(g, p.name, args[: p.arity])
    except (TypeError, ValueError):
        return None
    return None


def _unsupported(obj: Any, why: str = "") -> SymbolicError:
    name = type(obj).__name__
    return SymbolicError(
        f"SymPy {name} ({_short(obj)}) has no graphir counterpart{why}"
    )


# Rewrites tried on functions graphir has no primitive for (sec, cot, asinh...).
_REWRITE_TARGETS = ("cos", "sin", "tan", "exp", "log")


def _plan_rewrite(sp: Any, obj: Any, supported: Callable[[Any], bool]) -> Any | None:
    """The shortest rewrite of ``obj`` into functions graphir has (``cot(x)`` -> ``1/tan(x)``)."""
    best = None
    for target in _REWRITE_TARGETS:
        try:
            r = obj.rewrite(getattr(sp, target))
        except Exception:  # broad on purpose: a rewrite SymPy cannot do is just not an option
            continue
        if r != obj and supported(r):
            cost = sp.count_ops(r)
            if best is None or cost < best[0]:
                best = (cost, r)
    return None if best is None else best[1]


class _Converter:
    """SymPy -> graph, one node at a time from an explicit stack."""

    def __init__(self, graph: Graph):
        self.sp = sympy_module()
        self.g = graph
        self.done: dict[int, int] = {}
        self.alive: list[Any] = []  # keeps every object seen alive, so ids stay unique
        prims = [p for p in primitives.PRIMITIVES.values() if p.elementwise]
        self.matchers = [p for p in prims if p.sympy_match is not None]
        self.functions = primitives.call_names()
        self.heads: dict[str, primitives.Primitive] = {}
        for p in prims:
            if p.sympy_head and p.sympy_head not in self.heads:
                self.heads[p.sympy_head] = p

    def _supported_top(self, obj: Any) -> bool:
        return bool(
            obj.is_Atom or obj.is_Add or obj.is_Mul or obj.is_Pow
            or type(obj).__name__ in self.heads
            or any(_match(self.sp, p, obj) is not None for p in self.matchers)
        )

    def symbol_node(self, obj: Any) -> int:
        """The node of a SymPy symbol: a variable, or an entry of a shaped one (``W[0,1]``)."""
        entry = _parse_entry(obj.name)
        if entry is not None:
            return self.entry_node(obj.name, *entry)
        return self.g.var(self.variable_name(obj))

    def entry_node(self, text: str, name: str, index: tuple[int, ...]) -> int:
        """The node of the entry ``name[index]`` of a shaped variable the graph holds."""
        g = self.g
        v = g.find_var(name)
        if v is None or len(g.shapes[v]) != len(index) or any(
            k >= n for k, n in zip(index, g.shapes[v], strict=True)
        ):
            where = "no such variable" if v is None else f"{name} has shape {g.shapes[v]}"
            raise SymbolicError(
                f"the SymPy symbol {text!r} names an entry of an array variable {name!r}, but the graph "
                f"it is read into has {where} (build into a graph holding {name}: from_sympy_into)"
            )
        from ..shapes import normalize_key

        return g.apply("index", v, param=normalize_key(index, g.shapes[v]))

    def variable_name(self, symbol: Any) -> str:
        why = variable_name_problem(symbol.name, self.functions)
        if why is not None:
            raise SymbolicError(f"the SymPy symbol {symbol.name[:80]!r} cannot be a graphir variable: {why}")
        return symbol.name

    def plan(self, obj: Any) -> int | _Plan:
        sp, g = self.sp, self.g
        if obj.is_Symbol:
            return self.symbol_node(obj)
        if obj.is_Number or obj.is_NumberSymbol or obj is sp.S.ComplexInfinity:
            return _number(sp, g, obj)
        if obj.is_Atom:
            if obj is sp.I:
                raise SymbolicError("the imaginary unit I has no graphir counterpart (real numbers only)")
            raise _unsupported(obj)
        for p in self.matchers:
            m = _match(sp, p, obj)
            if m is not None:
                return _apply_plan(g, p.name, m)
        p = self.heads.get(type(obj).__name__)
        if p is not None:
            plan = _plan_head(sp, g, obj, p)
            if plan is not None:
                return plan
            raise _unsupported(obj, f" (graphir's {p.name} takes {p.arity} operand(s))")
        if obj.is_Add:
            return _plan_add(sp, g, obj)
        if obj.is_Mul:
            return _plan_mul(sp, g, obj, self.matchers)
        if obj.is_Pow:
            return _plan_pow(sp, g, obj)
        if isinstance(obj, sp.DiracDelta):
            raise _unsupported(
                obj, " (a distribution, zero except at one point: graphir keeps no such value)"
            )
        if isinstance(obj, sp.Function) and not isinstance(obj, sp.core.function.AppliedUndef):
            r = _plan_rewrite(sp, obj, self._supported_top)
            if r is not None:
                return _Plan([r], lambda ids: ids[0])
        raise _unsupported(obj)

    def convert(self, root: Any) -> int:
        done, alive = self.done, self.alive
        alive.append(root)
        stack: list[tuple[Any, _Plan | None]] = [(root, None)]
        while stack:
            obj, plan = stack.pop()
            k = id(obj)
            if k in done:
                continue
            if plan is None:
                planned = self.plan(obj)
                if isinstance(planned, int):
                    done[k] = planned
                    continue
                plan = planned
                alive.extend(plan.children)
                pending = [c for c in plan.children if id(c) not in done]
                if pending:
                    stack.append((obj, plan))
                    stack.extend((c, None) for c in reversed(pending))
                    continue
            done[k] = plan.build([done[id(c)] for c in plan.children])
        return done[id(root)]


def from_sympy_into(graph: Graph, e: Any, shape: tuple[int, ...] | None = None) -> int:
    """Node id of the SymPy expression ``e`` built into ``graph`` (see :func:`from_sympy`).

    A Matrix or N-dim array becomes an array node of its shape, or of ``shape`` when given
    (as many entries: a column Matrix read back as a vector); its entries may name entries
    of shaped variables ``graph`` holds (``W[0,1]``).
    """
    sp = sympy_module()
    if isinstance(e, (sp.MatrixBase, sp.NDimArray, np.ndarray)):
        return _array_into(sp, graph, e, shape)
    if isinstance(e, Expr):
        raise TypeError("from_sympy takes a SymPy expression; this is already a graphir expression")
    if isinstance(e, numbers.Real) and not isinstance(e, (bool, sp.Basic)):
        return _int_const(graph, e) if isinstance(e, numbers.Integral) else graph.const(float(e))
    if not isinstance(e, sp.Basic):
        raise TypeError(f"from_sympy takes a SymPy expression, got {type(e).__name__}")
    if not isinstance(e, sp.Expr):
        raise _unsupported(e, " (not an expression)")
    try:
        start = len(graph)
        root = _Converter(graph).convert(e)
        _stamp_by_name(graph, start)
        return root
    except RecursionError:
        raise SymbolicError("SymPy hit the recursion limit reading the expression") from None
    except GraphirError:
        raise
    except Exception as exc:  # SymPy's own errors: the bridge raises ours only
        raise SymbolicError(f"SymPy could not give the expression's parts: {_foreign(exc)}") from exc


def _array_into(sp: Any, graph: Graph, e: Any, shape: tuple[int, ...] | None) -> int:
    """An array node of the entries of the Matrix, N-dim array or object array ``e``: a data constant when
    every entry is a number, else a stack of the entries reshaped."""
    if isinstance(e, np.ndarray):
        entries = list(e.ravel())
    else:
        entries = list(e) if isinstance(e, sp.MatrixBase) else list(sp.flatten(e.tolist()))
    target = tuple(e.shape) if shape is None else tuple(shape)
    if math.prod(target) != len(entries) or not entries:
        raise SymbolicError(f"a SymPy array of shape {tuple(e.shape)} cannot be read as shape {target}")
    ids = [from_sympy_into(graph, x) for x in entries]
    values = [graph.const_value(i) for i in ids]
    if all(v is not None for v in values):
        return graph.data(np.array(values, dtype=float).reshape(target))
    flat = graph.apply("stack", *ids)
    return flat if target == (len(ids),) else graph.apply("reshape", flat, param=target)


def _natural(name: str) -> list[Any]:
    """Sort key of a name with its digits read as numbers: ``x2`` before ``x10``."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


def _stamp_by_name(graph: Graph, start: int) -> None:
    """Give the variables created from node ``start`` on their stamps in name order."""
    new = [i for i in range(start, len(graph)) if graph.ops[i] == "var"]
    stamps = sorted(graph.stamps[i] for i in new)
    for i, stamp in zip(sorted(new, key=lambda i: _natural(graph.params[i])), stamps, strict=True):
        graph.stamps[i] = stamp


def from_sympy(e: Any) -> Expr:
    """The graphir expression (in a new graph) of the SymPy expression ``e``.

    Symbols become variables of the same name, created in the order of their names
    (digits read as numbers: ``x2`` before ``x10``; a graph that holds a variable of
    that name already keeps its order); numbers become constants
    (``pi`` and ``E`` become ``math.pi`` and ``math.e``).  Anything without a
    graphir counterpart (``Piecewise``, ``DiracDelta``, ``I``, an unknown
    function...) raises :class:`~graphir.errors.SymbolicError` naming it.

    >>> import sympy
    >>> x, y = sympy.symbols("x y")
    >>> str(from_sympy(x - 2 * y / sympy.sqrt(x)))
    'x - 2*y/sqrt(x)'
    >>> str(from_sympy(sympy.Max(x, y, 1)))
    'maximum(maximum(1, x), y)'
    """
    g = Graph()
    return Expr(g, from_sympy_into(g, e))
