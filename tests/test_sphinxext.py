"""The Sphinx directive (graphir.sphinxext): throwaway projects built with Sphinx's own API."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import graphir as gi

pytest.importorskip("sphinx")

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")

BAYDIN = """\
.. graphir:: ln(x1) + x1*x2 - sin(x2)
   :at: x1=2, x2=5
   :show: graph trace chain paths
   :caption: The example of Baydin et al.
   :name: fig-baydin
"""

MYST = """\
# A MyST page

```{graphir} x*x + sin(x)
:at: x=1
:mode: forward
:caption: A forward-mode example
```
"""


def project(root: Path, index: str, extensions: tuple[str, ...] = ("graphir.sphinxext",),
            pages: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "conf.py").write_text(f"extensions = {list(extensions)!r}\nproject = 'demo'\n"
                                  "numfig = True\n", encoding="utf-8")
    (root / "index.rst").write_text(index, encoding="utf-8")
    for name, text in (pages or {}).items():
        (root / name).write_text(text, encoding="utf-8")
    return root


class BuildFailed(Exception):
    pass


def build(src: Path, builder: str = "html", *, werror: bool = True,
          path: str | None = None) -> tuple[Path, str]:
    """Build ``src`` from scratch (a fresh environment: every page read and written) with
    ``python -m sphinx``, as a writer would; (the output folder, the warnings)."""
    out = src / "_build" / builder
    env = dict(os.environ, PATH=path if path is not None else os.environ.get("PATH", ""))
    cmd = [sys.executable, "-m", "sphinx", "-E", "-q", "-b", builder, *(["-W"] if werror else []),
           str(src), str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=src, check=False)
    if proc.returncode != 0:
        raise BuildFailed(proc.stderr + proc.stdout)
    return out, proc.stderr


@needs_dot
def test_html_page_has_caption_inline_svg_trace_and_adjoints(tmp_path):
    index = "Demo\n====\n\nSee :ref:`fig-baydin`.\n\n" + BAYDIN
    out, warnings = build(project(tmp_path / "p", index))
    assert warnings == ""
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "The example of Baydin et al." in page
    assert re.search(r'<svg[^>]*role="img"', page)
    # the trace table: value 11.652, adjoints 5.5 and 1.716 (Baydin et al. 2018, Table 3)
    assert '<table class="graphir-trace">' in page
    assert "11.652" in page and "5.5" in page and "1.716" in page
    assert "The chain rule, edge by edge" in page and "Sum over paths" in page
    # :name: resolves from :ref: (to the figure, by its caption)
    assert re.search(r'<a class="reference internal" href="#fig-baydin">.*The example of Baydin', page)
    assert 'id="fig-baydin"' in page


@needs_dot
def test_myst_page(tmp_path):
    pytest.importorskip("myst_parser")
    index = "Demo\n====\n\n.. toctree::\n\n   page\n"
    src = project(tmp_path / "p", index, ("graphir.sphinxext", "myst_parser"), {"page.md": MYST})
    out, warnings = build(src)
    assert warnings == ""
    page = (out / "page.html").read_text(encoding="utf-8")
    assert "A forward-mode example" in page and re.search(r'<svg[^>]*role="img"', page)
    assert "Tangent trace" in page


@needs_dot
def test_second_build_reuses_the_pictures_without_graphviz(tmp_path):
    index = "Demo\n====\n\n" + BAYDIN.replace("chain paths", "chain steps")
    src = project(tmp_path / "p", index)
    out, _ = build(src)
    first = (out / "index.html").read_bytes()
    cached = sorted(p.name for p in (out / "_images").glob("graphir-*"))
    assert len(cached) == 2  # the inline SVG and the stepper
    empty = tmp_path / "no-graphviz"
    empty.mkdir()
    assert shutil.which("dot", path=str(empty)) is None
    out, warnings = build(src, path=str(empty))  # a fresh environment: every page read and written again
    assert warnings == ""
    assert (out / "index.html").read_bytes() == first
    # and without the cache Graphviz is needed (so the test above did test the cache)
    shutil.rmtree(out / "_images")
    _, warnings = build(src, werror=False, path=str(empty))
    assert "Graphviz's 'dot' program is not installed" in warnings


@needs_dot
def test_two_steppers_of_one_example_are_inline_and_share_no_id(tmp_path):
    steps = ".. graphir:: ln(x1) + x1*x2 - sin(x2)\n   :at: x1=2, x2=5\n   :show: graph steps\n\n"
    out, warnings = build(project(tmp_path / "p", "Demo\n====\n\n" + steps + "Again.\n\n" + steps))
    assert warnings == ""
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<iframe" not in page and page.count('<div class="graphir-stepper"') == 2
    assert page.count('<figure class="gs-frame">') == 2 * 15 and page.count("The graph in words") == 2
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})[:5]
    # every reference points at an id of its own stepper's
    for ref in re.findall(r'aria-(?:labelledby|describedby)="(gi[^"]+)"', page):
        assert ref in ids


@pytest.mark.parametrize(("body", "message"), [
    ("ln(x1 + ", "graphir: "),
    ("x + y\n   :mode: sideways", "mode: 'sideways' is not one of forward, reverse"),
    ("x + y\n   :show: trace", "trace needs a point"),
    ("x + y\n   :at: x=1", "no value given for variable 'y'"),
])
def test_a_bad_directive_fails_the_build_naming_the_file_and_line(tmp_path, body, message):
    index = "Demo\n====\n\nSome text.\n\n.. graphir:: " + body + "\n"
    src = project(tmp_path / "p", index)
    with pytest.raises(BuildFailed) as info:
        build(src)
    text = str(info.value)
    assert re.search(r"index\.rst:6", text), text
    assert message in text
    assert "Traceback" not in text
    # without -W the build goes on and the page shows the error
    out, warnings = build(src, werror=False)
    assert "index.rst:6" in warnings and message in warnings
    assert "Traceback" not in warnings
    assert (out / "index.html").is_file()


PYTHON_EXAMPLE = '''\
"""A worked example in a module next to conf.py, as graphir's examples/*.py are."""
import numpy as np
import graphir as gi
from graphir.text.worked import Explanation


