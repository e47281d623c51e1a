"""The SymPy bridge, conversion: to_sympy / from_sympy round trips, constants, depth caps."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given
from sympy.codegen.cfunctions import expm1 as sp_expm1
from sympy.codegen.cfunctions import log1p as sp_log1p

import graphir as gi
from graphir import primitives
from graphir.bridges import sympy_convert as sb
from tests.bridges.sympy_helpers import (
    PROPERTY,
    SX,
    SY,
    SZ,
    X,
    Y,
    apply_op,
    canonical,
    doubles_only,
    precise,
    values,
)
from tests.strategies import Recipe, builtin_ops, points, recipes

pytestmark = pytest.mark.filterwarnings("ignore::graphir.EvalWarning")


# ------------------------------------------------------------------ every primitive


@pytest.mark.parametrize("name", builtin_ops())
def test_every_primitive_round_trips_with_its_own_op(name: str) -> None:
    p = primitives.PRIMITIVES[name]
    e = apply_op(name, *(X, Y)[: p.arity])
    s = sb.to_sympy(e)
    back = sb.from_sympy(s)
    assert back.op == name  # sqrt stays sqrt (not x**0.5), sigmoid stays sigmoid
    assert back == e  # the whole structure, operands in order
    assert back.to_sympy() == s
    assert gi.from_sympy(s) == e  # the public name routes here
    assert e.to_sympy() == s


@pytest.mark.parametrize("name", builtin_ops())
def test_every_primitive_has_the_value_of_its_sympy_form(name: str) -> None:
    # NumPy value of the graph vs mpmath value of the SymPy form, inside the op's domain.
    p = primitives.PRIMITIVES[name]
    e = apply_op(name, *(X, Y)[: p.arity])
    s = sb.to_sympy(e)
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    for _ in range(5):
        point = {}
        for var, dom in zip(("x", "y"), p.domain, strict=False):
            lo, hi = primitives.DOMAINS[dom][rng.integers(len(primitives.DOMAINS[dom]))]
            point[var] = float(rng.uniform(lo, hi))
        expected = float(s.evalf(30, subs={sb.symbol(k): sp.Float(v, 30) for k, v in point.items()}))
        assert e.eval(point) == pytest.approx(expected, rel=1e-13, abs=1e-15)


def test_from_sympy_accepts_symbols_without_assumptions() -> None:
    x, y = sp.symbols("x y")
    e = gi.from_sympy(sp.sin(x) * y)
    assert sorted(v.name for v in e.variables) == ["x", "y"]
    assert e.eval(x=0.5, y=3.0) == pytest.approx(3 * math.sin(0.5), rel=1e-15)
    assert e == Y * gi.sin(X)  # SymPy's order of factors


# ------------------------------------------------------------------ constants


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2.0, sp.Integer(2)),
        (-7.0, sp.Integer(-7)),
        (0.0, sp.Integer(0)),
        (-0.0, sp.Integer(0)),  # SymPy has no signed zero
        (0.5, sp.Rational(1, 2)),
        (-0.375, sp.Rational(-3, 8)),
        (math.pi, sp.pi),
        (math.e, sp.E),
        (math.inf, sp.oo),
        (-math.inf, -sp.oo),
        (math.nan, sp.nan),
    ],
)
def test_constants_to_sympy(value: float, expected: object) -> None:
    assert sb.to_sympy(gi.build.as_expr(value)) == expected


@pytest.mark.parametrize("value", [0.1, -1.0 / 3.0, 1e-300, 2.0**60 + 2.0**8, 1.7976931348623157e308, 5e-324])
def test_other_floats_become_exact_floats(value: float) -> None:
    s = sb.to_sympy(gi.build.as_expr(value))
    assert float(s) == value  # the double, exactly
    back = sb.from_sympy(s)
    assert back.op == "const" and back.value == value


def test_numbers_from_sympy() -> None:
    assert sb.from_sympy(sp.pi).value == math.pi
    assert sb.from_sympy(sp.E).value == math.e
    assert sb.from_sympy(sp.Float("0.1")).value == 0.1
    assert sb.from_sympy(sp.Integer(3)).value == 3.0
    assert sb.from_sympy(sp.Rational(3, 4)).value == 0.75
    third = sb.from_sympy(sp.Rational(-1, 3))  # not a binary fraction: kept as a division
    assert str(third) == "-1/3" and third.op == "div"
    assert third.to_sympy() == sp.Rational(-1, 3)
    assert sb.from_sympy(sp.oo).value == math.inf
    assert sb.from_sympy(-sp.oo).value == -math.inf
    assert math.isnan(sb.from_sympy(sp.nan).value)
    assert sb.from_sympy(sp.GoldenRatio).value == pytest.approx((1 + math.sqrt(5)) / 2, rel=1e-15)
    assert sb.from_sympy(2.5).value == 2.5  # a Python number is fine too


# ------------------------------------------------------------------ readable graphs


@pytest.mark.parametrize(
    ("sympy_expr", "text", "op"),
    [
        (SX - SY, "x - y", "sub"),
        (-SX, "-x", "neg"),
        (SX / SY, "x/y", "div"),
        (1 / SX, "1/x", "div"),
        (SX**-2, "1/x**2", "div"),
        (1 / sp.sqrt(SX), "1/sqrt(x)", "div"),
        (SX**sp.Rational(3, 2), "x**1.5", "pow"),
        (SX ** sp.Rational(1, 3), "x**(1/3)", "pow"),
        (-2 * SX * SY / (3 * SZ), "-2*x*y/(3*z)", "div"),
        (-SX / 3, "-x/3", "div"),
        (SY - SX + 2, "y - x + 2", "add"),
        (-SX - SY, "-x - y", "sub"),
        (SX - 1, "x - 1", "sub"),
        (2 * SX - sp.Float(0.1) * SY, "2*x - 0.1*y", "sub"),
        (sp.Max(SX, SY, SZ), "maximum(maximum(x, y), z)", "maximum"),
        (sp.Min(SX, SY, 1), "minimum(minimum(1, x), y)", "minimum"),
        (2 / (1 + sp.exp(-SX)), "2*sigmoid(x)", "mul"),
        (sp.exp(SX), "exp(x)", "exp"),
        (sp.E**SX, "exp(x)", "exp"),
        (sp.Heaviside(SX), "heaviside(x)", "heaviside"),
        (sp_log1p(SX) + sp_expm1(SY), "expm1(y) + log1p(x)", "add"),
        (sp.sec(SX), "1/cos(x)", "div"),  # rewritten into functions graphir has
        (sp.cot(SX), "1/tan(x)", "div"),
        (sp.asinh(SX), "log(x + sqrt(x**2 + 1))", "log"),
    ],
)
def test_from_sympy_builds_readable_graphs(sympy_expr: object, text: str, op: str) -> None:
    e = sb.from_sympy(sympy_expr)
    assert str(e) == text
    assert e.op == op
    at = {SX: sp.Float("0.3"), SY: sp.Float("0.7"), SZ: sp.Float("1.3")}
    assert float(e.to_sympy().evalf(30, subs=at)) == pytest.approx(float(sympy_expr.evalf(30, subs=at)))


def test_from_sympy_results_live_in_a_new_graph() -> None:
    a = sb.from_sympy(SX + 1)
    b = sb.from_sympy(SX + 1)
    assert a.ir is not b.ir
    assert a == b


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        (sp.Piecewise((1, SX > 0), (0, True)), "Piecewise"),
        (sp.DiracDelta(SX), "DiracDelta"),
        (sp.I * SX, "imaginary unit"),
        (sp.zoo, "complex infinity"),
        (sp.Function("f")(SX), "f(x)"),
        (sp.Heaviside(SX, 0), "Heaviside(x, 0)"),
        (SX > 1, "StrictGreaterThan"),
        (sp.Derivative(sp.Function("f")(SX), SX), "Derivative"),
        (sp.besselj(0, SX), "besselj"),
    ],
)
def test_from_sympy_names_what_it_cannot_take(bad: object, words: str) -> None:
    with pytest.raises(gi.SymbolicError, match="no graphir counterpart") as info:
        sb.from_sympy(bad)
    assert words in str(info.value)


def test_from_sympy_rejects_non_sympy_objects() -> None:
    with pytest.raises(TypeError, match="SymPy expression"):
        sb.from_sympy("x + 1")  # text is never sympified
    with pytest.raises(TypeError, match="already a graphir expression"):
        sb.from_sympy(X)


# ------------------------------------------------------------------ random expressions


@PROPERTY
@given(recipes(), points())
def test_operators_text_and_sympy_agree(r: Recipe, point: dict[str, float]) -> None:
    e = r.to_expr()
    # Text built independently, and the printer's own text, parse back.
    assert gi.parse(r.to_text()) == e
    printed = gi.parse(str(e))
    # SymPy built independently from the recipe is what to_sympy gives.
    s = sb.to_sympy(e)
    assert s == r.to_sympy()
    back = sb.from_sympy(s)

    v = values(e, point)
    assume(math.isfinite(v))
    assert values(printed, point) == pytest.approx(v, rel=1e-12, abs=1e-300)
    # The SymPy round trip may regroup terms (x - x -> 0, 2*(a + b) -> 2*a + 2*b),
    # so it is compared where float evaluation itself is reliable: where the graph's
    # float value matches a 40-digit evaluation of the same expression.
    exact = precise(s, point)
    assume(exact.imag == 0 and math.isfinite(exact.real))
    assume(math.isclose(v, exact.real, rel_tol=1e-11, abs_tol=1e-12))
    w = values(back, point)
    assert math.isclose(w, exact.real, rel_tol=1e-9, abs_tol=1e-9), (str(e), str(back), v, w)


@PROPERTY
@given(recipes())
def test_to_sympy_from_sympy_round_trip_is_stable(r: Recipe) -> None:
    s = sb.to_sympy(r.to_expr())
    assume(doubles_only(s) and canonical(s))
    back = sb.from_sympy(s)
    assert back.to_sympy() == s
    # ... and a second trip changes nothing either.
    assert sb.from_sympy(back.to_sympy()) == back


# ------------------------------------------------------------------ depth caps


def test_a_100000_node_chain_gives_symbolic_error_not_recursion_error() -> None:
    e = X
    for _ in range(100_000):
        e = gi.sin(e)
    with pytest.raises(gi.SymbolicError, match=r"100000 levels deep.*at most 1000"):
        sb.to_sympy(e)
    for fn in (gi.simplify, gi.symbolic_grad, lambda e: e.to_sympy()):
        with pytest.raises(gi.SymbolicError):
            fn(e)


def test_a_long_sum_is_capped_too() -> None:
    terms = gi.symbols([f"x{i}" for i in range(100_000)])
    e = terms[0]
    for t in terms[1:]:
        e = e + t
    with pytest.raises(gi.SymbolicError, match="levels deep"):
        sb.to_sympy(e)


def test_the_sympy_depth_is_capped_with_depth_and_cap_in_the_message() -> None:
    e = X
    for _ in range(60):
        e = gi.sigmoid(e)  # four SymPy levels each: 1/(1 + exp(-u))
    with pytest.raises(gi.SymbolicError, match=rf"at least \d+ levels deep.*at most {sb.MAX_SYMPY_DEPTH}"):
        sb.to_sympy(e)


def test_sums_of_many_terms_are_fine() -> None:
    # Depth counts SymPy levels, and a sum is one flat Add in SymPy.
    terms = gi.symbols([f"x{i}" for i in range(300)])
    e = terms[0]
    for t in terms[1:]:
        e = e + gi.sin(t)
    s = sb.to_sympy(e)
    assert len(s.args) == 300
    assert sb.from_sympy(s).to_sympy() == s


def test_from_sympy_is_iterative() -> None:
    s = SX
    for _ in range(5000):
        s = sp.sin(s, evaluate=False)
    e = sb.from_sympy(s)
    assert e.num_nodes == 5001
    assert e.eval(x=0.5) == pytest.approx(_iterate_sin(0.5, 5000), rel=1e-12)


def _iterate_sin(v: float, n: int) -> float:
    for _ in range(n):
        v = math.sin(v)
    return v


# ------------------------------------------------------------ issue 8: foreign exceptions


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("minimum(asin(2), x)", "SymPy cannot build minimum(asin(2), x): ValueError"),  # not comparable
        ("maximum(x, acos(3))", "SymPy cannot build maximum(x, acos(3)): ValueError"),
        ("exp(2**1e200)", "SymPy cannot build exp(2.2384677975828"),  # OverflowError inside SymPy
    ],
)
def test_sympy_errors_become_symbolic_errors(text: str, fragment: str) -> None:
    """They escaped as SymPy's ValueError and Python's OverflowError."""
    with pytest.raises(gi.SymbolicError) as info:
        gi.parse(text).to_sympy()
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_a_user_primitive_whose_sympy_form_fails_is_a_symbolic_error() -> None:
    def broken(sp_, x):
        raise AttributeError("no such thing")

    f = gi.register_primitive("broken_sympy", np.sin, [lambda b, out, x: b.cos(x)], sympy=broken)
    try:
        with pytest.raises(gi.SymbolicError, match="SymPy cannot build broken_sympy.*AttributeError"):
            f(gi.symbols("x")).to_sympy()
    finally:
        gi.unregister_primitive("broken_sympy")


@pytest.mark.parametrize("value", [sp.Integer(10**5000), sp.Integer(-(10**400)), sp.Rational(10**5000, 3)])
def test_huge_sympy_numbers_are_symbolic_errors(value) -> None:
    """Integer(10**5000) raised ValueError (Python will not print 5001 digits)."""
    with pytest.raises(gi.SymbolicError, match="too large for a float") as info:
        gi.from_sympy(value)
    assert len(str(info.value)) < 200


@pytest.mark.parametrize("name", ["1x", "x y", "sin", "ln", "pi", "E_", "e", "lambda", "__x", "x'", "θ"])
def test_sympy_symbols_text_cannot_read_back_are_refused(name: str) -> None:
    if name == "E_":
        assert str(gi.from_sympy(sp.Symbol(name))) == "E_"  # fine: not the constant e
        return
    with pytest.raises(gi.SymbolicError, match=f"the SymPy symbol {name!r} cannot be a graphir variable"):
        gi.from_sympy(sp.Symbol(name) + 1)
