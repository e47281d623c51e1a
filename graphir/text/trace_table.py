"""Evaluation traces: the tables of Baydin, Pearlmutter, Radul and Siskind (2018), Tables 2 and 3.

A trace lists every node of the expression as the program computes it (the
*primal trace*: inputs ``v_{1-n} .. v_0``, then ``v_1, v_2, ...`` in
topological order, each with its formula and value), followed by the
*tangent trace* of forward mode (one row per node: ``v̇_k`` as the sum over
its operands of ``v̇_a · ∂v_k/∂v_a``) or the *adjoint trace* of reverse mode
(one row per chain-rule step, in the order the reverse pass takes them,
incremental updates ``v̄_a = v̄_a + v̄_k · ∂v_k/∂v_a`` included).

Nothing is recomputed here: the rows come from the derivative pass itself
(:func:`graphir.forward_pass`, :func:`graphir.reverse_pass`) and its list of
steps, the numbers from evaluating the nodes the pass built, the names from
:mod:`graphir.text.notation`, the formulas from :func:`graphir.printing.node_text`.
Values are shown by :func:`graphir.printing.display_number` (3 decimals, as in the
paper; pictures show the same digits); every row keeps its value at full
precision in ``row.value``.

>>> import graphir as gi
>>> x1, x2 = gi.symbols("x1 x2")
>>> t = trace_table(gi.log(x1) + x1 * x2 - gi.sin(x2), {"x1": 2, "x2": 5})
>>> print(t.rows[-1].text())
x̄2 = v̄_0 = 1.716
>>> round(t.result["x1"], 12)
5.5
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import primitives
from ..arguments import as_point, as_value, check_mode, forward_seeds, variables_of, wrt_names
from ..build import Expr, RuleKit, expr_list, lift
from ..errors import ArgumentError
from ..ir import Graph
from ..numeric.report import mime_bundle
from ..passes.chain import PassResult, Step, partial_node
from ..passes.evaluate import values_of_nodes
from ..printing import DECIMALS, display_number, format_number, latex_name, node_text, to_latex, to_text
from ..traversal import topo_order
from .notation import (
    BAR,
    DOT,
    compact_array,
    flow_rule,
    latex_array,
    mark_latex,
    mark_text,
    node_name,
    numbering,
    shape_text,
)

__all__ = ["trace_table", "TraceTable", "TraceRow", "real_point", "check_point_shapes"]

TIMES = " \u00b7 "
PARTIAL = "\u2202"


# ----------------------------------------------------------------- text helpers


_NODE_NAME = re.compile("(v[\u0304\u0307]?)_(-?\\d+)")


def _subscripts(text: str) -> str:
    """``v_-1``, ``v̄_3`` as HTML subscripts (``v<sub>-1</sub>``), as the pictures write them.

    >>> _subscripts("v̄_5 · ∂v_5/∂v_-1")
    'v̄<sub>5</sub> · ∂v<sub>5</sub>/∂v<sub>-1</sub>'
    """
    return _NODE_NAME.sub(r"\1<sub>\2</sub>", text)


def width(s: str) -> int:
    """Columns ``s`` takes in a terminal: combining marks (the dot of v̇, the bar of v̄) take none."""
    return sum(0 if unicodedata.combining(ch) else 1 for ch in s)


def pad(s: str, n: int) -> str:
    """``s`` padded with spaces to ``n`` terminal columns."""
    return s + " " * max(0, n - width(s))


def _tex_cell(s: str) -> str:
    """LaTeX that survives a Markdown table cell (a bare ``|`` would end the cell)."""
    return s.replace("|", "\\vert ")


def real_point(at: Mapping[Any, Any]) -> dict[str, Any]:
    """A point of one evaluation: a float per scalar variable, a float array per shaped one.

    >>> real_point({"x": 2, "w": [1, 2]})
    {'x': 2.0, 'w': array([1., 2.])}
    """
    point: dict[str, Any] = {}
    for name, v in as_point(at).items():
        a = as_value(name, v)
        if np.iscomplexobj(a):
            raise ArgumentError(f"the value of {name} must be real, got {v!r}")
        point[name] = float(a) if np.ndim(a) == 0 else np.array(a, dtype=float)
    return point


def check_point_shapes(g: Graph, inputs: Sequence[int], point: Mapping[str, Any], at: Any) -> None:
    """ArgumentError when a variable's value in ``point`` does not have the variable's shape
    (one point: a scalar variable takes one real number)."""
    given = as_point(at)
    for i in inputs:
        name = g.params[i]
        if name in point and np.shape(point[name]) != g.shapes[i]:
            if not g.shapes[i]:
                raise ArgumentError(f"the value of {name} must be one real number, got {given[name]!r}")
            raise ArgumentError(f"the value of {name} must have shape {g.shapes[i]} (the variable's), "
                                f"got shape {np.shape(point[name])}")


def _point_value(v: Any, latex: bool) -> str:
    if np.ndim(v) == 0:
        return format_number(v)
    return latex_array(v) if latex else compact_array(v)


def cell(v: Any, decimals: int = DECIMALS) -> str:
    """A value in one table cell: a number, or an array's compact rows (``[1, 2; 3, 4]``)."""
    return display_number(v, decimals) if np.ndim(v) == 0 else compact_array(v)


