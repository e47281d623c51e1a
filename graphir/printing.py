"""Text and LaTeX of an expression exactly as written (no reordering, minimal parentheses),
and every number graphir writes.

Numbers come in two forms, and this module is the one place that writes either:

- :func:`display_number`, what a reader looks at: pictures, frames and their
  captions, trace tables, worked examples, report tables.  One rule (3 decimals,
  as Baydin et al. 2018 print their tables), so a node's value in a picture and
  in the table beside it show the same digits.
- :func:`format_number`, every digit (the shortest text that reads back to the
  same float), as an expression's text writes a constant (``2``, ``pi``):
  constants of ``str(expr)``, points, the values a comparison compares, a
  worked example's "full precision"; :func:`full_number` is Python's own
  ``repr`` (``2.0``), what ``graphir eval`` prints for programs to read.

The module sits in a layer above ``numeric``, ``text``, ``pictures`` and the
command line, so all of them can use it.

The templates and precedences come from the primitive registry.  Printing is
iterative and linear in the size of the graph: a subexpression that is used more
than once and whose text is longer than :data:`SHARED_TEXT` characters is written
once, named, in a ``where`` clause (the *let form*, like a program after common
subexpression elimination); when nothing repeats, the text is the plain formula.

>>> import graphir as gi
>>> x, y = gi.symbols("x y")
>>> to_text(x - (y - x))
'x - (y - x)'
>>> s = gi.sin(x * y + 0.5)
>>> to_text(s * s + gi.cos(s))
's1*s1 + cos(s1) where s1 = sin(x*y + 0.5)'
>>> to_latex(gi.sqrt(x) / y)
'\\\\frac{\\\\sqrt{x}}{y}'
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from . import primitives
from .primitives import ATOM, UNARY
from .traversal import reachable

if TYPE_CHECKING:
    from .build import Expr
    from .ir import Graph

__all__ = [
    "to_text", "to_latex", "latex_name", "node_text", "shared_nodes", "SHARED_TEXT", "MAX_TEXT_NODES",
    "DECIMALS", "display_number", "display_operand", "full_number", "format_number", "error_number",
    "special_number", "pi_or_e",
]

_SLOT = re.compile(r"\{(\d+)\}")


def pi_or_e(value: float) -> str | None:
    """The name of a constant that is exactly ``math.pi`` or ``math.e``, else None.

    >>> pi_or_e(math.pi), pi_or_e(math.e), pi_or_e(3.14)
    ('pi', 'e', None)
    """
    if value == math.pi:
        return "pi"
    if value == math.e:
        return "e"
    return None


#: Decimal places of a displayed number: Baydin et al. (2018) print their tables with 3.
DECIMALS = 3


def display_number(v: Any, decimals: int = DECIMALS) -> str:
    """A number as every picture, trace table, worked example, caption and report table shows it.

    The rule, the one of the published tables (Baydin et al. 2018, Tables 2 and 3):
    ``decimals`` places with trailing zeros dropped (``0.693``, ``-0.959``, ``5.5``),
    an integral value without a point (``2``), and never fewer than ``decimals``
    significant digits (``0.0123``, not ``0.012``).  A magnitude below ``1e-4`` or
    from ``1e6`` on is written in scientific notation with ``decimals + 1``
    significant digits (``1.5e-9``, ``1.235e8``).  ``nan``, ``inf``, ``-inf`` and
    zero (``-0.0`` too) are written as :func:`special_number` says.  A complex
    value shows its real part.  Digits that must survive use :func:`full_number`.

    >>> [display_number(v) for v in (0.6931471805599453, -0.9589242746631385, 11.652071455223084)]
    ['0.693', '-0.959', '11.652']
    >>> [display_number(v) for v in (5.5, 2.0, -0.0, 0.0123456, 1.5e-9, 123456789.0)]
    ['5.5', '2', '0', '0.0123', '1.5e-9', '1.235e8']
    """
    v = float(getattr(v, "real", v))
    special = special_number(v)
    if special is not None:
        return special
    a = abs(v)
    if a >= 1e6 or a < 1e-4:
        mant, _, exp = f"{v:.{decimals}e}".partition("e")
        if "." in mant:
            mant = mant.rstrip("0").rstrip(".")
        return f"{mant}e{int(exp)}"
    places = max(decimals, decimals - 1 - math.floor(math.log10(a)))
    s = f"{v:.{places}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def display_operand(v: Any, decimals: int = DECIMALS) -> str:
    """:func:`display_number`, in brackets when negative (a number written after an operator).

    >>> display_operand(-0.28366218546322625), display_operand(2.0)
    ('(-0.284)', '2')
    """
    s = display_number(v, decimals)
    return f"({s})" if s.startswith("-") else s


def full_number(v: Any) -> str:
    """Every digit of a number, as Python writes it: ``repr`` of the float, the shortest text
    that reads back to the same value (a complex number as ``repr`` of the complex).

    For output a program reads (``graphir eval``); :func:`format_number` is the same
    digits as an expression writes them.

    >>> full_number(11.652071455223084), full_number(2), full_number(float("nan"))
    ('11.652071455223084', '2.0', 'nan')
    """
    if isinstance(v, complex):
        return repr(complex(v))
    return repr(float(getattr(v, "real", v)))


def format_number(v: float) -> str:
    """Every digit of a number, as an expression's text writes a constant: :func:`full_number`
    with ``2`` not ``2.0``, ``pi`` and ``e`` by name, ``inf``, ``-inf`` and ``nan``
    (:func:`graphir.parse` reads each back to the same constant).  For constants in text,
    points, and numbers compared digit by digit.

    >>> format_number(2.0), format_number(0.001), format_number(3.141592653589793)
    ('2', '0.001', 'pi')
    """
    name = pi_or_e(v)
    if name:
        return name
    s = full_number(v)
    return s[:-2] if s.endswith(".0") else s


def error_number(v: Any) -> str:
    """An error, a tolerance or a step: two significant digits in scientific notation,
    an exact zero as ``0``.

    >>> error_number(1.234e-10), error_number(0.0), error_number(float("nan"))
    ('1.2e-10', '0', 'nan')
    """
    v = float(v)
    if not math.isfinite(v):
        return "nan" if math.isnan(v) else full_number(v)
    return "0" if v == 0 else f"{v:.1e}"


def special_number(v: float) -> str | None:
    """Text of the numbers every display writes the same way: nan, +-inf and zero (``-0.0`` as ``0``).

    >>> special_number(float("-inf")), special_number(-0.0), special_number(1.5)
    ('-inf', '0', None)
    """
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return "0"
    return None


def latex_name(name: str) -> str:
    """LaTeX for a variable name, as SymPy writes it (``x1`` -> ``x_{1}``)."""
    return _latex_name(name)


@lru_cache(maxsize=1024)
def _latex_name(name: str) -> str:
    m = re.fullmatch(r"([A-Za-z]+)_?(\d+)", name)
    if m:
        return f"{_greek(m.group(1))}_{{{m.group(2)}}}"
    return _greek(name) if "_" not in name else name.replace("_", r"\_")


_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "phi", "chi", "psi", "omega",
}


def _greek(s: str) -> str:
    return "\\" + s if s.lower() in _GREEK else s


@cache
def _parts(template: str) -> tuple[tuple[str, int | None], ...]:
    """Split a template into literal pieces and slots; a slot gets the flag "grouped"
    when brackets of the template already enclose it (function call, braces)."""
    out: list[tuple[str, int | None]] = []
    pos = 0
    for m in _SLOT.finditer(template):
        if m.start() > pos:
            out.append((template[pos : m.start()].replace("{{", "{").replace("}}", "}"), None))
        out.append(("", int(m.group(1))))
        pos = m.end()
    if pos < len(template):
        out.append((template[pos:].replace("{{", "{").replace("}}", "}"), None))
    return tuple(out)


@cache
def _grouped(template: str, slot: int) -> bool:
    m = re.search(r"\{" + str(slot) + r"\}", template)
    assert m
    before, after = template[: m.start()], template[m.end() :]
    return before.endswith(("{{", "(", ", ")) and after.startswith(("}}", ")", ",", " \\right)"))


def _leaf(g: Graph, i: int, latex: bool, names: Mapping[int, str] | None) -> tuple[str, int]:
    if names is not None and i in names:
        return names[i], ATOM
    op, p = g.ops[i], g.params[i]
    if op == "var":
        return (latex_name(p) if latex else p), ATOM
    if op == "data":
        return data_text(p, latex), ATOM
    s = format_number(p)
    if latex:
        s = _LATEX_CONSTANTS.get(s, s)
    return s, (UNARY if p < 0 or s.startswith("-") else ATOM)


def data_text(d: Any, latex: bool = False) -> str:
    """How text writes a data array: its name, else its entries when it has at most 6,
    else ``array(shape)``.

    >>> from graphir.ir import Data
    >>> data_text(Data([1.0, 2.5], "X")), data_text(Data([1.0, 2.5])), data_text(Data([[0.0] * 4] * 3))
    ('X', '[1, 2.5]', 'array(3x4)')
    """
    if d.name is not None:
        return latex_name(d.name) if latex else d.name
    a = d.array
    if a.size <= 6:
        text = np.array2string(a, separator=", ", formatter={"float_kind": format_number})
        text = " ".join(text.split())
        return text.replace("[", r"\left[").replace("]", r"\right]") if latex else text
    return "array(" + "x".join(map(str, a.shape)) + ")"


# Constants LaTeX writes by name (text writes them as format_number does: pi, e, inf, nan).
_LATEX_CONSTANTS = {"pi": "\\pi", "inf": "\\infty", "-inf": "-\\infty", "nan": "\\mathrm{NaN}"}


def _render(
    e: Expr | tuple[Graph, int],
    latex: bool,
    limit: int | None,
    names: Mapping[int, str] | None = None,
) -> str:
    g, root = (e.ir, e._id) if hasattr(e, "ir") else e  # type: ignore[union-attr]
    out: list[str] = []
    size = 0
    # Stack items: a literal string, or (node, context precedence, side) to print.
    stack: list[Any] = [(root, 0, None)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            size += len(item)
            if limit is not None and size > limit:
                return _summary(g, root)
            continue
        i, ctx, side = item
        if not g.args[i] or (names is not None and i in names):
            s, prec = _leaf(g, i, latex, names)
            # A number (or inf, nan) right after a prefix minus is written "-(2)": "-2"
            # reads back as the constant -2, not as neg(2).
            literal = side == "operand" and not latex and g.ops[i] == "const" and (
                names is None or i not in names
            ) and (s[0].isdigit() or s[0] in "-." or s in ("inf", "nan"))
            if prec < ctx or (prec == UNARY and side in ("right", "operand")) or literal:
                s = ("\\left(" + s + "\\right)") if latex else "(" + s + ")"
            stack.append(s)
            continue
        p = primitives.get(g.ops[i])
        a0 = g.args[i][0] if g.args[i] else None
        template = p.template(latex, len(g.args[i]), g.params[i], g.shapes[a0] if a0 is not None else ())
        prec = p.prec
        paren = prec < ctx or (
            prec == ctx and side is not None and prec != ATOM and (
                (p.assoc == "left" and side == "right") or (p.assoc == "right" and side == "left")
            )
        ) or (prec == UNARY and side in ("right", "operand"))
        items: list[Any] = []
        if paren:
            items.append("\\left(" if latex else "(")
        for text, slot in _parts(template):
            if slot is None:
                items.append(text)
                continue
            a = g.args[i][slot]
            if p.prec == ATOM or _grouped(template, slot):
                items.append((a, 0, None))
            else:
                where = ("left" if slot == 0 else "right") if p.arity == 2 else "operand"
                items.append((a, prec, where))
        if paren:
            items.append("\\right)" if latex else ")")
        stack.extend(reversed(items))
    return "".join(out)


def _summary(g: Graph, root: int, why: str = "") -> str:
    return f"<expression {g.ops[root]}(...) with {len(reachable(g, [root]))} nodes{why}>"


#: Largest graph (nodes the expression depends on) that :func:`to_text` and :func:`to_latex`
#: write out; a larger one gets a one-line summary.
MAX_TEXT_NODES = 1_000_000

#: A subexpression used more than once is written once, named in the ``where`` clause, when
#: its text would be longer than this many characters; shorter ones (``sin(x)``, ``x + y``)
#: are repeated, so the plain formula stays when nothing long repeats.
SHARED_TEXT = 12


def shared_nodes(g: Graph, root: int, ids: list[int] | None = None) -> list[int]:
    """The nodes the let form names, ascending: every operation node used more than once
    (counting operand slots) whose text, with the nodes named before it written as names,
    is longer than :data:`SHARED_TEXT` characters.  Every other operation node is used once,
    or is short, so the text of the let form is linear in the graph.

    >>> import graphir as gi
    >>> x, = gi.symbols("x,")
    >>> s = gi.sin(x + 2 * x) ** 2
    >>> shared_nodes((s * s).ir, (s * s).node) == [s.node]
    True
    """
    ids = reachable(g, [root]) if ids is None else ids
    args, ops, params = g.args, g.ops, g.params
    uses: dict[int, int] = {}
    for i in ids:
        for a in args[i]:
            uses[a] = uses.get(a, 0) + 1
    length: dict[int, int] = {}
    named: list[int] = []
    for i in ids:
        if not args[i]:
            p = params[i]
            text = p if ops[i] == "var" else (data_text(p) if ops[i] == "data" else format_number(p))
            length[i] = len(text)
            continue
        n = _literal_length(primitives.get(ops[i]).text)
        for a in args[i]:
            n += length[a]
        if uses.get(i, 0) > 1 and n > SHARED_TEXT:
            named.append(i)
            n = 3
        length[i] = n
    return named


@cache
def _literal_length(template: str) -> int:
    return sum(len(text) for text, slot in _parts(template) if slot is None)


def _let_names(g: Graph, ids: list[int], count: int) -> list[str]:
    """``count`` names ``s1, s2, ...`` that no variable of ``ids`` has, in text or in LaTeX."""
    taken = {g.params[i] for i in ids if g.ops[i] == "var"}
    taken |= {latex_name(n) for n in taken}
    out: list[str] = []
    k = 0
    while len(out) < count:
        k += 1
        name = f"s{k}"
        if name not in taken and latex_name(name) not in taken:
            out.append(name)
    return out


def _write(e: Expr, latex: bool, limit: int | None) -> str:
    """The plain formula, or the let form when a long subexpression repeats."""
    g, root = e.ir, e._id
    ids = reachable(g, [root])
    if len(ids) > MAX_TEXT_NODES:
        return _summary(g, root, f"; more than MAX_TEXT_NODES={MAX_TEXT_NODES} written out")
    named = shared_nodes(g, root, ids)
    if not named:
        return _render(e, latex, limit)
    labels = _let_names(g, ids, len(named))
    names = {i: latex_name(n) if latex else n for i, n in zip(named, labels, strict=True)}
    parts = [_render((g, root), latex, limit, names)]
    size = len(parts[0])
    for i in named:
        if limit is not None and size > limit:
            break
        body = _render((g, i), latex, limit, _without(names, i))
        parts.append(f"{names[i]} &= {body}" if latex else f"{names[i]} = {body}")
        size += len(parts[-1]) + 2
    if limit is not None and size > limit:
        return _summary(g, root)
    if latex:
        rows = " \\\\ ".join(parts[1:])
        return f"\\begin{{aligned}} & {parts[0]} \\\\ \\text{{where}}\\quad {rows} \\end{{aligned}}"
    return parts[0] + " where " + "; ".join(parts[1:])


def to_text(e: Expr, limit: int | None = None) -> str:
    """Plain text of the expression as written: the formula, or the *let form*
    ``formula where s1 = ...; s2 = ...`` when a long subexpression is used more than
    once (each named subexpression written once; :func:`shared_nodes` says which), so the
    text is linear in the size of the graph.  :func:`graphir.parse` reads both back to
    the same graph.

    With ``limit``, an output longer than ``limit`` characters is replaced by
    a one-line summary; so is an expression of more than :data:`MAX_TEXT_NODES` nodes.

    >>> import graphir as gi
    >>> x, = gi.symbols("x,")
    >>> u = gi.exp(x) + gi.sin(x)
    >>> to_text(u * u)
    's1*s1 where s1 = exp(x) + sin(x)'
    """
    return _write(e, latex=False, limit=limit)


def to_latex(e: Expr, limit: int | None = None) -> str:
    """LaTeX of the expression as written; the let form (see :func:`to_text`) is an
    ``aligned`` block: the formula, then ``where`` and one named subexpression a row.

    >>> import graphir as gi
    >>> x, = gi.symbols("x,")
    >>> u = gi.exp(x) + gi.sin(x)
    >>> print(to_latex(u * u))  # doctest: +NORMALIZE_WHITESPACE
    \\begin{aligned} & s_{1} \\cdot s_{1} \\\\ \\text{where}\\quad
    s_{1} &= \\exp{\\left(x \\right)} + \\sin{\\left(x \\right)} \\end{aligned}
    """
    return _write(e, latex=True, limit=limit)


def node_text(
    g: Graph, i: int, names: Mapping[int, str], latex: bool = False, limit: int | None = None
) -> str:
    """One node written with its operands replaced by ``names`` (``v_1 + v_2``); with
    ``limit``, a text longer than ``limit`` characters becomes a one-line summary."""
    return _render((g, i), latex=latex, limit=limit, names=_without(names, i))


class _Without(Mapping[int, str]):
    """``names`` without the key ``hidden``, read through without a copy (a trace table
    writes every node with the names of all the others: copying them made it quadratic)."""

    def __init__(self, names: Mapping[int, str], hidden: int):
        self.names, self.hidden = names, hidden

    def __getitem__(self, k: int) -> str:
        if k == self.hidden:
            raise KeyError(k)
        return self.names[k]

    def __iter__(self) -> Iterator[int]:
        return (k for k in self.names if k != self.hidden)

    def __len__(self) -> int:
        return len(self.names) - (self.hidden in self.names)


def _without(names: Mapping[int, str], i: int) -> Mapping[int, str]:
    return _Without(names, i) if i in names else names
