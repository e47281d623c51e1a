"""Graphviz DOT source of an expression's computation graph, as in Baydin et al. (2018).

Nodes are named by their position in the picture's order (inputs ``v_{1-n}..v_0``,
then constants, then operations ``v_1, v_2, ...`` in Griewank-Walther order,
see :mod:`graphir.text.notation`), never by ``id()``, and every statement is
written in that order, so the same expression gives byte-identical DOT in any
process.

Each node shows its name and operation (``v₂ = v₋₁ × v₀``); with ``at`` its
value; with ``mode="forward"`` its tangent ``v̇ₖ``, with ``mode="reverse"`` its
adjoint ``v̄ₖ``, both taken from :func:`graphir.forward_pass` /
:func:`graphir.reverse_pass`.  There is one edge per operand slot (``x*x``
has two), labelled, when a mode is given (or ``partials=True``), with the local
partial derivative ``∂v_j/∂v_i``: its formula and, with ``at``, its number.
Inputs (blue ellipses), intermediate nodes (white boxes), the output (orange,
double border) and constants (small grey boxes) differ in shape and colour;
the look is set in :mod:`graphir.pictures.style`.

The picture is drawn on a copy of the expression's graph: drawing never adds
nodes to the user's graph.

>>> import graphir as gi
>>> x, = gi.symbols("x,")
>>> src = to_dot(gi.sin(x) * x, at={"x": 2.0}, mode="reverse")
>>> src.splitlines()[0]
'digraph graphir {'
>>> "∂v₂/∂v₀ = v₁ = 0.909" in src
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..printing import display_number
from . import style
from .labels import EdgeLook, NodeLook, static_looks
from .model import EdgeView, Picture, prepared
from .style import escape

__all__ = ["to_dot", "svg_or_none", "write_dot", "Html", "graph_defaults", "legend"]


class Html(str):
    """A Graphviz HTML-like label (written between ``<`` and ``>``)."""


def _value(v: Any) -> str:
    if isinstance(v, Html):
        return f"<{v}>"
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return repr(v)
    s = str(v).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{s}"'


def _attrs(d: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={_value(v)}" for k, v in d.items())


def _label(lines: Sequence[str]) -> Html:
    return Html("<BR/>".join(lines) if lines else "")


def graph_defaults(rankdir: bool = True, page: style.Page = style.DEFAULT_PAGE) -> list[str]:
    """The ``graph``/``node``/``edge`` default statements every picture starts with."""
    g: dict[str, Any] = {}
    if rankdir:
        g.update(rankdir=page.rankdir, nodesep=0.25, ranksep=0.45)
    g.update(bgcolor="white", pad=0.15, fontname=style.FONT, fontsize=page.size(style.CAPTION_FONT_SIZE))
    node = {"fontname": style.FONT, "fontsize": page.size(style.FONT_SIZE), "style": "filled",
            "margin": "0.12,0.05"}
    edge = {"fontname": style.FONT, "fontsize": page.size(style.EDGE_FONT_SIZE), "arrowsize": 0.7}
    return [f"  graph [{_attrs(g)}];", f"  node [{_attrs(node)}];", f"  edge [{_attrs(edge)}];"]


def node_attrs(pic: Picture, i: int, look: NodeLook, page: style.Page = style.DEFAULT_PAGE) -> dict[str, Any]:
    """DOT attributes of node ``i`` drawn with ``look``."""
    k = pic.kind[i]
    d: dict[str, Any] = {"id": f"n{pic.dot_id(i)}", "shape": style.KIND[k]["shape"]}
    if k in ("op", "output", "const", "data"):
        d["style"] = "filled,rounded"
    if style.KIND[k]["peripheries"] != "1":
        d["peripheries"] = int(style.KIND[k]["peripheries"])
    if k == "input":
        d["margin"] = "0.02,0.02"
    if k == "const":
        d.update(fontsize=page.size(style.CONST_FONT_SIZE), margin="0.04,0.02", width=0.3, height=0.25)
    d.update(fillcolor=look.fill, color=look.border, penwidth=look.penwidth, label=_label(look.lines))
    return d


def cluster_attrs(label: str, page: style.Page = style.DEFAULT_PAGE) -> dict[str, Any]:
    """DOT attributes of the box around a group of named nodes (``expr.named("layer1.h")``)."""
    return {"label": Html(f"<B>{escape(label)}</B>"), "labelloc": "t", "labeljust": "l",
            "style": "rounded,dashed", "color": style.COLORS["muted"],
            "fontsize": page.size(style.EDGE_FONT_SIZE + 1), "margin": 10}


def edge_attrs(e: EdgeView, look: EdgeLook) -> dict[str, Any]:
    """DOT attributes of edge ``e`` drawn with ``look``."""
    d: dict[str, Any] = {"id": e.id, "color": look.color}
    if look.penwidth != 1.0:
        d["penwidth"] = look.penwidth
    if look.style != "solid":
        d["style"] = look.style
    if look.dir != "forward":
        d["dir"] = look.dir
    if look.lines:
        d["label"] = _label(look.lines)
    return d


def write_dot(
    pic: Picture,
    looks: Mapping[int, NodeLook],
    elooks: Sequence[EdgeLook],
    graph_label: str | None = None,
    node_extra: Mapping[int, Mapping[str, Any]] | None = None,
    edge_extra: Sequence[Mapping[str, Any]] | None = None,
    extra: Sequence[str] = (),
    rankdir: bool = True,
    page: style.Page = style.DEFAULT_PAGE,
    cluster_extra: Sequence[Mapping[str, Any]] | None = None,
) -> str:
    """DOT text of ``pic`` with the given looks; ``*_extra`` add attributes (pinned layout)."""
    out = ["digraph graphir {", *graph_defaults(rankdir, page)]
    if graph_label:
        out.append(f"  graph [{_attrs({'label': Html(graph_label), 'labelloc': 'b', 'labeljust': 'l'})}];")
    def node(i: int, indent: str = "  ") -> str:
        d = node_attrs(pic, i, looks[i], page)
        if node_extra is not None:
            d.update(node_extra[i])
        return f"{indent}{pic.dot_id(i)} [{_attrs(d)}];"

    grouped = {i for members in pic.groups.values() for i in members}
    out.extend(node(i) for i in pic.nodes if i not in grouped)
    for k, (label, members) in enumerate(pic.groups.items()):
        out.append(f"  subgraph cluster_{k} {{")
        c = cluster_attrs(label, page)
        if cluster_extra is not None:
            c.update(cluster_extra[k])
        out.append(f"    graph [{_attrs(c)}];")
        out.extend(node(i, "    ") for i in members)
        out.append("  }")
    for k, (e, look) in enumerate(zip(pic.edges, elooks, strict=True)):
        d = edge_attrs(e, look)
        if edge_extra is not None:
            d.update(edge_extra[k])
        out.append(f"  {pic.dot_id(e.src)} -> {pic.dot_id(e.dst)} [{_attrs(d)}];")
    out.extend(extra)
    out.append("}")
    return "\n".join(out) + "\n"


def legend(pic: Picture) -> str | None:
    """A two-line key under a picture with derivatives (HTML-like, escaped, left-aligned)."""
    if pic.result is None:
        return None
    where = f" at {pic.point_text()}" if pic.at is not None else ""
    if pic.mode == "forward":
        text = f"forward mode{where}, tangents v̇ = ∂v/∂{pic.wrt[0]}" if pic.unit_seed else (
            f"forward mode{where}, tangents v̇ along {seed_text(pic)}")
        tail = ("each edge carries v̇ of its operand times the local partial ∂ on to its result "
                "(v̇ · ∂ = contribution)")
        if pic.at is None:
            tail = "edges: local partial derivatives ∂"
    else:
        text = f"reverse mode{where}, adjoints v̄ = ∂{pic.output_name}/∂v"
        if len(pic.outputs) > 1:
            text = f"reverse mode{where}, adjoints v̄ = ∂(sum of the outputs)/∂v"
        text += ", flowing from the output back to the inputs (the arrows)"
        tail = "each edge carries v̄ of its result times the local partial ∂ back to its operand"
        tail += " (v̄ · ∂ = contribution)" if pic.at is not None else ""
    out = "".join(escape(line) + '<BR ALIGN="LEFT"/>' for line in [*_wrapped(text), tail])
    if any(pic.graph.shapes[i] for i in pic.nodes):
        arrays = ("an array op's edge carries its rule (v̄ · Xᵀ); sum_to adds an adjoint back over "
                  "the axes its operand was broadcast along" if pic.mode == "reverse" else
                  "an array op's edge applies the op to the tangent (X @ ẇ); broadcast where the operand "
                  "was smaller")
        out += escape(arrays) + '<BR ALIGN="LEFT"/>'
    return out


#: A legend line longer than this is broken after a comma (a point with many values).
LEGEND_WIDTH = 110


def _wrapped(text: str) -> list[str]:
    """``text`` as lines of at most :data:`LEGEND_WIDTH` characters, broken after a ``", "``
    outside brackets (an array value stays on one line).

    >>> _wrapped("short")
    ['short']
    >>> [len(line) <= LEGEND_WIDTH for line in _wrapped(", ".join(["w = 0.5"] * 40))]
    [True, True, True, True]
    """
    if len(text) <= LEGEND_WIDTH:
        return [text]
    parts, depth, start = [], 0, 0
    for k, ch in enumerate(text):
        depth += (ch in "([") - (ch in ")]")
        if depth == 0 and text.startswith(", ", k):
            parts.append(text[start:k])
            start = k + 2
    parts.append(text[start:])
    lines, line = [], ""
    for part in parts:
        if line and len(line) + 2 + len(part) > LEGEND_WIDTH:
            lines.append(line + ",")
            line = part
        else:
            line = f"{line}, {part}" if line else part
    return [*lines, line]


def seed_text(pic: Picture) -> str:
    """The forward seeds in words: ``v̇₋₁ = 1, v̇₀ = 0.5`` (``ẋ`` values of every input)."""
    assert pic.result is not None
    parts = []
    for i in pic.nodes:
        if pic.kind[i] != "input":
            continue
        s = pic.result.seeds.get(i)
        if s is None:
            text = "0"
        elif s in pic.values:
            text = display_number(pic.values[s])
        else:
            text = pic.expr_text(s)
        parts.append(f"{pic.name(i, 'tangent')} = {text}")
    return ", ".join(parts)


def to_dot(
    expr: Any,
    at: Mapping[Any, Any] | None = None,
    mode: str | None = None,
    wrt: Any = None,
    *,
    partials: bool | None = None,
    max_nodes: int | None = style.MAX_NODES,
    show_legend: bool = True,
    name: str | None = None,
    rankdir: str | None = None,
    font_size: float | None = None,
    compact: bool | None = None,
    cleanup: bool | None = None,
) -> str:
    """Graphviz DOT source of the computation graph of ``expr``.

    Parameters
    ----------
    expr : Expr or sequence of Expr
        What to draw (several expressions: one graph with several outputs).
    at : mapping, optional
        Variables (or names) to numbers: every node shows its value.
    mode : {None, "forward", "reverse"}
        Also show tangents (forward, seeded by the first variable of ``wrt``, or
        by ``wrt`` given as a mapping variable -> tangent) or adjoints (reverse,
        of the variables ``wrt``, default all), and the local partial
        derivative on every edge.
    wrt : variable, name, sequence of them, or mapping (forward mode)
    partials : bool, optional
        Label edges with local partial derivatives (default: when ``mode`` is given).
    max_nodes : int or None
        Refuse (:class:`~graphir.RenderError`) graphs with more operation nodes;
        None draws any size.
    show_legend : bool
        A one-line key under pictures with derivatives.
    name : str, optional
        What the key calls the output (``∂L/∂v``; default ``f``), as ``explain(name=...)``.
    rankdir : {"LR", "TB"}, optional
        The graph runs left to right (default) or top to bottom (narrow pages).
    font_size : number, optional
        Points of the node labels (default 12); edge and constant labels scale with it.
    compact : bool, optional
        Constants get no node (nor edge) of their own: their users' labels write them
        (``v₁ = v₀^2``).  Default False.
    cleanup : bool, optional
        Draw ``gi.cleanup(expr)`` (no ``0 × v``, ``1 × v``, ``v − 0`` nodes).  Default
        (None): for an expression returned by ``gi.grad``, ``gi.diff`` and the other
        derivative functions only; False draws the pass's output as it is.

    Returns
    -------
    str
        DOT text, byte-identical for the same input in any process.

    Examples
    --------
    >>> import graphir as gi
    >>> x, = gi.symbols("x,")
    >>> print(to_dot(x * x))  # doctest: +ELLIPSIS
    digraph graphir {
    ...
      0 -> 1 [id="e1_0", color="#4d4d4d"];
      0 -> 1 [id="e1_1", color="#4d4d4d"];
    }
    <BLANKLINE>
    """
    pic, page, partials = prepared(expr, at, mode, wrt, max_nodes=max_nodes, name=name, compact=compact,
                                   cleanup=cleanup, partials=partials, rankdir=rankdir, font_size=font_size)
    looks, elooks = static_looks(pic, partials)
    return write_dot(pic, looks, elooks, legend(pic) if show_legend else None, page=page)


def svg_or_none(expr: Any) -> str | None:
    """The accessible SVG of the plain graph of ``expr`` (:func:`graphir.to_svg`, for Jupyter),
    or None when Graphviz is missing, the graph is too large, or anything else goes wrong;
    never raises.

    >>> import graphir as gi
    >>> x, = gi.symbols("x,")
    >>> s = svg_or_none(gi.sin(x))
    >>> s is None or s.lstrip().startswith("<svg")
    True
    """
    try:
        from .svg import to_svg

        return to_svg(expr)
    except Exception:  # broad on purpose: a notebook repr must never raise
        return None
