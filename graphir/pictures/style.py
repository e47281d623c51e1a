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

__all__ = [
    "MAX_NODES", "FONT", "escape", "KIND", "COLORS", "FRAME_MS", "LAST_FRAME_MS", "PNG_DPI",
]

#: Largest number of operation nodes drawn without ``max_nodes=None``.
MAX_NODES = 150

#: Font of every label (installed with Graphviz on most systems; it has the
#: subscript digits and combining accents the names use).
FONT = "DejaVu Sans,sans-serif"  # a list: SVG viewers without DejaVu fall back to a sans-serif
FONT_SIZE = 12
EDGE_FONT_SIZE = 10
CONST_FONT_SIZE = 10
CAPTION_FONT_SIZE = 13

#: Resolution of PNG output (Graphviz's default is 96).
PNG_DPI = 110

#: Animated GIF timing: each frame, and the last one (the result) longer.
FRAME_MS = 1200
LAST_FRAME_MS = 4000

# Okabe-Ito based palette.
COLORS = {
    "input": ("#d6eaf8", "#0072b2"),  # (fill, border)
    "output": ("#fde3c8", "#d55e00"),
    "op": ("#ffffff", "#4d4d4d"),
    "const": ("#eeeeee", "#9a9a9a"),
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
