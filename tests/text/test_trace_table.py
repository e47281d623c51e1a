"""Evaluation traces against Baydin, Pearlmutter, Radul and Siskind (2018), Tables 2 and 3.

The oracle is the paper's worked example ``f = ln(x1) + x1*x2 - sin(x2)`` at
``(2, 5)``: the primal values, the order of the adjoint updates (Table 3) and
the tangents (Table 2), as printed there (3 decimals), and at full precision
against closed forms computed with :mod:`math`.
"""

from __future__ import annotations

import math
import re
import unicodedata

import numpy as np
import pytest

import graphir as gi
from graphir.printing import display_number
from graphir.text.trace_table import TraceRow, trace_table, width

BAYDIN = "ln(x1) + x1*x2 - sin(x2)"
AT = {"x1": 2.0, "x2": 5.0}


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def squash(s: str) -> str:
    """Runs of spaces to one (the text table aligns its columns)."""
    return re.sub(r"[ ]+", " ", s)


@pytest.fixture(scope="module")
def rev():
    return trace_table(gi.parse(BAYDIN), AT)


@pytest.fixture(scope="module")
def fwd():
    return trace_table(gi.parse(BAYDIN), AT, mode="forward")


# ------------------------------------------------------------------ the primal trace


def test_primal_rows_are_the_paper_table(rev):
    rows = rev.primal_rows
    assert [r.name for r in rows] == ["v_-1", "v_0", "v_1", "v_2", "v_3", "v_4", "v_5", "y"]
    assert [r.formula for r in rows] == ["x1", "x2", "log(v_-1)", "v_-1*v_0", "sin(v_0)", "v_1 + v_2",
                                         "v_4 - v_3", "v_5"]
    shown = [display_number(r.value) for r in rows]
    assert shown == ["2", "5", "0.693", "10", "-0.959", "10.693", "11.652", "11.652"]


def test_primal_values_at_full_precision(rev):
    ln2, s5 = math.log(2.0), math.sin(5.0)
    expected = [2.0, 5.0, ln2, 10.0, s5, ln2 + 10.0, ln2 + 10.0 - s5, ln2 + 10.0 - s5]
    assert [r.value for r in rev.primal_rows] == pytest.approx(expected, rel=1e-15, abs=0)
    assert rev.value == {"y": pytest.approx(ln2 + 10.0 - s5, rel=1e-15)}


def test_primal_rows_with_numbers(rev):
    by_name = {r.name: r for r in rev.primal_rows}
    assert by_name["v_1"].expansion == "log(2)"
    assert by_name["v_2"].expansion == "2*5"
    assert by_name["v_4"].expansion == "0.693 + 10"
    assert by_name["v_5"].expansion == "10.693 - (-0.959)"
    assert by_name["v_5"].expansion_latex == r"10.693 - \left(-0.959\right)"


# ------------------------------------------------------------------ the adjoint trace (Table 3)


def test_adjoint_rows_in_the_order_of_table_3(rev):
    rows = rev.derivative_rows
    names = [nfc(r.name) for r in rows]
    assert names == [nfc(n) for n in [
        "v̄_5", "v̄_4", "v̄_3", "v̄_1", "v̄_2", "v̄_0", "v̄_-1", "v̄_0", "v̄_-1", "x̄1", "x̄2"]]
    assert [display_number(r.value) for r in rows] == [
        "1", "1", "-1", "1", "1", "-0.284", "5", "1.716", "5.5", "5.5", "1.716"]
    kinds = [r.kind for r in rows]
    assert kinds == ["seed"] + ["step"] * 8 + ["result"] * 2
    assert [r.accumulates for r in rows] == [False] * 7 + [True, True] + [False, False]
    # the output is named y; its adjoint ȳ (one character after NFC) seeds the pass
    assert rows[0].formula == nfc("ȳ")


def test_adjoint_values_at_full_precision(rev):
    c5 = math.cos(5.0)
    values = [r.value for r in rev.derivative_rows]
    expected = [1, 1, -1, 1, 1, -c5, 5, 2 - c5, 5.5, 5.5, 2 - c5]
    assert values == pytest.approx(expected, rel=1e-15, abs=1e-15)
    assert rev.result == {"x1": pytest.approx(5.5, rel=1e-15), "x2": pytest.approx(2 - c5, rel=1e-15)}


