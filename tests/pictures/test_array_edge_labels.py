"""Mermaid and TikZ carry the Graphviz picture's edge labels, also on array ops (issue 12):
the rule that moves the derivative (``v̄₃ · hᵀ``, ``sum_to(v̄₂ · ∂)``, ``X @ v̇₋₁``) and its value."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import graphir as gi
from graphir.pictures.labels import plain
from graphir.pictures.mermaid import mermaid_text
from graphir.pictures.tikz import tex_text

ROOT = Path(__file__).resolve().parents[2]
EDGE = re.compile(r"^  (\d+) -> (\d+) \[[^\n]*?label=<(.*)>\];$", re.M)
DERIV_COLORS = ("#c0392b", "#007a4d")  # adjoint, tangent (graphir.pictures.style.COLORS)


def example(name: str) -> ModuleType:
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        return __import__(name)
    finally:
        sys.path.remove(str(ROOT / "examples"))


def cases() -> Iterator[Any]:
    mazur, lr = example("mazur"), example("linear_regression")
    yield pytest.param(mazur.loss(), mazur.POINT, "reverse", None, id="mazur-reverse")
    yield pytest.param(mazur.loss(), mazur.POINT, "forward", {"b1": 1.0}, id="mazur-forward")
    yield pytest.param(lr.loss(), lr.POINT, "forward", "b", id="linreg-forward")
    yield pytest.param(lr.loss(), None, "reverse", None, id="linreg-reverse-no-point")


def dot_labels(src: str) -> list[tuple[str, str, list[str]]]:
    """(source, target, label lines as HTML-like fragments) of every labelled DOT edge."""
    return [(m.group(1), m.group(2), m.group(3).split("<BR/>")) for m in EDGE.finditer(src)]


@pytest.mark.parametrize(("f", "at", "mode", "wrt"), list(cases()))
def test_mermaid_has_every_edge_label_of_the_dot(f: gi.Expr, at: Any, mode: str, wrt: Any) -> None:
    dot = gi.to_dot(f, at=at, mode=mode, wrt=wrt)
    text = gi.to_mermaid(f, at=at, mode=mode, wrt=wrt)
    labels = dot_labels(dot)
    assert labels
    for src, dst, lines in labels:
        want = "<br/>".join(mermaid_text(plain(line)) for line in lines)
        assert f'    n{src} -->|"{want}"| n{dst}\n' in text


def tikz_labels(code: str) -> list[str]:
    label = re.compile(r"^\\node\[glabel\] at \([-\d.]+,[-\d.]+\) \{(.*)\};$", re.M)
    return [m.group(1) for m in label.finditer(code)]


@pytest.mark.parametrize(("f", "at", "mode", "wrt"), list(cases()))
def test_tikz_has_every_rule_of_the_dot(f: gi.Expr, at: Any, mode: str, wrt: Any) -> None:
    """Edge by edge, the TikZ label has as many lines as the DOT label, and every rule or
    contribution line of the DOT (``v̄₃ · hᵀ = [...]``) is there: its rule as LaTeX (the same
    text, the names in math mode)."""
    dot_edges = dot_labels(gi.to_dot(f, at=at, mode=mode, wrt=wrt))
    tikz = tikz_labels(gi.to_tikz(f, at=at, mode=mode, wrt=wrt))
    assert len(tikz) == len(dot_edges)
    rules = 0
    for (_, _, lines), label in zip(dot_edges, tikz, strict=True):
        assert label.count("\\textcolor{") == len(lines)
        for line in lines:
            if any(c in line for c in DERIV_COLORS):
                text = plain(line)
                rule = text.rsplit(" = ", 1)[0] if at is not None and " = " in text else text
                if any(mark in unicodedata.normalize("NFD", rule) for mark in "\u0304\u0307"):  # names v̄, ḣ
                    rules += 1
                    assert tex_text(rule).replace("$", "") in label.replace("$", ""), (rule, label)
    assert rules >= 3


def test_mazur_rules_and_values_in_latex() -> None:
    """The weights' gradient of Mazur's post (dE/dw5 = 0.082167041, w6 0.08266763,
    w7 -0.02260254, w8 -0.02274024) on the edge from W2, with the rule that makes it."""
    mazur = example("mazur")
    code = gi.to_tikz(mazur.loss(), at=mazur.POINT, mode="reverse")
    assert ("{$\\bar{v}_{3}$ $\\cdot$ $h^{\\top}$ $= \\begin{bmatrix}0.0822 & 0.0827 \\\\ "
            "-0.0226 & -0.0227\\end{bmatrix}$}") in code
    assert ("{$v_{-2}^{\\top}$ $\\cdot$ $\\bar{v}_{3}$ $= \\begin{bmatrix}0.0364 \\\\ "
            "0.0414\\end{bmatrix}$}") in code
    assert "sum\\_to($\\bar{v}_{2}$ $\\cdot$ $\\partial$) $= 0.0187$" in code
    assert "{$\\bar{v}_{1}$ $\\cdot$ $x^{\\top}$ $= \\begin{bmatrix}0.000439" in code  # x: data, in math
    assert "\\to " not in code


def test_tex_text_writes_composed_marks_as_accents() -> None:
    """Display names' tangents and adjoints are NFC (``ḣ``, ``ō``): LaTeX gets ``\\dot{h}``."""
    assert tex_text("ō · ḣ") == "$\\bar{o}$ $\\cdot$ $\\dot{h}$"
    mazur = example("mazur")
    code = gi.to_tikz(mazur.loss(), at=mazur.POINT, mode="forward", wrt={"b1": 1.0})
    assert "$v_{-2}$ @ $\\dot{h}$ $= \\begin{bmatrix}0.205 \\\\ 0.253\\end{bmatrix}$" in code
    assert "ḣ" not in code


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize(("mode", "wrt", "overlay"),
                         [("reverse", None, False), ("forward", {"b1": 1.0}, False), ("reverse", None, True)])
def test_mazur_tikz_compiles(tmp_path: Path, mode: str, wrt: Any, overlay: bool) -> None:
    mazur = example("mazur")
    source = gi.to_tikz(mazur.loss(), at=mazur.POINT, mode=mode, wrt=wrt, standalone=True, overlay=overlay)
    (tmp_path / "doc.tex").write_text(source, encoding="utf-8")
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=240)
    log = (tmp_path / "doc.log").read_text(errors="replace") if (tmp_path / "doc.log").exists() else ""
    assert proc.returncode == 0, "\n".join(line for line in log.splitlines() if line.startswith("!"))
    assert (tmp_path / "doc.pdf").stat().st_size > 1000
