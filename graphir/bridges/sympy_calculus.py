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

from ..arguments import wrt_names
from ..build import Expr, as_expr
from ..errors import GraphirError, SymbolicError
from ..ir import Graph
from .sympy_convert import from_sympy_into, symbol, sympy_module, to_sympy
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
    """
    sp = sympy_module()
    limit = time_limit(sympy_timeout, "simplifying the expression")
    max_sympy_size = read_size(max_sympy_size)
    try:
        with limit:
            s = to_sympy(expr, max_sympy_size=max_sympy_size)
            g = _with_variables_of(as_expr(expr))
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


def _diff(sp: Any, s: Any, name: str) -> Any:
    stand_ins = _real_stand_ins()
    for f, g in stand_ins.items():
        if s.has(f):
            s = s.replace(f, g)
    d = sp.diff(s, symbol(name))
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
    if any(isinstance(v, float) and math.isinf(v) for v in consts) and any(
        f.has(sp.nan, sp.zoo) for f in forms
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
    partials live in one new graph.  These are the pointwise derivatives of
    real functions: ``abs(u)`` gives ``sign(u)*u'`` even where SymPy cannot
    prove ``u`` real, and ``sign``/``heaviside`` (whose derivative SymPy writes
    with ``DiracDelta``) give 0, graphir's convention.  ``sympy_timeout`` (seconds for
    all partials together) and ``max_sympy_size`` limit SymPy as in :func:`simplify`.

    >>> import graphir as gi
    >>> x1, x2 = gi.symbols("x1 x2")
    >>> [str(d) for d in symbolic_grad(gi.log(x1) + x1 * x2 - gi.sin(x2))]
    ['x2 + 1/x1', 'x1 - cos(x2)']
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
            for d in _sympy_partials(sp, e, names, max_sympy_size):
                out.append(Expr(g, from_sympy_into(g, d)))
    except GraphirError:
        raise
    except SYMPY_FAILURES as exc:
        raise sympy_failed(exc, "differentiating") from None
    return tuple(out)


def _sympy_partials(sp: Any, e: Expr, names: list[str], max_sympy_size: int | None) -> list[Any]:
    """SymPy's partials of ``e`` by ``names`` (SymPy objects); a :class:`SymbolicError` when
    SymPy lost a nan or an infinity of the graph (:func:`_lost_non_finite`)."""
    s = to_sympy(e, max_sympy_size=max_sympy_size)
    out = [_diff(sp, s, name) for name in names]
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
    ``mpmath.nan``.  Raises :class:`~graphir.errors.SymbolicError` (and its
    ``SymbolicTimeout``, ``SymbolicTooLarge``) when SymPy cannot give the partials, as
    :func:`symbolic_grad`; ``sympy_timeout`` covers the differentiation and the evaluation.

    >>> import graphir as gi
    >>> x, = gi.symbols("x,")
    >>> d, = precise_grad(gi.log(1 + x) - x, {"x": 1e-10})
    >>> import mpmath
    >>> mpmath.nstr(d, 25)
    '-9.999999999000000364421973e-11'
    """
    import mpmath

    from ..arguments import as_point

    sp = sympy_module()
    e = as_expr(expr)
    names = wrt_names(e, wrt)
    point = as_point(at, scalar=True)
    limit = time_limit(sympy_timeout, "evaluating the derivatives in high precision")
    max_sympy_size = read_size(max_sympy_size)
    out = []
    try:
        with limit:
            partials = _sympy_partials(sp, e, names, max_sympy_size)
            subs = {symbol(n): sp.Float(float(v), digits + 30) for n, v in point.items()}
            for d in partials:
                value = _real_value(sp, d.evalf(digits, subs=subs), digits)
                out.append(mpmath.nan if value is None else value)
    except GraphirError:
        raise
    except SYMPY_FAILURES as exc:
        raise sympy_failed(exc, "evaluating the derivatives of") from None
    return tuple(out)
