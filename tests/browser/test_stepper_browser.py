"""The step frames and the HTML stepper in a real headless Chromium.

For ``(x+y)^2`` and the Baydin example (both modes) the steps are rendered, then
``stepper.html`` is opened from a ``file://`` URL and stepped through frame by
frame with the keys and the buttons: the counter must move, exactly the right
frame must show, every node of the frame (each ``g.node`` of the SVG) must
lie inside the SVG's visible box and inside the window, and every character of
every label must be drawn (no space collapsed away).  Each frame SVG is also
opened alone and checked the same way.  Screenshots go to a temporary folder
(``GRAPHIR_SCREENSHOTS=folder`` keeps them there instead).

Skipped, with the reason, when no Chromium is installed (``make browser``
installs Debian's ``chromium``; ``make test`` does it first) or Graphviz is missing.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import graphir as gi
from tests.browser.chromium import Browser, find_chromium, inside

CHROMIUM = find_chromium()
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (make browser installs it)"),
    pytest.mark.skipif(shutil.which("dot") is None or shutil.which("neato") is None,
                       reason="Graphviz is not installed"),
]

WIDTH, HEIGHT = 1200, 900

CASES = {
    "square_reverse": ("(x+y)^2", {"x": 2, "y": 3}, "reverse"),
    "baydin_reverse": ("ln(x1) + x1*x2 - sin(x2)", {"x1": 2, "x2": 5}, "reverse"),
    "baydin_forward": ("ln(x1) + x1*x2 - sin(x2)", {"x1": 2, "x2": 5}, "forward"),
    "arrays_reverse": ("least squares", {"w": [0.5, -0.25]}, "reverse"),
}


def case_expr(text: str) -> gi.Expr:
    """The expression of a case: parsed, or (arrays, which are not parsed) built: ``sum((X w - y)^2)``,
    matrix rows in a monospace font (their runs of spaces must survive), drawn top to bottom."""
    if text != "least squares":
        return gi.parse(text)
    X = gi.constant(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), name="X")
    y = gi.constant(np.array([1.0, 2.0, 3.0]), name="y")
    w = gi.symbols("w", shape=(2,))
    return gi.sum((X @ w - y) ** 2)

# Boxes as [left, top, right, bottom] in CSS pixels of the window.
_BOXES = """
(function (root) {
  function box(el) { var r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }
  var svg = root.tagName.toLowerCase() === "svg" ? root : root.querySelector("svg");
  return JSON.stringify({
    svg: box(svg),
    nodes: Array.from(svg.querySelectorAll("g.node")).map(function (g) {
      var t = g.querySelector("title");
      return {name: t ? t.textContent : "?", box: box(g)};
    }),
    window: [0, 0, window.innerWidth, window.innerHeight]
  });
})(ROOT)
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM is not None
    with Browser(CHROMIUM, WIDTH, HEIGHT) as b:
        yield b


