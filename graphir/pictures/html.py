"""One self-contained HTML page that steps through the frames of a chain-rule animation.

The page inlines every frame's SVG markup (no external file, script, font or
link: it works offline and can be mailed as one file), with Prev / Next / Play
buttons, a slider, and the keyboard (left/right arrows, Home/End, space to
play).  Without JavaScript all frames show one after another with their captions.

>>> page = stepper_html(['<svg width="10pt" height="10pt"><g id="graph0"/></svg>'], ["v₁ = 2"], "demo")
>>> page.startswith("<!DOCTYPE html>") and "v₁ = 2" in page and "http" not in page
True
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence

__all__ = ["stepper_html", "stepper_fragment", "inline_svg"]

_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.S)
_XMLNS = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')
_ID = re.compile(r'\bid="([^"]*)"')
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def inline_svg(svg: str, prefix: str) -> str:
    """SVG markup ready to sit inside an HTML page: no XML prolog, doctype, comments
    or namespace declarations (HTML5 knows ``<svg>``), ids made unique with ``prefix``."""
    s = _PROLOG.sub("", svg, count=1)
    s = _COMMENT.sub("", s)
    s = _XMLNS.sub("", s)
    s = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', s)
    s = s.replace('href="#', f'href="#{prefix}').replace("url(#", f"url(#{prefix}")
    return s.strip()


_CSS = """
body { font-family: "DejaVu Sans", Verdana, sans-serif; margin: 1.2em; color: #222; background: #fff; }
h1 { font-size: 1.25em; margin: 0 0 .6em 0; }
.controls { display: flex; gap: .4em; align-items: center; flex-wrap: wrap; margin-bottom: .6em; }
.controls button { font-size: 1em; padding: .3em .8em; cursor: pointer; }
.controls input[type=range] { flex: 1 1 12em; }
#counter { font-variant-numeric: tabular-nums; min-width: 5em; text-align: right; }
figure { margin: 0 0 1.5em 0; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 1.1em; margin-top: .4em; padding: .4em .6em; background: #f6f6f6;
             border-left: 4px solid #e69f00; }
.js figure { display: none; }
.js figure.on { display: block; }
.controls { display: none; }
.js .controls { display: flex; }
.hint { color: #777; font-size: .85em; }
"""

_JS = """
(function () {
  document.body.classList.add("js");
  var frames = document.querySelectorAll("figure.frame");
  var slider = document.getElementById("slider");
  var counter = document.getElementById("counter");
  var play = document.getElementById("play");
  var i = 0, timer = null;
  slider.max = frames.length - 1;
  function show(k) {
    i = Math.max(0, Math.min(frames.length - 1, k));
    for (var j = 0; j < frames.length; j++) frames[j].classList.toggle("on", j === i);
    slider.value = i;
    counter.textContent = (i + 1) + " / " + frames.length;
  }
  function stop() { if (timer) { clearInterval(timer); timer = null; play.textContent = "Play"; } }
  function start() {
    if (i === frames.length - 1) show(0);
    play.textContent = "Pause";
    timer = setInterval(function () { if (i >= frames.length - 1) stop(); else show(i + 1); }, DELAY);
  }
  document.getElementById("first").onclick = function () { stop(); show(0); };
  document.getElementById("prev").onclick = function () { stop(); show(i - 1); };
  document.getElementById("next").onclick = function () { stop(); show(i + 1); };
  document.getElementById("last").onclick = function () { stop(); show(frames.length - 1); };
  play.onclick = function () { if (timer) stop(); else start(); };
  slider.oninput = function () { stop(); show(parseInt(slider.value, 10)); };
  document.addEventListener("keydown", function (e) {
    if (e.key === "ArrowRight" || e.key === "PageDown") { stop(); show(i + 1); e.preventDefault(); }
    else if (e.key === "ArrowLeft" || e.key === "PageUp") { stop(); show(i - 1); e.preventDefault(); }
    else if (e.key === "Home") { stop(); show(0); e.preventDefault(); }
    else if (e.key === "End") { stop(); show(frames.length - 1); e.preventDefault(); }
    else if (e.key === " ") { if (timer) stop(); else start(); e.preventDefault(); }
  });
  show(0);
})();
"""


def stepper_html(
    svgs: Sequence[str], captions: Sequence[str], title: str, subtitle: str = "", delay_ms: int = 1500,
    description: str = "",
) -> str:
    """The stepper page for frames given as SVG texts, one caption each.

    Parameters
    ----------
    svgs : SVG documents (as Graphviz writes them), one per frame.
    captions : plain-text captions, one per frame.
    title : the page's heading.
    subtitle : shown after the title (e.g. the mode).
    delay_ms : time per frame when playing.
    description : the graph in words (:func:`graphir.describe`): shown under a "The graph in
        words" disclosure, and what every frame's picture is described by (``aria-describedby``).

    Every frame's picture is an image (``role="img"``) labelled by its caption
    (``aria-labelledby``), so a screen reader reads the step each frame shows.
    """
    if len(svgs) != len(captions):
        raise ValueError("one caption per frame")
    head = html.escape(title) + (f" ({html.escape(subtitle)} mode)" if subtitle else "")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{head}</h1>",
        '<div class="controls">',
        '<button id="first" title="first frame (Home)">|&lt;</button>',
        '<button id="prev" title="previous frame (left arrow)">Prev</button>',
        '<button id="play" title="play / pause (space)">Play</button>',
        '<button id="next" title="next frame (right arrow)">Next</button>',
        '<button id="last" title="last frame (End)">&gt;|</button>',
        '<input id="slider" type="range" min="0" max="0" value="0" aria-label="frame">',
        '<span id="counter" aria-live="polite"></span>',
        "</div>",
    ]
    described = ""
    if description:
        parts.append(f'<details><summary>The graph in words</summary><p id="graph-words">'
                     f"{html.escape(description)}</p></details>")
        described = ' aria-describedby="graph-words"'
    for k, (svg, cap) in enumerate(zip(svgs, captions, strict=True)):
        parts.append(f'<figure class="frame" id="frame{k}">')
        parts.append(inline_svg(svg, f"f{k}_").replace(
            "<svg", f'<svg role="img" aria-labelledby="caption{k}"{described}', 1))
        parts.append(f'<figcaption id="caption{k}">{k + 1}. {html.escape(cap)}</figcaption>')
        parts.append("</figure>")
    parts += [
        '<p class="hint">Keys: left/right arrows step, Home/End jump, space plays.</p>',
        f"<script>{_JS.replace('DELAY', str(int(delay_ms)))}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


# --------------------------------------------------------------------------- embedded


_EMBED_CSS = """
.graphir-stepper { font-family: "DejaVu Sans", Verdana, sans-serif; color: #222; background: #fff;
  margin: 1em 0; outline-offset: 2px; }
.graphir-stepper .gs-title { font-weight: bold; margin: 0 0 .4em 0; }
.graphir-stepper .gs-controls { display: none; gap: .4em; align-items: center; flex-wrap: wrap;
  margin-bottom: .5em; }
.graphir-stepper.gs-js .gs-controls { display: flex; }
.graphir-stepper .gs-controls button { font-size: 1em; padding: .2em .7em; cursor: pointer; }
.graphir-stepper .gs-controls input[type=range] { flex: 1 1 12em; }
.graphir-stepper .gs-counter { font-variant-numeric: tabular-nums; min-width: 5em; text-align: right; }
.graphir-stepper figure { margin: 0 0 1em 0; }
.graphir-stepper figure svg { max-width: 100%; height: auto; display: block; }
.graphir-stepper figcaption { margin-top: .3em; padding: .3em .6em; background: #f6f6f6;
  border-left: 4px solid #e69f00; }
.graphir-stepper.gs-js figure { display: none; }
.graphir-stepper.gs-js figure.gs-on { display: block; }
.graphir-stepper .gs-hint { color: #777; font-size: .85em; margin: 0; }
"""

# Scoped to its own element: no id, no global, keys only while the stepper has the focus, so any
# number of steppers share a page.  The element is the script's parent (document.currentScript);
# where a page runs scripts without it (jQuery's html()), the first stepper of this key not yet
# started.
_EMBED_JS = """
(function () {
  var key = "KEY", me = document.currentScript;
  var root = me && me.closest ? me.closest(".graphir-stepper") : null;
  if (!root) {
    var all = document.querySelectorAll('.graphir-stepper[data-key="' + key + '"]');
    for (var a = 0; a < all.length && !root; a++) if (!all[a].classList.contains("gs-js")) root = all[a];
  }
  if (!root || root.classList.contains("gs-js")) return;
  root.classList.add("gs-js");
  var frames = root.querySelectorAll("figure.gs-frame");
  var slider = root.querySelector(".gs-slider"), counter = root.querySelector(".gs-counter");
  var play = root.querySelector('[data-go="play"]');
  var i = 0, timer = null;
  slider.max = frames.length - 1;
  function show(k) {
    i = Math.max(0, Math.min(frames.length - 1, k));
    for (var j = 0; j < frames.length; j++) frames[j].classList.toggle("gs-on", j === i);
    slider.value = i;
    counter.textContent = (i + 1) + " / " + frames.length;
  }
  function stop() { if (timer) { clearInterval(timer); timer = null; play.textContent = "Play"; } }
  function start() {
    if (i === frames.length - 1) show(0);
    play.textContent = "Pause";
    timer = setInterval(function () {
      if (i >= frames.length - 1 || !root.isConnected) stop(); else show(i + 1);
    }, DELAY);
  }
  var go = {first: function () { show(0); }, prev: function () { show(i - 1); },
            next: function () { show(i + 1); }, last: function () { show(frames.length - 1); }};
  Object.keys(go).forEach(function (name) {
    root.querySelector('[data-go="' + name + '"]').onclick = function () { stop(); go[name](); };
  });
  play.onclick = function () { if (timer) stop(); else start(); };
  slider.oninput = function () { stop(); show(parseInt(slider.value, 10)); };
  root.addEventListener("keydown", function (e) {
    var keys = {ArrowRight: "next", PageDown: "next", ArrowLeft: "prev", PageUp: "prev", Home: "first",
                End: "last"};
    if (e.target === slider && (e.key === "ArrowRight" || e.key === "ArrowLeft")) return;
    if (keys[e.key]) { stop(); go[keys[e.key]](); e.preventDefault(); }
    else if (e.key === " " && e.target.tagName !== "BUTTON") {
      if (timer) stop(); else start();
      e.preventDefault();
    }
  });
  show(0);
})();
"""


def stepper_fragment(
    svgs: Sequence[str], captions: Sequence[str], title: str, subtitle: str = "", delay_ms: int = 1500
) -> str:
    """The stepper as one ``<div>`` to embed in another page (a notebook's output, a docs page):
    the frames of :func:`stepper_html` with their own buttons, slider and keys, everything scoped
    to the element, so several steppers on one page never clash (no ids but the frames' SVG ids,
    prefixed by a hash of the content; no global names; keys act while the stepper has the focus).
    Without JavaScript (an untrusted notebook) all frames show one after another.

    >>> div = stepper_fragment(['<svg width="10pt"><g id="graph0"/></svg>'], ["v₁ = 2"], "demo")
    >>> div.startswith('<div class="graphir-stepper"') and "document.getElementById" not in div
    True
    """
    if len(svgs) != len(captions):
        raise ValueError("one caption per frame")
    digest = hashlib.sha256("\0".join([title, subtitle, *svgs, *captions]).encode("utf-8"))
    key = "gs" + digest.hexdigest()[:12]
    head = html.escape(title) + (f" ({html.escape(subtitle)} mode)" if subtitle else "")
    parts = [
        f'<div class="graphir-stepper" data-key="{key}" tabindex="0" role="group" '
        f'aria-label="{html.escape(title)}, step by step">',
        f"<style>{_EMBED_CSS}</style>",
        f'<div class="gs-title">{head}</div>',
        '<div class="gs-controls">',
        '<button type="button" data-go="first" title="first frame (Home)">|&lt;</button>',
        '<button type="button" data-go="prev" title="previous frame (left arrow)">Prev</button>',
        '<button type="button" data-go="play" title="play / pause (space)">Play</button>',
        '<button type="button" data-go="next" title="next frame (right arrow)">Next</button>',
        '<button type="button" data-go="last" title="last frame (End)">&gt;|</button>',
        '<input class="gs-slider" type="range" min="0" max="0" value="0" aria-label="frame">',
        '<span class="gs-counter" aria-live="polite"></span>',
        "</div>",
    ]
    for k, (svg, cap) in enumerate(zip(svgs, captions, strict=True)):
        parts.append('<figure class="gs-frame">')
        parts.append(inline_svg(svg, f"{key}_f{k}_"))
        parts.append(f"<figcaption>{k + 1}. {html.escape(cap)}</figcaption>")
        parts.append("</figure>")
    parts += [
        '<p class="gs-hint">Click the stepper, then: left/right arrows step, Home/End jump, space plays.</p>',
        f"<script>{_EMBED_JS.replace('KEY', key).replace('DELAY', str(int(delay_ms)))}</script>",
        "</div>",
    ]
    return "\n".join(parts) + "\n"
