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


# One stepper, two wrappers: :func:`stepper_fragment` is the element (style, controls, frames and
# script, all scoped to it); :func:`stepper_html` is that element in a page shell.

_CSS = """
.graphir-stepper { font-family: "DejaVu Sans", Verdana, sans-serif; color: #222; background: #fff;
  margin: 1em 0; outline-offset: 2px; }
.graphir-stepper .gs-title { font-weight: bold; font-size: 1em; margin: 0 0 .4em 0; }
.graphir-stepper .gs-controls { display: none; gap: .4em; align-items: center; flex-wrap: wrap;
  margin-bottom: .5em; }
.graphir-stepper.gs-js .gs-controls { display: flex; }
.graphir-stepper .gs-controls button { font-size: 1em; padding: .2em .7em; cursor: pointer; }
.graphir-stepper .gs-controls input[type=range] { flex: 1 1 12em; }
.graphir-stepper .gs-counter { font-variant-numeric: tabular-nums; min-width: 5em; text-align: right; }
.graphir-stepper .gs-words { margin: 0 0 .5em 0; }
.graphir-stepper .gs-words summary { cursor: pointer; }
.graphir-stepper figure { margin: 0 0 1em 0; }
.graphir-stepper figure svg { max-width: 100%; height: auto; display: block; }
.graphir-stepper figcaption { margin-top: .3em; padding: .3em .6em; background: #f6f6f6;
  border-left: 4px solid #e69f00; }
.graphir-stepper.gs-js figure { display: none; }
.graphir-stepper.gs-js figure.gs-on { display: block; }
.graphir-stepper .gs-hint { color: #777; font-size: .85em; margin: 0; }
"""

# after the stepper's own style sheet in the page, so more specific (body >) to win
_PAGE_CSS = """
body { margin: 1.2em; background: #fff; }
body > .graphir-stepper { margin: 0; }
body > .graphir-stepper .gs-title { font-size: 1.25em; margin: 0 0 .6em 0; }
body > .graphir-stepper figcaption { font-size: 1.1em; }
"""

# Scoped to its own element: no id, no global.  The element is the script's parent
# (document.currentScript); where a page runs scripts without it (jQuery's html()), the first
# stepper of this key not yet started.  Keys act while the stepper has the focus, or anywhere on
# the page when the stepper is the page (data-keys="page").
_JS = """
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
  var keys = {ArrowRight: "next", PageDown: "next", ArrowLeft: "prev", PageUp: "prev", Home: "first",
              End: "last"};
  (root.getAttribute("data-keys") === "page" ? root.ownerDocument : root).addEventListener("keydown",
    function (e) {
      if (e.target === slider && (e.key === "ArrowRight" || e.key === "ArrowLeft")) return;
      if (keys[e.key]) { stop(); go[keys[e.key]](); e.preventDefault(); }
      else if (e.key === " " && (!e.target || e.target.tagName !== "BUTTON")) {
        if (timer) stop(); else start();
        e.preventDefault();
      }
    });
  show(0);
})();
"""

_HINT = {False: "Click the stepper, then: left/right arrows step, Home/End jump, space plays.",
         True: "Keys: left/right arrows step, Home/End jump, space plays."}


def _stepper(svgs: Sequence[str], captions: Sequence[str], title: str, subtitle: str, delay_ms: int,
             description: str, prefix: str | None, page: bool) -> str:
    """The stepper element; ``page``: it is the whole page (an ``<h1>``, keys anywhere)."""
    if len(svgs) != len(captions):
        raise ValueError("one caption per frame")
    digest = hashlib.sha256("\0".join([title, subtitle, description, *svgs, *captions]).encode("utf-8"))
    key = "gs" + digest.hexdigest()[:12]
    p = f"{key}-" if prefix is None else prefix
    head = html.escape(title) + (f" ({html.escape(subtitle)} mode)" if subtitle else "")
    tag, keys = ("h1", ' data-keys="page"') if page else ("div", "")
    parts = [
        f'<div class="graphir-stepper" data-key="{key}"{keys} tabindex="0" role="group" '
        f'aria-labelledby="{p}title">',
        f"<style>{_CSS}</style>",
        f'<{tag} class="gs-title" id="{p}title">{head}</{tag}>',
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
    described = ""
    if description:
        parts.append(f'<details class="gs-words"><summary>The graph in words</summary>'
                     f'<p id="{p}graph-words">{html.escape(description)}</p></details>')
        described = f' aria-describedby="{p}graph-words"'
    for k, (svg, cap) in enumerate(zip(svgs, captions, strict=True)):
        parts.append('<figure class="gs-frame">')
        parts.append(inline_svg(svg, f"{p}f{k}_").replace(
            "<svg", f'<svg role="img" aria-labelledby="{p}caption{k}"{described}', 1))
        parts.append(f'<figcaption id="{p}caption{k}">{k + 1}. {html.escape(cap)}</figcaption>')
        parts.append("</figure>")
    parts += [
        f'<p class="gs-hint">{_HINT[page]}</p>',
        f"<script>{_JS.replace('KEY', key).replace('DELAY', str(int(delay_ms)))}</script>",
        "</div>",
    ]
    return "\n".join(parts) + "\n"


def stepper_fragment(
    svgs: Sequence[str], captions: Sequence[str], title: str, subtitle: str = "", delay_ms: int = 1500,
    description: str = "", prefix: str | None = None,
) -> str:
    """The stepper as one ``<div>`` to embed in another page (a notebook's output, a docs page).

    Parameters
    ----------
    svgs : SVG documents (as Graphviz writes them), one per frame.
    captions : plain-text captions, one per frame.
    title : the stepper's heading.
    subtitle : shown after the title (e.g. the mode).
    delay_ms : time per frame when playing.
    description : the graph in words (:func:`graphir.describe`): shown under a "The graph in
        words" disclosure, and what every frame's picture is described by (``aria-describedby``).
    prefix : put before every id of the stepper (the frames' SVG ids, the captions', the
        description's); by default a hash of the content.  Give each stepper on a page its own.

    Frames, buttons, slider and keys are scoped to the element, so several steppers on one page
    never clash (no global names; keys act while the stepper has the focus).  Every frame's
    picture is an image (``role="img"``) labelled by its caption.  Without JavaScript (an
    untrusted notebook) all frames show one after another.

    >>> div = stepper_fragment(['<svg width="10pt"><g id="graph0"/></svg>'], ["v₁ = 2"], "demo", prefix="a-")
    >>> div.startswith('<div class="graphir-stepper"') and 'id="a-f0_graph0"' in div
    True
    """
    return _stepper(svgs, captions, title, subtitle, delay_ms, description, prefix, page=False)


def stepper_html(
    svgs: Sequence[str], captions: Sequence[str], title: str, subtitle: str = "", delay_ms: int = 1500,
    description: str = "",
) -> str:
    """The stepper page: :func:`stepper_fragment` in a page of its own (the title as the
    page's heading, the keys acting anywhere on the page).  Parameters as there.

    >>> page = stepper_html(['<svg width="10pt"><g id="graph0"/></svg>'], ["v₁ = 2"], "demo")
    >>> page.count("<script>"), '<h1 class="gs-title"' in page
    (1, True)
    """
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_PAGE_CSS}</style>",
        "</head>",
        "<body>",
        _stepper(svgs, captions, title, subtitle, delay_ms, description, "", page=True) + "</body>",
        "</html>",
    ]) + "\n"
