"""Worked examples: the Baydin numbers, the chain rule lines, the sum over paths, the saved files.

Oracles: the values of Baydin et al. (2018), Table 3, closed forms with :mod:`math`,
path counts known by construction (``x*x`` has two paths, ``(((x*x)*(x*x)) ...)`` has
``2**k``), and the gradient of :func:`graphir.value_and_grad`.
"""

from __future__ import annotations

import math
import re
import shutil
import unicodedata
from pathlib import Path

import pytest

import graphir as gi
from graphir.text.worked import MAX_PATHS, explain

BAYDIN = "ln(x1) + x1*x2 - sin(x2)"
AT = {"x1": 2.0, "x2": 5.0}

needs_graphviz = pytest.mark.skipif(
    shutil.which("dot") is None or shutil.which("neato") is None, reason="Graphviz is not installed"
)


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def squash(s: str) -> str:
    return re.sub(r"[ ]+", " ", s)


@pytest.fixture(scope="module")
def baydin():
    return explain(gi.parse(BAYDIN), AT)


def test_contains_the_paper_values(baydin):
    md = baydin.markdown
    for value in ["0.693", "10.693", "-0.959", "11.652", "-0.284", "1.716", "5.5"]:
        assert value in md, value


def test_chain_rule_lines(baydin):
    lines = [squash(nfc(ln)) for ln in baydin.chain_lines()]
    assert lines[0] == nfc("v̄_5 = ȳ = 1")
    assert lines[5] == nfc("v̄_0 = v̄_3 · ∂v_3/∂v_0 = v̄_3 · cos(v_0) = (-1)(0.284) = -0.284")
    assert lines[6] == nfc("v̄_-1 = v̄_2 · ∂v_2/∂v_-1 = v̄_2 · v_0 = (1)(5) = 5")
    assert lines[7] == nfc("v̄_0 += v̄_2 · ∂v_2/∂v_0 = v̄_2 · v_-1 = (1)(2) = 2 → v̄_0 = -0.284 + 2 = 1.716")
    assert lines[8] == nfc(
        "v̄_-1 += v̄_1 · ∂v_1/∂v_-1 = v̄_1 · (1/v_-1) = (1)(0.5) = 0.5 → v̄_-1 = 5 + 0.5 = 5.5")
    assert lines[-2:] == [nfc("x̄1 = v̄_-1 = 5.5"), nfc("x̄2 = v̄_0 = 1.716")]
    assert len(lines) == 1 + 8 + 2  # seed, one line per step, results
    # the lines are in the document, in a text block
    md = nfc(baydin.markdown)
    block = md.split("```text\n", 1)[1].split("```", 1)[0]
    assert [squash(ln) for ln in block.splitlines()] == lines


def test_forward_chain_rule_lines():
    ex = explain(gi.parse(BAYDIN), AT, mode="forward")
    lines = [squash(nfc(ln)) for ln in ex.chain_lines()]
    assert lines[:2] == [nfc("v̇_-1 = ẋ1 = 1"), nfc("v̇_0 = ẋ2 = 0")]
    assert nfc("v̇_4 += v̇_2 · ∂v_4/∂v_2 = v̇_2 · 1 = (5)(1) = 5 → v̇_4 = 0.5 + 5 = 5.5") in lines
    assert lines[-1] == nfc("ẏ = v̇_5 = 5.5")
    assert "Forward mode: the tangent trace" in ex.markdown


