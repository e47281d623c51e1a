"""The primitive registry: everything graphir knows about each operation, in one record.

A :class:`Primitive` holds an operation's arity, its NumPy implementation, its
local partial derivatives as graph-building rules, its SymPy counterpart, its
text, LaTeX and picture label, its infix symbols with their precedence and
associativity, and the domain its tests sample from.  Every pass (evaluate,
forward, reverse, compile, clean-up, SymPy bridge, parser, pictures) reads this
table; adding an operation means adding one record.

Partial rules are called as ``rule(b, out, *args)`` where ``out`` and ``args``
are expressions (:class:`graphir.Expr`) for the node and its operands and ``b``
is the builder kit (:class:`graphir.build.RuleKit`: ``b.cos(x)``,
``b.const(2)``, ``b.value(e)``).  They build nodes, never numbers, which is
what makes higher derivatives free.

Conventions at non-differentiable points (documented in docs/derivatives.md):
``abs'(0) = 0``; ``maximum``/``minimum`` split a tie evenly (each operand gets
1/2); ``sqrt'(0) = inf`` (the one-sided limit).

>>> PRIMITIVES["sin"].arity
1
>>> float(PRIMITIVES["sigmoid"].numpy(-1000.0))
0.0
>>> PRIMITIVES["pow"].infix, PRIMITIVES["pow"].assoc
(('**', '^'), 'right')
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from . import shapes as sh
from .errors import GraphError, ShapeError

if TYPE_CHECKING:
    from .build import Expr

__all__ = [
    "Primitive",
    "PRIMITIVES",
    "register_primitive",
    "unregister_primitive",
    "get",
    "registry_version",
    "DOMAINS",
    "CONSTANT_NAMES",
    "call_names",
    "name_problem",
]

# Sampling intervals for tests and checks, by domain name.
DOMAINS: dict[str, tuple[tuple[float, float], ...]] = {
    "real": ((-3.0, 3.0),),
    "positive": ((0.2, 3.0),),
    "nonzero": ((-3.0, -0.2), (0.2, 3.0)),
    "unit": ((-0.9, 0.9),),
    "gt-1": ((-0.8, 3.0),),
}

# Precedence of infix operators, for the parser and for parenthesising in text
# and LaTeX (higher binds tighter); ATOM for everything written as a call.
ATOM, POSTFIX, POW, UNARY, PRODUCT, SUM = 100, 90, 40, 30, 20, 10


@dataclass(frozen=True, kw_only=True)
class Primitive:
    """One operation: how to compute it, differentiate it, print it, parse it and test it.

    Parameters
    ----------
    name : the op name stored on graph nodes (``"sin"``).
    arity : number of operands (None: any number, at least one).
    numpy : NumPy implementation, elementwise, real inputs.
    complex_numpy : implementation valid for complex input (complex step), when
        ``numpy`` is not; ``None`` means ``numpy`` is.
    partials : one rule per operand, ``rule(b, out, *args) -> Expr``.
    sympy : ``sympy(sp, *args)`` builds the SymPy counterpart (``sp`` is the sympy module).
    sympy_head : the SymPy class name when the counterpart is a plain function call.
    sympy_match : recognise this primitive in a SymPy expression: returns its operands or None.
    text : template for plain text, ``"sin({0})"`` or ``"{0} + {1}"``.
    latex : template for LaTeX, ``"\\sin{{\\left({0}\\right)}}"``.
    label : short label for graph pictures (``"sin"``, ``"+"``).
    infix : the symbols the parser reads for this operator, between two operands
        (binary) or before one (unary): ``("+",)``, ``("**", "^")``; empty for a
        function written as a call.
    function_syntax : an infix operator the parser also reads as a call by its
        name or an alias (``pow(x, y)``, ``power(x, y)``).
    prec : precedence of the infix form (:data:`SUM` ... :data:`POW`; higher binds
        tighter), :data:`ATOM` for a function call.
    assoc : ``"left"`` or ``"right"`` for binary infix operators.
    tight : a picture writes the operator without spaces (``v₁^2``, ``1/v₀``).
    domain : per operand, a key of :data:`DOMAINS` tests sample from.
    ufuncs : NumPy ufuncs that build this node when applied to an expression.
    aliases : other names the parser accepts (``"ln"`` for ``log``).
    identities : rules of the clean-up pass, ``(operand position, constant, result)``:
        when that operand is that constant the node is ``("operand", k)`` (its k-th
        operand) or ``("const", v)``; ``x*1 -> x`` is ``(1, 1.0, ("operand", 0))``.
    involution : ``f(f(x)) == x`` exactly (clean-up removes the pair).
    user : registered by :func:`register_primitive` (built-ins are never replaced).
    elementwise : the operation acts entry by entry with NumPy broadcasting, so
        ``partials`` are entrywise and the passes broadcast a tangent to the
        node's shape and sum an adjoint back to the operand's shape.  An array
        operation (``matmul``, ``sum``, ``index``...) is not elementwise: it gives
        ``shape``, ``jvp`` and ``vjp`` instead of ``partials``.
    has_param : the node carries a parameter (an axis, an index key, a shape),
        passed last to ``numpy``, ``shape``, ``sympy`` and ``param_text``.
    shape : ``shape(param, *operand_shapes)`` -> the node's shape, raising
        :class:`~graphir.errors.ShapeError` (elementwise ops broadcast).
    jvp : ``jvp(b, k, out, t, *args)`` -> the tangent ``out`` gets from the
        tangent ``t`` of operand ``k`` (shaped as ``out``).
    vjp : ``vjp(b, k, out, g, *args)`` -> the adjoint operand ``k`` gets from
        the adjoint ``g`` of ``out`` (shaped as that operand).
    adjoint_text : per operand, how the adjoint moves, for pictures and tables:
        ``"{g} · {1}ᵀ"`` (``{g}`` the incoming adjoint, ``{0}``... the operands).
    param_text : ``param_text(param, operand_shape)`` -> the text of the
        parameter in ``text``/``latex`` templates (their ``{p}``).
    in_text : the parser reads it (array operations are not written in text).
    py_form : the op on Python floats, for the ``python`` backend of ``lambdify``
        (:mod:`graphir.passes.scalar_code`): ``"{0} + {1}"``, ``"sin({0})"``, where a
        name is a function of that backend's namespace (``math``'s, calibrated against
        ``numpy``); None for an op it does not take.
    py_keeps_nonfinite : a non-finite operand gives ``py_form`` a non-finite result
        (or makes it raise), so an inf that reaches it cannot vanish unseen.
    py_silent_overflow : ``py_form`` overflows to inf without raising (``+ - * /``,
        ``pow``), where ``numpy`` would warn.
    """

    name: str
    arity: int | None
    numpy: Callable[..., Any]
    complex_numpy: Callable[..., Any] | None = None
    partials: tuple[Callable[..., Any], ...]
    sympy: Callable[..., Any]
    sympy_head: str | None = None
    sympy_match: Callable[..., Any] | None = None
    text: str
    latex: str
    label: str
    infix: tuple[str, ...] = ()
    function_syntax: bool = False
    prec: int = ATOM
    assoc: str | None = None
    tight: bool = False
    domain: tuple[str, ...] = ("real",)
    ufuncs: tuple[Any, ...] = ()
    aliases: tuple[str, ...] = ()
    identities: tuple[tuple[int, float, tuple[str, Any]], ...] = ()
    involution: bool = False
    user: bool = field(default=False, compare=False)
    elementwise: bool = True
    has_param: bool = False
    shape: Callable[..., tuple[int, ...]] | None = None
    jvp: Callable[..., Any] | None = None
    vjp: Callable[..., Any] | None = None
    adjoint_text: tuple[str, ...] = ()
    param_text: Callable[..., str] | None = None
    in_text: bool = True
    py_form: str | None = None
    py_keeps_nonfinite: bool = False
    py_silent_overflow: bool = False

    def out_shape(self, param: Any, *shapes: tuple[int, ...]) -> tuple[int, ...]:
        """The shape of this op's node for operands of ``shapes`` (ShapeError when they do not fit).

        >>> PRIMITIVES["add"].out_shape(None, (2, 1), (3,))
        (2, 3)
        """
        if self.shape is not None:
            return self.shape(param, *shapes)
        return sh.broadcast(self.name, *shapes, symbol=self.infix[0] if self.infix else ",")

    def template(self, latex: bool, nargs: int, param: Any = None, shape: tuple[int, ...] = ()) -> str:
        """The text (or LaTeX) template of a node with ``nargs`` operands and ``param``:
        slots ``{0}``, ``{1}``... for the operands.

        >>> PRIMITIVES["sum"].template(False, 1, 0, (2, 3))
        'sum({0}, axis=0)'
        """
        t = self.latex if latex else self.text
        if self.arity is None:
            t = t.replace("{*}", ", ".join("{" + str(k) + "}" for k in range(nargs)))
        if self.has_param and self.param_text is not None:
            t = t.replace("{p}", self.param_text(param, shape).replace("{", "{{").replace("}", "}}"))
        return t

    @property
    def is_infix(self) -> bool:
        """True for operators written between or before their operands (``+``, unary ``-``)."""
        return bool(self.infix)

    def complex_impl(self) -> Callable[..., Any]:
        """The implementation to use on complex input (complex-step differentiation).

        >>> complex(PRIMITIVES["abs"].complex_impl()(-2 + 1e-20j))
        (2-1e-20j)
        """
        return self.complex_numpy or self.numpy


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
        name="add",
        py_form="{0} + {1}",
        py_keeps_nonfinite=True,
        py_silent_overflow=True,
        arity=2,
        numpy=np.add,
        partials=(lambda b, out, x, y: b.const(1.0), lambda b, out, x, y: b.const(1.0)),
        sympy=lambda sp, x, y: x + y,
        text="{0} + {1}",
        latex="{0} + {1}",
        label="+",
        infix=("+",),
        prec=SUM,
        assoc="left",
        domain=("real", "real"),
        ufuncs=(np.add,),
        identities=((1, 0.0, ("operand", 0)), (0, 0.0, ("operand", 1))),
    ),
    Primitive(
        name="sub",
        py_form="{0} - {1}",
        py_keeps_nonfinite=True,
        py_silent_overflow=True,
        arity=2,
        numpy=np.subtract,
        partials=(lambda b, out, x, y: b.const(1.0), lambda b, out, x, y: b.const(-1.0)),
        sympy=lambda sp, x, y: x - y,
        text="{0} - {1}",
        latex="{0} - {1}",
        label="\u2212",
        infix=("-",),
        prec=SUM,
        assoc="left",
        domain=("real", "real"),
        ufuncs=(np.subtract,),
        identities=((1, 0.0, ("operand", 0)),),
    ),
    Primitive(
        name="mul",
        py_form="{0} * {1}",
        py_keeps_nonfinite=True,
        py_silent_overflow=True,
        arity=2,
        numpy=np.multiply,
        partials=(lambda b, out, x, y: y, lambda b, out, x, y: x),
        sympy=lambda sp, x, y: x * y,
        text="{0}*{1}",
        latex=r"{0} \cdot {1}",
        label="\u00d7",
        infix=("*",),
        prec=PRODUCT,
        assoc="left",
        domain=("real", "real"),
        ufuncs=(np.multiply,),
        identities=(
            (1, 1.0, ("operand", 0)),
            (0, 1.0, ("operand", 1)),
            (0, 0.0, ("const", 0.0)),  # 0*x -> 0 (IEEE gives nan when x is inf or nan)
            (1, 0.0, ("const", 0.0)),
        ),
    ),
    Primitive(
        name="div",
        py_form="{0} / {1}",
        py_silent_overflow=True,
        arity=2,
        numpy=np.true_divide,
        partials=(lambda b, out, x, y: b.const(1.0) / y, lambda b, out, x, y: -(out / y)),
        sympy=lambda sp, x, y: x / y,
        text="{0}/{1}",
        latex=r"\frac{{{0}}}{{{1}}}",
        label="/",
        infix=("/",),
        prec=PRODUCT,
        assoc="left",
        tight=True,
        domain=("real", "nonzero"),
        ufuncs=(np.true_divide, np.divide),
        identities=((1, 1.0, ("operand", 0)),),
    ),
    Primitive(
        name="neg",
        py_form="-{0}",
        py_keeps_nonfinite=True,
        arity=1,
        numpy=np.negative,
        partials=(lambda b, out, x: b.const(-1.0),),
        sympy=lambda sp, x: -x,
        text="-{0}",
        latex="-{0}",
        label="\u2212",
        infix=("-",),
        prec=UNARY,
        domain=("real",),
        ufuncs=(np.negative,),
        involution=True,
    ),
    Primitive(
        name="pow",
        py_form="pow({0}, {1})",
        py_silent_overflow=True,
        arity=2,
        numpy=np.power,
        partials=(_pow_dbase, lambda b, out, x, y: out * b.log(x)),
        sympy=lambda sp, x, y: x**y,
        text="{0}**{1}",
        latex="{0}^{{{1}}}",
        label="^",
        infix=("**", "^"),
        function_syntax=True,
        prec=POW,
        assoc="right",
        tight=True,
        domain=("positive", "real"),
        ufuncs=(np.power,),
        aliases=("power",),
        identities=((1, 1.0, ("operand", 0)), (1, 0.0, ("const", 1.0))),
    ),
    Primitive(
        name="sin",
        py_form="sin({0})",
        py_keeps_nonfinite=True,
        arity=1,
        numpy=np.sin,
        partials=(lambda b, out, x: b.cos(x),),
        sympy=lambda sp, x: sp.sin(x),
        sympy_head="sin",
        text="sin({0})",
        latex=r"\sin{{\left({0} \right)}}",
        label="sin",
        domain=("real",),
        ufuncs=(np.sin,),
    ),
    Primitive(
        name="cos",
        py_form="cos({0})",
        py_keeps_nonfinite=True,
        arity=1,
        numpy=np.cos,
        partials=(lambda b, out, x: -b.sin(x),),
        sympy=lambda sp, x: sp.cos(x),
        sympy_head="cos",
        text="cos({0})",
        latex=r"\cos{{\left({0} \right)}}",
        label="cos",
        domain=("real",),
        ufuncs=(np.cos,),
    ),
    Primitive(
        name="tan",
        py_form="tan({0})",
        py_keeps_nonfinite=True,
        arity=1,
        numpy=np.tan,
        partials=(lambda b, out, x: 1.0 + out * out,),
        sympy=lambda sp, x: sp.tan(x),
        sympy_head="tan",
        text="tan({0})",
        latex=r"\tan{{\left({0} \right)}}",
        label="tan",
        domain=("unit",),
        ufuncs=(np.tan,),
    ),
    Primitive(
        name="asin",
        py_form="asin({0})",
        py_keeps_nonfinite=True,
        arity=1,
        numpy=np.arcsin,
        partials=(lambda b, out, x: 1.0 / b.sqrt(1.0 - x * x),),
        sympy=lambda sp, x: sp.asin(x),
        sympy_head="asin",
        text="asin({0})",
        latex=r"\operatorname{{asin}}{{\left({0} \right)}}",
        label="asin",
        domain=("unit",),
        ufuncs=(np.arcsin,),
        aliases=("arcsin",),
    ),
    Primitive(
        name="acos",
        py_form="acos({0})",
        py_keeps_nonfinite=True,
        arity=1,
        numpy=np.arccos,
        partials=(lambda b, out, x: -(1.0 / b.sqrt(1.0 - x * x)),),
        sympy=lambda sp, x: sp.acos(x),
        sympy_head="acos",
        text="acos({0})",
        latex=r"\operatorname{{acos}}{{\left({0} \right)}}",
        label="acos",
        domain=("unit",),
        ufuncs=(np.arccos,),
        aliases=("arccos",),
    ),
    Primitive(
        name="atan",
        py_form="atan({0})",
        arity=1,
        numpy=np.arctan,
        partials=(lambda b, out, x: 1.0 / (1.0 + x * x),),
        sympy=lambda sp, x: sp.atan(x),
        sympy_head="atan",
        text="atan({0})",
        latex=r"\operatorname{{atan}}{{\left({0} \right)}}",
        label="atan",
        domain=("real",),
        ufuncs=(np.arctan,),
        aliases=("arctan",),
    ),
    Primitive(
        name="sinh",
        py_form="sinh({0})",
        py_keeps_nonfinite=True,
        arity=1,
        numpy=np.sinh,
        partials=(lambda b, out, x: b.cosh(x),),
        sympy=lambda sp, x: sp.sinh(x),
        sympy_head="sinh",
        text="sinh({0})",
        latex=r"\sinh{{\left({0} \right)}}",
        label="sinh",
        domain=("real",),
        ufuncs=(np.sinh,),
    ),
    Primitive(
        name="cosh",
        py_form="cosh({0})",
        py_keeps_nonfinite=True,
        arity=1,
        numpy=np.cosh,
        partials=(lambda b, out, x: b.sinh(x),),
        sympy=lambda sp, x: sp.cosh(x),
        sympy_head="cosh",
        text="cosh({0})",
        latex=r"\cosh{{\left({0} \right)}}",
        label="cosh",
        domain=("real",),
        ufuncs=(np.cosh,),
    ),
    Primitive(
        name="tanh",
        py_form="tanh({0})",
        arity=1,
        numpy=np.tanh,
        partials=(lambda b, out, x: 1.0 - out * out,),
        sympy=lambda sp, x: sp.tanh(x),
        sympy_head="tanh",
        text="tanh({0})",
        latex=r"\tanh{{\left({0} \right)}}",
        label="tanh",
        domain=("real",),
        ufuncs=(np.tanh,),
    ),
    Primitive(
        name="exp",
        py_form="exp({0})",
        arity=1,
        numpy=np.exp,
        partials=(lambda b, out, x: out,),
        sympy=lambda sp, x: sp.exp(x),
        sympy_head="exp",
        text="exp({0})",
        latex=r"\exp{{\left({0} \right)}}",
        label="exp",
        domain=("real",),
        ufuncs=(np.exp,),
    ),
    Primitive(
        name="log",
        py_form="log({0})",
        py_keeps_nonfinite=True,
        arity=1,
        numpy=np.log,
        partials=(lambda b, out, x: 1.0 / x,),
        sympy=lambda sp, x: sp.log(x),
        sympy_head="log",
        text="log({0})",
        latex=r"\ln{{\left({0} \right)}}",
        label="ln",
        domain=("positive",),
        ufuncs=(np.log,),
        aliases=("ln",),
    ),
    Primitive(
        name="sqrt",
        py_form="sqrt({0})",
        py_keeps_nonfinite=True,
        arity=1,
        numpy=np.sqrt,
        partials=(lambda b, out, x: 0.5 / out,),
        sympy=lambda sp, x: sp.sqrt(x),
        sympy_match=_match_sqrt,
        text="sqrt({0})",
        latex=r"\sqrt{{{0}}}",
        label="\u221a",
        domain=("positive",),
        ufuncs=(np.sqrt,),
    ),
    Primitive(
        name="abs",
        py_form="abs({0})",
        py_keeps_nonfinite=True,
        arity=1,
        numpy=np.abs,
        complex_numpy=_cabs,
        partials=(lambda b, out, x: b.sign(x),),
        sympy=lambda sp, x: sp.Abs(x),
        sympy_head="Abs",
        text="abs({0})",
        latex=r"\left|{0}\right|",
        label="abs",
        domain=("nonzero",),
        ufuncs=(np.absolute,),
    ),
    Primitive(
        name="sigmoid",
        py_form="sigmoid({0})",
        arity=1,
        numpy=_sigmoid,
        partials=(lambda b, out, x: out * b.sigmoid(-x),),
        sympy=lambda sp, x: 1 / (1 + sp.exp(-x)),
        sympy_match=_match_sigmoid,
        text="sigmoid({0})",
        latex=r"\sigma{{\left({0} \right)}}",
        label="\u03c3",
        domain=("real",),
        aliases=("logistic", "expit"),
    ),
    Primitive(
        name="log1p",
        py_form="log1p({0})",
        py_keeps_nonfinite=True,
        arity=1,
        numpy=np.log1p,
        partials=(lambda b, out, x: 1.0 / (1.0 + x),),
        sympy=lambda sp, x: _cfunc(sp, "log1p")(x),
        sympy_head="log1p",
        text="log1p({0})",
        latex=r"\operatorname{{log1p}}{{\left({0} \right)}}",
        label="log1p",
        domain=("gt-1",),
        ufuncs=(np.log1p,),
    ),
    Primitive(
        name="expm1",
        py_form="expm1({0})",
        arity=1,
        numpy=np.expm1,
        partials=(lambda b, out, x: out + 1.0,),
        sympy=lambda sp, x: _cfunc(sp, "expm1")(x),
        sympy_head="expm1",
        text="expm1({0})",
        latex=r"\operatorname{{expm1}}{{\left({0} \right)}}",
        label="expm1",
        domain=("real",),
        ufuncs=(np.expm1,),
    ),
    Primitive(
        name="maximum",
        py_form="maximum({0}, {1})",
        arity=2,
        numpy=np.maximum,
        complex_numpy=_cmaximum,
        partials=(lambda b, out, x, y: b.heaviside(x - y), lambda b, out, x, y: b.heaviside(y - x)),
        sympy=lambda sp, x, y: sp.Max(x, y),
        sympy_head="Max",
        text="maximum({0}, {1})",
        latex=r"\max\left({0}, {1}\right)",
        label="max",
        domain=("real", "real"),
        ufuncs=(np.maximum,),
        aliases=("max",),
    ),
    Primitive(
        name="minimum",
        py_form="minimum({0}, {1})",
        arity=2,
        numpy=np.minimum,
        complex_numpy=_cminimum,
        partials=(lambda b, out, x, y: b.heaviside(y - x), lambda b, out, x, y: b.heaviside(x - y)),
        sympy=lambda sp, x, y: sp.Min(x, y),
        sympy_head="Min",
        text="minimum({0}, {1})",
        latex=r"\min\left({0}, {1}\right)",
        label="min",
        domain=("real", "real"),
        ufuncs=(np.minimum,),
        aliases=("min",),
    ),
    # Helpers that derivative rules build; piecewise constant, so their partial is 0.
    Primitive(
        name="sign",
        py_form="sign({0})",
        arity=1,
        numpy=np.sign,
        complex_numpy=_sign,
        partials=(_zero,),
        sympy=lambda sp, x: sp.sign(x),
        sympy_head="sign",
        text="sign({0})",
        latex=r"\operatorname{{sign}}{{\left({0} \right)}}",
        label="sign",
        domain=("nonzero",),
        ufuncs=(np.sign,),
    ),
    Primitive(
        name="heaviside",
        py_form="heaviside({0})",
        arity=1,
        numpy=lambda x: np.heaviside(x, 0.5),
        complex_numpy=_heaviside,
        partials=(_zero,),
        sympy=lambda sp, x: sp.Heaviside(x, sp.S.Half),
        sympy_head="Heaviside",
        text="heaviside({0})",
        latex=r"\theta\left({0}\right)",
        label="H",
        domain=("nonzero",),
    ),
    # ------------------------------------------------------------ array operations
    # Not elementwise: each gives its shape rule and its jvp/vjp rules (see Primitive).
    Primitive(
        name="matmul",
        arity=2,
        numpy=np.matmul,
        partials=(),
        sympy=lambda sp, a, b: np.matmul(a, b),
        text="{0} @ {1}",
        latex=r"{0} \, {1}",
        label="@",
        prec=PRODUCT,
        assoc="left",
        domain=("real", "real"),
        ufuncs=(np.matmul,),
        elementwise=False,
        shape=lambda param, a, b: sh.matmul_shape(a, b),
        jvp=lambda b, k, out, t, x, y: b.matmul(t, y) if k == 0 else b.matmul(x, t),
        vjp=lambda b, k, out, g, x, y: _matmul_vjp(b, k, g, x, y),
        adjoint_text=("{g} · {1}ᵀ", "{0}ᵀ · {g}"),
        in_text=False,
    ),
    Primitive(
        name="sum",
        arity=1,
        numpy=lambda x, axis: np.sum(x, axis=axis),
        partials=(),
        sympy=lambda sp, x, axis: _object_array(np.sum(x, axis=axis)),
        text="sum({0}{p})",
        latex=r"\operatorname{{sum}}\left({0}{p}\right)",
        label="\u03a3",
        elementwise=False,
        has_param=True,
        shape=lambda axis, s: sh.reduced(s, axis),
        jvp=lambda b, k, out, t, x: b.sum(t, param=out.ir.params[out.node]),
        vjp=lambda b, k, out, g, x: _unreduce(b, g, x.shape, out.ir.params[out.node]),
        adjoint_text=("broadcast({g})",),
        param_text=lambda axis, s: "" if axis is None else f", axis={axis}",
        in_text=False,
    ),
    Primitive(
        name="transpose",
        arity=1,
        numpy=lambda x, axes: np.transpose(x, axes),
        partials=(),
        sympy=lambda sp, x, axes: np.transpose(x, axes),
        text="{0}.T",
        latex="{0}^{{\\top}}",
        label="\u1d40",
        prec=POSTFIX,
        elementwise=False,
        has_param=True,
        shape=lambda axes, s: tuple(s[a] for a in axes) if axes is not None else s[::-1],
        jvp=lambda b, k, out, t, x: b.transpose(t, param=out.ir.params[out.node]),
        vjp=lambda b, k, out, g, x: b.transpose(g, param=_inverse_axes(out.ir.params[out.node])),
        adjoint_text=("{g}ᵀ",),
        param_text=lambda axes, s: "" if axes is None else f"{axes}",
        in_text=False,
    ),
    Primitive(
        name="index",
        arity=1,
        numpy=lambda x, key: x[sh.numpy_key(key)],
        partials=(),
        sympy=lambda sp, x, key: _object_array(x[sh.numpy_key(key)]),
        text="{0}[{p}]",
        latex="{0}_{{{p}}}",
        label="[ ]",
        prec=POSTFIX,
        elementwise=False,
        has_param=True,
        shape=lambda key, s: sh.index_shape(key, s),
        jvp=lambda b, k, out, t, x: b.index(t, param=out.ir.params[out.node]),
        vjp=lambda b, k, out, g, x: b.unindex(g, param=(out.ir.params[out.node], x.shape)),
        adjoint_text=("scatter({g})",),
        param_text=lambda key, s: sh.key_text(key, s),
        in_text=False,
    ),
    Primitive(
        name="unindex",
        arity=1,
        numpy=lambda g, param: _unindex(g, param),
        partials=(),
        sympy=lambda sp, g, param: _unindex(g, param, zero=sp.S.Zero),
        text="unindex({0}{p})",
        latex=r"\operatorname{{scatter}}\left({0}{p}\right)",
        label="scatter",
        elementwise=False,
        has_param=True,
        shape=lambda param, s: _unindex_shape(param, s),
        jvp=lambda b, k, out, t, x: b.unindex(t, param=out.ir.params[out.node]),
        vjp=lambda b, k, out, g, x: b.index(g, param=out.ir.params[out.node][0]),
        adjoint_text=("{g}[…]",),
        param_text=lambda p, s: f", [{sh.key_text(p[0], p[1])}], {p[1]}",
        in_text=False,
    ),
    Primitive(
        name="reshape",
        arity=1,
        numpy=lambda x, shape: np.reshape(x, shape),
        partials=(),
        sympy=lambda sp, x, shape: np.reshape(x, shape),
        text="reshape({0}{p})",
        latex=r"\operatorname{{reshape}}\left({0}{p}\right)",
        label="reshape",
        elementwise=False,
        has_param=True,
        shape=lambda shape, s: _reshape_shape(shape, s),
        jvp=lambda b, k, out, t, x: b.reshape(t, param=out.shape),
        vjp=lambda b, k, out, g, x: b.reshape(g, param=x.shape),
        adjoint_text=("reshape({g})",),
        param_text=lambda shape, s: f", {shape}",
        in_text=False,
    ),
    Primitive(
        name="broadcast_to",
        arity=1,
        numpy=lambda x, shape: np.broadcast_to(x, shape),
        partials=(),
        sympy=lambda sp, x, shape: _object_array(np.broadcast_to(_object_array(x), shape)),
        text="broadcast_to({0}{p})",
        latex=r"\operatorname{{broadcast}}\left({0}{p}\right)",
        label="broadcast",
        elementwise=False,
        has_param=True,
        shape=lambda shape, s: _broadcast_to_shape(shape, s),
        jvp=lambda b, k, out, t, x: b.broadcast_to(t, param=out.shape),
        vjp=lambda b, k, out, g, x: b.sum_to(g, param=x.shape),
        adjoint_text=("sum_to({g})",),
        param_text=lambda shape, s: f", {shape}",
        in_text=False,
    ),
    Primitive(
        name="sum_to",
        arity=1,
        numpy=lambda x, shape: sh.sum_to_value(x, shape),
        partials=(),
        sympy=lambda sp, x, shape: _object_array(sh.sum_to_value(_object_array(x), shape)),
        text="sum_to({0}{p})",
        latex=r"\operatorname{{sum\_to}}\left({0}{p}\right)",
        label="sum to",
        elementwise=False,
        has_param=True,
        shape=lambda shape, s: _sum_to_shape(shape, s),
        jvp=lambda b, k, out, t, x: b.sum_to(t, param=out.shape),
        vjp=lambda b, k, out, g, x: b.broadcast_to(g, param=x.shape),
        adjoint_text=("broadcast({g})",),
        param_text=lambda shape, s: f", {shape}",
        in_text=False,
    ),
    Primitive(
        name="logsumexp",
        arity=1,
        numpy=lambda x, axis: _logsumexp(x, axis),
        partials=(),
        sympy=lambda sp, x, axis: _object_array(np.vectorize(sp.log, otypes=[object])(
            np.sum(np.vectorize(sp.exp, otypes=[object])(x), axis=axis))),
        text="logsumexp({0}{p})",
        latex=r"\operatorname{{logsumexp}}\left({0}{p}\right)",
        label="logsumexp",
        elementwise=False,
        has_param=True,
        shape=lambda axis, s: sh.reduced(s, axis),
        jvp=lambda b, k, out, t, x: b.sum(b.softmax(x, param=_axis(out)) * t, param=_axis(out)),
        vjp=lambda b, k, out, g, x: _unreduce(b, g, x.shape, _axis(out)) * b.softmax(x, param=_axis(out)),
        adjoint_text=("{g} · softmax({0})",),
        param_text=lambda axis, s: "" if axis is None else f", axis={axis}",
        in_text=False,
    ),
    Primitive(
        name="softmax",
        arity=1,
        numpy=lambda x, axis: _softmax(x, axis),
        partials=(),
        sympy=lambda sp, x, axis: _sympy_softmax(sp, x, axis),
        text="softmax({0}{p})",
        latex=r"\operatorname{{softmax}}\left({0}{p}\right)",
        label="softmax",
        elementwise=False,
        has_param=True,
        shape=lambda axis, s: s,
        jvp=lambda b, k, out, t, x: _softmax_linear(b, out, t),
        vjp=lambda b, k, out, g, x: _softmax_linear(b, out, g),
        adjoint_text=("s ⊙ ({g} − Σ {g} ⊙ s)",),
        param_text=lambda axis, s: "" if axis is None else f", axis={axis}",
        in_text=False,
    ),
    Primitive(
        name="stack",
        arity=None,
        numpy=lambda *xs: np.stack(xs),
        partials=(),
        sympy=lambda sp, *xs: np.stack([_object_array(x) for x in xs]),
        text="stack([{*}])",
        latex=r"\operatorname{{stack}}\left({*}\right)",
        label="stack",
        elementwise=False,
        shape=lambda param, *s: _stack_shape(s),
        jvp=lambda b, k, out, t, *xs: b.unindex(t, param=((k,), out.shape)),
        vjp=lambda b, k, out, g, *xs: b.index(g, param=(k,)),
        adjoint_text=("{g}[k]",),
        in_text=False,
    ),
]


# ---------------------------------------------------------------- array helpers


def _axis(out: Any) -> Any:
    """The axis parameter of the node ``out``."""
    return out.ir.params[out.node]


def _inverse_axes(axes: tuple[int, ...] | None) -> tuple[int, ...] | None:
    return None if axes is None else tuple(int(k) for k in np.argsort(axes))


def _unreduce(b: Any, g: Any, shape: tuple[int, ...], axis: int | None) -> Any:
    """``g``, reduced over ``axis``, broadcast back to ``shape`` (the adjoint of a sum)."""
    if g.shape == shape:
        return g
    if axis not in (None, 0):
        g = b.reshape(g, param=sh.kept(shape, axis))
    return b.broadcast_to(g, param=shape)


def _softmax_linear(b: Any, s: Any, v: Any) -> Any:
    """``s * (v - sum(s * v))`` over the softmax's axis: its tangent and its adjoint
    (the Jacobian ``diag(s) - s sᵀ`` is symmetric)."""
    axis = _axis(s)
    return s * (v - _unreduce(b, b.sum(s * v, param=axis), s.shape, axis))


def _matmul_vjp(b: Any, k: int, g: Any, x: Any, y: Any) -> Any:
    """The adjoint of operand ``k`` of ``x @ y`` (1-D operands as NumPy reads them)."""
    sx, sy = x.shape, y.shape
    if len(sx) == 1 and len(sy) == 1:  # a dot product: g is a scalar
        return g * (y if k == 0 else x)
    if k == 0:
        if len(sy) == 1:  # (m, n) @ (n,): the outer product of g and y
            return b.matmul(b.reshape(g, param=(sx[0], 1)), b.reshape(y, param=(1, sy[0])))
        return b.matmul(y, g) if len(sx) == 1 else b.matmul(g, b.transpose(y, param=None))
    if len(sx) == 1:  # (n,) @ (n, m): the outer product of x and g
        return b.matmul(b.reshape(x, param=(sx[0], 1)), b.reshape(g, param=(1, sy[1])))
    return b.matmul(b.transpose(x, param=None), g)


def _object_array(x: Any) -> Any:
    """``x`` as an object array (SymPy entries), 0-d for a scalar."""
    return np.asarray(x, dtype=object)


def _unindex(g: Any, param: Any, zero: Any = 0.0) -> Any:
    """Zeros of the operand's shape with ``g`` placed at the key (the adjoint of indexing)."""
    key, shape = param
    g = np.asarray(g)
    if g.dtype == object:
        out = np.full(shape, zero, dtype=object)
    else:
        out = np.zeros(shape, dtype=np.result_type(g.dtype, float))
    out[sh.numpy_key(key)] = g
    return out