def test_adjoint_formulas(rev):
    lines = [squash(nfc(r.text())) for r in rev.derivative_rows]
    assert lines[5] == nfc("v̄_0 = v̄_3 · ∂v_3/∂v_0 = v̄_3 · cos(v_0) = -0.284")
    assert lines[6] == nfc("v̄_-1 = v̄_2 · ∂v_2/∂v_-1 = v̄_2 · v_0 = 5")
    assert lines[7] == nfc("v̄_0 = v̄_0 + v̄_2 · ∂v_2/∂v_0 = v̄_0 + v̄_2 · v_-1 = 1.716")
    assert lines[8] == nfc("v̄_-1 = v̄_-1 + v̄_1 · ∂v_1/∂v_-1 = v̄_-1 + v̄_1 · (1/v_-1) = 5.5")
    assert lines[2] == nfc("v̄_3 = v̄_5 · ∂v_5/∂v_3 = v̄_5 · (-1) = -1")
    assert lines[-2:] == [nfc("x̄1 = v̄_-1 = 5.5"), nfc("x̄2 = v̄_0 = 1.716")]


def test_steps_are_the_pass_steps(rev):
    steps = [r.steps[0] for r in rev.derivative_rows if r.kind == "step"]
    assert steps == rev.pass_result.steps


# ------------------------------------------------------------------ the tangent trace (Table 2)


def test_tangent_rows_are_table_2(fwd):
    rows = fwd.derivative_rows
    assert [nfc(r.name) for r in rows] == [nfc(n) for n in
                                           ["v̇_-1", "v̇_0", "v̇_1", "v̇_2", "v̇_3", "v̇_4", "v̇_5", "ẏ"]]
    assert [display_number(r.value) for r in rows] == ["1", "0", "0.5", "5", "0", "5.5", "5.5", "5.5"]
    assert rows[0].formula == nfc("ẋ1") and rows[1].formula == nfc("ẋ2")
    assert squash(nfc(rows[3].text())) == nfc(
        "v̇_2 = v̇_-1 · ∂v_2/∂v_-1 + v̇_0 · ∂v_2/∂v_0 = v̇_-1 · v_0 + v̇_0 · v_-1 = 5")
    # a node whose operands have tangent 0 still gets its row (Baydin's v̇_3 = v̇_0 × cos v_0 = 0)
    assert squash(nfc(rows[4].text())) == nfc("v̇_3 = v̇_0 · ∂v_3/∂v_0 = v̇_0 · cos(v_0) = 0")
    assert fwd.result == {"y": 5.5}


def test_forward_seeds_other_variables_and_directions():
    f = gi.parse(BAYDIN)
    t = trace_table(f, AT, mode="forward", wrt="x2")
    assert t.result["y"] == pytest.approx(2 - math.cos(5.0), rel=1e-15)
    # a list seeds its first variable
    assert trace_table(f, AT, mode="forward", wrt=["x2", "x1"]).result == t.result
    # a mapping is a direction
    d = trace_table(f, AT, mode="forward", wrt={"x1": 2.0, "x2": -1.0})
    assert d.result["y"] == pytest.approx(2 * 5.5 - (2 - math.cos(5.0)), rel=1e-14)
    assert [display_number(r.value) for r in d.derivative_rows[:2]] == ["2", "-1"]


# ------------------------------------------------------------------ renderings


def test_text_contains_the_paper_values(rev, fwd):
    text = nfc(str(rev))
    for value in ["0.693", "10.693", "-0.959", "11.652", "-0.284", "1.716", "5.5"]:
        assert value in text
    assert "Primal trace" in text and "Adjoint trace (reverse mode" in text
    assert nfc("v̄_0   = v̄_0 + v̄_2 · ∂v_2/∂v_0") in text
    assert squash(nfc("  ẏ = v̇_5 = 5.5")) in squash(nfc(str(fwd)))


def test_text_columns_are_aligned(rev):
    lines = str(rev).splitlines()
    primal = lines[3:11]
    # the value column starts at the same terminal column on every row of a section
    starts = {width(ln[: ln.rindex("= ")]) for ln in primal}
    assert len(starts) == 1, primal
    adj = lines[13:]
    starts = {width(ln[: ln.rindex("= ")]) for ln in adj}
    assert len(starts) == 1, adj


