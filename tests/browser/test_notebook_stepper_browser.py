"""Steppers embedded in a page, as a notebook (or its static HTML export) shows ``gi.steps``.

Three steppers share one page: two written into it as a notebook's HTML export
writes outputs, one inserted later the way the classic notebook does (innerHTML,
then each script run by ``eval``, so without ``document.currentScript``).  Each
must start, and its buttons and keys must move it alone.  Screenshots go to a
temporary folder (``GRAPHIR_SCREENSHOTS=folder`` keeps them).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import graphir as gi
from tests.browser.chromium import Browser, find_chromium

CHROMIUM = find_chromium()
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (make browser installs it)"),
    pytest.mark.skipif(shutil.which("dot") is None or shutil.which("neato") is None,
                       reason="Graphviz is not installed"),
]

LATE = """
<script>
var host = document.getElementById("late");
host.innerHTML = FRAGMENT;
Array.prototype.forEach.call(host.querySelectorAll("script"), function (s) { (0, eval)(s.textContent); });
</script>
"""


def counters(b: Browser) -> list[str]:
    return b.eval("Array.from(document.querySelectorAll('.graphir-stepper .gs-counter'))"
                  ".map(function (c) { return c.textContent; })")


def shown(b: Browser) -> list[int]:
    """How many frames of each stepper a reader sees."""
    return b.eval("Array.from(document.querySelectorAll('.graphir-stepper')).map(function (s) {"
                  " return Array.from(s.querySelectorAll('figure.gs-frame')).filter(function (f) {"
                  " return getComputedStyle(f).display !== 'none'; }).length; })")


def test_three_steppers_on_one_page_step_independently(tmp_path: Path) -> None:
    f = gi.parse("ln(x1) + x1*x2 - sin(x2)")
    at = {"x1": 2, "x2": 5}
    first = gi.steps(f, at)
    second = gi.steps(gi.parse("x*x"), {"x": 3}, mode="forward")
    late = gi.steps(f, at)  # the same content as the first: the same key, a stepper of its own all the same
    fragment = json.dumps(late.to_html()).replace("</", "<\\/")  # no "</script>" inside the script
    outputs = "".join(f'<div class="output_html">{s._repr_mimebundle_()["text/html"]}</div>'
                      for s in (first, second))
    page = tmp_path / "notebook.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>notebook</title></head><body>'
        f'{outputs}<div id="late"></div>{LATE.replace("FRAGMENT", fragment)}</body></html>',
        encoding="utf-8")
    shots = Path(os.environ.get("GRAPHIR_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    assert CHROMIUM is not None
    with Browser(CHROMIUM, 1200, 900) as b:
        b.load(page.as_uri())
        assert counters(b) == ["1 / 15", "1 / 5", "1 / 15"]
        assert shown(b) == [1, 1, 1]
        b.click("div.output_html:nth-child(2) [data-go=next]")
        assert counters(b) == ["1 / 15", "2 / 5", "1 / 15"]
        b.press("ArrowRight")  # the focus is in the second stepper (its button): only it moves
        assert counters(b) == ["1 / 15", "3 / 5", "1 / 15"]
        b.click("#late [data-go=last]")
        assert counters(b) == ["1 / 15", "3 / 5", "15 / 15"]
        b.eval("document.querySelector('div.output_html:nth-child(1) .graphir-stepper').focus()")
        b.press("End")
        b.press("ArrowLeft")
        assert counters(b) == ["14 / 15", "3 / 5", "15 / 15"]
        assert shown(b) == [1, 1, 1]
        b.screenshot(shots / "notebook_steppers.png", full_page=True)
