"""The SymPy bridge, calculus: symbolic_grad against sympy.diff and differences, simplify."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given

import graphir as gi
from graphir import primitives
from graphir.bridges import sympy_calculus as sc
from graphir.bridges import sympy_convert as sb
from tests.bridges.sympy_helpers import (
    PROPERTY,
    SX,
    SY,
    SZ,
    X,
    Y,
    Z,
    apply_op,
    canonical,
    doubles_only,
    precise,
    values,
)
from tests.strategies import Recipe, builtin_ops, points, recipes

pytestmark = pytest.mark.filterwarnings("ignore::graphir.EvalWarning")


@PROPERTY
@given(recipes(max_ops=4), points())
def test_symbolic_grad_matches_sympy_diff(r: Recipe, point: dict[str, float]) -> None:
    e = r.to_expr()
    s = r.to_sympy()
    names = [v.name for v in e.variables]
    grads = sc.symbolic_grad(e)
    assert len(grads) == len(names)
    for name, d in zip(names, grads, strict=True):
        # SymPy's derivative of the independently built SymPy form, where SymPy gives a
        # real answer (it cannot always prove abs/sign arguments real; the bridge can).
        expected = sp.diff(s, sb.symbol(name)).replace(sp.DiracDelta, lambda *a: sp.S.Zero)
        if expected.has(sp.Derivative, sp.im, sp.re, sp.I):
            continue
        if doubles_only(expected) and canonical(expected):
            assert d.to_sympy() == expected
        v = values(d, point)
        if math.isfinite(v):
            exact = precise(expected, point)
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
        (apply_op("sign", X) * X, None, [sp.sign(SX)]),  # DiracDelta(x)*x taken pointwise: 0
        (abs(gi.asin(X)), None, [sp.sign(sp.asin(SX)) / sp.sqrt(1 - SX**2)]),  # SymPy alone: re, im
        (apply_op("sign", gi.log(X)), None, [sp.S.Zero]),  # SymPy alone: Derivative(...)
        (gi.sin(X), [Y, "x"], [sp.S.Zero, sp.cos(SX)]),  # a variable object sin(x) does not use
    ],
)
def test_symbolic_grad_closed_forms(expr: gi.Expr, wrt: object, closed_forms: list[object]) -> None:
    got = sc.symbolic_grad(expr, wrt)
    assert len(got) == len(closed_forms)
    for d, expected in zip(got, closed_forms, strict=True):
        assert sp.simplify(d.to_sympy() - expected) == 0, (str(d), expected)


def test_symbolic_grad_accepts_a_single_variable_or_name() -> None:
    f = X * X * Y
    (by_var,) = sc.symbolic_grad(f, X)
    (by_name,) = sc.symbolic_grad(f, "x")
    assert by_var == by_name
    assert by_var.eval(x=3, y=2) == 12.0
    with pytest.raises(gi.ArgumentError, match="variable"):
        sc.symbolic_grad(f, [X + Y])


def test_symbolic_grad_refuses_a_name_of_no_variable() -> None:
    typo = "^no variable named 'y' in the expression; its variables are x$"
    with pytest.raises(gi.ArgumentError, match=typo):
        sc.symbolic_grad(gi.sin(X), ["y", "x"])


@pytest.mark.parametrize("name", builtin_ops())
def test_symbolic_grad_of_every_primitive_against_central_differences(name: str) -> None:
    p = primitives.PRIMITIVES[name]
    e = apply_op(name, *(X, Y)[: p.arity])
    grads = sc.symbolic_grad(e, ["x", "y"][: p.arity])
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


def test_expressions_just_below_the_cap_work_in_sympy() -> None:
    # The deepest sin chain accepted can still be differentiated and printed by SymPy.
    e = X
    for _ in range(sb.MAX_SYMPY_DEPTH - 1):
        e = gi.sin(e)
    s = sb.to_sympy(e)
    (d,) = sc.symbolic_grad(e)
    assert d.eval(x=0.3) == pytest.approx(float(sp.diff(s, SX).subs(SX, 0.3)), rel=1e-12)
    assert len(str(s)) > 0
    e = gi.sin(e)
    with pytest.raises(gi.SymbolicError):
        sb.to_sympy(e)
