"""The primitive registry: everything graphir knows about each operation, in one record.

A :class:`Primitive` holds an operation's arity, its NumPy implementation, its
local partial derivatives as graph-building rules, its SymPy counterpart, its
labels and LaTeX for pictures, its precedence and the domain its tests sample
from.  Every pass (evaluate, forward, reverse, compile, SymPy bridge, parse,
render) reads this table; adding an operation means adding one record.

Partial rules are called as ``rule(b, out, *args)`` where ``out`` and ``args``
are expressions (:class:`graphir.Expr`) for the node and its operands and ``b``
is a small kit of graph builders (``b.cos(x)``, ``b.const(2)``,
``b.value(e)``).  They build nodes, never numbers, which is what makes higher
derivatives free.

Conventions at non-differentiable points (documented in docs/derivatives.md):
``abs'(0) = 0``; ``maximum``/``minimum`` split a tie evenly (each operand gets
1/2); ``sqrt'(0) = inf`` (the one-sided limit).

>>> PRIMITIVES["sin"].arity
1
>>> float(PRIMITIVES["sigmoid"].np(-1000.0))
0.0
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import GraphError

__all__ = ["Primitive", "PRIMITIVES", "register_primitive", "get", "DOMAINS"]

# Sampling intervals for tests and checks, by domain name.
DOMAINS: dict[str, tuple[tuple[float, float], ...]] = {
    "real": ((-3.0, 3.0),),
    "positive": ((0.2, 3.0),),
    "nonzero": ((-3.0, -0.2), (0.2, 3.0)),
    "unit": ((-0.9, 0.9),),
    "gt-1": ((-0.8, 3.0),),
}

# Precedence for parenthesising in text and LaTeX (higher binds tighter).
ATOM, POW, UNARY, PRODUCT, SUM = 100, 40, 30, 20, 10


@dataclass(frozen=True)
class Primitive:
    """One operation: how to compute it, differentiate it, print it and test it.

    Parameters
    ----------
    name : the op name stored on graph nodes (``"sin"``).
    arity : number of operands.
    np : NumPy implementation, elementwise, real inputs.
    partials : one rule per operand, ``rule(b, out, *args) -> Expr``.
    sympy : ``sympy(sp, *args)`` builds the SymPy counterpart (``sp`` is the sympy module).
    text : template for plain text, ``"sin({0})"`` or ``"{0} + {1}"``.
    latex : template for LaTeX, ``"\\sin{{\\left({0}\\right)}}"``.
    label : short label for graph pictures (``"sin"``, ``"+"``).
    prec : precedence of the text form (:data:`ATOM` for function calls).
    assoc : ``"left"`` or ``"right"`` for binary infix operators.
    domain : per operand, a key of :data:`DOMAINS` tests sample from.
    complex_np : implementation valid for complex input (complex step), if ``np`` is not.
    sympy_head : the SymPy class name when the counterpart is a plain function call.
    sympy_match : recognise this primitive in a SymPy expression: returns its operands or None.
    ufuncs : NumPy ufuncs that build this node when applied to an expression.
    aliases : other names the parser accepts (``"ln"`` for ``log``).
    identities : rules of the clean-up pass, ``(operand position, constant, result)``:
        when that operand is that constant the node is ``("operand", k)`` (its k-th
        operand) or ``("const", v)``; ``x*1 -> x`` is ``(1, 1.0, ("operand", 0))``.
    involution : ``f(f(x)) == x`` exactly (clean-up removes the pair).
    """

    name: str
    arity: int
    np: Callable[..., Any]
    partials: tuple[Callable[..., Any], ...]
    sympy: Callable[..., Any]
    text: str
    latex: str
    label: str
    prec: int = ATOM
    assoc: str | None = None
    domain: tuple[str, ...] = ("real",)
    complex_np: Callable[..., Any] | None = None
    sympy_head: str | None = None
    sympy_match: Callable[..., Any] | None = None
    ufuncs: tuple[Any, ...] = ()
    aliases: tuple[str, ...] = ()
    differentiable: bool = True
    identities: tuple[tuple[int, float, tuple[str, Any]], ...] = ()
    involution: bool = False
    user: bool = field(default=False, compare=False)

    @property
    def is_infix(self) -> bool:
        """True for operators written between or before their operands (``+``, unary ``-``)."""
        return self.prec != ATOM

    def complex_impl(self) -> Callable[..., Any]:
        """The implementation to use on complex input (complex-step differentiation)."""
        return self.complex_np or self.np


# ---------------------------------------------------------------- numerics


def _sigmoid(x: Any) -> Any:
    """Logistic function without overflow: each tail uses the form that stays finite."""
    x = np.asarray(x)
    pos = np.real(x) >= 0
    e = np.exp(np.where(pos, -x, x))
    return np.where(pos, 1.0 / (1.0 + e), e / (1.0 + e))


def _cabs(x: Any) -> Any:
    return np.where(np.real(x) < 0, -x, x)


def _cmaximum(x: Any, y: Any) -> Any:
    return np.where(np.real(x) >= np.real(y), x, y)


def _cminimum(x: Any, y: Any) -> Any:
    return np.where(np.real(x) <= np.real(y), x, y)


def _sign(x: Any) -> Any:
    return np.sign(np.real(x))


def _heaviside(x: Any) -> Any:
    return np.heaviside(np.real(x), 0.5)


def _match_sqrt(sp: Any, e: Any) -> tuple[Any, ...] | None:
    if e.is_Pow and e.exp == sp.S.Half:
        return (e.base,)
    return None


def _match_sigmoid(sp: Any, e: Any) -> tuple[Any, ...] | None:
    # 1/(1 + exp(-x)), the form sigmoid goes to SymPy as.
    if not (e.is_Pow and e.exp == -1 and e.base.is_Add and len(e.base.args) == 2):
        return None
    one, ex = sorted(e.base.args, key=lambda a: not a.is_Number)
    if one == 1 and isinstance(ex, sp.exp):
        return (-ex.args[0],)
    return None


def _pow_dbase(b: Any, out: Any, x: Any, y: Any) -> Any:
    c = b.value(y)
    if c is None:
        return y * x ** (y - 1)
    if c == 0:
        return b.const(0.0)
    if c == 1:
        return b.const(1.0)
    if c - 1 == 1:
        return b.const(c) * x
    return b.const(c) * x ** b.const(c - 1)


def _zero(b: Any, out: Any, *args: Any) -> Any:
    return b.const(0.0)


# ---------------------------------------------------------------- the table

_RECORDS: list[Primitive] = [
    Primitive(
        "add",
        2,
        np.add,
        (lambda b, o, x, y: b.const(1.0), lambda b, o, x, y: b.const(1.0)),
        lambda sp, x, y: x + y,
        "{0} + {1}",
        "{0} + {1}",
        "+",
        SUM,
        "left",
        ("real", "real"),
        ufuncs=(np.add,),
        identities=((1, 0.0, ("operand", 0)), (0, 0.0, ("operand", 1))),
    ),
    Primitive(
        "sub",
        2,
        np.subtract,
        (lambda b, o, x, y: b.const(1.0), lambda b, o, x, y: b.const(-1.0)),
        lambda sp, x, y: x - y,
        "{0} - {1}",
        "{0} - {1}",
        "\u2212",
        SUM,
        "left",
        ("real", "real"),
        ufuncs=(np.subtract,),
        identities=((1, 0.0, ("operand", 0)),),
    ),
    Primitive(
        "mul",
        2,
        np.multiply,
        (lambda b, o, x, y: y, lambda b, o, x, y: x),
        lambda sp, x, y: x * y,
        "{0}*{1}",
        "{0} \\cdot {1}",
        "\u00d7",
        PRODUCT,
        "left",
        ("real", "real"),
        ufuncs=(np.multiply,),
        identities=(
            (1, 1.0, ("operand", 0)),
            (0, 1.0, ("operand", 1)),
            (0, 0.0, ("const", 0.0)),  # 0*x -> 0 (IEEE gives nan when x is inf or nan)
            (1, 0.0, ("const", 0.0)),
        ),
    ),
    Primitive(
        "div",
        2,
        np.true_divide,
        (lambda b, o, x, y: b.const(1.0) / y, lambda b, o, x, y: -(o / y)),
        lambda sp, x, y: x / y,
        "{0}/{1}",
        "\\frac{{{0}}}{{{1}}}",
        "/",
        PRODUCT,
        "left",
        ("real", "nonzero"),
        ufuncs=(np.true_divide, np.divide),
        identities=((1, 1.0, ("operand", 0)),),
    ),
    Primitive(
        "neg",
        1,
        np.negative,
        (lambda b, o, x: b.const(-1.0),),
        lambda sp, x: -x,
        "-{0}",
        "-{0}",
        "\u2212",
        UNARY,
        None,
        ("real",),
        ufuncs=(np.negative,),
        involution=True,
    ),
    Primitive(
        "pow",
        2,
        np.power,
        (_pow_dbase, lambda b, o, x, y: o * b.log(x)),
        lambda sp, x, y: x**y,
        "{0}**{1}",
        "{0}^{{{1}}}",
        "^",
        POW,
        "right",
        ("positive", "real"),
        ufuncs=(np.power,),
        identities=((1, 1.0, ("operand", 0)), (1, 0.0, ("const", 1.0))),
        aliases=("power",),
    ),
    Primitive(
        "sin",
        1,
        np.sin,
        (lambda b, o, x: b.cos(x),),
        lambda sp, x: sp.sin(x),
        "sin({0})",
        "\\sin{{\\left({0} \\right)}}",
        "sin",
        sympy_head="sin",
        ufuncs=(np.sin,),
    ),
    Primitive(
        "cos",
        1,
        np.cos,
        (lambda b, o, x: -b.sin(x),),
        lambda sp, x: sp.cos(x),
        "cos({0})",
        "\\cos{{\\left({0} \\right)}}",
        "cos",
        sympy_head="cos",
        ufuncs=(np.cos,),
    ),
    Primitive(
        "tan",
        1,
        np.tan,
        (lambda b, o, x: 1.0 + o * o,),
        lambda sp, x: sp.tan(x),
        "tan({0})",
        "\\tan{{\\left({0} \\right)}}",
        "tan",
        domain=("unit",),
        sympy_head="tan",
        ufuncs=(np.tan,),
    ),
    Primitive(
        "asin",
        1,
        np.arcsin,
        (lambda b, o, x: 1.0 / b.sqrt(1.0 - x * x),),
        lambda sp, x: sp.asin(x),
        "asin({0})",
        "\\operatorname{{asin}}{{\\left({0} \\right)}}",
        "asin",
        domain=("unit",),
        sympy_head="asin",
        ufuncs=(np.arcsin,),
        aliases=("arcsin",),
    ),
    Primitive(
        "acos",
        1,
        np.arccos,
        (lambda b, o, x: -(1.0 / b.sqrt(1.0 - x * x)),),
        lambda sp, x: sp.acos(x),
        "acos({0})",
        "\\operatorname{{acos}}{{\\left({0} \\right)}}",
        "acos",
        domain=("unit",),
        sympy_head="acos",
        ufuncs=(np.arccos,),
        aliases=("arccos",),
    ),
    Primitive(
        "atan",
        1,
        np.arctan,
        (lambda b, o, x: 1.0 / (1.0 + x * x),),
        lambda sp, x: sp.atan(x),
        "atan({0})",
        "\\operatorname{{atan}}{{\\left({0} \\right)}}",
        "atan",
        sympy_head="atan",
        ufuncs=(np.arctan,),
        aliases=("arctan",),
    ),
    Primitive(
        "sinh",
        1,
        np.sinh,
        (lambda b, o, x: b.cosh(x),),
        lambda sp, x: sp.sinh(x),
        "sinh({0})",
        "\\sinh{{\\left({0} \\right)}}",
        "sinh",
        sympy_head="sinh",
        ufuncs=(np.sinh,),
    ),
    Primitive(
        "cosh",
        1,
        np.cosh,
        (lambda b, o, x: b.sinh(x),),
        lambda sp, x: sp.cosh(x),
        "cosh({0})",
        "\\cosh{{\\left({0} \\right)}}",
        "cosh",
        sympy_head="cosh",
        ufuncs=(np.cosh,),
    ),
    Primitive(
        "tanh",
        1,
        np.tanh,
        (lambda b, o, x: 1.0 - o * o,),
        lambda sp, x: sp.tanh(x),
        "tanh({0})",
        "\\tanh{{\\left({0} \\right)}}",
        "tanh",
        sympy_head="tanh",
        ufuncs=(np.tanh,),
    ),
    Primitive(
        "exp",
        1,
        np.exp,
        (lambda b, o, x: o,),
        lambda sp, x: sp.exp(x),
        "exp({0})",
        "\\exp{{\\left({0} \\right)}}",
        "exp",
        sympy_head="exp",
        ufuncs=(np.exp,),
    ),
    Primitive(
        "log",
        1,
        np.log,
        (lambda b, o, x: 1.0 / x,),
        lambda sp, x: sp.log(x),
        "log({0})",
        "\\ln{{\\left({0} \\right)}}",
        "ln",
        domain=("positive",),
        sympy_head="log",
        ufuncs=(np.log,),
        aliases=("ln",),
    ),
    Primitive(
        "sqrt",
        1,
        np.sqrt,
        (lambda b, o, x: 0.5 / o,),
        lambda sp, x: sp.sqrt(x),
        "sqrt({0})",
        "\\sqrt{{{0}}}",
        "\u221a",
        domain=("positive",),
        sympy_match=_match_sqrt,
        ufuncs=(np.sqrt,),
    ),
    Primitive(
        "abs",
        1,
        np.abs,
        (lambda b, o, x: b.sign(x),),
        lambda sp, x: sp.Abs(x),
        "abs({0})",
        "\\left|{0}\\right|",
        "abs",
        domain=("nonzero",),
        complex_np=_cabs,
        sympy_head="Abs",
        ufuncs=(np.absolute,),
    ),
    Primitive(
        "sigmoid",
        1,
        _sigmoid,
        (lambda b, o, x: o * b.sigmoid(-x),),
        lambda sp, x: 1 / (1 + sp.exp(-x)),
        "sigmoid({0})",
        "\\sigma{{\\left({0} \\right)}}",
        "\u03c3",
        sympy_match=_match_sigmoid,
        aliases=("logistic", "expit"),
    ),
    Primitive(
        "log1p",
        1,
        np.log1p,
        (lambda b, o, x: 1.0 / (1.0 + x),),
        lambda sp, x: _cfunc(sp, "log1p")(x),
        "log1p({0})",
        "\\operatorname{{log1p}}{{\\left({0} \\right)}}",
        "log1p",
        domain=("gt-1",),
        sympy_head="log1p",
        ufuncs=(np.log1p,),
    ),
    Primitive(
        "expm1",
        1,
        np.expm1,
        (lambda b, o, x: o + 1.0,),
        lambda sp, x: _cfunc(sp, "expm1")(x),
        "expm1({0})",
        "\\operatorname{{expm1}}{{\\left({0} \\right)}}",
        "expm1",
        sympy_head="expm1",
        ufuncs=(np.expm1,),
    ),
    Primitive(
        "maximum",
        2,
        np.maximum,
        (lambda b, o, x, y: b.heaviside(x - y), lambda b, o, x, y: b.heaviside(y - x)),
        lambda sp, x, y: sp.Max(x, y),
        "maximum({0}, {1})",
        "\\max\\left({0}, {1}\\right)",
        "max",
        domain=("real", "real"),
        complex_np=_cmaximum,
        sympy_head="Max",
        ufuncs=(np.maximum,),
        aliases=("max",),
    ),
    Primitive(
        "minimum",
        2,
        np.minimum,
        (lambda b, o, x, y: b.heaviside(y - x), lambda b, o, x, y: b.heaviside(x - y)),
        lambda sp, x, y: sp.Min(x, y),
        "minimum({0}, {1})",
        "\\min\\left({0}, {1}\\right)",
        "min",
        domain=("real", "real"),
        complex_np=_cminimum,
        sympy_head="Min",
        ufuncs=(np.minimum,),
        aliases=("min",),
    ),
    # Helpers that derivative rules build; piecewise constant, so their partial is 0.
    Primitive(
        "sign",
        1,
        np.sign,
        (_zero,),
        lambda sp, x: sp.sign(x),
        "sign({0})",
        "\\operatorname{{sign}}{{\\left({0} \\right)}}",
        "sign",
        domain=("nonzero",),
        complex_np=_sign,
        sympy_head="sign",
        ufuncs=(np.sign,),
    ),
    Primitive(
        "heaviside",
        1,
        lambda x: np.heaviside(x, 0.5),
        (_zero,),
        lambda sp, x: sp.Heaviside(x, sp.S.Half),
        "heaviside({0})",
        "\\theta\\left({0}\\right)",
        "H",
        domain=("nonzero",),
        complex_np=_heaviside,
        sympy_head="Heaviside",
    ),
]


def _cfunc(sp: Any, name: str) -> Any:
    from sympy.codegen import cfunctions

    return getattr(cfunctions, name)


PRIMITIVES: dict[str, Primitive] = {p.name: p for p in _RECORDS}

# Ops that are leaves rather than primitives.
LEAF_OPS = ("var", "const")


def get(op: str) -> Primitive:
    """The record of ``op``; :class:`GraphError` when there is none.

    >>> get("mul").label
    '\u00d7'
    """
    try:
        return PRIMITIVES[op]
    except KeyError:
        raise GraphError(f"unknown op {op!r}") from None


def register_primitive(
    name: str,
    np_fn: Callable[..., Any],
    partials: tuple[Callable[..., Any], ...] | list[Callable[..., Any]],
    *,
    arity: int | None = None,
    sympy: Callable[..., Any] | None = None,
    label: str | None = None,
    latex: str | None = None,
    domain: tuple[str, ...] | None = None,
    complex_np: Callable[..., Any] | None = None,
) -> Primitive:
    """Register a user's own primitive and return its record.

    ``partials`` holds one rule per operand, ``rule(b, out, *args)``, built from
    expressions (``b.cos(x)``, ``-out``, ``x * y`` ...). Use
    :func:`graphir.check_partials` to find a wrong rule.

    >>> import numpy as np
    >>> p = register_primitive("cube", lambda x: x**3, [lambda b, o, x: 3.0 * x * x])
    >>> p.arity
    1
    """
    if not name.isidentifier() or name in LEAF_OPS:
        raise GraphError(f"cannot register a primitive named {name!r}")
    if name in PRIMITIVES and not PRIMITIVES[name].user:
        raise GraphError(f"{name!r} is a built-in primitive and cannot be replaced")
    partials = tuple(partials)
    n = len(partials) if arity is None else arity
    if len(partials) != n:
        raise GraphError(f"{name}: {n} operands need {n} partial rules, got {len(partials)}")
    args = ", ".join("{" + str(i) + "}" for i in range(n))

    def no_sympy(sp: Any, *a: Any) -> Any:
        return sp.Function(name)(*a)

    record = Primitive(
        name,
        n,
        np_fn,
        partials,
        sympy or no_sympy,
        f"{name}({args})",
        latex or f"\\operatorname{{{name}}}\\left({args}\\right)",
        label or name,
        domain=domain or ("real",) * n,
        complex_np=complex_np,
        sympy_head=None if sympy else name,
        user=True,
    )
    PRIMITIVES[name] = record
    return record


def pi_or_e(value: float) -> str | None:
    """The name of a constant that is exactly ``math.pi`` or ``math.e``, else None."""
    if value == math.pi:
        return "pi"
    if value == math.e:
        return "e"
    return None
