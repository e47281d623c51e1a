"""Every input that ever made graphir fail, replayed through the surface it failed on: each
gives a typed error or the right value, in bounded time.

The corpus is tests/fuzz/corpus/: ``parse.jsonl`` (text for gi.parse, with the value expected
at a point or ``"error": true``), ``sympy.jsonl`` (text whose to_sympy must succeed or raise a
GraphirError), ``cli.jsonl`` (command lines, with the exit statuses allowed) and ``json/``
(documents for gi.from_json).  Add every new failing input there.  An entry with ``"known"``
names a finding of issue 8 another change fixes; it runs as an expected failure until then.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import graphir as gi
from tests.fuzz.common import XFAIL_JSON, XFAIL_SYMPY, same_value, time_limit
from tests.fuzz.test_fuzz_cli import run_cli
from tests.fuzz.test_fuzz_json import assert_valid, load_or_error
from tests.fuzz.test_fuzz_parse import assert_reads_back, parse_or_error

CORPUS = Path(__file__).parent / "corpus"


def _entries(name: str) -> list[Any]:
    out = []
    for k, line in enumerate((CORPUS / name).read_text(encoding="utf-8").splitlines()):
        entry = json.loads(line)
        known = entry.get("known")
        reason = XFAIL_JSON if known in ("2", "6") and name != "cli.jsonl" else XFAIL_SYMPY
        marks = [pytest.mark.xfail(strict=False, reason=f"{reason} (finding {known})")] if known else []
        label = str(entry.get("input", entry.get("argv")))[:40]
        out.append(pytest.param(entry, marks=marks, id=f"{k}:{label}"))
    return out


def _number(v: Any) -> float:
    return float(v)  # "nan", "inf" and "-inf" as float() reads them


@pytest.mark.parametrize("entry", _entries("parse.jsonl"))
def test_parse_corpus(entry):
    e = parse_or_error(entry["input"])
    if entry.get("error"):
        assert e is None, f"{entry['input']!r} should be a ParseError"
        return
    assert e is not None
    assert [v.name for v in e.variables] == entry["variables"]
    with warnings.catch_warnings(), np.errstate(all="ignore"), time_limit(10.0, entry["input"][:40]):
        warnings.simplefilter("ignore")
        value = e.eval(entry["at"])
    assert same_value(value, _number(entry["value"]))
    assert_reads_back(e, entry["at"])


@pytest.mark.parametrize("entry", _entries("sympy.jsonl"))
def test_sympy_corpus(entry):
    e = gi.parse(entry["input"])
    with time_limit(20.0, entry["input"]):
        try:
            s = e.to_sympy()
        except gi.GraphirError:
            return
    assert "nan" not in {str(v) for v in s.free_symbols} and "inf" not in {str(v) for v in s.free_symbols}


@pytest.mark.parametrize("entry", _entries("cli.jsonl"))
def test_cli_corpus(entry, tmp_path):
    argv = entry["argv"]
    if "subprocess" in entry:
        try:
            done = subprocess.run(
                [sys.executable, "-m", "graphir", *argv],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=entry["subprocess"],
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"graphir {' '.join(argv)} ran past {entry['subprocess']} s")
        status, stdout, stderr = done.returncode, done.stdout, done.stderr
        assert "Traceback" not in stderr and "internal error" not in stderr
    else:
        status, stdout, stderr = run_cli(argv, seconds=60.0)
    assert status in entry["status"], f"exit status {status}: {stderr}"
    if "stdout" in entry:
        assert stdout == entry["stdout"]
    if "not_in_stdout" in entry:
        assert entry["not_in_stdout"] not in stdout
    if "stderr_contains" in entry:
        assert "warning" in stderr and entry["stderr_contains"] in stderr


def _documents() -> list[Any]:
    known = json.loads((CORPUS / "known.json").read_text())
    return [
        pytest.param(
            p,
            marks=[pytest.mark.xfail(strict=False, reason=f"{XFAIL_JSON} (finding {known[p.name]})")]
            if p.name in known
            else [],
            id=p.name,
        )
        for p in sorted((CORPUS / "json").glob("*.json"))
    ]


@pytest.mark.parametrize("path", _documents())
def test_json_corpus(path):
    loaded = load_or_error(path.read_bytes())
    if loaded is None:
        return
    assert_valid(loaded)
    e = loaded if not isinstance(loaded, list) else loaded[0]
    assert all(v.name.isidentifier() for v in e.variables)
    gi.grad(e)
    gi.to_dot(e)
    assert not math.isnan(len(gi.to_json(e)))