def _unindex_shape(param: Any, s: tuple[int, ...]) -> tuple[int, ...]:
    key, shape = param
    if sh.index_shape(key, shape) != s:
        raise ShapeError(f"unindex: {s} does not fit [{sh.key_text(key, shape)}] of shape {shape}")
    return shape


def _reshape_shape(shape: tuple[int, ...], s: tuple[int, ...]) -> tuple[int, ...]:
    if sh.size(shape) != sh.size(s):
        raise ShapeError(f"reshape: {s} -> {shape}: {sh.size(s)} entries != {sh.size(shape)}")
    return shape


def _broadcast_to_shape(shape: tuple[int, ...], s: tuple[int, ...]) -> tuple[int, ...]:
    if sh.broadcast("broadcast_to", s, shape) != shape:
        raise ShapeError(f"broadcast_to: {s} does not broadcast to {shape}")
    return shape


def _sum_to_shape(shape: tuple[int, ...], s: tuple[int, ...]) -> tuple[int, ...]:
    if not sh.can_sum_to(s, shape):
        raise ShapeError(f"sum_to: {s} does not sum to {shape}")
    return shape


def _stack_shape(shapes: tuple[tuple[int, ...], ...]) -> tuple[int, ...]:
    if not shapes:
        raise ShapeError("stack: nothing to stack")
    if any(s != shapes[0] for s in shapes):
        raise ShapeError(f"stack: the shapes differ: {', '.join(map(str, shapes))}")
    return (len(shapes), *shapes[0])


