"""The text and look of each node and edge of a picture (label lines and colours).

>>> import graphir as gi
>>> from graphir.pictures.model import picture
>>> pic = picture(gi.parse("sin(x)"), at={"x": 0.0})
>>> name_line(pic, pic.nodes[-1])
'<B>v₁</B> = sin v₀'
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import primitives
from ..printing import display_number, display_operand, pi_or_e
from ..text.notation import array_lines, compact_array, flow_rule
from .style import COLORS, MONO, escape

if TYPE_CHECKING:
    from .model import EdgeView, Picture

__all__ = ["NodeLook", "EdgeLook", "static_looks", "name_line", "partial_text", "const_text", "op_formula",
           "zero_tangent_text", "adjoint_dir", "number", "value_block", "fragment_lines", "flow_text",
           "has_arrays", "plain", "EdgeText", "edge_texts", "steps_by_edge"]


def const_text(v: float, operand: bool = False) -> str:
    name = pi_or_e(v)
    if name:
        return "π" if name == "pi" else "e"
    return display_operand(v) if operand else display_number(v)


def op_formula(p: primitives.Primitive, ops: list[str]) -> str:
    """One operation written from the registry's label: infix (``a × b``, ``a^b``,
    ``−a``) or as a function (``ln a``, ``max(a, b)``)."""
    label = p.label
    if p.is_infix and p.arity == 2:
        if p.tight:  # v₁^2, 1/v₋₁
            return f"{ops[0]}{label}{ops[1]}"
        return f"{ops[0]} {label} {ops[1]}"
    if p.is_infix and p.arity == 1:
        return label + ops[0]
    if p.arity == 1:
        a = ops[0]
        if not label[-1:].isalpha():  # √v₀
            return label + a
        if a.startswith("("):
            return label + a
        return f"{label} {a}"
    return f"{label}({', '.join(ops)})"



@dataclass
class NodeLook:
    """How one node is drawn: label lines (HTML-like fragments, escaped) and colours."""

    lines: list[str]
    fill: str
    border: str
    penwidth: float = 1.2


@dataclass
class EdgeLook:
    """How one edge is drawn: label lines (HTML-like fragments, escaped) and line style."""

    lines: list[str]
    color: str
    penwidth: float = 1.0
    style: str = "solid"
    #: Where the arrowhead goes: ``"forward"`` (at the result, as values flow), ``"back"``
    #: (at the operand, as adjoints flow in reverse mode) or ``"both"`` (layouts only).
    dir: str = "forward"


def colored(text: str, color: str, bold: bool = False) -> str:
    """An escaped label fragment in a colour."""
    t = escape(text)
    if bold:
        t = f"<B>{t}</B>"
    return f'<FONT COLOR="{color}">{t}</FONT>'


def plain(fragment: str) -> str:
    """The text of a label fragment, without its HTML-like tags and escapes.

    >>> plain('<FONT COLOR="#c0392b">v̄₁ &lt; 1</FONT>')
    'v̄₁ < 1'
    """
    return html.unescape(re.sub(r"<[^>]*>", "", fragment))


def number(v: Any) -> str:
    """A value in one line: :func:`~graphir.printing.display_number`, or an array's
    compact rows (``[1, 2; 3, 4]``) or summary."""
    return display_number(v) if np.ndim(v) == 0 else compact_array(v)


def value_block(lhs: str, v: Any) -> str:
    """``lhs = value``; a matrix as ``lhs =`` and its rows on the next lines, a large array
    as its summary (lines separated by ``\\n``, see :func:`fragment_lines`).

    >>> print(value_block("v̄₁", np.array([[1.0, 2.0], [3.0, 40.0]])))
    v̄₁ =
    [1   2]
    [3  40]
    >>> value_block("w", np.array([0.5, -0.25])), value_block("", 2.0)
    ('w = [0.5  -0.25]', '= 2')
    """
    rows = array_lines(v, shape=False)  # the node's name line shows the shape
    eq = f"{lhs} =" if lhs else "="
    if len(rows) > 1:
        return "\n".join([eq, *rows])
    return f"{eq} {rows[0]}"


def fragment_lines(text: str, color: str | None = None) -> list[str]:
    """Label fragments of a text of :func:`value_block`: one per line, escaped, coloured
    when ``color`` is given, the rows of a matrix in a monospace font (columns line up)."""
    out = []
    for line in text.split("\n"):
        t = escape(line)
        if line.startswith("[") and line.endswith("]"):
            t = f'<FONT FACE="{MONO}">{t}</FONT>'
        out.append(t if color is None else f'<FONT COLOR="{color}">{t}</FONT>')
    return out


def has_arrays(pic: Picture, e: EdgeView) -> bool:
    """Whether either end of edge ``e`` holds an array (its labels then name rules, not products)."""
    shapes = pic.graph.shapes
    return bool(shapes[e.src] or shapes[e.dst])


def flow_text(pic: Picture, e: EdgeView, name: Callable[[int, str], str] | None = None) -> str:
    """How the derivative moves along an edge with arrays (:func:`~graphir.text.notation.flow_rule`),
    with the picture's names: ``Xᵀ · v̄₁``, ``sum_to(v̄₂ · ∂)``, ``X @ ẇ``; ``name(node, kind)``
    (kind ``"primal"``, ``"tangent"`` or ``"adjoint"``) writes the names another way (LaTeX)."""
    g = pic.graph
    if name is None:
        name = lambda i, kind: pic.operand_text(i) if kind == "primal" else pic.name(i, kind)  # noqa: E731
    names = [name(a, "primal") for a in g.args[e.dst]]
    incoming = name(e.dst, "adjoint") if pic.mode == "reverse" else name(e.src, "tangent")
    return flow_rule(g, e.dst, e.operand, pic.mode or "forward", names, incoming)


def name_line(pic: Picture, i: int) -> str:
    """First label line: ``<B>v₂</B> = v₋₁ × v₀``; a constant its value; an array node
    adds its shape (``<B>X</B>  (3×2)``)."""
    g = pic.graph
    if pic.kind[i] == "const":
        return escape(const_text(g.params[i]))
    head = f"<B>{escape(pic.names[i])}</B>"
    if pic.kind[i] != "input" and pic.kind[i] != "data":
        head = f"{head} = {escape(pic.formula(i))}"
    shape = pic.shape_of(i)
    return f"{head}  {colored(f'({shape})', COLORS['muted'])}" if shape else head


def value_text(pic: Picture, i: int) -> str:
    """Second label line: ``= 0.693``; an input ``x1 = 2`` (``x1`` without a point).
    An array is written as :func:`value_block` (a data node its rows alone)."""
    g = pic.graph
    if pic.kind[i] == "data":
        return "\n".join(array_lines(g.params[i].array, shape=False))
    if pic.kind[i] == "input":
        name = g.params[i]
        if pic.at is None:
            return name
        v = pic.values[i]
        return f"{name} = {display_number(v)}" if np.ndim(v) == 0 else value_block(name, v)
    v = pic.values[i]
    return f"= {display_number(v)}" if np.ndim(v) == 0 else value_block("", v)


def deriv_value_text(pic: Picture, i: int) -> str:
    """The final tangent/adjoint of node ``i``: ``v̄₃ = -1`` (a formula without ``at``)."""
    d = pic.deriv_node(i)
    lhs = pic.name(i, pic.deriv_kind)
    if pic.at is None:
        return f"{lhs} = {'0' if d is None else pic.expr_text(d)}"
    v = 0.0 if d is None else pic.values[d]
    return f"{lhs} = {display_number(v)}" if np.ndim(v) == 0 else value_block(lhs, v)


def partial_text(pic: Picture, e: EdgeView) -> str:
    """``∂v₃/∂v₀ = cos v₀ = 0.284`` (the formula once when it is a number)."""
    assert e.partial is not None
    head = pic.partial_name(e)
    if e.repeated:
        head += f" (operand {e.operand + 1})"
    formula = pic.expr_text(e.partial)
    if pic.at is None:
        return f"{head} = {formula}"
    value = number(pic.values[e.partial])
    if formula == value:
        return f"{head} = {value}"
    return f"{head} = {formula} = {value}"


def contribution_text(pic: Picture, s: Any) -> str:
    """``incoming · partial = contribution`` of a step, in numbers; with arrays, the rule
    and the contribution (``v̄₁ · Xᵀ = [1, 2]``, see :func:`flow_text`)."""
    v = pic.values
    e = next(e for e in pic.edges if (e.dst, e.operand) == (s.node, s.operand))
    if has_arrays(pic, e):
        return f"{flow_text(pic, e)} = {number(v[s.contribution])}"
    incoming, partial = display_number(v[s.incoming]), display_operand(v[s.partial])
    return f"{incoming} · {partial} = {display_number(v[s.contribution])}"


def zero_tangent_text(pic: Picture, e: EdgeView) -> str | None:
    """``0 · 2 = 0`` on a forward-mode edge whose operand's tangent is zero (the pass skips
    it: nothing flows), None on other edges and without a point."""
    if pic.mode != "forward" or pic.at is None or e.partial is None or pic.result is None:
        return None
    if has_arrays(pic, e):
        return None
    d = pic.deriv_node(e.src)
    if d is not None and pic.values[d] != 0.0:
        return None
    partial = pic.values[e.partial]
    return f"{display_number(0.0)} · {display_operand(partial)} = {display_number(0.0 * partial)}"


def adjoint_dir(pic: Picture, e: EdgeView) -> str:
    """``"back"`` for an edge a reverse-mode adjoint flows along (result to operand)."""
    return "back" if pic.mode == "reverse" and e.carries else "forward"


def kind_colors(pic: Picture, i: int) -> tuple[str, str]:
    return COLORS[pic.kind[i]]


@dataclass(frozen=True)
class EdgeText:
    """One line of an edge's label as plain text (no markup), with what it says.

    ``role`` is ``"partial"`` (``∂v₃/∂v₀ = cos v₀ = 0.284``), ``"rule"`` (how an array
    op moves the derivative, no value: ``Xᵀ · v̄₁``), ``"contribution"`` (a step of the
    pass: ``1 · 0.5 = 0.5``, with arrays ``Xᵀ · v̄₁ = [1, 2]``; ``step`` is that step) or
    ``"zero"`` (``0 · 2 = 0``: a zero tangent the forward pass skips)."""

    role: str
    text: str
    step: Any = None


def steps_by_edge(pic: Picture) -> dict[tuple[int, int], Any]:
    """The pass's steps by edge ``(node, operand)``; none without a pass or a point."""
    if pic.result is None or pic.at is None:
        return {}
    return {(s.node, s.operand): s for s in pic.result.steps}


