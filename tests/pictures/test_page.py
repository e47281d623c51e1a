"""Pictures that fit a page: rankdir, font_size and dpi, in Python and on the command line."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

import graphir as gi
from graphir import cli
from tests.pictures.render_helpers import needs_dot


def _f() -> gi.Expr:
    return gi.parse("ln(x1) + x1*x2 - sin(x2)")


def _png_width(path: Path) -> int:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">I", data[16:20])[0]


def test_default_dot_unchanged_by_explicit_defaults():
    f = _f()
    assert gi.to_dot(f, rankdir="LR", font_size=12) == gi.to_dot(f)


def test_rankdir_and_font_size_reach_the_dot():
    src = gi.to_dot(_f(), at={"x1": 2, "x2": 5}, mode="reverse", rankdir="TB", font_size=18)
    assert 'rankdir="TB"' in src
    assert "fontsize=18" in src  # nodes
    assert "fontsize=15" in src  # edges and constants: 10 * 18 / 12
    assert "fontsize=19.5" in src  # the caption: 13 * 18 / 12
    assert "fontsize=12," not in src and "fontsize=10," not in src


def test_constant_font_scales():
    src = gi.to_dot(gi.parse("2*x"), font_size=24)
    assert "fontsize=20" in src


@pytest.mark.parametrize("kw", [
    {"rankdir": "BT"}, {"rankdir": 1}, {"font_size": 0}, {"font_size": float("nan")},
    {"font_size": True}, {"dpi": -1}, {"dpi": "high"}, {"dpi": 10_000},
])
def test_bad_options_are_argument_errors(kw, tmp_path):
    with pytest.raises(gi.ArgumentError):
        gi.render(_f(), tmp_path / "f.png", **kw)
    if "dpi" not in kw:
        with pytest.raises(gi.ArgumentError):
            gi.to_dot(_f(), **kw)
    with pytest.raises(gi.ArgumentError):
        gi.explain(_f(), {"x1": 2, "x2": 5}, **kw)


@needs_dot
def test_dpi_makes_the_png_larger(tmp_path):
    small = gi.render(_f(), tmp_path / "a.png", dpi=72)[0]
    large = gi.render(_f(), tmp_path / "b.png", dpi=200)[0]
    assert _png_width(large) > 2 * _png_width(small)


@needs_dot
def test_svg_ignores_dpi(tmp_path):
    a = gi.render(_f(), tmp_path / "a.svg")[0].read_bytes()
    b = gi.render(_f(), tmp_path / "b.svg", dpi=300)[0].read_bytes()
    assert a == b


@needs_dot
def test_step_frames_take_the_options(tmp_path):
    at = {"x1": 2, "x2": 5}
    paths = gi.render(_f(), tmp_path / "tb", at=at, steps=True, format="dot", rankdir="TB", font_size=16)
    first = paths[0].read_text()
    assert "fontsize=16" in first
    lr = gi.render(_f(), tmp_path / "lr", at=at, steps=True, format="dot")[0].read_text()
    assert first != lr
    png = gi.render(_f(), tmp_path / "png", at=at, steps=True, format="png", dpi=200)
    png72 = gi.render(_f(), tmp_path / "png72", at=at, steps=True, format="png", dpi=72)
    assert _png_width(png[0]) > 2 * _png_width(png72[0])


@needs_dot
def test_explain_saves_pictures_with_the_options(tmp_path):
    ex = gi.explain(_f(), {"x1": 2, "x2": 5}, steps=False, dpi=200, font_size=16)
    ex.save(tmp_path / "big")
    gi.explain(_f(), {"x1": 2, "x2": 5}, steps=False).save(tmp_path / "plain")
    assert _png_width(tmp_path / "big" / "graph.png") > _png_width(tmp_path / "plain" / "graph.png")


@needs_dot
def test_cli_flags_reach_the_output(tmp_path, capsys):
    dot = tmp_path / "g"
    args = ["render", "ln(x1) + x1*x2", "--at", "x1=2,x2=5", "--mode", "reverse", "--rankdir", "TB",
            "--font-size", "18", "--name", "L", "--steps", "--format", "svg", "-o", str(dot)]
    assert cli.main(args) == 0
    svg = (dot / "frame_000.svg").read_text()
    assert "font-size=\"18.00\"" in svg
    assert "∂L/∂x1" in (dot / "stepper.html").read_text()
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    assert cli.main(["render", "x*y", "-o", str(a), "--dpi", "72"]) == 0
    assert cli.main(["render", "x*y", "-o", str(b), "--dpi", "200"]) == 0
    assert _png_width(b) > 2 * _png_width(a)


@needs_dot
def test_cli_name_names_the_output(tmp_path, capsys):
    out = tmp_path / "f.svg"
    args = ["render", "x*y", "--at", "x=2,y=3", "--mode", "reverse", "--name", "L", "-o", str(out)]
    assert cli.main(args) == 0
    assert "∂L/∂v" in out.read_text()
    folder = tmp_path / "ex"
    assert cli.main(["explain", "x*y", "--at", "x=2,y=3", "--name", "L", "-o", str(folder)]) == 0
    assert "∂L" in (folder / "README.md").read_text()


@pytest.mark.parametrize("flags", [["--rankdir", "BT"], ["--font-size", "0"], ["--dpi", "nan"],
                                   ["--dpi", "x"]])
def test_cli_bad_values_are_usage_errors(flags, tmp_path, capsys):
    assert cli.main(["render", "x*y", "-o", str(tmp_path / "f.svg"), *flags]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("graphir: error:")
