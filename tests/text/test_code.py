"""gi.to_python: readable Python of the computation and of its adjoint program, which
runs and gives lambdify's numbers (issue 9, item 4)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphir as gi
from graphir.text.code import _comment
from tests.strategies import EXAMPLES, points, recipes, wild_points, wild_recipes

x, y = gi.symbols("x y")


def run(source: str, name: str = "f"):
    namespace: dict = {}
    exec(compile(source, "<to_python>", "exec"), namespace)  # the generated code under test
    return namespace[name]


def same(a, b) -> None:
    np.testing.assert_array_equal(np.asarray(a, dtype=complex), np.asarray(b, dtype=complex))


def check_grad(e: gi.Expr, xs: list[float]) -> None:
    names = [v.name for v in e.variables] if hasattr(e.variables[0], "name") else None
    variables = list(e.variables)
    f = run(gi.to_python(e, grad=True))
    value, partials = f(*xs)
    want_value = gi.lambdify(e, variables)(*xs)
    want = gi.lambdify(list(gi.grad(e)), variables)(*xs)
    assert names is None or len(names) == len(xs)
    same(value, want_value)
    assert len(partials) == len(want)
    for got, w in zip(partials, want, strict=True):
        same(got, w)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recipes(max_ops=8), points())
def test_gradient_program_gives_lambdify_numbers(recipe, point):
    e = recipe.to_expr()
    if not e.variables:
        return
    xs = [point[str(v)] for v in e.variables]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        check_grad(e, xs)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wild_recipes(max_ops=5), wild_points())
def test_primal_program_gives_lambdify_numbers_even_at_wild_points(recipe, point):
    e = recipe.to_expr()
    variables = list(e.variables)
    xs = [point[str(v)] for v in variables]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        got = run(gi.to_python([e, e * 2], name="g"), "g")(*xs)
        want = gi.lambdify([e, e * 2], variables)(*xs)
        same(got, want)
        if variables:
            check_grad(e, xs)


def test_arrays_and_the_gradient_of_a_deep_derivative():
    f = x
    for _ in range(6):
        f = gi.sin(f) * f
    d = gi.diff(f, x)
    e = d * y
    xs = [np.linspace(-2, 2, 7), 0.5]
    check_grad(e, xs)


def test_one_statement_per_node_and_per_step():
    f = gi.log(x) + x * y - gi.sin(y)
    src = gi.to_python(f, grad=True)
    body = [ln for ln in src.splitlines() if ln.startswith("    ") and not ln.strip().startswith(("#", '"'))]
    r = gi.reverse_pass(f)
    conversions = 2  # x = np.asarray(x) * 1.0, the same for y
    primal = 5  # log, mul, sin, add, sub
    assert len(body) == conversions + primal + 1 + len(r.steps) + 1  # seed, steps, return
    assert "    x_bar = x_bar + 1.0 / x  # v̄₋₁ += v̄₁ · ∂v₁/∂v₋₁  (1/v₋₁)" in src
    assert "    v3 = np.sin(y)  # v₃ = sin(v₀)" in src


def identifiers(source: str) -> set[str]:
    tree = ast.parse(source)
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            out.add(node.id)
        elif isinstance(node, ast.arg):
            out.add(node.arg)
        elif isinstance(node, ast.FunctionDef):
            out.add(node.name)
    return out


def test_only_identifiers_graphir_made():
    v1, np_, x_bar = gi.symbols("v1 np x_bar")
    e = gi.sigmoid(v1 * np_) + x_bar * x
    src = gi.to_python(e, grad=True)
    made = re.compile(r"(v\d+|d\d+|[a-z]\w*_bar|arg\d+|np|PRIMITIVES|sigmoid|f|x|v1|x_bar)_*\Z")
    assert all(made.match(n) for n in identifiers(src)), identifiers(src)
    f = run(src)
    point = {"v1": 0.3, "np": 0.7, "x_bar": 1.5, "x": 2.0}
    args = [point[v.name] for v in e.variables]  # parameters come in creation order
    value, grads = f(*args)
    same(value, e.eval(point))
    want = gi.lambdify(list(gi.grad(e)), list(e.variables))(*args)
    for g, w in zip(grads, want, strict=True):
        same(g, w)


def test_comments_never_break_out():
    assert _comment("a\nb\rc\u2028d\x0ce\u202ef") == "a?b?c?d?e?f"
    src = gi.to_python(x * x)
    starts = ("import", "from", "def", "    ", "sigmoid")
    assert all(not ln.strip() or ln.startswith(starts) for ln in src.splitlines())


def test_wrt_a_subset_and_an_unused_variable():
    z = gi.symbols("z")
    f = run(gi.to_python(x * y, grad=True, wrt=[y, z]))
    value, (dy, dz) = f(2.0, 3.0)
    assert (float(value), float(dy), dz) == (6.0, 2.0, 0.0)


def test_bad_arguments():
    for call in (lambda: gi.to_python(x, name="f-1"), lambda: gi.to_python([x, y], grad=True),
                 lambda: gi.to_python(x, name="lambda")):
        try:
            call()
        except gi.ArgumentError as exc:
            assert "\n" not in str(exc)
        else:
            raise AssertionError("expected ArgumentError")


def test_cli_diff_code_runs(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "graphir", "diff", "ln(x1) + x1*x2 - sin(x2)", "--code"],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout
    f = run(out)
    value, (d1, d2) = f(2.0, 5.0)
    assert round(float(value), 3) == 11.652 and float(d1) == 5.5 and round(float(d2), 3) == 1.716
    bad = subprocess.run(
        [sys.executable, "-m", "graphir", "diff", "x*y", "--code", "--mode", "forward"],
        capture_output=True, text=True, timeout=60,
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--code" in bad.stderr


@given(st.sampled_from(["x", "y"]))
def test_single_variable_function(name):
    v = gi.symbols(name)
    f = run(gi.to_python(gi.exp(v) * v, grad=True))
    value, (d,) = f(1.0)
    assert float(d) == float(gi.grad(gi.exp(v) * v)[0].eval({name: 1.0}))


def test_a_named_intermediate_is_named_in_code_and_comments():
    a, b = gi.symbols("a b")
    u = (a + b).named("u")
    f = gi.sin(u) * u
    src = gi.to_python(f, grad=True)
    assert "    u = a + b  # u = v₋₁ + v₀" in src
    assert "# v₁ = sin(u)" in src and "# v₂ = v₁*u" in src
    assert "ū" in src and "v̄₁ +=" in src
    value, grads = run(src)(0.4, 0.9)
    same(value, f.eval(a=0.4, b=0.9))
    for g, w in zip(grads, gi.lambdify(list(gi.grad(f)), [a, b])(0.4, 0.9), strict=True):
        same(g, w)
