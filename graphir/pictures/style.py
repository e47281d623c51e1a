"""How graphir's pictures look: colours, fonts and sizes, in one place.

Every picture module (:mod:`~graphir.pictures.dot`, :mod:`~graphir.pictures.frames`,
:mod:`~graphir.pictures.draw`, :mod:`~graphir.pictures.html`) takes its look from
here, so changing a colour is one edit.  Numbers are written by
:func:`graphir.printing.display_number` (the digits of the trace tables), node
names by :mod:`graphir.text.notation`.

Colours follow the Okabe-Ito palette (safe for colour-blind readers): inputs
blue, the output orange with a double border, intermediate nodes white,
constants small and grey; tangents are drawn in green, adjoints in vermilion,
the current step of a step-by-step picture in yellow with a thick border.

>>> COLORS["input"], escape("a < b")
(('#d6eaf8', '#0072b2'), 'a &lt; b')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..errors import ArgumentError

__all__ = [
    "MAX_NODES", "FONT", "MONO", "escape", "KIND", "COLORS", "FRAME_MS", "LAST_FRAME_MS", "PNG_DPI",
    "Page", "page", "DEFAULT_PAGE",
]

#: Largest number of operation nodes drawn without ``max_nodes=None``.
MAX_NODES = 150

#: Font of every label (installed with Graphviz on most systems; it has the
#: subscript digits and combining accents the names use).
FONT = "DejaVu Sans,sans-serif"  # a list: SVG viewers without DejaVu fall back to a sans-serif
#: Font of the rows of a matrix (columns line up).
MONO = "DejaVu Sans Mono,monospace"
FONT_SIZE = 12
EDGE_FONT_SIZE = 10
CONST_FONT_SIZE = 10
CAPTION_FONT_SIZE = 13

#: Resolution of PNG output (Graphviz's default is 96).
PNG_DPI = 110

#: Directions :func:`page` takes (``rankdir``): left to right, top to bottom.
RANKDIRS = ("LR", "TB")


@dataclass(frozen=True)
class Page:
    """How a picture fits a page: direction of the graph, font size (points), PNG resolution,
    and ``compact`` (constants written into their user's label, no node of their own)."""

    rankdir: str = "LR"
    font_size: float = FONT_SIZE
    dpi: float = PNG_DPI
    compact: bool = False

    def size(self, base: int) -> float:
        """A font size of the default look (``base``) scaled to :attr:`font_size`."""
        if self.font_size == FONT_SIZE:
            return base
        return _number(round(base * self.font_size / FONT_SIZE, 2))


#: The look of every picture drawn without options.
DEFAULT_PAGE = Page()


def _number(v: float) -> float:
    return int(v) if float(v).is_integer() else v


def _positive(what: str, v: Any, lo: float, hi: float) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not lo <= v <= hi:
        raise ArgumentError(f"{what} must be a number from {lo:g} to {hi:g}, got {v!r}")
    return _number(v)


def page(rankdir: str | None = None, font_size: float | None = None, dpi: float | None = None,
         compact: bool | None = None) -> Page:
    """The :class:`Page` of the picture options (None: the default), checked (ArgumentError).

    >>> page(rankdir="tb", font_size=16)
    Page(rankdir='TB', font_size=16, dpi=110, compact=False)
    """
    d = Page()
    if rankdir is not None:
        if not isinstance(rankdir, str) or rankdir.upper() not in RANKDIRS:
            raise ArgumentError(
                f"rankdir must be 'LR' (left to right) or 'TB' (top to bottom), got {rankdir!r}")
        rankdir = rankdir.upper()
    return Page(
        rankdir=d.rankdir if rankdir is None else rankdir,
        font_size=d.font_size if font_size is None else _positive("font_size", font_size, 4, 72),
        dpi=d.dpi if dpi is None else _positive("dpi", dpi, 30, 1200),
        compact=d.compact if compact is None else _flag("compact", compact),
    )


def _flag(what: str, v: Any) -> bool:
    if not isinstance(v, bool):
        raise ArgumentError(f"{what} must be True or False, got {v!r}")
    return bool(v)


#: Animated GIF timing: each frame, and the last one (the result) longer.
FRAME_MS = 1200
LAST_FRAME_MS = 4000

# Okabe-Ito based palette.
COLORS = {
    "input": ("#d6eaf8", "#0072b2"),  # (fill, border)
    "output": ("#fde3c8", "#d55e00"),
    "op": ("#ffffff", "#4d4d4d"),
    "const": ("#eeeeee", "#9a9a9a"),
    "data": ("#f4f4f4", "#6f6f6f"),  # named arrays (X, y): constants of the expression
    "edge": "#4d4d4d",
    "const_edge": "#9a9a9a",
    "partial": "#333333",  # edge labels: local partial derivatives
    "tangent": "#007a4d",  # forward mode (bluish green, darkened for text)
    "adjoint": "#c0392b",  # reverse mode (vermilion, darkened for text)
    "muted": "#8c8c8c",
    "current_fill": "#fff2a8",  # the node being computed / receiving a contribution
    "current_border": "#e69f00",  # orange: current node and edge
    "done_edge": "#6f6f6f",
}

#: Node kinds: Graphviz shape, and extra style.
KIND = {
    "input": {"shape": "ellipse", "peripheries": "1"},
    "op": {"shape": "box", "peripheries": "1"},
    "output": {"shape": "box", "peripheries": "2"},
    "const": {"shape": "box", "peripheries": "1"},
    "data": {"shape": "box", "peripheries": "1"},
}

def escape(text: str) -> str:
    """Text made safe inside a Graphviz HTML-like label (``&``, ``<``, ``>``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Rough advance widths (in ems) of DejaVu Sans, for choosing the widest of
# several label texts before Graphviz measures the chosen one exactly.
_NARROW = set("ilj.,:;|!'()[]{}/\\ ·")
_WIDE = set("mwMW=+−×≈÷<>∂")


def text_width(text: str) -> float:
    """Estimated width of ``text`` in ems (combining accents take no room)."""
    w = 0.0
    for ch in text:
        if "\u0300" <= ch <= "\u036f":
            continue
        if ch in _NARROW:
            w += 0.32
        elif ch in _WIDE:
            w += 0.84
        elif "\u2080" <= ch <= "\u208f":
            w += 0.42
        else:
            w += 0.62
    return w