#: Unicode of the array rules (primitives' ``adjoint_text``) -> LaTeX.
_RULE_LATEX = (
    ("ᵀ", "^{\\top}"), (" · ", " \\cdot "), ("·", "\\cdot "), ("⊙", "\\odot "), ("−", "-"), ("Σ", "\\sum "),
    ("…", "\\ldots"), (" @ ", " \\, "), ("sum_to(", "\\operatorname{sum\\_to}("),
    ("broadcast(", "\\operatorname{broadcast}("), ("scatter(", "\\operatorname{scatter}("),
    ("softmax(", "\\operatorname{softmax}("), ("sum(", "\\operatorname{sum}("),
    ("reshape(", "\\operatorname{reshape}("),
    ("∂", "\\partial "),
)


# ----------------------------------------------------------------- rows


@dataclass(frozen=True)
class TraceRow:
    """One line of an evaluation trace: ``name = formula = expansion = value``.

    Attributes
    ----------
    section : ``"primal"``, ``"tangent"`` (forward mode) or ``"adjoint"`` (reverse mode).
    kind : ``"input"``, ``"op"``, ``"output"`` (primal); ``"seed"``, ``"op"``, ``"output"``
        (tangent); ``"seed"``, ``"step"``, ``"result"`` (adjoint).
    name, name_latex : what the row defines (``v_1``, ``v̄_0``, ``x̄1``, ``y``).
    formula, formula_latex : its definition in terms of named nodes (``ln(v_-1)``,
        ``v̄_0 + v̄_2 · ∂v_2/∂v_0``).
    expansion, expansion_latex : the same with numbers substituted (primal rows:
        ``ln(2)``) or with the local partials written out (derivative rows:
        ``v̄_0 + v̄_2 · v_-1``); empty when there is nothing to add.
    value : the value, full precision.
    node : id of the primal node the row is about (the ``v_k`` of ``name``), or None.
    steps : the chain-rule steps (:class:`graphir.passes.chain.Step`) the row applies.
    accumulates : True for an incremental update (``v̄_a`` already had a contribution).
    """

    section: str
    kind: str
    name: str
    name_latex: str
    formula: str
    formula_latex: str
    expansion: str
    expansion_latex: str
    value: Any  # a float, or an array for a node holding one
    node: int | None = None
    steps: tuple[Step, ...] = ()
    accumulates: bool = False

    def text(self, decimals: int = DECIMALS) -> str:
        """The row on one line: ``v_1 = ln(v_-1) = ln(2) = 0.693``."""
        parts = [self.name, self.formula, self.expansion, cell(self.value, decimals)]
        return " = ".join(p for p in parts if p)


# ----------------------------------------------------------------- the table


