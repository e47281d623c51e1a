"""What a picture of an expression shows, computed once: the :class:`Picture` model.

:func:`picture` copies the expression's graph (drawing never adds nodes to the
user's graph), numbers its nodes in Griewank-Walther order (inputs
``v_{1-n}..v_0``, then operations ``v_1, v_2, ...``, see
:mod:`graphir.text.notation`), builds each edge's local partial derivative, runs
the forward or reverse pass and evaluates every node it will show.  Labels
(:mod:`graphir.pictures.labels`), DOT text (:mod:`graphir.pictures.dot`) and the
step-by-step frames (:mod:`graphir.pictures.frames`) all read this model.

>>> import graphir as gi
>>> p = picture(gi.parse("x*x"), at={"x": 3}, mode="reverse")
>>> [p.names[i] for i in p.nodes], len(p.edges)
(['v₀', 'v₁'], 2)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import primitives
from ..arguments import check_mode, forward_seeds, variables_of, wrt_names
from ..build import Expr, RuleKit, expr_list
from ..errors import ArgumentError, RenderError, RenderTooLarge
from ..ir import Data, Graph, display_name_problem
from ..passes.chain import PassResult, partial_node
from ..passes.evaluate import values_of_nodes
from ..printing import display_operand, node_text
from ..text.notation import array_formula, compact_array, node_name, numbering, shape_text
from ..text.trace_table import check_point_shapes, real_point
from ..traversal import topo_order
from . import style
from .labels import const_text, op_formula

__all__ = ["Picture", "EdgeView", "picture"]


@dataclass
class EdgeView:
    """One operand slot drawn as an edge ``src -> dst`` (node ids of the picture's graph)."""

    src: int
    dst: int
    operand: int
    partial: int | None  # node id of d dst / d src; None for an edge from a constant or of an array op
    repeated: bool  # the same operand node feeds ``dst`` in more than one slot (x*x)
    array_op: bool = False  # an edge of an array op (matmul, sum...): its record's rule moves derivatives

    @property
    def carries(self) -> bool:
        """Whether tangents/adjoints flow along this edge (not from a constant or data)."""
        return self.partial is not None or self.array_op

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
    values: dict[int, Any] = field(default_factory=dict)  # a float, or an array for a shaped node
    unit_seed: bool = True  # forward mode: one variable seeded with tangent 1 (a partial derivative)
    output_name: str = "f"  # what legends and captions call the output (∂f/∂v)
    groups: dict[str, list[int]] = field(default_factory=dict)  # cluster label -> nodes, see group_of

    # ------------------------------------------------------------------ queries
    def point_text(self) -> str:
        """``x1 = 2, x2 = 5``: the point, in the inputs' order."""
        at = self.at or {}
        g = self.graph
        return ", ".join(
            f"{g.params[i]} = {compact_array(at[g.params[i]])}" for i in self.nodes
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
        """``v₃`` (or ``v̇₃``, ``v̄₃``) of a numbered node; its display name (``u``, ``ū``)
        when it has one."""
        return node_name(self.graph, self.num, i, kind)

    @property
    def deriv_kind(self) -> str:
        return "tangent" if self.mode == "forward" else "adjoint"

    def deriv_node(self, i: int) -> int | None:
        """Node holding the tangent/adjoint of ``i`` at the end of the pass (None: zero)."""
        assert self.result is not None
        return self.result.derivative_of(i)

    def operand_text(self, a: int, numbers: bool = False) -> str:
        """How operand node ``a`` is written inside a formula: its name, or its value."""
        g = self.graph
        if g.ops[a] == "const":
            return const_text(g.params[a], operand=True)
        if numbers and np.ndim(self.values[a]):
            return compact_array(self.values[a])
        if numbers:
            return display_operand(self.values[a])
        return self.names[a]

    def formula(self, i: int, numbers: bool = False) -> str:
        """The operation of node ``i`` with operand names (``v₋₁ × v₀``, ``ln v₋₁``),
        or with the operands' values when ``numbers`` (``2 × 5``)."""
        g = self.graph
        p = primitives.get(g.ops[i])
        ops = [self.operand_text(a, numbers) for a in g.args[i]]
        if not p.elementwise:
            return array_formula(g, i, ops)
        return op_formula(p, ops)

    def expr_text(self, i: int) -> str:
        """Any node of the graph (a partial, a tangent) written with the picture's names."""
        g = self.graph
        if i in self.names:
            return self.names[i]
        if g.ops[i] == "const":
            return const_text(g.params[i])
        if all(a in self.names or g.ops[a] == "const" for a in g.args[i]):
            p = primitives.get(g.ops[i])
            ops = [self.operand_text(a) for a in g.args[i]]
            return op_formula(p, ops) if p.elementwise else array_formula(g, i, ops)
        s = node_text(g, i, self.names)
        s = s.replace("**", "^").replace("*", "·")
        return s if len(s) <= 40 else s[:39] + "…"

    def shape_of(self, i: int) -> str:
        """``3×2`` for a node holding an array, ``""`` for a scalar node."""
        return shape_text(self.graph.shapes[i])

    def partial_name(self, e: EdgeView) -> str:
        return f"∂{self.names[e.dst]}/∂{self.names[e.src]}"


def data_name(data: Data) -> str:
    """How a data node is written: its name, or ``array`` for an unnamed one."""
    return data.name if data.name else "array"


def output_name_of(name: Any) -> str:
    """The output's name for legends: ``name`` checked (any one-line text), ``"f"`` for None.

    >>> output_name_of("L"), output_name_of(None)
    ('L', 'f')
    """
    if name is None:
        return "f"
    why = display_name_problem(name)
    if why is not None:
        raise ArgumentError(f"{str(name)[:80]!r} cannot name the output: {why}")
    return name


def cleaned(roots: list[int], graph: Graph, cleanup: bool | None) -> bool:
    """Whether a picture draws the clean-up of ``roots``: ``cleanup`` when given, else
    when they are derivatives graphir's derivative functions returned."""
    if cleanup is None:
        from ..derivatives import is_derivative

        return all(is_derivative(graph, r) for r in roots)
    if not isinstance(cleanup, bool):
        raise ArgumentError(f"cleanup must be True, False or None (derivatives only), got {cleanup!r}")
    return cleanup


def cleaned_copy(graph: Graph, roots: list[int]) -> tuple[Graph, list[int]]:
    """``gi.cleanup`` of ``roots`` in a copy of ``graph`` (the user's graph does not grow)."""
    from ..passes.cleanup import cleanup_nodes

    g = Graph()
    mapping = g.copy_from(graph, roots)
    copied = [mapping[r] for r in roots]
    new = cleanup_nodes(g, copied)
    return g, [new[r] for r in copied]


def group_of(display_name: str | None) -> str | None:
    """The group a display name puts its node in: the text before its last dot.

    >>> group_of("layer1.h"), group_of("net.layer1.h"), group_of("h"), group_of(".h"), group_of(None)
    ('layer1', 'net.layer1', None, None, None)
    """
    if display_name is None:
        return None
    head, dot, tail = display_name.rpartition(".")
    return head if dot and head.strip() and tail.strip() else None


def groups_of(g: Graph, nodes: list[int], ops: list[int]) -> dict[str, list[int]]:
    """Group label -> its nodes (in ``nodes`` order), groups in order of their first node.

    A node named ``"layer1.h"`` is in group ``layer1``; an unnamed operation (of ``ops``,
    in evaluation order) whose every user is in one group joins it (``w1 × x`` feeding
    only ``layer1.z``)."""
    label = {i: group_of(g.display_name(i)) for i in nodes}
    users: dict[int, list[int]] = {}
    for n in ops:
        for a in g.args[n]:
            users.setdefault(a, []).append(n)
    for n in reversed(ops):  # users before their operands
        if g.display_name(n) is None and n in users:
            around = {label[u] for u in users[n]}
            if len(around) == 1:
                label[n] = around.pop()
    groups: dict[str, list[int]] = {}
    for i in nodes:
        if label[i] is not None:
            groups.setdefault(label[i], []).append(i)  # type: ignore[index]
    return groups


def edge_views(g: Graph, ops: list[int], compact: bool) -> list[EdgeView]:
    """One edge per operand slot of the operations ``ops``, with its local partial
    (none from a constant; with ``compact``, no edge from a constant at all)."""
    kit = RuleKit(g)
    edges: list[EdgeView] = []
    for n in ops:
        args = g.args[n]
        for k, a in enumerate(args):
            if compact and g.ops[a] == "const":
                continue
            fixed = g.ops[a] in ("const", "data")
            array_op = not fixed and not primitives.get(g.ops[n]).elementwise
            partial = None if fixed or array_op else partial_node(g, kit, n, k)
            edges.append(EdgeView(a, n, k, partial, args.count(a) > 1, array_op))
    return edges


def picture(
    expr: Any,
    at: Mapping[Any, Any] | None = None,
    mode: str | None = None,
    wrt: Any = None,
    max_nodes: int | None = style.MAX_NODES,
    name: str | None = None,
    compact: bool = False,
    cleanup: bool | None = None,
) -> Picture:
    """Compute what the pictures of ``expr`` show (see :func:`to_dot` for the arguments).

    ``name`` is what legends and captions call the output (``∂L/∂v``); default ``f``.
    ``compact`` leaves constants out of the nodes and edges (their users' formulas
    write them); ``cleanup`` (None: for a derivative only) draws ``gi.cleanup`` of ``expr``.

    >>> import graphir as gi
    >>> p = picture(gi.parse("ln(x1) + x1*x2 - sin(x2)"), at={"x1": 2, "x2": 5}, mode="reverse")
    >>> [p.names[i] for i in p.nodes]
    ['v₋₁', 'v₀', 'v₁', 'v₂', 'v₃', 'v₄', 'v₅']
    >>> len(p.result.steps)
    8
    """
    from ..derivatives import forward_pass, reverse_pass
    from ..passes.reverse import depends_on

    check_mode(mode, optional=True)
    output_name = output_name_of(name)
    point = None if at is None else real_point(at)
    outs, _ = expr_list(expr)
    user_graph, roots = outs[0].ir, [e.node for e in outs]
    if any(e.ir is not user_graph for e in outs):
        from ..build import lift

        user_graph, roots = lift(*outs)
    if cleaned(roots, user_graph, cleanup):
        user_graph, roots = cleaned_copy(user_graph, roots)
    n_ops = sum(1 for i in topo_order(user_graph, roots) if user_graph.args[i])
    if max_nodes is not None and n_ops > max_nodes:
        raise RenderTooLarge(
            f"the graph has {n_ops} operation nodes, more than max_nodes={max_nodes} draws readably; "
            f"pass max_nodes=None (or a larger number) to draw it anyway, or draw a part: "
            f"render a subexpression such as expr.args[0]",
            n_ops, max_nodes,
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
    if point is not None:
        check_point_shapes(g, inputs, point, at)
    consts = [i for i in order if g.ops[i] == "const"]
    datas = [i for i in order if g.ops[i] == "data"]
    ops = sorted((i for i in order if g.args[i]), key=lambda i: num[i])
    if compact:
        consts = [i for i in consts if i in outputs]
    nodes = inputs + consts + datas + ops
    kind = {i: "input" for i in inputs}
    kind.update({i: "const" for i in consts})
    kind.update({i: "data" for i in datas})
    kind.update({i: "output" if i in outputs else "op" for i in ops})
    names = {i: node_name(g, num, i) for i in num}
    names.update({i: data_name(g.params[i]) for i in datas})

    edges = edge_views(g, ops, compact)

    result: PassResult | None = None
    shows: set[int] = set()
    unit = True
    if mode == "forward":
        tangents = forward_seeds(variables, wrt)
        result = forward_pass(exprs, tangents)
        shows = {i for i in order if g.ops[i] not in ("const", "data")}
        seeds = [(g.params[i], g.const_value(result.seeds[i])) for i in inputs if i in result.seeds]
        nonzero = [(n, c) for n, c in seeds if c != 0.0]
        names_wrt = [n for n, _ in nonzero]
        unit = len(nonzero) == 1 and nonzero[0][1] == 1.0 and not g.shapes[
            next(i for i in inputs if g.params[i] == nonzero[0][0])]
    else:
        names_wrt = wrt_names(variables, wrt)
    if mode == "reverse":
        result = reverse_pass(exprs, wrt=names_wrt)
        var_ids = {i for i in inputs if g.params[i] in names_wrt}
        shows = depends_on(g, order, var_ids)

    pic = Picture(g, outputs, nodes, kind, num, names, edges,
                  point, mode, names_wrt, result, shows, unit_seed=unit, output_name=output_name,
                  groups=groups_of(g, nodes, ops))
    if pic.at is not None:
        needed = set(order) | {e.partial for e in edges if e.partial is not None}
        if result is not None:
            needed |= set(result.derivatives.values()) | set(result.seeds.values())
            for s in result.steps:
                needed |= {s.incoming, s.contribution, s.after}
                if s.partial is not None:
                    needed.add(s.partial)
                if s.before is not None:
                    needed.add(s.before)
        env = values_of_nodes(g, topo_order(g, needed), pic.at)
        for i in needed:
            v = env[i]
            if np.iscomplexobj(v):
                raise RenderError("a picture needs real values at the point given")
            pic.values[i] = float(v) if np.ndim(v) == 0 else np.asarray(v, dtype=float)
    return pic


def prepared(
    expr: Any,
    at: Mapping[Any, Any] | None,
    mode: str | None,
    wrt: Any,
    *,
    max_nodes: int | None,
    name: str | None,
    compact: bool | None,
    cleanup: bool | None,
    partials: bool | None,
    rankdir: str | None = None,
    font_size: float | None = None,
) -> tuple[Picture, style.Page, bool]:
    """What every whole picture (DOT, SVG, Mermaid, TikZ) starts from: the :class:`Picture`,
    the page (direction, font size, compact) and whether edges show their local partials
    (default: when there is a mode).

    >>> import graphir as gi
    >>> pic, page, partials = prepared(gi.parse("x*y"), {"x": 1, "y": 2}, "reverse", None, max_nodes=None,
    ...                                name=None, compact=None, cleanup=None, partials=None)
    >>> page.rankdir, partials
    ('LR', True)
    """
    page = style.page(rankdir, font_size, compact=compact)
    pic = picture(expr, at, mode, wrt, max_nodes, name=name, compact=page.compact, cleanup=cleanup)
    return pic, page, mode is not None if partials is None else partials
