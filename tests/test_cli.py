"""The command line: `graphir eval`, the error frame, `--at`, and the demo script.

Values are checked against closed forms computed with :mod:`math`; every bad
input must give exactly one line on stderr, a non-zero exit status and no
traceback, both in-process (``cli.main(argv)``) and through a real
``python -m graphir`` subprocess.
"""

from __future__ import annotations

import dataclasses
import doctest
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import graphir as gi
from graphir import cli
from graphir.errors import ArgumentError, EvalError

ROOT = Path(__file__).resolve().parent.parent


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def run_process(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "graphir", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        env=environ,
        cwd=ROOT,
    )


def assert_one_error_line(status: int, out: str, err: str, expected_status: int, *fragments: str) -> None:
    assert status == expected_status, (status, out, err)
    assert out == ""
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, repr(err)
    assert err.startswith("graphir: "), err
    for fragment in fragments:
        assert fragment in err, (fragment, err)


# ------------------------------------------------------------------ eval: values

BAYDIN = math.log(2.0) + 2.0 * 5.0 - math.sin(5.0)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["ln(x1) + x1*x2 - sin(x2)", "--at", "x1=2,x2=5"], BAYDIN),
        (["ln(x1) + x1*x2 - sin(x2)", "--at", "x2=5", "--at", "x1=2"], BAYDIN),
        (["x*y + 1", "--at", "x=2, y=3"], 7.0),
        (["x^2 + 1e-3", "--at", "x=-1.5"], 1.5**2 + 1e-3),
        (["sin(t)", "--at", "t=pi/2"], math.sin(math.pi / 2)),
        (["exp(a) / sqrt(b)", "--at", "a=-1e-3,b=pow(2, 3)"], math.exp(-1e-3) / math.sqrt(8.0)),
        (
            ["atan(u) * cosh(v)", "--at", "u=sqrt(2),v=ln(3)"],
            math.atan(math.sqrt(2)) * math.cosh(math.log(3)),
        ),
        (["pi/2"], math.pi / 2),
        (["--at", "x=1", "--", "-x"], -1.0),
        ([" -x**2", "--at", "x=3"], -9.0),
    ],
)
def test_eval_prints_the_value(capsys: pytest.CaptureFixture[str], argv: list[str], expected: float) -> None:
    status, out, err = run(capsys, "eval", *argv)
    assert (status, err) == (0, "")
    text = out.strip()
    assert out == text + "\n"
    assert repr(float(text)) == text  # the shortest text that reads back exactly
    assert float(text) == pytest.approx(expected, rel=1e-15, abs=0)


def test_eval_of_the_baydin_example_is_exact(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "eval", "ln(x1) + x1*x2 - sin(x2)", "--at", "x1=2,x2=5")
    assert status == 0
    assert out == "11.652071455223084\n"
    assert float(out) == BAYDIN


def test_eval_warns_in_one_line_and_still_prints(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "eval", "log(x)", "--at", "x=-1")
    assert status == 0
    assert out == "nan\n"
    assert err.count("\n") == 1 and err.startswith("graphir: warning: ") and "log(x)" in err


# ------------------------------------------------------------------ eval: errors

