"""gi.to_tikz: TikZ with the Graphviz layout and LaTeX labels; compiled with pdflatex (issue 12)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import graphir as gi

BAYDIN = "ln(x1) + x1*x2 - sin(x2)"
AT = {"x1": 2, "x2": 5}
needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")


def compile_tex(tmp_path: Path, source: str, name: str = "doc") -> Path:
    (tmp_path / f"{name}.tex").write_text(source, encoding="utf-8")
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=240)
    log_file = tmp_path / f"{name}.log"
    log = log_file.read_text(errors="replace") if log_file.exists() else ""
    assert proc.returncode == 0, "\n".join(line for line in log.splitlines() if line.startswith("!"))
    return tmp_path / f"{name}.pdf"


def positions(code: str) -> dict[str, tuple[float, float]]:
    return {m.group(1): (float(m.group(2)), float(m.group(3)))
            for m in re.finditer(r"\\node\[\w+[^\]]*\] \((n\d+)\) at \(([-\d.]+),([-\d.]+)\)", code)}


def test_labels_are_latex_with_values_and_adjoints() -> None:
    code = gi.to_tikz(gi.parse(BAYDIN), at=AT, mode="reverse")
    assert code.startswith("\\begin{tikzpicture}") and code.rstrip().endswith("\\end{tikzpicture}")
    assert "$v_{1} = \\ln{\\left(v_{-1} \\right)}$" in code
    assert "$\\bar{v}_{-1} = 5.5$" in code and "$\\bar{v}_{0} = 1.716$" in code
    assert "$= 11.652$" in code
    assert "$\\partial v_{3}/\\partial v_{0} = \\cos{\\left(v_{0} \\right)} = 0.284$" in code
    assert code.count("\\draw[gedge") == 8  # one edge per operand slot


def test_positions_follow_the_layout() -> None:
    f = gi.parse(BAYDIN)
    lr = positions(gi.to_tikz(f))
    tb = positions(gi.to_tikz(f, rankdir="TB"))
    assert len(lr) == len(tb) == 7
    assert all(lr["n6"][0] > lr[n][0] for n in ("n0", "n1"))  # output right of the inputs
    assert all(tb["n6"][1] < tb[n][1] for n in ("n0", "n1"))  # output below the inputs


def test_deterministic() -> None:
    f = gi.parse(BAYDIN)
    first = gi.to_tikz(f, at=AT, mode="reverse", overlay=True)
    assert first == gi.to_tikz(f, at=AT, mode="reverse", overlay=True)


def test_names_are_escaped() -> None:
    x, = gi.symbols("x,")
    code = gi.to_tikz((gi.sin(x) * x).named("a_b & 100% #1 {x} ~ ^ \\ <q>") + 2, at={"x": 1}, mode="reverse")
    escaped = r"\text{a\_b \& 100\% \#1 \{x\} \~{} \^{} \textbackslash{} \textless{}q\textgreater{}}"
    assert escaped in code


@needs_pdflatex
def test_standalone_compiles(tmp_path: Path) -> None:
    x, = gi.symbols("x,")
    odd = (gi.sin(x) * x).named("a_b & 100% #1 {x} ~ ^ \\ <q>") + 2
    compile_tex(tmp_path, gi.to_tikz(odd, at={"x": 1}, mode="forward", standalone=True, rankdir="TB"), "odd")
    pdf = compile_tex(tmp_path, gi.to_tikz(gi.parse(BAYDIN), at=AT, mode="reverse", standalone=True))
    assert pdf.read_bytes().startswith(b"%PDF")


@needs_pdflatex
def test_overlay_beamer_compiles_one_slide_per_frame(tmp_path: Path) -> None:
    code = gi.to_tikz(gi.parse(BAYDIN), at=AT, mode="reverse", overlay=True, standalone=True)
    assert code.startswith("\\documentclass[aspectratio=169]{beamer}")
    assert "\\only<15>{Result:" in code  # 5 primal + seed + 8 steps + result
    pdf = compile_tex(tmp_path, code)
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert re.search(r"^Pages:\s+15$", info, re.M), info


def test_captions_write_each_name_as_one_math_group() -> None:
    code = gi.to_tikz(gi.parse(BAYDIN), at=AT, mode="reverse", overlay=True)
    captions = code[code.index("\\only<1>{"):]
    step = "\\only<14>{$\\bar{v}_{-1}$ += $\\bar{v}_{1}$ $\\cdot$ $\\partial v_{1}$/$\\partial v_{-1}$"
    assert step in captions
    assert "($-$1) = $-$1" in captions  # minus signs, not hyphens
    assert "$$" not in captions and "$_{" not in captions


def test_tex_text_of_empty_text_and_arrows() -> None:
    from graphir.pictures.tikz import tex_text

    assert tex_text("") == ""
    assert tex_text("a → b, ∞") == "a $\\to$ b, $\\infty$"
