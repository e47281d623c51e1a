"""gi.lambdify: agreement with eval, outputs, argument order, and the generated source."""

from __future__ import annotations

import io
import keyword
import math
import re
import tokenize
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import graphir as gi
from graphir.build import Expr, as_expr
from graphir.ir import Graph
from graphir.primitives import PRIMITIVES
from tests.strategies import VARIABLES, points, recipes

FUNCTION_NAME = "_graphir_compiled"


def identifiers(source: str) -> set[str]:
    names = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.NAME and not keyword.iskeyword(tok.string):
            names.add(tok.string)
    return names


def allowed(name: str) -> bool:
    if name == FUNCTION_NAME or re.fullmatch(r"[avc]\d+", name):
        return True
    return name.startswith("op_") and name[3:] in PRIMITIVES


def baydin():
    x1, x2 = gi.symbols("x1 x2")
    return x1, x2, gi.log(x1) + x1 * x2 - gi.sin(x2)


def test_lambdify_matches_eval_on_random_arrays():
    x1, x2, f = baydin()
    rng = np.random.default_rng(20180207)
    a = rng.uniform(0.1, 5.0, 1000)
    b = rng.uniform(-5.0, 5.0, 1000)
    fn = gi.lambdify(f, [x1, x2])
    got = fn(a, b)
    np.testing.assert_array_equal(got, f.eval(x1=a, x2=b))
    np.testing.assert_allclose(got, np.log(a) + a * b - np.sin(b), rtol=1e-15, atol=1e-15)
    assert float(fn(2.0, 5.0)) == f.eval(x1=2, x2=5)
    # broadcasting works as in NumPy
    assert fn(a[:3].reshape(3, 1), b[:4]).shape == (3, 4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recipes(max_ops=8), points())
def test_lambdify_matches_eval_on_random_expressions(recipe, point):
    e = recipe.to_expr()
    fn = gi.lambdify(e, list(VARIABLES))
    shift = np.linspace(-0.5, 0.5, 7)
    arrays = {k: v + shift for k, v in point.items()}
    assert identifiers(fn.source) and all(allowed(n) for n in identifiers(fn.source))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            got = fn(*[arrays[n] for n in VARIABLES])
            scalar = fn(*[point[n] for n in VARIABLES])
        ref = e.eval(arrays)
        ref_scalar = e.eval(point)
    np.testing.assert_array_equal(np.broadcast_to(got, np.shape(ref)), ref)
    np.testing.assert_array_equal(float(scalar), ref_scalar)


def test_list_output_and_single_output():
    x, y = gi.symbols("x y")
    fn = gi.lambdify([x * y, x + y, gi.sin(x)], [x, y])
    out = fn(2.0, 3.0)
    assert isinstance(out, list) and len(out) == 3
    assert [float(v) for v in out] == [6.0, 5.0, math.sin(2.0)]
    one = gi.lambdify([x * y], [x, y])(2.0, 3.0)
    assert isinstance(one, list) and len(one) == 1
    single = gi.lambdify(x * y, [x, y])(np.array([1.0, 2.0]), 3.0)
    np.testing.assert_array_equal(single, [3.0, 6.0])


def test_argument_order_and_forms():
    x, y = gi.symbols("x y")
    f = x - y
    assert gi.lambdify(f, [x, y])(5.0, 1.0) == 4.0
    assert gi.lambdify(f, [y, x])(5.0, 1.0) == -4.0
    assert gi.lambdify(f, ["y", "x"])(5.0, 1.0) == -4.0
    assert gi.lambdify(gi.sin(x), x)(0.0) == 0.0  # one variable, not in a list
    assert gi.lambdify(gi.sin(x), "x")(0.0) == 0.0
    # an unused argument is accepted; a missing one is an error
    assert gi.lambdify(gi.sin(x), [x, y])(0.0, 123.0) == 0.0
    with pytest.raises(gi.EvalError, match="'y'"):
        gi.lambdify(f, [x])
    with pytest.raises(ValueError, match="repeated"):
        gi.lambdify(f, [x, y, x])
    with pytest.raises(TypeError):
        gi.lambdify(f, [x, 3])