def test_path_sums(baydin):
    x1, x2 = baydin.path_sums
    assert (x1.variable, x1.count, x2.variable, x2.count) == ("x1", 2, "x2", 2)
    assert [p.product for p in x1.paths] == [0.5, 5.0]
    assert x1.total == 5.5
    assert x2.total == pytest.approx(2 - math.cos(5.0), rel=1e-15)
    assert sorted(p.product for p in x2.paths) == pytest.approx([-math.cos(5.0), 2.0], rel=1e-15)
    md = baydin.markdown
    assert ("| x1 → ln (v_1) → + (v_4) → − (v_5) | ∂v_1/∂v_-1 · ∂v_4/∂v_1 · ∂v_5/∂v_4 = 0.5 · 1 · 1 "
            "| 0.5 |") in md
    assert "| x1 → × (v_2) → + (v_4) → − (v_5) | ∂v_2/∂v_-1 · ∂v_4/∂v_2 · ∂v_5/∂v_4 = 5 · 1 · 1 | 5 |" in md
    assert "Sum over the paths: 0.5 + 5 = 5.5." in md
    assert "| x2 → sin (v_3) → − (v_5) | ∂v_3/∂v_0 · ∂v_5/∂v_3 = 0.284 · (-1) | -0.284 |" in md
    assert "Sum over the paths: 2 + (-0.284) = 1.716." in md


def test_x_times_x_has_two_paths():
    x = gi.symbols("x")
    ex = explain(x * x, {x: 3.0}, steps=False)
    (ps,) = ex.path_sums
    assert ps.count == 2
    assert [e[0][2] for e in (p.edges for p in ps.paths)] == [0, 1]  # one path per operand slot
    assert [p.product for p in ps.paths] == [3.0, 3.0]
    assert ps.total == 6.0 == ex.table.result["x"]


def test_many_paths_are_capped_but_all_summed():
    x = gi.symbols("x")
    e = x
    for _ in range(12):
        e = e * e  # x**(2**12): 2**12 paths from x
    ex = explain(e, {x: 1.0}, steps=False)
    (ps,) = ex.path_sums
    assert ps.count == 2 ** 12
    assert len(ps.paths) == MAX_PATHS
    assert ps.total == 2.0 ** 12 == ex.table.result["x"]
    assert f"Only the first {MAX_PATHS} of the 4096 paths are listed" in ex.markdown


@pytest.mark.parametrize(
    "text, point",
    [
        ("(a + b)*(b + 1)", {"a": 2, "b": 1}),
        ("sin(x*y) + x*exp(y) - x/y", {"x": 0.3, "y": 1.7}),
        ("sqrt(x*x + y*y)*(x - y)", {"x": 1.2, "y": -0.4}),
    ],
)
def test_path_sums_equal_the_gradient(text, point):
    f = gi.parse(text)
    ex = explain(f, point, steps=False)
    _, g = gi.value_and_grad(f, point)
    assert [ps.total for ps in ex.path_sums] == pytest.approx(list(g), rel=1e-13)
    for ps in ex.path_sums:
        if ps.count <= MAX_PATHS:
            assert math.fsum(p.product for p in ps.paths) == pytest.approx(ps.total, rel=1e-13)


def test_wrt_subset_and_name():
    x, y, w, b = gi.symbols("x y w b")
    ex = explain(0.5 * (y - w * x - b) ** 2, {x: 2, y: 7, w: 1.5, b: 0.5}, wrt=[w, b], name="L", steps=False)
    assert [ps.variable for ps in ex.path_sums] == ["w", "b"]
    assert ex.table.result == {"w": -7.0, "b": -3.5}
    assert "\\frac{\\partial L}{\\partial w} = -7" in ex.markdown
    assert squash(nfc(ex.chain_lines()[0])) == nfc("v̄_5 = L̄ = 1")


def test_comparison_section(baydin):
    md = baydin.markdown
    assert "## Checked against SymPy and finite differences" in md
    if baydin.comparison is None:
        pytest.skip(f"no comparison: {baydin.comparison_note}")
    # every digit: the point of a comparison; 7.4e-17 is how far the float 1.7163378145367738
    # is from 2 - cos(5), measured against SymPy's derivative at 40 digits
    assert "| reverse AD | 5.5 | 1.7163378145367738 | 7.4e-17 |" in md
    assert "- ∂y/∂x1 = `x2 + 1/x1`" in md
    assert "SymPy reads it as `x1*x2 + log(x1) - sin(x2)`" in md
    assert "time" not in md.lower().split("## checked", 1)[1].split("##", 1)[0]  # no times: deterministic


