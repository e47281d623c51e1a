"""The reference of compare and step_sweep: SymPy's derivative in high precision (issue 9, item 2)."""

import json

import mpmath
import numpy as np
import pytest

import graphir as gi
from graphir.bridges.sympy_calculus import precise_grad


def test_compare_measures_ad_against_the_exact_derivative_not_a_float_one():
    # d/dx (log(1+x) - x) = 1/(1+x) - 1 = -x/(1+x): AD computes 1/(1+x) - 1 in floats and
    # loses 7 digits to cancellation; SymPy's derivative evaluated in floats lost the same.
    c = gi.compare("log(1+x) - x", {"x": 1e-10})
    assert c.reference == "symbolic"
    for mode in ("forward", "reverse"):
        assert 1e-9 < c.row(mode).rel_error[0] < 1e-6
    assert c.row("fd-complex").rel_error[0] < 2e-8
    assert c.row("fd-complex").rel_error[0] < c.row("reverse").rel_error[0]
    assert c.row("symbolic").rel_error[0] <= 1.2e-16  # its own rounding to a float, no more
    assert "40 digits" in str(c).splitlines()[0]
    data = json.loads(c.to_json())
    assert data["reference_label"].startswith("SymPy's derivative evaluated to 40 digits")
    assert data["reference_values"][0].startswith("-9.99999999900000036442197")


def test_precise_grad_against_a_closed_form_in_high_precision():
    # f = (exp(x) - 1)/x * sin(y); by hand: df/dx = (x e^x - e^x + 1)/x^2 sin(y),
    # df/dy = (e^x - 1)/x cos(y).  At x = 1e-6 the float derivative cancels 6 digits.
    x0, y0 = 1e-6, 0.7
    with mpmath.workdps(60):
        x, y = mpmath.mpf(x0), mpmath.mpf(y0)  # the floats' exact binary values
        dx = (x * mpmath.exp(x) - mpmath.exp(x) + 1) / x**2 * mpmath.sin(y)
        dy = (mpmath.exp(x) - 1) / x * mpmath.cos(y)
        got = precise_grad(gi.parse("(exp(x) - 1)/x * sin(y)"), {"x": x0, "y": y0})
        for g, want in zip(got, (dx, dy), strict=True):
            assert abs(g - want) <= mpmath.mpf(10) ** -38 * abs(want)
    c = gi.compare("(exp(x) - 1)/x * sin(y)", {"x": x0, "y": y0})
    exact = np.array([float(dx), float(dy)])
    for r in c.rows:
        with mpmath.workdps(60):
            true = [float(abs(mpmath.mpf(v) - w)) for v, w in zip(r.values, (dx, dy), strict=True)]
        np.testing.assert_allclose(r.abs_error, true, rtol=1e-12, atol=1e-30)
    assert c.row("reverse").rel_error[0] > 1e-12  # the float derivative's true error shows
    np.testing.assert_allclose(c.row("symbolic").values, exact, rtol=0)


def test_constants_of_the_graph_are_taken_exactly():
    # 0.1 is 0.1000000000000000055511151231257827...; the derivative of 0.1*x is that number.
    (d,) = precise_grad(gi.parse("0.1*x"), {"x": 3.0})
    assert mpmath.nstr(d, 30) == "0.100000000000000005551115123126"


def test_step_sweep_errors_are_against_the_exact_derivative():
    s = gi.step_sweep("log(1+x) - x", {"x": 1e-10}, methods=["complex"])
    assert s.reference == "symbolic"
    with mpmath.workdps(50):
        x = mpmath.mpf(1e-10)
        exact = -x / (1 + x)
        assert s.reference_values[0] == float(exact)  # the float nearest the true derivative
        h = mpmath.mpf(s.steps[5])
        assert s.errors["complex"][0, 5] == pytest.approx(
            float(abs(mpmath.mpf(s.estimates["complex"][0, 5]) - exact)), rel=1e-12)
        assert h == mpmath.mpf(1e-6)


@pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::graphir.EvalWarning")
def test_a_point_outside_the_domain_falls_back_and_says_so():
    c = gi.compare("sqrt(x) + y", {"x": -1.0, "y": 2.0})
    assert c.reference != "symbolic" and "no real number" in c.row("symbolic").note


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_sympy_losing_a_nan_is_no_answer():
    x = gi.symbols("x")
    with pytest.raises(gi.SymbolicError, match="nan"):
        gi.symbolic_grad(x * float("nan"))
    with pytest.raises(gi.SymbolicError, match="infinities"):
        gi.symbolic_grad(gi.parse("x - inf + inf"))
    assert str(gi.symbolic_grad(gi.parse("x*inf"))[0]) == "inf"  # kept: SymPy's oo*x
    c = gi.compare("x*nan", {"x": 1.0})
    assert c.reference != "symbolic" and "nan" in c.row("symbolic").note
    assert np.isnan(c.row("reverse").values[0])
    r = gi.check_claims("2*w - nan", {"w": 2})
    assert r.results[0].status != "wrong" and r.results[0].symbolic == "undecided"
    assert "nan" in r.results[0].symbolic_note
