"""DOT source: snapshots, numbers from closed forms, stable names, determinism, size limit.

Snapshots live in ``tests/render/snapshots``; after a deliberate change of the
pictures' look, rewrite them with ``GRAPHIR_UPDATE_SNAPSHOTS=1`` and review the diff.
The numbers in the pictures are checked against closed forms computed with
:mod:`math`, independently of graphir's derivative passes.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import graphir as gi
from graphir.errors import RenderTooLarge
from graphir.pictures import style
from graphir.pictures.dot import svg_or_none, to_dot
from graphir.pictures.model import picture
from graphir.printing import display_number as fmt
from tests.pictures.render_helpers import check_snapshot, needs_dot

ROOT = Path(__file__).resolve().parents[2]
BAYDIN = "ln(x1) + x1*x2 - sin(x2)"
AT = {"x1": 2.0, "x2": 5.0}


def baydin() -> gi.Expr:
    return gi.parse(BAYDIN)


def labels(src: str) -> dict[str, str]:
    """DOT node name -> its label text (tags and entities removed)."""
    out = {}
    for m in re.finditer(r"^  (\d+) \[.*label=<(.*)>\];$", src, re.M):
        text = re.sub(r"<[^>]*>", "\n", m.group(2))
        out[m.group(1)] = " | ".join(t.strip() for t in text.split("\n") if t.strip())
    return out


def edge_lines(src: str) -> list[str]:
    return [line for line in src.splitlines() if " -> " in line]


# --------------------------------------------------------------------------- snapshots


def test_snapshot_square_of_sum() -> None:
    x, y = gi.symbols("x y")
    check_snapshot("square_of_sum_at.dot", to_dot((x + y) ** 2, at={"x": 2, "y": 3}))


def test_snapshot_baydin_reverse() -> None:
    check_snapshot("baydin_reverse.dot", to_dot(baydin(), at=AT, mode="reverse"))


def test_snapshot_baydin_forward() -> None:
    check_snapshot("baydin_forward.dot", to_dot(baydin(), at=AT, mode="forward"))


def test_snapshot_baydin_plain() -> None:
    check_snapshot("baydin_plain.dot", to_dot(baydin()))


def test_snapshot_x_times_x() -> None:
    (x,) = gi.symbols("x,")
    check_snapshot("x_times_x_forward.dot", to_dot(x * x, at={"x": 3}, mode="forward"))


def test_snapshot_shared_operand() -> None:
    check_snapshot("shared_operand_reverse.dot", to_dot(gi.parse("(a+b)*(b+1)"), at={"a": 2, "b": 1},
                                                         mode="reverse"))


# --------------------------------------------------------------------------- content


def test_baydin_names_formulas_and_values() -> None:
    src = to_dot(baydin(), at=AT)
    lab = labels(src)
    x1, x2 = AT["x1"], AT["x2"]
    assert lab["0"] == f"v₋₁ | x1 = {fmt(x1)}"
    assert lab["1"] == f"v₀ | x2 = {fmt(x2)}"
    assert lab["2"] == f"v₁ | = ln v₋₁ | = {fmt(math.log(x1))}"
    assert lab["3"] == f"v₂ | = v₋₁ × v₀ | = {fmt(x1 * x2)}"
    assert lab["4"] == f"v₃ | = sin v₀ | = {fmt(math.sin(x2))}"
    assert lab["5"] == f"v₄ | = v₁ + v₂ | = {fmt(math.log(x1) + x1 * x2)}"
    assert lab["6"] == f"v₅ | = v₄ − v₃ | = {fmt(math.log(x1) + x1 * x2 - math.sin(x2))}"
    assert "0.693" in src and "11.652" in src and "-0.959" in src  # Baydin et al. (2018), Table 2
    # Without a mode, edges carry no partial derivatives.
    assert all("label" not in line for line in edge_lines(src))


def test_baydin_reverse_adjoints_and_partials() -> None:
    x1, x2 = AT["x1"], AT["x2"]
    src = to_dot(baydin(), at=AT, mode="reverse")
    assert f"v̄₋₁ = {fmt(1 / x1 + x2)}" in src  # 5.5
    assert f"v̄₀ = {fmt(x1 - math.cos(x2))}" in src  # 1.716
    assert "v̄₅ = 1<" in src and "v̄₃ = -1<" in src
    # Local partials with formula and number.
    assert f"∂v₃/∂v₀ = cos v₀ = {fmt(math.cos(x2))}" in src
    assert f"∂v₁/∂v₋₁ = 1/v₋₁ = {fmt(1 / x1)}" in src
    assert "∂v₂/∂v₋₁ = v₀ = 5" in src and "∂v₂/∂v₀ = v₋₁ = 2" in src
    assert "∂v₅/∂v₃ = -1" in src
    # Contribution of every edge: adjoint of the result times the partial.
    assert f"-1 · {fmt(math.cos(x2))} = {fmt(-math.cos(x2))}" in src
    assert len(edge_lines(src)) == 8
    assert all("∂" in line for line in edge_lines(src))


def test_baydin_forward_tangents() -> None:
    x1, x2 = AT["x1"], AT["x2"]
    src = to_dot(baydin(), at=AT, mode="forward")
    assert "v̇₋₁ = 1<" in src and "v̇₀ = 0<" in src
    assert f"v̇₅ = {fmt(1 / x1 + x2)}" in src
    assert "tangents v̇ = ∂v/∂x1" in src
    src2 = to_dot(baydin(), at=AT, mode="forward", wrt="x2")
    assert f"v̇₅ = {fmt(x1 - math.cos(x2))}" in src2
    assert "v̇₀ = 1<" in src2


def test_derivative_formulas_without_point() -> None:
    src = to_dot(baydin(), mode="reverse")
    assert "v̄₋₁ = " in src and "∂v₃/∂v₀ = cos v₀" in src
    assert "= 0.284" not in src


def test_x_times_x_has_two_edges() -> None:
    (x,) = gi.symbols("x,")
    src = to_dot(x * x, at={"x": 3}, mode="reverse")
    edges = edge_lines(src)
    assert [line.split(" [")[0].strip() for line in edges] == ["0 -> 1", "0 -> 1"]
    assert 'id="e1_0"' in edges[0] and 'id="e1_1"' in edges[1]
    assert "(operand 1)" in edges[0] and "(operand 2)" in edges[1]
    assert "v̄₀ = 6<" in src  # d(x*x)/dx = 2x at 3, as 3 + 3


def test_shared_operand_accumulates() -> None:
    src = to_dot(gi.parse("(a+b)*(b+1)"), at={"a": 2, "b": 1}, mode="reverse")
    a, b = 2.0, 1.0
    assert f"v̄₋₁ = {fmt(b + 1)}<" in src
    assert f"v̄₀ = {fmt((b + 1) + (a + b))}<" in src  # b feeds both factors
    # The constant 1 is a small node of its own, its edge dashed and unlabelled.
    const_edge = [line for line in edge_lines(src) if "dashed" in line]
    assert len(const_edge) == 1 and "label" not in const_edge[0]


def test_kinds_told_apart() -> None:
    x, y = gi.symbols("x y")
    src = to_dot((x + y) ** 2)
    lines = {m.group(1): m.group(0) for m in re.finditer(r"^  (\d+) \[.*$", src, re.M)}
    fills = {}
    for name, line in lines.items():
        shape = re.search(r'shape="(\w+)"', line).group(1)
        fill = re.search(r'fillcolor="(#\w+)"', line).group(1)
        fills[name] = (shape, fill, "peripheries=2" in line)
    inp, const, op, out = fills["0"], fills["2"], fills["3"], fills["4"]
    assert inp == fills["1"]
    assert len({inp, const, op, out}) == 4
    assert out[2] and not op[2]
    assert "fontsize=10" in lines["2"]  # constants are small


def test_node_names_are_positions_not_ids() -> None:
    # The same expression built in a graph with many other nodes gets the same DOT.
    x, y = gi.symbols("x y")
    for k in range(50):
        _ = gi.sin(x + k)
    f = (x + y) ** 2
    x2, y2 = gi.symbols("x y")
    assert to_dot(f, at={"x": 2, "y": 3}, mode="reverse") == to_dot(
        (x2 + y2) ** 2, at={"x": 2, "y": 3}, mode="reverse"
    )


def test_drawing_does_not_grow_the_users_graph() -> None:
    f = baydin()
    n = len(f.ir)
    to_dot(f, at=AT, mode="reverse")
    to_dot(f, at=AT, mode="forward")
    assert len(f.ir) == n


def test_escape() -> None:
    assert style.escape("a<b & c>d") == "a&lt;b &amp; c&gt;d"


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_picture_and_trace_table_show_the_same_digits(mode: str) -> None:
    # Every value, tangent and adjoint of the trace table appears, digit for digit, in the picture.
    table = gi.trace_table(baydin(), AT, mode=mode)
    src = to_dot(baydin(), at=AT, mode=mode)
    parts = {part for label in labels(src).values() for part in label.split(" | ")}
    for r in table.primal_rows:
        if r.kind == "input":
            assert f"{r.formula} = {table_value(r)}" in parts, r
        elif r.kind == "op":
            assert f"= {table_value(r)}" in parts, r
    names = {"forward": "v̇", "reverse": "v̄"}
    for r in table.derivative_rows:
        if r.kind in ("op", "seed", "result") and r.node is not None and r.node in table.numbering:
            k = table.numbering[r.node]
            shown = f"{names[mode]}{str(k).translate(SUBSCRIPTS)} = {table_value(r)}"
            assert shown in src, shown


SUBSCRIPTS = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")


def table_value(r: Any) -> str:
    """The number a trace table's row shows (its last column)."""
    return r.text().rsplit(" = ", 1)[1]


