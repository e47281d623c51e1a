"""Node names of the AD literature (Griewank and Walther): the one place they are decided.

Inputs are ``v_{1-n} ... v_0`` in the order of the expression's variables;
operation nodes are ``v_1, v_2, ...`` in topological order; constants have no
number (they are shown by value).  A node named with ``expr.named("u")`` is
written ``u`` (``ū`` for its adjoint) and takes no number, so the numbers of the
other nodes run on without a gap.

A name comes in three spellings (plain text, LaTeX, Unicode with subscript
digits for pictures) and three kinds: the value (``primal``), its tangent in
forward mode (a dot over the letter: ``v̇``) and its adjoint in reverse mode
(a bar: ``v̄``).  Variable and output names take the same marks
(:func:`mark_text`, :func:`mark_latex`).  Numbers are written by
:mod:`graphir.printing`.

>>> import graphir as gi
>>> x1, x2 = gi.symbols("x1 x2")
>>> f = gi.log(x1) + x1 * x2 - gi.sin(x2)
>>> sorted(numbering(f.ir, [f.node], ["x1", "x2"]).values())
[-1, 0, 1, 2, 3, 4, 5]
>>> vtext(0, "adjoint"), vlatex(-1, "tangent"), vunicode(3, "adjoint")
('v̄_0', '\\\\dot{v}_{-1}', 'v̄₃')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np

from .. import primitives
from ..ir import Graph
from ..printing import display_number, latex_name
from ..traversal import topo_order

__all__ = [
    "numbering", "KINDS", "MARKS", "DOT", "BAR", "vtext", "vlatex", "vunicode", "subscript",
    "mark_text", "mark_latex", "display_latex", "GREEK", "node_name",
    "MAX_GRID", "shape_text", "is_grid", "grid_rows", "summary_text", "array_lines", "compact_array",
    "latex_array", "array_formula", "flow_rule",
]

#: The kinds of quantity a node name can stand for.
KINDS = ("primal", "tangent", "adjoint")

#: Combining mark over the letter of each kind: none, a dot above (v̇), a macron (v̄).
MARKS = {"primal": "", "tangent": "\u0307", "adjoint": "\u0304"}
DOT, BAR = MARKS["tangent"], MARKS["adjoint"]

# The LaTeX accent command of each kind (``\dot{v}``, ``\bar{v}``).
_LATEX = {"tangent": "dot", "adjoint": "bar"}

_DIGITS, _SUB_DIGITS = "0123456789-", "₀₁₂₃₄₅₆₇₈₉₋"
_SUB = str.maketrans(_DIGITS, _SUB_DIGITS)
#: each subscript character :func:`subscript` writes -> the digit (or minus) it stands for
FROM_SUBSCRIPT = dict(zip(_SUB_DIGITS, _DIGITS, strict=True))


def numbering(graph: Graph, outputs: Sequence[int], variables: Sequence[str]) -> dict[int, int]:
    """Node id -> its index ``k`` in ``v_k``, for the nodes ``outputs`` depend on.

    ``variables`` gives the input order (names); variables of the graph not
    listed come after them, in topological order.  A node with a display name
    takes no number of its own: it shares the next one (an order sorted by
    number stays topological), and is written by its name wherever it appears.
    """
    order = topo_order(graph, outputs)
    present = {graph.params[i]: i for i in order if graph.ops[i] == "var"}
    inputs = [present[n] for n in variables if n in present]
    inputs += [i for i in order if graph.ops[i] == "var" and i not in inputs]
    num = {i: k - len(inputs) + 1 for k, i in enumerate(inputs)}
    k = 1
    named = graph.display_names
    for i in order:
        if graph.args[i]:
            num[i] = k
            if i not in named:
                k += 1
    return num


def node_name(graph: Graph, num: dict[int, int], i: int, kind: str = "primal", style: str = "unicode") -> str:
    """The name of numbered node ``i`` in ``style`` (``"unicode"``, ``"text"`` or ``"latex"``):
    its display name when it has one (``u``, ``ū``), else ``v_k``.

    >>> import graphir as gi
    >>> x, y = gi.symbols("x y")
    >>> f = gi.sin((x + y).named("u"))
    >>> num = numbering(f.ir, [f.node], ["x", "y"])
    >>> [node_name(f.ir, num, i, "adjoint") for i in sorted(num, key=num.get)]
    ['v̄₋₁', 'v̄₀', 'ū', 'v̄₁']
    """
    shown = graph.display_names.get(i)
    if shown is not None:
        return display_latex(shown, kind) if style == "latex" else mark_text(shown, kind)
    return {"unicode": vunicode, "text": vtext, "latex": vlatex}[style](num[i], kind)


def vtext(k: int, kind: str = "primal") -> str:
    """Plain-text name: ``v_-1``, tangent ``v̇_3``, adjoint ``v̄_3``.

    >>> vtext(-1)
    'v_-1'
    """
    return f"v{MARKS[kind]}_{k}"


def vlatex(k: int, kind: str = "primal") -> str:
    """LaTeX name: ``v_{-1}``, tangent ``\\dot{v}_{3}``, adjoint ``\\bar{v}_{3}``.

    >>> vlatex(-1)
    'v_{-1}'
    """
    v = "v" if kind == "primal" else f"\\{_LATEX[kind]}{{v}}"
    return f"{v}_{{{k}}}"


def marks_apart(text: str) -> str:
    """``text`` with each letter that carries a tangent's dot or an adjoint's bar written as
    the letter and the combining mark of :data:`MARKS` (``ō``, ``ḣ``, ``ȳ``: NFC makes one
    character of them).

    >>> [len(marks_apart(c)) for c in "ōḣȳé"]
    [2, 2, 2, 1]
    """
    marks = MARKS["tangent"] + MARKS["adjoint"]
    return "".join(d if d[-1:] in marks else ch for ch in text for d in [unicodedata.normalize("NFD", ch)])


def subscript(k: int) -> str:
    """``k`` in Unicode subscript digits.

    >>> subscript(-1)
    '₋₁'
    """
    return str(k).translate(_SUB)


def vunicode(k: int, kind: str = "primal") -> str:
    """The name as pictures write it, with subscript digits: ``v₃``, tangent ``v̇₃``, adjoint ``v̄₃``.

    >>> vunicode(-1)
    'v₋₁'
    """
    return "v" + MARKS[kind] + subscript(k)


#: Greek letters by name: a variable named ``theta`` is marked as ``θ̄`` (text) and ``\bar{\theta}``.
GREEK = {
    name: chr(code)
    for name, code in [
        ("alpha", 0x3B1), ("beta", 0x3B2), ("gamma", 0x3B3), ("delta", 0x3B4), ("epsilon", 0x3B5),
        ("zeta", 0x3B6), ("eta", 0x3B7), ("theta", 0x3B8), ("iota", 0x3B9), ("kappa", 0x3BA),
        ("lambda", 0x3BB), ("mu", 0x3BC), ("nu", 0x3BD), ("xi", 0x3BE), ("rho", 0x3C1),
        ("sigma", 0x3C3), ("tau", 0x3C4), ("phi", 0x3C6), ("chi", 0x3C7), ("psi", 0x3C8), ("omega", 0x3C9),
    ]
}
GREEK.update({n.capitalize(): ch.upper() for n, ch in list(GREEK.items())})

# The plain-text function that marks a name of several letters: ``bar(lr)``, ``dot(lr)``.
_MARK_WORD = {"tangent": "dot", "adjoint": "bar"}


def _head(name: str) -> int:
    """Length of the run of letters ``name`` starts with (any script)."""
    k = 0
    while k < len(name) and name[k].isalpha():
        k += 1
    return k


def mark_text(name: str, kind: str) -> str:
    """A name (a variable's, an output's, a display name) with the mark of ``kind``.

    The mark goes over the whole name: over its letter when the name is one letter
    (or a Greek letter's name, written as the letter) before digits or a subscript,
    ``x1`` -> ``x̄1``, ``theta`` -> ``θ̄`` (NFC: ``y`` with a macron is the single
    character ``ȳ``); a name of several letters is written ``bar(lr)`` (tangent:
    ``dot(lr)``), never with a bar over its last letter only.

    >>> mark_text("x1", "adjoint"), mark_text("y", "adjoint") == "\u0233"
    ('x̄1', True)
    >>> mark_text("theta", "adjoint"), mark_text("lr", "adjoint"), mark_text("h₁", "tangent")
    ('θ̄', 'bar(lr)', 'ḣ₁')
    """
    if kind == "primal":
        return name
    k = _head(name)
    head = GREEK.get(name[:k], name[:k])
    if len(head) != 1:
        return f"{_MARK_WORD[kind]}({name})"
    return unicodedata.normalize("NFC", head + MARKS[kind] + name[k:])


def mark_latex(name: str, kind: str) -> str:
    r"""LaTeX of a marked variable name: ``x1``, adjoint -> ``\bar{x}_{1}``; a name of
    several letters takes a bar over all of them (``\overline{\mathrm{lr}}``).

    >>> mark_latex("x1", "adjoint"), mark_latex("y", "tangent"), mark_latex("lr", "adjoint")
    ('\\bar{x}_{1}', '\\dot{y}', '\\overline{\\mathrm{lr}}')
    """
    return _mark_latex(latex_name(name), kind)


def _mark_latex(ln: str, kind: str) -> str:
    command = _LATEX[kind]
    m = re.fullmatch(r"(\\?[A-Za-z]+)(_\{[^{}]*\})?", ln)
    if m and (len(m.group(1)) == 1 or m.group(1).startswith("\\")):
        return f"\\{command}{{{m.group(1)}}}{m.group(2) or ''}"
    if m and not m.group(2):
        ln = f"\\mathrm{{{ln}}}"
    return f"\\{'overline' if kind == 'adjoint' else command}{{{ln}}}"


# Characters that mean something to LaTeX, written outside ``\text{}``.
_LATEX_SPECIAL = {
    "\\": "\\backslash ", "{": "\\{", "}": "\\}", "$": "\\$", "&": "\\&", "#": "\\#",
    "^": "\\hat{}", "_": "\\_", "%": "\\%", "~": "\\sim ", "|": "\\vert ",
    "<": "\\lt ", ">": "\\gt ", "*": "\\ast ", "`": "\\grave{}",
}


def display_latex(text: str, kind: str = "primal") -> str:
    r"""LaTeX of a display name given with ``expr.named(text)`` (any text, escaped), with
    the mark of ``kind``: an identifier reads as a variable name does (``u1`` -> ``u_{1}``),
    other text goes in ``\text{}`` with LaTeX's special characters (and ``|``, which ends a
    Markdown table cell) written as symbols.

    >>> display_latex("u1"), display_latex("u", "adjoint"), display_latex("损失 a|b", "adjoint")
    ('u_{1}', '\\bar{u}', '\\overline{\\text{损失 a}\\vert \\text{b}}')
    """
    if text.isascii() and text.isidentifier():
        return latex_name(text) if kind == "primal" else mark_latex(text, kind)
    parts: list[str] = []
    run = ""
    for ch in text:
        if ch in _LATEX_SPECIAL:
            if run:
                parts.append(f"\\text{{{run}}}")
                run = ""
            parts.append(_LATEX_SPECIAL[ch])
        else:
            run += ch
    if run:
        parts.append(f"\\text{{{run}}}")
    body = "".join(parts)
    if kind == "primal":
        return body
    return f"\\{'overline' if kind == 'adjoint' else _LATEX[kind]}{{{body}}}"


# ----------------------------------------------------------------- array values

#: Largest number of entries an array value is written out entry by entry (as a grid);
#: larger ones are written as their shape and a summary (:func:`summary_text`).
MAX_GRID = 12


def shape_text(shape: Sequence[int]) -> str:
    """A shape as pictures and tables write it: ``3×2``, ``3``; ``""`` for a scalar.

    >>> shape_text((3, 2)), shape_text((3,)), shape_text(())
    ('3×2', '3', '')
    """
    return "×".join(str(n) for n in shape)


def is_grid(v: object) -> bool:
    """Whether the value ``v`` is an array written entry by entry: at most two axes and
    :data:`MAX_GRID` entries (a scalar is not).

    >>> is_grid(np.ones((3, 2))), is_grid(np.ones((20, 10))), is_grid(2.0)
    (True, False, False)
    """
    return 0 < np.ndim(v) <= 2 and np.size(v) <= MAX_GRID


def _cells(v: object) -> list[list[str]]:
    a = np.asarray(v, dtype=float)
    rows = a.reshape(1, -1) if a.ndim == 1 else a.reshape(a.shape[0], -1)
    return [[display_number(x) for x in row] for row in rows]


def grid_rows(v: object) -> list[str]:
    """The rows of a small array, columns right-aligned for a monospace font
    (a vector is one row).

    >>> grid_rows(np.array([[1.0, -2.5], [3.0, 4.0]]))
    ['[1  -2.5]', '[3     4]']
    >>> grid_rows(np.array([0.5, -0.25]))
    ['[0.5  -0.25]']
    """
    cells = _cells(v)
    widths = [max(len(r[j]) for r in cells) for j in range(len(cells[0]))] if cells[0] else []
    return ["[" + "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) + "]" for r in cells]


def summary_text(v: object, shape: bool = True) -> str:
    """A large array in one line: its shape (unless ``shape`` is False), least and
    greatest entry and Frobenius norm.

    >>> summary_text(np.arange(200.0).reshape(20, 10))
    '20×10: min 0, max 199, ‖·‖ 1626.868'
    >>> summary_text(np.arange(20.0), shape=False)
    'min 0, max 19, ‖·‖ 49.699'
    """
    a = np.asarray(v, dtype=float)
    head = f"{shape_text(a.shape)}: " if shape else ""
    if a.size == 0:
        return head + "empty"
    return (f"{head}min {display_number(a.min())}, max {display_number(a.max())}, "
            f"‖·‖ {display_number(np.linalg.norm(a))}")


def array_lines(v: object, shape: bool = True) -> list[str]:
    """How a value is written in a picture: one number, the rows of a grid, or a summary
    (with its shape unless ``shape`` is False: a node's name line shows it).

    >>> array_lines(2.0), array_lines(np.eye(2)), array_lines(np.zeros((4, 4)))
    (['2'], ['[1  0]', '[0  1]'], ['4×4: min 0, max 0, ‖·‖ 0'])
    """
    if np.ndim(v) == 0:
        return [display_number(v)]
    return grid_rows(v) if is_grid(v) else [summary_text(v, shape)]


def compact_array(v: object) -> str:
    """A value in one line (a Markdown table cell): ``[1, 2; 3, 4]``, or a summary.

    >>> compact_array(np.array([[1.0, 2.0], [3.0, 4.0]])), compact_array(np.array([1.5, 2.0]))
    ('[1, 2; 3, 4]', '[1.5, 2]')
    """
    if np.ndim(v) == 0:
        return display_number(v)
    if not is_grid(v):
        return summary_text(v)
    return "[" + "; ".join(", ".join(r) for r in _cells(v)) + "]"


def latex_array(v: object) -> str:
    r"""A value in LaTeX: a number, a ``bmatrix`` (a vector is a column), or a summary.

    >>> latex_array(np.array([[1.0, 2.0], [3.0, 4.0]]))
    '\\begin{bmatrix}1 & 2 \\\\ 3 & 4\\end{bmatrix}'
    """
    if np.ndim(v) == 0:
        return display_number(v)
    if not is_grid(v):
        return "\\text{" + summary_text(v).replace("‖·‖", "norm") + "}"
    cells = _cells(v)
    if np.ndim(v) == 1:
        cells = [[c] for c in cells[0]]
    return "\\begin{bmatrix}" + " \\\\ ".join(" & ".join(r) for r in cells) + "\\end{bmatrix}"


def array_formula(g: Graph, i: int, ops: list[str]) -> str:
    """An array op written with its record's text template and the operands ``ops``
    (``X @ w``, ``sum(v₁, axis=0)``).

    >>> import graphir as gi
    >>> s = gi.sum(gi.symbols("w", shape=(2, 3)), axis=0)
    >>> array_formula(s.ir, s.node, ["w"])
    'sum(w, axis=0)'
    """
    p = primitives.get(g.ops[i])
    t = p.template(False, len(ops), g.params[i], g.shapes[g.args[i][0]] if g.args[i] else ())
    return t.format(*ops)


def flow_rule(g: Graph, node: int, k: int, mode: str, ops: list[str], incoming: str) -> str:
    """How a derivative moves along operand ``k`` of ``node`` when arrays are involved,
    written with the operand names ``ops`` and ``incoming`` (the adjoint of ``node`` in
    reverse mode, the tangent of operand ``k`` in forward mode).

    Reverse: the record's ``adjoint_text`` (``v̄₁ · Xᵀ``); an elementwise op the
    entrywise product with its partial, summed back (``sum_to``) when the operand was
    broadcast.  Forward: the op applied to the tangent (``X @ ẇ``, linear ops), or the
    entrywise product, broadcast to the result's shape when the operand was smaller.

    >>> import graphir as gi
    >>> import numpy as np
    >>> w = gi.symbols("w", shape=(2,))
    >>> f = gi.constant(np.ones((3, 2)), name="X") @ w
    >>> rule = lambda mode, d: flow_rule(f.ir, f.node, 1, mode, ["X", "w"], d)
    >>> rule("reverse", "v̄₁"), rule("forward", "ẇ")
    ('Xᵀ · v̄₁', 'X @ ẇ')
    """
    p = primitives.get(g.ops[node])
    a = g.args[node][k]
    same = g.shapes[a] == g.shapes[node]
    if p.elementwise:
        t = f"{incoming} · ∂"
        return t if same else (f"sum_to({t})" if mode == "reverse" else f"broadcast({t})")
    if mode == "reverse":
        if not p.adjoint_text:
            return f"vjp of {p.name}({incoming})"
        return p.adjoint_text[min(k, len(p.adjoint_text) - 1)].format(*ops, g=incoming)
    if p.name in ("logsumexp", "softmax"):
        return f"jvp of {p.name}({incoming})"
    ops = list(ops)
    ops[k] = incoming
    return array_formula(g, node, ops)