def build() -> Explanation:
    w = gi.symbols("w", shape=(2,))
    b = gi.symbols("b")
    X = gi.constant(np.array([[1.0, 2.0], [2.0, 0.5]]), name="X")
    point = {"w": np.array([0.5, 1.0]), "b": 0.25}
    return gi.explain(0.5 * gi.sum((X @ w + b) ** 2), point, steps=False)
'''


@needs_dot
def test_python_content_gives_an_expr_or_an_explanation(tmp_path):
    index = """\
Demo
====

.. graphir::
   :python:
   :show: graph trace
   :alt: A least-squares loss of a 2-vector w and a bias b

   import mymodel
   mymodel.build()

.. graphir::
   :python:
   :at: x=3

   import graphir as gi
   x = gi.symbols("x")
   x * x
"""
    src = project(tmp_path / "p", index, pages={"mymodel.py": PYTHON_EXAMPLE})
    out, warnings = build(src)
    assert warnings == ""
    page = (out / "index.html").read_text(encoding="utf-8")
    # the Explanation's point: w = [0.5, 1], b = 0.25: X@w + b = [2.75, 1.75], L = 0.5*(2.75²+1.75²)
    assert "A least-squares loss of a 2-vector w and a bias b</title>" in page
    assert "5.312" in page  # 0.5 * (7.5625 + 3.0625) = 5.3125
    assert page.count('role="img"') == 2
    assert "x = 3" in page or "x=3" in page  # the second one's trace at :at:
    # every id on the page is unique (two SVGs, each prefixed)
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


@needs_dot
def test_python_error_names_the_line_without_a_traceback(tmp_path):
    index = "Demo\n====\n\n.. graphir::\n   :python:\n\n   import no_such_module_here\n   1\n"
    src = project(tmp_path / "p", index)
    with pytest.raises(BuildFailed) as info:
        build(src)
    text = str(info.value)
    assert "index.rst:4" in text and "ModuleNotFoundError: No module named 'no_such_module_here'" in text
    assert "Traceback" not in text


@needs_dot
def test_latex_builder_gets_a_pdf_picture_and_the_trace_as_latex(tmp_path):
    out, warnings = build(project(tmp_path / "p", "Demo\n====\n\n" + BAYDIN), "latex")
    assert warnings == ""
    tex = (out / "demo.tex").read_text(encoding="utf-8")
    names = re.findall(r"\\sphinxincludegraphics\[[^]]*\]\{(graphir-[0-9a-f]{16}\.pdf)\}", tex)
    assert len(names) == 1
    assert (out / names[0]).read_bytes().startswith(b"%PDF")
    assert "\\caption{The example of Baydin et al.}" in tex
    assert "\\label{\\detokenize{index:fig-baydin}}" in tex
    assert "\\begin{array}" in tex and "11.652" in tex


#: what Sphinx's LaTeX (pdflatex, the default) loads that a small TeX installation may lack:
#: Debian's texlive-fonts-recommended (tgtermes) and texlive-latex-extra (the others)
SPHINX_TEX = ("tgtermes.sty", "fncychap.sty", "tabulary.sty", "capt-of.sty", "needspace.sty",
              "titlesec.sty", "upquote.sty", "wrapfig.sty", "framed.sty", "varwidth.sty", "tikz.sty")

TIKZ = """\
.. graphir:: x*x + sin(x)
   :at: x=1
   :mode: forward
   :format: tikz
   :caption: Drawn in TikZ
"""


def missing_tex() -> str | None:
    """What is missing to compile Sphinx's LaTeX output with pdflatex, or None."""
    if shutil.which("pdflatex") is None or shutil.which("kpsewhich") is None:
        return "pdflatex"
    for sty in SPHINX_TEX:
        found = subprocess.run(["kpsewhich", sty], capture_output=True, text=True, check=False)
        if not found.stdout.strip():
            return sty
    return None


@needs_dot
def test_latex_output_is_pdflatex_safe_and_compiles(tmp_path):
    index = "Demo\n====\n\n" + BAYDIN.replace("chain paths", "chain paths compare steps") + "\n" + TIKZ
    out, warnings = build(project(tmp_path / "p", index), "latex")
    assert warnings == ""
    tex = (out / "demo.tex").read_text(encoding="utf-8")
    body = tex[tex.index("\\begin{document}"):]
    # every part of the worked example as LaTeX, names in math: no Unicode pdflatex refuses
    assert not [ch for ch in body if ord(ch) > 127], sorted({ch for ch in body if ord(ch) > 127})
    chain = "$\\bar{v}_{-1}$ & += & $\\bar{v}_{1}$ $\\cdot$ $\\partial v_{1}$/$\\partial v_{-1}$"
    assert chain in body
    assert "\\multicolumn{4}{l}{\\text{Adjoint trace (reverse mode)}}" in body  # the trace table
    assert "Reverse mode gave $\\partial$y/$\\partial$x1 = $\\bar{x}_{1}$ = 5.5." in body  # paths
    assert "1.7163378145367738" in body and "\\texttt{x2 + 1/x1}" in body  # the comparison
    # the PDF picture by default, the TikZ one with :format: tikz, and its package in the preamble
    assert len(re.findall(r"\\sphinxincludegraphics\[[^]]*\]\{graphir-[0-9a-f]{16}\.pdf\}", body)) == 1
    assert body.count("\\begin{tikzpicture}") == 1 and "\\caption{Drawn in TikZ}" in body
    assert tex.count("\\usepackage{tikz}") == 1
    assert not list(out.glob("graphir-*.tex"))  # the cached TikZ is not a document the Makefile builds
    missing = missing_tex()
    if missing:
        pytest.skip(f"{missing} is not installed (make tex)")
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "demo.tex"],
                          capture_output=True, text=True, cwd=out, check=False, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert (out / "demo.pdf").read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "demo.pdf", "-"], capture_output=True, text=True, cwd=out,
                              check=True).stdout
        assert "Sum over paths" in text and "11.652" in text and "Drawn in TikZ" in text


@needs_dot
def test_tikz_format_gives_svg_in_html(tmp_path):
    out, warnings = build(project(tmp_path / "p", "Demo\n====\n\n" + TIKZ))
    assert warnings == ""
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<svg" in page and "tikzpicture" not in page


@needs_dot
def test_the_output_is_deterministic(tmp_path):
    index = "Demo\n====\n\n" + BAYDIN.replace("chain paths", "chain paths steps")
    a, _ = build(project(tmp_path / "a", index))
    b, _ = build(project(tmp_path / "b", index))
    assert (a / "index.html").read_bytes() == (b / "index.html").read_bytes()
    names = [sorted(p.name for p in (out / "_images").iterdir()) for out in (a, b)]
    assert names[0] == names[1]


LOOK_EXAMPLE = '''\
import graphir as gi


