"""Node names of the AD literature (Griewank and Walther): the one place they are decided.

Inputs are ``v_{1-n} ... v_0`` in the order of the expression's variables;
operation nodes are ``v_1, v_2, ...`` in topological order; constants have no
number (they are shown by value).

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

from ..ir import Graph
from ..printing import latex_name
from ..traversal import topo_order

__all__ = [
    "numbering", "KINDS", "MARKS", "DOT", "BAR", "vtext", "vlatex", "vunicode", "subscript",
    "mark_text", "mark_latex",
]

#: The kinds of quantity a node name can stand for.
KINDS = ("primal", "tangent", "adjoint")

#: Combining mark over the letter of each kind: none, a dot above (v̇), a macron (v̄).
MARKS = {"primal": "", "tangent": "\u0307", "adjoint": "\u0304"}
DOT, BAR = MARKS["tangent"], MARKS["adjoint"]

# The LaTeX accent command of each kind (``\dot{v}``, ``\bar{v}``).
_LATEX = {"tangent": "dot", "adjoint": "bar"}

_SUB = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")


def numbering(graph: Graph, outputs: Sequence[int], variables: Sequence[str]) -> dict[int, int]:
    """Node id -> its index ``k`` in ``v_k``, for the nodes ``outputs`` depend on.

    ``variables`` gives the input order (names); variables of the graph not
    listed come after them, in topological order.
    """
    order = topo_order(graph, outputs)
    present = {graph.params[i]: i for i in order if graph.ops[i] == "var"}
    inputs = [present[n] for n in variables if n in present]
    inputs += [i for i in order if graph.ops[i] == "var" and i not in inputs]
    num = {i: k - len(inputs) + 1 for k, i in enumerate(inputs)}
    k = 1
    for i in order:
        if graph.args[i]:
            num[i] = k
            k += 1
    return num


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


def mark_text(name: str, kind: str) -> str:
    """A variable name with the mark of ``kind`` over its letters: ``x1`` -> ``x̄1`` (NFC:
    ``y`` with a macron is the single character ``ȳ``).

    >>> mark_text("x1", "adjoint"), mark_text("y", "adjoint") == "\\u0233"
    ('x̄1', True)
    """
    m = re.match(r"[A-Za-z]+", name)
    k = m.end() if m else len(name)
    return unicodedata.normalize("NFC", name[:k] + MARKS[kind] + name[k:])


def mark_latex(name: str, kind: str) -> str:
    """LaTeX of a marked variable name: ``x1``, adjoint -> ``\\bar{x}_{1}``.

    >>> mark_latex("x1", "adjoint"), mark_latex("y", "tangent")
    ('\\\\bar{x}_{1}', '\\\\dot{y}')
    """
    command = _LATEX[kind]
    ln = latex_name(name)
    m = re.fullmatch(r"(\\?[A-Za-z]+)(_\{[^{}]*\})", ln)
    if m:
        return f"\\{command}{{{m.group(1)}}}{m.group(2)}"
    return f"\\{command}{{{ln}}}"
