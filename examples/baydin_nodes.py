"""The nodes of f(x1, x2) = ln(x1) + x1*x2 - sin(x2) at (2, 5), in evaluation order.

This is the running example of Baydin, Pearlmutter, Radul and Siskind,
"Automatic differentiation in machine learning: a survey" (JMLR 2018),
Table 2 (left, the primal trace): inputs are numbered v_{1-n} ... v_0, then
each intermediate node v_1, v_2, ... in topological order.  Constants are not
numbered; they appear by value.

Run:  python examples/baydin_nodes.py
"""

from __future__ import annotations

import graphir as gi
from graphir.passes.evaluate import values_of_nodes
from graphir.printing import format_number, node_text

TEXT = "ln(x1) + x1*x2 - sin(x2)"
POINT = {"x1": 2.0, "x2": 5.0}


def trace_rows(f: gi.Expr, point: dict[str, float]) -> tuple[list[tuple[str, str, float]], float]:
    """(name, formula, value) for each input and intermediate node, and the value of ``f``."""
    graph = f.ir  # the node table behind the expression (ids are its topological ids)
    order = f.order
    inputs = [v.node for v in f.variables]
    n = len(inputs)
    names = {node: f"v_{k - n + 1}" for k, node in enumerate(inputs)}
    values = values_of_nodes(graph, order, point)
    rows = [(names[node], graph.params[node], float(values[node])) for node in inputs]
    k = 1
    for node in order:
        if graph.ops[node] in ("var", "const"):
            continue
        names[node] = f"v_{k}"
        k += 1
        rows.append((names[node], node_text(graph, node, names), float(values[node])))
    return rows, float(values[f.node])


def main() -> None:
    f = gi.parse(TEXT)
    rows, value = trace_rows(f, POINT)
    at = ", ".join(f"{k} = {format_number(v)}" for k, v in POINT.items())
    print(f"f(x1, x2) = {f}   at {at}")
    print()
    width = max(len(formula) for _, formula, _ in rows)
    for name, formula, v in rows:
        print(f"  {name:>4} = {formula:<{width}} = {v:8.4f}")
    print()
    print(f"f = {rows[-1][0]} = {value!r}")


if __name__ == "__main__":
    main()