def test_markdown(rev, fwd):
    md = rev.to_markdown()
    assert "| $v_{1}$ | $\\ln{\\left(v_{-1} \\right)}$ | $\\ln{\\left(2 \\right)}$ | 0.693 |" in md
    assert "| $v_{5}$ | $v_{4} - v_{3}$ | $10.693 - \\left(-0.959\\right)$ | 11.652 |" in md
    assert "| $\\bar{v}_{0}$ | $\\bar{v}_{3} \\frac{\\partial v_{3}}{\\partial v_{0}}$ | " \
           "$\\bar{v}_{3} \\cdot \\cos{\\left(v_{0} \\right)}$ | -0.284 |" in md
    assert "$\\bar{v}_{0} + \\bar{v}_{2} \\cdot v_{-1}$ | 1.716 |" in md
    assert "| $\\bar{x}_{1}$ | $\\bar{v}_{-1}$ |  | 5.5 |" in md
    assert "-0.959" in md and "10.693" in md
    fmd = fwd.to_markdown()
    assert "| $\\dot{y}$ | $\\dot{v}_{5}$ |  | 5.5 |" in fmd
    assert not any(ln.startswith("| $\\dot{x}") for ln in fmd.splitlines())  # ẋ1 is a formula, not a row
    assert "| $\\dot{v}_{-1}$ | $\\dot{x}_{1}$ |  | 1 |" in fmd
    assert rev._repr_markdown_() == md


def test_markdown_tables_have_four_cells_per_row():
    x, y = gi.symbols("x y")
    t = trace_table(gi.abs(x - y) * x, {"x": 1.0, "y": 3.0})
    for line in t.to_markdown().splitlines():
        if line.startswith("|"):
            assert line.count("|") == 5, line  # a bare | of |x| would split a cell


def test_latex(rev, fwd):
    tex = rev.to_latex()
    assert tex.startswith("\\begin{array}{llll}") and tex.endswith("\\end{array}")
    assert "v_{1} & = \\ln{\\left(v_{-1} \\right)} & = \\ln{\\left(2 \\right)} & = 0.693 \\\\" in tex
    assert "v_{3} & = \\sin{\\left(v_{0} \\right)} & = \\sin{\\left(5 \\right)} & = -0.959 \\\\" in tex
    assert "& = 10.693 \\\\" in tex and "& = 11.652 \\\\" in tex
    assert "\\bar{v}_{0} & = \\bar{v}_{3} \\frac{\\partial v_{3}}{\\partial v_{0}} & " \
           "= \\bar{v}_{3} \\cdot \\cos{\\left(v_{0} \\right)} & = -0.284 \\\\" in tex
    assert "& = 1.716 \\\\" in tex and "& = 5.5 \\\\" in tex
    # every row has 4 cells
    for line in tex.splitlines()[1:-1]:
        if line.endswith("\\\\"):
            assert line.count(" & ") == 3 or line.count("& &") == 1, line
    assert rev._repr_latex_() == "$$" + tex + "$$"
    assert "\\dot{y} & = \\dot{v}_{5} &  & = 5.5 \\\\" in fwd.to_latex()


def test_html(rev):
    h = rev._repr_html_()
    assert h.startswith('<table class="graphir-trace">') and h.endswith("</table>")
    assert "1.716" in h and "-0.284" in h
    assert h.count("<tr>") == len(rev.rows) + 2  # and one heading row per section


# ------------------------------------------------------------------ other expressions


def test_x_times_x_has_one_step_per_operand_slot():
    x = gi.symbols("x")
    t = trace_table(x * x, {"x": 3.0})
    steps = [r for r in t.derivative_rows if r.kind == "step"]
    assert len(steps) == 2
    assert [r.accumulates for r in steps] == [False, True]
    assert [r.value for r in steps] == [3.0, 6.0]
    f = trace_table(x * x, {"x": 3.0}, mode="forward")
    row = [r for r in f.derivative_rows if r.kind == "op"][0]
    expected = "v̇_1 = v̇_0 · ∂v_1/∂v_0 + v̇_0 · ∂v_1/∂v_0 = v̇_0 · v_0 + v̇_0 · v_0 = 6"
    assert squash(nfc(row.text())) == nfc(expected)


def test_shared_subexpression_and_constants():
    x, y = gi.symbols("x y")
    t = trace_table((x + y) ** 2, {x: 2, y: 3})
    assert [r.formula for r in t.primal_rows] == ["x", "y", "v_-1 + v_0", "v_1**2", "v_2"]
    assert t.result == {"x": 10.0, "y": 10.0}
    by = {r.name: r for r in t.primal_rows}
    assert by["v_2"].expansion == "5**2"
    # the constant exponent has no tangent: one term only
    f = trace_table((x + y) ** 2, {x: 2, y: 3}, mode="forward")
    assert nfc(f.derivative_rows[3].formula) == nfc("v̇_1 · ∂v_2/∂v_1")
    assert f.derivative_rows[3].expansion == nfc("v̇_1 · (2*v_1)")


