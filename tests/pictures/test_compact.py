"""Compact pictures (constants folded into their user's label) and the clean-up of derivatives."""

from __future__ import annotations

import re

import pytest

import graphir as gi
from graphir import cli
from graphir.pictures.frames import build_frames
from graphir.pictures.model import picture
from tests.pictures.render_helpers import needs_dot


def _nodes(src: str) -> list[str]:
    return re.findall(r"^  (\d+) \[", src, flags=re.M)


def _edges(src: str) -> list[str]:
    return re.findall(r"^  \d+ -> \d+ ", src, flags=re.M)


def test_compact_draws_no_constant_nodes():
    f = gi.parse("x^2/2 + 1/x^2")  # the 2 is shared by three operations
    plain, compact = gi.to_dot(f), gi.to_dot(f, compact=True)
    assert len(_nodes(plain)) == 7 and len(_nodes(compact)) == 5  # x, 1, 2 and four operations
    assert len(_edges(compact)) == 5  # only edges between x and the operations
    for text in ("v₁</B> = v₀^2", "v₂</B> = v₁/2", "v₃</B> = 1/v₁"):
        assert text in compact
    assert "dashed" not in compact and "dashed" in plain


def test_compact_keeps_partials_and_values_right():
    x, = gi.symbols("x,")
    f = 3 * x ** 2
    kw = {"at": {"x": 2}, "mode": "reverse"}
    plain, compact = gi.to_dot(f, **kw), gi.to_dot(f, compact=True, **kw)
    for text in ("∂v₁/∂v₀ = 2 × v₀ = 4", "∂v₂/∂v₁ = 3", "v̄₀ = 12", "= 12"):
        assert text in plain and text in compact


def test_compact_keeps_a_constant_output():
    src = gi.to_dot(gi.diff(gi.parse("3*x"), "x"), compact=True)
    assert len(_nodes(src)) == 1 and "label=<3>" in src


def test_compact_step_frames_of_a_function_with_constants():
    f = gi.parse("x^2/2 + 1/x^2")
    pic = picture(f, at={"x": 2}, mode="reverse", compact=True)
    frames = build_frames(pic)
    assert len(frames) == len(pic.op_nodes) + len(pic.result.steps) + 2
    assert all(len(fr.elooks) == len(pic.edges) == 5 for fr in frames)
    assert frames[-1].caption == "Result: ∂f/∂x = v̄₀ = 1.75"  # x - 2/x^3 at 2


@needs_dot
def test_compact_steps_and_stepper(tmp_path):
    f = gi.diff(gi.parse("x^2/2 + 1/x^2"), "x")
    paths = gi.render(f, tmp_path / "s", at={"x": 2}, steps=True, format="svg", compact=True)
    names = [p.name for p in paths]
    assert "stepper.html" in names
    first = (tmp_path / "s" / "frame_000.svg").read_text()
    assert 'class="node"' in first


def test_compact_must_be_a_bool():
    with pytest.raises(gi.ArgumentError, match="compact must be True or False"):
        gi.to_dot(gi.parse("2*x"), compact="yes")


@needs_dot
def test_cli_compact(tmp_path):
    out = tmp_path / "f.svg"
    assert cli.main(["render", "x^2/2", "--compact", "-o", str(out)]) == 0
    assert out.read_text().count('class="node"') == 3  # x, x^2, x^2/2: no 2
    folder = tmp_path / "ex"
    assert cli.main(["explain", "x^2/2", "--at", "x=2", "--compact", "-o", str(folder)]) == 0
    assert (folder / "graph.svg").read_text().count('class="node"') == 3
    assert (folder / "steps" / "frame_000.svg").read_text().count('class="node"') == 3 + 1  # + caption


# --------------------------------------------------------------------------- clean-up


def test_a_derivative_is_drawn_cleaned_up():
    x, = gi.symbols("x,")
    d = gi.grad(gi.maximum(x, 0))[0]  # heaviside(x - 0) as the pass writes it
    assert "v₀ − 0" not in gi.to_dot(d)
    assert "v₀ − 0" in gi.to_dot(d, cleanup=False)
    dd = gi.diff(gi.parse("-(-x)"), "x")  # -(-1)
    assert len(_nodes(gi.to_dot(dd))) == 1
    assert len(_nodes(gi.to_dot(dd, cleanup=False))) == 2  # -1 and −(-1)


def test_cleanup_leaves_the_users_graph_and_expressions_alone():
    x, = gi.symbols("x,")
    d = gi.diff(gi.parse("-(-x)"), "x")
    n = len(d.ir)
    gi.to_dot(d)
    assert len(d.ir) == n
    written = 1 * x + 0
    assert "1 × v₀" in gi.to_dot(written)  # not a derivative: drawn as written
    assert "1 × v₀" not in gi.to_dot(written, cleanup=True)


def test_cleanup_option_is_checked():
    with pytest.raises(gi.ArgumentError, match="cleanup"):
        gi.to_dot(gi.parse("x"), cleanup="yes")


def test_explain_of_a_derivative_explains_its_cleanup():
    x, = gi.symbols("x,")
    d = gi.grad(gi.maximum(x, 0) * x)[0]
    raw = gi.explain(d, {"x": 2}, cleanup=False).markdown
    clean = gi.explain(d, {"x": 2}).markdown
    assert "heaviside(x - 0)" in raw and "heaviside(x - 0)" not in clean and "heaviside(x)" in clean