ERRORS = [
    # (argv, exit status, fragments of the message)
    (["eval", "sin("], 1, ["expected an expression at column 5, found the end of the text"]),
    (["eval", "x +* y", "--at", "x=1,y=2"], 1, ["column 4"]),
    (["eval", "__import__('os')"], 1, ["'__import__'", "column 1"]),
    (["eval", "x + y", "--at", "x=1"], 1, ["no value given for variable 'y'"]),
    (["eval", "x + y + z"], 1, ["no value given for variables 'x', 'y', 'z'"]),
    (["eval", "x + y", "--at", "x=1,y=2,zz=3"], 1, ["'zz'", "does not use"]),
    (["eval", "x", "--at", "x"], 2, ["--at: expected name=value, got 'x'"]),
    (["eval", "x", "--at", "x=1,"], 2, ["--at: expected name=value, got ''"]),
    (["eval", "x", "--at", "=1"], 2, ["--at: expected name=value"]),
    (["eval", "x", "--at", "x="], 2, ["--at: expected name=value, got 'x='"]),
    (["eval", "x", "--at", "x=1,x=2"], 2, ["'x' is given twice"]),
    (["eval", "x", "--at", "1x=1"], 2, ["'1x' is not a variable name"]),
    (["eval", "x", "--at", "x=y"], 2, ["value of x must be a number or a constant expression"]),
    (["eval", "x", "--at", "x=2*"], 2, ["bad value for x", "expected an expression"]),
    (["eval", "x", "--at", "x=1/0"], 2, ["not finite"]),
    (["eval", "x", "--at", "x=__import__('os')"], 2, ["bad value for x"]),
    (["eval"], 2, ["required: EXPR"]),
    (["eval", "x", "--bogus"], 2, ["unrecognized arguments: --bogus"]),
    (["eval", "-x", "--at", "x=1"], 2, ["'-' goes after '--'"]),
    (["frobnicate", "x"], 2, ["invalid choice: 'frobnicate'", "--help"]),
    ([], 2, ["no command given", "eval"]),
    (["--nope"], 2, ["unrecognized arguments: --nope"]),
]


@pytest.mark.parametrize(
    ("argv", "status", "fragments"), ERRORS, ids=[" ".join(a) or "(none)" for a, _, _ in ERRORS]
)
def test_errors_are_one_line_in_process(
    capsys: pytest.CaptureFixture[str], argv: list[str], status: int, fragments: list[str]
) -> None:
    got, out, err = run(capsys, *argv)
    assert_one_error_line(got, out, err, status, "graphir: error: ", *fragments)


@pytest.mark.parametrize(
    ("argv", "status", "fragment"),
    [
        (["eval", "sin("], 1, "expected an expression at column 5, found the end of the text"),
        (["eval", "x + y", "--at", "x=1"], 1, "no value given for variable 'y'"),
        (["eval", "x", "--at", "x"], 2, "--at: expected name=value, got 'x'"),
        (["frobnicate"], 2, "invalid choice"),
        ([], 2, "no command given"),
    ],
)
def test_errors_are_one_line_in_a_real_process(argv: list[str], status: int, fragment: str) -> None:
    p = run_process(*argv)
    assert_one_error_line(p.returncode, p.stdout, p.stderr, status, "graphir: error: ", fragment)


def test_eval_in_a_real_process() -> None:
    p = run_process("eval", "ln(x1) + x1*x2 - sin(x2)", "--at", "x1=2,x2=5")
    assert (p.returncode, p.stdout, p.stderr) == (0, "11.652071455223084\n", "")


def test_installed_console_script() -> None:
    script = Path(sys.executable).parent / "graphir"
    if not script.exists():
        pytest.skip("graphir is not installed in this environment (run `make setup`)")
    p = subprocess.run(
        [str(script), "eval", "x*y", "--at", "x=2,y=3"], capture_output=True, text=True, timeout=60
    )
    assert (p.returncode, p.stdout, p.stderr) == (0, "6.0\n", "")


