"""The pictures the README and the docs pages show read well at page width (about 900 px).

A README is shown about 900 px wide: a wider picture is scaled down, and its text
with it.  Node labels are ``FONT_SIZE`` points drawn at ``PNG_DPI`` (12 pt at
110 dpi: 18.3 px); they must stay at least ``MIN_TEXT_PX`` pixels tall on the page,
so a picture may be at most ``MAX_WIDTH`` pixels wide (1833 px at the defaults).
SVG pictures are measured by their PNG twin (same name, ``.png``) when there is one, else
by their own width in points drawn at ``PNG_DPI``; PNG and GIF pictures by their header.
(The worked examples of the docs site are computed when it is built: tests/test_sphinx_docs.py
and the browser test look at them.)
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest

from graphir.pictures import style

ROOT = Path(__file__).resolve().parent.parent
PAGE_PX = 900
MIN_TEXT_PX = 9
MAX_WIDTH = int(PAGE_PX * (style.FONT_SIZE * style.PNG_DPI / 72) / MIN_TEXT_PX)

_IMAGE = re.compile(r"!\[(?:[^\]\\]|\\.)*\]\(([^)\s]+)\)")  # alt text may hold escaped brackets


def _documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _pictures() -> list[Path]:
    found = []
    for doc in _documents():
        for target in _IMAGE.findall(doc.read_text(encoding="utf-8")):
            if "://" in target or target.startswith("data:"):
                continue
            path = (doc.parent / target).resolve()
            twin = path.with_suffix(".png")
            found.append(twin if path.suffix == ".svg" and twin.exists() else path)
    return sorted(set(found))


def width_px(path: Path) -> int:
    data = path.read_bytes()
    if path.suffix == ".svg":  # Graphviz writes width="123pt"; the PNG is drawn at PNG_DPI
        m = re.search(rb'<svg[^>]*?\swidth="([0-9.]+)pt"', data)
        assert m, f"{path} has no width in points"
        return round(float(m.group(1)) * style.PNG_DPI / 72)
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return struct.unpack(">I", data[16:20])[0]
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return struct.unpack("<H", data[6:8])[0]
    raise AssertionError(f"{path} is neither SVG, PNG nor GIF")


def test_the_threshold():
    assert MAX_WIDTH == 1833


def test_pictures_are_found():
    pictures = _pictures()
    assert ROOT / "docs" / "img" / "baydin_reverse.svg" in pictures  # the README's picture
    assert ROOT / "docs" / "img" / "step_sweep.png" in pictures


@pytest.mark.parametrize("path", _pictures(), ids=lambda p: str(p.relative_to(ROOT)))
def test_picture_reads_at_page_width(path):
    assert path.exists(), f"{path} is linked but missing"
    w = width_px(path)
    assert w <= MAX_WIDTH, (
        f"{path.relative_to(ROOT)} is {w} px wide: at {PAGE_PX} px its text is "
        f"{style.FONT_SIZE * style.PNG_DPI / 72 * PAGE_PX / w:.1f} px tall; draw it with rankdir='TB' "
        f"or compact=True"
    )
