"""Every format graphir writes is byte-identical for the same input (issue 8, finding 9).

Two processes with different hash seeds, more than a second apart (a PDF once
carried the second it was drawn), write the same expression in every format:
SVG, PNG, PDF, GIF, HTML (the stepper), Markdown (explain), JSON (to_json) and
DOT.  Every file must match byte for byte.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import graphir as gi
from graphir.pictures.graphviz import without_dates

ROOT = Path(__file__).resolve().parent.parent

needs_graphviz = pytest.mark.skipif(
    shutil.which("dot") is None or shutil.which("neato") is None, reason="Graphviz is not installed"
)

SCRIPT = """
import sys
from pathlib import Path
import graphir as gi

out = Path(sys.argv[1])
f = gi.parse("ln(x1) + x1*x2 - sin(x2)")
at = {"x1": 2, "x2": 5}
for suffix in ("svg", "png", "pdf", "dot"):
    gi.render(f, out / f"graph.{suffix}", at=at, mode="reverse")
gi.render(f, out / "steps", at=at, steps=True)                      # SVG and PNG frames, GIF, HTML
gi.render(f, out / "pdf_steps", at=at, steps=True, format="pdf")    # PDF frames
gi.explain(f, at, mode="forward").save(out / "explain")             # Markdown and its pictures
(out / "f.json").write_text(gi.to_json(f), encoding="utf-8")
(out / "f.dot").write_text(gi.to_dot(f, at=at, mode="forward"), encoding="utf-8")
"""


def write_everything(folder: Path, seed: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", SCRIPT, str(folder)], env=env, check=True, timeout=300)
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@needs_graphviz
def test_every_format_is_byte_identical_across_processes(tmp_path: Path) -> None:
    first = write_everything(tmp_path / "a", "1")
    time.sleep(1.1)  # a date with a resolution of one second would differ now
    second = write_everything(tmp_path / "b", "2")
    assert first.keys() == second.keys()
    suffixes = {Path(name).suffix for name in first}
    expected = {".svg", ".png", ".pdf", ".dot", ".html", ".md", ".json"}
    if importlib.util.find_spec("PIL") is not None:
        expected.add(".gif")
    assert expected <= suffixes
    differ = [name for name in first if first[name] != second[name]]
    assert differ == [], f"not byte-identical from run to run: {differ}"


@needs_graphviz
def test_a_pdf_without_its_date_still_opens(tmp_path: Path) -> None:
    (path,) = gi.render(gi.parse("x*y + sin(x)"), tmp_path / "g.pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and b"/CreationDate" not in data and b"/Producer" in data
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        pytest.skip("poppler-utils (pdfinfo) is not installed")
    proc = subprocess.run([pdfinfo, str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr  # no broken cross-reference table
    assert "Pages:           1" in proc.stdout


def test_dates_are_blanked_in_place() -> None:
    pdf = (b"1 0 obj\n<< /Producer (cairo) /CreationDate (D:20261125191106Z) "
           b"/ModDate (D:2026\\)x) >>\nendobj\n")
    out = without_dates(pdf)
    assert len(out) == len(pdf)  # byte offsets (the xref table) stay right
    assert b"Date" not in out and b"/Producer (cairo)" in out and out.endswith(b">>\nendobj\n")