@pytest.fixture(scope="module", params=sorted(CASES))
def steps(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    text, at, mode = CASES[request.param]
    folder = tmp_path_factory.mktemp(request.param)
    gi.render(case_expr(text), folder, at=at, mode=mode, steps=True, format="svg",
              rankdir="TB" if text == "least squares" else None)
    return request.param, folder


def check_nodes_visible(b: Browser, root: str, where: str) -> int:
    """Every ``g.node`` under ``root`` (a JavaScript expression) inside its SVG and the window."""
    data = json.loads(b.eval(_BOXES.replace("ROOT", root)))
    assert data["nodes"], f"{where}: no node drawn"
    assert inside(data["svg"], data["window"]), f"{where}: the SVG {data['svg']} overflows the window"
    for n in data["nodes"]:
        assert inside(n["box"], data["svg"]), (
            f"{where}: node {n['name']} at {n['box']} is outside the visible SVG box {data['svg']}")
    return len(data["nodes"])


def check_text_kept(b: Browser, root: str, where: str) -> None:
    """Every character of every label is drawn: none of the spaces that separate a bold name
    from the rest of its line (``v₁ = ln v₋₁``, two ``<text>`` elements) collapsed away."""
    lost = b.eval(
        f"Array.from(({root}).querySelectorAll('text'))"
        ".filter(function (t) { return t.getNumberOfChars() !== t.textContent.length; })"
        ".map(function (t) { return t.textContent; })"
    )
    assert lost == [], f"{where}: the browser dropped characters of {lost}"


def counter(b: Browser) -> str:
    return b.eval("document.querySelector('.gs-counter').textContent")


def shown(b: Browser) -> list[int]:
    """Indices of the frames a reader sees (display is not none)."""
    return b.eval("Array.from(document.querySelectorAll('figure.gs-frame'))"
                  ".map(function (f, k) { return getComputedStyle(f).display !== 'none' ? k : -1; })"
                  ".filter(function (k) { return k >= 0; })")


def frame(k: int) -> str:
    return f"document.querySelectorAll('figure.gs-frame')[{k}]"


def check_frame(b: Browser, k: int, n: int, where: str) -> None:
    assert counter(b) == f"{k + 1} / {n}", where
    assert shown(b) == [k], where
    assert b.eval("document.querySelector('.gs-slider').value") == str(k)
    assert b.eval(f"{frame(k)}.querySelector('figcaption').textContent").startswith(f"{k + 1}. "), where
    check_nodes_visible(b, frame(k), f"{where}, frame {k + 1}")
    check_text_kept(b, frame(k), f"{where}, frame {k + 1}")


def test_stepper_keys_buttons_and_every_frame_visible(browser: Browser, steps: tuple[str, Path],
                                                      shots: Path) -> None:
    name, folder = steps
    n = len(sorted(folder.glob("frame_*.svg")))
    browser.load((folder / "stepper.html").as_uri())
    assert browser.eval("document.querySelectorAll('figure.gs-frame').length") == n
    check_frame(browser, 0, n, f"{name} on load")
    browser.screenshot(shots / f"{name}_stepper_first.png")

    for k in range(1, n):  # the right arrow steps through every frame
        browser.press("ArrowRight")
        check_frame(browser, k, n, f"{name} after ArrowRight")
        if k == n // 2:
            browser.screenshot(shots / f"{name}_stepper_middle.png")
    browser.screenshot(shots / f"{name}_stepper_last.png")
    browser.press("ArrowRight")  # stays on the last frame
    check_frame(browser, n - 1, n, f"{name} after ArrowRight on the last frame")

    browser.press("Home")
    check_frame(browser, 0, n, f"{name} after Home")
    browser.press("ArrowLeft")  # stays on the first frame
    check_frame(browser, 0, n, f"{name} after ArrowLeft on the first frame")
    browser.press("End")
    check_frame(browser, n - 1, n, f"{name} after End")
    browser.press("ArrowLeft")
    check_frame(browser, n - 2, n, f"{name} after ArrowLeft")
    browser.press("PageUp")
    check_frame(browser, n - 3, n, f"{name} after PageUp")
    browser.press("PageDown")
    check_frame(browser, n - 2, n, f"{name} after PageDown")

    browser.click("[data-go=first]")
    check_frame(browser, 0, n, f"{name} after |<")
    for k in range(1, n):  # and so does the Next button
        browser.click("[data-go=next]")
        check_frame(browser, k, n, f"{name} after Next")
    browser.click("[data-go=prev]")
    check_frame(browser, n - 2, n, f"{name} after Prev")
    browser.click("[data-go=last]")
    check_frame(browser, n - 1, n, f"{name} after >|")
    browser.click("[data-go=first]")
    check_frame(browser, 0, n, f"{name} after |< again")


def test_play_moves_the_counter(browser: Browser, steps: tuple[str, Path]) -> None:
    name, folder = steps
    n = len(sorted(folder.glob("frame_*.svg")))
    browser.load((folder / "stepper.html").as_uri())
    browser.click("[data-go=play]")
    assert browser.eval("document.querySelector('[data-go=play]').textContent") == "Pause"
    deadline = time.monotonic() + 5.0
    while counter(browser) == f"1 / {n}" and time.monotonic() < deadline:
        time.sleep(0.1)
    browser.press(" ")  # space pauses
    assert browser.eval("document.querySelector('[data-go=play]').textContent") == "Play"
    k = int(counter(browser).split(" / ")[0]) - 1
    assert k >= 1, f"{name}: playing did not move the counter"
    check_frame(browser, k, n, f"{name} after Play")


def test_each_frame_svg_alone(browser: Browser, steps: tuple[str, Path], shots: Path) -> None:
    name, folder = steps
    frames = sorted(folder.glob("frame_*.svg"))
    for k, path in enumerate(frames):
        browser.load(path.as_uri())
        count = check_nodes_visible(browser, "document.documentElement", f"{name} {path.name}")
        assert count >= 3
        check_text_kept(browser, "document.documentElement", f"{name} {path.name}")
        if k in (0, len(frames) - 1):
            browser.screenshot(shots / f"{name}_{path.stem}.png")


def test_single_picture_svg(browser: Browser, tmp_path: Path, shots: Path) -> None:
    f = gi.parse("ln(x1) + x1*x2 - sin(x2)")
    path = tmp_path / "baydin_reverse.svg"
    gi.render(f, path, at={"x1": 2, "x2": 5}, mode="reverse")
    browser.load(path.as_uri())
    assert check_nodes_visible(browser, "document.documentElement", path.name) == 7
    check_text_kept(browser, "document.documentElement", path.name)
    browser.screenshot(shots / "baydin_reverse_picture.png")
