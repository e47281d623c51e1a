"""Trace tables and worked examples of array expressions.

Closed forms for ``L = 0.5 * mean((X @ w + b - y)**2)``: with the residual
``r = X w + b - y``, ``∂L/∂w = Xᵀ r / n`` and ``∂L/∂b = sum(r) / n``.
"""

from __future__ import annotations

import numpy as np
import pytest

import graphir as gi
from graphir.printing import display_number
from graphir.text.notation import compact_array, grid_rows, latex_array, summary_text
from tests.text.array_cases import AT, XV, loss, residual


def test_reverse_trace_table_values_from_the_closed_form() -> None:
    t = gi.trace_table(loss(), AT, mode="reverse", name="L")
    np.testing.assert_allclose(t.result["w"], XV.T @ residual() / 3, rtol=1e-15)
    assert t.result["b"] == pytest.approx(residual().sum() / 3, rel=1e-15)
    assert t.value["L"] == pytest.approx(0.5 * np.mean(residual() ** 2), rel=1e-15)


def test_shape_column_and_compact_rows() -> None:
    t = gi.trace_table(loss(), AT, mode="reverse", name="L")
    md = t.to_markdown()
    assert "| node | shape | definition | with numbers | value |" in md
    assert "| $v_{-1}$ | 2 | $w$ |  | [0.5, -0.25] |" in md
    assert "| $\\bar{v}_{-1}$ | 2 | $X^{\\top} \\cdot \\bar{v}_{1}$ |  | [-4.867, -6.267] |" in md
    text = str(t)
    assert "v̄_-1  2  = Xᵀ · v̄_1" in text
    assert "sum_to(v̄_2 · ∂v_2/∂v_0)" in text  # b was broadcast: its adjoint summed back


def test_latex_uses_bmatrix() -> None:
    tex = gi.trace_table(loss(), AT, mode="reverse").to_latex()
    assert tex.startswith("\\begin{array}{lllll}")
    assert "= \\begin{bmatrix}-4.867 \\\\ -6.267\\end{bmatrix} \\\\" in tex
    assert "\\scriptstyle 2" in tex


def test_forward_trace_of_an_array_op_uses_the_op() -> None:
    t = gi.trace_table(loss(), AT, mode="forward", wrt="w")
    row = next(r for r in t.rows if r.section == "tangent" and r.formula == "X @ v̇_-1")
    np.testing.assert_allclose(row.value, XV @ np.ones(2))
    assert t.result["y"] == pytest.approx((XV.T @ residual() / 3).sum(), rel=1e-14)  # along [1, 1]
    assert "ẇ = [1, 1]" in t.seed_text()


def test_scalar_table_has_no_shape_column() -> None:
    x1, x2 = gi.symbols("x1 x2")
    t = gi.trace_table(gi.log(x1) + x1 * x2 - gi.sin(x2), {"x1": 2, "x2": 5})
    assert "| node | definition | with numbers | value |" in t.to_markdown()
    assert t.to_latex().startswith("\\begin{array}{llll}")


def test_value_helpers() -> None:
    a = np.array([[1.0, -2.5], [30.0, 4.0]])
    assert grid_rows(a) == ["[ 1  -2.5]", "[30     4]"]
    assert compact_array(a) == "[1, -2.5; 30, 4]"
    assert latex_array(a) == "\\begin{bmatrix}1 & -2.5 \\\\ 30 & 4\\end{bmatrix}"
    big = np.arange(200.0).reshape(20, 10)
    # norm: sqrt(sum k^2, k < 200) = sqrt(199 * 200 * 399 / 6)
    assert summary_text(big) == f"20×10: min 0, max 199, ‖·‖ {display_number(np.sqrt(199 * 200 * 399 / 6))}"
    assert compact_array(big) == summary_text(big)


def test_explain_writes_all_files(tmp_path) -> None:
    ex = gi.explain(loss(), AT, name="L", rankdir="TB", frames=False)
    md = ex.markdown
    assert "| $\\bar{v}_{-1}$ | 2 |" in md
    assert "v̄_-1 = Xᵀ · v̄_1" in md
    assert "\\frac{\\partial L}{\\partial w} = \\begin{bmatrix}-4.867 \\\\ -6.267\\end{bmatrix}" in md
    assert "Jacobians" in md  # no path listing for arrays
    paths = ex.save(tmp_path / "ex")
    names = {p.relative_to(tmp_path / "ex").as_posix() for p in paths}
    assert {"README.md", "graph.svg", "graph.png", "graph_reverse.svg", "graph_reverse.png",
            "steps/steps.gif", "steps/stepper.html"} <= names


def test_explain_forward_of_an_array_expression() -> None:
    md = gi.explain(loss(), AT, mode="forward", wrt="w", steps=False).markdown
    assert "The directional derivative along (ẇ = [1, 1]) is $-11.133$." in md


def test_path_sum_refuses_arrays() -> None:
    from graphir.text.paths import path_sum

    f = loss()
    with pytest.raises(gi.ShapeError, match="sum over paths multiplies scalar local partials"):
        path_sum(f.ir, f.node, "w", lambda node, slot: 1.0)