def _logsumexp(x: Any, axis: int | None) -> Any:
    """``log(sum(exp(x)))`` without overflow: the largest entry is taken out first."""
    x = np.asarray(x)
    m = np.max(np.real(x), axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out.reshape(()) if axis is None else np.squeeze(out, axis=axis)


def _softmax(x: Any, axis: int | None) -> Any:
    """``exp(x) / sum(exp(x))`` without overflow."""
    x = np.asarray(x)
    m = np.max(np.real(x), axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    e = np.exp(x - m)
    return e / np.sum(e, axis=axis, keepdims=True)


def _sympy_softmax(sp: Any, x: Any, axis: int | None) -> Any:
    e = np.vectorize(sp.exp, otypes=[object])(_object_array(x))
    return e / np.sum(e, axis=axis, keepdims=True)


def _cfunc(sp: Any, name: str) -> Any:
    from sympy.codegen import cfunctions

    return getattr(cfunctions, name)


PRIMITIVES: dict[str, Primitive] = {p.name: p for p in _RECORDS}

# Bumped by every registration and unregistration, so that caches of derivatives and
# compiled programs can tell that an op may now compute something else.
_REGISTRY_VERSION = [0]


def registry_version() -> int:
    """A number that changes whenever a primitive is registered, replaced or unregistered.

    >>> registry_version() == registry_version()
    True
    """
    return _REGISTRY_VERSION[0]

# Ops that are leaves rather than primitives.
LEAF_OPS = ("var", "const", "data")


# ---------------------------------------------------------------- names

#: Names that text reads as numbers (``pi``, ``e``, ``inf``, ``nan``): never the name
#: of a variable or of a primitive, so that ``parse(str(expr))`` gives ``expr`` back.
CONSTANT_NAMES = ("pi", "e", "inf", "nan")

# The parser's identifier: ASCII only, so that no two different names are the same
# Python identifier after NFKC normalisation ("ｓｉｎ" is "sin" to Python).
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z_0-9]*\Z")


def call_names() -> dict[str, str]:
    """Every name the parser reads as a function call (names and aliases) -> the primitive.

    >>> call_names()["ln"], "add" in call_names(), call_names()["power"]
    ('log', False, 'pow')
    """
    names = {}
    for p in PRIMITIVES.values():
        if (p.is_infix and not p.function_syntax) or not p.in_text:
            continue
        for name in (p.name, *p.aliases):
            names[name] = p.name
    return names


def name_problem(name: str) -> str | None:
    """What keeps ``name`` from being a name in text (a variable's or a function's),
    or None when nothing does: it must be an ASCII identifier, not a Python keyword,
    not start with ``__`` and not be a constant (:data:`CONSTANT_NAMES`).

    >>> name_problem("x1"), name_problem("pi"), name_problem("lambda")
    (None, 'it is a constant in text', 'it is a Python keyword')
    >>> name_problem("ｓｉｎ")
    'it is not an ASCII identifier (a letter or _, then letters, digits or _)'
    """
    if not _IDENTIFIER.match(name):
        return "it is not an ASCII identifier (a letter or _, then letters, digits or _)"
    if keyword.iskeyword(name):
        return "it is a Python keyword"
    if name.startswith("__"):
        return "names starting with __ are not allowed"
    if name in CONSTANT_NAMES:
        return "it is a constant in text"
    return None


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
    numpy: Callable[..., Any],
    partials: tuple[Callable[..., Any], ...] | list[Callable[..., Any]],
    *,
    arity: int | None = None,
    sympy: Callable[..., Any] | None = None,
    label: str | None = None,
    latex: str | None = None,
    domain: tuple[str, ...] | None = None,
    complex_numpy: Callable[..., Any] | None = None,
    replace: bool = False,
) -> Callable[..., Expr]:
    """Register a user's own primitive; return its builder function.

    ``numpy`` computes it elementwise; ``partials`` holds one rule per operand,
    ``rule(b, out, *args)``, built from expressions (``b.cos(x)``, ``-out``,
    ``x * y`` ...). Use :func:`graphir.check_partials` to find a wrong rule.
    The builder takes expressions or numbers and builds the node; its
    ``.record`` is the new :class:`Primitive`.

    A name that is already registered raises :class:`GraphError` unless
    ``replace=True``.  Graphs store op *names*, so replacing changes what every
    expression already holding the op computes: it evaluates, differentiates
    and prints with the new record.  Built-in primitives are never replaced.

    >>> cube = register_primitive("cube", lambda x: x**3, [lambda b, out, x: 3.0 * x * x])
    >>> cube.record.arity, cube(2.0).eval()
    (1, 8.0)
    >>> _ = register_primitive("cube", lambda x: x**3, [lambda b, out, x: 3.0 * x * x])
    Traceback (most recent call last):
    ...
    graphir.errors.GraphError: 'cube' is already registered; pass replace=True to replace it
    >>> unregister_primitive("cube")
    """
    _check_name(name)
    if name in PRIMITIVES and not replace:
        raise GraphError(f"{name!r} is already registered; pass replace=True to replace it")
    partials = _check_functions(name, numpy, partials, complex_numpy, sympy)
    n = len(partials) if arity is None else arity
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise GraphError(f"{name}: arity must be a positive integer, got {n!r}")
    if len(partials) != n:
        raise GraphError(f"{name}: {n} operands need {n} partial rules, got {len(partials)}")
    for what, text in (("label", label), ("latex", latex)):
        if text is not None and not isinstance(text, str):
            raise TypeError(f"{name}: {what} must be a string, got {type(text).__name__}")
    if domain is not None and (
        not isinstance(domain, (tuple, list)) or len(domain) != n or not all(d in DOMAINS for d in domain)
    ):
        raise GraphError(f"{name}: domain must give one of {', '.join(DOMAINS)} per operand, got {domain!r}")
    args = ", ".join("{" + str(i) + "}" for i in range(n))

    def no_sympy(sp: Any, *a: Any) -> Any:
        return sp.Function(name)(*a)

    record = Primitive(
        name=name,
        arity=n,
        numpy=numpy,
        complex_numpy=complex_numpy,
        partials=partials,
        sympy=sympy or no_sympy,
        sympy_head=None if sympy else name,
        text=f"{name}({args})",
        latex=latex or f"\\operatorname{{{name}}}\\left({args}\\right)",
        label=label or name,
        domain=tuple(domain) if domain else ("real",) * n,
        user=True,
    )
    PRIMITIVES[name] = record
    _REGISTRY_VERSION[0] += 1
    from .build import _make_function

    return _make_function(record)


