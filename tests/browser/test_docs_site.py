"""A docs page built with the graphir directive, in a real headless Chromium (issue 12, item 6).

A throwaway Sphinx + MyST project with two ```` ```{graphir} ```` blocks of one example
(``:show: graph steps``, then ``:show: steps``), in the docs site's theme and style sheet
(``docs/_static``), is built with ``-W``; the page is opened from a ``file://`` URL: it must
show the inline SVG inside the page's text column, with every node (``g.node``) inside the
SVG's box and inside the window, and the steppers (inline, no ``iframe``) must step: Next
moves the counter of its own stepper only and shows the next frame with its own caption; no
id is used twice.  Screenshots go to a temporary folder (``GRAPHIR_SCREENSHOTS=folder`` keeps them).

Skipped, with the reason, when Chromium, Sphinx, MyST or Graphviz is missing
(``make docs`` installs the `docs` extra; ``make browser`` installs Chromium).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import time
from pathlib import Path

import pytest

from tests.browser.chromium import Browser, find_chromium, inside

CHROMIUM = find_chromium()
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (make browser installs it)"),
    pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed"),
]

WIDTH, HEIGHT = 1200, 900

PAGE = """\
# A worked example

```{graphir}
:at: x1=2, x2=5
:show: graph steps
:caption: Reverse mode on the example of Baydin et al.
:name: fig-baydin
ln(x1) + x1*x2 - sin(x2)
```

The same steps again:

```{graphir}
:at: x1=2, x2=5
:show: steps
ln(x1) + x1*x2 - sin(x2)
```
"""

# Boxes as [left, top, right, bottom] in CSS pixels of the window, after the SVG is scrolled
# into view.
_BOXES = """
(function () {
  function box(el) { var r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }
  var svg = document.querySelector("figure svg[role=img]");
  svg.scrollIntoView({block: "start", behavior: "instant"});  // furo scrolls smoothly
  var column = svg.closest("article") || svg.closest(".body") || document.body;
  return JSON.stringify({
    svg: box(svg),
    column: box(column),
    nodes: Array.from(svg.querySelectorAll("g.node")).map(function (g) {
      var t = g.querySelector("title");
      return {name: t ? t.textContent : "?", box: box(g)};
    }),
    window: [0, 0, window.innerWidth, window.innerHeight]
  });
})()
"""

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "docs" / "_static"

STEPPERS = "document.querySelectorAll('.graphir-stepper')"


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built page: a Sphinx project with the directive, built with ``-W``."""
    pytest.importorskip("sphinx", reason="Sphinx is not installed (make docs installs it)")
    pytest.importorskip("myst_parser", reason="myst-parser is not installed (make docs installs it)")
    from sphinx.cmd.build import build_main

    src = tmp_path_factory.mktemp("site")
    conf = [
        'extensions = ["graphir.sphinxext", "myst_parser"]',
        f"html_static_path = [{str(STATIC)!r}]",
        'html_css_files = ["graphir-docs.css"]',
    ]
    if importlib.util.find_spec("furo") is not None:  # the site's theme (the `docs` extra)
        conf.append('html_theme = "furo"')
    (src / "conf.py").write_text("\n".join(conf) + "\n", encoding="utf-8")
    (src / "index.md").write_text(PAGE, encoding="utf-8")
    out = src / "_build"
    assert build_main(["-W", "-q", "-b", "html", str(src), str(out)]) == 0, "the page does not build"
    return out / "index.html"


def wait_for(b: Browser, expression: str, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not b.eval(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.1)


def test_the_page_shows_the_graph_inside_the_window(page: Path, shots: Path) -> None:
    assert CHROMIUM is not None
    with Browser(CHROMIUM, WIDTH, HEIGHT) as b:
        b.load(page.as_uri())
        data = json.loads(b.eval(_BOXES))
        b.screenshot(shots / "docs_page_graph.png")
    # x1, x2 and the five operations ln, ×, sin, +, −; the tooltips carry full-precision numbers
    # (Baydin et al.'s trace: f = 11.652071455223084, df/dx1 = 5.5, df/dx2 = 1.7163378145367738)
    names = " | ".join(n["name"] for n in data["nodes"])
    assert len(data["nodes"]) == 7, names
    for number in ("= 11.652071455223084", "v̄₋₁ = 5.5", "1.7163378145367738"):
        assert number in names, names
    assert inside(data["svg"], data["window"]), f"the SVG {data['svg']} overflows the window"
    assert inside(data["svg"], data["column"]), f"the SVG {data['svg']} overflows the text {data['column']}"
    for n in data["nodes"]:
        assert inside(n["box"], data["svg"]), f"node {n['name']} at {n['box']} is outside {data['svg']}"
        assert inside(n["box"], data["window"]), f"node {n['name']} at {n['box']} is outside the window"


def test_the_steppers_on_the_page_step(page: Path, shots: Path) -> None:
    assert CHROMIUM is not None
    with Browser(CHROMIUM, WIDTH, HEIGHT) as b:
        b.load(page.as_uri())
        assert b.eval("document.querySelectorAll('iframe').length") == 0  # inline, no blank frame
        ids = b.eval("Array.from(document.querySelectorAll('[id]')).map(function (e) { return e.id; })")
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)[:5]
        assert b.eval(f"{STEPPERS}.length") == 2
        b.eval(f"{STEPPERS}[0].scrollIntoView({{block: 'start', behavior: 'instant'}})")
        wait_for(b, f"!!{STEPPERS}[1].querySelector('.gs-counter').textContent")
        n = b.eval(f"{STEPPERS}[0].querySelectorAll('figure.gs-frame').length")
        assert n > 2

        def state(k: int) -> tuple[str, list[str]]:
            stepper = f"{STEPPERS}[{k}]"
            counter = b.eval(f"{stepper}.querySelector('.gs-counter').textContent")
            visible = b.eval(
                f"Array.from({stepper}.querySelectorAll('figure.gs-frame'))"
                ".filter(function (f) { return getComputedStyle(f).display !== 'none'; })"
                ".map(function (f) { return f.querySelector('figcaption').textContent; })")
            return counter, visible

        assert state(0)[0] == state(1)[0] == f"1 / {n}"
        first = state(0)[1]
        assert len(first) == 1 and first[0].startswith("1. ")
        b.screenshot(shots / "docs_page_stepper_first.png")
        b.click(".graphir-stepper [data-go=next]")
        counter, shown = state(0)
        assert counter == f"2 / {n}"
        assert len(shown) == 1 and shown[0].startswith("2. ") and shown != first
        assert state(1) == (f"1 / {n}", first)  # the other stepper stays where it was
        b.press("ArrowRight")  # the focus is in the first stepper: its keys move it alone
        assert state(0)[0] == f"3 / {n}" and state(1)[0] == f"1 / {n}"
        b.screenshot(shots / "docs_page_stepper_second.png")
