"""The SymPy bridge: to_sympy / from_sympy round trips, simplify, symbolic_grad, depth caps."""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from sympy.codegen.cfunctions import expm1 as sp_expm1
from sympy.codegen.cfunctions import log1p as sp_log1p

import graphir as gi
from graphir import primitives
from graphir.bridges import sympy_bridge as sb
from graphir.build import FUNCTIONS
from tests.strategies import EXAMPLES, Recipe, builtin_ops, points, recipes

X, Y, Z = gi.symbols("x y z")
SX, SY, SZ = (sp.Symbol(n, real=True) for n in "xyz")
PROPERTY = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

pytestmark = pytest.mark.filterwarnings("ignore::graphir.EvalWarning")


def _apply(name: str, *args: object) -> gi.Expr:
    return FUNCTIONS[name](*args)


# ------------------------------------------------------------------ every primitive


@pytest.mark.parametrize("name", builtin_ops())
def test_every_primitive_round_trips_with_its_own_op(name: str) -> None:
    p = primitives.PRIMITIVES[name]
    e = _apply(name, *(X, Y)[: p.arity])
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
    e = _apply(name, *(X, Y)[: p.arity])
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


def _values(e: gi.Expr, point: dict[str, float]) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return e.eval(point)


def _precise(s: object, point: dict[str, float]) -> float:
    subs = {sb.symbol(k): sp.Float(v, 40) for k, v in point.items()}
    return complex(s.evalf(40, subs=subs))


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

    v = _values(e, point)
    assume(math.isfinite(v))
    assert _values(printed, point) == pytest.approx(v, rel=1e-12, abs=1e-300)
    # The SymPy round trip may regroup terms (x - x -> 0, 2*(a + b) -> 2*a + 2*b),
    # so it is compared where float evaluation itself is reliable: where the graph's
    # float value matches a 40-digit evaluation of the same expression.
    exact = _precise(s, point)
    assume(exact.imag == 0 and math.isfinite(exact.real))
    assume(math.isclose(v, exact.real, rel_tol=1e-11, abs_tol=1e-12))
    w = _values(back, point)
    assert math.isclose(w, exact.real, rel_tol=1e-9, abs_tol=1e-9), (str(e), str(back), v, w)


def _doubles_only(s: object) -> bool:
    """True when every number in ``s`` is exactly a double (or p/q of two such integers).

    SymPy sometimes makes numbers no double holds, e.g. ``log1p(0.01)`` becomes
    ``log(Rational(1.01...))`` with a 58-bit numerator; graphir keeps the nearest
    double there, so such expressions cannot come back identical.
    """
    for r in s.atoms(sp.Rational):
        if max(abs(int(r.p)), int(r.q)) > 2**53 and Fraction(float(r)) != Fraction(int(r.p), int(r.q)):
            return False
    return True


def _canonical(s: sp.Basic) -> bool:
    """True when rebuilding ``s`` from its parts gives ``s`` again.

    SymPy occasionally leaves a part in a form its own constructors would not
    produce (``Abs(Abs(x)/2)`` becomes ``Abs(Abs(x))/2``, and ``Abs(Abs(x))``
    would evaluate to ``Abs(x)``); graphir rebuilds through those constructors.
    """
    if not s.args:
        return True
    return all(_canonical(a) for a in s.args) and s.func(*s.args) == s


@PROPERTY
@given(recipes())
def test_to_sympy_from_sympy_round_trip_is_stable(r: Recipe) -> None:
    s = sb.to_sympy(r.to_expr())
    assume(_doubles_only(s) and _canonical(s))
    back = sb.from_sympy(s)
    assert back.to_sympy() == s
    # ... and a second trip changes nothing either.
    assert sb.from_sympy(back.to_sympy()) == back


@PROPERTY
@given(recipes(max_ops=4), points())
def test_symbolic_grad_matches_sympy_diff(r: Recipe, point: dict[str, float]) -> None:
    e = r.to_expr()
    s = r.to_sympy()
    names = [v.name for v in e.variables]
    grads = sb.symbolic_grad(e)
    assert len(grads) == len(names)
    for name, d in zip(names, grads, strict=True):
        # SymPy's derivative of the independently built SymPy form, where SymPy gives a
        # real answer (it cannot always prove abs/sign arguments real; the bridge can).
        expected = sp.diff(s, sb.symbol(name)).replace(sp.DiracDelta, lambda *a: sp.S.Zero)
        if expected.has(sp.Derivative, sp.im, sp.re, sp.I):
            continue
        if _doubles_only(expected) and _canonical(expected):
            assert d.to_sympy() == expected
        v = _values(d, point)
        if math.isfinite(v):
            exact = _precise(expected, point)
            if exact.imag == 0 and math.isfinite(exact.real):
                assert math.isclose(v, exact.real, rel_tol=1e-7, abs_tol=1e-7), (str(d), v, exact)


# ------------------------------------------------------------------ symbolic_grad


def test_symbolic_grad_baydin_example() -> None:
    x1, x2 = gi.symbols("x1 x2")
    f = gi.parse("ln(x1) + x1*x2 - sin(x2)")
    d1, d2 = gi.symbolic_grad(f)
    s1, s2 = sp.symbols("x1 x2", real=True)
    assert sp.simplify(d1.to_sympy() - (1 / s1 + s2)) == 0
    assert sp.simplify(d2.to_sympy() - (s1 - sp.cos(s2))) == 0
    assert d1.eval(x1=2, x2=5) == pytest.approx(5.5, rel=1e-15)
    assert d2.eval(x1=2, x2=5) == pytest.approx(2 - math.cos(5), rel=1e-15)
    assert d1.ir is d2.ir  # one graph for all partials