def test_bad_arguments() -> None:
    f = baydin()
    with pytest.raises(gi.ArgumentError, match="mode"):
        to_dot(f, mode="sideways")
    with pytest.raises(gi.ArgumentError, match="one real number"):
        to_dot(f, at={"x1": [1, 2], "x2": 3})
    with pytest.raises(gi.EvalError, match="x2"):
        to_dot(f, at={"x1": 1})


# --------------------------------------------------------------------------- size limit


def chain(n: int) -> gi.Expr:
    (x,) = gi.symbols("x,")
    e = x
    for _ in range(n):
        e = gi.sin(e)
    return e


def test_too_large_graph_is_refused_with_advice() -> None:
    e = chain(style.MAX_NODES + 1)
    with pytest.raises(gi.RenderError) as info:
        to_dot(e)
    msg = str(info.value)
    assert str(style.MAX_NODES + 1) in msg and "max_nodes=None" in msg and "expr.args[0]" in msg
    assert isinstance(info.value, RenderTooLarge)
    assert (info.value.n_ops, info.value.limit) == (style.MAX_NODES + 1, style.MAX_NODES)
    assert to_dot(e, max_nodes=None).count(" -> ") == style.MAX_NODES + 1
    assert to_dot(e.args[0]).count(" -> ") == style.MAX_NODES
    assert svg_or_none(e) is None