class TraceTable:
    """An evaluation trace: primal rows, then tangent (forward) or adjoint (reverse) rows.

    Build it with :func:`trace_table`.  ``rows`` holds :class:`TraceRow`
    records (values at full precision); ``str()`` gives aligned text,
    :meth:`to_markdown`, :meth:`to_latex` and :meth:`to_html` the other forms,
    and Jupyter shows it through ``_repr_html_``/``_repr_markdown_``/``_repr_latex_``.

    Attributes
    ----------
    mode : ``"forward"`` or ``"reverse"``.
    rows : list of :class:`TraceRow`.
    result : reverse mode: variable name -> partial derivative; forward mode:
        output label -> directional derivative.
    value : output label -> value of the output.
    wrt : the variables differentiated for (reverse) or seeded (forward).
    tangents : forward mode: variable name -> seed tangent (missing ones are 0).
    pass_result : the :class:`~graphir.passes.chain.PassResult` the rows come from.
    numbering : primal node id -> ``k`` of ``v_k``.
    """

    def __init__(
        self,
        exprs: Sequence[Expr],
        point: Mapping[str, float],
        mode: str,
        wrt: Any,
        decimals: int = DECIMALS,
        name: str | None = None,
        given: Mapping[Any, Any] | None = None,
    ) -> None:
        self.mode = check_mode(mode)
        self.decimals = decimals
        self.point = dict(point)
        graph, outs = lift(*exprs)
        self.graph: Graph = graph
        self.outputs: list[int] = outs
        self.exprs = [Expr(graph, o) for o in outs]
        self.variables: list[str] = variables_of(self.exprs)
        taken = set(self.variables)
        if name is not None and not (isinstance(name, str) and name.isidentifier()):
            raise ArgumentError(f"the output's name must be an identifier, got {name!r}")
        base = name or next(n for n in ("y", "f", "out", "result") if n not in taken)
        if len(outs) == 1:
            self.output_labels = [(base, latex_name(base))]
        else:
            self.output_labels = [(f"{base}{k + 1}", latex_name(f"{base}{k + 1}")) for k in range(len(outs))]
        if mode == "reverse":
            self.wrt = wrt_names(self.variables, wrt)
            self.tangents: dict[str, float] = {}
            from ..derivatives import reverse_pass

            self.pass_result: PassResult = reverse_pass(self.exprs, wrt=self.wrt)
        else:
            self.tangents = {n: float(t) if np.ndim(t) == 0 else np.asarray(t, dtype=float)
                             for n, t in forward_seeds(self.variables, wrt).items()}
            self.wrt = list(self.tangents)
            from ..derivatives import forward_pass

            self.pass_result = forward_pass(self.exprs, self.tangents)
        # the passes may have interned the outputs into a bigger graph
        self.graph = self.pass_result.graph
        self.outputs = list(self.pass_result.outputs)
        self.order: list[int] = list(self.pass_result.order)
        self.numbering: dict[int, int] = numbering(self.graph, self.outputs, self.variables)
        num = self.numbering
        g = self.graph
        inputs = [i for i in num if g.ops[i] == "var"]
        check_point_shapes(g, inputs, self.point, point if given is None else given)  # given: for messages
        self.arrays = any(g.shapes[i] for i in self.order)
        self.names = {i: node_name(self.graph, num, i, style="text") for i in num}
        self.latex_names = {i: node_name(self.graph, num, i, style="latex") for i in num}
        self._partials: dict[tuple[int, int], int] = {}
        for s in self.pass_result.steps:
            if s.partial is not None:
                self._partials[(s.node, s.operand)] = s.partial
        self.values: dict[int, Any] = {}
        for i in self.order:  # the partial along every edge from a non-constant operand of an elementwise op
            if not self.graph.args[i] or not primitives.get(self.graph.ops[i]).elementwise:
                continue
            for k, a in enumerate(self.graph.args[i]):
                if self.graph.ops[a] not in ("const", "data"):
                    self.partial_node(i, k)
        self._evaluate(self._needed())
        self.rows: list[TraceRow] = self._primal_rows()
        self.rows += self._tangent_rows() if mode == "forward" else self._adjoint_rows()
        labelled = list(zip([lab for lab, _ in self.output_labels], self.outputs, strict=True))
        self.value = {lab: self.values[o] for lab, o in labelled}
        if mode == "reverse":
            self.result = {n: self._adjoint_of_var(n) for n in self.wrt}
        else:
            self.result = {lab: self.derivative_value(o) for lab, o in labelled}

    # ------------------------------------------------------------- material for others
    def partial_node(self, node: int, operand: int) -> int:
        """Id of the node ``∂node/∂(operand slot)``: the pass's own when it built one,
        else built by the primitive's rule (interned, so the same node the pass would build)."""
        key = (node, operand)
        p = self._partials.get(key)
        if p is None:
            p = self._partials[key] = partial_node(self.graph, RuleKit(self.graph), node, operand)
        return p

    def value_of(self, node: int) -> float:
        """The value of any node of the graph at the point (evaluated on demand)."""
        if node not in self.values:
            self._evaluate([node])
        return self.values[node]

    def _adjoint_of_var(self, name: str) -> float:
        i = self.graph.find_var(name)
        return 0.0 if i is None else self.derivative_value(i)

    def derivative_value(self, node: int) -> float:
        """The tangent (forward) or adjoint (reverse) of a primal node; 0 when it has none."""
        d = self.pass_result.derivative_of(node)
        if d is None:
            shape = self.graph.shapes[node]
            return np.zeros(shape) if shape else 0.0
        return self.value_of(d)

    def name(self, node: int, latex: bool = False) -> str:
        """``v_k`` of a numbered node, else the node written out (constants by value)."""
        names = self.latex_names if latex else self.names
        if node in names:
            return names[node]
        return node_text(self.graph, node, names, latex=latex)

    @property
    def deriv_kind(self) -> str:
        """``"tangent"`` (forward mode) or ``"adjoint"`` (reverse mode)."""
        return "tangent" if self.mode == "forward" else "adjoint"

    def dname(self, node: int, latex: bool = False) -> str:
        """Tangent or adjoint name of a numbered node: ``v̇_k`` / ``v̄_k`` (LaTeX ``\\dot{v}_{k}``),
        ``ū`` for a node named ``u``."""
        return node_name(self.graph, self.numbering, node, self.deriv_kind, "latex" if latex else "text")

    def partial_symbol(self, node: int, arg: int, latex: bool = False) -> str:
        """``∂v_k/∂v_a``."""
        if latex:
            return f"\\frac{{\\partial {self.name(node, True)}}}{{\\partial {self.name(arg, True)}}}"
        return f"{PARTIAL}{self.name(node)}/{PARTIAL}{self.name(arg)}"

    def rule(self, node: int, k: int, incoming: str, latex: bool = False) -> str:
        """How the derivative moves along operand ``k`` of an array op ``node``
        (:func:`~graphir.text.notation.flow_rule`): ``v̄_1 · Xᵀ``, ``X @ ẇ``."""
        g = self.graph
        ops = [self.name(a, latex) for a in g.args[node]]
        t = flow_rule(g, node, k, self.mode, ops, incoming)
        if not latex:
            return t
        for a, b in _RULE_LATEX:
            t = t.replace(a, b)
        return t

    def partial_text(self, partial: int, latex: bool = False, group: bool = True) -> str:
        """The local partial written with node names (``cos(v_0)``), parenthesised
        when ``group`` and it would not read as one factor after ``·``."""
        g = self.graph
        names = self.latex_names if latex else self.names
        s = self.name(partial, latex)
        if not group or partial in names:
            return s
        c = g.const_value(partial)
        if c is not None:
            needs = c < 0 or s.startswith("-")
        elif not g.args[partial]:  # a variable or a data array
            needs = False
        else:
            prec = primitives.get(g.ops[partial]).prec
            needs = prec <= primitives.SUM or prec == primitives.UNARY if latex else prec != primitives.ATOM
        if not needs:
            return s
        return f"\\left({s}\\right)" if latex else f"({s})"

    def label(self, latex: bool = False) -> str:
        """``y = ln(x1) + x1*x2 - sin(x2)`` (several outputs separated by ``;``)."""
        parts = []
        for (lab, lab_tex), e in zip(self.output_labels, self.exprs, strict=True):
            if latex:
                parts.append(f"{lab_tex} = {to_latex(e, limit=600)}")
            else:
                parts.append(f"{lab} = {to_text(e, limit=300)}")
        return ", \\quad ".join(parts) if latex else "; ".join(parts)

    def at_text(self, latex: bool = False) -> str:
        """``x1 = 2, x2 = 5``."""
        items = [(n, self.point[n]) for n in self.variables if n in self.point]
        if latex:
            return ",\\ ".join(f"{latex_name(n)} = {_point_value(v, True)}" for n, v in items)
        return ", ".join(f"{n} = {_point_value(v, False)}" for n, v in items)

    # ------------------------------------------------------------- building
    def _needed(self) -> list[int]:
        r = self.pass_result
        ids = list(self.order)
        ids += r.seeds.values()
        ids += r.derivatives.values()
        ids += self._partials.values()
        for s in r.steps:
            ids += [s.incoming, s.contribution, s.after]
            if s.partial is not None:
                ids.append(s.partial)
            if s.before is not None:
                ids.append(s.before)
        return ids

    def _evaluate(self, ids: list[int]) -> None:
        todo = [i for i in dict.fromkeys(ids) if i not in self.values]
        if not todo:
            return
        env = values_of_nodes(self.graph, topo_order(self.graph, todo), self.point)
        for i, v in env.items():
            if i not in self.values:
                self.values[i] = float(np.real(v)) if np.ndim(v) == 0 else np.asarray(np.real(v), dtype=float)

    def _with_numbers(self, node: int, latex: bool) -> str:
        """The node's op applied to its operands' rounded values: ``ln(2)``, ``0.693 + 10``
        (nothing when an array is involved: the value column shows it)."""
        g = self.graph
        if g.shapes[node] or any(g.shapes[a] for a in g.args[node]):
            return ""
        scratch = Graph()
        ids = []
        for a in g.args[node]:
            c = g.const_value(a)
            if c is None:
                c = float(display_number(self.values[a], self.decimals))
            ids.append(scratch.const(c))
        n = scratch.apply(g.ops[node], *ids)
        if not latex:
            return to_text(Expr(scratch, n))
        # a negative number after a prefix operator needs brackets in LaTeX too ("-(-0.959)")
        names = {}
        if primitives.get(g.ops[node]).prec == primitives.UNARY:
            for i in ids:
                v = scratch.params[i]
                if v < 0:
                    names[i] = f"\\left({format_number(v)}\\right)"
        return node_text(scratch, n, names, latex=True) if names else to_latex(Expr(scratch, n))

    def _primal_rows(self) -> list[TraceRow]:
        g, rows = self.graph, []
        inputs = sorted((k, i) for i, k in self.numbering.items() if g.ops[i] == "var")
        for _, i in inputs:
            name = g.params[i]
            rows.append(TraceRow(
                "primal", "input", self.names[i], self.latex_names[i], name, latex_name(name),
                "", "", self.values[i], node=i,
            ))
        ops = sorted((k, i) for i, k in self.numbering.items() if g.ops[i] != "var")
        for _, i in ops:
            rows.append(TraceRow(
                "primal", "op", self.names[i], self.latex_names[i],
                node_text(g, i, self.names), node_text(g, i, self.latex_names, latex=True),
                self._with_numbers(i, False), self._with_numbers(i, True), self.values[i], node=i,
            ))
        for (lab, lab_tex), o in zip(self.output_labels, self.outputs, strict=True):
            rows.append(TraceRow(
                "primal", "output", lab, lab_tex, self.name(o), self.name(o, True), "", "",
                self.values[o], node=o,
            ))
        return rows

    def _tangent_rows(self) -> list[TraceRow]:
        g, r, rows = self.graph, self.pass_result, []
        steps_of: dict[int, list[Step]] = {}
        for s in r.steps:
            steps_of.setdefault(s.node, []).append(s)
        for _, i in sorted((k, i) for i, k in self.numbering.items() if g.ops[i] == "var"):
            name = g.params[i]
            rows.append(TraceRow(
                "tangent", "seed", self.dname(i), self.dname(i, True), mark_text(name, "tangent"),
                mark_latex(name, "tangent"), "", "", self._seed(i), node=i,
            ))
        for _, n in sorted((k, i) for i, k in self.numbering.items() if g.ops[i] != "var"):
            terms, terms_tex, exp, exp_tex = [], [], [], []
            elementwise = primitives.get(g.ops[n]).elementwise
            for k, a in enumerate(g.args[n]):
                if a not in self.numbering:  # a constant operand has tangent 0
                    continue
                if not elementwise:
                    terms.append(self.rule(n, k, self.dname(a)))
                    terms_tex.append(self.rule(n, k, self.dname(a, True), True))
                    continue
                p = self.partial_node(n, k)
                if g.shapes[a] != g.shapes[n]:
                    terms.append(f"broadcast({self.dname(a)}{TIMES}{self.partial_symbol(n, a)})")
                    terms_tex.append(f"\\operatorname{{broadcast}}({self.dname(a, True)} "
                                     f"{self.partial_symbol(n, a, True)})")
                    exp.append(f"broadcast({self.dname(a)}{TIMES}{self.partial_text(p)})")
                    exp_tex.append(f"\\operatorname{{broadcast}}({self.dname(a, True)} \\cdot "
                                   f"{self.partial_text(p, True)})")
                    continue
                terms.append(f"{self.dname(a)}{TIMES}{self.partial_symbol(n, a)}")
                terms_tex.append(f"{self.dname(a, True)} {self.partial_symbol(n, a, True)}")
                exp.append(f"{self.dname(a)}{TIMES}{self.partial_text(p)}")
                exp_tex.append(f"{self.dname(a, True)} \\cdot {self.partial_text(p, True)}")
            rows.append(TraceRow(
                "tangent", "op", self.dname(n), self.dname(n, True),
                " + ".join(terms) or "0", " + ".join(terms_tex) or "0",
                " + ".join(exp), " + ".join(exp_tex), self.derivative_value(n), node=n,
                steps=tuple(steps_of.get(n, ())),
            ))
        for (lab, _), o in zip(self.output_labels, self.outputs, strict=True):
            named = o in self.numbering
            rows.append(TraceRow(
                "tangent", "output", mark_text(lab, "tangent"), mark_latex(lab, "tangent"),
                self.dname(o) if named else "0", self.dname(o, True) if named else "0", "", "",
                self.derivative_value(o), node=o,
            ))
        return rows

    def _adjoint_rows(self) -> list[TraceRow]:
        g, r, rows = self.graph, self.pass_result, []
        for (lab, _), o in zip(self.output_labels, self.outputs, strict=True):
            if o not in self.numbering:
                continue
            s = r.seeds.get(o)
            rows.append(TraceRow(
                "adjoint", "seed", self.dname(o), self.dname(o, True), mark_text(lab, "adjoint"),
                mark_latex(lab, "adjoint"), "", "", self.value_of(s) if s is not None else 0.0, node=o,
            ))
        for s in r.steps:
            t, n = s.target, s.node
            acc = s.before is not None
            head, head_tex = (f"{self.dname(t)} + ", f"{self.dname(t, True)} + ") if acc else ("", "")
            if s.partial is None:  # an array op: its record's rule
                cells = (self.rule(n, s.operand, self.dname(n)),
                         self.rule(n, s.operand, self.dname(n, True), True), "", "")
            else:
                cells = (f"{self.dname(n)}{TIMES}{self.partial_symbol(n, s.arg)}",
                         f"{self.dname(n, True)} {self.partial_symbol(n, s.arg, True)}",
                         f"{self.dname(n)}{TIMES}{self.partial_text(s.partial)}",
                         f"{self.dname(n, True)} \\cdot {self.partial_text(s.partial, True)}")
                if g.shapes[s.arg] != g.shapes[n]:  # the operand was broadcast: summed back
                    cells = tuple(f"sum_to({c})" if k % 2 == 0 else f"\\operatorname{{sum\\_to}}({c})"
                                  for k, c in enumerate(cells))
            rows.append(TraceRow(
                "adjoint", "step", self.dname(t), self.dname(t, True),
                f"{head}{cells[0]}", f"{head_tex}{cells[1]}",
                f"{head}{cells[2]}" if cells[2] else "", f"{head_tex}{cells[3]}" if cells[3] else "",
                self.values[s.after], node=t, steps=(s,), accumulates=acc,
            ))
        for name in self.wrt:
            i = g.find_var(name)
            named = i is not None and i in self.numbering
            rows.append(TraceRow(
                "adjoint", "result", mark_text(name, "adjoint"), mark_latex(name, "adjoint"),
                self.dname(i) if named else "0", self.dname(i, True) if named else "0", "", "",
                self._adjoint_of_var(name), node=i if named else None,
            ))
        return rows

    # ------------------------------------------------------------- views
    @property
    def primal_rows(self) -> list[TraceRow]:
        """The rows of the primal trace."""
        return [r for r in self.rows if r.section == "primal"]

    @property
    def derivative_rows(self) -> list[TraceRow]:
        """The rows of the tangent (forward) or adjoint (reverse) trace."""
        return [r for r in self.rows if r.section != "primal"]

    def section_title(self, section: str) -> str:
        """Heading of a section of the table."""
        if section == "primal":
            return "Primal trace"
        if section == "tangent":
            return f"Tangent trace (forward mode, {self.seed_text()})"
        seeds = ", ".join(f"{mark_text(lab, 'adjoint')} = 1" for lab, _ in self.output_labels)
        return f"Adjoint trace (reverse mode, {seeds})"

    def seed_text(self) -> str:
        """Forward mode: the seed tangents, ``ẋ1 = 1, ẋ2 = 0.5``."""
        g = self.graph
        seeds = [(n, v if (i := g.find_var(n)) is None else self._seed(i)) for n, v in self.tangents.items()]
        return ", ".join(f"{mark_text(n, 'tangent')} = {cell(v, self.decimals)}" for n, v in seeds)

    def _sections(self) -> list[tuple[str, list[TraceRow]]]:
        second = "tangent" if self.mode == "forward" else "adjoint"
        return [("primal", self.primal_rows), (second, self.derivative_rows)]

    def _seed(self, i: int) -> Any:
        """The seed tangent of variable node ``i``, of the variable's shape."""
        t = self.tangents.get(self.graph.params[i], 0.0)
        shape = self.graph.shapes[i]
        return np.broadcast_to(np.asarray(t, dtype=float), shape).copy() if shape else t

    def shape_cell(self, r: TraceRow) -> str:
        """The shape column of a row (``3×2``; empty for a scalar)."""
        return shape_text(np.shape(r.value))

    def caption(self) -> str:
        """One line saying what the table traces."""
        return f"Evaluation trace of {self.label()} at {self.at_text()}"

    def __str__(self) -> str:
        lines = [self.caption()]
        for section, rows in self._sections():
            lines += ["", self.section_title(section)]
            cells = [[r.name, r.formula, r.expansion, cell(r.value, self.decimals)] for r in rows]
            shapes = [self.shape_cell(r) for r in rows]
            widths = [max((width(c[j]) for c in cells), default=0) for j in range(3)]
            swidth = max((len(x) for x in shapes), default=0)
            for c, shape in zip(cells, shapes, strict=True):
                parts = [pad(c[0], widths[0])]
                if self.arrays:
                    parts.append(pad(shape, swidth))
                parts.append(pad("= " + c[1], widths[1] + 2))
                if widths[2]:
                    parts.append(pad(("= " + c[2]) if c[2] else "", widths[2] + 2))
                parts.append("= " + c[3])
                lines.append("  " + "  ".join(parts).rstrip())
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<TraceTable {self.mode} mode: {self.label()} at {self.at_text()}, {len(self.rows)} rows>"

    def to_markdown(self, caption: bool = True) -> str:
        """Markdown: one table per section, formulas as inline LaTeX math (``$...$``)."""
        out: list[str] = []
        if caption:
            out += [f"Evaluation trace of ${_tex_cell(self.label(latex=True))}$ at "
                    f"${self.at_text(latex=True)}$.", ""]
        for section, _ in self._sections():
            out += [f"**{self.section_title(section)}**", "", self.section_markdown(section), ""]
        return "\n".join(out).rstrip() + "\n"

    def section_markdown(self, section: str) -> str:
        """The Markdown table of one section (``"primal"``, ``"tangent"`` or ``"adjoint"``)."""
        rows = [r for r in self.rows if r.section == section]
        if section == "primal":
            head = ["node", "definition", "with numbers", "value"]
        else:
            head = [section, "chain rule", "partials written out", "value"]
        align = "|:--|:--|:--|--:|"
        if self.arrays:
            head.insert(1, "shape")
            align = "|:--|:--|:--|:--|--:|"
        out = ["| " + " | ".join(head) + " |", align]
        for r in rows:
            cells = [r.name_latex, r.formula_latex, r.expansion_latex]
            md = [f"${_tex_cell(c)}$" if c else "" for c in cells]
            if self.arrays:
                md.insert(1, self.shape_cell(r))
            out.append("| " + " | ".join([*md, cell(r.value, self.decimals)]) + " |")
        return "\n".join(out)

    def to_latex(self) -> str:
        """A LaTeX ``array`` (math mode) with the sections one below the other.

        Usable inside ``$$ ... $$`` (MathJax, Jupyter) or an ``equation*`` of a
        LaTeX document (``\\text`` needs amsmath).
        """
        cols = 5 if self.arrays else 4
        lines = ["\\begin{array}{" + "l" * cols + "}"]
        for section, rows in self._sections():
            title = self.section_title(section)
            title = title.replace(DOT, "").replace(BAR, "")  # marks are written in LaTeX below
            if section == "tangent":
                title = "Tangent trace (forward mode)"
            elif section == "adjoint":
                title = "Adjoint trace (reverse mode)"
            lines.append(f"\\hline\\text{{{title}}}" + " &" * (cols - 1) + " \\\\ \\hline")
            for r in rows:
                value = latex_array(r.value) if np.ndim(r.value) else display_number(r.value, self.decimals)
                cells = [r.name_latex, f"= {r.formula_latex}",
                         f"= {r.expansion_latex}" if r.expansion_latex else "", f"= {value}"]
                if self.arrays:
                    shape = self.shape_cell(r)
                    cells.insert(1, "\\scriptstyle " + shape.replace("×", "\\times ") if shape else "")
                lines.append(" & ".join(cells) + " \\\\")
        lines.append("\\hline")
        lines.append("\\end{array}")
        return "\n".join(lines)

    def to_html(self) -> str:
        """An HTML table (plain Unicode formulas, no MathJax needed)."""
        e = html.escape
        out = ['<table class="graphir-trace">', f"<caption>{e(self.caption())}</caption>"]
        for section, rows in self._sections():
            title = e(self.section_title(section))
            span = 5 if self.arrays else 4
            out.append(f'<tr><th colspan="{span}" style="text-align:left">{title}</th></tr>')
            for r in rows:
                cells = [r.name, r.formula, r.expansion]
                if self.arrays:
                    cells.insert(1, self.shape_cell(r))
                tds = "".join(f'<td style="text-align:left">{_subscripts(e(c))}</td>' for c in cells)
                value = e(cell(r.value, self.decimals))
                out.append(f'<tr>{tds}<td style="text-align:right">{value}</td></tr>')
        out.append("</table>")
        return "\n".join(out)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_latex_(self) -> str:
        return "$$" + self.to_latex() + "$$"

    def _repr_html_(self) -> str:
        return self.to_html()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """Jupyter's display protocol: the table as text, HTML, Markdown and LaTeX.

        >>> import graphir as gi
        >>> t = gi.trace_table(gi.parse("x*y"), {"x": 2, "y": 3})
        >>> sorted(t._repr_mimebundle_(exclude={"text/latex"}))
        ['text/html', 'text/markdown', 'text/plain']
        """
        return mime_bundle({"text/plain": self.__str__, "text/html": self.to_html,
                            "text/markdown": self.to_markdown, "text/latex": self._repr_latex_},
                           include, exclude)


