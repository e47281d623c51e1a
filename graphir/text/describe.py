"""The computation graph in words: the trace table read aloud, for screen readers and alt text.

:func:`describe` writes one paragraph: each input with its value, each operation
what it computes and its value and (with a mode) its tangent or adjoint, then the
output's value and the derivatives, with the trace table's names (``v_1``) and
numbers (:func:`graphir.trace_table`).  :func:`alt_text` is the one-line version for
an image's ``alt`` attribute, :func:`title_text` the short title of a picture.
Both are deterministic: the same input gives the same text.

>>> import graphir as gi
>>> f = gi.parse("ln(x1) + x1*x2 - sin(x2)")
>>> print(alt_text(f, at={"x1": 2, "x2": 5}, mode="reverse"))
Computation graph of y = log(x1) + x1*x2 - sin(x2) (2 inputs, 5 operations): at x1 = 2, x2 = 5 \
the output is 11.652; reverse mode gives ∂y/∂x1 = 5.5, ∂y/∂x2 = 1.716.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..arguments import check_mode, variables_of
from ..build import Expr, expr_list, lift
from ..printing import DECIMALS, format_number, node_text, to_text
from .notation import compact_array, mark_text, node_name, numbering
from .trace_table import TraceRow, TraceTable, cell, real_point

__all__ = ["describe", "alt_text", "title_text"]

_MODE_WORD = {"forward": "forward mode", "reverse": "reverse mode"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _output_label(name: str | None, variables: list[str]) -> str:
    if isinstance(name, str) and name.isidentifier():
        return name
    return next(n for n in ("y", "f", "out", "result") if n not in variables)


class _Plain:
    """The graph without a point: names and formulas, no numbers."""

    def __init__(self, expr: Any, name: str | None) -> None:
        exprs, _ = expr_list(expr)
        g, outs = lift(*exprs)
        self.graph, self.outputs = g, list(dict.fromkeys(outs))
        self.variables = variables_of([Expr(g, o) for o in self.outputs])
        self.num = numbering(g, self.outputs, self.variables)
        self.names = {i: node_name(g, self.num, i, style="text") for i in self.num}
        base = _output_label(name, self.variables)
        n = len(self.outputs)
        self.labels = [base] if n == 1 else [f"{base}{k + 1}" for k in range(n)]

    def ordered(self, inputs: bool) -> list[int]:
        g = self.graph
        return sorted((i for i in self.num if (g.ops[i] == "var") == inputs), key=self.num.__getitem__)

    def label(self) -> str:
        return "; ".join(f"{lab} = {to_text(Expr(self.graph, o), limit=300)}"
                         for lab, o in zip(self.labels, self.outputs, strict=True))


def _point(v: Any) -> str:
    return format_number(v) if np.ndim(v) == 0 else compact_array(v)


def _counts(n_inputs: int, n_ops: int) -> str:
    return f"{_plural(n_inputs, 'input')}, {_plural(n_ops, 'operation')}"


def _table(expr: Any, at: Mapping[Any, Any], mode: str | None, wrt: Any, name: str | None,
           decimals: int) -> TraceTable:
    exprs, _ = expr_list(expr)
    variables = variables_of(exprs)
    label = _output_label(name, variables)
    return TraceTable(exprs, real_point(at), mode or "reverse", wrt if mode else None, decimals, label,
                      given=at)


def _derivative_words(t: TraceTable) -> str:
    """``∂y/∂x1 = 5.5, ∂y/∂x2 = 1.716`` (reverse), ``ẏ = 5.5 along ẋ1 = 1`` (forward)."""
    labels = [lab for lab, _ in t.output_labels]
    if t.mode == "reverse":
        of = labels[0] if len(labels) == 1 else f"({' + '.join(labels)})"
        return ", ".join(f"∂{of}/∂{n} = {cell(v, t.decimals)}" for n, v in t.result.items())
    nonzero = [n for n, v in t.tangents.items() if (v != 0.0) is True]
    unit = len(nonzero) == 1 and (t.tangents[nonzero[0]] == 1.0) is True
    if unit:
        return ", ".join(f"∂{lab}/∂{nonzero[0]} = {cell(v, t.decimals)}" for lab, v in t.result.items())
    parts = ", ".join(f"{mark_text(lab, 'tangent')} = {cell(v, t.decimals)}" for lab, v in t.result.items())
    return f"{parts} along {t.seed_text()}"


def _row_sentence(t: TraceTable, r: TraceRow, mode: str | None) -> str:
    d = t.decimals
    if r.kind == "input":
        s = f"Input {r.name} is {r.formula} = {cell(r.value, d)}"
    else:
        parts = [r.formula, r.expansion, cell(r.value, d)]
        s = f"{r.name} computes {' = '.join(p for p in parts if p)}"
    if mode is not None and r.node is not None:
        s += f"; its {t.deriv_kind} {t.dname(r.node)} is {cell(t.derivative_value(r.node), d)}"
    return s + "."


def describe(
    expr: Any,
    at: Mapping[Any, Any] | None = None,
    mode: str | None = None,
    wrt: Any = None,
    *,
    name: str | None = None,
    decimals: int = DECIMALS,
) -> str:
    """The computation graph of ``expr`` in words: the trace table read aloud.

    Each input with its value, each operation what it computes and its value, and with
    ``mode`` its tangent (forward) or adjoint (reverse); it ends with the output's
    value and the derivatives.  Names and numbers are the trace table's
    (:func:`graphir.trace_table`, ``decimals`` places); without ``at`` the formulas alone.

    Parameters
    ----------
    expr : Expr or sequence of Expr
    at, mode, wrt
        As in :func:`graphir.trace_table` (``mode`` optional here: values only).
    name : str, optional
        What to call the output (an identifier; default ``y``).
    decimals : int
        Places of the numbers (default 3, as the trace table prints them).

    Examples
    --------
    >>> import graphir as gi
    >>> print(describe(gi.parse("x*sin(x)"), at={"x": 2}, mode="reverse"))  # doctest: +NORMALIZE_WHITESPACE
    Computation graph of y = x*sin(x) at x = 2, in reverse mode: 1 input, 2 operations, 1 output.
    Input v_0 is x = 2; its adjoint v̄_0 is 0.077. v_1 computes sin(v_0) = sin(2) = 0.909;
    its adjoint v̄_1 is 2. v_2 computes v_0*v_1 = 2*0.909 = 1.819; its adjoint v̄_2 is 1.
    The output y = v_2 = 1.819. Derivatives: ∂y/∂x = 0.077.
    """
    check_mode(mode, optional=True)
    if at is None:
        return _describe_plain(expr, mode, name)
    t = _table(expr, at, mode, wrt, name, decimals)
    rows = t.primal_rows
    n_in = sum(r.kind == "input" for r in rows)
    n_ops = sum(r.kind == "op" for r in rows)
    n_out = len(t.outputs)
    how = f", in {_MODE_WORD[mode]}" if mode else ""
    out = [f"Computation graph of {t.label()} at {t.at_text()}{how}: {_counts(n_in, n_ops)}, "
           f"{_plural(n_out, 'output')}."]
    out += [_row_sentence(t, r, mode) for r in rows if r.kind != "output"]
    results = [f"{r.name} = {r.formula} = {cell(r.value, t.decimals)}" for r in rows if r.kind == "output"]
    out.append(f"The output {', '.join(results)}." if n_out == 1 else f"The outputs: {'; '.join(results)}.")
    if mode:
        out.append(f"Derivatives: {_derivative_words(t)}.")
    return " ".join(out)


def _describe_plain(expr: Any, mode: str | None, name: str | None) -> str:
    p = _Plain(expr, name)
    g = p.graph
    inputs, ops = p.ordered(True), p.ordered(False)
    out = [f"Computation graph of {p.label()}: {_counts(len(inputs), len(ops))}, "
           f"{_plural(len(p.outputs), 'output')}."]
    out += [f"Input {p.names[i]} is {g.params[i]}." for i in inputs]
    out += [f"{p.names[i]} computes {node_text(g, i, p.names)}." for i in ops]
    ends = [f"{lab} = {p.names.get(o, to_text(Expr(g, o)))}"
            for lab, o in zip(p.labels, p.outputs, strict=True)]
    out.append(f"The output is {'; '.join(ends)}.")
    if mode:
        what = "tangents" if mode == "forward" else "adjoints"
        out.append(f"In {_MODE_WORD[mode]}, each edge carries the local partial derivative and the "
                   f"{what} are written as formulas.")
    return " ".join(out)


def alt_text(
    expr: Any,
    at: Mapping[Any, Any] | None = None,
    mode: str | None = None,
    wrt: Any = None,
    *,
    name: str | None = None,
) -> str:
    """One line for an image's ``alt`` attribute: the function, its size, and with ``at``
    the output's value and (with ``mode``) the derivatives.

    >>> import graphir as gi
    >>> alt_text(gi.parse("a*b"))
    'Computation graph of y = a*b (2 inputs, 1 operation).'
    """
    check_mode(mode, optional=True)
    if at is None:
        p = _Plain(expr, name)
        text = f"Computation graph of {p.label()} ({_counts(len(p.ordered(True)), len(p.ordered(False)))})"
        return text + (f", {_MODE_WORD[mode]}." if mode else ".")
    t = _table(expr, at, mode, wrt, name, DECIMALS)
    rows = t.primal_rows
    counts = _counts(sum(r.kind == "input" for r in rows), sum(r.kind == "op" for r in rows))
    values = ", ".join(f"{r.name} = {cell(r.value, t.decimals)}" for r in rows if r.kind == "output")
    what = f"the output is {cell(rows[-1].value, t.decimals)}" if len(t.outputs) == 1 else f"{values}"
    text = f"Computation graph of {t.label()} ({counts}): at {t.at_text()} {what}"
    if mode:
        text += f"; {_MODE_WORD[mode]} gives {_derivative_words(t)}"
    return text + "."


def title_text(
    expr: Any,
    at: Mapping[Any, Any] | None = None,
    mode: str | None = None,
    *,
    name: str | None = None,
) -> str:
    """The short title of a picture: what is drawn, the mode and the point.

    >>> import graphir as gi
    >>> title_text(gi.parse("ln(x1) + x1*x2 - sin(x2)"), {"x1": 2, "x2": 5}, "reverse")
    'Computation graph of y = log(x1) + x1*x2 - sin(x2), reverse mode at x1 = 2, x2 = 5'
    """
    check_mode(mode, optional=True)
    label = _Plain(expr, name).label()
    where = ""
    if at is not None:
        exprs, _ = expr_list(expr)
        point = real_point(at)
        where = " at " + ", ".join(f"{n} = {_point(point[n])}" for n in variables_of(exprs) if n in point)
    how = f", {_MODE_WORD[mode]}" if mode else ("," if where else "")
    return f"Computation graph of {label}{how}{where}"
