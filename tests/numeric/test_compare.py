"""compare(): every method side by side, errors against SymPy at 40 digits (or the complex step), formats."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import graphir as gi
from graphir.bridges import sympy_calculus
from graphir.build import Expr
from graphir.ir import Graph
from graphir.printing import error_number
from graphir.traversal import reachable

BAYDIN_GRAD = np.array([5.5, 2.0 - math.cos(5.0)])
METHODS = ["symbolic", "forward", "reverse", "fd-forward", "fd-backward", "fd-central", "fd-complex",
           "fd-richardson"]
TOLERANCE = {"symbolic": 1e-15, "forward": 1e-15, "reverse": 1e-15, "fd-forward": 1e-6,
             "fd-backward": 1e-6, "fd-central": 1e-9, "fd-complex": 1e-15, "fd-richardson": 1e-12}
FIELDS = {"method", "kind", "label", "values", "abs_error", "rel_error", "seconds", "size", "size_cse",
          "evals", "error_estimate", "step", "note"}


def baydin():
    x1, x2 = gi.symbols("x1 x2")
    return gi.log(x1) + x1 * x2 - gi.sin(x2)


@pytest.fixture(scope="module")
def comparison():
    return gi.compare(baydin(), {"x1": 2, "x2": 5})


def test_rows_values_and_errors(comparison):
    c = comparison
    assert c.methods == METHODS
    assert c.reference == "symbolic"
    assert c.wrt == ["x1", "x2"]
    ref = c.row("symbolic").values
    np.testing.assert_allclose(ref, BAYDIN_GRAD, rtol=1e-15)
    for r in c.rows:
        assert r.values.shape == (2,)
        np.testing.assert_allclose(r.values, BAYDIN_GRAD, rtol=TOLERANCE[r.method], atol=0)
        # Against the exact partials: the float nearest to 2 - cos(5) is 7.4e-17 from it.
        assert np.all(np.abs(r.abs_error - np.abs(r.values - ref)) <= 1.2e-16 * np.abs(ref))
        np.testing.assert_allclose(r.rel_error, r.abs_error / np.abs(ref))
        assert np.all(r.rel_error <= TOLERANCE[r.method])
        assert r.seconds > 0
    assert c.row("central") is c.row("fd-central")
    assert c["reverse"].kind == "ad" and c["fd-complex"].kind == "fd" and c["symbolic"].kind == "symbolic"


def test_sizes(comparison):
    c = comparison
    f = baydin()
    sym = c.row("symbolic")
    assert isinstance(sym.size, int) and isinstance(sym.size_cse, int)
    assert 0 < sym.size_cse <= sym.size
    for mode in ("forward", "reverse"):
        g = Graph()
        copy = Expr(g, g.copy_from(f.ir, [f.node])[f.node])
        partials = gi.grad(copy, mode=mode)
        assert c.row(mode).size == len(reachable(g, [p.node for p in partials]))
        assert c.row(mode).size > f.num_nodes - 1
        assert c.row(mode).size_cse is None
    for m in ("fd-forward", "fd-central", "fd-complex"):
        assert c.row(m).size == f.num_nodes
    assert [c.row(m).evals for m in METHODS[3:]] == [3, 3, 4, 2, 40]
    # Finite-difference rows carry their error estimate and step; it bounds the actual error.
    for m in METHODS[3:]:
        r = c.row(m)
        assert r.error_estimate.shape == (2,) and r.step.shape == (2,)
        assert np.all(r.abs_error <= 10 * r.error_estimate + 1e-15)


def test_user_graph_is_not_touched():
    f = baydin()
    before = len(f.ir)
    gi.compare(f, {"x1": 2, "x2": 5})
    assert len(f.ir) == before


def _table_lines(text: str) -> tuple[str, str, list[str]]:
    lines = text.splitlines()
    k = next(i for i, line in enumerate(lines) if line.startswith("----"))
    header, rule = lines[k - 1], lines[k]
    body = []
    for line in lines[k + 1:]:
        if not line.strip():
            break
        body.append(line)
    return header, rule, body


def test_str_is_an_aligned_table(comparison):
    text = str(comparison)
    assert text.splitlines()[0].startswith("Partial derivatives of log(x1) + x1*x2 - sin(x2) at x1=2, x2=5")
    assert "errors against SymPy's derivative evaluated to 40 digits (mpmath)" in text.splitlines()[0]
    header, rule, body = _table_lines(text)
    assert len(body) == len(METHODS)
    for name in ("method", "d/dx1", "d/dx2", "abs error", "rel error", "time [ms]", "size", "evals"):
        assert name in header
    gaps = [i for i, ch in enumerate(rule) if ch == " "]
    for line in [header, *body]:
        for i in gaps:
            assert i >= len(line) or line[i] == " ", (line, i)
    labels = [line.split("  ")[0].strip() for line in body]
    assert labels == [comparison.row(m).label for m in METHODS]
    # Errors with 2 significant digits, values with every digit.
    central = body[METHODS.index("fd-central")]
    assert "5.5" in body[0] and "1.71633781453677" in body[0]
    assert any(tok.endswith(("e-12", "e-11", "e-10", "e-13")) for tok in central.replace(",", " ").split())


def test_markdown_and_json_carry_the_same_fields(comparison):
    md = comparison.to_markdown()
    data = json.loads(comparison.to_json())
    header, _, body = _table_lines(str(comparison))
    md_lines = [line for line in md.splitlines() if line.startswith("|")]
    md_header = [c.strip() for c in md_lines[0].strip("|").split("|")]
    assert md_header == [c for c in header.split("  ") if c.strip()] or set(md_header) >= {
        "method", "d/dx1", "d/dx2", "abs error", "rel error", "time [ms]", "size", "size (cse)", "evals"}
    assert len(md_lines) == 2 + len(METHODS)
    assert data["reference"] == "symbolic"
    assert data["point"] == {"x1": 2.0, "x2": 5.0}
    assert data["wrt"] == ["x1", "x2"]
    assert [r["method"] for r in data["rows"]] == METHODS
    for row, r in zip(data["rows"], comparison.rows, strict=True):
        assert set(row) == FIELDS
        assert row["values"] == r.values.tolist()
        assert row["abs_error"] == r.abs_error.tolist()
        assert row["size"] == r.size and row["size_cse"] == r.size_cse
        cells = next(c for c in md_lines[2:] if c.startswith(f"| {r.label} |"))
        assert f"{r.seconds * 1e3:.2f}" in cells
        for v in r.abs_error:
            assert error_number(v) in cells  # "0" for an exact zero, else 2 significant digits


def test_reference_falls_back_to_the_complex_step(monkeypatch):
    def refuse(expr, at, wrt=None, **limits):
        raise gi.SymbolicError("too deeply nested for SymPy")

    monkeypatch.setattr(sympy_calculus, "precise_grad", refuse)
    c = gi.compare(baydin(), {"x1": 2, "x2": 5})
    assert c.reference == "fd-complex"
    sym = c.row("symbolic")
    assert np.all(np.isnan(sym.values)) and "too deeply nested" in sym.note
    assert np.all(c.row("fd-complex").abs_error == 0)
    assert np.all(c.row("reverse").rel_error < 1e-15)
    assert np.all(c.row("fd-central").rel_error < 1e-9)
    text = str(c)
    assert "errors against the complex step (SymPy gave no derivative)" in text.splitlines()[0]
    assert "SymPy cannot take it" in text
    data = json.loads(c.to_json())  # nan becomes null: still valid JSON
    assert data["reference"] == "fd-complex" and data["rows"][0]["values"] == [None, None]
    assert data["reference_label"].startswith("the complex step")


def test_text_input_wrt_and_single_variable():
    c = gi.compare("x^3", {"x": 2.0})
    assert c.row("symbolic").values.tolist() == [12.0]
    assert c.row("fd-complex").abs_error[0] <= 1e-14
    c = gi.compare(baydin(), {"x1": 2, "x2": 5}, wrt=["x2"])
    assert c.wrt == ["x2"] and c.row("reverse").values.shape == (1,)
    assert "d/dx1" not in str(c)


def test_expression_too_deep_for_sympy_uses_the_complex_step_as_reference():
    x = gi.symbols("x")
    e = x
    for _ in range(1100):  # deeper than the SymPy bridge takes
        e = gi.sin(e) * 0.5 + x
    c = gi.compare(e, {"x": 0.3})
    assert c.reference == "fd-complex"
    assert "SymPy cannot take it" in c.row("symbolic").note
    assert c.row("forward").abs_error[0] <= 1e-14
    assert c.row("fd-complex").rel_error[0] == 0
    assert c.row("fd-central").rel_error[0] <= 1e-8
    assert str(c).splitlines()[0].endswith("errors against the complex step (SymPy gave no derivative)")
