"""``gi.describe`` and ``gi.alt_text``: the computation graph in words, the trace table read aloud."""

from __future__ import annotations

import graphir as gi

AT = {"x1": 2, "x2": 5}


def baydin() -> gi.Expr:
    return gi.parse("ln(x1) + x1*x2 - sin(x2)")


def test_reverse_description_reads_the_trace_table_aloud() -> None:
    text = gi.describe(baydin(), at=AT, mode="reverse")
    assert text.startswith("Computation graph of y = log(x1) + x1*x2 - sin(x2) at x1 = 2, x2 = 5, "
                           "in reverse mode: 2 inputs, 5 operations, 1 output. ")
    assert "Input v_-1 is x1 = 2; its adjoint v̄_-1 is 5.5." in text
    assert "Input v_0 is x2 = 5; its adjoint v̄_0 is 1.716." in text
    assert "v_1 computes log(v_-1) = log(2) = 0.693; its adjoint v̄_1 is 1." in text
    assert "v_5 computes v_4 - v_3 = 10.693 - (-0.959) = 11.652; its adjoint v̄_5 is 1." in text
    assert text.endswith("The output y = v_5 = 11.652. Derivatives: ∂y/∂x1 = 5.5, ∂y/∂x2 = 1.716.")
    # every row of the trace table's primal section is read, in its order
    rows = gi.trace_table(baydin(), AT).primal_rows
    positions = [text.index(f"{r.name} computes") for r in rows if r.kind == "op"]
    assert positions == sorted(positions) and len(positions) == 5


def test_forward_description_and_other_seeds() -> None:
    text = gi.describe(baydin(), at=AT, mode="forward", wrt="x2")
    assert "Input v_0 is x2 = 5; its tangent v̇_0 is 1." in text
    assert text.endswith("Derivatives: ∂y/∂x2 = 1.716.")
    seeded = gi.describe(baydin(), at=AT, mode="forward", wrt={"x1": 1, "x2": 0.5})
    assert seeded.endswith("Derivatives: ẏ = 6.358 along ẋ1 = 1, ẋ2 = 0.5.")  # 5.5 + 0.5 * 1.716


def test_values_only_and_no_point() -> None:
    text = gi.describe(baydin(), at=AT)
    assert "adjoint" not in text and "Derivatives" not in text
    assert text.endswith("The output y = v_5 = 11.652.")
    plain = gi.describe(baydin())
    assert "v_3 computes sin(v_0)." in plain and plain.endswith("The output is y = v_5.")
    assert "as formulas" in gi.describe(baydin(), mode="reverse")


def test_names_and_several_outputs() -> None:
    x, y = gi.symbols("x y")
    text = gi.describe([x * y, x + y], at={"x": 2, "y": 3}, mode="reverse", name="g")
    assert "2 outputs" in text and "The outputs: g1 = v_1 = 6; g2 = v_2 = 5." in text
    assert "∂(g1 + g2)/∂x = 4" in text
    assert "y = x*y" not in gi.describe(x * y, at={"x": 2, "y": 3})  # y is taken: the output is f
    assert gi.describe(x * y).startswith("Computation graph of f = x*y")


def test_alt_text_is_one_line() -> None:
    alt = gi.alt_text(baydin(), at=AT, mode="reverse")
    assert alt == ("Computation graph of y = log(x1) + x1*x2 - sin(x2) (2 inputs, 5 operations): at "
                   "x1 = 2, x2 = 5 the output is 11.652; reverse mode gives ∂y/∂x1 = 5.5, ∂y/∂x2 = 1.716.")
    assert "\n" not in alt
    plain = "Computation graph of y = log(x1) + x1*x2 - sin(x2) (2 inputs, 5 operations)."
    assert gi.alt_text(baydin()) == plain


def test_deterministic() -> None:
    assert gi.describe(baydin(), at=AT, mode="reverse") == gi.describe(baydin(), at=AT, mode="reverse")


def test_arrays_are_described() -> None:
    W = gi.symbols("W", shape=(2, 2))
    v = gi.symbols("v", shape=(2,))
    text = gi.describe(gi.sum(W @ v), at={"W": [[1, 2], [3, 4]], "v": [1, 1]}, mode="reverse")
    assert "The output y = v_2 = 10." in text


def test_worked_example_images_carry_real_alt_text() -> None:
    md = gi.explain(baydin(), AT).markdown
    images = [line for line in md.splitlines() if line.startswith("![")]
    assert len(images) == 3
    assert not any(line.startswith(("![the computation graph]", "![the graph with")) for line in images)
    assert "![Computation graph of y = log(x1) + x1\\*x2 - sin(x2) (2 inputs, 5 operations).](graph.svg)" \
        in md
    assert "reverse mode gives ∂y/∂x1 = 5.5, ∂y/∂x2 = 1.716.](graph_reverse.svg)" in md


def test_stepper_frames_are_labelled_images() -> None:
    from graphir.pictures.html import stepper_html

    page = stepper_html(['<svg width="1pt"><g id="graph0"/></svg>'], ["v₁ = 2"], "demo",
                        description="the graph in words")
    assert '<svg role="img" aria-labelledby="caption0" aria-describedby="graph-words"' in page
    assert '<figcaption id="caption0">1. v₁ = 2</figcaption>' in page and ">the graph in words</p>" in page
