"""Finite differences against exact derivatives: Baydin's example, the Squire-Trapp function,
closed forms evaluated in high precision (mpmath), and reverse mode on random expressions."""

from __future__ import annotations

import math
import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import graphir as gi
from graphir.numeric.finite_difference import (
    METHODS,
    default_step,
    evaluations,
    finite_difference,
    neville,
    richardson_derivative,
)
from tests.strategies import points, recipes

EPS = np.finfo(float).eps
BAYDIN_GRAD = np.array([5.5, 2.0 - math.cos(5.0)])
# Relative accuracy each method must reach on a smooth function with its default step.
ACCURACY = {"forward": 1e-6, "backward": 1e-6, "central": 1e-9, "complex": 1e-15, "richardson": 1e-12}


def baydin():
    x1, x2 = gi.symbols("x1 x2")
    return gi.log(x1) + x1 * x2 - gi.sin(x2)


def squire_trapp():
    x = gi.symbols("x")
    return gi.exp(x) / gi.sqrt(gi.sin(x) ** 3 + gi.cos(x) ** 3)


def squire_trapp_derivative_by_hand(x: float) -> float:
    """ln f = x - ln(s^3 + c^3)/2, so f' = f * (1 - 3 s c (s - c) / (2 (s^3 + c^3)))."""
    mpmath.mp.dps = 40
    t = mpmath.mpf(x)
    s, c = mpmath.sin(t), mpmath.cos(t)
    f = mpmath.exp(t) / mpmath.sqrt(s**3 + c**3)
    return float(f * (1 - 3 * s * c * (s - c) / (2 * (s**3 + c**3))))


def test_baydin_value_is_the_closed_form():
    assert BAYDIN_GRAD[1] == pytest.approx(1.7163378145367738, rel=1e-15)


@pytest.mark.parametrize("method", METHODS)
def test_baydin_gradient_every_method(method):
    d = finite_difference(baydin(), {"x1": 2, "x2": 5}, method=method)
    assert d.shape == (2,)
    np.testing.assert_allclose(d, BAYDIN_GRAD, rtol=ACCURACY[method], atol=0)


@pytest.mark.parametrize("method", METHODS)
def test_error_estimate_is_honest(method):
    """The actual error is below the estimate (with slack 10), and the estimate is not absurd."""
    x = gi.symbols("x")
    cases = [
        (baydin(), {"x1": 2.0, "x2": 5.0}, BAYDIN_GRAD),
        (squire_trapp(), {"x": 1.5}, np.array([squire_trapp_derivative_by_hand(1.5)])),
        (gi.exp(x) * gi.sin(3 * x), {"x": 0.3},
         np.array([math.exp(0.3) * (math.sin(0.9) + 3 * math.cos(0.9))])),
    ]
    for f, at, exact in cases:
        d, err = finite_difference(f, at, method=method, return_error=True)
        assert err.shape == d.shape
        actual = np.abs(d - exact)
        assert np.all(actual <= 10 * err + 4 * EPS * np.abs(exact)), (method, actual, err)
        assert np.all(err <= 100 * ACCURACY[method] * np.maximum(np.abs(exact), 1)), (method, err)


def test_squire_trapp_hand_derivative_matches_sympy():
    import sympy as sp

    t = sp.Symbol("t")
    f = sp.exp(t) / sp.sqrt(sp.sin(t) ** 3 + sp.cos(t) ** 3)
    via_sympy = float(sp.diff(f, t).evalf(30, subs={t: sp.Rational(3, 2)}))
    assert squire_trapp_derivative_by_hand(1.5) == pytest.approx(via_sympy, rel=1e-15)


def test_squire_trapp_complex_step_machine_precision():
    exact = squire_trapp_derivative_by_hand(1.5)
    d = finite_difference(squire_trapp(), {"x": 1.5}, method="complex")
    assert abs(d[0] - exact) / abs(exact) < 1e-14
    # The classic demonstration: the complex step stays exact for tiny steps, central does not.
    for h in (1e-10, 1e-15, 1e-100):
        d = finite_difference(squire_trapp(), {"x": 1.5}, method="complex", step=h)
        assert abs(d[0] - exact) / abs(exact) < 1e-14
    c = finite_difference(squire_trapp(), {"x": 1.5}, method="central", step=1e-13)
    assert abs(c[0] - exact) / abs(exact) > 1e-6


