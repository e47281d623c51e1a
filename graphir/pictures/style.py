"""How graphir's pictures look: colours, fonts, sizes, names and numbers, in one place.

Every picture module (:mod:`~graphir.pictures.dot`, :mod:`~graphir.pictures.frames`,
:mod:`~graphir.pictures.draw`, :mod:`~graphir.pictures.html`) takes its look from
here, so changing a colour or the precision of the numbers is one edit.

Colours follow the Okabe-Ito palette (safe for colour-blind readers): inputs
blue, the output orange with a double border, intermediate nodes white,
constants small and grey; tangents are drawn in green, adjoints in vermilion,
the current step of a step-by-step picture in yellow with a thick border.

>>> fmt(0.6931471805599453), fmt(11.652071455223084), fmt(-0.9589242746631385), fmt(2.0)
('0.6931', '11.65', '-0.9589', '2')
>>> vname(-1), vname(3, "adjoint"), vname(0, "tangent")
('v₋₁', 'v̄₃', 'v̇₀')
"""

from __future__ import annotations

from ..printing import special_number

__all__ = [
    "MAX_NODES", "DIGITS", "FONT", "fmt", "sub", "vname", "escape", "KIND", "COLORS",
    "FRAME_MS", "LAST_FRAME_MS", "PNG_DPI",
]

#: Largest number of operation nodes drawn without ``max_nodes=None``.
MAX_NODES = 150

#: Significant digits of the numbers in pictures and captions.
DIGITS = 4

#: Font of every label (installed with Graphviz on most systems; it has the
#: subscript digits and combining accents the names use).
FONT = "DejaVu Sans"
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

_SUB = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")
_ACCENT = {"primal": "", "tangent": "\u0307", "adjoint": "\u0304"}  # dot above, macron


def fmt(v: float) -> str:
    """A number at :data:`DIGITS` significant digits: ``0.6931``, ``11.65``, ``2``, ``1.5e-7``.

    >>> fmt(-0.0), fmt(float("inf")), fmt(123456.0)
    ('0', 'inf', '1.235e5')
    """
    v = float(v)
    special = special_number(v)
    if special is not None:
        return special
    s = f"{v:.{DIGITS}g}"
    if "e" in s:
        mant, exp = s.split("e")
        s = f"{mant}e{int(exp)}"
    return s


def fmt_operand(v: float) -> str:
    """:func:`fmt`, parenthesised when negative (an operand written after an operator)."""
    s = fmt(v)
    return f"({s})" if s.startswith("-") else s


def sub(k: int) -> str:
    """``k`` in Unicode subscript digits: ``sub(-1) == '₋₁'``."""
    return str(k).translate(_SUB)


def vname(k: int, kind: str = "primal") -> str:
    """The name of node ``v_k`` as pictures write it: ``v₃``, tangent ``v̇₃``, adjoint ``v̄₃``."""
    return "v" + _ACCENT[kind] + sub(k)


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
