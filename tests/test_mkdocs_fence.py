"""The MkDocs fence (graphir.mkdocs): Markdown rendered through pymdownx.superfences, and the example site."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

markdown = pytest.importorskip("markdown")
pytest.importorskip("pymdownx.superfences")
from pymdownx.superfences import SuperFencesException  # noqa: E402

from graphir.mkdocs import fence_graphir, validate  # noqa: E402

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "mkdocs-example"
CONFIG = {"pymdownx.superfences": {"custom_fences": [
    {"name": "graphir", "class": "graphir", "format": fence_graphir, "validator": validate}]}}


def render(text: str) -> str:
    return markdown.markdown(text, extensions=["pymdownx.superfences"], extension_configs=CONFIG)


@needs_dot
def test_fence_gives_inline_accessible_svg_and_the_trace_table():
    page = render('# T\n\n```graphir at="x1=2, x2=5" caption="Baydin"\nln(x1) + x1*x2 - sin(x2)\n```\n')
    assert re.search(r'<svg[^>]*role="img"', page) and "<desc" in page
    assert "<figcaption>Baydin</figcaption>" in page
    assert '<table class="graphir-trace">' in page
    assert "11.652" in page and "5.5" in page and "1.716" in page  # y, and the adjoints of x1 and x2


@needs_dot
def test_two_fences_share_no_id():
    page = render("```graphir\nx*y\n```\n\n```graphir\nx + y\n```\n")
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert ids and len(ids) == len(set(ids))


@needs_dot
def test_two_fences_with_steppers_are_inline_and_share_no_id():
    fence = '```graphir at="x1=2, x2=5" show="graph steps"\nln(x1) + x1*x2 - sin(x2)\n```\n'
    page = render(fence + "\nAgain, forward:\n\n" + fence.replace('show=', 'mode="forward" show='))
    assert "<iframe" not in page and page.count('<div class="graphir-stepper"') == 2
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert ids and len(ids) == len(set(ids))


@pytest.mark.parametrize(("fence", "message"), [
    ('```graphir mode="sideways"\nx\n```', "mode: 'sideways' is not one of forward, reverse"),
    ('```graphir colour="red"\nx\n```', "unknown option 'colour'"),
    ('```graphir\nln(x +\n```', "expected an expression at column 7"),
    ('```graphir at="x=1"\nx + y\n```', "no value given for variable 'y'"),
])
def test_a_bad_fence_stops_the_build_with_graphirs_message(fence, message):
    with pytest.raises(SuperFencesException, match=re.escape(message)):
        render(fence)


@needs_dot
def test_the_example_site_builds(tmp_path):
    pytest.importorskip("mkdocs")
    out = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f",
                           str(EXAMPLE / "mkdocs.yml"), "-d", str(out)], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    page = (out / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<svg[^>]*role="img"', page) and "5.5" in page
