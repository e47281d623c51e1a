"""Graphviz DOT source of an expression's computation graph, as in Baydin et al. (2018).

Nodes are named by their position in the picture's order (inputs ``v_{1-n}..v_0``,
then constants, then operations ``v_1, v_2, ...`` in Griewank-Walther order,
see :mod:`graphir.render.names`), never by ``id()``, and every statement is
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
the look is set in :mod:`graphir.render.style`.

The picture is drawn on a copy of the expression's graph: drawing never adds
nodes to the user's graph.

>>> import graphir as gi
>>> x, = gi.symbols("x,")
>>> src = to_dot(gi.sin(x) * x, at={"x": 2.0}, mode="reverse")
>>> src.splitlines()[0]
'digraph graphir {'
>>> "∂v₂/∂v₀ = v₁ = 0.9093" in src
True
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import primitives
from ..build import Expr, RuleKit, expr_list
from ..derivatives import wrt_names
from ..errors import RenderError
from ..ir import Graph
from ..passes.chain import PassResult
from ..passes.evaluate import values_of_nodes
from ..printing import node_text
from ..traversal import topo_order
from . import style
from .names import numbering
from .style import COLORS, escape, fmt, fmt_operand, vname

__all__ = ["to_dot", "svg_or_none", "Picture", "picture", "NodeLook", "EdgeLook", "write_dot"]

MODES = ("forward", "reverse")


# --------------------------------------------------------------------------- the model


@dataclass
class EdgeView:
    """One operand slot drawn as an edge ``src -> dst`` (node ids of the picture's graph)."""

    src: int
    dst: int
    operand: int
    partial: int | None  # node id of d dst / d src; None for an edge from a constant
    repeated: bool  # the same operand node feeds ``dst`` in more than one slot (x*x)

    @property
    def id(self) -> str:
        return f"e{self.dst}_{self.operand}"


@dataclass
class Picture:
    """Everything a picture of an expression shows, computed once.

    ``nodes`` lists the node ids in picture order (a node's DOT name is its
    index there); ``num`` is the Griewank-Walther numbering; ``values`` holds
    the number of every evaluated node (primal nodes, partials, tangents or
    adjoints) when ``at`` is given; ``result`` is the derivative pass.
    """

    graph: Graph
    outputs: list[int]
    nodes: list[int]
    kind: dict[int, str]
    num: dict[int, int]
    names: dict[int, str]
    edges: list[EdgeView]
    at: dict[str, float] | None
    mode: str | None
    wrt: list[str]
    result: PassResult | None
    shows_derivative: set[int]
    values: dict[int, float] = field(default_factory=dict)
    unit_seed: bool = True  # forward mode: one variable seeded with tangent 1 (a partial derivative)

    # ------------------------------------------------------------------ queries
    def point_text(self) -> str:
        """``x1 = 2, x2 = 5``: the point, in the inputs' order."""
        at = self.at or {}
        g = self.graph
        return ", ".join(
            f"{g.params[i]} = {fmt(at[g.params[i]])}" for i in self.nodes
            if self.kind[i] == "input" and g.params[i] in at
        )

    def dot_id(self, node: int) -> int:
        return self._pos[node]

    def __post_init__(self) -> None:
        self._pos = {n: k for k, n in enumerate(self.nodes)}

    @property
    def op_nodes(self) -> list[int]:
        """Operation nodes in evaluation (Griewank-Walther) order."""
        return [i for i in self.nodes if self.graph.args[i]]

    def name(self, i: int, kind: str = "primal") -> str:
        """``v₃`` (or ``v̇₃``, ``v̄₃``) of a numbered node."""
        return vname(self.num[i], kind)

    @property
    def deriv_kind(self) -> str:
        return "tangent" if self.mode == "forward" else "adjoint"

    def deriv_node(self, i: int) -> int | None:
        """Node holding the tangent/adjoint of ``i`` at the end of the pass (None: zero)."""
        assert self.result is not None
        return self.result.of(i)

    def operand_text(self, a: int, numbers: bool = False) -> str:
        """How operand node ``a`` is written inside a formula: its name, or its value."""
        g = self.graph
        if g.ops[a] == "const":
            return _const_text(g.params[a], operand=True)
        if numbers:
            return fmt_operand(self.values[a])
        return self.names[a]

    def formula(self, i: int, numbers: bool = False) -> str:
        """The operation of node ``i`` with operand names (``v₋₁ × v₀``, ``ln v₋₁``),
        or with the operands' values when ``numbers`` (``2 × 5``)."""
        g = self.graph
        p = primitives.get(g.ops[i])
        ops = [self.operand_text(a, numbers) for a in g.args[i]]
        return _op_formula(p, ops)

    def expr_text(self, i: int) -> str:
        """Any node of the graph (a partial, a tangent) written with the picture's names."""
        g = self.graph
        if i in self.names:
            return self.names[i]
        if g.ops[i] == "const":
            return _const_text(g.params[i])
        if all(a in self.names or g.ops[a] == "const" for a in g.args[i]):
            return _op_formula(primitives.get(g.ops[i]), [self.operand_text(a) for a in g.args[i]])
        s = node_text(g, i, self.names)
        s = s.replace("**", "^").replace("*", "·")
        return s if len(s) <= 40 else s[:39] + "…"

    def partial_name(self, e: EdgeView) -> str:
        return f"∂{self.names[e.dst]}/∂{self.names[e.src]}"


def _const_text(v: float, operand: bool = False) -> str:
    name = primitives.pi_or_e(v)
    if name:
        return "π" if name == "pi" else "e"
    return fmt_operand(v) if operand else fmt(v)


def _op_formula(p: primitives.Primitive, ops: list[str]) -> str:
    """One operation written from the registry's label: infix (``a × b``, ``a^b``,
    ``−a``) or as a function (``ln a``, ``max(a, b)``)."""
    label = p.label
    if p.is_infix and p.arity == 2:
        if label in ("^", "/"):  # tight: v₁^2, 1/v₋₁
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


def _check_mode(mode: str | None) -> None:
    if mode is not None and mode not in MODES:
        raise RenderError(f"mode must be 'forward', 'reverse' or None, got {mode!r}")


def _point(at: Mapping[Any, Any]) -> dict[str, float]:
    if not isinstance(at, Mapping):
        raise RenderError(f"at must map variables (or their names) to numbers, got {at!r}")
    point: dict[str, float] = {}
    for k, v in at.items():
        name = k.name if isinstance(k, Expr) else k
        if not isinstance(name, str):
            raise RenderError(f"at is keyed by variables or names, got {k!r}")
        if isinstance(v, np.ndarray) and v.ndim == 0:
            v = v[()]
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise RenderError(f"a picture needs one real number per variable; {name} = {v!r}")
        point[name] = float(v)
    return point


def picture(
    expr: Any,
    at: Mapping[Any, Any] | None = None,
    mode: str | None = None,
    wrt: Any = None,
    max_nodes: int | None = style.MAX_NODES,
) -> Picture:
    """Compute what the pictures of ``expr`` show (see :func:`to_dot` for the arguments).

    >>> import graphir as gi
    >>> p = picture(gi.parse("ln(x1) + x1*x2 - sin(x2)"), at={"x1": 2, "x2": 5}, mode="reverse")
    >>> [p.names[i] for i in p.nodes]
    ['v₋₁', 'v₀', 'v₁', 'v₂', 'v₃', 'v₄', 'v₅']
    >>> len(p.result.steps)
    8
    """
    from ..derivatives import forward_pass, reverse_pass, variables_of
    from ..passes.reverse import depends_on

    _check_mode(mode)
    outs, _ = expr_list(expr)
    user_graph, roots = outs[0]._g, [e.node for e in outs]
    if any(e._g is not user_graph for e in outs):
        from ..build import lift

        user_graph, roots = lift(*outs)
    n_ops = sum(1 for i in topo_order(user_graph, roots) if user_graph.args[i])
    if max_nodes is not None and n_ops > max_nodes:
        raise RenderError(
            f"the graph has {n_ops} operation nodes, more than max_nodes={max_nodes} draws readably; "
            f"pass max_nodes=None (or a larger number) to draw it anyway, or draw a part: "
            f"render a subexpression such as expr.args[0]"
        )
    # Draw on a copy: the user's graph never grows because of a picture.
    g = Graph()
    mapping = g.copy_from(user_graph, roots)
    outputs = list(dict.fromkeys(mapping[r] for r in roots))
    exprs = [Expr(g, o) for o in outputs]
    variables = variables_of(exprs)
    order = topo_order(g, outputs)
    num = numbering(g, outputs, variables)
    inputs = sorted((i for i in order if g.ops[i] == "var"), key=lambda i: num[i])
    consts = [i for i in order if g.ops[i] == "const"]
    ops = sorted((i for i in order if g.args[i]), key=lambda i: num[i])
    nodes = inputs + consts + ops
    kind = {i: "input" for i in inputs}
    kind.update({i: "const" for i in consts})
    kind.update({i: "output" if i in outputs else "op" for i in ops})
    names = {i: vname(k) for i, k in num.items()}

    kit = RuleKit(g)
    edges: list[EdgeView] = []
    for n in ops:
        args = g.args[n]
        rules = primitives.get(g.ops[n]).partials
        for k, a in enumerate(args):
            partial = None
            if g.ops[a] != "const":
                partial = rules[k](kit, Expr(g, n), *[Expr(g, b) for b in args]).node
            edges.append(EdgeView(a, n, k, partial, args.count(a) > 1))

    names_wrt = wrt_names(wrt, variables)
    result: PassResult | None = None
    shows: set[int] = set()
    unit = True
    if mode == "forward":
        if isinstance(wrt, Mapping):
            tangents = {(k.name if isinstance(k, Expr) else k): v for k, v in wrt.items()}
            names_wrt = list(tangents)
        else:
            names_wrt = names_wrt[:1]
            tangents = {names_wrt[0]: 1.0} if names_wrt else {}
        result = forward_pass(exprs, tangents)
        shows = {i for i in order if g.ops[i] != "const"}
        seeds = [(g.params[i], g.const_value(result.seeds[i])) for i in inputs if i in result.seeds]
        nonzero = [(n, c) for n, c in seeds if c != 0.0]
        names_wrt = [n for n, _ in nonzero]
        unit = len(nonzero) == 1 and nonzero[0][1] == 1.0
    elif mode == "reverse":
        result = reverse_pass(exprs, wrt=names_wrt)
        var_ids = {i for i in inputs if g.params[i] in names_wrt}
        shows = depends_on(g, order, var_ids)

    pic = Picture(g, outputs, nodes, kind, num, names, edges,
                  None if at is None else _point(at), mode, names_wrt, result, shows, unit_seed=unit)
    if pic.at is not None:
        needed = set(order) | {e.partial for e in edges if e.partial is not None}
        if result is not None:
            needed |= set(result.values.values()) | set(result.seeds.values())
            for s in result.steps:
                needed |= {s.partial, s.incoming, s.contribution, s.after}
                if s.before is not None:
                    needed.add(s.before)
        env = values_of_nodes(g, topo_order(g, needed), pic.at)
        for i in needed:
            v = env[i]
            if np.iscomplexobj(v):
                raise RenderError("a picture needs real values at the point given")
            pic.values[i] = float(v)
    return pic


# --------------------------------------------------------------------------- looks


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


def colored(text: str, color: str, bold: bool = False) -> str:
    """An escaped label fragment in a colour."""
    t = escape(text)
    if bold:
        t = f"<B>{t}</B>"
    return f'<FONT COLOR="{color}">{t}</FONT>'


def name_line(pic: Picture, i: int) -> str:
    """First label line: ``<B>v₂</B> = v₋₁ × v₀``; a constant its value."""
    g = pic.graph
    if pic.kind[i] == "const":
        return escape(_const_text(g.params[i]))
    head = f"<B>{escape(pic.names[i])}</B>"
    if pic.kind[i] == "input":
        return head
    return f"{head} = {escape(pic.formula(i))}"


def value_text(pic: Picture, i: int) -> str:
    """Second label line: ``= 0.6931``; an input ``x1 = 2`` (``x1`` without a point)."""
    g = pic.graph
    if pic.kind[i] == "input":
        name = g.params[i]
        return name if pic.at is None else f"{name} = {fmt(pic.values[i])}"
    return f"= {fmt(pic.values[i])}"


def deriv_value_text(pic: Picture, i: int) -> str:
    """The final tangent/adjoint of node ``i``: ``v̄₃ = -1`` (a formula without ``at``)."""
    d = pic.deriv_node(i)
    lhs = pic.name(i, pic.deriv_kind)
    if pic.at is None:
        return f"{lhs} = {'0' if d is None else pic.expr_text(d)}"
    return f"{lhs} = {fmt(0.0 if d is None else pic.values[d])}"


def partial_text(pic: Picture, e: EdgeView) -> str:
    """``∂v₃/∂v₀ = cos v₀ = 0.2837`` (the formula once when it is a number)."""
    assert e.partial is not None
    head = pic.partial_name(e)
    if e.repeated:
        head += f" (operand {e.operand + 1})"
    formula = pic.expr_text(e.partial)
    if pic.at is None:
        return f"{head} = {formula}"
    value = fmt(pic.values[e.partial])
    if formula == value:
        return f"{head} = {value}"
    return f"{head} = {formula} = {value}"


def contribution_text(pic: Picture, s: Any) -> str:
    """``incoming · partial = contribution`` of a step, in numbers."""
    v = pic.values
    return f"{fmt(v[s.incoming])} · {fmt_operand(v[s.partial])} = {fmt(v[s.contribution])}"


def kind_colors(pic: Picture, i: int) -> tuple[str, str]:
    return COLORS[pic.kind[i]]


def static_looks(
    pic: Picture, partials: bool
) -> tuple[dict[int, NodeLook], list[EdgeLook]]:
    """The looks of the one-picture view: everything known at the end of the pass."""
    looks: dict[int, NodeLook] = {}
    dcolor = COLORS.get(pic.deriv_kind, "#000000")
    for i in pic.nodes:
        lines = [name_line(pic, i)]
        if pic.kind[i] == "input" or (pic.at is not None and pic.kind[i] != "const"):
            lines.append(escape(value_text(pic, i)))
        if pic.result is not None and i in pic.shows_derivative:
            lines.append(colored(deriv_value_text(pic, i), dcolor))
        fill, border = kind_colors(pic, i)
        looks[i] = NodeLook(lines, fill, border)
    contrib: dict[tuple[int, int], Any] = {}
    if pic.result is not None and pic.at is not None:
        contrib = {(s.node, s.operand): s for s in pic.result.steps}
    elooks = []
    for e in pic.edges:
        if e.partial is None:
            elooks.append(EdgeLook([], COLORS["const_edge"], 1.0, "dashed"))
            continue
        lines = []
        if partials:
            lines.append(colored(partial_text(pic, e), COLORS["partial"]))
            s = contrib.get((e.dst, e.operand))
            if s is not None:
                lines.append(colored(contribution_text(pic, s), dcolor))
        elooks.append(EdgeLook(lines, COLORS["edge"]))
    return looks, elooks


# --------------------------------------------------------------------------- DOT text


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


def graph_defaults(rankdir: bool = True) -> list[str]:
    """The ``graph``/``node``/``edge`` default statements every picture starts with."""
    g: dict[str, Any] = {}
    if rankdir:
        g.update(rankdir="LR", nodesep=0.25, ranksep=0.45)
    g.update(bgcolor="white", pad=0.15, fontname=style.FONT, fontsize=style.CAPTION_FONT_SIZE)
    node = {"fontname": style.FONT, "fontsize": style.FONT_SIZE, "style": "filled",
            "margin": "0.12,0.05"}
    edge = {"fontname": style.FONT, "fontsize": style.EDGE_FONT_SIZE, "arrowsize": 0.7}
    return [f"  graph [{_attrs(g)}];", f"  node [{_attrs(node)}];", f"  edge [{_attrs(edge)}];"]


def node_attrs(pic: Picture, i: int, look: NodeLook) -> dict[str, Any]:
    """DOT attributes of node ``i`` drawn with ``look``."""
    k = pic.kind[i]
    d: dict[str, Any] = {"id": f"n{pic.dot_id(i)}", "shape": style.KIND[k]["shape"]}
    if k in ("op", "output", "const"):
        d["style"] = "filled,rounded"
    if style.KIND[k]["peripheries"] != "1":
        d["peripheries"] = int(style.KIND[k]["peripheries"])
    if k == "input":
        d["margin"] = "0.02,0.02"
    if k == "const":
        d.update(fontsize=style.CONST_FONT_SIZE, margin="0.04,0.02", width=0.3, height=0.25)
    d.update(fillcolor=look.fill, color=look.border, penwidth=look.penwidth, label=_label(look.lines))
    return d


def edge_attrs(e: EdgeView, look: EdgeLook) -> dict[str, Any]:
    """DOT attributes of edge ``e`` drawn with ``look``."""
    d: dict[str, Any] = {"id": e.id, "color": look.color}
    if look.penwidth != 1.0:
        d["penwidth"] = look.penwidth
    if look.style != "solid":
        d["style"] = look.style
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
) -> str:
    """DOT text of ``pic`` with the given looks; ``*_extra`` add attributes (pinned layout)."""
    out = ["digraph graphir {", *graph_defaults(rankdir)]
    if graph_label:
        out.append(f"  graph [{_attrs({'label': Html(graph_label), 'labelloc': 'b', 'labeljust': 'l'})}];")
    for i in pic.nodes:
        d = node_attrs(pic, i, looks[i])
        if node_extra is not None:
            d.update(node_extra[i])
        out.append(f"  {pic.dot_id(i)} [{_attrs(d)}];")
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
        tail = "edges: local partial derivative ∂, then v̇ of the operand · ∂ = contribution"
    else:
        text = f"reverse mode{where}, adjoints v̄ = ∂f/∂v"
        if len(pic.outputs) > 1:
            text = f"reverse mode{where}, adjoints v̄ = ∂(sum of the outputs)/∂v"
        tail = "edges: local partial derivative ∂, then v̄ of the result · ∂ = contribution"
    if pic.at is None:
        tail = "edges: local partial derivatives ∂"
    return escape(text) + '<BR ALIGN="LEFT"/>' + escape(tail) + '<BR ALIGN="LEFT"/>'


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
            text = fmt(pic.values[s])
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
    pic = picture(expr, at, mode, wrt, max_nodes)
    looks, elooks = static_looks(pic, mode is not None if partials is None else partials)
    return write_dot(pic, looks, elooks, legend(pic) if show_legend else None)


def svg_or_none(expr: Any) -> str | None:
    """SVG text of the plain graph of ``expr`` (for Jupyter), or None when Graphviz is
    missing, the graph is too large, or anything else goes wrong; never raises.

    >>> import graphir as gi
    >>> x, = gi.symbols("x,")
    >>> s = svg_or_none(gi.sin(x))
    >>> s is None or s.lstrip().startswith("<svg")
    True
    """
    try:
        from .draw import run_graphviz

        svg = run_graphviz(["dot", "-Tsvg"], to_dot(expr).encode("utf-8")).decode("utf-8")
        start = svg.find("<svg")
        return svg[start:] if start >= 0 else None
    except Exception:  # noqa: BLE001 - a notebook repr must never raise
        return None
