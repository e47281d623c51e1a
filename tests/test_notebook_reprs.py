"""Objects display themselves in Jupyter: each repr hook returns the right kind of text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

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


def test_expression_mimebundle_honours_include_and_exclude() -> None:
    import shutil

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