def build():
    x, y = gi.symbols("x y")
    return gi.explain(gi.sin(x * y) + x, {"x": 1.0, "y": 2.0}, name="loss", rankdir="TB", steps=False)
'''


@needs_dot
def test_an_explanations_look_and_name_are_kept_and_the_style_sheet_is_served(tmp_path):
    index = "Demo\n====\n\n.. graphir::\n   :python:\n\n   import look\n   look.build()\n"
    out, warnings = build(project(tmp_path / "p", index, pages={"look.py": LOOK_EXAMPLE}))
    assert warnings == ""
    page = (out / "index.html").read_text(encoding="utf-8")
    size = re.search(r'<svg[^>]*(width="[\d.]+pt" height="[\d.]+pt")', page).group(1)
    x, y = gi.symbols("x y")
    f, at = gi.sin(x * y) + x, {"x": 1.0, "y": 2.0}
    tb, lr = (re.search(r'(width="[\d.]+pt" height="[\d.]+pt")', gi.to_svg(f, at, "reverse", name="loss",
                                                                           rankdir=d)).group(1)
              for d in ("TB", "LR"))
    assert size == tb != lr  # rankdir="TB", as the Explanation asked
    assert "loss = " in page  # the output's name
    assert 'href="_static/graphir.css' in page and (out / "_static" / "graphir.css").is_file()