def test_wrt_subset_and_output_named_after_a_variable():
    x, y, w, b = gi.symbols("x y w b")
    loss = 0.5 * (y - w * x - b) ** 2
    t = trace_table(loss, {x: 2, y: 7, w: 1.5, b: 0.5}, wrt=[w, b])
    r = y - w * x - b
    res = r.eval(x=2, y=7, w=1.5, b=0.5)
    assert t.result == {"w": pytest.approx(-res * 2), "b": pytest.approx(-res)}
    # y is an input, so the output is called f
    assert t.primal_rows[-1].name == "f"
    assert [r.name for r in t.derivative_rows if r.kind == "result"] == [nfc("w̄"), nfc("b̄")]
    # no adjoint is sent to the data x and y
    assert not {t.graph.var("x"), t.graph.var("y")} & {s.target for s in t.pass_result.steps}


def test_several_outputs():
    x, y = gi.symbols("x y")
    t = trace_table([x * y, x + y], {x: 2, y: 3})
    assert [r.name for r in t.primal_rows if r.kind == "output"] == ["f1", "f2"]  # y is a variable
    # reverse mode seeds every output with 1: the gradient of the sum
    assert t.result == {"x": 4.0, "y": 3.0}
    tf = trace_table([x * y, x + y], {x: 2, y: 3}, mode="forward")
    assert tf.result == {"f1": 3.0, "f2": 1.0}


def test_agrees_with_value_and_grad_on_many_functions():
    x, y, z = gi.symbols("x y z")
    exprs = [
        gi.sin(x * y) + gi.exp(z) / (1 + x * x),
        gi.sigmoid(x - 2 * y) * gi.tanh(z),
        gi.sqrt(x * x + y * y + z * z),
        gi.log1p(x ** 2) - gi.atan(y / z) + gi.maximum(x, z),
        -(x - y) / (z + 3),
    ]
    point = {"x": 0.7, "y": -1.3, "z": 0.4}
    for e in exprs:
        value, g = gi.value_and_grad(e, point)
        t = trace_table(e, point)
        assert t.value[t.output_labels[0][0]] == pytest.approx(value, rel=1e-15)
        assert np.allclose([t.result[v.name] for v in e.variables], g, rtol=1e-13, atol=0)
        for v in e.variables:
            tf = trace_table(e, point, mode="forward", wrt=v)
            assert list(tf.result.values())[0] == pytest.approx(t.result[v.name], rel=1e-12, abs=1e-15)


def test_output_is_a_variable():
    x = gi.symbols("x")
    t = trace_table(x, {"x": 4.0})
    assert [r.text() for r in t.primal_rows] == ["v_0 = x = 4", "y = v_0 = 4"]
    assert t.result == {"x": 1.0}
    assert trace_table(x, {"x": 4.0}, mode="forward").result == {"y": 1.0}


def test_long_chain_does_not_recurse():
    x = gi.symbols("x")
    e = x
    for _ in range(3000):
        e = gi.sin(e)
    t = trace_table(e, {"x": 0.5})
    assert len(t.primal_rows) == 3002
    assert t.result["x"] == pytest.approx(gi.grad(e)[0].eval(x=0.5), rel=1e-12)


# ------------------------------------------------------------------ arguments and helpers


def test_bad_arguments():
    x, y = gi.symbols("x y")
    with pytest.raises(gi.ArgumentError, match="mode"):
        trace_table(x * y, {"x": 1, "y": 2}, mode="sideways")
    with pytest.raises(gi.EvalError, match="y"):
        trace_table(x * y, {"x": 1})
    with pytest.raises(gi.ArgumentError, match="one real number"):
        trace_table(x * y, {"x": [1, 2], "y": 2})
    with pytest.raises(TypeError):
        trace_table(x * y, [1, 2])


def test_rows_are_data(rev):
    r = rev.rows[2]
    assert isinstance(r, TraceRow)
    assert (r.section, r.kind, r.name, r.node) == ("primal", "op", "v_1", rev.graph.ops.index("log"))
    assert r.value == math.log(2.0)


def test_deterministic():
    a = trace_table(gi.parse(BAYDIN), AT)
    b = trace_table(gi.parse(BAYDIN), AT)
    assert str(a) == str(b) and a.to_markdown() == b.to_markdown() and a.to_latex() == b.to_latex()


def test_public_name():
    t = gi.trace_table(gi.parse(BAYDIN), AT)
    assert "TraceTable" in repr(t)
