"""The SymPy bridge, calculus: simplification and symbolic gradients through SymPy.

Both convert with :mod:`graphir.bridges.sympy_convert`, let SymPy work, and
convert back into a new graph.  A symbolic gradient is the pointwise
derivative of a real function, the thing graphir's AD and finite differences
compute (see :func:`symbolic_grad`).

>>> import graphir as gi
>>> x, y = gi.symbols("x y")
>>> [str(d) for d in symbolic_grad(x * gi.sin(y))]
['sin(y)', 'x*cos(y)']
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np

from ..arguments import wrt_names
from ..build import Expr, as_expr
from ..errors import GraphirError, SymbolicError
from ..ir import Graph
from .sympy_convert import entry_symbol, from_sympy_into, symbol, sympy_entries, sympy_module
from .sympy_limits import (
    DEFAULT_TIMEOUT,
    MAX_SYMPY_SIZE,
    SYMPY_FAILURES,
    read_size,
    sympy_failed,
    time_limit,
)

__all__ = ["simplify", "symbolic_grad", "precise_grad", "REFERENCE_DIGITS"]

#: Significant digits of :func:`precise_grad`'s values (mpmath, adaptive precision).
REFERENCE_DIGITS = 40

def simplify(
    expr: Expr,
    *,
    sympy_timeout: float | None = DEFAULT_TIMEOUT,
    max_sympy_size: int | None = MAX_SYMPY_SIZE,
) -> Expr:
    """A simpler equal expression, through :func:`sympy.simplify` (in a new graph).

    SymPy gets ``sympy_timeout`` seconds (None: no limit) and an expression whose tree
    form has at most ``max_sympy_size`` nodes (see :mod:`graphir.bridges.sympy_limits`);
    past either it raises :class:`~graphir.errors.SymbolicTimeout` or
    :class:`~graphir.errors.SymbolicTooLarge`, and anything SymPy cannot do is a
    :class:`~graphir.errors.SymbolicError`.

    >>> import graphir as gi
    >>> x, = gi.symbols("x,")
    >>> str(simplify(gi.sin(x) ** 2 + gi.cos(x) ** 2 + x))
    'x + 1'

    An array expression is simplified entry by entry and comes back with its shape (a
    stack of the simplified entries, reshaped; a data constant when all are numbers).

    >>> w = gi.symbols("w", shape=(2,))
    >>> str(simplify(gi.exp(gi.log(w)) - w + 1))
    '[1, 1]'
    """
    sp = sympy_module()
    limit = time_limit(sympy_timeout, "simplifying the expression")
    max_sympy_size = read_size(max_sympy_size)
    try:
        with limit:
            e = as_expr(expr)
            s = sympy_entries(e, max_sympy_size=max_sympy_size)
            g = _with_variables_of(e)
            if isinstance(s, np.ndarray):
                simpler = np.frompyfunc(sp.simplify, 1, 1)(s)
                return Expr(g, from_sympy_into(g, simpler, e.shape))
            return Expr(g, from_sympy_into(g, sp.simplify(s)))
    except GraphirError:
        raise
    except SYMPY_FAILURES as exc:
        raise sympy_failed(exc, "simplifying") from None


def _with_variables_of(e: Expr) -> Graph:
    """A new graph holding the variables of ``e`` (in their order: results keep it)."""
    g = Graph()
    g.copy_from(e.ir, [v.node for v in e.variables])
    return g


@lru_cache(maxsize=1)
def _real_stand_ins() -> dict[Any, Any]:
    """SymPy functions standing in for ``Abs`` and ``sign`` while differentiating.

    SymPy differentiates ``Abs(u)`` as ``sign(u)*u'`` only when it can prove ``u``
    real; for ``Abs(asin(x))`` it answers with ``re``, ``im``, ``atan2`` and ``I``,
    and ``sign(asin(x))`` stays an unevaluated ``Derivative``.  graphir's values
    are real wherever they are defined, so the stand-ins carry the real rules:
    ``|u|' = sign(u)`` and ``sign'(u) = 0`` (the pointwise derivative; it does not
    exist at ``u = 0``, where graphir's own rules also take 0).
    """
    sp = sympy_module()

    class RealAbs(sp.Function):
        nargs = 1

        def fdiff(self, argindex: int = 1) -> Any:
            return sp.sign(self.args[0])

    class RealSign(sp.Function):
        nargs = 1

        def fdiff(self, argindex: int = 1) -> Any:
            return sp.S.Zero

    return {sp.Abs: RealAbs, sp.sign: RealSign}


def _diff(sp: Any, s: Any, name: str, shape: tuple[int, ...] = ()) -> Any:
    """SymPy's derivative of ``s`` by the variable ``name``; by every entry of it (an object
    array of ``shape``) when it has a shape."""
    if shape:
        out = np.empty(shape, dtype=object)
        for index in np.ndindex(*shape):
            out[index] = _diff_by(sp, s, entry_symbol(name, index))
        return out
    return _diff_by(sp, s, symbol(name))


def _diff_by(sp: Any, s: Any, sym: Any) -> Any:
    stand_ins = _real_stand_ins()
    for f, g in stand_ins.items():
        if s.has(f):
            s = s.replace(f, g)
    d = sp.diff(s, sym)
    for f, g in stand_ins.items():
        if d.has(g):
            d = d.replace(g, f)
    # DiracDelta comes from differentiating heaviside (and maximum/minimum twice).  A
    # symbolic gradient here is the pointwise (classical) derivative, the thing
    # graphir's AD and finite differences compute: DiracDelta(u) is 0 wherever
    # u != 0, and where u == 0 the derivative does not exist at all.  graphir's own
    # rules take heaviside' = 0, so mapping DiracDelta to 0 is sound at every point
    # where the derivative exists, and is the same convention.
    if d.has(sp.DiracDelta):
        d = d.replace(sp.DiracDelta, lambda *args: sp.S.Zero)
    return d


def _lost_non_finite(sp: Any, e: Expr, forms: list[Any]) -> str | None:
    """Why SymPy's forms cannot stand for ``e`` (None when they can).

    SymPy folds ``nan`` into the whole expression (``2*w - nan`` is ``nan``, whose
    derivative is 0), and ``oo - oo`` into ``nan``, where graphir keeps the structure and
    its rules still give a derivative (``d(2*w - nan)/dw = 2``).
    """
    from ..traversal import reachable

    g = e.ir
    consts = [g.params[i] for i in reachable(g, [e.node]) if g.ops[i] == "const"]
    if any(isinstance(v, float) and math.isnan(v) for v in consts):
        return "SymPy folds the expression's nan into the whole expression, so its derivative is lost"
    entries = [x for f in forms for x in (f.ravel() if isinstance(f, np.ndarray) else [f])]
    if any(isinstance(v, float) and math.isinf(v) for v in consts) and any(
        f.has(sp.nan, sp.zoo) for f in entries
    ):
        return "SymPy turns the expression's infinities into nan, so its derivative is lost"
    return None


def symbolic_grad(
    expr: Expr,
    wrt: Any = None,
    *,
    sympy_timeout: float | None = DEFAULT_TIMEOUT,
    max_sympy_size: int | None = MAX_SYMPY_SIZE,
) -> tuple[Expr, ...]:
    """SymPy's own partial derivatives of ``expr``, brought back as expressions.

    ``wrt`` is a variable, a name or a sequence of them (default:
    ``expr.variables``; a name must name a variable of ``expr``).  All
    partials live in one new graph.  ``expr`` must be a scalar (else
    :class:`~graphir.errors.ShapeError`); the partial by a shaped variable has the
    variable's shape (SymPy differentiates by each entry, ``W[0,1]``).  These are the pointwise derivatives of
    real functions: ``abs(u)`` gives ``sign(u)*u'`` even where SymPy cannot
    prove ``u`` real, and ``sign``/``heaviside`` (whose derivative SymPy writes
    with ``DiracDelta``) give 0, graphir's convention.  ``sympy_timeout`` (seconds for
    all partials together) and ``max_sympy_size`` limit SymPy as in :func:`simplify`.

    >>> import graphir as gi
    >>> x1, x2 = gi.symbols("x1 x2")
    >>> [str(d) for d in symbolic_grad(gi.log(x1) + x1 * x2 - gi.sin(x2))]
    ['x2 + 1/x1', 'x1 - cos(x2)']
    >>> w = gi.symbols("w", shape=(2,))
    >>> dw, = symbolic_grad(gi.sum(w * w))
    >>> dw.shape, dw.eval(w=[1.0, 3.0]).tolist()
    ((2,), [2.0, 6.0])
    """
    sp = sympy_module()
    e = as_expr(expr)
    names = wrt_names(e, wrt)
    g = _with_variables_of(e)
    out = []
    limit = time_limit(sympy_timeout, "differentiating the expression")
    max_sympy_size = read_size(max_sympy_size)
    try:
        with limit:
            shapes = _shapes(e, names, wrt)
            for d, shape in zip(_sympy_partials(sp, e, names, max_sympy_size, shapes), shapes, strict=True):
                out.append(Expr(g, from_sympy_into(g, d, shape) if shape else from_sympy_into(g, d)))
    except GraphirError:
        raise
    except SYMPY_FAILURES as exc:
        raise sympy_failed(exc, "differentiating") from None
    return tuple(out)


def _shapes(e: Expr, names: list[str], wrt: Any) -> list[tuple[int, ...]]:
    """The shapes of the variables ``names`` (of ``e``, else of the variables in ``wrt``);
    a :class:`~graphir.errors.ShapeError` when ``e`` is not a scalar."""
    from ..errors import ShapeError

    if e.shape:
        raise ShapeError(
            f"a gradient takes a scalar expression, got one of shape {e.shape}; differentiate its "
            "entries (or a sum of them) one at a time"
        )
    given = {w.name: w.shape for w in (wrt if isinstance(wrt, (list, tuple)) else [wrt])
             if isinstance(w, Expr) and w.ir.is_var(w.node)}
    out = []
    for n in names:
        v = e.ir.find_var(n)
        out.append(e.ir.shapes[v] if v is not None else given.get(n, ()))
    return out


def _sympy_partials(
    sp: Any, e: Expr, names: list[str], max_sympy_size: int | None, shapes: list[tuple[int, ...]],
) -> list[Any]:
    """SymPy's partials of ``e`` by ``names`` (SymPy objects, object arrays for shaped variables);
    a :class:`SymbolicError` when SymPy lost a nan or an infinity of the graph
    (:func:`_lost_non_finite`)."""
    s = sympy_entries(e, max_sympy_size=max_sympy_size)
    out = [_diff(sp, s, name, shape) for name, shape in zip(names, shapes, strict=True)]
    why = _lost_non_finite(sp, e, [s, *out])
    if why is not None:
        raise SymbolicError(f"{why}; SymPy cannot give this derivative")
    return out


def _real_value(sp: Any, value: Any, digits: int) -> Any:
    """``value`` (what ``evalf`` gave) as an ``mpmath.mpf``, or None when it is no real number."""
    import mpmath

    re, im = value.as_real_imag()
    if not (re.is_Number and im.is_Number):
        return None  # SymPy could not reduce it to a number
    if im != 0 and abs(im) > sp.Float(10) ** (-digits) * max(abs(re), 1):
        return None  # complex: outside the real domain, where graphir's values are nan
    with mpmath.workdps(digits + 10):  # an mpf is rounded to the working precision it is made in
        return mpmath.mpf(sp.Float(re, digits + 10)._mpf_)


def _subs(sp: Any, point: dict[str, Any], precision: int) -> dict[Any, Any]:
    """SymPy substitutions of the point's values (exact binary floats), entry by entry for arrays."""
    subs = {}
    for n, v in point.items():
        if isinstance(v, np.ndarray):
            for index in np.ndindex(*v.shape):
                subs[entry_symbol(n, index)] = sp.Float(float(v[index]), precision)
        else:
            subs[symbol(n)] = sp.Float(float(v), precision)
    return subs