def test_constants_and_leaves():
    x = gi.symbols("x")
    assert gi.lambdify(x + 0.1, [x])(0.0) == 0.1
    assert gi.lambdify(as_expr(math.pi), [x])(0.0) == math.pi
    assert gi.lambdify(x, [x])(2.5) == 2.5
    fn = gi.lambdify([x, 2 * x], [x])
    assert [float(v) for v in fn(3.0)] == [3.0, 6.0]


@pytest.mark.parametrize("name", ["os", "__import__", "eval", "exec", "sys", "open", "lambda_", "a0", "v3"])
def test_generated_source_uses_only_generated_identifiers(name):
    # symbols() refuses "__import__" (not a name text can read back); the IR takes any
    # name, and generated code must stay safe whatever the graph holds.
    g = Graph()
    t, u = Expr(g, g.var(name)), Expr(g, g.var("u"))
    f = gi.exp(t) * u + t / 2 - gi.maximum(t, u) ** 2
    fn = gi.lambdify(f, [t, u])
    ids = identifiers(fn.source)
    assert all(allowed(n) for n in ids), sorted(n for n in ids if not allowed(n))
    if name not in ("a0", "v3"):
        assert name not in fn.source
    assert "u" not in ids
    assert fn(1.0, 2.0) == pytest.approx(math.exp(1.0) * 2 + 0.5 - 4.0, rel=1e-15)


def test_each_shared_subexpression_is_computed_once():
    x, y = gi.symbols("x y")
    s = x + y
    f = s * s + gi.sin(s) * gi.sin(s)
    fn = gi.lambdify(f, [x, y])
    assignments = [ln for ln in fn.source.splitlines() if re.match(r"\s+v\d+ = ", ln)]
    assert len(assignments) == 5  # x+y, s*s, sin(s), sin*sin, the sum: once each
    assert sum("op_add(a0, a1)" in ln for ln in assignments) == 1
    assert sum("op_sin(" in ln for ln in assignments) == 1
    ops = [d["op"] for _, d in f.graph.nodes(data=True)]
    assert len(assignments) == sum(op not in ("var", "const") for op in ops)
    assert fn(1.0, 2.0) == pytest.approx(9.0 + math.sin(3.0) ** 2, rel=1e-15)


def test_source_is_attached_and_runs_alone():
    x1, x2, f = baydin()
    fn = gi.lambdify(f, [x1, x2])
    assert fn.source.startswith(f"def {FUNCTION_NAME}(a0, a1):")
    assert fn.source in fn.__doc__
    lines = [ln.strip() for ln in fn.source.splitlines()[1:]]
    assert lines[0].startswith("v") and "op_log(a0)" in lines[0]
    assert lines[-1].startswith("return (")


def test_generated_code_does_not_depend_on_nfkc_forms_of_op_names():
    """A primitive named "ｓｉｎ" (full width) made lambdify call np.sin: Python reads
    identifiers after NFKC normalisation.  register_primitive refuses such names now;
    an op put into the table by hand still compiles to an identifier of its own."""
    import dataclasses

    from graphir.build import _apply

    PRIMITIVES["ｓｉｎ"] = dataclasses.replace(PRIMITIVES["cos"], name="ｓｉｎ", user=True)
    try:
        x = gi.symbols("x")
        f = _apply("ｓｉｎ", x) + gi.sin(x)
        fn = gi.lambdify(f, [x])
        assert fn(2.0) == f.eval(x=2.0) == math.cos(2.0) + math.sin(2.0)
        assert "ｓｉｎ" not in fn.source
    finally:
        del PRIMITIVES["ｓｉｎ"]


@pytest.mark.parametrize("op", ["abs", "sign", "heaviside", "maximum", "minimum"])
def test_complex_input_to_a_real_only_primitive_is_refused(op):
    """np.abs(3+4j) is 5 and graphir's eval gave 3+4j: neither is right for a real function."""
    x, y = gi.symbols("x y")
    f = PRIMITIVES[op] and getattr(gi, op)(*([x, y][: PRIMITIVES[op].arity])) * y
    fn = gi.lambdify(f, [y, x])
    with pytest.raises(gi.EvalError, match=f"{op} takes real numbers only, and x is complex"):
        fn(1.0, 3 + 4j)
    assert fn(1.0, 3.0) == f.eval(x=3.0, y=1.0)
    g = gi.lambdify(gi.sin(x) * y, [x, y])  # analytic: complex input is fine
    assert g(1j, 2.0) == pytest.approx(2 * np.sin(1j))