def test_markdown_is_deterministic_and_repr(baydin):
    again = explain(gi.parse(BAYDIN), AT)
    assert again.markdown == baydin.markdown
    assert str(baydin) == baydin.markdown
    assert "Explanation reverse mode" in repr(baydin)


def test_bad_arguments():
    x, y = gi.symbols("x y")
    with pytest.raises(gi.ArgumentError):
        explain([x, y], {"x": 1, "y": 2})
    with pytest.raises(gi.ArgumentError, match="mode"):
        explain(x * y, {"x": 1, "y": 2}, mode="both")
    with pytest.raises(gi.EvalError):
        explain(x * y, {"x": 1})


# ------------------------------------------------------------------ files


def links(markdown: str) -> list[str]:
    """Targets of the Markdown links and images that are not web addresses."""
    found = re.findall(r"\]\(([^)\s]+)\)", markdown)
    return [t for t in found if not re.match(r"[a-z]+://", t)]


@needs_graphviz
def test_save_writes_every_linked_file(tmp_path):
    pytest.importorskip("PIL", reason="the linked steps.gif needs Pillow")
    ex = explain(gi.parse(BAYDIN), AT)
    written = ex.save(tmp_path / "baydin")
    readme = tmp_path / "baydin" / "README.md"
    assert readme in written and readme.read_text(encoding="utf-8") == ex.markdown
    targets = links(ex.markdown)
    assert {"graph.svg", "graph_reverse.svg", "steps/steps.gif", "steps/stepper.html",
            "steps/frame_000.svg"} <= set(targets)
    for t in targets:
        assert not Path(t).is_absolute()
        assert (readme.parent / t).exists(), t
    for p in written:
        assert p.exists() and p.stat().st_size > 0
    assert (tmp_path / "baydin" / "graph.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "baydin" / "steps" / "steps.gif").read_bytes()[:6] in (b"GIF89a", b"GIF87a")


@needs_graphviz
def test_save_is_deterministic(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    explain(gi.parse(BAYDIN), AT, mode="forward").save(a)
    explain(gi.parse(BAYDIN), AT, mode="forward").save(b)
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert files_a == files_b
    for rel in files_a:
        if rel.suffix in (".md", ".svg", ".html"):
            assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


@needs_graphviz
def test_save_without_frames(tmp_path):
    pytest.importorskip("PIL", reason="the linked steps.gif needs Pillow")
    ex = explain(gi.parse("(a + b)*(b + 1)"), {"a": 2, "b": 1}, frames=False)
    written = ex.save(tmp_path)
    assert not list((tmp_path / "steps").glob("frame_*"))
    assert {p.name for p in written if p.parent.name == "steps"} == {"steps.gif", "stepper.html"}
    for t in links(ex.markdown):
        assert (tmp_path / t).exists(), t
    ex = explain(gi.parse("(a + b)*(b + 1)"), {"a": 2, "b": 1}, steps=False)
    assert "steps/" not in ex.markdown


@needs_graphviz
def test_repr_markdown_embeds_the_pictures(baydin):
    md = baydin._repr_markdown_()
    assert md.count("](data:image/svg+xml;base64,") == 2
    assert "steps.gif" not in md


def test_explanation_is_a_dataclass_built_by_explain(baydin):
    import dataclasses

    from graphir.text.worked import Explanation

    assert dataclasses.is_dataclass(Explanation)
    fields = {f.name for f in dataclasses.fields(Explanation)}
    assert {"expr", "point", "mode", "wrt", "table", "title", "path_sums", "comparison", "markdown"} <= fields
    assert baydin.title == "Worked example: y = log(x1) + x1*x2 - sin(x2)"
    assert baydin.markdown.startswith("# Worked example")
