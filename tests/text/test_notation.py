"""Node names and marks are decided in one place (graphir.text.notation)."""

from __future__ import annotations

import unicodedata

import pytest

import graphir as gi
from graphir.text.notation import mark_latex, mark_text, vlatex, vtext, vunicode


@pytest.mark.parametrize(
    ("kind", "text", "latex", "uni"),
    [
        ("primal", "v_-1", "v_{-1}", "v₋₁"),
        ("tangent", "v\u0307_-1", "\\dot{v}_{-1}", "v\u0307₋₁"),
        ("adjoint", "v\u0304_-1", "\\bar{v}_{-1}", "v\u0304₋₁"),
    ],
)
def test_three_spellings_of_each_kind(kind, text, latex, uni):
    assert (vtext(-1, kind), vlatex(-1, kind), vunicode(-1, kind)) == (text, latex, uni)


def test_marks_on_variable_names():
    assert mark_text("x1", "tangent") == unicodedata.normalize("NFC", "x\u03071")
    assert mark_latex("theta2", "adjoint") == "\\bar{\\theta}_{2}"


def test_table_and_picture_take_their_names_from_notation():
    from graphir.pictures.model import picture

    x1, x2 = gi.symbols("x1 x2")
    f = gi.log(x1) + x1 * x2
    t = gi.trace_table(f, {"x1": 2, "x2": 5})
    pic = picture(f, at={"x1": 2, "x2": 5}, mode="reverse")
    for node, k in t.numbering.items():
        assert t.dname(node) == vtext(k, "adjoint")
        assert t.dname(node, latex=True) == vlatex(k, "adjoint")
    for node, k in pic.num.items():
        assert pic.name(node, "adjoint") == vunicode(k, "adjoint")