def _precise(sp: Any, d: Any, subs: dict[Any, Any], digits: int) -> Any:
    import mpmath

    value = _real_value(sp, d.evalf(digits, subs=subs), digits)
    return mpmath.nan if value is None else value


def precise_grad(
    expr: Expr,
    at: Any,
    wrt: Any = None,
    *,
    digits: int = REFERENCE_DIGITS,
    sympy_timeout: float | None = DEFAULT_TIMEOUT,
    max_sympy_size: int | None = MAX_SYMPY_SIZE,
) -> tuple[Any, ...]:
    """SymPy's partial derivatives of ``expr`` at ``at``, evaluated with ``digits`` significant
    digits: a tuple of ``mpmath.mpf``, one per variable of ``wrt`` (default ``expr.variables``).

    The point's floats are taken exactly (their binary values, ``0.1`` is
    0.1000000000000000055...), and so are the graph's constants; ``sympy.evalf`` raises
    its working precision until ``digits`` digits are right, so cancellation
    (``1/(1 + x) - 1`` at ``x = 1e-10``) costs nothing.  This is the reference
    :func:`graphir.compare` and :func:`graphir.step_sweep` measure against.  A partial
    that is no real number there (out of the domain, complex, or left unevaluated) is
    ``mpmath.nan``.  The partial by a shaped variable is an object array of ``mpf`` of its
    shape (the point gives such a variable an array of its shape).  Raises
    :class:`~graphir.errors.SymbolicError` (and its ``SymbolicTimeout``, ``SymbolicTooLarge``)
    when SymPy cannot give the partials, as :func:`symbolic_grad`; ``sympy_timeout`` covers
    the differentiation and the evaluation.

    >>> import graphir as gi
    >>> x, = gi.symbols("x,")
    >>> d, = precise_grad(gi.log(1 + x) - x, {"x": 1e-10})
    >>> import mpmath
    >>> mpmath.nstr(d, 25)
    '-9.999999999000000364421973e-11'
    """
    from ..arguments import as_shaped_point, variable_shapes

    sp = sympy_module()
    e = as_expr(expr)
    names = wrt_names(e, wrt)
    point = as_shaped_point(at, variable_shapes(e, wrt))
    limit = time_limit(sympy_timeout, "evaluating the derivatives in high precision")
    max_sympy_size = read_size(max_sympy_size)
    out: list[Any] = []
    try:
        with limit:
            shapes = _shapes(e, names, wrt)
            partials = _sympy_partials(sp, e, names, max_sympy_size, shapes)
            subs = _subs(sp, point, digits + 30)
            for d in partials:
                if isinstance(d, np.ndarray):
                    values = np.empty(d.shape, dtype=object)
                    for index in np.ndindex(*d.shape):
                        values[index] = _precise(sp, d[index], subs, digits)
                    out.append(values)
                else:
                    out.append(_precise(sp, d, subs, digits))
    except GraphirError:
        raise
    except SYMPY_FAILURES as exc:
        raise sympy_failed(exc, "evaluating the derivatives of") from None
    return tuple(out)
