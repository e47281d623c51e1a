"""Pictures of array expressions: shapes, data by name, grids or summaries, array-op rules on edges.

The numbers come from closed forms: for ``L = 0.5 * mean((X @ w + b - y)**2)`` the
residual is ``r = X w + b - y``, ``∂L/∂w = Xᵀ r / n`` and ``∂L/∂b = sum(r) / n``.
"""

from __future__ import annotations

import numpy as np
import pytest

import graphir as gi
from graphir.pictures.dot import to_dot
from graphir.pictures.frames import build_frames
from graphir.pictures.labels import plain as plain_text
from graphir.pictures.model import picture
from graphir.text.notation import summary_text
from tests.pictures.render_helpers import check_snapshot, needs_dot
from tests.text.array_cases import AT, XV, loss, residual


def test_snapshot_linear_regression_reverse() -> None:
    check_snapshot("linear_regression_reverse.dot", to_dot(loss(), at=AT, mode="reverse", name="L"))


def test_snapshot_linear_regression_plain() -> None:
    check_snapshot("linear_regression_plain.dot", to_dot(loss()))


def test_nodes_show_shapes_data_by_name_and_grids() -> None:
    src = to_dot(loss(), at=AT, mode="reverse")
    assert "<B>X</B>  <FONT COLOR=\"#8c8c8c\">(3×2)</FONT>" in src
    assert "<B>y</B>  <FONT COLOR=\"#8c8c8c\">(3)</FONT>" in src
    # the rows of X in a monospace font, columns aligned
    assert '<FONT FACE="DejaVu Sans Mono,monospace">[3  4]</FONT>' in src
    assert "v₁</B> = X @ v₋₁" in src
    grad_w = XV.T @ residual() / 3  # closed form: [-4.867, -6.267]
    assert f"v̄₋₁ = [{gi.printing.display_number(grad_w[0])}  {gi.printing.display_number(grad_w[1])}]" in src
    assert "w = [0.5  -0.25]" in src


def test_array_op_edge_carries_the_adjoint_rule() -> None:
    src = to_dot(loss(), at=AT, mode="reverse")
    assert "Xᵀ · v̄₁ = [-4.867, -6.267]" in src  # the rule of matmul's record, names substituted
    assert "∂v₁/∂v₋₁" not in src  # no 4-D Jacobian, no entrywise partial for an array op
    # b was broadcast to the residual's shape: its adjoint is summed back
    assert f"sum_to(v̄₂ · ∂) = {gi.printing.display_number(residual().sum() / 3)}" in src
    assert "broadcast(v̄₅) = [0.167, 0.167, 0.167]" in src


def test_forward_mode_array_edges() -> None:
    src = to_dot(loss(), at=AT, mode="forward", wrt="w")
    assert "X @ v̇₋₁ = [3, 7, 11]" in src  # X @ [1, 1]
    assert "tangents v̇ along" in src  # a vector seed is a direction, not ∂/∂w


def test_elementwise_partial_of_an_array_is_a_grid() -> None:
    src = to_dot(loss(), at=AT, mode="reverse")
    r = residual()
    assert "∂v₄/∂v₃ = 2 × v₃ = [" + ", ".join(gi.printing.display_number(2 * x) for x in r) + "]" in src


def test_large_array_is_a_summary() -> None:
    rng = np.random.default_rng(0)
    A = rng.normal(size=(20, 10))
    w = gi.symbols("w", shape=(10,))
    f = gi.sum(gi.constant(A, name="A") @ w)
    src = to_dot(f, at={"w": np.ones(10)}, mode="reverse")
    s = A.sum(axis=1)
    # the node's name line shows the shape (20), its value line the summary
    expected = f"= min {gi.printing.display_number(s.min())}, max {gi.printing.display_number(s.max())}, " \
               f"‖·‖ {gi.printing.display_number(np.sqrt((s ** 2).sum()))}"
    assert "v₁</B> = A @ v₀  <FONT COLOR=\"#8c8c8c\">(20)</FONT>" in src
    assert expected in src
    assert "(20×10)</FONT><BR/>" + summary_text(A, shape=False) in src  # the data node
    assert summary_text(A) == (f"20×10: min {gi.printing.display_number(A.min())}, "
                               f"max {gi.printing.display_number(A.max())}, "
                               f"‖·‖ {gi.printing.display_number(np.sqrt((A ** 2).sum()))}")


def test_point_of_the_wrong_shape() -> None:
    with pytest.raises(gi.ArgumentError, match=r"w must have shape \(2,\)"):
        to_dot(loss(), at={"w": np.ones(3), "b": 0.1})
    with pytest.raises(gi.ArgumentError, match="b must be one real number"):
        to_dot(loss(), at={"w": np.ones(2), "b": [1.0, 2.0]})


def test_frames_of_an_array_expression() -> None:
    pic = picture(loss(), at=AT, mode="reverse")
    frames = build_frames(pic)
    assert len(frames) == len(pic.op_nodes) + len(pic.result.steps) + 2
    captions = [f.caption for f in frames]
    assert "v̄₋₁ = Xᵀ · v̄₁ = [-4.867, -6.267]" in captions
    assert captions[-1] == "Result: ∂f/∂w = v̄₋₁ = [-4.867, -6.267], ∂f/∂b = v̄₀ = -1.4"
    last = "<BR/>".join(frames[-1].looks[pic.nodes[0]].lines)
    assert "v̄₋₁ = [-4.867  -6.267]" in last


def test_frames_of_a_matrix_show_rows() -> None:
    W = gi.symbols("W", shape=(2, 2))
    f = gi.sum(W @ gi.constant(np.array([1.0, 2.0]), name="u"))
    pic = picture(f, at={"W": np.array([[1.0, 2.0], [3.0, 4.0]])}, mode="reverse")
    lines = build_frames(pic)[-1].looks[pic.nodes[0]].lines
    plain = [plain_text(x) for x in lines]
    assert plain == ["v₀  (2×2)", "W =", "[1  2]", "[3  4]", "v̄₀ =", "[1  2]", "[1  2]"]  # ∂/∂W = 1 uᵀ


@needs_dot
def test_render_steps_of_an_array_expression(tmp_path) -> None:
    paths = gi.render(loss(), tmp_path / "steps", at=AT, mode="reverse", steps=True, format="svg")
    svgs = [p for p in paths if p.suffix == ".svg"]
    assert len(svgs) == 17
    assert "stepper.html" in {p.name for p in paths}
    assert "[&#45;4.867" in svgs[-1].read_text(encoding="utf-8")


def test_scalar_pictures_have_no_shapes() -> None:
    x, y = gi.symbols("x y")
    src = to_dot(x * y + gi.sin(x), at={"x": 1, "y": 2}, mode="reverse")
    assert "FONT FACE" not in src and "×2)" not in src and "array op" not in src


def test_no_derivative_rule_on_an_edge_no_derivative_reaches() -> None:
    # 1 - y depends on data only: reverse mode gives it no adjoint, so the edge from it
    # carries its partial but no "v̄ · ∂" without a value (it did before).
    y = gi.constant([0.0, 1.0], name="y")
    w = gi.symbols("w", shape=(2,))
    src = to_dot(gi.sum((1.0 - y) * w), at={"w": [0.5, 2.0]}, mode="reverse")
    edge = next(line for line in src.splitlines() if "->" in line and "∂v₂/∂v₁" in line)
    assert "v̄" not in edge.split("∂v₂/∂v₁", 1)[1], edge
