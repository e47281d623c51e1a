"""`graphir render` writing Mermaid (.mmd) and TikZ (.tex, and --steps as Beamer slides) (issue 12)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import graphir as gi
from graphir import cli

BAYDIN = "ln(x1) + x1*x2 - sin(x2)"
AT = {"x1": 2, "x2": 5}
REVERSE = ("--at", "x1=2,x2=5", "--mode", "reverse")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def one_error(status: int, out: str, err: str, fragment: str) -> None:
    assert status != 0 and out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and fragment in err, err


def test_mmd_suffix_writes_the_mermaid_flowchart(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "g.mmd"
    status, out, err = run(capsys, "render", BAYDIN, *REVERSE, "-o", str(target))
    assert status == 0 and err == "" and out.strip() == str(target)
    text = target.read_text(encoding="utf-8")
    assert text.startswith("flowchart LR\n")
    assert len(re.findall(r"^    n\d+ -->", text, re.M)) == 8  # one arrow per operand slot
    assert "v̄₋₁ = 5.5" in text and "= 11.652" in text
    assert text == gi.to_mermaid(gi.parse(BAYDIN), at=AT, mode="reverse")


def test_format_mermaid_without_a_suffix(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "graph"
    status, _, err = run(capsys, "render", "x*x + 2", "--format", "mermaid", "--rankdir", "TB",
                         "--compact", "-o", str(target))
    assert status == 0 and err == ""
    text = target.read_text(encoding="utf-8")
    assert text.startswith("flowchart TB\n") and ":::const" not in text


def test_tex_suffix_writes_a_standalone_document(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "g.tex"
    target.write_text("an older picture", encoding="utf-8")  # a named file is replaced, as for .svg
    status, out, err = run(capsys, "render", BAYDIN, *REVERSE, "-o", str(target))
    assert status == 0 and err == "" and out.strip() == str(target)
    text = target.read_text(encoding="utf-8")
    assert text.startswith("\\documentclass{article}") and "\\begin{tikzpicture}" in text
    assert "$\\bar{v}_{-1} = 5.5$" in text
    assert text == gi.to_tikz(gi.parse(BAYDIN), at=AT, mode="reverse", standalone=True)
    # (tests/pictures/test_tikz.py compiles this document with pdflatex)


def test_tikz_steps_write_one_beamer_document(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "slides.tex"
    status, out, err = run(capsys, "render", BAYDIN, "--at", "x1=2,x2=5", "--steps", "-o", str(target))
    assert status == 0 and err == "" and out.split() == [str(target)]
    text = target.read_text(encoding="utf-8")
    assert text.startswith("\\documentclass[aspectratio=169]{beamer}")
    assert "\\only<15>{Result:" in text  # 5 primal + seed + 8 steps + result: reverse by default
    assert text == gi.to_tikz(gi.parse(BAYDIN), at=AT, mode="reverse", overlay=True, standalone=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slides.tex"]  # no folder, no manifest
    forward = tmp_path / "forward"
    status, _, _ = run(capsys, "render", BAYDIN, "--at", "x1=2,x2=5", "--mode", "forward", "--steps",
                       "--format", "tikz", "-o", str(forward))
    assert status == 0
    assert forward.read_text(encoding="utf-8") == gi.to_tikz(
        gi.parse(BAYDIN), at=AT, mode="forward", overlay=True, standalone=True)


def test_errors_are_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    one_error(*run(capsys, "render", "x*y", "--at", "x=1,y=2", "--steps", "-o", str(tmp_path / "s.mmd")),
              "a Mermaid flowchart has no steps")
    one_error(*run(capsys, "render", "x*y", "--at", "x=1,y=2", "--steps", "--format", "mermaid",
                   "-o", str(tmp_path / "s")), "no steps")
    one_error(*run(capsys, "render", "x*y", "--steps", "-o", str(tmp_path / "s.tex")), "--at")
    one_error(*run(capsys, "render", "x*y", "--font-size", "14", "-o", str(tmp_path / "g.tex")), "font size")
    one_error(*run(capsys, "render", "x*y", "--format", "latex", "-o", str(tmp_path / "g")), "invalid choice")
    assert not any(tmp_path.iterdir())


def test_render_api_takes_the_same_formats(tmp_path: Path) -> None:
    f = gi.parse(BAYDIN)
    (p,) = gi.render(f, tmp_path / "g.MMD")
    assert p.read_text(encoding="utf-8") == gi.to_mermaid(f)
    (p,) = gi.render(f, tmp_path / "g", format="tikz")
    assert p.read_text(encoding="utf-8") == gi.to_tikz(f, standalone=True)
    with pytest.raises(gi.RenderError, match="no steps"):
        gi.render(f, tmp_path / "s", at=AT, steps=True, format="mermaid")