# --------------------------------------------------------------------------- determinism

CHILD = (
    "import graphir as gi, sys\n"
    "f = gi.parse('ln(x1) + x1*x2 - sin(x2)')\n"
    "x, y = gi.symbols('x y')\n"
    "sys.stdout.buffer.write(''.join([gi.to_dot(f, at={'x1': 2, 'x2': 5}, mode=m) for m in "
    "('reverse', 'forward', None)] + [gi.to_dot((x + y) ** 2 * x, at={'x': 2, 'y': 3}, mode='reverse')])"
    ".encode('utf-8'))\n"
)


def test_same_dot_in_two_processes() -> None:
    outs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        p = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, check=True)
        outs.append(p.stdout)
    assert outs[0] == outs[1]
    x, y = gi.symbols("x y")
    here = "".join(
        [to_dot(baydin(), at=AT, mode=m) for m in ("reverse", "forward", None)]
        + [to_dot((x + y) ** 2 * x, at={"x": 2, "y": 3}, mode="reverse")]
    )
    assert outs[0] == here.encode("utf-8")


# --------------------------------------------------------------------------- notebooks


@needs_dot
def test_repr_svg() -> None:
    s = baydin()._repr_svg_()
    assert s is not None and s.startswith("<svg")
    assert "v₋₁" in s


