"""Shared helpers of the picture tests: snapshots, SVG node positions, skipping without Graphviz,
counting Graphviz processes."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
SVG = "{http://www.w3.org/2000/svg}"

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None or shutil.which("neato") is None, reason="Graphviz is not installed"
)


def check_snapshot(name: str, text: str) -> None:
    """Compare ``text`` with ``snapshots/name``; ``GRAPHIR_UPDATE_SNAPSHOTS=1`` rewrites it."""
    path = SNAPSHOTS / name
    if os.environ.get("GRAPHIR_UPDATE_SNAPSHOTS") == "1" or not path.exists():
        path.write_text(text, encoding="utf-8")
        if os.environ.get("GRAPHIR_UPDATE_SNAPSHOTS") != "1":
            pytest.fail(f"snapshot {name} did not exist and was written; check it and run again")
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"DOT differs from snapshots/{name} (GRAPHIR_UPDATE_SNAPSHOTS=1 to accept)"


def node_geometry(svg_text: str) -> dict[str, list[tuple[str, str]]]:
    """Node title -> the coordinates of its shapes (polygon points, ellipse centre/radii, paths)."""
    root = ET.fromstring(svg_text)
    out: dict[str, list[tuple[str, str]]] = {}
    for g in root.iter(SVG + "g"):
        if g.get("class") != "node":
            continue
        title = g.find(SVG + "title")
        assert title is not None
        shapes = []
        for s in g:
            tag = s.tag.removeprefix(SVG)
            if tag == "polygon":
                shapes.append((tag, s.get("points", "")))
            elif tag == "ellipse":
                shapes.append((tag, ",".join(s.get(a, "") for a in ("cx", "cy", "rx", "ry"))))
            elif tag == "path":
                shapes.append((tag, s.get("d", "")))
        out[title.text or ""] = shapes
    return out


@contextlib.contextmanager
def graphviz_processes() -> Iterator[list[str]]:
    """The programs (``"dot"``, ``"neato"``) of the processes started inside the block, in order."""
    started: list[str] = []
    run = subprocess.run

    def counting_run(args: list[str], *more: object, **kwargs: object) -> subprocess.CompletedProcess:
        started.append(Path(args[0]).name)
        return run(args, *more, **kwargs)  # type: ignore[call-overload]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(subprocess, "run", counting_run)
        yield started