def edge_texts(
    pic: Picture, e: EdgeView, partials: bool, steps: dict[tuple[int, int], Any]
) -> list[EdgeText]:
    """The label lines of edge ``e`` in the one-picture view, as plain text: the one place
    that decides what an edge says (the DOT, SVG, Mermaid and TikZ pictures all write these).
    ``steps`` is :func:`steps_by_edge` of ``pic``.

    >>> import graphir as gi
    >>> from graphir.pictures.model import picture
    >>> w = gi.symbols("w", shape=(2,))
    >>> pic = picture(gi.sum(w * w), at={"w": [1.0, 2.0]}, mode="reverse")
    >>> [(t.role, t.text) for t in edge_texts(pic, pic.edges[-1], True, steps_by_edge(pic))]
    [('contribution', 'broadcast(v̄₂) = [1, 1]')]
    """
    if not partials or not e.carries:
        return []
    out = []
    if e.partial is not None:
        out.append(EdgeText("partial", partial_text(pic, e)))
    s = steps.get((e.dst, e.operand))
    if s is not None:
        out.append(EdgeText("contribution", contribution_text(pic, s), s))
        return out
    # (no rule on an edge into a node no derivative reaches, such as ``1 - y`` of data)
    if has_arrays(pic, e) and pic.mode is not None and e.src in pic.shows_derivative:
        out.append(EdgeText("rule", flow_text(pic, e)))
    zero = zero_tangent_text(pic, e)
    if zero is not None:
        out.append(EdgeText("zero", zero))
    return out


