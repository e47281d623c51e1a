"""Objects display themselves in Jupyter: each repr hook returns the right kind of text."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import graphir as gi

AT = {"x1": 2.0, "x2": 5.0}


def baydin() -> gi.Expr:
    return gi.parse("ln(x1) + x1*x2 - sin(x2)")


def test_expression_shows_its_graph_and_latex() -> None:
    f = baydin()
    svg = f._repr_svg_()
    assert svg is not None
    ET.fromstring(svg)
    expected = "\\ln{\\left(x_{1} \\right)} + x_{1} \\cdot x_{2} - \\sin{\\left(x_{2} \\right)}"
    assert f._repr_latex_() == f"${expected}$"


def test_tables_and_reports_show_markdown() -> None:
    f = baydin()
    assert "| method |" in gi.compare(f, AT)._repr_markdown_()
    table = gi.trace_table(f, AT)
    assert "-0.284" in table._repr_markdown_() and "1.716" in table._repr_markdown_()
    assert "\\begin{array}" in table._repr_latex_() or "tabular" in table._repr_latex_()
    assert "<table" in table._repr_html_()
    assert "5.5" in gi.explain(f, AT)._repr_markdown_()


def test_reports_pretty_print_as_their_text() -> None:
    lines: list[str] = []

    class Printer:
        def text(self, t: str) -> None:
            lines.append(t)

    report = gi.check_claims("x*y", {"x": "y"})
    report._repr_pretty_(Printer(), False)
    assert lines == [str(report)] and "holds" in lines[0]


# --------------------------------------------------------------------------- the display protocol

needs_graphviz = pytest.mark.skipif(shutil.which("dot") is None or shutil.which("neato") is None,
                                    reason="Graphviz is not installed")
ALL = {"text/plain", "text/html", "text/markdown", "text/latex"}


def ids(markup: str) -> list[str]:
    return re.findall(r'\bid="([^"]*)"', markup)


def test_trace_table_bundle_has_every_form_and_honours_include_and_exclude() -> None:
    table = gi.trace_table(baydin(), AT)
    bundle = table._repr_mimebundle_()
    assert set(bundle) == ALL
    assert bundle["text/plain"] == str(table)
    assert bundle["text/html"] == table._repr_html_() and "1.716" in bundle["text/html"]
    assert bundle["text/latex"] == table._repr_latex_()
    assert bundle["text/markdown"] == table._repr_markdown_()
    assert set(table._repr_mimebundle_(include={"text/latex", "image/png"})) == {"text/latex"}
    shown = table._repr_mimebundle_(exclude={"text/html", "text/latex"})
    assert set(shown) == {"text/plain", "text/markdown"}
    assert table._repr_mimebundle_(include=set()) == {}


def test_comparison_bundle_is_text_html_and_markdown() -> None:
    c = gi.compare(baydin(), AT)
    bundle = c._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html", "text/markdown"}
    page = ET.fromstring(bundle["text/html"])  # well-formed: one table
    cells = [td.text for td in page.iter("td")]
    assert "reverse AD" in cells and "1.7163378145367738" in cells and "5.5" in cells
    assert page.find("caption").text == c.title()
    assert set(c._repr_mimebundle_(exclude={"text/plain"})) == {"text/html", "text/markdown"}


@needs_graphviz
def test_explanation_html_has_its_pictures_inline_as_svg() -> None:
    ex = gi.explain(baydin(), AT)
    bundle = ex._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html", "text/markdown"}
    page = bundle["text/html"]
    assert page.count("<svg") == 2 and "data:image" not in page and "<img" not in page
    assert page.count('role="img"') == 2 and "<title" in page and "<desc" in page  # gi.to_svg's
    assert "<h2>The chain rule, edge by edge</h2>" in page and "→ v̄_0 = -0.284 + 2 = 1.716" in page
    assert "<td style=\"text-align:right\">1.7163378145367738</td>" in page  # the comparison, as a table
    assert len(ids(page)) == len(set(ids(page))) and all(i.startswith("gi-") for i in ids(page))
    assert page == ex.to_html()  # deterministic
    assert bundle["text/markdown"].count("data:image/svg+xml;base64,") == 2


def test_displays_never_raise_without_graphviz(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot, no neato
    f = baydin()
    ex = gi.explain(f, AT)
    bundle = ex._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html", "text/markdown"}
    assert "<svg" not in bundle["text/html"] and bundle["text/html"].count(": not drawn)") == 2
    assert "5.5" in bundle["text/markdown"]
    assert set(gi.trace_table(f, AT)._repr_mimebundle_()) == ALL
    with pytest.raises(gi.RenderError, match="Graphviz"):
        gi.steps(f, AT)


@needs_graphviz
def test_steps_holds_the_frames_of_render_and_saves_the_same_files(tmp_path: Path) -> None:
    f = baydin()
    s = gi.steps(f, AT)
    assert isinstance(s, gi.Steps) and len(s) == 15 == len(s.captions) == len(s.kinds)
    assert s.captions[10] == "v̄₀ = v̄₃ · ∂v₃/∂v₀ = -1 · 0.284 = -0.284"
    assert s.kinds[0] == "primal" and s.kinds[5] == "seed" and s.kinds[-1] == "result"
    written = s.save(tmp_path / "mine")
    gi.render(f, tmp_path / "theirs", at=AT, steps=True, format="svg")
    mine = sorted(p.name for p in (tmp_path / "mine").iterdir())
    assert mine == sorted(p.name for p in (tmp_path / "theirs").iterdir())
    assert sorted(p.name for p in written) == [n for n in mine if not n.startswith(".")]
    assert all((tmp_path / "mine" / n).read_bytes() == (tmp_path / "theirs" / n).read_bytes() for n in mine)
    assert s.html == (tmp_path / "theirs" / "stepper.html").read_text(encoding="utf-8")
    user = tmp_path / "notes"
    user.mkdir()
    (user / "README.md").write_text("mine")
    with pytest.raises(gi.OutputError):
        s.save(user)
    assert [p.name for p in user.iterdir()] == ["README.md"]


@needs_graphviz
def test_steps_display_is_an_embeddable_stepper_that_clashes_with_no_other() -> None:
    a = gi.steps(baydin(), AT)
    b = gi.steps(gi.parse("x*x"), {"x": 3}, mode="forward")
    bundle = a._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"} and bundle["text/plain"] == repr(a)
    assert "15 frames" in repr(a)
    page = bundle["text/html"]
    assert page.startswith('<div class="graphir-stepper"') and page.count("<figure") == 15
    assert "<script>" in page and "getElementById" not in page and "document.addEventListener" not in page
    both = ids(page) + ids(b.to_html())
    assert len(both) == len(set(both)), "two steppers on one page share an id"
    assert page == gi.steps(baydin(), AT).to_html()  # deterministic
    assert "The graph in words" in page and a.description in page  # the graph in words, as on the page
    assert a.html.count("<script>") == page.count("<script>") == 1
    assert set(a._repr_mimebundle_(include={"text/plain"})) == {"text/plain"}


def test_expression_mimebundle_honours_include_and_exclude() -> None:
    f = baydin()
    bundle = f._repr_mimebundle_()
    assert bundle["text/plain"] == repr(f) and bundle["text/latex"] == f._repr_latex_()
    if shutil.which("dot"):
        root = ET.fromstring(bundle["image/svg+xml"])
        assert root.get("role") == "img" and "Computation graph of" in bundle["image/svg+xml"]
    assert set(f._repr_mimebundle_(include=["text/latex"])) == {"text/latex"}
    assert "image/svg+xml" not in f._repr_mimebundle_(exclude=["image/svg+xml"])


def test_expression_mimebundle_without_graphviz(monkeypatch: pytest.MonkeyPatch) -> None:
    from graphir.pictures import graphviz

    monkeypatch.setattr(graphviz.shutil, "which", lambda name: None)
    assert set(baydin()._repr_mimebundle_()) == {"text/plain", "text/latex"}
