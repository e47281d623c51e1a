"""``gi.to_svg``: one accessible, self-contained SVG string (title, desc, classes, tooltips, ids)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

import graphir as gi

from .render_helpers import SVG, needs_dot

pytestmark = needs_dot

AT = {"x1": 2, "x2": 5}
F = 11.652071455223084
D1, D2 = 5.5, 1.7163378145367738


def baydin() -> gi.Expr:
    x1, x2 = gi.symbols("x1 x2")
    return gi.log(x1) + x1 * x2 - gi.sin(x2)


def groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter(SVG + "g") if cls in (g.get("class") or "").split()]


def tooltip(g: ET.Element) -> str:
    t = g.find(SVG + "title")
    assert t is not None and t.text
    return t.text


@pytest.fixture(scope="module")
def reverse_svg() -> str:
    return gi.to_svg(baydin(), at=AT, mode="reverse")


def test_parses_as_xml_with_role_title_and_desc(reverse_svg: str) -> None:
    assert reverse_svg.startswith("<svg ") and "<?xml" not in reverse_svg and "DOCTYPE" not in reverse_svg
    root = ET.fromstring(reverse_svg)
    assert root.tag == SVG + "svg" and root.get("role") == "img"
    title, desc = root[0], root[1]
    assert (title.tag, desc.tag) == (SVG + "title", SVG + "desc")
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    assert title.text == "Computation graph of f = log(x1) + x1*x2 - sin(x2), reverse mode at x1 = 2, x2 = 5"


def test_desc_names_every_input_the_output_value_and_the_adjoints(reverse_svg: str) -> None:
    desc = ET.fromstring(reverse_svg).find(SVG + "desc").text  # type: ignore[union-attr]
    assert "Input v_-1 is x1 = 2" in desc and "Input v_0 is x2 = 5" in desc
    assert f"The output f = v_5 = {F:.3f}." in desc
    assert f"∂f/∂x1 = {D1}, ∂f/∂x2 = {D2:.3f}" in desc
    assert "v_3 computes sin(v_0) = sin(5) = -0.959; its adjoint v̄_3 is -1." in desc


def test_nodes_and_edges_carry_classes(reverse_svg: str) -> None:
    root = ET.fromstring(reverse_svg)
    assert len(groups(root, "var")) == 2
    assert len(groups(root, "op")) == 5 and len(groups(root, "output")) == 1
    edges = groups(root, "edge")
    assert len(edges) == 8 and all("operand" in e.get("class", "") for e in edges)
    assert all("adjoint" in e.get("class", "") for e in edges)
    consts = ET.fromstring(gi.to_svg(gi.parse("2*x + 1")))
    assert len(groups(consts, "const")) == 2 and len(groups(consts, "constant")) == 2
    forward = ET.fromstring(gi.to_svg(baydin(), at=AT, mode="forward"))
    assert {e.get("class") for e in groups(forward, "edge")} == {"edge operand tangent"}


def test_tooltips_hold_full_precision(reverse_svg: str) -> None:
    root = ET.fromstring(reverse_svg)
    tips = [tooltip(g) for g in groups(root, "node")]
    assert "v₁ = ln v₋₁ = 0.6931471805599453, adjoint v̄₁ = 1" in tips
    assert f"v₀ = x2 = 5, adjoint v̄₀ = {D2!r}" in tips
    assert f"output f: v₅ = v₄ − v₃ = {F!r}, adjoint v̄₅ = 1" in tips
    edge_tips = [tooltip(g) for g in groups(root, "edge")]
    assert "v₀ → v₃ (operand 1); ∂v₃/∂v₀ = cos v₀ = 0.28366218546322625; adjoint contribution " \
        "-1 · 0.28366218546322625 = -0.28366218546322625" in edge_tips
    # Graphviz's own title of the whole graph ("graphir") is gone: the root's title says it
    assert all(t.text != "graphir" for t in root.iter(SVG + "title"))


def ids_and_refs(svg: str) -> tuple[list[str], list[str]]:
    ids = re.findall(r'\bid="([^"]+)"', svg)
    refs = re.findall(r'href="#([^"]+)"', svg) + re.findall(r"url\(#([^)]+)\)", svg)
    refs += [r for a in re.findall(r'aria-(?:labelledby|describedby)="([^"]+)"', svg) for r in a.split()]
    return ids, refs


def test_two_pictures_share_no_id_and_every_reference_resolves(reverse_svg: str) -> None:
    other = gi.to_svg(gi.parse("x*sin(x)"), at={"x": 2}, mode="forward")
    ids1, refs1 = ids_and_refs(reverse_svg)
    ids2, refs2 = ids_and_refs(other)
    assert ids1 and ids2 and not set(ids1) & set(ids2)
    assert len(set(ids1)) == len(ids1) and len(set(ids2)) == len(ids2)
    assert refs1 and set(refs1) <= set(ids1) and set(refs2) <= set(ids2)
    mine = gi.to_svg(gi.parse("x*sin(x)"), id_prefix="fig1-")
    ids3, _ = ids_and_refs(mine)
    assert all(i.startswith("fig1-") for i in ids3) and "fig1-title" in ids3
    with pytest.raises(gi.ArgumentError, match="id_prefix"):
        gi.to_svg(gi.parse("x"), id_prefix='a"b')


def test_deterministic_and_dot_unchanged(reverse_svg: str) -> None:
    assert gi.to_svg(baydin(), at=AT, mode="reverse") == reverse_svg
    # the DOT render and to_dot write is the one to_svg lays out (snapshots guard it)
    assert "role=" not in gi.to_dot(baydin(), at=AT, mode="reverse")


def test_page_options_pass_through() -> None:
    svg = gi.to_svg(gi.parse("2*x + 1"), compact=True, rankdir="TB", name="L")
    root = ET.fromstring(svg)
    assert not groups(root, "const")
    assert "L = 2*x + 1" in root[0].text  # type: ignore[operator]