def test_broken_pipe_in_a_real_process_gives_no_traceback() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        [sys.executable, "-m", "graphir", "eval", "x", "--at", "x=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    ) as p:
        assert p.stdout is not None and p.stderr is not None
        p.stdout.close()  # before the program writes: its write then fails with EPIPE
        err = p.stderr.read()
        p.wait(timeout=60)
    assert "Traceback" not in err and err.count("\n") <= 1
    assert p.returncode in (0, 1)


# ------------------------------------------------------------------ the frame


def _replace_eval(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    def boom(args: object) -> int:
        raise exc

    monkeypatch.setitem(cli.COMMANDS, "eval", dataclasses.replace(cli.COMMANDS["eval"], run=boom))


def test_internal_error_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRAPHIR_DEBUG", raising=False)
    _replace_eval(monkeypatch, ZeroDivisionError("float division by zero"))
    status, out, err = run(capsys, "eval", "x")
    assert_one_error_line(
        status, out, err, 1, "graphir: internal error: ZeroDivisionError: float division by zero"
    )
    assert "GRAPHIR_DEBUG=1" in err


def test_debug_reraises_internal_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPHIR_DEBUG", "1")
    _replace_eval(monkeypatch, ZeroDivisionError("boom"))
    with pytest.raises(ZeroDivisionError, match="boom"):
        cli.main(["eval", "x"])


def test_keyboard_interrupt(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _replace_eval(monkeypatch, KeyboardInterrupt())
    status, out, err = run(capsys, "eval", "x")
    assert_one_error_line(status, out, err, 130, "graphir: interrupted")


def test_broken_pipe_in_process(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _replace_eval(monkeypatch, BrokenPipeError())
    status, out, err = run(capsys, "eval", "x")
    assert (status, out, err) == (1, "", "")


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    from graphir import __version__

    status, out, err = run(capsys, "--help")
    assert (status, err) == (0, "")
    assert "usage: graphir" in out and "eval" in out and "graphir eval 'ln(x1)" in out

    status, out, err = run(capsys, "--version")
    assert (status, out, err) == (0, f"graphir {__version__}\n", "")


@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_every_command_has_help_with_an_example(capsys: pytest.CaptureFixture[str], name: str) -> None:
    c = cli.COMMANDS[name]
    assert c.help and c.example.startswith(f"graphir {name} ")
    status, out, err = run(capsys, name, "--help")
    assert (status, err) == (0, "")
    assert out.startswith(f"usage: graphir {name}") and c.example in out


def test_help_in_a_real_process() -> None:
    p = run_process("eval", "--help")
    assert p.returncode == 0 and p.stderr == ""
    assert "--at NAME=VALUE" in p.stdout and "example:" in p.stdout


# ------------------------------------------------------------------ --at


def test_parse_at_values_and_forms() -> None:
    assert cli.parse_at(None) == {}
    assert cli.parse_at("x=2,y=3") == {"x": 2.0, "y": 3.0}
    assert cli.parse_at(" a = 1 , b=-2.5e-3 ") == {"a": 1.0, "b": -2.5e-3}
    assert cli.parse_at("t=pi/2,u=e,v=-pi") == {"t": math.pi / 2, "u": math.e, "v": -math.pi}
    assert cli.parse_at(["p=pow(2, 10)", "q=maximum(1,2),r=sqrt(2)"]) == {
        "p": 1024.0,
        "q": 2.0,
        "r": math.sqrt(2),
    }
    assert list(cli.parse_at("z=1,a=2")) == ["z", "a"]  # the order given


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("x", "expected name=value, got 'x'"),
        ("x=1,,y=2", "expected name=value, got ''"),
        ("x==1", "bad value for x"),
        ("x.y=1", "'x.y' is not a variable name"),
        ("x=1,x=1", "'x' is given twice"),
        ("x=a+1", "uses a"),
        ("x=log(0)", "not finite"),
        ("x=(1", "bad value for x"),
    ],
)
def test_parse_at_rejects(spec: str, message: str) -> None:
    with pytest.raises(cli.UsageError, match=re.escape(message)):
        cli.parse_at(spec)


def test_point_for_checks_names() -> None:
    f = gi.parse("a*b")
    assert cli.point_for(f, "b=1,a=2") == {"b": 1.0, "a": 2.0}
    assert cli.point_for(f, "a=2", require_all=False) == {"a": 2.0}
    with pytest.raises(EvalError, match="no value given for variable 'b'"):
        cli.point_for(f, "a=2")
    with pytest.raises(ArgumentError, match="'c', which the expression does not use .its variables are a, b"):
        cli.point_for(f, "a=1,b=2,c=3")
    with pytest.raises(ArgumentError, match="it has no variables"):
        cli.point_for(gi.parse("pi"), "c=3")


def test_cli_doctests() -> None:
    result = doctest.testmod(cli, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 6 and result.failed == 0


# ------------------------------------------------------------------ the demo and the README


def test_demo_prints_the_baydin_trace() -> None:
    p = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "baydin_nodes.py")],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert p.returncode == 0 and p.stderr == ""
    rows = {}
    for line in p.stdout.splitlines():
        m = re.fullmatch(r"\s*(v_-?\d+) = (.+?)\s+=\s+(\S+)", line)
        if m:
            rows[m.group(1)] = (m.group(2), float(m.group(3)))
    # Baydin et al. 2018, Table 2: the primal trace of ln(x1) + x1*x2 - sin(x2) at (2, 5).
    expected = {
        "v_-1": ("x1", 2.0),
        "v_0": ("x2", 5.0),
        "v_1": ("log(v_-1)", math.log(2)),
        "v_2": ("v_-1*v_0", 10.0),
        "v_3": ("sin(v_0)", math.sin(5)),
        "v_4": ("v_1 + v_2", math.log(2) + 10),
        "v_5": ("v_4 - v_3", BAYDIN),
    }
    assert list(rows) == list(expected)
    for name, (formula, value) in expected.items():
        assert rows[name][0] == formula
        assert rows[name][1] == pytest.approx(value, abs=5e-5)
    assert p.stdout.rstrip().endswith(f"= {BAYDIN!r}")


def _readme_blocks(language: str) -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def test_readme_python_examples_run() -> None:
    """The README's >>> examples, run as doctests in a fresh interpreter (as a reader would)."""
    blocks = _readme_blocks("python")
    assert blocks and all(">>> " in b for b in blocks), "the README shows Python usage as >>> examples"
    script = (
        "import doctest, sys\n"
        "blocks = sys.stdin.read().split('\\0')\n"
        "parser = doctest.DocTestParser()\n"
        "runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)\n"
        "glob = {}\n"
        "for k, block in enumerate(blocks):\n"
        "    runner.run(parser.get_doctest(block, glob, f'README block {k}', 'README.md', 0))\n"
        "r = runner.summarize(verbose=False)\n"
        "print(r.attempted, r.failed)\n"
    )
    p = subprocess.run(
        [sys.executable, "-c", script],
        input="\0".join(blocks),
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )
    assert p.returncode == 0, p.stderr
    attempted, failed = map(int, p.stdout.split()[-2:])
    assert failed == 0 and attempted >= 5, p.stdout


def test_readme_cli_examples_run() -> None:
    """Each `$ graphir ...` line of the README prints what the README says it prints."""
    import shlex

    found = 0
    for block in _readme_blocks("console"):
        lines = block.splitlines()
        for k, line in enumerate(lines):
            if not line.startswith("$ graphir "):
                continue
            argv = shlex.split(line[len("$ graphir ") :])
            shown = []
            for nxt in lines[k + 1 :]:
                if nxt.startswith("$ "):
                    break
                shown.append(nxt)
            p = run_process(*argv)
            assert (p.stdout + p.stderr).rstrip("\n").splitlines() == shown, line
            found += 1
    assert found >= 2


# ------------------------------------------------------------------ issue 8: numbers lost when read


@pytest.mark.parametrize(
    ("at", "value", "fragment"),
    [
        ("x=1e-400", "1.0", "x=1e-400: 1e-400 underflows to 0, so x is 0.0"),
        ("x=-1e-400", "1.0", "x=-1e-400: 1e-400 underflows to 0"),
        ("x=1/1e400", "1.0", "x=1/1e400: 1e400 overflows to inf, so x is 0.0"),
        ("x=1e-320", "1.0", "1e-320 underflows to the subnormal"),
        ("x=0.0000e-999", "1.0", None),  # zero written as zero: nothing is lost
        ("x=1e-300", "1.0", None),
    ],
)
def test_a_number_that_underflows_or_overflows_when_read_is_reported(
    capsys: pytest.CaptureFixture[str], at: str, value: str, fragment: str | None
) -> None:
    """--at x=1e-400 evaluated at 0 without a word (exit 0)."""
    status, out, err = run(capsys, "eval", "x*2 + 1", "--at", at)
    assert status == 0 and out == f"{value}\n"
    if fragment is None:
        assert err == ""
        return
    assert err.count("\n") == 1 and err.startswith("graphir: warning: --at: ") and fragment in err
    status, _, err_again = run(capsys, "eval", "x*2 + 1", "--at", at)
    assert err_again == err  # every run says it, not only the first in a process


def test_a_number_lost_when_read_is_reported_by_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["diff", "x*y", "--at", "x=1e-999,y=2"], ["compare", "x*y", "--at", "x=1e-999,y=2"]):
        status, _, err = run(capsys, *argv)
        assert status == 0 and "1e-999 underflows to 0, so x is 0.0" in err, err
