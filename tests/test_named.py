"""Issue 9, item 5: names carry through (display names of intermediates, the output's name)."""

from __future__ import annotations

import shutil

import pytest

import graphir as gi
from graphir.pictures.frames import step_files
from graphir.text.notation import display_latex, mark_latex, mark_text

AT = {"x": 2.0, "y": 3.0}


def square_of_sum() -> gi.Expr:
    x, y = gi.symbols("x y")
    u = (x + y).named("u")
    return u**2


def test_named_changes_no_value_and_no_structure():
    x, y = gi.symbols("x y")
    plain = (x + y) ** 2
    f = square_of_sum()
    assert f.eval(AT) == plain.eval(AT) == 25.0
    assert str(f) == str(plain) and f == plain and f.num_nodes == plain.num_nodes
    assert f.args[0].display_name == "u" and f.display_name is None


def test_named_refuses_leaves_and_bad_text():
    x = gi.symbols("x")
    with pytest.raises(gi.ArgumentError, match="a variable has its name"):
        x.named("u")
    with pytest.raises(gi.ArgumentError, match="constants are shown by value"):
        gi.as_expr(2).named("two") if hasattr(gi, "as_expr") else (x * 0 + 2).args[1].named("two")
    for bad in ["", "a\nb", "x" * 41, " u"]:
        with pytest.raises(gi.ArgumentError, match="not a valid display name"):
            gi.sin(x).named(bad)


def test_named_survives_merging_and_json():
    f = square_of_sum()
    z = gi.symbols("z")
    g = gi.exp(gi.exp(gi.exp(z))) + f  # f's graph is copied into the larger one
    assert g.args[1].args[0].display_name == "u"
    back = gi.from_json(gi.to_json(f))
    assert back.args[0].display_name == "u"
    assert '"display_name": "u"' in gi.to_json(f)
    with pytest.raises(gi.GraphError, match="display name"):
        gi.from_json(gi.to_json(f).replace('"display_name": "u"', '"display_name": ""'))


def test_named_intermediate_in_dot():
    dot = gi.to_dot(square_of_sum(), at=AT, mode="reverse")
    assert "<B>u</B> = v₋₁ + v₀" in dot
    assert "<B>v₁</B> = u^2" in dot  # the next operation is v₁: no gap in the numbers
    assert "∂u/∂v₋₁" in dot and "ū = 10" in dot
    assert "v₂" not in dot


def test_named_intermediate_in_trace_table():
    text = str(gi.trace_table(square_of_sum(), AT))
    assert "  u     = v_-1 + v_0  = 2 + 3  = 5" in text
    assert "  v_1   = u**2" in text
    assert "ū     = v̄_1 · ∂v_1/∂u" in text
    assert "v̄_-1  = ū · ∂u/∂v_-1" in text


def test_named_intermediate_in_worked_example():
    md = gi.explain(square_of_sum(), AT, name="L").markdown
    assert "| $u$ | $v_{-1} + v_{0}$ | $2 + 3$ | 5 |" in md
    assert "| $\\bar{u}$ | $\\bar{v}_{1} \\frac{\\partial v_{1}}{\\partial u}$" in md
    assert "ū    = v̄_1 · ∂v_1/∂u" in md
    assert "the operations are $v_{1}$ and $u$ (named in the code), numbered" in md


def test_named_in_frames():
    files = step_files(square_of_sum(), AT, format="dot")
    text = "".join(data.decode("utf-8") for data in files.values())
    assert "u = v₋₁ + v₀" in text and "ū" in text


def test_display_names_in_any_script_are_escaped():
    x, y = gi.symbols("x y")
    f = gi.sin((x + y).named("損失 <a>&|b"))
    dot = gi.to_dot(f, at=AT, mode="reverse")
    assert "損失 &lt;a&gt;&amp;|b" in dot and "<a>" not in dot
    md = gi.explain(f, AT).markdown
    assert "\\text{損失 }\\lt \\text{a}\\gt \\text{}" not in md  # no empty pieces
    assert "\\text{損失 }\\lt \\text{a}\\gt \\&\\vert \\text{b}" in md
    rows = [line for line in md.splitlines() if line.startswith("| $")]
    assert all(line.count("|") == rows[0].count("|") for line in rows)  # no "|" breaks a table row


def test_output_name_reaches_pictures_and_legends():
    x, y = gi.symbols("x y")
    f = x * y + gi.sin(x)
    dot = gi.to_dot(f, at=AT, mode="reverse", name="L")
    assert "∂L/∂v" in dot and "∂f/∂v" not in dot
    assert "∂f/∂v" in gi.to_dot(f, at=AT, mode="reverse")
    files = step_files(f, AT, format="dot", name="L")
    last = files[max(n for n in files if n.startswith("frame_"))].decode("utf-8")
    assert "∂L/∂x = v̄₋₁" in last and "∂f/" not in last
    forward = step_files(f, AT, mode="forward", wrt="x", format="dot", name="L")
    last = forward[max(n for n in forward if n.startswith("frame_"))].decode("utf-8")
    assert "∂L/∂x = v̇" in last
    with pytest.raises(gi.ArgumentError, match="cannot name the output"):
        gi.to_dot(f, name="a\nb")


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz")
def test_explain_gives_its_name_to_every_picture(tmp_path):
    x, y = gi.symbols("x y")
    paths = gi.explain(x * y + gi.sin(x), AT, name="L").save(tmp_path / "out")
    svgs = [p for p in paths if p.suffix in (".svg", ".html")]
    texts = [p.read_text(encoding="utf-8") for p in svgs]
    assert any("∂L/∂v" in t for t in texts)
    assert not any("∂f/∂" in t for t in texts)
    stepper = (tmp_path / "out" / "steps" / "stepper.html").read_text(encoding="utf-8")
    assert "L = x*y + sin(x)" in stepper


def test_marks_go_over_the_whole_name():
    assert mark_text("theta", "adjoint") == "θ̄"
    assert mark_text("theta1", "adjoint") == "θ̄1"
    assert mark_text("lr", "adjoint") == "bar(lr)" and mark_text("lr", "tangent") == "dot(lr)"
    assert mark_text("x1", "adjoint") == "x̄1"
    assert mark_text("损失", "adjoint") == "bar(损失)"
    assert mark_latex("lr", "adjoint") == "\\overline{\\mathrm{lr}}"
    assert mark_latex("theta", "adjoint") == "\\bar{\\theta}"
    assert display_latex("u", "adjoint") == "\\bar{u}"
    t = gi.trace_table(gi.trace(lambda theta, lr: theta * lr), {"theta": 1, "lr": 2})
    text = str(t)
    assert "θ̄" in text and "bar(lr)" in text and "thetā" not in text and "lr̄" not in text