def static_looks(
    pic: Picture, partials: bool
) -> tuple[dict[int, NodeLook], list[EdgeLook]]:
    """The looks of the one-picture view: everything known at the end of the pass."""
    looks: dict[int, NodeLook] = {}
    dcolor = COLORS.get(pic.deriv_kind, "#000000")
    for i in pic.nodes:
        lines = [name_line(pic, i)]
        if pic.kind[i] in ("input", "data") or (pic.at is not None and pic.kind[i] != "const"):
            lines.extend(fragment_lines(value_text(pic, i)))
        if pic.result is not None and i in pic.shows_derivative:
            lines.extend(fragment_lines(deriv_value_text(pic, i), dcolor))
        fill, border = kind_colors(pic, i)
        looks[i] = NodeLook(lines, fill, border)
    steps = steps_by_edge(pic)
    colors = {"partial": COLORS["partial"], "rule": dcolor, "contribution": dcolor, "zero": COLORS["muted"]}
    elooks = []
    for e in pic.edges:
        if not e.carries:
            elooks.append(EdgeLook([], COLORS["const_edge"], 1.0, "dashed"))
            continue
        lines = [colored(t.text, colors[t.role]) for t in edge_texts(pic, e, partials, steps)]
        elooks.append(EdgeLook(lines, COLORS["edge"], dir=adjoint_dir(pic, e)))
    return looks, elooks