def trace_table(
    expr: Any,
    at: Mapping[Any, Any],
    mode: str = "reverse",
    wrt: Any = None,
    *,
    decimals: int = 3,
    name: str | None = None,
) -> TraceTable:
    """The evaluation trace of ``expr`` at the point ``at``, as in Baydin et al. (2018).

    Parameters
    ----------
    expr : an expression (or a list of them: outputs ``y1, y2, ...``).
    at : variable (or name) -> number, for every variable of ``expr``.
    mode : ``"reverse"`` (adjoint trace, Table 3) or ``"forward"`` (tangent trace, Table 2).
    wrt : reverse mode: the variables to differentiate for (default all);
        forward mode: the variable seeded with tangent 1 (default the first; of a
        list, the first), or a mapping variable -> tangent for a directional derivative.
    decimals : places shown (values keep full precision in ``rows``).
    name : what to call the output (default ``y``, or ``f`` when a variable is called ``y``).

    Returns
    -------
    TraceTable

    Examples
    --------
    >>> import graphir as gi
    >>> x1, x2 = gi.symbols("x1 x2")
    >>> f = gi.log(x1) + x1 * x2 - gi.sin(x2)
    >>> t = trace_table(f, {x1: 2, x2: 5}, mode="forward")
    >>> [r.text() for r in t.rows if r.kind == "output"][0]
    'y = v_5 = 11.652'
    >>> t.result
    {'y': 5.5}
    """
    exprs, _ = expr_list(expr)
    return TraceTable(exprs, real_point(at), mode, wrt, decimals, name, given=at)