@pytest.mark.parametrize(
    ("expr", "wrt", "closed_forms"),
    [
        (X * Y * Z, None, [SY * SZ, SX * SZ, SX * SY]),
        (gi.sigmoid(X), None, [sp.exp(-SX) / (1 + sp.exp(-SX)) ** 2]),
        (gi.exp(X * Y) / Y, ["y"], [sp.exp(SX * SY) * (SX * SY - 1) / SY**2]),
        (gi.sqrt(X * X + Y * Y), [X, Y], [SX / sp.sqrt(SX**2 + SY**2), SY / sp.sqrt(SX**2 + SY**2)]),
        (abs(X) * Y, None, [sp.sign(SX) * SY, sp.Abs(SX)]),
        (gi.maximum(X, Y), None, [sp.Heaviside(SX - SY), sp.Heaviside(SY - SX)]),
        (gi.minimum(X, 2 * Y), None, [sp.Heaviside(2 * SY - SX), 2 * sp.Heaviside(SX - 2 * SY)]),
        (gi.log1p(X) + gi.expm1(Y), None, [1 / (1 + SX), sp.exp(SY)]),
        (gi.atan(X / Y), None, [SY / (SX**2 + SY**2), -SX / (SX**2 + SY**2)]),
        (X**Y, None, [SY * SX ** (SY - 1), SX**SY * sp.log(SX)]),
        (_apply("sign", X) * X, None, [sp.sign(SX)]),  # DiracDelta(x)*x taken pointwise: 0
        (abs(gi.asin(X)), None, [sp.sign(sp.asin(SX)) / sp.sqrt(1 - SX**2)]),  # SymPy alone: re, im
        (_apply("sign", gi.log(X)), None, [sp.S.Zero]),  # SymPy alone: Derivative(...)
        (gi.sin(X), ["y", "x"], [sp.S.Zero, sp.cos(SX)]),
    ],
)
def test_symbolic_grad_closed_forms(expr: gi.Expr, wrt: object, closed_forms: list[object]) -> None:
    got = sb.symbolic_grad(expr, wrt)
    assert len(got) == len(closed_forms)
    for d, expected in zip(got, closed_forms, strict=True):
        assert sp.simplify(d.to_sympy() - expected) == 0, (str(d), expected)


def test_symbolic_grad_accepts_a_single_variable_or_name() -> None:
    f = X * X * Y
    (by_var,) = sb.symbolic_grad(f, X)
    (by_name,) = sb.symbolic_grad(f, "x")
    assert by_var == by_name
    assert by_var.eval(x=3, y=2) == 12.0
    with pytest.raises(gi.SymbolicError, match="variable"):
        sb.symbolic_grad(f, [X + Y])


@pytest.mark.parametrize("name", builtin_ops())
def test_symbolic_grad_of_every_primitive_against_central_differences(name: str) -> None:
    p = primitives.PRIMITIVES[name]
    e = _apply(name, *(X, Y)[: p.arity])
    grads = sb.symbolic_grad(e, ["x", "y"][: p.arity])
    rng = np.random.default_rng(7)
    h = 1e-6
    for _ in range(4):
        point = {}
        for var, dom in zip(("x", "y"), p.domain, strict=False):
            lo, hi = primitives.DOMAINS[dom][rng.integers(len(primitives.DOMAINS[dom]))]
            point[var] = float(rng.uniform(lo + 0.01, hi - 0.01))
        if p.arity == 2 and name in ("maximum", "minimum") and abs(point["x"] - point["y"]) < 0.05:
            continue  # the kink
        for var, d in zip(("x", "y"), grads, strict=False):
            up, down = dict(point), dict(point)
            up[var] += h
            down[var] -= h
            fd = (e.eval(up) - e.eval(down)) / (2 * h)
            assert d.eval(point) == pytest.approx(fd, rel=1e-6, abs=1e-6), (name, var, point)


# ------------------------------------------------------------------ simplify


def test_simplify() -> None:
    one = gi.simplify(gi.sin(X) ** 2 + gi.cos(X) ** 2)
    assert one.op == "const" and one.value == 1.0
    e = gi.simplify((X * X - Y * Y) / (X - Y))
    assert str(e) == "x + y"
    assert gi.simplify(gi.log(gi.exp(X))) == X  # real symbols: log(exp(x)) = x
    s = gi.simplify(gi.sqrt(X * X))
    assert s.op == "abs"


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


def test_expressions_just_below_the_cap_work_in_sympy() -> None:
    # The deepest sin chain accepted can still be differentiated and printed by SymPy.
    e = X
    for _ in range(sb.MAX_SYMPY_DEPTH - 1):
        e = gi.sin(e)
    s = sb.to_sympy(e)
    (d,) = sb.symbolic_grad(e)
    assert d.eval(x=0.3) == pytest.approx(float(sp.diff(s, SX).subs(SX, 0.3)), rel=1e-12)
    assert len(str(s)) > 0
    e = gi.sin(e)
    with pytest.raises(gi.SymbolicError):
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