def test_complex_step_uses_complex_safe_primitives():
    """abs, maximum, minimum, sigmoid, log1p, expm1 and pow through the complex_impl path."""
    x, y = gi.symbols("x y")
    f = (gi.abs(x - 2.0) * gi.sigmoid(x * y) + gi.maximum(x, y) * gi.minimum(x, 0.2)
         + gi.log1p(x * x) + gi.expm1(y) + x ** 2.5 + gi.tanh(y) * gi.atan(x))
    at = {"x": 0.7, "y": -0.4}
    d = finite_difference(f, at, method="complex")
    _, exact = gi.value_and_grad(f, at)
    np.testing.assert_allclose(d, exact, rtol=1e-14, atol=1e-15)


def test_richardson_beats_central_on_smooth_functions():
    x, y = gi.symbols("x y")
    cases = [
        (gi.exp(x), {"x": 1.0}, [math.e]),
        (gi.sin(x) * gi.cos(x), {"x": 0.4}, [math.cos(0.8)]),
        (x ** 5 - 3 * x, {"x": 1.7}, [5 * 1.7**4 - 3]),
        (squire_trapp(), {"x": 1.5}, [squire_trapp_derivative_by_hand(1.5)]),
        (gi.log(x) * y, {"x": 3.0, "y": 2.0}, [2 / 3, math.log(3.0)]),
    ]
    for f, at, exact in cases:
        exact = np.array(exact)
        c = np.abs(finite_difference(f, at, method="central") - exact)
        r = np.abs(finite_difference(f, at, method="richardson") - exact)
        assert np.all(r < c) or np.all(r <= 2 * EPS * np.abs(exact)), (str(f), r, c)
        assert np.all(r <= 1e-12 * np.abs(exact))


@pytest.mark.parametrize("method", METHODS)
def test_step_scales_with_large_x(method):
    """At |x| ~ 1e6 the step grows with x; an unscaled step loses everything to round-off."""
    x = gi.symbols("x")
    f = gi.log(x) * x ** 2 + 1e3 * x
    x0 = 2.0e6
    exact = 2 * x0 * math.log(x0) + x0 + 1e3
    d = finite_difference(f, {"x": x0}, method=method)
    assert abs(d[0] - exact) / exact < 10 * ACCURACY[method]
    assert default_step(method, x0) == pytest.approx(default_step(method, 1.0) * x0)
    if method in ("forward", "central"):
        unscaled = finite_difference(f, {"x": x0}, method=method, step=default_step(method, 1.0))
        assert abs(unscaled[0] - exact) / exact > 100 * abs(d[0] - exact) / exact


@pytest.mark.parametrize("method", METHODS)
def test_step_for_small_x_is_not_shrunk(method):
    """At |x| ~ 1e-6 the step stays at the scale of 1 (max(|x|, 1)); a step scaled down to
    1e-6 * eps^(1/3) would drown in round-off of f ~ 1."""
    x = gi.symbols("x")
    f = gi.exp(x) + gi.sin(3 * x)
    x0 = 1.0e-6
    exact = math.exp(x0) + 3 * math.cos(3 * x0)
    d = finite_difference(f, {"x": x0}, method=method)
    assert abs(d[0] - exact) / exact < ACCURACY[method]
    assert default_step(method, x0) == default_step(method, 1.0)
    if method == "central":
        tiny = finite_difference(f, {"x": x0}, method="central", step=default_step("central", 1.0) * x0)
        assert abs(tiny[0] - exact) / exact > 1e-8


def test_default_steps_are_the_documented_ones():
    assert default_step("forward", 3.0) == pytest.approx(math.sqrt(EPS) * 3)
    assert default_step("backward", -3.0) == pytest.approx(math.sqrt(EPS) * 3)
    assert default_step("central", 0.1) == pytest.approx(EPS ** (1 / 3))
    assert default_step("complex", 5.0) == pytest.approx(5e-20)
    assert default_step("richardson", 2.0) == pytest.approx(0.2)


def test_step_forms_number_sequence_mapping():
    f = baydin()
    at = {"x1": 2.0, "x2": 5.0}
    a = finite_difference(f, at, method="central", step=1e-5)
    b = finite_difference(f, at, method="central", step=[1e-5, 1e-5])
    c = finite_difference(f, at, method="central", step={"x1": 1e-5, "x2": 1e-5})
    assert np.array_equal(a, b) and np.array_equal(a, c)
    d = finite_difference(f, at, method="central", step={"x2": 1e-5})  # x1 keeps its default step
    assert d[1] == a[1]
    with pytest.raises(ValueError, match="one value per variable"):
        finite_difference(f, at, step=[1e-5])
    with pytest.raises(ValueError, match="positive"):
        finite_difference(f, at, step=-1e-5)
    with pytest.raises(ValueError, match="positive"):
        finite_difference(f, at, step=0.0)
    with pytest.raises(ValueError, match="not differentiated by"):
        finite_difference(f, at, step={"z": 1e-3})