def test_svg_or_none_without_graphviz(monkeypatch: pytest.MonkeyPatch) -> None:
    from graphir.pictures import graphviz as draw

    monkeypatch.setattr(draw.shutil, "which", lambda name: None)
    assert svg_or_none(baydin()) is None


def test_picture_model() -> None:
    p = picture(baydin(), at=AT, mode="reverse")
    assert [p.names[i] for i in p.op_nodes] == ["v₁", "v₂", "v₃", "v₄", "v₅"]
    assert len(p.edges) == 8 and len(p.result.steps) == 8


@needs_dot
def test_doctests_of_the_picture_modules() -> None:
    import doctest

    from graphir.pictures import dot, draw, frames, graphviz, html, labels, model, style

    for module in (dot, draw, frames, graphviz, html, labels, model, style):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, module.__name__
        assert result.attempted > 0 or module is draw


# --------------------------------------------------------------------------- direction of the flow


def edge_dirs(src: str) -> dict[str, str]:
    """Edge id -> its ``dir`` (``forward`` when none is written)."""
    out = {}
    for line in edge_lines(src):
        eid = re.search(r'id="(e\d+_\d+)"', line).group(1)
        m = re.search(r'dir="(\w+)"', line)
        out[eid] = m.group(1) if m else "forward"
    return out


@pytest.mark.parametrize("at", [AT, None])
def test_reverse_edges_point_back_to_their_operands(at: dict[str, float] | None) -> None:
    """Adjoints flow from result to operand: every edge that carries one has its arrowhead at
    the operand (``dir=back``); the layout is the forward graph's (same ``src -> dst``)."""
    rev = to_dot(baydin(), at=at, mode="reverse")
    assert set(edge_dirs(rev).values()) == {"back"}
    plain = to_dot(baydin(), at=at, mode=None, partials=True)
    assert set(edge_dirs(plain).values()) == {"forward"}
    strip = [re.sub(r" \[.*", "", line) for line in edge_lines(rev)]
    assert strip == [re.sub(r" \[.*", "", line) for line in edge_lines(plain)]
    fwd = to_dot(baydin(), at=at, mode="forward")
    assert set(edge_dirs(fwd).values()) == {"forward"}
    # A constant's edge carries no adjoint: it keeps pointing forward.
    shared = edge_dirs(to_dot(gi.parse("(a+b)*(b+1)"), at={"a": 2, "b": 1}, mode="reverse"))
    assert sorted(shared.values()) == ["back"] * 5 + ["forward"]


def test_legend_says_which_way_derivatives_flow() -> None:
    rev = to_dot(baydin(), at=AT, mode="reverse")
    assert "each edge carries v̄ of its result times the local partial ∂ back to its operand" in rev
    assert "flowing from the output back to the inputs" in rev
    fwd = to_dot(baydin(), at=AT, mode="forward")
    assert "each edge carries v̇ of its operand times the local partial ∂ on to its result" in fwd


def test_forward_zero_tangent_edges_say_why() -> None:
    """x2's tangent is 0 (the derivative is with respect to x1): its edges carry ``0 · ∂ = 0``."""
    src = to_dot(baydin(), at=AT, mode="forward")
    by_id = {re.search(r'id="(e\d+_\d+)"', line).group(1): line for line in edge_lines(src)}
    assert ">0 · 2 = 0<" in by_id["e3_1"]  # v₂ = v₋₁ × v₀: ∂v₂/∂v₀ = v₋₁ = 2
    assert f">0 · {fmt(math.cos(5.0))} = 0<" in by_id["e4_0"]
    assert ">0 · (-1) = 0<" in by_id["e6_1"]
    assert ">1 · 5 = 5<" in by_id["e3_0"]  # the seeded variable's edges as before
    # Without a point there is nothing to multiply.
    assert "0 · " not in to_dot(baydin(), mode="forward")
