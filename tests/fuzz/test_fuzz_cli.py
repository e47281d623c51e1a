"""Fuzzing the command line: every command with fuzzed arguments exits 0, 1 or 2 (cli.py's
docstring), says what went wrong in exactly one stderr line, never shows a traceback or an
"internal error", and writes no file but its -o path (issue 8, finding 10).

main() runs in-process, in a fresh temporary working folder per example."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import graphir as gi
from graphir.cli import main
from tests.fuzz.common import INJECTIONS, any_texts, budget, mutated, time_limit
from tests.strategies import recipes

EXPRS = st.one_of(
    recipes(max_ops=4).map(lambda r: str(r.to_expr())),
    st.sampled_from(["x*y + 1", "sin(x)", "x", "2", "pi", "ln(x1) + x1*x2 - sin(x2)", "w*2 - nan", "x/0"]),
)
_HOSTILE = any_texts().filter(lambda t: "**9**" not in t and "^9^" not in t)


def sometimes(
    draw: Any, strategy: st.SearchStrategy[Any], otherwise: st.SearchStrategy[Any], odds: int = 4
) -> Any:
    """A draw from ``strategy`` once in ``odds`` times, else from ``otherwise`` (simplest first)."""
    return draw(strategy if draw(st.integers(1, odds)) == odds else otherwise)


VALUES = st.sampled_from(
    [
        "2",
        "-1",
        "0.5",
        "pi/2",
        "-0",
        "1e-3",
        "sqrt(2)",
        "inf",
        "nan",
        "1e400",
        "x",
        "",
        "(",
        "2,",
        "1e309",
        "--1",
        "ｓｉｎ(1)",
    ]
)
NAMES = st.sampled_from(["x", "y", "z", "x1", "x2", "w", "q", "1x", "", " x", "x y", "é"])


GOOD_VALUES = st.sampled_from(["2", "-1", "0.5", "pi/2", "0.7", "1e-3", "sqrt(2)", "-0", "3"])


def _variables(expr: str) -> list[str]:
    try:
        return [v.name for v in gi.parse(expr).variables]
    except gi.ParseError:
        return ["x"]


@st.composite
def at_specs(draw: Any, expr: str = "x") -> list[str]:
    """``--at`` with a value for each variable of ``expr`` (mostly), or a fuzzed one."""
    if draw(st.integers(0, 4)) < 4:
        spec = ",".join(f"{n}={draw(GOOD_VALUES)}" for n in _variables(expr))
        if spec:
            return ["--at", spec]
    pairs = draw(st.lists(st.tuples(NAMES, VALUES), max_size=4))
    spec = ",".join(f"{n}={v}" for n, v in pairs)
    return ["--at", draw(st.one_of(st.just(spec), mutated(st.just(spec)), st.sampled_from(INJECTIONS)))]


WRT = st.one_of(st.lists(NAMES, max_size=3).map(lambda n: ["--wrt", ",".join(n)]))
_NOISE = st.lists(
    st.sampled_from(
        [
            "--bogus",
            "--format",
            "json",
            "markdown",
            "svg",
            "--steps",
            "--simplify",
            "--max-nodes",
            "-1",
            "0",
            "--mode",
            "forward",
            "reverse",
            "symbolic",
            "sideways",
            "-o",
            "--",
            "-",
            "--help",
        ]
    ),
    min_size=1,
    max_size=2,
)
OUTPUTS = st.sampled_from(["out.svg", "pic.png", "a/b/c.svg", "noext", "dir", "x.gif", "y.pdf", "z.SVG", "o"])


def _argv(draw: Any, name: str, expr: str, extra: list[str]) -> list[str]:
    argv = [name, *extra]
    argv += ["--", expr] if expr.startswith("-") and draw(st.booleans()) else [expr]
    return argv + sometimes(draw, _NOISE, st.just([]))


@st.composite
def cheap_commands(draw: Any) -> list[str]:
    """eval, diff (graph passes) and render (SVG): many examples."""
    name = draw(st.sampled_from(["eval", "diff", "render"]))
    expr = sometimes(draw, _HOSTILE, EXPRS)
    extra = (draw(at_specs(expr)) if draw(st.integers(0, 3)) < 3 else []) + sometimes(draw, WRT, st.just([]))
    if name == "diff":
        extra += ["--mode", sometimes(draw, st.just("sideways"), st.sampled_from(["reverse", "forward"]))]
    if name == "render":
        extra += ["-o", draw(st.sampled_from(["out.svg", "a/b/c.svg", "noext", "dir/", "z.SVG", "x.gif"]))]
        extra += draw(st.sampled_from([[], ["--mode", "reverse"], ["--format", "svg"], ["--max-nodes", "3"]]))
    return _argv(draw, name, expr, extra)


@st.composite
def sympy_commands(draw: Any) -> list[str]:
    """compare, check, explain, render --steps, diff through SymPy: a handful of examples."""
    name = draw(st.sampled_from(["compare", "check", "explain", "render", "diff"]))
    expr = draw(EXPRS)
    extra = draw(at_specs(expr)) if draw(st.integers(0, 4)) < 4 else []
    if name == "check":
        extra += ["--claim", f"{draw(NAMES)}={draw(EXPRS)}"]
    if name == "explain":
        extra += ["-o", draw(OUTPUTS)]
    if name == "render":
        extra += ["--steps", "--format", "svg", "-o", draw(OUTPUTS)]
    if name == "diff":
        extra += draw(st.sampled_from([["--simplify"], ["--mode", "symbolic"]]))
    return _argv(draw, name, expr, extra)


def _files(root: Path) -> set[Path]:
    return {p.relative_to(root) for p in root.rglob("*") if p.is_file()}


def _output_path(argv: list[str]) -> Path | None:
    """The -o path argparse keeps: the last one given."""
    flags = [k for k, a in enumerate(argv[:-1]) if a in ("-o", "--output")]
    return Path(argv[flags[-1] + 1]) if flags else None


def run_cli(argv: list[str], seconds: float) -> tuple[int, str, str]:
    """main(argv) in a fresh working folder: (exit status, stdout, stderr), with the contract checked."""
    here = os.getcwd()
    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            with (
                contextlib.redirect_stdout(out),
                contextlib.redirect_stderr(err),
                time_limit(seconds, str(argv)),
            ):
                status = main(argv)
            written = _files(Path(tmp))
        finally:
            os.chdir(here)
    stderr = err.getvalue()
    assert status in (0, 1, 2), f"{argv}: exit status {status}"
    assert "Traceback" not in stderr and "internal error" not in stderr, f"{argv}: {stderr}"
    report = argv[:1] == ["check"] and status == 1 and out.getvalue() and not stderr  # a claim is wrong
    if status != 0 and not report:
        lines = stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("graphir: error: "), f"{argv}: stderr {stderr!r}"
    target = _output_path(argv)
    outside = {p for p in written if target is None or not (p == target or target in p.parents)}
    assert not outside, f"{argv} wrote {sorted(map(str, outside))} outside its -o path {target}"
    return status, out.getvalue(), stderr


@budget(ci=150, fuzz=100_000)
@given(cheap_commands())
def test_eval_diff_and_render_keep_the_command_line_contract(argv):
    run_cli(argv, seconds=20.0)


@budget(ci=8, fuzz=3_000)
@given(sympy_commands())
def test_sympy_commands_keep_the_command_line_contract(argv):
    run_cli(argv, seconds=30.0)


@budget(ci=60, fuzz=10_000)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=12),
            st.sampled_from(
                ["eval", "diff", "check", "--at", "-o", "--claim", "x", "x=1", "--", "-h", "--version"]
            ),
        ),
        max_size=6,
    )
)
def test_any_argument_list_keeps_the_command_line_contract(argv):
    if "--help" in argv or "-h" in argv or "--version" in argv:
        return  # argparse prints help and exits 0: nothing to check
    run_cli(argv, seconds=20.0)
