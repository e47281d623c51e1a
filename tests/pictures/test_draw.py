"""Writing pictures: formats by suffix or argument, well-formed output, clear errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import graphir as gi
from graphir.pictures import graphviz as draw
from graphir.pictures.draw import render
from tests.pictures.render_helpers import needs_dot

BAYDIN = "ln(x1) + x1*x2 - sin(x2)"
AT = {"x1": 2, "x2": 5}


@needs_dot
@pytest.mark.parametrize("mode", [None, "forward", "reverse"])
def test_svg_is_well_formed(tmp_path: Path, mode: str | None) -> None:
    (p,) = render(gi.parse(BAYDIN), tmp_path / "f.svg", at=AT, mode=mode)
    assert p == tmp_path / "f.svg"
    root = ET.parse(p).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = p.read_text(encoding="utf-8")
    assert "11.652" in text and "v₅" in text
    nodes = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "node"]
    assert len(nodes) == 7


@needs_dot
def test_png_and_pdf_by_suffix(tmp_path: Path) -> None:
    f = gi.parse(BAYDIN)
    (png,) = render(f, tmp_path / "f.png", at=AT, mode="reverse")
    (pdf,) = render(f, tmp_path / "sub" / "f.pdf")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert pdf.read_bytes()[:5] == b"%PDF-"


@needs_dot
def test_format_argument_wins(tmp_path: Path) -> None:
    (p,) = render(gi.parse(BAYDIN), tmp_path / "picture", format="PNG")
    assert p.read_bytes()[:4] == b"\x89PNG"
    (d,) = render(gi.parse(BAYDIN), tmp_path / "f.dot")
    assert d.read_text(encoding="utf-8") == gi.to_dot(gi.parse(BAYDIN))


def test_unknown_or_missing_format(tmp_path: Path) -> None:
    f = gi.parse(BAYDIN)
    with pytest.raises(gi.RenderError, match="unknown picture format 'jpg'"):
        render(f, tmp_path / "f.jpg")
    with pytest.raises(gi.RenderError, match="unknown picture format"):
        render(f, tmp_path / "f.svg", format="bmp")
    with pytest.raises(gi.RenderError, match="suffix"):
        render(f, tmp_path / "f")
    assert list(tmp_path.iterdir()) == []


def test_missing_graphviz_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(draw.shutil, "which", lambda name: None)
    with pytest.raises(gi.RenderError, match="apt-get install graphviz"):
        render(gi.parse(BAYDIN), tmp_path / "f.svg")
    with pytest.raises(gi.RenderError, match="install Graphviz"):
        render(gi.parse(BAYDIN), tmp_path / "steps", at=AT, steps=True)


def test_steps_need_a_point(tmp_path: Path) -> None:
    with pytest.raises(gi.RenderError, match="at="):
        render(gi.parse(BAYDIN), tmp_path / "steps", steps=True)


def test_too_large_graph_refused(tmp_path: Path) -> None:
    (x,) = gi.symbols("x,")
    e = x
    for k in range(200):
        e = e * x + k
    with pytest.raises(gi.RenderError, match="max_nodes=None"):
        render(e, tmp_path / "f.svg")
    with pytest.raises(gi.RenderError, match="max_nodes=None"):
        render(e, tmp_path / "steps", at={"x": 1}, steps=True)
