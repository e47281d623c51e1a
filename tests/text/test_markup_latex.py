"""Markdown as LaTeX (graphir.text.markup.markdown_latex), for the Sphinx directive's LaTeX."""

from __future__ import annotations

from graphir.embed import latex_text
from graphir.text.markup import markdown_latex


def test_table_list_and_inline_markup() -> None:
    md = ("**x1**: 2 paths.\n\n| path | product |\n|:--|--:|\n| x1 → v_1 | 0.5 |\n\n"
          "- ∂y/∂x1 = `x2 + 1/x1`\n- one more")
    tex = markdown_latex(md, latex_text)
    assert tex.startswith("\\textbf{x1}: 2 paths.\n\n\\begin{center}\\small\n")
    assert "\\begin{tabular}{lr}\\hline\n\\textbf{path} & \\textbf{product} \\\\ \\hline\n" in tex
    assert "x1 $\\to$ $v_{1}$ & 0.5 \\\\\n\\hline\\end{tabular}" in tex
    assert ("\\begin{itemize}\n\\item $\\partial$y/$\\partial$x1 = \\texttt{x2 + 1/x1}\n\\item one more\n"
            "\\end{itemize}\n") in tex
    assert all(ord(ch) < 128 for ch in tex)
