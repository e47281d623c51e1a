"""The command line beyond eval: diff, compare, check, render, explain."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from graphir import cli

BAYDIN = "ln(x1) + x1*x2 - sin(x2)"
GRAD = (1 / 2 + 5, 2 - math.cos(5))  # d/dx1 = 1/x1 + x2, d/dx2 = x1 - cos x2 at (2, 5)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def one_error(status: int, out: str, err: str, fragment: str) -> None:
    assert status != 0
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and fragment in err, err


@pytest.mark.parametrize("mode", ["forward", "reverse", "symbolic"])
def test_diff_values_in_every_mode(capsys: pytest.CaptureFixture[str], mode: str) -> None:
    status, out, err = run(capsys, "diff", BAYDIN, "--mode", mode, "--at", "x1=2,x2=5")
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert [line.split(" = ")[0] for line in lines] == ["d/dx1", "d/dx2"]
    values = [float(line.rsplit("= ", 1)[1]) for line in lines]
    assert values == pytest.approx(GRAD, rel=1e-14)


def test_diff_simplify_and_wrt(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "diff", BAYDIN, "--wrt", "x2", "--simplify")
    assert status == 0 and out.strip() == "d/dx2 = x1 - cos(x2)"
    # A name that is no variable of the expression is a typo: one line, exit status 1.
    for mode in ("forward", "reverse", "symbolic"):
        status, out, err = run(capsys, "diff", "x*y", "--wrt", "z", "--mode", mode)
        one_error(status, out, err, "no variable named 'z' in the expression; its variables are x, y")
        assert status == 1


def test_diff_errors(capsys: pytest.CaptureFixture[str]) -> None:
    one_error(*run(capsys, "diff", "x*", "--wrt", "x"), "column 3")
    one_error(*run(capsys, "diff", "x*y", "--wrt", "1"), "--wrt")
    one_error(*run(capsys, "diff", "x*y", "--mode", "sideways"), "invalid choice")


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_compare_formats(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    status, out, err = run(capsys, "compare", BAYDIN, "--at", "x1=2,x2=5", "--format", fmt)
    assert status == 0 and err == ""
    if fmt == "json":
        doc = json.loads(out)
        reverse = next(r for r in doc["rows"] if r["method"] == "reverse")
        assert reverse["values"] == pytest.approx(GRAD, rel=1e-14)
        assert {r["method"] for r in doc["rows"]} >= {"symbolic", "forward", "reverse", "fd-complex"}
    else:
        assert "5.5" in out and "1.71633781453677" in out
        assert ("| method |" in out) == (fmt == "markdown")


def test_compare_needs_a_point(capsys: pytest.CaptureFixture[str]) -> None:
    one_error(*run(capsys, "compare", "x*y"), "--at")
    one_error(*run(capsys, "compare", "x*y", "--at", "x=1"), "'y'")


def test_check_right_claims_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "check", "(y - w*x - b)^2/2", "--claim", "w=-(y - w*x - b)*x", "--claim", "b=-(y - w*x - b)"
    )
    assert status == 0
    assert out.count("holds") == 2


def test_check_wrong_claims_give_a_point_and_both_values(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys,
        "check",
        "(y - w*x - b)^2/2",
        "--claim",
        "w=(y - w*x - b)*1",
        "--claim",
        "b=(y - w*x - b)*0",
        "--at",
        "x=1,y=2,w=3,b=0.5",
    )
    assert status == 1
    assert out.count("WRONG") == 2
    # the user's point comes first: r = y - w*x - b = -1.5; true dL/dw = -r*x = 1.5, claimed r = -1.5
    assert "y=2, w=3, x=1, b=0.5" in out
    assert "claimed -1.5, true 1.5" in out


def test_check_errors(capsys: pytest.CaptureFixture[str]) -> None:
    one_error(*run(capsys, "check", "x*y", "--claim", "x=y+"), "--claim x")
    one_error(*run(capsys, "check", "x*y", "--claim", "x"), "name=expression")
    one_error(*run(capsys, "check", "x*y", "--claim", "x=y", "--claim", "x=y"), "twice")
    one_error(*run(capsys, "check", "x*y"), "--claim")


def test_render_svg(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_file = tmp_path / "g.svg"
    status, out, err = run(
        capsys, "render", BAYDIN, "--at", "x1=2,x2=5", "--mode", "reverse", "-o", str(out_file)
    )
    assert status == 0 and err == "" and out.strip() == str(out_file)
    ET.parse(out_file)


def test_render_steps(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pytest.importorskip("PIL", reason="the GIF of the steps needs Pillow")
    status, out, _ = run(capsys, "render", BAYDIN, "--at", "x1=2,x2=5", "--steps", "-o", str(tmp_path / "s"))
    written = out.split()
    assert status == 0
    assert any(p.endswith("steps.gif") for p in written) and any(p.endswith("stepper.html") for p in written)
    assert sum(p.endswith(".svg") for p in written) >= 5 + 8  # a frame per primal node and per step


def test_render_steps_in_the_format_asked_for(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    argv = ["render", "x*x", "--at", "x=3", "--steps", "--format", "svg", "-o", str(tmp_path)]
    status, out, _ = run(capsys, *argv)
    assert status == 0
    written = sorted(Path(p).name for p in out.split())
    assert written == [f"frame_{k:03d}.svg" for k in range(5)] + ["stepper.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".graphir-manifest.json", *written]


def test_render_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    one_error(*run(capsys, "render", "x*y", "-o", str(tmp_path / "g.xyz")), "format")
    one_error(*run(capsys, "render", "x*y", "--steps", "-o", str(tmp_path / "s")), "--at")
    one_error(*run(capsys, "render", "x*y"), "-o")


def test_render_too_large_names_the_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_file = str(tmp_path / "g.svg")
    status, out, err = run(capsys, "render", "sin(cos(x*y + 1))", "--max-nodes", "2", "-o", out_file)
    one_error(status, out, err, "--max-nodes 0")
    assert "4 operation nodes, more than max_nodes=2" in err


def test_explain_writes_the_worked_example(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pytest.importorskip("PIL", reason="the worked example's GIF needs Pillow")
    status, out, err = run(capsys, "explain", BAYDIN, "--at", "x1=2,x2=5", "-o", str(tmp_path / "ex"))
    assert status == 0 and err == ""
    md = tmp_path / "ex" / "README.md"
    assert out.strip() == str(md)
    text = md.read_text()
    for value in ("0.693", "-0.959", "11.652", "-0.284", "1.716", "5.5"):
        assert value in text
    one_error(*run(capsys, "explain", "x*y", "-o", str(tmp_path / "e2")), "--at")