def test_unknown_method_lists_the_methods():
    with pytest.raises(ValueError) as info:
        finite_difference(baydin(), {"x1": 2, "x2": 5}, method="centered")
    message = str(info.value)
    assert "'centered'" in message
    for m in METHODS:
        assert m in message


def test_wrt_subset_order_and_unused_variable():
    x1, x2 = gi.symbols("x1 x2")
    f = baydin()
    at = {x1: 2.0, "x2": 5.0}
    d = finite_difference(f, at, wrt=[x2, "x1"], method="complex")
    np.testing.assert_allclose(d, BAYDIN_GRAD[::-1], rtol=1e-15)
    # A variable the expression does not use has partial 0 and needs no value;
    # a name that is no variable of it is an error (most of the time, a typo).
    z = gi.symbols("z")
    d = finite_difference(f, at, wrt=["x1", z], method="central")
    assert d[1] == 0.0
    with pytest.raises(gi.ArgumentError, match="no variable named 'z' in the expression; .* are x1, x2"):
        finite_difference(f, at, wrt=["x1", "z"])
    assert finite_difference(f, at, wrt=[]).shape == (0,)


def test_text_input_and_missing_value():
    d = finite_difference("ln(x1) + x1*x2 - sin(x2)", {"x1": 2, "x2": 5}, method="complex")
    np.testing.assert_allclose(d, BAYDIN_GRAD, rtol=1e-15)
    with pytest.raises(gi.EvalError, match="x2"):
        finite_difference(baydin(), {"x1": 2.0})
    with pytest.raises(gi.ArgumentError, match="the value of x2 must be one real number"):
        finite_difference(baydin(), {"x1": 2.0, "x2": [1.0, 2.0]})


def test_step_below_float_spacing_gives_zero_and_a_large_error_estimate():
    x = gi.symbols("x")
    d, err = finite_difference(gi.exp(x), {"x": 1.0}, method="forward", step=1e-17, return_error=True)
    assert d[0] == 0.0
    assert err[0] > 1.0


def test_richardson_skips_steps_outside_the_domain():
    """log at 0.05: the first steps (0.1, 0.05) reach x <= 0; the tableau starts after them."""
    x = gi.symbols("x")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gi.EvalWarning)
        d, err = finite_difference(gi.log(x), {"x": 0.05}, method="richardson", return_error=True)
    assert d[0] == pytest.approx(20.0, rel=1e-11)
    assert err[0] < 1e-9


def test_neville_extrapolates_exactly_for_a_polynomial_error():
    # d(h) = 3 + h^2 + h^4 is extrapolated to 3 from three levels.
    h = np.array([0.4, 0.2, 0.1, 0.05])
    value, err, used = neville(3 + h**2 + h**4, h**2)
    assert value == pytest.approx(3.0, abs=1e-14)
    assert used >= 3


def test_richardson_derivative_of_numpy_functions():
    for fn, x0, exact in [(np.exp, 0.3, math.exp(0.3)), (np.arctan, 2.0, 1 / 5), (np.cbrt, 8.0, 1 / 12)]:
        d, err = richardson_derivative(fn, x0)
        assert abs(d - exact) <= max(10 * err, 1e-15)
        assert err < 1e-11


def test_evaluation_counts():
    assert [evaluations(m, 2) for m in METHODS] == [3, 3, 4, 2, 40]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recipes(max_ops=5), points())
def test_complex_step_matches_reverse_mode_on_random_expressions(recipe, point):
    """Complex step is exact to rounding wherever the expression is smooth: compare with reverse AD."""
    f = recipe.to_expr()
    names = [v.name for v in f.variables]
    if not names:
        return
    at = {n: point[n] for n in names}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        _, exact = gi.value_and_grad(f, at)
        d = finite_difference(f, at, method="complex")
        one_sided = [finite_difference(f, at, method=m) for m in ("forward", "backward")]
    if not (np.all(np.isfinite(exact)) and np.all(np.isfinite(d))) or np.max(np.abs(exact)) > 1e8:
        return
    scale = 1e-4 * max(1.0, float(np.max(np.abs(exact))))
    if not all(np.all(np.isfinite(o)) and np.max(np.abs(o - exact)) < scale for o in one_sided):
        # At a kink (abs at 0, maximum at a tie) the one-sided slopes differ: the complex
        # step takes the branch of the real part there, AD graphir's midpoint convention.
        return
    np.testing.assert_allclose(d, exact, rtol=1e-9, atol=1e-9 * max(1.0, float(np.max(np.abs(exact)))))