def unregister_primitive(name: str) -> None:
    """Remove a user's primitive from the registry (built-ins are refused).

    Expressions that still hold the op raise :class:`GraphError` (unknown op)
    when they are evaluated or differentiated.

    >>> unregister_primitive("sin")
    Traceback (most recent call last):
    ...
    graphir.errors.GraphError: 'sin' is a built-in primitive and cannot be unregistered
    """
    if not isinstance(name, str):
        raise TypeError(f"a primitive's name is a string, got {type(name).__name__} {name!r}")
    get(name)
    _check_user_primitive(name, "unregistered")
    del PRIMITIVES[name]
    _REGISTRY_VERSION[0] += 1


# One letter, then digits or underscores: what formulas use as variables ("x", "x1", "t_0").
_VARIABLE_LIKE = re.compile(r"[A-Za-z][0-9_]*\Z")


def _check_name(name: Any) -> None:
    """Refuse a name that text could not read as this primitive, or that would change
    what text already means: text reads a registered name as a call, everywhere."""
    if not isinstance(name, str):
        raise TypeError(f"a primitive's name is a string, got {type(name).__name__} {name!r}")
    why = name_problem(name)
    if why is None and name in LEAF_OPS:
        why = "it is reserved for variables and constants"
    if why is None and call_names().get(name, name) != name:
        why = f"text reads it as {call_names()[name]}"
    if why is None and _VARIABLE_LIKE.match(name):
        why = "it looks like a variable, and text would read it as a call everywhere"
    if why is not None:
        raise GraphError(f"cannot register a primitive named {name!r}: {why}; choose another name")
    _check_user_primitive(name, "replaced")


def _check_functions(
    name: str, numpy: Any, partials: Any, complex_numpy: Any, sympy: Any
) -> tuple[Callable[..., Any], ...]:
    """The partial rules as a tuple, once every function given is callable."""
    if not callable(numpy):
        raise TypeError(f"{name}: numpy must be a function, got {type(numpy).__name__}")
    for what, fn in (("complex_numpy", complex_numpy), ("sympy", sympy)):
        if fn is not None and not callable(fn):
            raise TypeError(f"{name}: {what} must be a function or None, got {type(fn).__name__}")
    if isinstance(partials, (str, bytes)) or not hasattr(partials, "__iter__"):
        raise TypeError(f"{name}: partials must be a sequence of rules, got {type(partials).__name__}")
    rules = tuple(partials)
    for k, rule in enumerate(rules):
        if not callable(rule):
            raise TypeError(f"{name}: partial rule {k} must be a function, got {type(rule).__name__}")
    return rules


def _check_user_primitive(name: str, what: str) -> None:
    if name in PRIMITIVES and not PRIMITIVES[name].user:
        raise GraphError(f"{name!r} is a built-in primitive and cannot be {what}")
